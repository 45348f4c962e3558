"""Setting up, unloading and reloading a phone; the phone going away and back."""

from __future__ import annotations

import logging

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.grandstream_cti.const import DOMAIN
from simulator import PhoneSimulator, SimulatorConfig

from .conftest import control, entity_id, phone_device, poll


async def test_setup_and_unload(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The phone loads, and unloads cleanly."""
    assert init_integration.state is ConfigEntryState.LOADED
    assert init_integration.runtime_data.coordinator.data.lines

    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.NOT_LOADED


async def test_reload(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """A reload sets the phone up again with the same entities."""
    phone_status = entity_id(hass, "sensor", "phone_status")
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.LOADED
    assert hass.states.get(phone_status).state == "available"


async def test_device_info(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
) -> None:
    """One device per phone with manufacturer, model, firmware and a link."""
    device = phone_device(hass)
    assert (DOMAIN, init_integration.entry_id) in device.identifiers
    assert device.manufacturer == "Grandstream"
    assert device.model == "GRP2614"
    assert device.sw_version == simulator.config.firmware
    assert device.configuration_url == simulator.url
    assert (dr.CONNECTION_NETWORK_MAC, "00:0b:82:12:34:56") in device.connections


async def test_not_ready_when_offline(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """An unreachable phone is retried later, not failed."""
    await control(simulator, "fault", {"kind": "offline", "seconds": 0})
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY


async def test_wrong_passcode_starts_reauth(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """A passcode the phone refuses asks the user for a new one."""
    await control(simulator, "config", {"passcode": "changed"})
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_phone_goes_away_and_comes_back(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Entities go unavailable, one log line each way, and recover."""
    phone_status = entity_id(hass, "sensor", "phone_status")
    await control(simulator, "fault", {"kind": "offline", "seconds": 0})
    caplog.clear()
    with caplog.at_level(logging.INFO):
        await poll(hass)
        await poll(hass)
        await poll(hass)
    assert hass.states.get(phone_status).state == STATE_UNAVAILABLE
    went_away = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(went_away) == 1

    await control(simulator, "fault", {"kind": "none"})
    caplog.clear()
    with caplog.at_level(logging.INFO):
        await poll(hass)
        await poll(hass)
    assert hass.states.get(phone_status).state == "available"
    came_back = [r for r in caplog.records if "recovered" in r.getMessage()]
    assert len(came_back) == 1


@pytest.mark.parametrize("simulator_config", [SimulatorConfig(model="GRP2601")])
async def test_only_lines_and_accounts_the_phone_has(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A two-line phone gets two line sensors; unconfigured accounts get none."""
    registry_ids = {
        entry.unique_id
        for entry in er.async_entries_for_config_entry(
            er.async_get(hass), init_integration.entry_id
        )
    }
    assert {f"{init_integration.entry_id}_line_{n}_line_state" for n in (1, 2)} <= (
        registry_ids
    )
    assert f"{init_integration.entry_id}_line_3_line_state" not in registry_ids
    assert f"{init_integration.entry_id}_account_1_account_status" in registry_ids
    assert f"{init_integration.entry_id}_account_3_account_status" not in registry_ids
