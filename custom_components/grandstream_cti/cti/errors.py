"""Errors raised by the client.

Every message says what to do and none contains the password: aiohttp errors
carry the request URL (with the passcode in its query string), so the client
never chains or formats them. Each error names its `reason` (a stable code a
caller can translate) and the `details` that go with it.
"""

from __future__ import annotations

from enum import StrEnum


class GrandstreamCTIError(Exception):
    """Base class of every error the client raises."""

    reason: str = "unexpected_answer"

    @property
    def details(self) -> dict[str, str]:
        """Return the facts that complete the reason (for messages)."""
        text = " ".join("".join(c for c in str(self) if c.isprintable()).split())
        return {"error": text if len(text) <= 200 else text[:199] + "…"}


class GrandstreamCTIConnectionError(GrandstreamCTIError):
    """The phone could not be reached (refused, reset, DNS), or is busy (5xx)."""

    reason = "cannot_connect"

    @property
    def details(self) -> dict[str, str]:
        """Return no details."""
        return {}


class GrandstreamCTITimeoutError(GrandstreamCTIConnectionError):
    """The phone did not answer in time."""

    reason = "timeout"


class GrandstreamCTICertificateError(GrandstreamCTIConnectionError):
    """The phone's HTTPS certificate failed verification."""

    reason = "certificate_error"


class GrandstreamCTIAuthenticationError(GrandstreamCTIError):
    """The phone rejected the password (or the account may not log in).

    Once raised, the client sends nothing more with this password: phones
    lock web logins after 5 failures.
    """

    reason = "invalid_auth"

    def __init__(self, message: str, *, attempts_left: int | None = None) -> None:
        """Keep how many attempts the phone says are left, when it says."""
        super().__init__(message)
        self.attempts_left = attempts_left
        if attempts_left is not None:
            self.reason = "invalid_auth_attempts"

    @property
    def details(self) -> dict[str, str]:
        """Return the attempts left, when the phone tells them."""
        left = self.attempts_left
        return {} if left is None else {"attempts": str(left)}


class GrandstreamCTIUserNotAllowedError(GrandstreamCTIAuthenticationError):
    """The phone does not let this account in.

    WP8x6: the `user` account before the admin enables its web access; GSC/GDS:
    Home Assistant control is turned off on the device.
    """

    reason = "user_not_allowed"


class GrandstreamCTILockedError(GrandstreamCTIError):
    """The phone locked web logins after too many failures (ours or anyone's).

    Not a wrong password: the client sends the password again, once, when
    the lock should be over.
    """

    reason = "locked_unknown"

    def __init__(self, message: str, *, minutes: int | None = None) -> None:
        """Keep how long the lock lasts, when the phone says."""
        super().__init__(message)
        self.minutes = minutes
        if minutes is not None:
            self.reason = "locked"

    @property
    def details(self) -> dict[str, str]:
        """Return the minutes the lock lasts, when known."""
        return {} if self.minutes is None else {"minutes": str(self.minutes)}


class GrandstreamCTIWrongDeviceError(GrandstreamCTIError):
    """Another phone answers at this address (its MAC is not the expected one).

    Once raised, the client sends nothing more to that address.
    """

    reason = "wrong_device"

    def __init__(self, message: str, *, mac: str = "") -> None:
        """Keep the MAC the device told."""
        super().__init__(message)
        self.mac = mac

    @property
    def details(self) -> dict[str, str]:
        """Return the other phone's MAC."""
        return {"mac": self.mac}


class GrandstreamCTISessionTakenError(GrandstreamCTIError):
    """Someone else keeps taking the phone's only web session for this account.

    The client waits before logging in again, so a person using the phone's
    web page is not logged out at every poll.
    """

    reason = "session_taken"

    @property
    def details(self) -> dict[str, str]:
        """Return no details."""
        return {}


class GrandstreamCTIPermissionError(GrandstreamCTIError):
    """Logged in, but this account's role may not do this (e.g. battery as user)."""

    reason = "permission_denied"

    @property
    def details(self) -> dict[str, str]:
        """Return no details."""
        return {}


class GrandstreamCTIAccessDeniedError(GrandstreamCTIError):
    """The phone refused the request outright.

    Passcode API: CTI (Action URI Support) is off or this host is not in its
    allowed IP list. Session API (`session`): the phone refused it for
    another reason (the account's role, the function's state).
    """

    reason = "cti_disabled"

    def __init__(self, message: str, *, session: bool = False) -> None:
        """Keep which API refused."""
        super().__init__(message)
        self.session = session
        if session:
            self.reason = "session_refused"

    @property
    def details(self) -> dict[str, str]:
        """Return no details."""
        return {}


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


# Phone operations whose "nothing to act on" has its own reason.
_NOTHING_TO_ACT_ON = {
    "acceptcall": "no_call_to_accept",
    "rejectcall": "no_call_to_reject",
    "endcall": "no_call_to_end",
    "holdcall": "no_call_to_hold",
    "cancel": "no_call_to_cancel",
}


class GrandstreamCTICommandError(GrandstreamCTIError):
    """The phone refused a command; `refusal` says how it answered."""

    def __init__(
        self,
        message: str,
        *,
        refusal: CommandRefusal = CommandRefusal.OTHER,
        command: str = "",
    ) -> None:
        """Keep the kind of refusal and which command it was."""
        super().__init__(message)
        self.refusal = refusal
        self.command = command

    @property
    def reason(self) -> str:  # type: ignore[override]
        """Return the refusal as one reason: per command where it says more."""
        refusal, command = self.refusal, self.command
        if (
            refusal is CommandRefusal.NOTHING_TO_ACT_ON
            and command in _NOTHING_TO_ACT_ON
        ):
            return _NOTHING_TO_ACT_ON[command]
        if command == "make_call":
            if refusal is CommandRefusal.INVALID_REQUEST:
                return "make_call_invalid_request"
            return "make_call_refused"
        if refusal is CommandRefusal.UNKNOWN:
            return "unknown_request"
        return (
            "command_failed" if refusal is CommandRefusal.FAILED else "command_refused"
        )

    @property
    def details(self) -> dict[str, str]:
        """Return no details."""
        return {}


class GrandstreamCTIWriteRejectedError(GrandstreamCTIError):
    """The phone said "success" to a configuration write but changed nothing.

    Phones silently ignore writes the account's role may not make and values
    that are too long; only reading back tells.
    """

    reason = "write_rejected"

    def __init__(self, message: str, *, keys: tuple[str, ...] = ()) -> None:
        """Keep the keys that did not take the new value."""
        super().__init__(message)
        self.keys = keys

    @property
    def details(self) -> dict[str, str]:
        """Return the keys that did not take the new value."""
        return {"keys": ", ".join(self.keys)}


class GrandstreamCTIUnsupportedError(GrandstreamCTIError):
    """The phone does not offer what was asked (no session API, old firmware)."""

    reason = "unsupported"

    @property
    def details(self) -> dict[str, str]:
        """Return no details."""
        return {}


class GrandstreamCTIApiChangedError(GrandstreamCTIUnsupportedError):
    """The device no longer offers the login the phone proved it had.

    The client never falls back to another API (that could send the password
    in another form): only the user may change it (reconfigure).
    """

    reason = "api_changed"


class GrandstreamCTIResponseError(GrandstreamCTIError):
    """The phone answered something the client does not understand."""
