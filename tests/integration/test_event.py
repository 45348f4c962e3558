"""The call event entity fires once per line transition, with the caller."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator import PhoneSimulator

from .conftest import collect_call_events, entity_id, phone_device, poll, press


@pytest.fixture(name="fired")
def fired_fixture(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> list[dict[str, Any]]:
    """Collect every call event the entity fires."""
    return collect_call_events(hass)


@pytest.mark.parametrize(("names", "shown"), [(False, ""), (True, "Carol")])
async def test_incoming_answered_ended(
    hass: HomeAssistant,
    simulator: PhoneSimulator,
    fired: list[dict[str, Any]],
    names: bool,
    shown: str,
) -> None:
    """Ring, answer, hang up: three events, each once, with the caller.

    Most firmware shows no name (the number, once connected); some do.
    """
    simulator.quirks.update({"caller_names": names})
    simulator.phone.incoming("+15555550100", "Carol")
    await poll(hass)
    await poll(hass)
    await press(hass, "accept_call")
    await poll(hass)
    simulator.phone.remote_hangup(1)
    await poll(hass)
    await poll(hass)
    caller = {"line": 1, "remote_number": "+15555550100", "remote_name": shown}
    assert fired == [
        {"type": "incoming", **caller},
        {"type": "answered", **caller},
        {"type": "ended", **caller},
    ]


async def test_missed_and_rejected(
    hass: HomeAssistant, simulator: PhoneSimulator, fired: list[dict[str, Any]]
) -> None:
    """The caller giving up is a missed call; our reject is a rejected one."""
    simulator.phone.incoming("100")
    await poll(hass)
    simulator.phone.remote_hangup(1)
    await poll(hass)
    simulator.phone.incoming("101")
    await poll(hass)
    await press(hass, "reject_call")
    assert [(event["type"], event["remote_number"]) for event in fired] == [
        ("incoming", "100"),
        ("missed", "100"),
        ("incoming", "101"),
        ("rejected", "101"),
    ]


async def test_outgoing(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    fired: list[dict[str, Any]],
) -> None:
    """Dialling out fires outgoing, then answered when the far end picks up."""
    await hass.services.async_call(
        "grandstream_cti",
        "make_call",
        {"device_id": phone_device(hass).id, "number": "200"},
        blocking=True,
    )
    simulator.phone.remote_answer(1)
    await poll(hass)
    assert [event["type"] for event in fired] == ["outgoing", "answered"]


async def test_call_in_progress_at_start_fires_nothing(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """A call already ringing when Home Assistant starts is not an event."""
    simulator.phone.incoming("100")
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    await poll(hass)
    assert hass.states.get(entity_id(hass, "event", "call")).state == "unknown"
