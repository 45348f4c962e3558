"""This integration's repair issues: one per phone and kind, named after the phone."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .const import DOCS_PREPARE_PHONE, DOCS_PUSH, DOMAIN

# Where each kind of issue sends the user to read more.
_LEARN_MORE = {
    "cti_disabled": DOCS_PREPARE_PHONE,
    "popup_confirmation": DOCS_PREPARE_PHONE,
    "click_to_dial_off": DOCS_PREPARE_PHONE,
}


def issue_id(kind: str, entry: ConfigEntry) -> str:
    """Return the id of one phone's issue of this kind."""
    return f"{kind}_{entry.entry_id}"


@callback
def async_set_issue(
    hass: HomeAssistant,
    entry: ConfigEntry,
    kind: str,
    placeholders: dict[str, str] | None = None,
    *,
    severity: ir.IssueSeverity = ir.IssueSeverity.WARNING,
    fixable: bool = False,
) -> None:
    """Raise (or update) one phone's issue; the phone's name is a placeholder."""
    data: dict[str, Any] | None = {"entry_id": entry.entry_id} if fixable else None
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id(kind, entry),
        is_fixable=fixable,
        severity=severity,
        translation_key=kind,
        translation_placeholders={"name": entry.title, **(placeholders or {})},
        learn_more_url=None if fixable else _LEARN_MORE.get(kind, DOCS_PUSH),
        data=data,
    )


@callback
def async_clear_issue(hass: HomeAssistant, entry: ConfigEntry, kind: str) -> None:
    """Clear one phone's issue of this kind (if raised)."""
    ir.async_delete_issue(hass, DOMAIN, issue_id(kind, entry))
