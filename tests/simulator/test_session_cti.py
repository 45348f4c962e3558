"""The CTI functions through a session instead of the passcode: same answers."""

from __future__ import annotations

import pytest

from custom_components.grandstream_cti.cti import wire
from simulator import PhoneSimulator, SimulatorConfig
from tests.simulator.conftest import Browser, Cti

pytestmark = pytest.mark.parametrize(
    "simulator_config", [SimulatorConfig(call_connect_delay=0, manual_clock=True)]
)


async def test_reads_match_the_passcode_api(
    cti: Cti, browser: Browser, simulator: PhoneSimulator
) -> None:
    await browser.login()
    simulator.phone.incoming("+15555550100", "Carol")
    for function, params in (
        (wire.FUNCTION_LINE_STATUS, {"line": "-1"}),
        (wire.FUNCTION_PHONE_STATUS, {}),
        (wire.FUNCTION_ACCOUNTS, {}),
    ):
        by_session = await browser.cti(function, **params)
        by_passcode = await cti.call(function, **params)
        assert by_session.text == by_passcode.text
    accounts = await browser.get(wire.FUNCTION_ACCOUNTS, {"sid": browser.sid})
    assert len(accounts.json["body"]) == 4


async def test_commands(cti: Cti, browser: Browser, simulator: PhoneSimulator) -> None:
    simulator.phone.set_registered(2, True)
    await browser.login()
    call = await browser.cti(
        wire.FUNCTION_MAKE_CALL,
        phonenumber="*72100",
        account="1",
        dialplan="dialing",
        password="admin",  # the GRP SDK sends it; ignored with a session
    )
    assert call.json == {"response": "success", "body": True}
    line = simulator.phone.lines[0]
    assert (line.state, line.account, line.remote_number) == ("calling", 2, "*72100")
    assert simulator.password_requests[-1] == {
        "function": "api-make_call",
        "kind": "passcode",
        "username": "admin",
        "ok": True,
    }
    operation = await browser.cti(wire.FUNCTION_PHONE_OPERATION, cmd="endcall", arg="")
    assert operation.json == {"response": "success", "body": True}
    keys = await browser.cti(wire.FUNCTION_SEND_KEY, keys="OFFHOOK:1:SEND")
    assert keys.json == {"response": "success", "body": "complete"}
    assert simulator.phone.lines[0].state == "calling"
    reboot = await browser.get(
        wire.FUNCTION_SYS_OPERATION, {"request": "REBOOT", "sid": browser.sid}
    )
    assert reboot.json == {"response": "success", "body": "savereboot"}
    assert simulator.phone.rebooting
    log = simulator.requests
    assert {entry["auth"] for entry in log[2:]} == {"session"}
    assert all("sid" not in entry["params"] for entry in log)
    assert all("password" not in entry["params"] for entry in log)


async def test_user_session_runs_cti_too(browser: Browser) -> None:
    await browser.login("user", "123")
    answer = await browser.cti(wire.FUNCTION_PHONE_STATUS)
    assert answer.json["body"] == "available"


async def test_popup_is_for_the_passcode_api(
    cti: Cti, browser: Browser, simulator: PhoneSimulator
) -> None:
    await cti.control("config", {"popup_confirmation": True})
    await browser.login()
    call = await browser.cti(wire.FUNCTION_MAKE_CALL, phonenumber="5")
    assert call.json["body"] is True
    assert simulator.pending_confirmations == 0
