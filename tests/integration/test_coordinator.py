"""Polling: what each refresh reads, when, and backing off while the phone is away."""

from __future__ import annotations

from datetime import timedelta

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.grandstream_cti.const import DOMAIN
from custom_components.grandstream_cti.coordinator import GrandstreamCoordinator
from simulator import PhoneSimulator

from .conftest import NO_PUSH, control, cti_log, entity_id, poll

FULL_READ = ["api-get_accounts", "api-get_line_status", "api-get_phone_status"]


def _reads(sim: PhoneSimulator) -> list[str]:
    return [function for function, _ in cti_log(sim)]


@NO_PUSH
async def test_without_push_lines_every_poll_everything_every_third(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
) -> None:
    """Every 10 s the lines; phone status, accounts and DND every third poll."""
    coordinator = init_integration.runtime_data.coordinator
    assert not coordinator.push_trusted
    simulator.requests.clear()
    for _ in range(6):
        await poll(hass)
        assert (
            timedelta(seconds=5) <= coordinator.update_interval < timedelta(seconds=15)
        )
    reads = _reads(simulator)
    assert reads.count("api-get_line_status") == 6
    assert reads.count("api-get_phone_status") == 2
    assert reads.count("api-get_accounts") == 2
    assert reads.count("config_get") == 2, reads  # DND, with the accounts


async def test_with_push_a_heartbeat(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """Push set up (URLs written and read back): the lines at a heartbeat.

    Everything is read every 10th heartbeat: well under two requests a minute.
    """
    coordinator = init_integration.runtime_data.coordinator
    assert init_integration.runtime_data.push.slots
    assert coordinator.push_trusted
    simulator.requests.clear()
    for _ in range(10):
        await poll(hass)
        assert (
            timedelta(seconds=25) <= coordinator.update_interval < timedelta(seconds=75)
        )
    reads = _reads(simulator)
    assert reads.count("api-get_line_status") == 10
    assert reads.count("api-get_accounts") == 1
    assert len(reads) <= 10 + 4


async def test_polls_keep_each_phones_slot(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """After a restart phones read at their own stable offset, not all at once.

    A read less than half an interval before the slot (a push's) is followed
    by one half an interval later, never by a wait past the interval.
    """
    coordinator = init_integration.runtime_data.coordinator
    period = 50 if coordinator.push_trusted else 10
    schedule = coordinator.schedule
    # The slot three quarters of an interval away: the next reads go there.
    schedule.slot = ((dt_util.utcnow().timestamp() + 0.75 * period) / period) % 1
    slots = set()
    for _ in range(3):
        await poll(hass)
        due = dt_util.utcnow() + coordinator.update_interval
        slots.add(round(due.timestamp() % period, 1) % period)
    assert len(slots) == 1
    assert abs(slots.pop() - schedule.slot * period) < 0.5
    # The slot a quarter of an interval away: too soon; half an interval.
    schedule.slot = ((dt_util.utcnow().timestamp() + 0.25 * period) / period) % 1
    await poll(hass)
    assert coordinator.update_interval.total_seconds() == period / 2
    # Another phone (another entry id) has its own slot.
    other = GrandstreamCoordinator(
        hass, MockConfigEntry(domain=DOMAIN, entry_id="other"), coordinator.client
    )
    assert 0 <= other.schedule.slot < 1
    assert other.schedule.slot != coordinator.schedule.slot


async def test_a_call_costs_one_request(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """A call shows on the phone status sensor from the line read alone."""
    await poll(hass)
    simulator.requests.clear()
    simulator.phone.incoming("100")
    await poll(hass)
    assert _reads(simulator) == ["api-get_line_status"]
    status = entity_id(hass, "sensor", "phone_status")
    assert hass.states.get(status).state == "ringing"
    simulator.phone.remote_hangup(1)
    await poll(hass)
    assert hass.states.get(status).state == "available"


@NO_PUSH
async def test_dnd_shows_with_the_next_full_read(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
) -> None:
    """Do-not-disturb changes no line: it shows within three polls."""
    simulator.phone.set_dnd(True)
    for _ in range(3):
        await poll(hass)
    assert hass.states.get(entity_id(hass, "sensor", "phone_status")).state == "dnd"


@NO_PUSH
async def test_backs_off_while_the_phone_fails(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
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
    assert coordinator.update_interval < timedelta(seconds=15)
    # Back: everything is read again, accounts and DND included.
    assert sorted(set(_reads(simulator))) == sorted([*FULL_READ, "config_get"])
    assert hass.states.get(entity_id(hass, "sensor", "phone_status")).state == (
        "available"
    )
