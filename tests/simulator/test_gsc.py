"""The GSC3516 profile as Grandstream's own GDS/GSC library (grandstream-home-api)
talks to it: any access hash, sid / mac / ver, lockTime in seconds, expiry as
"unauthorized", and "user is not allow" when Home Assistant control is off.
"""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.grandstream_cti.cti import wire
from simulator import PhoneSimulator, SimulatorConfig, sha256_hex
from tests.simulator.conftest import Browser, Cti

UNAUTHORIZED = {"response": "success", "body": "unauthorized"}
EXPIRED = {"response": "error", "body": {"status": "session-expired"}}
NOT_ALLOWED = {
    "response": "error",
    "body": "user is not allow",
    "message": "user is not allow",
}


def gsc(**settings: Any) -> SimulatorConfig:
    return SimulatorConfig(profile="gsc3516", manual_clock=True, **settings)


async def library_login(browser: Browser, password: str = "admin") -> dict[str, Any]:
    """Log in the way grandstream-home-api does: a random access hash."""
    only_origin = {"Origin": browser.sim.url}  # the library sends no Referer
    nonce = (
        await browser.post(
            wire.FUNCTION_ACCESS,
            {"access": sha256_hex("1718000000.5")},
            headers=only_origin,
            origin=False,
        )
    ).json["body"]
    answer = await browser.post(
        wire.FUNCTION_DOLOGIN,
        {"username": "admin", "password": sha256_hex(password + nonce)},
        headers=only_origin,
        origin=False,
    )
    data: dict[str, Any] = answer.json
    return data


@pytest.mark.parametrize("simulator_config", [gsc()])
async def test_login_with_any_access_hash(
    browser: Browser, simulator: PhoneSimulator
) -> None:
    answer = await library_login(browser)
    body = answer["body"]
    assert answer["response"] == "success"
    assert (body["mac"], body["ver"]) == ("00:0B:82:12:34:56", "1.0.5.12")
    sid = body["sid"]
    accounts = await browser.get(wire.FUNCTION_ACCOUNTS, cookies={"sid": sid})
    assert accounts.json["response"] == "success"
    # The nonce is used up by the attempt.
    assert simulator.password_requests[-1]["ok"] is True


@pytest.mark.parametrize("simulator_config", [gsc()])
async def test_lock_time_in_seconds(
    browser: Browser, simulator: PhoneSimulator
) -> None:
    bodies = [await library_login(browser, "wrong") for _ in range(5)]
    assert bodies[3] == {"response": "error", "body": "wrong1"}
    assert bodies[4] == {"response": "error", "body": "locked", "lockTime": 300}
    simulator.clock.advance(100.5)
    assert await library_login(browser) == {
        "response": "error",
        "body": "locked",
        "lockTime": 200,  # seconds left, rounded up
    }
    simulator.clock.advance(200)
    assert (await library_login(browser))["response"] == "success"


@pytest.mark.parametrize("simulator_config", [gsc()])
async def test_expiry_answers(browser: Browser, cti: Cti) -> None:
    await browser.login()
    await cti.control("sessions", {"expire": "all"})
    for function in (
        wire.FUNCTION_PHONE_STATUS,
        wire.FUNCTION_ACCOUNTS,
        wire.FUNCTION_LINE_STATUS,
        wire.FUNCTION_SYS_OPERATION,
    ):
        answer = await browser.get(function, cookies={"sid": browser.sid})
        assert (answer.status, answer.json) == (200, UNAUTHORIZED), function
    config = await browser.get(
        wire.FUNCTION_CONFIG_GET, {"pvalues": "1561", "sid": browser.sid}
    )
    assert config.json == EXPIRED
    values = await browser.post(
        wire.FUNCTION_VALUES_GET, {"request": "P68", "sid": browser.sid}
    )
    assert values.json == EXPIRED
    # A wrong passcode is still the passcode API's 401.
    assert (await cti.call(wire.FUNCTION_PHONE_STATUS, passcode="x")).status == 401
    assert not cti.sim.phone.rebooting


@pytest.mark.parametrize("simulator_config", [gsc()])
async def test_home_assistant_control_off(
    browser: Browser, cti: Cti, simulator: PhoneSimulator
) -> None:
    await browser.login()
    sid = browser.sid
    assert (await cti.control("config", {"ha_control": False}))["ha_control"] is False
    # Logins and session requests: "user is not allow", never counted.
    assert await library_login(browser) == NOT_ALLOWED
    assert (await browser.login("user", "123")).json == NOT_ALLOWED
    status = await browser.get(wire.FUNCTION_PHONE_STATUS, cookies={"sid": sid})
    assert status.json == NOT_ALLOWED
    config = await browser.get(wire.FUNCTION_CONFIG_GET, {"pvalues": "68", "sid": sid})
    assert config.json == NOT_ALLOWED
    assert simulator.failed_logins == {}
    # The passcode API is its own switch.
    assert (await cti.ok(wire.FUNCTION_PHONE_STATUS))["body"] == "available"
    await cti.control("config", {"ha_control": True})
    status = await browser.get(wire.FUNCTION_PHONE_STATUS, cookies={"sid": sid})
    assert status.json["body"] == "available"
    assert (await library_login(browser))["response"] == "success"


@pytest.mark.parametrize("simulator_config", [SimulatorConfig(ha_control=False)])
async def test_other_families_have_no_such_switch(browser: Browser) -> None:
    assert (await browser.login()).json["response"] == "success"
    answer = await browser.login("root", "x")
    assert answer.json == {"response": "error", "body": "wrong"}
    # WP8x6 style refusal: the words in `body` only.
    browser.sim.update_config({"user_web_access": False})
    refused = await browser.login("user", "123")
    assert refused.json == {"response": "error", "body": "user is not allow"}


async def test_other_families_bind_the_nonce_to_the_user(browser: Browser) -> None:
    nonce = (
        await browser.post(wire.FUNCTION_ACCESS, {"access": sha256_hex("nobody")})
    ).json["body"]
    answer = await browser.post(
        wire.FUNCTION_DOLOGIN,
        {"username": "admin", "password": sha256_hex("admin" + nonce)},
    )
    assert answer.json == {"response": "error", "body": "wrong4"}
