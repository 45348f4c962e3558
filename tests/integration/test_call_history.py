"""Call history: the last caller and missed calls, fed by the call events."""

from __future__ import annotations

from homeassistant.core import HomeAssistant, State
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    mock_restore_cache,
    mock_restore_cache_with_extra_data,
)

from custom_components.grandstream_cti.cti import CallEvent, CallEventType, CallHistory
from simulator import PhoneSimulator

from .conftest import control, entity_id, poll, press

LAST_CALLER = "sensor.grp2614_alice_last_caller"
MISSED_CALLS = "sensor.grp2614_alice_missed_calls"


async def test_last_caller_and_missed_calls(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """Ring and answer, ring and miss: the sensors follow, the button resets."""
    last_caller = entity_id(hass, "sensor", "last_caller")
    missed = entity_id(hass, "sensor", "missed_calls")
    assert hass.states.get(last_caller).state == "unknown"
    assert hass.states.get(missed).state == "0"

    line = simulator.phone.incoming("+15555550100")
    await poll(hass)
    state = hass.states.get(last_caller)
    assert state.state == "+15555550100"
    assert state.attributes["remote_number"] == "+15555550100"
    assert state.attributes["remote_name"] == ""
    assert state.attributes["line"] == line
    assert state.attributes["answered"] is False
    assert dt_util.parse_datetime(state.attributes["started"]) is not None
    await press(hass, "accept_call")
    assert hass.states.get(last_caller).attributes["answered"] is True
    simulator.phone.remote_hangup(line)
    await poll(hass)
    assert hass.states.get(missed).state == "0"

    simulator.quirks.update({"caller_names": True})
    line = simulator.phone.incoming("+15555550199", "Dave")
    await poll(hass)
    simulator.phone.remote_hangup(line)
    await poll(hass)
    state = hass.states.get(last_caller)
    assert state.state == "Dave (+15555550199)"
    assert state.attributes["answered"] is False
    assert hass.states.get(missed).state == "1"
    assert hass.states.get(missed).attributes["state_class"] == "total"

    await press(hass, "reset_missed_calls")
    state = hass.states.get(missed)
    assert state.state == "0"
    assert state.attributes["last_reset"] is not None


async def test_history_stays_while_the_phone_is_away(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """History is known without the phone; so is resetting it."""
    await control(simulator, "fault", {"kind": "offline"})
    await poll(hass)
    assert hass.states.get(entity_id(hass, "sensor", "phone_status")).state == (
        "unavailable"
    )
    assert hass.states.get(entity_id(hass, "sensor", "missed_calls")).state == "0"
    await press(hass, "reset_missed_calls")


async def test_restored_after_a_restart(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """What the sensors showed comes back after a restart."""
    started = "2026-11-29T08:15:00+00:00"
    caller = State(
        LAST_CALLER,
        "Carol (+15555550100)",
        {
            "remote_number": "+15555550100",
            "remote_name": "Carol",
            "line": 2,
            "answered": True,
            "started": started,
        },
    )
    missed = State(MISSED_CALLS, "3", {"last_reset": "2026-11-01T00:00:00+00:00"})
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                caller,
                {"native_value": caller.state, "native_unit_of_measurement": None},
            ),
            (missed, {"native_value": 3, "native_unit_of_measurement": None}),
        ],
    )
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    state = hass.states.get(LAST_CALLER)
    assert state.state == "Carol (+15555550100)"
    assert state.attributes["started"] == started
    assert state.attributes["answered"] is True
    missed = hass.states.get(MISSED_CALLS)
    assert missed.state == "3"
    assert missed.attributes["last_reset"] == "2026-11-01T00:00:00+00:00"


async def test_unusable_restored_state_is_ignored(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """A restored state without the caller's details starts empty."""
    mock_restore_cache(hass, [State(LAST_CALLER, "someone", {"line": "x"})])
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get(LAST_CALLER).state == "unknown"


def test_two_calls_ringing_both_counted() -> None:
    """Two callers ring at once and both give up: two missed calls."""
    history = CallHistory()
    history.handle(CallEvent(CallEventType.INCOMING, 1, "100", ""))
    history.handle(CallEvent(CallEventType.INCOMING, 2, "200", ""))
    history.handle(CallEvent(CallEventType.MISSED, 1, "100", ""))
    history.handle(CallEvent(CallEventType.MISSED, 2, "200", ""))
    assert history.missed == 2
    assert history.last_caller is not None
    assert history.last_caller.remote_number == "200"
    # An outgoing call's answer does not touch the last caller.
    history.handle(CallEvent(CallEventType.OUTGOING, 3, "300", ""))
    history.handle(CallEvent(CallEventType.ANSWERED, 3, "300", ""))
    assert history.last_caller.answered is False
