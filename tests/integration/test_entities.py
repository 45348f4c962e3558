"""Entities: what a phone shows at rest and during a call (snapshots)."""

from __future__ import annotations

from collections.abc import Iterator
from unittest.mock import PropertyMock, patch

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from simulator import PhoneSimulator

from .conftest import describe_entities, entity_id, poll


@pytest.fixture
def all_entities_enabled() -> Iterator[None]:
    """Create every entity enabled, including those disabled by default."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        return_value=True,
        new_callable=PropertyMock,
    ):
        yield


@pytest.mark.usefixtures("all_entities_enabled")
async def test_entities_at_rest(
    hass: HomeAssistant, init_integration: MockConfigEntry, snapshot: SnapshotAssertion
) -> None:
    """Every entity, its name, category, class and state with the phone idle."""
    assert describe_entities(hass, init_integration.entry_id) == snapshot


async def test_entities_during_a_call(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    snapshot: SnapshotAssertion,
) -> None:
    """A ringing call shows on the status, line and binary sensors."""
    simulator.phone.incoming("+15555550100", "Carol Caller")
    await poll(hass)
    assert describe_entities(hass, init_integration.entry_id) == snapshot


async def test_noisy_entities_disabled_by_default(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Only line 1 is enabled out of the box; the other lines are opt-in."""
    assert hass.states.get(entity_id(hass, "sensor", "line_1_line_state"))
    assert hass.states.get(entity_id(hass, "sensor", "line_2_line_state")) is None


async def test_remote_party(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """The remote party reads "Name (number)" with both as attributes."""
    remote = entity_id(hass, "sensor", "line_1_line_remote")
    assert hass.states.get(remote).state == "unknown"

    simulator.phone.incoming("+15555550100", "Carol Caller")
    await poll(hass)
    state = hass.states.get(remote)
    assert state.state == "Carol Caller (+15555550100)"
    assert state.attributes["remote_number"] == "+15555550100"
    assert state.attributes["remote_name"] == "Carol Caller"

    simulator.phone.remote_hangup(1)
    simulator.phone.incoming("+15555550101")
    await poll(hass)
    assert hass.states.get(remote).state == "+15555550101"


async def test_account_registration_follows_the_phone(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """Registration changes show on the account sensor."""
    account = entity_id(hass, "sensor", "account_1_account_status")
    assert hass.states.get(account).state == "registered"
    simulator.phone.set_registered(1, False)
    # Accounts are read every third poll (push reports them at once).
    for _ in range(3):
        await poll(hass)
    assert hass.states.get(account).state == "not_registered"


async def test_unlisted_states_read_other(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """A state the spec does not list reads "other" and counts as busy."""
    simulator.phone.lines[0].state = "weird"  # type: ignore[assignment]
    await poll(hass)
    assert hass.states.get(entity_id(hass, "sensor", "line_1_line_state")).state == (
        "other"
    )
    assert hass.states.get(entity_id(hass, "binary_sensor", "in_call")).state == "on"
