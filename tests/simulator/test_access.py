"""CTI disabled, address not allowed (both denial styles) and pop-up confirmation."""

from __future__ import annotations

import asyncio
import json

import pytest

from custom_components.grandstream_cti.cti import wire
from simulator import PhoneSimulator, SimulatorConfig
from tests.simulator.conftest import SAFETY_TIMEOUT, Cti, until

FAILED = {"response": "error", "body": "failed"}


@pytest.mark.parametrize(
    "simulator_config",
    [
        SimulatorConfig(cti_enabled=False),
        SimulatorConfig(allowed_ips=("192.0.2.10",)),
    ],
    ids=["disabled", "not-allowed"],
)
async def test_denied_http403(cti: Cti) -> None:
    for passcode in ("admin", "wrong"):  # checked before the passcode
        answer = await cti.call(wire.FUNCTION_PHONE_STATUS, passcode=passcode)
        assert answer.status == 403
        assert answer.headers["Content-Type"].startswith("text/html")
    # The unauthenticated file is part of the web UI, not CTI.
    assert (await cti.raw(wire.MODEL_DEFINE_PATH)).status == 200


@pytest.mark.parametrize(
    "simulator_config",
    [
        SimulatorConfig(cti_enabled=False, denial_style="failed"),
        SimulatorConfig(allowed_ips=("10.0.0.0/8",), denial_style="failed"),
    ],
    ids=["disabled", "not-allowed"],
)
async def test_denied_failed_body(cti: Cti) -> None:
    for function in (wire.FUNCTION_PHONE_STATUS, wire.FUNCTION_LINE_STATUS):
        answer = await cti.call(function)
        assert answer.status == 200
        assert answer.json == FAILED


@pytest.mark.parametrize(
    "simulator_config",
    [SimulatorConfig(allowed_ips=("192.0.2.1", "127.0.0.0/8"))],
)
async def test_allowed_address_list(cti: Cti) -> None:
    assert (await cti.ok(wire.FUNCTION_PHONE_STATUS))["body"] == "available"


async def test_config_changes_at_run_time(cti: Cti) -> None:
    await cti.control("config", {"cti_enabled": False})
    assert (await cti.call(wire.FUNCTION_PHONE_STATUS)).status == 403
    await cti.control("config", {"denial_style": "failed"})
    assert (await cti.call(wire.FUNCTION_PHONE_STATUS)).json == FAILED
    await cti.control("config", {"cti_enabled": True, "allowed_ips": ["192.0.2.1"]})
    assert (await cti.call(wire.FUNCTION_PHONE_STATUS)).json == FAILED
    await cti.control("config", {"allowed_ips": ["any"], "passcode": "s3cret"})
    assert (await cti.call(wire.FUNCTION_PHONE_STATUS)).status == 401
    assert (await cti.call(wire.FUNCTION_PHONE_STATUS, passcode="s3cret")).status == 200
    async with cti.session.post(
        f"{cti.sim.url}/sim/config", json={"denial_style": "teapot"}
    ) as response:
        assert response.status == 400
    async with cti.session.post(
        f"{cti.sim.url}/sim/config", json={"mac": "x"}
    ) as response:
        assert response.status == 400
    state = await cti.state()
    assert "passcode" not in state["config"]
    assert "user_passcode" not in state["config"]
    assert "s3cret" not in json.dumps(state)


@pytest.mark.parametrize(
    "simulator_config", [SimulatorConfig(popup_confirmation=True, manual_clock=True)]
)
async def test_popup_waits_for_confirmation(
    cti: Cti, simulator: PhoneSimulator
) -> None:
    # Status reads are not commands: no pop-up.
    assert (await cti.ok(wire.FUNCTION_PHONE_STATUS))["body"] == "available"
    task = asyncio.create_task(cti.ok(wire.FUNCTION_MAKE_CALL, phonenumber="100"))
    await until(simulator, lambda: simulator.pending_confirmations > 0)
    assert not task.done()
    assert simulator.phone.lines[0].is_idle
    assert await cti.control("confirm") == {"confirmed": True, "pending": 0}
    assert await task == {"response": "success", "body": True}
    assert simulator.phone.lines[0].state == "calling"
    assert await cti.control("confirm") == {"confirmed": False, "pending": 0}


@pytest.mark.parametrize(
    "simulator_config", [SimulatorConfig(popup_confirmation=True, manual_clock=True)]
)
async def test_popup_cancel_refuses(cti: Cti, simulator: PhoneSimulator) -> None:
    task = asyncio.create_task(cti.ok(wire.FUNCTION_SEND_KEY, keys="OFFHOOK"))
    await until(simulator, lambda: simulator.pending_confirmations > 0)
    await cti.control("confirm", {"accept": False})
    assert await task == FAILED
    assert simulator.phone.lines[0].is_idle


@pytest.mark.parametrize(
    "simulator_config",
    [SimulatorConfig(popup_confirmation=True, popup_timeout=30, manual_clock=True)],
)
async def test_popup_timeout(cti: Cti, simulator: PhoneSimulator) -> None:
    task = asyncio.create_task(cti.ok(wire.FUNCTION_PHONE_OPERATION, cmd="endcall"))
    await until(simulator, lambda: simulator.pending_confirmations > 0)
    simulator.clock.advance(30)
    assert await task == FAILED
    assert simulator.pending_confirmations == 0


@pytest.mark.parametrize(
    "simulator_config", [SimulatorConfig(popup_confirmation=True, manual_clock=True)]
)
async def test_stop_releases_waiting_popup(cti: Cti, simulator: PhoneSimulator) -> None:
    task = asyncio.create_task(cti.call(wire.FUNCTION_SYS_OPERATION, request="REBOOT"))
    await until(simulator, lambda: simulator.pending_confirmations > 0)
    async with asyncio.timeout(SAFETY_TIMEOUT):
        await simulator.stop()
        answer = await task
    assert answer.json == FAILED
