"""The Grandstream IP Phone (CTI) integration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.components import webhook
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_VERIFY_SSL,
    CONF_WEBHOOK_ID,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.typing import ConfigType

from .const import DOMAIN
from .coordinator import (
    GrandstreamConfigEntry,
    GrandstreamCoordinator,
    GrandstreamRuntimeData,
)
from .cti import GrandstreamCTIClient, GrandstreamCTIError, ModelInfo
from .push import async_setup_push, push_enabled
from .services import async_setup_services

PLATFORMS = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.EVENT,
    Platform.SENSOR,
    Platform.TEXT,
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


def create_client(hass: HomeAssistant, data: Mapping[str, Any]) -> GrandstreamCTIClient:
    """Return a CTI client for the connection settings in data."""
    verify_ssl = bool(data.get(CONF_VERIFY_SSL, False))
    return GrandstreamCTIClient(
        data[CONF_HOST],
        data[CONF_PASSWORD],
        session=async_get_clientsession(hass, verify_ssl=verify_ssl),
        port=data.get(CONF_PORT),
        use_ssl=bool(data.get(CONF_SSL, False)),
        verify_ssl=verify_ssl,
    )


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions, once for every phone."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: GrandstreamConfigEntry) -> bool:
    """Set up one phone."""
    client = create_client(hass, entry.data)
    try:
        model_info = await client.get_model_info()
    except GrandstreamCTIError:
        # Model facts are a nicety; the first refresh decides if the phone is there.
        model_info = ModelInfo()
    coordinator = GrandstreamCoordinator(hass, entry, client)
    entry.runtime_data = GrandstreamRuntimeData(
        client=client,
        coordinator=coordinator,
        model_info=model_info,
        push_enabled=push_enabled(entry),
    )
    await coordinator.async_config_entry_first_refresh()
    if CONF_WEBHOOK_ID not in entry.data:
        # Entries from before push get their webhook id on first setup.
        hass.config_entries.async_update_entry(
            entry, data={**entry.data, CONF_WEBHOOK_ID: webhook.async_generate_id()}
        )
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    async_setup_push(hass, entry)
    entry.async_on_unload(entry.add_update_listener(_async_options_updated))
    return True


async def _async_options_updated(
    hass: HomeAssistant, entry: GrandstreamConfigEntry
) -> None:
    """Apply new options: the interval at once, push by a reload."""
    if push_enabled(entry) != entry.runtime_data.push_enabled:
        hass.config_entries.async_schedule_reload(entry.entry_id)
        return
    coordinator = entry.runtime_data.coordinator
    coordinator.update_interval = coordinator.base_interval


async def async_unload_entry(
    hass: HomeAssistant, entry: GrandstreamConfigEntry
) -> bool:
    """Unload one phone."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
