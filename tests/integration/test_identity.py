"""A phone is its MAC, never its address; a MAC someone else claims is a hint."""

from __future__ import annotations

from unittest.mock import patch

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SCAN_INTERVAL,
    CONF_SSL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
    CONF_WEBHOOK_ID,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.grandstream_cti.const import CONF_MAC_SOURCE, DOMAIN
from simulator import PhoneSimulator, SimulatorConfig

from .conftest import MAC, WEBHOOK_ID, phone_device, poll

GETMAC = "custom_components.grandstream_cti.identity.get_mac_address"
OTHER_MAC = "00:0b:82:aa:bb:cc"


def _unkeyed(entry: MockConfigEntry, hass: HomeAssistant) -> MockConfigEntry:
    """Add the entry without a unique id (as for a phone that tells no MAC)."""
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry,
        unique_id=None,
        data={k: v for k, v in entry.data.items() if k != CONF_MAC_SOURCE},
    )
    return entry


async def _set_up(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_session_phone_tells_its_mac(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """An unkeyed entry learns the MAC the phone's login answer tells."""
    entry = _unkeyed(mock_config_entry, hass)
    await _set_up(hass, entry)
    assert entry.unique_id == MAC
    assert entry.data[CONF_MAC_SOURCE] == "phone"
    assert (dr.CONNECTION_NETWORK_MAC, MAC) in phone_device(hass).connections


class TestPasscodePhone:
    """A passcode-only phone tells no MAC: the neighbour table may."""

    @pytest.fixture
    def simulator_config(self) -> SimulatorConfig:
        return SimulatorConfig(session_api=False)

    async def test_no_mac_no_unique_id(
        self, hass: HomeAssistant, mock_config_entry: MockConfigEntry
    ) -> None:
        """Loopback's table entry is the zero MAC: no MAC, so no unique id."""
        entry = _unkeyed(mock_config_entry, hass)
        await _set_up(hass, entry)
        assert entry.state is ConfigEntryState.LOADED
        assert entry.unique_id is None
        device = phone_device(hass)
        assert device.connections == set()
        # Nothing invented: the model comes from model.define.js.
        assert device.model == "GRP2614"

    @pytest.mark.parametrize(
        ("seen", "expected"),
        [
            ("00:0B:82:AA:BB:CC", OTHER_MAC),
            # A router's MAC (not a Grandstream prefix) is not the phone's.
            ("52:54:00:12:34:56", None),
            ("00:00:00:00:00:00", None),
            (None, None),
        ],
    )
    async def test_mac_from_the_neighbour_table(
        self,
        hass: HomeAssistant,
        mock_config_entry: MockConfigEntry,
        seen: str | None,
        expected: str | None,
    ) -> None:
        entry = _unkeyed(mock_config_entry, hass)
        with patch(GETMAC, return_value=seen):
            await _set_up(hass, entry)
        assert entry.unique_id == expected
        if expected:
            assert entry.data[CONF_MAC_SOURCE] == "arp"

    async def test_push_mac_is_no_identity(
        self,
        hass: HomeAssistant,
        mock_config_entry: MockConfigEntry,
        simulator: PhoneSimulator,
        hass_client_no_auth: ClientSessionGenerator,
    ) -> None:
        """A push's MAC never keys an entry: anyone can send it."""
        assert await async_setup_component(hass, "webhook", {})
        entry = _unkeyed(mock_config_entry, hass)
        await _set_up(hass, entry)
        client = await hass_client_no_auth()
        await client.get(
            f"/api/webhook/{WEBHOOK_ID}?event=registered&mac={OTHER_MAC.replace(':', '')}"
        )
        await hass.async_block_till_done(wait_background_tasks=True)
        assert entry.unique_id is None
        assert CONF_MAC_SOURCE not in entry.data
        assert phone_device(hass).connections == set()


async def test_a_push_naming_another_phone_is_dropped(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    simulator: PhoneSimulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A push naming another MAC neither re-keys the entry nor makes it read."""
    assert await async_setup_component(hass, "webhook", {})
    mock_config_entry.add_to_hass(hass)
    await _set_up(hass, mock_config_entry)
    requests = len(simulator.requests)
    client = await hass_client_no_auth()
    await client.get(f"/api/webhook/{WEBHOOK_ID}?event=registered&mac=000b82aabbcc")
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len(simulator.requests) == requests
    assert mock_config_entry.unique_id == MAC
    assert mock_config_entry.data[CONF_MAC_SOURCE] == "phone"


async def test_another_phone_at_the_address(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """A different phone answering at a known phone's address is refused.

    Its login tells another MAC: the session it gave is ended, nothing more
    is sent, and the user is told which phone answers there.
    """
    simulator.phone.mac = OTHER_MAC.upper()
    mock_config_entry.add_to_hass(hass)
    await _set_up(hass, mock_config_entry)
    assert mock_config_entry.state is ConfigEntryState.SETUP_ERROR
    assert mock_config_entry.error_reason_translation_key == "wrong_device"
    assert mock_config_entry.unique_id == MAC
    assert len(simulator.password_requests) == 1
    assert not simulator.sessions.sessions
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"wrong_device_{mock_config_entry.entry_id}"
    )
    assert issue is not None
    assert issue.translation_placeholders["mac"] == OTHER_MAC


async def test_the_network_shows_another_phone(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """The neighbour table shows another phone's MAC at the address: no password."""
    mock_config_entry.add_to_hass(hass)
    with patch(GETMAC, return_value=OTHER_MAC):
        await _set_up(hass, mock_config_entry)
    assert mock_config_entry.state is ConfigEntryState.SETUP_ERROR
    assert mock_config_entry.error_reason_translation_key == "wrong_device"
    assert simulator.password_requests == []


async def test_firmware_follows_the_phone(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """New firmware (after a restart, say) shows on the device."""
    assert phone_device(hass).sw_version == simulator.phone.firmware
    simulator.phone.firmware = "1.0.99.1"
    simulator.sessions.expire_all()
    await poll(hass)
    assert phone_device(hass).sw_version == "1.0.99.1"


async def test_migration_from_1_1(
    hass: HomeAssistant, simulator: PhoneSimulator
) -> None:
    """Old entries get a webhook, a username, no host unique id, no interval."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        version=1,
        minor_version=1,
        unique_id="127.0.0.1",
        data={
            CONF_HOST: " [127.0.0.1] ",
            CONF_PORT: simulator.port,
            CONF_SSL: False,
            CONF_VERIFY_SSL: False,
            CONF_PASSWORD: "admin",
        },
        options={CONF_SCAN_INTERVAL: 5, "push": True},
    )
    entry.add_to_hass(hass)
    await _set_up(hass, entry)
    assert entry.state is ConfigEntryState.LOADED
    assert entry.minor_version == 3
    assert entry.data[CONF_HOST] == "127.0.0.1"
    assert entry.data[CONF_USERNAME] == "admin"
    assert len(entry.data[CONF_WEBHOOK_ID]) > 20
    assert entry.options == {"push": True}
    # The host is not an identity; the phone then told its MAC.
    assert entry.unique_id == MAC
    assert entry.data[CONF_MAC_SOURCE] == "phone"


async def test_migration_keeps_an_old_mac_as_a_hint(
    hass: HomeAssistant, simulator: PhoneSimulator
) -> None:
    """An old MAC unique id is confirmed by the phone at the next setup."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        version=1,
        minor_version=1,
        unique_id=MAC,
        data={
            CONF_HOST: "127.0.0.1",
            CONF_PORT: simulator.port,
            CONF_SSL: False,
            CONF_VERIFY_SSL: False,
            CONF_PASSWORD: "admin",
        },
    )
    entry.add_to_hass(hass)
    await _set_up(hass, entry)
    assert entry.unique_id == MAC
    assert entry.data[CONF_MAC_SOURCE] == "phone"


async def test_future_version_is_refused(hass: HomeAssistant) -> None:
    """An entry from a newer version of the integration is not touched."""
    entry = MockConfigEntry(domain=DOMAIN, version=2, data={CONF_HOST: "127.0.0.1"})
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.MIGRATION_ERROR
