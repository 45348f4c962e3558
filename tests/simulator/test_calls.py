"""Call lifecycles driven over HTTP, and send_key effects."""

from __future__ import annotations

import pytest

from custom_components.grandstream_cti.cti import wire
from simulator import PhoneSimulator, SimulatorConfig
from tests.simulator.conftest import Cti

OP = wire.FUNCTION_PHONE_OPERATION
ACCEPTED = {"response": "success", "body": True}
REFUSED = {"response": "error", "body": False}
# The connect delay runs on the simulator clock: tests advance it.
DELAYED = SimulatorConfig(call_connect_delay=2.0, manual_clock=True)
MANUAL = SimulatorConfig(call_connect_delay=0)


async def line(cti: Cti, number: int = 1) -> dict[str, object]:
    body: list[dict[str, object]] = (await cti.ok(wire.FUNCTION_LINE_STATUS))["body"]
    return body[number - 1]


async def test_incoming_accept_hold_resume_end(cti: Cti) -> None:
    assert await cti.control(
        "incoming", {"number": "+15555550100", "name": "Carol"}
    ) == {"line": 1}
    ringing = await line(cti)
    assert ringing == {
        "line": 1,
        "conf": 0,
        "state": "ringing",
        "acct": 0,  # account 1, 0-based
        "active": 0,
        "remotename": "",  # empty while ringing
        "remotenumber": "+15555550100",
    }
    assert await cti.ok(OP, cmd="acceptcall") == ACCEPTED
    connected = await line(cti)
    assert connected["state"] == "connected"
    assert connected["remotename"] == "+15555550100"  # the number, not Carol
    assert connected["active"] == 0
    assert await cti.ok(OP, cmd="holdcall") == ACCEPTED
    assert (await line(cti))["state"] == "onhold"
    assert await cti.ok(OP, cmd="holdcall") == ACCEPTED
    assert (await line(cti))["state"] == "connected"
    assert await cti.ok(OP, cmd="endcall") == ACCEPTED
    assert (await line(cti))["state"] == "idle"
    assert await cti.ok(OP, cmd="endcall") == REFUSED


async def test_reject_and_cancel_ringing(cti: Cti) -> None:
    await cti.control("incoming", {"number": "200"})
    assert await cti.ok(OP, cmd="rejectcall") == ACCEPTED
    assert (await line(cti))["state"] == "idle"
    await cti.control("incoming", {"number": "201"})
    assert await cti.ok(OP, cmd="cancel") == ACCEPTED
    assert (await line(cti))["state"] == "idle"
    assert await cti.ok(OP, cmd="rejectcall") == REFUSED


async def test_accept_second_call_holds_the_first(
    cti: Cti, simulator: PhoneSimulator
) -> None:
    simulator.phone.incoming("300")
    await cti.ok(OP, cmd="acceptcall")
    assert await cti.control("incoming", {"number": "301", "line": 3}) == {"line": 3}
    assert await cti.line_states() == ["connected", "idle", "ringing"] + ["idle"] * 5
    await cti.ok(OP, cmd="acceptcall")
    states = await cti.line_states()
    assert states[:3] == ["onhold", "idle", "connected"]
    assert cti.sim.phone.active_line == 3
    assert (await line(cti, 3))["active"] == 0  # real firmware: always 0


@pytest.mark.parametrize("simulator_config", [MANUAL])
async def test_cancel_outgoing_call(cti: Cti) -> None:
    assert await cti.ok(wire.FUNCTION_MAKE_CALL, phonenumber="400") == ACCEPTED
    assert (await line(cti))["state"] == "calling"
    assert await cti.ok(OP, cmd="cancel") == ACCEPTED
    assert (await line(cti))["state"] == "idle"


@pytest.mark.parametrize("simulator_config", [DELAYED])
async def test_make_call_connects_after_delay(
    cti: Cti, simulator: PhoneSimulator
) -> None:
    simulator.phone.set_registered(2, True)
    await cti.ok(wire.FUNCTION_MAKE_CALL, phonenumber="+15555550199", account="1")
    calling = await line(cti)
    assert calling["state"] == "calling"
    assert calling["remotename"] == ""
    assert calling["acct"] == 1  # account 2, 0-based
    simulator.clock.advance(1.9)
    assert (await line(cti))["state"] == "calling"
    simulator.clock.advance(0.1)
    connected = await line(cti)
    assert connected["state"] == "connected"
    assert connected["remotenumber"] == "+15555550199"
    assert connected["remotename"] == "+15555550199"


