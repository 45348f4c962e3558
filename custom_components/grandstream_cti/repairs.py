"""Repairs that fix themselves: turning Click-To-Dial on."""

from __future__ import annotations

from typing import Any

from homeassistant.components.repairs import ConfirmRepairFlow, RepairsFlow
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResult

from .cti import GrandstreamCTIError, GrandstreamCTIWriteRejectedError


class ClickToDialRepairFlow(ConfirmRepairFlow):
    """Turn on Click-To-Dial (P1561), which make-call needs, once confirmed."""

    def __init__(self, entry_id: str) -> None:
        """Remember which phone."""
        super().__init__()
        self._entry_id = entry_id

    async def async_step_confirm(
        self, user_input: dict[str, str] | None = None
    ) -> FlowResult:
        """Ask, then write P1561 and read it back."""
        if user_input is None:
            return await super().async_step_confirm(user_input)
        entry = self.hass.config_entries.async_get_entry(self._entry_id)
        if entry is None or entry.state is not ConfigEntryState.LOADED:
            return self.async_abort(reason="phone_not_loaded")
        try:
            await entry.runtime_data.client.enable_click_to_dial()
        except GrandstreamCTIWriteRejectedError:
            return self.async_abort(reason="needs_admin")
        except GrandstreamCTIError:
            return self.async_abort(reason="cannot_fix")
        return self.async_create_entry(data={})


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, Any] | None
) -> RepairsFlow:
    """Return the flow that fixes one of our fixable issues."""
    return ClickToDialRepairFlow(str((data or {}).get("entry_id", "")))
