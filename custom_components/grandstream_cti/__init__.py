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
    EVENT_CORE_CONFIG_UPDATE,
    Platform,
)
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.typing import ConfigType

from .action_url_slots import (
    async_clear_action_urls,
    async_write_action_urls,
    auto_push_enabled,
)
from .compat import OPTIONS_NEED_UPDATE_LISTENER
from .const import CONF_MAC_SOURCE, DEFAULT_USERNAME, DOMAIN, LOGGER
from .coordinator import (
    GrandstreamConfigEntry,
    GrandstreamCoordinator,
    GrandstreamRuntimeData,
)
from .cti import ApiKind, GrandstreamCTIClient
from .domain_data import domain_data
from .identity import MacSource, normalize_host, normalize_mac
from .push import (
    async_check_local_url,
    async_register_webhook,
    async_unregister_webhook,
    push_enabled,
)
from .services import async_setup_services

PLATFORMS = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.EVENT,
    Platform.SENSOR,
    Platform.SWITCH,
    Platform.TEXT,
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


def create_client(hass: HomeAssistant, data: Mapping[str, Any]) -> GrandstreamCTIClient:
    """Return a client for the connection settings in data (no I/O)."""
    verify_ssl = bool(data.get(CONF_VERIFY_SSL, False))
    return GrandstreamCTIClient(
        data[CONF_HOST],
        data[CONF_PASSWORD],
        session=async_get_clientsession(hass, verify_ssl=verify_ssl),
        port=data.get(CONF_PORT),
        use_ssl=bool(data.get(CONF_SSL, False)),
        verify_ssl=verify_ssl,
        username=data.get(CONF_USERNAME) or DEFAULT_USERNAME,
    )


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions, once for every phone."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: GrandstreamConfigEntry) -> bool:
    """Set up one phone."""
    domain_data(hass).reloads_pending.discard(entry.entry_id)
    if push_enabled(entry):
        # Before the first read: a phone that pushes while this entry waits
        # to retry its setup is set up at once.
        async_register_webhook(hass, entry)
    client = create_client(hass, entry.data)
    coordinator = GrandstreamCoordinator(hass, entry, client)
    entry.runtime_data = runtime = GrandstreamRuntimeData(
        client=client, coordinator=coordinator, push_enabled=push_enabled(entry)
    )
    entry.async_on_unload(coordinator.add_call_event_listener(runtime.history.handle))
    try:
        await coordinator.async_config_entry_first_refresh()
    except (ConfigEntryAuthFailed, ConfigEntryError):
        # Nothing more goes to this phone until the user acts.
        async_unregister_webhook(hass, entry.data[CONF_WEBHOOK_ID])
        raise
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    if OPTIONS_NEED_UPDATE_LISTENER:  # pragma: no cover - Home Assistant < 2025.8
        options = dict(entry.options)

        async def reload_on_new_options(
            hass: HomeAssistant, entry: GrandstreamConfigEntry
        ) -> None:
            if dict(entry.options) != options:
                hass.config_entries.async_schedule_reload(entry.entry_id)

        entry.async_on_unload(entry.add_update_listener(reload_on_new_options))
    async_set_up_push(hass, entry)

    @callback
    def core_config_updated(_event: Event) -> None:
        # A new local URL (Settings → Network) goes into the phone at once.
        async_set_up_push(hass, entry)

    entry.async_on_unload(
        hass.bus.async_listen(EVENT_CORE_CONFIG_UPDATE, core_config_updated)
    )
    return True


@callback
def async_set_up_push(hass: HomeAssistant, entry: GrandstreamConfigEntry) -> None:
    """Say whether the phone can reach Home Assistant; write its Action URLs.

    Written (in the background) only with a session and the user's leave.
    """
    base = async_check_local_url(hass, entry)
    client = entry.runtime_data.client
    if (
        base is not None
        and push_enabled(entry)
        and auto_push_enabled(entry)
        and client.api is not None
        and client.api.kind is ApiKind.SESSION
    ):
        entry.async_create_background_task(
            hass,
            async_write_action_urls(hass, entry, base),
            f"{DOMAIN} Action URLs {entry.entry_id}",
        )


async def async_unload_entry(
    hass: HomeAssistant, entry: GrandstreamConfigEntry
) -> bool:
    """Unload one phone; log out of its session."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        async_unregister_webhook(hass, entry.data.get(CONF_WEBHOOK_ID))
        await entry.runtime_data.client.logout()
    return unloaded


async def async_remove_entry(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Clear this entry's Action URLs from the phone (never with a bad password)."""
    data = domain_data(hass)
    async_unregister_webhook(hass, entry.data.get(CONF_WEBHOOK_ID))
    rejected = data.is_rejected(entry.entry_id, entry.data)
    data.clear(entry.entry_id)
    if rejected:
        return
    client = create_client(hass, entry.data)
    try:
        session = await client.login()
    except Exception:  # noqa: BLE001 - removal goes on whatever the phone says
        LOGGER.debug("Not clearing Action URLs of %s: no session", entry.title)
        return
    if session is not None:
        await async_clear_action_urls(client, entry.data[CONF_WEBHOOK_ID], entry.title)
    await client.logout()


async def async_migrate_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Bring entries of earlier versions up to date.

    1.1 → 1.2: a webhook id (push), a normalized host, the username, the
    MAC's source (an old MAC unique id is only a hint until the phone or the
    network confirms it), no host as unique id, no polling interval option.
    """
    if entry.version > 1:
        return False
    if entry.minor_version < 2:
        data = {**entry.data}
        data.setdefault(CONF_WEBHOOK_ID, webhook.async_generate_id())
        data[CONF_HOST] = normalize_host(data[CONF_HOST])
        data.setdefault(CONF_USERNAME, DEFAULT_USERNAME)
        data.setdefault(CONF_PORT, None)
        mac = normalize_mac(entry.unique_id)
        if mac is not None:
            data[CONF_MAC_SOURCE] = MacSource.PUSH.stored
        options = {
            key: value
            for key, value in entry.options.items()
            if key != CONF_SCAN_INTERVAL
        }
        hass.config_entries.async_update_entry(
            entry,
            data=data,
            options=options,
            unique_id=mac,
            minor_version=2,
        )
        LOGGER.debug("Migrated %s to version 1.2", entry.title)
    return True
