"""Polling: what each refresh reads, and backing off while the phone is away."""

from __future__ import annotations

from datetime import timedelta

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator import PhoneSimulator

from .conftest import control, cti_log, entity_id, poll


def _reads(sim: PhoneSimulator) -> list[str]:
    return [function for function, _ in cti_log(sim)]


async def test_quiet_polls_read_the_lines_only(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """Lines every poll; phone status and accounts every third (quiet phone)."""
    simulator.requests.clear()
    for _ in range(6):
        await poll(hass)
    reads = _reads(simulator)
    assert reads.count("api-get_line_status") == 6
    assert reads.count("api-get_phone_status") == 2
    assert reads.count("api-get_accounts") == 2
    assert reads.count("config_get") == 2, reads  # DND, with the accounts


async def test_changed_lines_read_the_phone_status_at_once(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """A call shows on the phone status sensor on the very next poll."""
    await poll(hass)  # a quiet poll: the next one is not a full read
    simulator.requests.clear()
    simulator.phone.incoming("100")
    await poll(hass)
    assert _reads(simulator) == ["api-get_line_status", "api-get_phone_status"]
    assert hass.states.get(entity_id(hass, "sensor", "phone_status")).state == (
        "ringing"
    )


async def test_dnd_shows_with_the_next_full_read(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """Do-not-disturb changes no line: it shows within three polls."""
    simulator.phone.set_dnd(True)
    for _ in range(3):
        await poll(hass)
    assert hass.states.get(entity_id(hass, "sensor", "phone_status")).state == "dnd"


async def test_backs_off_while_the_phone_fails(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """Intervals double up to a minute, with one probe read; success resets."""
    coordinator = init_integration.runtime_data.coordinator
    await control(simulator, "fault", {"kind": "http500"})
    intervals = []
    for _ in range(4):
        await poll(hass)
        intervals.append(coordinator.update_interval)
    assert intervals == [timedelta(seconds=s) for s in (20, 40, 60, 60)]
    assert hass.states.get(entity_id(hass, "sensor", "phone_status")).state == (
        "unavailable"
    )

    # Known down: a failed poll costs one read, not three.
    simulator.requests.clear()
    await poll(hass)
    assert _reads(simulator) == ["api-get_line_status"]

    await control(simulator, "fault", {"kind": "none"})
    simulator.requests.clear()
    await poll(hass)
    assert coordinator.update_interval == timedelta(seconds=10)
    # Back: everything is read again, accounts and DND included.
    assert sorted(set(_reads(simulator))) == [
        "api-get_accounts",
        "api-get_line_status",
        "api-get_phone_status",
        "config_get",
    ]
    assert hass.states.get(entity_id(hass, "sensor", "phone_status")).state == (
        "available"
    )
