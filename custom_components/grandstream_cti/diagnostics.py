"""Diagnostics, with everything personal or secret redacted."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant

from .coordinator import GrandstreamConfigEntry

TO_REDACT = {
    CONF_PASSWORD,
    CONF_HOST,
    CONF_WEBHOOK_ID,
    "mac",
    "name",
    "sip_id",
    "sip_server",
    "remote_number",
    "remote_name",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: GrandstreamConfigEntry
) -> dict[str, Any]:
    """Return diagnostics of one phone."""
    runtime = entry.runtime_data
    coordinator = runtime.coordinator
    data = coordinator.data
    return async_redact_data(
        {
            "entry": {"data": dict(entry.data), "options": dict(entry.options)},
            "model_info": asdict(runtime.model_info),
            "last_update_success": coordinator.last_update_success,
            "push_enabled": runtime.push_enabled,
            "last_push": coordinator.last_push,
            # Lists, not the snapshot's tuples: redaction only walks lists.
            "data": {
                "accounts": [asdict(account) for account in data.accounts],
                "lines": [asdict(line) for line in data.lines],
                "phone": asdict(data.phone),
            },
        },
        TO_REDACT,
    )
