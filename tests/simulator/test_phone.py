"""The state machine alone (no HTTP): transitions and the events it reports."""

from __future__ import annotations

import pytest

from custom_components.grandstream_cti.cti.action_url import ActionUrlEvent as E
from custom_components.grandstream_cti.cti.models import (
    LineState,
    PhoneOperation,
    PhoneStatus,
)
from simulator import MODELS, Phone, PhoneError, SimClock


@pytest.fixture
def clock() -> SimClock:
    return SimClock.manual(100.0)


@pytest.fixture
def phone(clock: SimClock) -> Phone:
    # No event loop: timers fire only when the test advances the clock.
    return Phone(MODELS["GRP2614"], clock=clock, call_connect_delay=0)


def names(phone: Phone) -> list[str]:
    return [str(event.event) for event in phone.events]


def test_incoming_answered_and_ended_events(phone: Phone, clock: SimClock) -> None:
    line = phone.incoming("+15555550100", "Carol")
    assert names(phone) == [E.IDLE_TO_BUSY, E.INCOMING_CALL]
    incoming = phone.events[-1]
    assert incoming.line == line == 1
    assert incoming.variables["remote"] == "+15555550100"
    assert incoming.variables["display_remote"] == "Carol"
    assert incoming.variables["local"] == "1001"
    assert incoming.variables["display_local"] == "Alice"
    assert incoming.variables["active_user"] == "1"
    assert incoming.variables["calldirection"] == "incoming"
    assert incoming.variables["mac"] == "000b82123456"
    assert incoming.variables["product"] == "GRP2614"
    phone.events.clear()
    assert phone.phone_operation(PhoneOperation.ACCEPT_CALL)
    assert names(phone) == [E.OFF_HOOK, E.ESTABLISHED_CALL]
    phone.events.clear()
    clock.advance(42)
    assert phone.end_call()
    assert names(phone) == [E.TERMINATED_CALL, E.ON_HOOK, E.BUSY_TO_IDLE]
    assert phone.events[0].variables["duration"] == "42"
    assert phone.status() == PhoneStatus.AVAILABLE


def test_hold_toggle_events(phone: Phone) -> None:
    phone.incoming("1")
    phone.accept_call()
    phone.events.clear()
    assert phone.hold_call()
    assert phone.lines[0].state is LineState.ONHOLD
    assert phone.hold_call()
    assert phone.lines[0].state is LineState.CONNECTED
    assert names(phone) == [E.HOLD, E.ON_HOOK, E.OFF_HOOK, E.UNHOLD]


def test_reject_and_missed(phone: Phone) -> None:
    phone.incoming("1")
    phone.events.clear()
    assert phone.reject_call()
    assert names(phone) == [E.REJECTED_CALL, E.BUSY_TO_IDLE]
    phone.incoming("2")
    phone.events.clear()
    assert phone.remote_hangup(1)
    assert names(phone) == [E.MISSED_CALL, E.BUSY_TO_IDLE]
    assert not phone.remote_hangup(1)


def test_make_call_and_remote_answer(phone: Phone) -> None:
    assert not phone.make_call("555", account=2)  # configured, not registered
    phone.set_registered(2, True)
    phone.events.clear()
    assert phone.make_call("555", account=2)
    assert phone.lines[0].state is LineState.CALLING
    assert phone.lines[0].account == 2
    assert names(phone) == [E.IDLE_TO_BUSY, E.OFF_HOOK, E.OUTGOING_CALL]
    assert phone.events[-1].variables["calldirection"] == "outgoing"
    assert phone.remote_answer(1)
    assert phone.lines[0].state is LineState.CONNECTED
    # The phone fills the name with the number once connected.
    assert phone.lines[0].remote_name == "555"
    assert phone.lines[0].established_at is not None
    assert not phone.make_call("556", account=3)  # unconfigured
    assert not phone.make_call("", account=1)
    assert not phone.make_call("1", account=0)


def test_make_call_holds_the_connected_call(phone: Phone) -> None:
    phone.incoming("1")
    phone.accept_call()
    assert phone.make_call("2")
    assert [line.state for line in phone.lines[:2]] == [
        LineState.ONHOLD,
        LineState.CALLING,
    ]
    assert phone.active_line == 2
    assert phone.end_call()  # the outgoing call first
    assert phone.lines[1].is_idle
    assert phone.end_call()  # then the held one
    assert phone.lines[0].is_idle