@pytest.mark.parametrize("simulator_config", [DELAYED])
async def test_connect_timer_of_an_ended_call_does_nothing(
    cti: Cti, simulator: PhoneSimulator
) -> None:
    await cti.ok(wire.FUNCTION_MAKE_CALL, phonenumber="1")
    await cti.ok(OP, cmd="endcall")
    simulator.clock.advance(5)
    assert await cti.line_states() == ["idle"] * 8


@pytest.mark.parametrize("simulator_config", [MANUAL])
async def test_make_call_connects_on_remote_answer(cti: Cti) -> None:
    await cti.ok(wire.FUNCTION_MAKE_CALL, phonenumber="500")
    cti.sim.clock.advance(3600)  # no delay: only the far end connects it
    assert (await line(cti))["state"] == "calling"
    assert await cti.control("remote_answer", {"line": 1}) == {"ok": True}
    assert (await line(cti))["state"] == "connected"
    assert await cti.control("remote_answer", {"line": 1}) == {"ok": False}
    assert await cti.control("remote_hangup", {"line": 1}) == {"ok": True}
    assert (await line(cti))["state"] == "idle"


async def test_remote_hangup_while_ringing_is_missed(
    cti: Cti, simulator: PhoneSimulator
) -> None:
    await cti.control("incoming", {"number": "600"})
    await cti.control("remote_hangup", {"line": 1})
    assert (await line(cti))["state"] == "idle"
    assert "missed_call" in [event.event for event in simulator.phone.events]


async def test_send_key_dial_and_send(cti: Cti) -> None:
    complete = {"response": "success", "body": "complete"}
    assert await cti.ok(wire.FUNCTION_SEND_KEY, keys="OFFHOOK") == complete
    assert (await line(cti))["state"] == "dialing"
    assert await cti.ok(wire.FUNCTION_SEND_KEY, keys="1:2:STAR:#") == complete
    dialing = await line(cti)
    assert dialing["remotenumber"] == "12*#"
    assert dialing["state"] == "dialing"
    await cti.ok(wire.FUNCTION_SEND_KEY, keys="SEND")
    assert (await line(cti))["state"] == "calling"
    await cti.ok(wire.FUNCTION_SEND_KEY, keys="ONHOOK")
    assert (await line(cti))["state"] == "idle"


async def test_send_key_on_hook_dialing_in_one_request(cti: Cti) -> None:
    await cti.ok(wire.FUNCTION_SEND_KEY, keys="5:5:5:SEND")
    calling = await line(cti)
    assert calling["state"] == "calling"
    assert calling["remotenumber"] == "555"


async def test_send_key_answers_and_hangs_up(
    cti: Cti, simulator: PhoneSimulator
) -> None:
    simulator.phone.incoming("700")
    await cti.ok(wire.FUNCTION_SEND_KEY, keys="OFFHOOK")
    assert (await line(cti))["state"] == "connected"
    await cti.ok(wire.FUNCTION_SEND_KEY, keys="1:2:3")  # DTMF: nothing changes
    connected = await line(cti)
    assert connected["state"] == "connected"
    assert connected["remotenumber"] == "700"
    await cti.ok(wire.FUNCTION_SEND_KEY, keys="HOLD")
    assert (await line(cti))["state"] == "onhold"
    await cti.ok(wire.FUNCTION_SEND_KEY, keys="HOLD")
    assert (await line(cti))["state"] == "connected"
    await cti.ok(wire.FUNCTION_SEND_KEY, keys="ONHOOK")
    assert (await line(cti))["state"] == "idle"
    simulator.phone.incoming("701")
    await cti.ok(wire.FUNCTION_SEND_KEY, keys="ONHOOK")  # rejects
    assert (await line(cti))["state"] == "idle"


async def test_send_key_unknown_key_changes_nothing(cti: Cti) -> None:
    unknown = {"response": "error", "body": "unknown"}
    assert await cti.ok(wire.FUNCTION_SEND_KEY, keys="1:BOGUS") == unknown
    assert await cti.ok(wire.FUNCTION_SEND_KEY, keys="") == unknown
    assert await cti.ok(wire.FUNCTION_SEND_KEY) == unknown
    assert await cti.line_states() == ["idle"] * 8
    ok = {"response": "success", "body": "complete"}
    assert await cti.ok(wire.FUNCTION_SEND_KEY, keys="MPK3:SOFT1:UP:VUP") == ok
    assert await cti.line_states() == ["idle"] * 8


async def test_hash_travels_as_percent_23(cti: Cti) -> None:
    answer = await cti.raw(
        f"/cgi-bin/{wire.FUNCTION_SEND_KEY}?passcode=admin&keys=OFFHOOK:9:%23"
    )
    assert answer.json["body"] == "complete"
    assert (await line(cti))["remotenumber"] == "9#"
    assert cti.sim.requests[-2]["params"] == {"keys": "OFFHOOK:9:#"}
