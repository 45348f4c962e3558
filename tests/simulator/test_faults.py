"""Transport faults, reboot, and the control API staying up through them."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from custom_components.grandstream_cti.cti import wire
from simulator import PhoneSimulator, SimulatorConfig
from tests.simulator.conftest import Cti


async def assert_no_answer(cti: Cti) -> None:
    with pytest.raises(aiohttp.ClientError):
        await cti.call(wire.FUNCTION_PHONE_STATUS)


async def test_latency(cti: Cti) -> None:
    assert await cti.control("fault", {"kind": "latency", "seconds": 0.2}) == {
        "kind": "latency",
        "seconds": 0.2,
    }
    started = time.monotonic()
    assert (await cti.ok(wire.FUNCTION_PHONE_STATUS))["body"] == "available"
    assert time.monotonic() - started >= 0.19
    started = time.monotonic()
    await cti.state()  # the control API is not delayed
    assert time.monotonic() - started < 0.15


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


async def test_offline_for_some_seconds(cti: Cti) -> None:
    await cti.control("fault", {"kind": "offline", "seconds": 0.1})
    await assert_no_answer(cti)
    await asyncio.sleep(0.2)
    assert (await cti.ok(wire.FUNCTION_PHONE_STATUS))["body"] == "available"


async def test_offline_timer_cancelled_on_stop(simulator: PhoneSimulator) -> None:
    simulator.set_fault("offline", 60)  # the fixture's stop must cancel the timer


async def test_bad_fault_is_refused(cti: Cti) -> None:
    for body in ({"kind": "meteor"}, {"kind": "latency", "seconds": "x"}, []):
        async with cti.session.post(f"{cti.sim.url}/sim/fault", json=body) as response:
            assert response.status == 400


@pytest.mark.parametrize(
    "simulator_config", [SimulatorConfig(reboot_seconds=0.2, call_connect_delay=0)]
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
    await asyncio.sleep(0.3)
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
