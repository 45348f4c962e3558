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


def _error[E: HomeAssistantError](
    kind: type[E], key: str, placeholders: dict[str, str] | None = None
) -> E:
    return kind(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or {},
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
    return _error(kind, err.reason, err.details)


def command_failed(err: cti.GrandstreamCTIError) -> HomeAssistantError:
    """Return the error an action or button raises for a client error."""
    if isinstance(err, cti.GrandstreamCTITimeoutError):
        # The phone may still carry it out (it did, 15 s later, once).
        return _error(HomeAssistantError, "command_timeout")
    return _error(HomeAssistantError, err.reason, err.details)


def message(
    kind: type[HomeAssistantError], key: str, **placeholders: str
) -> HomeAssistantError:
    """Return an error of this kind with one of our translated messages."""
    return _error(kind, key, placeholders)
