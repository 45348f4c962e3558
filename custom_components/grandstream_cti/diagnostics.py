"""Diagnostics, with everything personal or secret redacted.

They include the last raw answer of each function, so that a bug report shows
exactly what the user's firmware sends.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_USERNAME,
    CONF_WEBHOOK_ID,
)
from homeassistant.core import HomeAssistant

from .coordinator import GrandstreamConfigEntry
from .cti.wire import (
    ACCOUNT_NAME,
    ACCOUNT_SIP_ID,
    ACCOUNT_SIP_SERVER,
    LINE_REMOTE_NAME,
    LINE_REMOTE_NUMBER,
)
from .domain_data import domain_data

TO_REDACT = {
    CONF_PASSWORD,
    CONF_HOST,
    CONF_USERNAME,
    CONF_WEBHOOK_ID,
    "unique_id",
    "mac",
    "bssid",
    "ssid",
    "name",
    "sip_id",
    "sip_server",
    "remote_number",
    "remote_name",
    "push_slots",
    # The phone's own field names in raw answers.
    ACCOUNT_NAME,
    ACCOUNT_SIP_ID,
    ACCOUNT_SIP_SERVER,
    LINE_REMOTE_NAME,
    LINE_REMOTE_NUMBER,
    "value",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: GrandstreamConfigEntry
) -> dict[str, Any]:
    """Return diagnostics of one phone."""
    runtime = entry.runtime_data
    coordinator = runtime.coordinator
    client = runtime.client
    data = coordinator.data
    api = client.api
    return async_redact_data(
        {
            "entry": {
                "unique_id": entry.unique_id,
                "data": dict(entry.data),
                "options": dict(entry.options),
            },
            "api": None if api is None else asdict(api),
            "session": (
                None if client.session_info is None else asdict(client.session_info)
            ),
            "password_rejected": client.password_rejected
            or domain_data(hass).is_rejected(entry.entry_id, entry.data),
            "model_info": asdict(coordinator.model_info),
            "firmware": coordinator.firmware,
            "capabilities": asdict(coordinator.capabilities),
            "last_update_success": coordinator.last_update_success,
            "push_enabled": runtime.push_enabled,
            "last_push": coordinator.last_push,
            "push_slots": dict(runtime.push_slots),
            # Lists, not the snapshot's tuples: redaction only walks lists.
            "data": {
                "accounts": [asdict(account) for account in data.accounts],
                "lines": [asdict(line) for line in data.lines],
                "phone": asdict(data.phone),
                "dnd": data.dnd,
                "battery": None if data.battery is None else asdict(data.battery),
                "wifi": None if data.wifi is None else asdict(data.wifi),
            },
            "last_answers": _lists(client.last_answers),
        },
        TO_REDACT,
    )


def _lists(value: object) -> object:
    """Return value with tuples as lists, which redaction walks."""
    if isinstance(value, dict):
        return {key: _lists(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_lists(item) for item in value]
    return value