def test_cancel_outgoing(phone: Phone) -> None:
    phone.make_call("1")
    phone.events.clear()
    assert phone.cancel()
    assert names(phone) == [E.TERMINATED_CALL, E.ON_HOOK, E.BUSY_TO_IDLE]
    assert not phone.cancel()


def test_incoming_errors(phone: Phone) -> None:
    with pytest.raises(PhoneError):
        phone.incoming("1", line=9)
    with pytest.raises(PhoneError):
        phone.incoming("1", account=5)
    phone.incoming("1", line=2)
    with pytest.raises(PhoneError, match="not idle"):
        phone.incoming("1", line=2)
    for _ in range(7):
        phone.incoming("x")
    with pytest.raises(PhoneError, match="No idle line"):
        phone.incoming("y")


def test_registration_and_dnd_events(phone: Phone) -> None:
    phone.set_registered(2, True)
    phone.set_registered(2, True)  # no change, no event
    phone.set_registered(1, False)
    with pytest.raises(PhoneError, match="not configured"):
        phone.set_registered(3, True)
    phone.set_dnd(True)
    phone.set_dnd(True)
    phone.set_dnd(False)
    assert names(phone) == [E.REGISTERED, E.UNREGISTERED, E.DND_ON, E.DND_OFF]
    assert phone.events[0].variables["local"] == "1002"
    assert phone.events[0].variables["active_user"] == "2"
    assert phone.events[0].variables["remote"] == ""


def test_keys_speaker_and_mute(phone: Phone) -> None:
    phone.send_keys(["SPEAKER"])
    assert phone.lines[0].state is LineState.DIALING
    phone.send_keys(["SPEAKER"])
    assert phone.lines[0].is_idle
    phone.send_keys(["MUTE"])
    assert phone.muted
    phone.send_keys(["OFFHOOK", "SEND"])  # empty number: nothing sent
    assert phone.lines[0].state is LineState.DIALING


def test_reboot_clears_lines(phone: Phone, clock: SimClock) -> None:
    phone.incoming("1")
    phone.reboot()
    assert phone.rebooting
    assert all(line.is_idle for line in phone.lines)
    phone.events.clear()
    clock.advance(phone.reboot_seconds)
    assert not phone.rebooting
    assert names(phone) == [E.SETUP_COMPLETED, E.REGISTERED]
    phone.finish_reboot()  # again: nothing more
    assert names(phone) == [E.SETUP_COMPLETED, E.REGISTERED]


def test_connect_delay_on_the_clock(clock: SimClock) -> None:
    phone = Phone(MODELS["GRP2601"], clock=clock, call_connect_delay=2)
    assert phone.make_call("5")
    clock.advance(1.5)
    assert phone.lines[0].state is LineState.CALLING
    clock.advance(0.5)
    assert phone.lines[0].state is LineState.CONNECTED
    phone.close()
    assert clock.pending == 0


def test_status_words(phone: Phone) -> None:
    assert phone.status() == "available"
    phone.set_dnd(True)
    assert phone.status() == "available"  # no `dnd` status
    phone.set_registered(1, False)
    assert phone.status() == "unavailable"  # idle, nothing registered
    phone.incoming("1")
    assert phone.status() == "ringing"
    phone.accept_call()
    assert phone.status() == "busy"


def test_handset_battery_and_answered(clock: SimClock) -> None:
    phone = Phone(MODELS["WP826"], clock=clock, handset=True)
    assert phone.battery == 95
    phone.set_battery(50)
    phone.set_battery(15)
    phone.set_battery(10)
    phone.set_battery(16)
    assert names(phone) == [E.BATTERY_LOW, E.BATTERY_OK]
    assert phone.events[0].variables["battery"] == "15"
    with pytest.raises(PhoneError):
        phone.set_battery(101)
    phone.events.clear()
    phone.incoming("1")
    phone.accept_call()
    assert names(phone)[-2:] == [E.ESTABLISHED_CALL, E.ANSWERED]
