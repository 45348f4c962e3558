"""Automatic push: this entry's Action URLs in the phone's own slots.

With a session the integration writes its URLs itself, only into slots that
are empty or already hold one of its own URLs (another system's are left
alone and named in a repair issue), reads them back (the phone ignores
values over 256 characters and writes its role may not make), and clears
its own slots when the entry is removed. Unchanged slots are not written
again: each write is a flash write.
"""

from __future__ import annotations

from homeassistant.components import webhook
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant

from .const import (
    CONF_AUTO_PUSH,
    DEFAULT_AUTO_PUSH,
    ISSUE_ACTION_URL_SLOTS_TAKEN,
    ISSUE_PUSH_SETUP_FAILED,
    LOGGER,
)
from .coordinator import GrandstreamConfigEntry
from .cti import (
    GrandstreamCTIClient,
    GrandstreamCTIError,
    GrandstreamCTIWriteRejectedError,
)
from .cti.session_parsing import config_key
from .issues import async_clear_issue, async_set_issue
from .push import (
    HANDED_OUT_FIELDS,
    action_urls,
    action_urls_markdown,
    push_enabled,
)


def auto_push_enabled(entry: GrandstreamConfigEntry) -> bool:
    """Return True when the user lets the integration write the phone's slots."""
    return push_enabled(entry) and bool(
        entry.options.get(CONF_AUTO_PUSH, DEFAULT_AUTO_PUSH)
    )


def is_own_url(value: str, webhook_id: str) -> bool:
    """Return True when a slot holds a URL of this entry's webhook."""
    return webhook.async_generate_path(webhook_id) in value


async def async_write_action_urls(
    hass: HomeAssistant, entry: GrandstreamConfigEntry, base: str
) -> None:
    """Write this entry's Action URLs into free or own slots; report the rest."""
    client = entry.runtime_data.client
    webhook_id: str = entry.data[CONF_WEBHOOK_ID]
    battery = entry.runtime_data.coordinator.capabilities.battery
    urls = {
        config_key(field): url
        for field, (_, url) in action_urls(base, battery=battery).items()
    }
    try:
        current = await client.get_config(urls)
        taken = sorted(
            f"P{key}"
            for key, value in current.items()
            if value.strip() and not is_own_url(value, webhook_id)
        )
        wanted = {key: url for key, url in urls.items() if f"P{key}" not in taken}
        await client.set_config(wanted)
    except GrandstreamCTIWriteRejectedError as err:
        LOGGER.warning("%s did not take its Action URLs: %s", entry.title, err)
        async_set_issue(
            hass, entry, ISSUE_PUSH_SETUP_FAILED, {"urls": action_urls_markdown(base)}
        )
        return
    except GrandstreamCTIError as err:
        LOGGER.warning("Could not set up push on %s: %s", entry.title, err)
        return
    entry.runtime_data.push_slots = {f"P{key}": url for key, url in wanted.items()}
    async_clear_issue(hass, entry, ISSUE_PUSH_SETUP_FAILED)
    if taken:
        async_set_issue(
            hass, entry, ISSUE_ACTION_URL_SLOTS_TAKEN, {"slots": ", ".join(taken)}
        )
    else:
        async_clear_issue(hass, entry, ISSUE_ACTION_URL_SLOTS_TAKEN)


async def async_clear_action_urls(
    client: GrandstreamCTIClient, webhook_id: str, title: str
) -> None:
    """Empty the slots that hold this entry's URLs (best effort)."""
    fields = [config_key(field) for field in HANDED_OUT_FIELDS]
    try:
        current = await client.get_config(fields)
        own = {
            key: "" for key, value in current.items() if is_own_url(value, webhook_id)
        }
        await client.set_config(own)
    except GrandstreamCTIError as err:
        LOGGER.warning("Could not clear the Action URLs on %s: %s", title, err)
