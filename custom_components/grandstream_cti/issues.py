"""This integration's repair issues: one per phone and kind, named after the phone.

What a failed setup, read or command says about the phone is acted on here,
once: issues raised, a rejected password sent to reauthentication.
"""

from __future__ import annotations

from enum import StrEnum

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from . import cti
from .const import CONF_REJECTED, DOCS_PREPARE_PHONE, DOCS_PUSH, DOCS_TRUST, DOMAIN


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
# The issue each kind of failure raises.
_FAILURES = (
    (cti.GrandstreamCTIWrongDeviceError, Issue.WRONG_DEVICE),
    (cti.GrandstreamCTILockedError, Issue.PHONE_LOCKED),
    (cti.GrandstreamCTISessionTakenError, Issue.SESSION_TAKEN),
    (cti.GrandstreamCTIUserNotAllowedError, Issue.USER_NOT_ALLOWED),
)
# What a working read shows is over.
_CLEARED_BY_A_READ = (
    Issue.CTI_DISABLED,
    Issue.WRONG_DEVICE,
    Issue.PHONE_LOCKED,
    Issue.USER_NOT_ALLOWED,
)


@callback
def async_set_issue(
    hass: HomeAssistant,
    entry: ConfigEntry,
    kind: Issue,
    placeholders: dict[str, str] | None = None,
    *,
    fixable: bool = False,
) -> None:
    """Raise (or update) one phone's issue; the phone's name is a placeholder."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        f"{kind}_{entry.entry_id}",
        is_fixable=fixable,
        severity=ir.IssueSeverity.ERROR
        if kind in (Issue.CTI_DISABLED, Issue.POPUP_CONFIRMATION, Issue.WRONG_DEVICE)
        else ir.IssueSeverity.WARNING,
        translation_key=kind,
        translation_placeholders={"name": entry.title, **(placeholders or {})},
        learn_more_url=None if fixable else _LEARN_MORE.get(kind, DOCS_PUSH),
        data={"entry_id": entry.entry_id} if fixable else None,
    )


@callback
def async_clear_issue(hass: HomeAssistant, entry: ConfigEntry, *kinds: Issue) -> None:
    """Clear one phone's issues of these kinds (if raised)."""
    for kind in kinds:
        ir.async_delete_issue(hass, DOMAIN, f"{kind}_{entry.entry_id}")


@callback
def async_note_failure(
    hass: HomeAssistant, entry: ConfigEntry, err: cti.GrandstreamCTIError
) -> None:
    """Act once on what a failed setup, read or command says about the phone.

    A rejected password asks for a new one (and is remembered: removing the
    entry sends nothing); other failures raise the issue they point at.
    """
    if isinstance(err, cti.GrandstreamCTIAuthenticationError):
        entry.async_start_reauth(hass)
        if not entry.data.get(CONF_REJECTED):
            data = {**entry.data, CONF_REJECTED: True}
            hass.config_entries.async_update_entry(entry, data=data)
    if isinstance(err, cti.GrandstreamCTIAccessDeniedError) and not err.session:
        async_set_issue(hass, entry, Issue.CTI_DISABLED)
    for kind_of_error, kind in _FAILURES:
        if isinstance(err, kind_of_error):
            details = {**err.details, "host": str(entry.data.get("host"))}
            async_set_issue(hass, entry, kind, {"minutes": "?", **details})


@callback
def async_note_success(
    hass: HomeAssistant, entry: ConfigEntry, *, contested: bool
) -> None:
    """Clear what a working read shows is over (contested: the session still is)."""
    async_clear_issue(hass, entry, *_CLEARED_BY_A_READ)
    if not contested:
        async_clear_issue(hass, entry, Issue.SESSION_TAKEN)
