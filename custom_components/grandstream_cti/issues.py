"""This integration's repair issues: one per phone and kind, named after the phone.

Failures of reads and commands raise and clear them here, in one place.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .const import CONF_REJECTED, DOCS_PREPARE_PHONE, DOCS_PUSH, DOCS_TRUST, DOMAIN
from .cti import (
    GrandstreamCTIAccessDeniedError,
    GrandstreamCTIAuthenticationError,
    GrandstreamCTIError,
    GrandstreamCTILockedError,
    GrandstreamCTISessionTakenError,
    GrandstreamCTIUserNotAllowedError,
    GrandstreamCTIWrongDeviceError,
)


class Issue(StrEnum):
    """The kinds of repair issue (the value is the translation key)."""

    CTI_DISABLED = "cti_disabled"
    POPUP_CONFIRMATION = "popup_confirmation"
    CLICK_TO_DIAL_OFF = "click_to_dial_off"
    NO_LOCAL_URL = "no_local_url"
    PUSH_FROM_OTHER_ADDRESS = "push_from_other_address"
    ACTION_URL_SLOTS_TAKEN = "action_url_slots_taken"
    PUSH_SETUP_FAILED = "push_setup_failed"
    PUSH_NOT_ARRIVING = "push_not_arriving"
    WRONG_DEVICE = "wrong_device"
    PHONE_LOCKED = "phone_locked"
    SESSION_TAKEN = "session_taken"
    USER_NOT_ALLOWED = "user_not_allowed"


_LEARN_MORE = {
    Issue.CTI_DISABLED: DOCS_PREPARE_PHONE,
    Issue.POPUP_CONFIRMATION: DOCS_PREPARE_PHONE,
    Issue.WRONG_DEVICE: DOCS_TRUST,
    Issue.PHONE_LOCKED: DOCS_TRUST,
    Issue.SESSION_TAKEN: DOCS_TRUST,
    Issue.USER_NOT_ALLOWED: DOCS_TRUST,
}
# What a failure says about the phone, and the issue it raises.
_FAILURES: dict[type[GrandstreamCTIError], Issue] = {
    GrandstreamCTIWrongDeviceError: Issue.WRONG_DEVICE,
    GrandstreamCTILockedError: Issue.PHONE_LOCKED,
    GrandstreamCTISessionTakenError: Issue.SESSION_TAKEN,
    GrandstreamCTIUserNotAllowedError: Issue.USER_NOT_ALLOWED,
}


def issue_id(kind: Issue, entry: ConfigEntry) -> str:
    """Return the id of one phone's issue of this kind."""
    return f"{kind}_{entry.entry_id}"


@callback
def async_set_issue(
    hass: HomeAssistant,
    entry: ConfigEntry,
    kind: Issue,
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
def async_clear_issue(hass: HomeAssistant, entry: ConfigEntry, *kinds: Issue) -> None:
    """Clear one phone's issues of these kinds (if raised)."""
    for kind in kinds:
        ir.async_delete_issue(hass, DOMAIN, issue_id(kind, entry))


@callback
def async_note_failure(
    hass: HomeAssistant, entry: ConfigEntry, err: GrandstreamCTIError
) -> None:
    """Act once on what a failed setup, read or command says about the phone.

    A rejected password asks the user for a new one (the client sends
    nothing more with it) and is remembered, so removing the entry sends
    nothing either; other failures raise the repair issue they point at.
    """
    if isinstance(err, GrandstreamCTIAuthenticationError):
        entry.async_start_reauth(hass)
        if not entry.data.get(CONF_REJECTED):
            hass.config_entries.async_update_entry(
                entry, data={**entry.data, CONF_REJECTED: True}
            )
    if isinstance(err, GrandstreamCTIAccessDeniedError) and not err.session:
        async_set_issue(
            hass, entry, Issue.CTI_DISABLED, severity=ir.IssueSeverity.ERROR
        )
        return
    kind = next((k for cls, k in _FAILURES.items() if isinstance(err, cls)), None)
    if kind is Issue.WRONG_DEVICE:
        assert isinstance(err, GrandstreamCTIWrongDeviceError)
        placeholders = {"mac": err.mac, "host": str(entry.data.get("host"))}
        async_set_issue(
            hass, entry, kind, placeholders, severity=ir.IssueSeverity.ERROR
        )
    elif kind is Issue.PHONE_LOCKED:
        assert isinstance(err, GrandstreamCTILockedError)
        minutes = "?" if err.minutes is None else str(err.minutes)
        async_set_issue(hass, entry, kind, {"minutes": minutes})
    elif kind is not None:
        async_set_issue(hass, entry, kind)


@callback
def async_note_success(
    hass: HomeAssistant, entry: ConfigEntry, *, contested: bool
) -> None:
    """Clear what a working read proves over (cheap: registry lookups).

    contested: another login still keeps taking the phone's session.
    """
    kinds = [Issue.CTI_DISABLED, Issue.WRONG_DEVICE, Issue.PHONE_LOCKED]
    async_clear_issue(
        hass,
        entry,
        Issue.USER_NOT_ALLOWED,
        *kinds,
        *([] if contested else [Issue.SESSION_TAKEN]),
    )


@callback
def async_remove_issues(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Remove all of an entry's issues (the entry goes)."""
    async_clear_issue(hass, entry, *Issue)
