"""Calls that must never happen are recorded (and never done)."""

from __future__ import annotations

import pytest

from custom_components.grandstream_cti.cti import wire
from simulator import PhoneSimulator, SimulatorConfig
from tests.simulator.conftest import Browser, Cti


async def test_normal_use_trips_nothing(
    cti: Cti, browser: Browser, simulator: PhoneSimulator
) -> None:
    await browser.login()
    await browser.cti(wire.FUNCTION_LINE_STATUS, line="-1")
    await cti.ok(wire.FUNCTION_ACCOUNTS)
    await cti.ok(wire.FUNCTION_SYS_OPERATION, request="REBOOT")
    assert simulator.tripwires == []


async def test_dangerous_sys_operations_are_recorded_no_ops(
    cti: Cti, simulator: PhoneSimulator
) -> None:
    answers = {
        request: await cti.ok(wire.FUNCTION_SYS_OPERATION, request=request)
        for request in ("RESET", "PROV", "KILLGUI")
    }
    assert answers == {
        "RESET": {"response": "success", "body": "reset"},
        "PROV": {"response": "success", "body": "savereboot"},
        "KILLGUI": {"response": "success", "body": "savereboot"},
    }
    assert not simulator.phone.rebooting
    assert (await cti.ok(wire.FUNCTION_PHONE_STATUS))["body"] == "available"
    # Refused ones count too: the attempt is what matters.
    unauthorized = await cti.call(wire.FUNCTION_SYS_OPERATION, "wrong", request="RESET")
    assert unauthorized.status == 401
    expected = [
        {"kind": "sys_operation", "name": name, "function": "api-sys_operation"}
        for name in ("RESET", "PROV", "KILLGUI", "RESET")
    ]
    assert simulator.tripwires == expected
    assert (await cti.state())["tripwires"] == expected


async def test_forbidden_endpoints(browser: Browser, simulator: PhoneSimulator) -> None:
    assert (await browser.post("api-change_password", {"pwd": "x"})).status == 401
    await browser.login()
    answer = await browser.post("firmware-upgrade", {"sid": browser.sid})
    assert answer.json == {"response": "error", "body": "failed"}
    assert [hit["name"] for hit in simulator.tripwires] == [
        "api-change_password",
        "firmware-upgrade",
    ]
    assert {hit["kind"] for hit in simulator.tripwires} == {"endpoint"}


async def test_password_and_provisioning_writes(
    browser: Browser, simulator: PhoneSimulator
) -> None:
    await browser.login()
    answer = await browser.request(
        "PUT",
        wire.FUNCTION_CONFIG_UPDATE,
        params={"sid": browser.sid},
        json_body={
            "alias": {},
            "pvalue": {"2": "new", "P212": "fw.example", "1561": "0"},
        },
    )
    assert answer.json["body"] == {"status": "right"}
    assert [hit["name"] for hit in simulator.tripwires] == ["P2", "P212"]
    assert simulator.config.passcode == "admin"  # never applied
    assert simulator.store.value("212") == ""
    assert simulator.store.value("1561") == "0"
    log = simulator.requests[-1]
    assert log["function"] == "config_update"
    assert "new" not in str(log)


@pytest.mark.parametrize(
    "simulator_config", [SimulatorConfig(profile="gxp1625", manual_clock=True)]
)
async def test_values_post_password(
    browser: Browser, simulator: PhoneSimulator
) -> None:
    await browser.login()
    await browser.post(
        wire.FUNCTION_VALUES_POST,
        {"P196": "x", "P237": "y", "P192": "z", "sid": browser.sid},
    )
    assert [hit["name"] for hit in simulator.tripwires] == ["P196", "P237", "P192"]
    assert simulator.requests[-1]["params"] == {"P237": "y", "P192": "z"}
