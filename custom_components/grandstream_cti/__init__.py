"""The Grandstream IP Phone integration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.components import webhook
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SCAN_INTERVAL,
    CONF_SSL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
    CONF_WEBHOOK_ID,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.typing import ConfigType
from homeassistant.util import dt as dt_util

from . import cti
from .calls import CallTracker
from .commands import CommandRunner
from .const import DOMAIN, LOGGER, REQUEST_TIMEOUT
from .coordinator import (
    GrandstreamConfigEntry,
    GrandstreamCoordinator,
    GrandstreamRuntimeData,
)
from .identity import async_mac_from_network, entry_mac
from .issues import Issue, async_clear_issue
from .push import PushManager, async_remove_push
from .services import async_setup_services

PLATFORMS = [
    Platform(name)
    for name in "binary_sensor button event number select sensor switch text".split()  # noqa: SIM905
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


def create_client(
    hass: HomeAssistant, data: Mapping[str, Any], mac: str | None = None
) -> cti.GrandstreamCTIClient:
    """Return a client for an entry's settings, its proven API and MAC (no I/O)."""
    verify_ssl = bool(data.get(CONF_VERIFY_SSL, False))
    return cti.GrandstreamCTIClient(
        data[CONF_HOST],
        data[CONF_PASSWORD],
        session=async_get_clientsession(hass, verify_ssl=verify_ssl),
        port=data.get(CONF_PORT),
        use_ssl=bool(data.get(CONF_SSL, False)),
        verify_ssl=verify_ssl,
        username=data.get(CONF_USERNAME) or cti.DEFAULT_USERNAME,
        api=cti.PhoneApi.from_data(data),
        expected_mac=mac,
        network_mac=lambda: async_mac_from_network(hass, data[CONF_HOST]),
        timeout=REQUEST_TIMEOUT,
        clock=lambda: dt_util.utcnow().timestamp(),
    )


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions, once for every phone."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: GrandstreamConfigEntry) -> bool:
    """Set up one phone: client, coordinator, calls, commands, push, platforms."""
    client = create_client(hass, entry.data, entry_mac(entry))
    coordinator = GrandstreamCoordinator(hass, entry, client)
    calls = CallTracker(coordinator)
    commands = CommandRunner(coordinator, calls)
    push = PushManager(coordinator, calls)
    entry.runtime_data = GrandstreamRuntimeData(
        client, coordinator, calls, commands, push
    )
    if push.enabled:
        # Before the first read: a phone that pushes while this entry waits
        # to retry its setup is set up at once.
        push.async_listen()
    try:
        await coordinator.async_config_entry_first_refresh()
    except (ConfigEntryAuthFailed, ConfigEntryError):
        # Nothing more goes to this phone until the user acts.
        push.async_stop()
        raise
    entry.async_on_unload(calls.start())
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    options = dict(entry.options)

    async def reload_on_new_options(hass: HomeAssistant, entry: ConfigEntry) -> None:
        if dict(entry.options) != options:
            hass.config_entries.async_schedule_reload(entry.entry_id)

    entry.async_on_unload(entry.add_update_listener(reload_on_new_options))
    if push.enabled:
        push.async_start()
    return True


async def async_unload_entry(
    hass: HomeAssistant, entry: GrandstreamConfigEntry
) -> bool:
    """Unload one phone; log out of its session."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        await entry.runtime_data.client.logout()
    return unloaded


async def async_remove_entry(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Clear this entry's Action URLs from the phone; drop its repair issues."""
    async_clear_issue(hass, entry, *Issue)
    await async_remove_push(
        hass, entry, create_client(hass, entry.data, entry_mac(entry))
    )


async def async_migrate_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Bring 1.1 and 1.2 entries to 1.3 (no polling option, no host as unique id)."""
    if entry.version > 1:
        return False
    data = {**entry.data}
    data.setdefault(CONF_WEBHOOK_ID, webhook.async_generate_id())
    data.setdefault(CONF_USERNAME, cti.DEFAULT_USERNAME)
    data.setdefault(CONF_PORT, None)
    data[CONF_HOST] = cti.normalize_host(data[CONF_HOST])
    unique_id = entry.unique_id
    if entry.minor_version < 2 or data.get("mac_source") in (None, "push"):
        # Only a push (or an old version) said so: not an identity.
        data.pop("mac_source", None)
        unique_id = None
    options = {k: v for k, v in entry.options.items() if k != CONF_SCAN_INTERVAL}
    hass.config_entries.async_update_entry(
        entry, data=data, options=options, unique_id=unique_id, minor_version=3
    )
    LOGGER.debug("Migrated %s to version 1.3", entry.title)
    return True
