"""Action URL push: the events a phone reports and the variables it fills in.

The phone calls a configured URL (one field per event, `P8304`...) with
`$variables` replaced by raw, not URL-encoded, values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final
from urllib.parse import unquote

from .settings import ConfigValue


class ActionUrlEvent(StrEnum):
    """Events the phone can push, named after its Action URL fields."""

    SETUP_COMPLETED = "setup_completed"
    REGISTERED = "registered"
    UNREGISTERED = "unregistered"
    OFF_HOOK = "off_hook"
    ON_HOOK = "on_hook"
    INCOMING_CALL = "incoming_call"
    OUTGOING_CALL = "outgoing_call"
    MISSED_CALL = "missed_call"
    ESTABLISHED_CALL = "established_call"
    TERMINATED_CALL = "terminated_call"
    REJECTED_CALL = "rejected_call"
    DND_ON = "dnd_on"
    DND_OFF = "dnd_off"
    HOLD = "hold"
    UNHOLD = "unhold"
    IDLE_TO_BUSY = "idle_to_busy"
    BUSY_TO_IDLE = "busy_to_idle"
    # WP8x6 only (session-spec §4.5).
    ANSWERED = "answered"
    BATTERY_LOW = "battery_low"
    BATTERY_OK = "battery_ok"


# The phone's configuration field (P-value) for each event.
ACTION_URL_FIELDS: Final[dict[ActionUrlEvent, str]] = {
    ActionUrlEvent.SETUP_COMPLETED: "P8304",
    ActionUrlEvent.REGISTERED: "P8305",
    ActionUrlEvent.UNREGISTERED: "P8306",
    ActionUrlEvent.OFF_HOOK: "P8308",
    ActionUrlEvent.ON_HOOK: "P8309",
    ActionUrlEvent.INCOMING_CALL: "P8310",
    ActionUrlEvent.OUTGOING_CALL: "P8311",
    ActionUrlEvent.MISSED_CALL: "P8312",
    ActionUrlEvent.ESTABLISHED_CALL: "P8313",
    ActionUrlEvent.TERMINATED_CALL: "P8314",
    ActionUrlEvent.REJECTED_CALL: "P8315",
    ActionUrlEvent.DND_ON: "P8316",
    ActionUrlEvent.DND_OFF: "P8317",
    ActionUrlEvent.HOLD: "P8324",
    ActionUrlEvent.UNHOLD: "P8325",
    ActionUrlEvent.IDLE_TO_BUSY: "P8328",
    ActionUrlEvent.BUSY_TO_IDLE: "P8329",
    ActionUrlEvent.ANSWERED: "P22171",
    ActionUrlEvent.BATTERY_LOW: "P22568",
    ActionUrlEvent.BATTERY_OK: "P22570",
}

# Variables the phone substitutes (`$name` in the URL).
ACTION_URL_VARIABLES: Final = (
    "phone_ip",
    "mac",
    "product",
    "program_version",
    "hardware_version",
    "local",
    "display_local",
    "remote",
    "display_remote",
    "active_user",
    "call-id",
    "duration",
    "calldirection",
    "battery",
)

# URLs longer than this are silently dropped by the phone.
ACTION_URL_MAX_LENGTH: Final = 256

# The parameter that names the event in the URLs we hand out.
EVENT_PARAMETER: Final = "event"

# The events about calls (the others: registration, DND, battery, hook).
CALL_EVENTS: Final = frozenset(
    {
        ActionUrlEvent.INCOMING_CALL,
        ActionUrlEvent.OUTGOING_CALL,
        ActionUrlEvent.ESTABLISHED_CALL,
        ActionUrlEvent.MISSED_CALL,
        ActionUrlEvent.TERMINATED_CALL,
        ActionUrlEvent.REJECTED_CALL,
        ActionUrlEvent.HOLD,
        ActionUrlEvent.UNHOLD,
        ActionUrlEvent.ANSWERED,
    }
)

# The events a client that follows a phone's state wants pushed: calls, then
# registration, DND and (Wi-Fi handsets, the last two) the battery.
FOLLOWED_EVENTS: Final = (
    ActionUrlEvent.INCOMING_CALL,
    ActionUrlEvent.OUTGOING_CALL,
    ActionUrlEvent.MISSED_CALL,
    ActionUrlEvent.ESTABLISHED_CALL,
    ActionUrlEvent.TERMINATED_CALL,
    ActionUrlEvent.REJECTED_CALL,
    ActionUrlEvent.DND_ON,
    ActionUrlEvent.DND_OFF,
    ActionUrlEvent.HOLD,
    ActionUrlEvent.UNHOLD,
    ActionUrlEvent.REGISTERED,
    ActionUrlEvent.UNREGISTERED,
    ActionUrlEvent.BATTERY_LOW,
    ActionUrlEvent.BATTERY_OK,
)

# What each URL we hand out carries. No display names: the phone does not
# URL-encode, and a raw space would break the HTTP request line.
SUGGESTED_VARIABLES: Final = ("mac", "remote", "active_user", "call-id")


def build_action_url(base: str, event: ActionUrlEvent) -> str:
    """Return the Action URL to paste into the phone's field for one event.

    base is where the phone should send it (e.g. a webhook URL). Variables
    stay as `$name` for the phone to fill in.
    """
    separator = "&" if "?" in base else "?"
    params = "&".join(f"{name}=${name}" for name in SUGGESTED_VARIABLES)
    return f"{base}{separator}{EVENT_PARAMETER}={event.value}&{params}"


def action_urls(base: str, events: Iterable[ActionUrlEvent]) -> dict[str, str]:
    """Return, per phone field (P-value), the Action URL for each event."""
    return {ACTION_URL_FIELDS[event]: build_action_url(base, event) for event in events}


def parse_action_url_params(raw: str) -> dict[str, str]:
    """Return the parameters of a pushed request, as the phone sent them.

    raw is the request's path and query, undecoded. Both `?k=v&...` and the
    guides' path style `/k=v&...` are read. `+` stays `+` (the phone sends a
    leading `+` of a number raw), percent escapes are decoded, and variables
    the phone left unsubstituted (`remote=$remote`) read as empty.
    """
    path, _, query = raw.partition("?")
    pieces = query.split("&") if query else []
    last_segment = path.rsplit("/", 1)[-1]
    if "=" in last_segment:
        pieces = last_segment.split("&") + pieces
    params: dict[str, str] = {}
    for piece in pieces:
        key, sep, value = piece.partition("=")
        if not sep or not key:
            continue
        key, value = unquote(key), unquote(value)
        params[key] = "" if value == f"${key}" else value
    return params


def parse_action_url_event(params: dict[str, str]) -> ActionUrlEvent | None:
    """Return the event a pushed request names, or None if it names none."""
    try:
        return ActionUrlEvent(params.get(EVENT_PARAMETER, ""))
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class SlotPlan:
    """What to write into a phone's Action URL keys (keys without the P)."""

    # The URLs to write (free slots, or slots already ours).
    write: dict[str, str]
    # Keys another system uses: left alone.
    taken: tuple[str, ...]
    # Keys the phone does not have (no alias, no value): not a failure.
    missing: tuple[str, ...]


def plan_action_url_slots(
    current: Mapping[str, ConfigValue],
    wanted: Mapping[str, str],
    ours: Callable[[str], bool],
) -> SlotPlan:
    """Decide which of the wanted keys get our URL.

    current: the phone's answer for those keys; ours: whether a value is one
    of our URLs (this entry's, or a stale one we may reclaim).
    """
    write: dict[str, str] = {}
    taken: list[str] = []
    missing: list[str] = []
    for key, url in wanted.items():
        slot = current.get(key, ConfigValue(""))
        if not slot.exists:
            missing.append(key)
        elif slot.value.strip() and not ours(slot.value):
            taken.append(key)
        else:
            write[key] = url
    return SlotPlan(write, tuple(sorted(taken)), tuple(missing))
