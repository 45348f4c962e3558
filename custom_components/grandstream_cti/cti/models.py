"""Typed results of the CTI API, shared by the client and the simulator."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class LineState(StrEnum):
    """State of one line appearance (`api-get_line_status`)."""

    IDLE = "idle"
    RINGING = "ringing"
    CALLING = "calling"
    DIALING = "dialing"
    CONNECTED = "connected"
    ONHOLD = "onhold"
    FAILED = "failed"
    TRANSFERRING = "transferring"
    CONFERENCE = "conference"
    PAGING = "paging"
    ENDING = "ending"
    # Any state the spec does not list; the raw value is kept beside it.
    UNKNOWN = "unknown"


class PhoneStatus(StrEnum):
    """Phone-wide status (`api-get_phone_status`)."""

    AVAILABLE = "available"
    BUSY = "busy"
    RINGING = "ringing"
    DND = "dnd"
    # The phone answers `unavailable`: logged in, but no account registered.
    # (Home Assistant reserves the word "unavailable" for entities.)
    NOT_REGISTERED = "not_registered"
    UNKNOWN = "unknown"


class PhoneOperation(StrEnum):
    """Commands of `api-phone_operation` (the value is the wire `cmd`)."""

    END_CALL = "endcall"
    HOLD_CALL = "holdcall"
    ACCEPT_CALL = "acceptcall"
    REJECT_CALL = "rejectcall"
    CANCEL = "cancel"


# States in which a line carries an established call. States the spec does
# not list count as busy, so UNKNOWN is here too.
LINE_STATES_IN_CALL = frozenset(
    {
        LineState.CONNECTED,
        LineState.ONHOLD,
        LineState.TRANSFERRING,
        LineState.CONFERENCE,
        LineState.PAGING,
        LineState.UNKNOWN,
    }
)


@dataclass(frozen=True, slots=True)
class Line:
    """One line appearance."""

    line: int
    state: LineState
    raw_state: str
    # Account of the call as the phone sent it: 1-based on some firmware,
    # 0-based on others, None while idle.
    account: int | None = None
    remote_name: str = ""
    remote_number: str = ""
    active: bool | None = None
    conference: bool | None = None

    @property
    def is_idle(self) -> bool:
        """Return True when the line carries nothing."""
        return self.state is LineState.IDLE

    @property
    def is_ringing(self) -> bool:
        """Return True when an incoming call rings on this line."""
        return self.state is LineState.RINGING

    @property
    def in_call(self) -> bool:
        """Return True when a call is established (talking, held, ...)."""
        return self.state in LINE_STATES_IN_CALL


@dataclass(frozen=True, slots=True)
class PhoneState:
    """Phone-wide status with the raw value the phone sent."""

    status: PhoneStatus
    raw: str


@dataclass(frozen=True, slots=True)
class Account:
    """One SIP account of the phone (`api-get_accounts`)."""

    id: int
    name: str = ""
    sip_id: str = ""
    sip_server: str = ""
    registered: bool = False

    @property
    def configured(self) -> bool:
        """Return True when the account has a SIP user id."""
        return bool(self.sip_id)


class ApiKind(StrEnum):
    """Which API the client talks to a phone through."""

    # `/cgi-bin/api-*?passcode=`: GRP26xx, GXP, GSC.
    PASSCODE = "passcode"
    # Login, then `sid`: WP8x6 only; GRP26xx, GXP and GSC too.
    SESSION = "session"


class LoginVariant(StrEnum):
    """How a session phone takes the password (session-spec §2.2, §2.3)."""

    # `access` challenge, then `dologin` with sha256(password + nonce).
    CHALLENGE = "challenge"
    # `dologin` with the plain password (GXP16xx 1.0.7.x).
    PLAIN = "plain"


@dataclass(frozen=True, slots=True)
class PhoneApi:
    """What the unauthenticated probes found out about a phone's API."""

    kind: ApiKind
    login: LoginVariant | None = None

    def as_data(self) -> dict[str, str | None]:
        """Return the API as settings to store: `api` (kind) and `login`."""
        return {"api": self.kind.value, "login": self.login and self.login.value}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> PhoneApi | None:
        """Return the API `as_data` stored, or None when none (or no known one) is."""
        try:
            kind = ApiKind(data.get("api", ""))
            login = data.get("login") if kind is ApiKind.SESSION else None
            return cls(kind, LoginVariant(login) if login else None)
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """What a successful login tells: role, and on most firmware MAC and version."""

    role: str | None = None
    firmware: str | None = None
    mac: str | None = None
    # The factory password is still in use.
    default_password: bool | None = None


@dataclass(frozen=True, slots=True)
class Battery:
    """A Wi-Fi handset's battery (`api-get_battery_status`)."""

    capacity: int | None = None
    status: str = ""
    present: bool | None = None
    health: str = ""


@dataclass(frozen=True, slots=True)
class WifiStatus:
    """A Wi-Fi handset's connection (`api-wifi_status_get`)."""

    signal: int | None = None
    connected: bool | None = None
    ssid: str = ""
    mac: str | None = None


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """Facts readable without a passcode; every field may be missing."""

    model: str | None = None
    firmware: str | None = None
    num_accounts: int | None = None
    num_lines: int | None = None
    mac: str | None = None
