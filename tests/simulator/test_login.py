"""Web logins: both variants, the answers, lockout on the driven clock, logout."""

from __future__ import annotations

import re
from typing import Any

import pytest

from custom_components.grandstream_cti.cti import wire
from simulator import PhoneSimulator, SimulatorConfig, sha256_hex
from tests.simulator.conftest import Browser, Cti

CHALLENGE = ["grp2614", "gxp2170", "wp826", "gsc3516"]
LOCKED = {"response": "error", "body": "locked", "lockTime": 5}


def profile(name: str, **settings: Any) -> SimulatorConfig:
    return SimulatorConfig(profile=name, manual_clock=True, **settings)


@pytest.mark.parametrize(
    "simulator_config", [profile(name) for name in CHALLENGE], ids=CHALLENGE
)
async def test_challenge_login(browser: Browser, simulator: PhoneSimulator) -> None:
    access = await browser.post(wire.FUNCTION_ACCESS, {"access": sha256_hex("admin")})
    assert access.json["response"] == "success"
    nonce = access.json["body"]
    assert re.fullmatch(r"[A-Za-z0-9]{31}", nonce)
    answer = await browser.post(
        wire.FUNCTION_DOLOGIN,
        {"username": "admin", "password": sha256_hex("admin" + nonce)},
    )
    assert answer.json["response"] == "success"
    body = answer.json["body"]
    sid = body["sid"]
    assert re.fullmatch(r"[0-9a-f]{64}", sid)
    role = sha256_hex("admin" + sid) if simulator.profile.role_hashed else "admin"
    assert body == {
        "sid": sid,
        "role": role,
        "ver": simulator.phone.firmware,
        "mac": "00:0B:82:12:34:56",
        "defaultAuth": False,
        "defaultLogin": False,
    }
    cookies = answer.headers.getall("Set-Cookie", [])
    if simulator.profile.sets_cookies:
        identity = next(c for c in cookies if c.startswith("session-identity="))
        assert identity.startswith(f"session-identity={sid};")
        assert "HttpOnly" in identity
        assert "Path=/cgi-bin" in identity
        assert any(c.startswith(f"session-role={role};") for c in cookies)
    else:
        assert cookies == []
    # Exactly one request carried the password (as a hash); /access did not.
    assert simulator.password_requests == [
        {"function": "dologin", "kind": "challenge", "username": "admin", "ok": True}
    ]
    # The nonce was used up: the same proof again is a wrong password.
    again = await browser.post(
        wire.FUNCTION_DOLOGIN,
        {"username": "admin", "password": sha256_hex("admin" + nonce)},
    )
    assert again.json == {"response": "error", "body": "wrong4"}


@pytest.mark.parametrize("simulator_config", [profile("wp826")])
async def test_user_role_is_hashed_on_wp826(
    browser: Browser, simulator: PhoneSimulator
) -> None:
    answer = await browser.login("user", "123")
    assert answer.json["body"]["role"] == sha256_hex("user" + browser.sid)
    assert simulator.sessions.sessions[browser.sid].role == "user"


@pytest.mark.parametrize("simulator_config", [profile("gxp1625")])
async def test_plain_login(browser: Browser, simulator: PhoneSimulator) -> None:
    assert (
        await browser.post(wire.FUNCTION_ACCESS, {"access": sha256_hex("admin")})
    ).status == 404
    answer = await browser.login("admin", "admin")
    body = answer.json["body"]
    # GXP16xx: no ver / mac in the login answer (read P67 / P68 instead).
    assert body == {"sid": browser.sid, "role": "admin", "defaultAuth": False}
    assert simulator.password_requests == [
        {"function": "dologin", "kind": "plain", "username": "admin", "ok": True}
    ]
    wrong = await browser.post(
        wire.FUNCTION_DOLOGIN, {"username": "user", "password": "nope"}
    )
    assert wrong.json == {"response": "error", "body": "wrong4"}
    assert simulator.failed_logins == {"user": 1}


async def test_plain_password_to_a_challenge_phone_counts(
    browser: Browser, simulator: PhoneSimulator
) -> None:
    answer = await browser.login("admin", "admin", plain=True)
    assert answer.json == {"response": "error", "body": "wrong4"}
    assert simulator.failed_logins == {"admin": 1}


