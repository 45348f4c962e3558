"""Automatic push: the entry's Action URLs in the phone's own slots."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.grandstream_cti.const import CONF_AUTO_PUSH, CONF_PUSH, DOMAIN
from custom_components.grandstream_cti.push import HANDED_OUT_FIELDS
from simulator import PhoneSimulator, SimulatorConfig

from .conftest import ENTRY_ID, WEBHOOK_ID

TAKEN_ISSUE = f"action_url_slots_taken_{ENTRY_ID}"
FAILED_ISSUE = f"push_setup_failed_{ENTRY_ID}"
FOREIGN = "http://crm.example/phone?e=incoming&n=$remote"


def _slots(simulator: PhoneSimulator) -> dict[str, str]:
    """Return the slots we hand out that this phone has (a key with an alias)."""
    return {
        field: simulator.store.value(field)
        for field in HANDED_OUT_FIELDS
        if simulator.store.read(field)[0]
    }


async def _set_up(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_written_read_back_and_cleared(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """Every slot gets this entry's URL; removing the entry empties them."""
    await _set_up(hass, mock_config_entry)
    slots = _slots(simulator)
    assert all(f"/api/webhook/{WEBHOOK_ID}?" in url for url in slots.values())
    assert all(len(url) <= 256 for url in slots.values())
    assert mock_config_entry.runtime_data.push.slots == slots

    # A reload writes nothing again: each write is a flash write.
    simulator.requests.clear()
    await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert "config_update" not in {r["function"] for r in simulator.requests}

    await hass.config_entries.async_remove(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert set(_slots(simulator).values()) == {""}
    assert simulator.tripwires == []


async def test_a_foreign_slot_is_left_alone(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    simulator: PhoneSimulator,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A slot another system uses keeps its URL and is named in an issue."""
    simulator.store.write("8310", FOREIGN, "admin")
    await _set_up(hass, mock_config_entry)
    assert simulator.store.value("8310") == FOREIGN
    assert f"/api/webhook/{WEBHOOK_ID}?" in simulator.store.value("8312")
    issue = issue_registry.async_get_issue(DOMAIN, TAKEN_ISSUE)
    assert issue is not None
    assert issue.translation_placeholders["slots"] == "P8310"

    await hass.config_entries.async_remove(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert simulator.store.value("8310") == FOREIGN
    assert simulator.store.value("8312") == ""


async def test_urls_the_phone_does_not_keep(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    simulator: PhoneSimulator,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Too long for the phone: it answers success but keeps nothing; we say so."""
    long_host = "home-assistant." + "x" * 120 + ".example"
    await async_process_ha_core_config(
        hass, {"internal_url": f"http://{long_host}:8123"}
    )
    await _set_up(hass, mock_config_entry)
    assert set(_slots(simulator).values()) == {""}
    issue = issue_registry.async_get_issue(DOMAIN, FAILED_ISSUE)
    assert issue is not None
    assert long_host in issue.translation_placeholders["urls"]


async def test_option_off_writes_nothing(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """With automatic push off, the phone's slots are the user's business."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, options={CONF_PUSH: True, CONF_AUTO_PUSH: False}
    )
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert set(_slots(simulator).values()) == {""}


async def test_a_new_local_url_goes_into_the_phone(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """Changing Home Assistant's local URL rewrites the phone's slots at once."""
    await _set_up(hass, mock_config_entry)
    assert "127.0.0.1:9/" in simulator.store.value("8310")
    # As Settings → System → Network does it.
    await hass.config.async_update(internal_url="http://127.0.0.1:8124")
    await hass.async_block_till_done(wait_background_tasks=True)
    assert all("127.0.0.1:8124/" in url for url in _slots(simulator).values())


class TestUserAccount:
    """The `user` role may write event URL slots (seen on WP826)."""

    @pytest.fixture
    def simulator_config(self) -> SimulatorConfig:
        return SimulatorConfig(profile="wp826")

    async def test_battery_events_too(
        self,
        hass: HomeAssistant,
        mock_config_entry: MockConfigEntry,
        simulator: PhoneSimulator,
    ) -> None:
        """A handset with a battery also reports it going low or OK."""
        await _set_up(hass, mock_config_entry)
        assert f"/api/webhook/{WEBHOOK_ID}?event=battery_low" in (
            simulator.store.value("22568")
        )
        assert "battery_ok" in simulator.store.value("22570")

    async def test_user_writes_the_slots(
        self,
        hass: HomeAssistant,
        mock_config_entry: MockConfigEntry,
        simulator: PhoneSimulator,
    ) -> None:
        mock_config_entry.add_to_hass(hass)
        hass.config_entries.async_update_entry(
            mock_config_entry,
            data={
                **mock_config_entry.data,
                CONF_USERNAME: "user",
                CONF_PASSWORD: "123",
            },
        )
        await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)
        # The battery is admin-only: no battery events for the user account.
        slots = _slots(simulator)
        assert slots.pop("P22568") == slots.pop("P22570") == ""
        assert all(f"/api/webhook/{WEBHOOK_ID}?" in url for url in slots.values())


class TestPasscodePhone:
    """Without a session nothing can be written: the user pastes the URLs."""

    @pytest.fixture
    def simulator_config(self) -> SimulatorConfig:
        return SimulatorConfig(session_api=False)

    async def test_nothing_written(
        self,
        hass: HomeAssistant,
        mock_config_entry: MockConfigEntry,
        simulator: PhoneSimulator,
    ) -> None:
        await _set_up(hass, mock_config_entry)
        assert mock_config_entry.runtime_data.push.slots == {}
        await hass.config_entries.async_remove(mock_config_entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)
        assert "config_update" not in {r["function"] for r in simulator.requests}


async def test_removal_with_a_rejected_password_sends_nothing(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """Clearing the slots never costs a login attempt with a rejected password."""
    await _set_up(hass, mock_config_entry)
    simulator.update_config({"passcode": "new"})
    simulator.sessions.expire_all()
    await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert mock_config_entry.state is ConfigEntryState.SETUP_ERROR
    tries = len(simulator.password_requests)
    await hass.config_entries.async_remove(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len(simulator.password_requests) == tries
