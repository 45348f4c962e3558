"""Diagnostics, with everything personal or secret redacted.

They include the last raw answer of each function, so that a bug report shows
exactly what the user's firmware sends. Action URLs carry the webhook id: it
is scrubbed from every string, wherever it appears.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import REDACTED, async_redact_data
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_USERNAME, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant

from .coordinator import GrandstreamConfigEntry
from .cti import PERSONAL_FIELDS

TO_REDACT = {
    *(CONF_PASSWORD, CONF_HOST, CONF_USERNAME, CONF_WEBHOOK_ID, "unique_id"),
    *PERSONAL_FIELDS,
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: GrandstreamConfigEntry
) -> dict[str, Any]:
    """Return diagnostics of one phone."""
    runtime = entry.runtime_data
    coordinator, client, push = runtime.coordinator, runtime.client, runtime.push
    data = coordinator.data
    diagnostics = {
        "entry": {
            "unique_id": entry.unique_id,
            "data": dict(entry.data),
            "options": dict(entry.options),
        },
        "api": client.api and asdict(client.api),
        "session": client.session_info and asdict(client.session_info),
        "password_rejected": client.password_rejected,
        "session_contested": client.session_contested,
        "model_info": asdict(coordinator.model_info),
        "firmware": coordinator.firmware,
        "capabilities": asdict(coordinator.capabilities),
        "last_update_success": coordinator.last_update_success,
        "push": {
            "enabled": push.enabled,
            "expected": push.expected,
            "trusted": coordinator.push_trusted,
            "last_push": push.last_push,
            "slots": sorted(push.slots),
        },
        "data": asdict(data),
        "last_answers": client.last_answers,
    }
    scrubbed = _scrub(diagnostics, entry.data[CONF_WEBHOOK_ID])
    redacted: dict[str, Any] = async_redact_data(scrubbed, TO_REDACT)
    return redacted


def _scrub(value: Any, secret: str) -> Any:
    """Return value with tuples as lists (redaction walks lists) and the secret out."""
    if isinstance(value, dict):
        return {key: _scrub(item, secret) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(item, secret) for item in value]
    return value.replace(secret, REDACTED) if isinstance(value, str) else value
