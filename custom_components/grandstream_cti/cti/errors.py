"""Errors raised by the client.

Every message says what to do and none contains the password: aiohttp errors
carry the request URL (with the passcode in its query string), so the client
never chains or formats them.
"""

from __future__ import annotations

from enum import StrEnum


class GrandstreamCTIError(Exception):
    """Base class of every error the client raises."""


class GrandstreamCTIConnectionError(GrandstreamCTIError):
    """The phone could not be reached (refused, reset, DNS)."""


class GrandstreamCTITimeoutError(GrandstreamCTIConnectionError):
    """The phone did not answer in time."""


class GrandstreamCTICertificateError(GrandstreamCTIConnectionError):
    """The phone's HTTPS certificate failed verification."""


class GrandstreamCTIAuthenticationError(GrandstreamCTIError):
    """The phone rejected the password (or the account may not log in).

    Once raised, the client sends nothing more with this password: phones
    lock web logins after 5 failures.
    """

    def __init__(self, message: str, *, attempts_left: int | None = None) -> None:
        """Keep how many attempts the phone says are left, when it says."""
        super().__init__(message)
        self.attempts_left = attempts_left


class GrandstreamCTILockedError(GrandstreamCTIAuthenticationError):
    """The phone locked web logins after too many failures."""

    def __init__(self, message: str, *, minutes: int | None = None) -> None:
        """Keep how long the lock lasts, when the phone says."""
        super().__init__(message)
        self.minutes = minutes


class GrandstreamCTIUserNotAllowedError(GrandstreamCTIAuthenticationError):
    """Web access is disabled for this account (e.g. `user` before admin enables it)."""


class GrandstreamCTIPermissionError(GrandstreamCTIError):
    """Logged in, but this account's role may not do this (e.g. battery as user)."""


class GrandstreamCTIAccessDeniedError(GrandstreamCTIError):
    """CTI is disabled on the phone or this host is not in its allowed IP list."""


class CommandRefusal(StrEnum):
    """Why the phone refused a command, as far as its answer tells."""

    # `false`: nothing to act on (no ringing call to answer, ...).
    NOTHING_TO_ACT_ON = "nothing_to_act_on"
    # `unknown`: unknown request or key.
    UNKNOWN = "unknown"
    # `failed`: could not be carried out (or Action URI is off for this host).
    FAILED = "failed"
    # `Invalid Request` (make call): Click-To-Dial off, no usable account ...
    INVALID_REQUEST = "invalid_request"
    # Anything else the phone said.
    OTHER = "other"


class GrandstreamCTICommandError(GrandstreamCTIError):
    """The phone refused a command; `refusal` says how it answered."""

    def __init__(
        self, message: str, *, refusal: CommandRefusal = CommandRefusal.OTHER
    ) -> None:
        """Keep the kind of refusal for callers that explain it to users."""
        super().__init__(message)
        self.refusal = refusal


class GrandstreamCTIWriteRejectedError(GrandstreamCTIError):
    """The phone said "success" to a configuration write but changed nothing.

    Phones silently ignore writes the account's role may not make and values
    that are too long; only reading back tells.
    """

    def __init__(self, message: str, *, keys: tuple[str, ...]) -> None:
        """Keep the keys that did not take the new value."""
        super().__init__(message)
        self.keys = keys


class GrandstreamCTIUnsupportedError(GrandstreamCTIError):
    """The phone does not offer what was asked (no session API, old firmware)."""


class GrandstreamCTIResponseError(GrandstreamCTIError):
    """The phone answered something the client does not understand."""
