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

from . import cti
from .const import DOMAIN


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
    return cti.shorten(cti.printable(text), limit)


def explain(err: cti.GrandstreamCTIError, command: str | None = None) -> Explanation:
    """Return what to tell the user about a client error (its reason and details).

    command names the command that failed (button key or action), if any.
    """
    if isinstance(err, cti.GrandstreamCTITimeoutError) and command is not None:
        # The phone may still carry it out (it did, 15 s later, once).
        return Explanation("command_timeout")
    return Explanation(err.reason, err.details)


def setup_failed(err: cti.GrandstreamCTIError) -> HomeAssistantError:
    """Return what a failed setup raises: reauth, a fatal error, or a retry."""
    explanation = explain(err)
    if isinstance(err, cti.GrandstreamCTIAuthenticationError):
        return explanation.error(ConfigEntryAuthFailed)
    if isinstance(
        err, cti.GrandstreamCTIWrongDeviceError | cti.GrandstreamCTIApiChangedError
    ):
        return explanation.error(ConfigEntryError)
    # UpdateFailed: the first refresh turns it into a retry.
    return explanation.error(UpdateFailed)


def update_failed(err: cti.GrandstreamCTIError) -> HomeAssistantError:
    """Return what a failed refresh raises (a rejected password stops polling)."""
    explanation = explain(err)
    if isinstance(err, cti.GrandstreamCTIAuthenticationError):
        return explanation.error(ConfigEntryAuthFailed)
    return explanation.error(UpdateFailed)


def command_failed(err: cti.GrandstreamCTIError, command: str) -> HomeAssistantError:
    """Return the error an action or button raises for a client error."""
    return explain(err, command).error(HomeAssistantError)
