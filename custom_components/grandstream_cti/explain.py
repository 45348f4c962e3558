"""Client errors as Home Assistant errors: the one place they are mapped.

Polling, commands and the config flow all explain a failure through
`explain()`; each then wraps it its own way (UpdateFailed, HomeAssistantError,
a form error key).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from homeassistant.exceptions import ConfigEntryAuthFailed, HomeAssistantError
from homeassistant.helpers.update_coordinator import UpdateFailed

from .const import DOMAIN
from .cti import (
    CommandRefusal,
    GrandstreamCTIAccessDeniedError,
    GrandstreamCTIAuthenticationError,
    GrandstreamCTICertificateError,
    GrandstreamCTICommandError,
    GrandstreamCTIConnectionError,
    GrandstreamCTIError,
    GrandstreamCTILockedError,
    GrandstreamCTIPermissionError,
    GrandstreamCTITimeoutError,
    GrandstreamCTIUnsupportedError,
    GrandstreamCTIUserNotAllowedError,
    GrandstreamCTIWriteRejectedError,
)
from .cti.parsing import printable, shorten

# Commands whose refusal "nothing to act on" has its own sentence.
_NOTHING_TO_ACT_ON = {
    "accept_call": "no_call_to_accept",
    "reject_call": "no_call_to_reject",
    "end_call": "no_call_to_end",
    "hold_call": "no_call_to_hold",
    "cancel_call": "no_call_to_cancel",
}


@dataclass(frozen=True, slots=True)
class Explanation:
    """A translation key and its placeholders."""

    key: str
    placeholders: dict[str, str] = field(default_factory=dict)


def quote(text: str, limit: int = 40) -> str:
    """Return user input or phone text fit to quote in a message."""
    return shorten(printable(text), limit)


def explain(err: GrandstreamCTIError, command: str | None = None) -> Explanation:
    """Return what to tell the user about a client error.

    command names the command that failed (button key or action), if any.
    """
    match err:
        case GrandstreamCTILockedError(minutes=minutes):
            if minutes is None:
                return Explanation("locked_unknown")
            return Explanation("locked", {"minutes": str(minutes)})
        case GrandstreamCTIUserNotAllowedError():
            return Explanation("user_not_allowed")
        case GrandstreamCTIAuthenticationError(attempts_left=left):
            if left is None:
                return Explanation("invalid_auth")
            return Explanation("invalid_auth_attempts", {"attempts": str(left)})
        case GrandstreamCTIAccessDeniedError():
            return Explanation("cti_disabled")
        case GrandstreamCTIPermissionError():
            return Explanation("permission_denied")
        case GrandstreamCTICertificateError():
            return Explanation("certificate_error")
        case GrandstreamCTITimeoutError():
            return Explanation("timeout")
        case GrandstreamCTIConnectionError():
            return Explanation("cannot_connect")
        case GrandstreamCTIWriteRejectedError(keys=keys):
            return Explanation("write_rejected", {"keys": ", ".join(keys)})
        case GrandstreamCTIUnsupportedError():
            return Explanation("unsupported")
        case GrandstreamCTICommandError(refusal=refusal):
            return _refusal(refusal, command)
    return Explanation("unexpected_answer", {"error": quote(str(err), 200)})


def _refusal(refusal: CommandRefusal, command: str | None) -> Explanation:
    if refusal is CommandRefusal.NOTHING_TO_ACT_ON and command in _NOTHING_TO_ACT_ON:
        return Explanation(_NOTHING_TO_ACT_ON[command])
    if command == "make_call":
        if refusal is CommandRefusal.INVALID_REQUEST:
            return Explanation("make_call_invalid_request")
        return Explanation("make_call_refused")
    if refusal is CommandRefusal.UNKNOWN:
        return Explanation("unknown_request")
    if refusal is CommandRefusal.FAILED:
        return Explanation("command_failed")
    return Explanation("command_refused")


def update_failed(err: GrandstreamCTIError) -> UpdateFailed | ConfigEntryAuthFailed:
    """Return the error a refresh raises for a client error."""
    explanation = explain(err)
    if isinstance(err, GrandstreamCTIAuthenticationError):
        return ConfigEntryAuthFailed(
            translation_domain=DOMAIN,
            translation_key=explanation.key,
            translation_placeholders=explanation.placeholders,
        )
    return UpdateFailed(
        translation_domain=DOMAIN,
        translation_key=explanation.key,
        translation_placeholders=explanation.placeholders,
    )


def command_failed(err: GrandstreamCTIError, command: str) -> HomeAssistantError:
    """Return the error an action or button raises for a client error."""
    explanation = explain(err, command)
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=explanation.key,
        translation_placeholders=explanation.placeholders,
    )
