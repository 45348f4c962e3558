"""Client errors as Home Assistant errors: the one place they are mapped.

Each client error names its reason (a translation key) and details (the
placeholders); here they become what setup, a refresh or a command raises.
"""

from __future__ import annotations

from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    ConfigEntryError,
    HomeAssistantError,
)
from homeassistant.helpers.update_coordinator import UpdateFailed

from . import cti
from .const import DOMAIN


def quote(text: str, limit: int = 40) -> str:
    """Return user input or phone text fit to quote in a message."""
    return cti.shorten(cti.printable(text), limit)


def message[E: HomeAssistantError](kind: type[E], key: str, **placeholders: str) -> E:
    """Return an error of this kind with one of our translated messages."""
    return kind(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders,
    )


def read_failed(
    err: cti.GrandstreamCTIError, *, setup: bool = False
) -> HomeAssistantError:
    """Return what a failed setup or refresh raises: reauth, fatal, or retry."""
    kind: type[HomeAssistantError] = UpdateFailed
    if isinstance(err, cti.GrandstreamCTIAuthenticationError):
        kind = ConfigEntryAuthFailed
    elif setup and isinstance(
        err, cti.GrandstreamCTIWrongDeviceError | cti.GrandstreamCTIApiChangedError
    ):
        kind = ConfigEntryError
    return message(kind, err.reason, **err.details)


def command_failed(err: cti.GrandstreamCTIError) -> HomeAssistantError:
    """Return the error an action or button raises for a client error."""
    if isinstance(err, cti.GrandstreamCTITimeoutError):
        # The phone may still carry it out (it did, 15 s later, once).
        return message(HomeAssistantError, "command_timeout")
    return message(HomeAssistantError, err.reason, **err.details)
