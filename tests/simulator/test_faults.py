"""Transport faults, reboot, and the control API staying up through them."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from custom_components.grandstream_cti.cti import wire
from simulator import PhoneSimulator, SimulatorConfig
from tests.simulator.conftest import Cti, until

MANUAL_CLOCK = SimulatorConfig(manual_clock=True)


async def assert_no_answer(cti: Cti) -> None:
    with pytest.raises(aiohttp.ClientError):
        await cti.call(wire.FUNCTION_PHONE_STATUS)


@pytest.mark.parametrize("simulator_config", [MANUAL_CLOCK])
async def test_latency(cti: Cti, simulator: PhoneSimulator) -> None:
    assert await cti.control("fault", {"kind": "latency", "seconds": 2}) == {
        "kind": "latency",
        "seconds": 2,
    }
    task = asyncio.create_task(cti.ok(wire.FUNCTION_PHONE_STATUS))
    await until(simulator, lambda: simulator.pausing == 1)
    await cti.state()  # the control API is not held back
    simulator.clock.advance(1.5)
    assert simulator.pausing == 1
    assert not task.done()
    assert await cti.control("clock", {"advance": 0.5}) == {
        "now": simulator.clock.now(),
        "offset": 2.0,
    }
    assert (await task)["body"] == "available"


@pytest.mark.parametrize("simulator_config", [MANUAL_CLOCK])
async def test_stop_releases_held_request(cti: Cti, simulator: PhoneSimulator) -> None:
    simulator.set_fault("latency", 60)
    task = asyncio.create_task(cti.call(wire.FUNCTION_PHONE_STATUS))
    await until(simulator, lambda: simulator.pausing == 1)
    await simulator.stop()
    with pytest.raises(aiohttp.ClientError):
        await task


async def test_http500(cti: Cti) -> None:
    await cti.control("fault", {"kind": "http500"})
    answer = await cti.call(wire.FUNCTION_PHONE_STATUS)
    assert answer.status == 500
    assert (await cti.state())["faults"]["kind"] == "http500"


async def test_garbage(cti: Cti) -> None:
    await cti.control("fault", {"kind": "garbage"})
    answer = await cti.call(wire.FUNCTION_LINE_STATUS)
    assert answer.status == 200
    with pytest.raises(ValueError, match=r"."):
        answer.json  # noqa: B018


async def test_drop_then_none(cti: Cti) -> None:
    await cti.control("fault", {"kind": "drop"})
    await assert_no_answer(cti)
    # It arrived but got no answer (aiohttp retries an idempotent GET once).
    assert cti.sim.requests
    assert cti.sim.requests[0]["function"] == "api-get_phone_status"
    await cti.control("fault", {"kind": "none"})
    assert (await cti.ok(wire.FUNCTION_PHONE_STATUS))["body"] == "available"


async def test_offline_until_cleared(cti: Cti) -> None:
    await cti.control("fault", {"kind": "offline"})
    await assert_no_answer(cti)
    with pytest.raises(aiohttp.ClientError):
        await cti.raw(wire.MODEL_DEFINE_PATH)
    assert cti.sim.requests == []  # the phone was not there to see it
    state = await cti.state()
    assert state["online"] is False
    await cti.control("fault", {"kind": "none"})
    assert (await cti.state())["online"] is True
    assert (await cti.ok(wire.FUNCTION_PHONE_STATUS))["body"] == "available"


@pytest.mark.parametrize("simulator_config", [MANUAL_CLOCK])
async def test_offline_for_some_seconds(cti: Cti, simulator: PhoneSimulator) -> None:
    await cti.control("fault", {"kind": "offline", "seconds": 10})
    await assert_no_answer(cti)
    simulator.clock.advance(10)
    assert (await cti.ok(wire.FUNCTION_PHONE_STATUS))["body"] == "available"


async def test_offline_timer_cancelled_on_stop(simulator: PhoneSimulator) -> None:
    simulator.set_fault("offline", 60)  # the fixture's stop must cancel the timer


async def test_bad_fault_is_refused(cti: Cti) -> None:
    for body in (
        {"kind": "meteor"},
        {"kind": "latency", "seconds": "x"},
        {"kind": "latency", "seconds": -1},
        [],
    ):
        async with cti.session.post(f"{cti.sim.url}/sim/fault", json=body) as response:
            assert response.status == 400
    for body in ({"advance": -1}, {"advance": "x"}):
        async with cti.session.post(f"{cti.sim.url}/sim/clock", json=body) as response:
            assert response.status == 400


@pytest.mark.parametrize(
    "simulator_config",
    [SimulatorConfig(reboot_seconds=5, call_connect_delay=0, manual_clock=True)],
)
async def test_reboot_goes_away_and_comes_back_idle(
    cti: Cti, simulator: PhoneSimulator
) -> None:
    simulator.phone.incoming("100")
    await cti.ok(wire.FUNCTION_PHONE_OPERATION, cmd="acceptcall")
    await cti.ok(wire.FUNCTION_MAKE_CALL, phonenumber="200")
    assert (await cti.ok(wire.FUNCTION_SYS_OPERATION, request="REBOOT"))[
        "body"
    ] == "savereboot"
    await assert_no_answer(cti)
    state = await cti.state()  # control API still answers
    assert state["rebooting"] is True
    assert state["online"] is False
    await cti.control("clock", {"advance": 5})
    assert (await cti.state())["online"] is True
    assert await cti.line_states() == ["idle"] * 8
    assert (await cti.ok(wire.FUNCTION_PHONE_STATUS))["body"] == "available"
    assert [str(event.event) for event in simulator.phone.events[-2:]] == [
        "setup_completed",
        "registered",
    ]


@pytest.mark.parametrize("simulator_config", [SimulatorConfig(reboot_seconds=60)])
async def test_reboot_timer_cancelled_on_stop(cti: Cti) -> None:
    await cti.ok(wire.FUNCTION_SYS_OPERATION, request="REBOOT")
    await assert_no_answer(cti)