@pytest.mark.parametrize("simulator_config", [profile("grp2614")])
async def test_lockout_and_unlock_on_the_clock(
    browser: Browser, cti: Cti, simulator: PhoneSimulator
) -> None:
    for _ in range(3):  # nonce requests never count
        await browser.post(wire.FUNCTION_ACCESS, {"access": sha256_hex("admin")})
    bodies = [(await browser.login("admin", "nope")).json for _ in range(5)]
    assert [body["body"] for body in bodies[:4]] == [
        "wrong4",
        "wrong3",
        "wrong2",
        "wrong1",
    ]
    assert bodies[4] == LOCKED
    # The right password does not help while locked, on either API.
    assert (await browser.login()).json == LOCKED
    assert (await cti.call(wire.FUNCTION_PHONE_STATUS)).status == 401
    lockout = await browser.get(wire.FUNCTION_GET_LOCKOUT)
    assert lockout.json == {"response": "success", "body": "lockout"}
    state = await cti.state()
    assert state["locks"]["admin"]["locked"] is True
    assert state["locks"]["user"]["locked"] is False
    simulator.clock.advance(4 * 60)
    assert (await browser.login()).json["body"] == "locked"
    assert (await browser.login()).json["lockTime"] == 1  # minutes left
    simulator.clock.advance(60)
    lockout = await browser.get(wire.FUNCTION_GET_LOCKOUT, {"username": "admin"})
    assert lockout.json["body"] == "ok"
    assert (await browser.login()).json["response"] == "success"
    assert (await cti.ok(wire.FUNCTION_PHONE_STATUS))["body"] == "available"
    assert simulator.failed_logins == {"admin": 5}
    assert simulator.auth_failures == 5


@pytest.mark.parametrize("simulator_config", [profile("grp2614", lockout_minutes=2)])
async def test_wrong_passcodes_lock_admin(
    browser: Browser, cti: Cti, simulator: PhoneSimulator
) -> None:
    for _ in range(5):
        assert (await cti.call(wire.FUNCTION_PHONE_STATUS, passcode="x")).status == 401
    assert (await cti.call(wire.FUNCTION_PHONE_STATUS)).status == 401  # locked
    assert (await browser.login()).json == {**LOCKED, "lockTime": 2}
    user = await browser.login("user", "123")  # a different account
    assert user.json["response"] == "success"
    assert len(simulator.password_requests) == 8
    simulator.clock.advance(120)
    assert (await cti.ok(wire.FUNCTION_PHONE_STATUS))["body"] == "available"


@pytest.mark.parametrize("simulator_config", [profile("wp826", user_web_access=False)])
async def test_user_not_allowed(
    browser: Browser, cti: Cti, simulator: PhoneSimulator
) -> None:
    answer = await browser.login("user", "123")
    assert answer.json == {"response": "error", "body": "user is not allow"}
    assert simulator.failed_logins == {}
    assert (await browser.login()).json["response"] == "success"
    await cti.control("config", {"user_web_access": True})
    assert (await browser.login("user", "123")).json["response"] == "success"


async def test_unknown_user_and_missing_fields(
    browser: Browser, simulator: PhoneSimulator
) -> None:
    answer = await browser.login("root", "admin")
    assert answer.json == {"response": "error", "body": "wrong"}
    assert (await browser.post(wire.FUNCTION_ACCESS, {})).json == {
        "response": "error",
        "body": "failed",
    }
    # No password at all: a failed attempt.
    no_password = await browser.post(wire.FUNCTION_DOLOGIN, {"username": "admin"})
    assert no_password.json["body"] == "wrong4"
    # Old builds: no username means admin.
    nonce = (
        await browser.post(wire.FUNCTION_ACCESS, {"access": sha256_hex("admin")})
    ).json["body"]
    answer = await browser.post(
        wire.FUNCTION_DOLOGIN, {"password": sha256_hex("admin" + nonce)}
    )
    assert answer.json["response"] == "success"
    assert simulator.failed_logins == {"root": 1, "admin": 1}


@pytest.mark.parametrize("simulator_config", [profile("grp2614")])
async def test_nonce_expires(browser: Browser, simulator: PhoneSimulator) -> None:
    nonce = (
        await browser.post(wire.FUNCTION_ACCESS, {"access": sha256_hex("admin")})
    ).json["body"]
    simulator.clock.advance(61)
    answer = await browser.post(
        wire.FUNCTION_DOLOGIN,
        {"username": "admin", "password": sha256_hex("admin" + nonce)},
    )
    assert answer.json["body"] == "wrong4"


@pytest.mark.parametrize(
    "simulator_config", [profile("wp826"), profile("gxp2170")], ids=["wp826", "gxp2170"]
)
async def test_logout(browser: Browser, simulator: PhoneSimulator) -> None:
    await browser.login()
    first = browser.sid
    # WP826 style: empty form (Content-Length: 0) with the sid cookie.
    answer = await browser.post(
        wire.FUNCTION_DOLOGOUT,
        cookies={"sid": first, "session-identity": first},
    )
    assert answer.json == {"response": "success", "body": "logout"}
    assert simulator.sessions.sessions == {}
    # GXP style: form sid.
    await browser.login()
    answer = await browser.post(wire.FUNCTION_DOLOGOUT, {"sid": browser.sid})
    assert answer.json["body"] == "logout"
    assert simulator.sessions.sessions == {}
    # Nothing to log out: still fine.
    assert (await browser.post(wire.FUNCTION_DOLOGOUT)).json["body"] == "logout"
    after = await browser.post(wire.FUNCTION_LINE_STATUS, {"line": "-1", "sid": first})
    assert after.status == 401
