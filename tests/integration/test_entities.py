"""Entities: what a phone shows at rest and during a call (snapshots)."""

from __future__ import annotations

from collections.abc import Iterator
from unittest.mock import PropertyMock, patch

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from simulator import PhoneSimulator, SimulatorConfig

from .conftest import NO_PUSH, describe_entities, entity_id, poll


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
    """The remote party shows the number once, the name only when it is one.

    Real firmware sends no name while ringing and copies the number into the
    name once connected; an idle line reads empty, not like an unknown caller.
    """
    remote = entity_id(hass, "sensor", "line_1_line_remote")
    assert hass.states.get(remote).state == ""

    line = simulator.phone.incoming("+15555550100", "Carol Caller")
    await poll(hass)
    state = hass.states.get(remote)
    assert state.state == "+15555550100"
    assert state.attributes == {
        "friendly_name": state.attributes["friendly_name"],
        "remote_number": "+15555550100",
        "remote_name": "",
    }
    simulator.phone.accept_call()
    await poll(hass)
    state = hass.states.get(remote)
    # Never "+15555550100 (+15555550100)".
    assert state.state == "+15555550100"
    assert state.attributes["remote_name"] == ""

    simulator.phone.remote_hangup(line)
    await poll(hass)
    assert hass.states.get(remote).state == ""


async def test_remote_party_with_names(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """Firmware that shows the caller's name: "Name (number)"."""
    simulator.quirks.update({"caller_names": True})
    simulator.phone.incoming("+15555550100", "Carol Caller")
    await poll(hass)
    state = hass.states.get(entity_id(hass, "sensor", "line_1_line_remote"))
    assert state.state == "Carol Caller (+15555550100)"
    assert state.attributes["remote_name"] == "Carol Caller"


@NO_PUSH
async def test_phone_status_shapes(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """`unavailable` (no account registered) and `connected` (busy) read right."""
    status = entity_id(hass, "sensor", "phone_status")
    simulator.phone.set_registered(1, False)
    for _ in range(3):
        await poll(hass)
    assert hass.states.get(status).state == "not_registered"

    simulator.phone.set_registered(1, True)
    simulator.quirks.update({"status_connected": True})
    line = simulator.phone.incoming("100")
    simulator.phone.accept_call()
    await poll(hass)
    assert hass.states.get(status).state == "busy"
    simulator.phone.remote_hangup(line)


async def test_idle_lines_have_no_account(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Real phones send "acct": 0 on idle lines: no account is read from it."""
    lines = init_integration.runtime_data.coordinator.data.lines
    assert {line.account for line in lines} == {None}


@NO_PUSH
async def test_dnd_switch(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """DND is read with the phone's data and written, read back, then read."""
    dnd = entity_id(hass, "switch", "dnd")
    assert hass.states.get(dnd).state == "off"
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": dnd}, blocking=True
    )
    assert simulator.phone.dnd is True
    assert hass.states.get(dnd).state == "on"
    assert hass.states.get(entity_id(hass, "sensor", "phone_status")).state == "dnd"
    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": dnd}, blocking=True
    )
    assert simulator.phone.dnd is False
    assert hass.states.get(dnd).state == "off"
    # Toggled on the phone: shows on the next full read (or at once with push).
    simulator.phone.set_dnd(True)
    for _ in range(3):
        await poll(hass)
    assert hass.states.get(dnd).state == "on"


class TestPasscodePhone:
    """A phone without the session API has no DND switch."""

    @pytest.fixture
    def simulator_config(self) -> SimulatorConfig:
        return SimulatorConfig(session_api=False)

    async def test_no_dnd_switch(
        self, hass: HomeAssistant, init_integration: MockConfigEntry
    ) -> None:
        assert not [
            entry
            for entry in er.async_entries_for_config_entry(
                er.async_get(hass), init_integration.entry_id
            )
            if entry.domain == "switch"
        ]


class TestWifiHandset:
    """A WP826: battery (admin only) and Wi-Fi signal."""

    @pytest.fixture
    def simulator_config(self) -> SimulatorConfig:
        return SimulatorConfig(profile="wp826")

    @NO_PUSH
    async def test_battery_and_signal(
        self,
        hass: HomeAssistant,
        init_integration: MockConfigEntry,
        simulator: PhoneSimulator,
        snapshot: SnapshotAssertion,
    ) -> None:
        assert init_integration.state is ConfigEntryState.LOADED
        assert describe_entities(hass, init_integration.entry_id) == snapshot
        simulator.phone.battery = 42
        for _ in range(3):
            await poll(hass)
        assert hass.states.get(entity_id(hass, "sensor", "battery")).state == "42"

    async def test_user_account_has_no_battery(
        self, hass: HomeAssistant, mock_config_entry: MockConfigEntry
    ) -> None:
        """The `user` role may not read the battery: no battery sensor."""
        mock_config_entry.add_to_hass(hass)
        hass.config_entries.async_update_entry(
            mock_config_entry,
            data={**mock_config_entry.data, "username": "user", "password": "123"},
        )
        await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)
        assert mock_config_entry.state is ConfigEntryState.LOADED
        registry = er.async_get(hass)
        keys = {
            entry.unique_id.removeprefix(f"{mock_config_entry.entry_id}_")
            for entry in er.async_entries_for_config_entry(
                registry, mock_config_entry.entry_id
            )
        }
        assert "battery" not in keys
        assert {"wifi_signal", "dnd"} <= keys


@NO_PUSH
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
