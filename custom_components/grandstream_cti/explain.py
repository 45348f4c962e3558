"""Client errors as Home Assistant errors: the one place they are mapped.

Polling, setup, commands and the config flow all explain a failure through
`explain()`; each then wraps it its own way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    ConfigEntryError,
    HomeAssistantError,
)
from homeassistant.helpers.update_coordinator import UpdateFailed

from .const import DOMAIN
from .cti import (
    CommandRefusal,
    GrandstreamCTIApiChangedError,
    GrandstreamCTIAuthenticationError,
    GrandstreamCTICommandError,
    GrandstreamCTIError,
    GrandstreamCTITimeoutError,
    GrandstreamCTIWrongDeviceError,
    printable,
    shorten,
)

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

    def error[E: HomeAssistantError](self, kind: type[E]) -> E:
        """Return a Home Assistant error of this kind saying it."""
        return kind(
            translation_domain=DOMAIN,
            translation_key=self.key,
            translation_placeholders=self.placeholders,
        )


def quote(text: str, limit: int = 40) -> str:
    """Return user input or phone text fit to quote in a message."""
    return shorten(printable(text), limit)


def explain(err: GrandstreamCTIError, command: str | None = None) -> Explanation:
    """Return what to tell the user about a client error.

    command names the command that failed (button key or action), if any.
    """
    if isinstance(err, GrandstreamCTICommandError):
        return _refusal(err.refusal, command)
    if isinstance(err, GrandstreamCTITimeoutError) and command is not None:
        # The phone may still carry it out (it did, 15 s later, once).
        return Explanation("command_timeout")
    return Explanation(err.reason, err.details)


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


def setup_failed(err: GrandstreamCTIError) -> HomeAssistantError:
    """Return what a failed setup raises: reauth, a fatal error, or a retry."""
    explanation = explain(err)
    if isinstance(err, GrandstreamCTIAuthenticationError):
        return explanation.error(ConfigEntryAuthFailed)
    if isinstance(err, GrandstreamCTIWrongDeviceError | GrandstreamCTIApiChangedError):
        return explanation.error(ConfigEntryError)
    # UpdateFailed: the first refresh turns it into a retry.
    return explanation.error(UpdateFailed)


def update_failed(err: GrandstreamCTIError) -> HomeAssistantError:
    """Return what a failed refresh raises (a rejected password stops polling)."""
    explanation = explain(err)
    if isinstance(err, GrandstreamCTIAuthenticationError):
        return explanation.error(ConfigEntryAuthFailed)
    return explanation.error(UpdateFailed)


def command_failed(err: GrandstreamCTIError, command: str) -> HomeAssistantError:
    """Return the error an action or button raises for a client error."""
    return explain(err, command).error(HomeAssistantError)
