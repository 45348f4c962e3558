"""Decoding of the web session API's answers (session-spec §2-§4).

Pure functions, like parsing.py. The session API's envelopes vary by
endpoint: login and config writes use `{"response", "body"}`, config_get has
no `response` on success, battery and Wi-Fi put their data beside `response`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
import hashlib
import math
import re
from typing import Final

from .address import normalize_mac
from .errors import (
    GrandstreamCTIAuthenticationError,
    GrandstreamCTILockedError,
    GrandstreamCTIResponseError,
)
from .models import Battery, SessionInfo, WifiStatus
from .parsing import (
    INVALID,
    as_bool,
    as_int,
    as_str,
    check_user_allowed,
    excerpt,
    loads_lenient,
)
from .settings import ConfigValue
from .wire import (
    BODY_LOCKED,
    BODY_LOCKOUT,
    BODY_UNAUTHORIZED,
    BODY_WRONG,
    CONFIG_ALIAS,
    CONFIG_CONFIGS,
    CONFIG_PVALUE,
    CONFIG_STATUS,
    CONFIG_STATUS_RIGHT,
    CONFIG_VALUE,
    ENVELOPE_BODY,
    ENVELOPE_RESPONSE,
    LOGIN_DEFAULT_AUTH,
    LOGIN_LOCK_TIME,
    LOGIN_MAC,
    LOGIN_ROLE,
    LOGIN_SID,
    LOGIN_VERSION,
    RESPONSE_ERROR,
    RESPONSE_SUCCESS,
    ROLE_ADMIN,
    ROLE_USER,
    SESSION_EXPIRED,
)

MESSAGE_WRONG_CREDENTIALS: Final = (
    "The phone rejected the username or password; check them"
)
_NONE: Final = ConfigValue("")
_WRONG_RE: Final = re.compile(rf"{BODY_WRONG}\s*(\d{{1,3}})?")


def sha256_hex(text: str) -> str:
    """Return the lower-case hex SHA-256 of text (UTF-8), as the web UI computes."""
    return hashlib.sha256(text.encode()).hexdigest()


def _object(text: str) -> dict[str, object] | None:
    value = loads_lenient(text)
    return value if isinstance(value, dict) else None


def _response(value: Mapping[str, object]) -> str:
    raw = value.get(ENVELOPE_RESPONSE)
    return raw.strip().lower() if isinstance(raw, str) else ""


def parse_nonce(text: str) -> str | None:
    """Return the nonce of an `access` answer, or None if it is not one."""
    value = _object(text)
    if value is None or _response(value) != RESPONSE_SUCCESS:
        return None
    body = value.get(ENVELOPE_BODY)
    if isinstance(body, str) and body.strip():
        return body.strip()
    return None


def parse_lockout(text: str) -> bool | None:
    """Return True if `api-get_lockout` says locked, False if not, None if unclear."""
    value = _object(text)
    if value is None or _response(value) != RESPONSE_SUCCESS:
        return None
    body = value.get(ENVELOPE_BODY)
    if not isinstance(body, str):
        return None
    return body.strip().lower() == BODY_LOCKOUT


def _role(raw: object, sid: str) -> str | None:
    """Return admin/user from a plain or hashed (sha256(role + sid)) role."""
    text = as_str(raw).lower()
    for name in (ROLE_ADMIN, ROLE_USER):
        if text in (name, sha256_hex(name + sid)):
            return name
    return None


def parse_login(text: str, *, secrets: Iterable[str] = ()) -> tuple[str, SessionInfo]:
    """Return (sid, facts) of a `dologin` answer, or raise why it failed.

    Raises GrandstreamCTIAuthenticationError (attempts left from `wrongN`),
    GrandstreamCTILockedError (minutes from `lockTime`),
    GrandstreamCTIUserNotAllowedError, or GrandstreamCTIResponseError for an
    answer that is none of these.
    """
    value = _object(text)
    if value is None:
        raise GrandstreamCTIResponseError(
            "The phone answered the login with something that is not JSON: "
            f"{excerpt(text, secrets)!r}"
        )
    body = value.get(ENVELOPE_BODY)
    if isinstance(body, str) and body.strip().startswith("{"):
        # Some firmware sends the body as a JSON-encoded string.
        decoded = loads_lenient(body)
        if decoded is not INVALID:
            body = decoded
    response = _response(value)
    if response == RESPONSE_SUCCESS and isinstance(body, dict):
        sid = as_str(body.get(LOGIN_SID))
        if sid:
            return sid, SessionInfo(
                role=_role(body.get(LOGIN_ROLE), sid),
                firmware=as_str(body.get(LOGIN_VERSION)) or None,
                mac=as_str(body.get(LOGIN_MAC)) or None,
                default_password=as_bool(body.get(LOGIN_DEFAULT_AUTH)),
            )
    if response == RESPONSE_ERROR and isinstance(body, str):
        word = " ".join(body.strip().lower().split())
        if match := _WRONG_RE.fullmatch(word):
            left = None if match.group(1) is None else int(match.group(1))
            raise GrandstreamCTIAuthenticationError(
                MESSAGE_WRONG_CREDENTIALS
                + ("" if left is None else f" ({left} attempts left before it locks)"),
                attempts_left=left,
            )
        if word == BODY_LOCKED:
            minutes = lock_minutes(value.get(LOGIN_LOCK_TIME))
            raise GrandstreamCTILockedError(
                "The phone locked web logins after too many wrong passwords"
                + ("" if minutes is None else f" for {minutes} minutes"),
                minutes=minutes,
            )
    if response == RESPONSE_ERROR:
        check_user_allowed(value)
    raise GrandstreamCTIResponseError(
        f"The phone answered the login unexpectedly: {excerpt(text, secrets)!r}"
    )


def lock_minutes(raw: object) -> int | None:
    """Return the minutes a lock lasts from a `lockTime`.

    Its unit differs: a WP826 client reads minutes (5), Grandstream's own
    GDS/GSC library seconds (300). No lock is a few seconds or hours long,
    so up to 60 reads as minutes and more as seconds.
    """
    value = as_int(raw)
    if value is None or value <= 0:
        return None
    return value if value <= 60 else math.ceil(value / 60)


def session_expired(status: int, text: str) -> bool:
    """Return True when an answer means "log in (again)" (session-spec §2.9)."""
    if status == 401:
        return True
    lowered = text.lower()
    if SESSION_EXPIRED in lowered or ("session" in lowered and "expir" in lowered):
        return True
    if BODY_UNAUTHORIZED not in lowered:
        # Most answers: no second JSON decoding on the polling path.
        return False
    if lowered.strip().strip("\"'") == BODY_UNAUTHORIZED:
        return True
    value = _object(text)
    return value is not None and (
        as_str(value.get(ENVELOPE_BODY)).lower() == BODY_UNAUTHORIZED
        or _response(value) == BODY_UNAUTHORIZED
    )


def config_key(key: str) -> str:
    """Return a configuration key as config_get writes it: "P8310" → "8310"."""
    key = key.strip()
    if len(key) > 1 and key[0] in "Pp" and key[1:].isdigit():
        return key[1:]
    return key


def parse_config_entries(
    text: str, keys: Iterable[str], *, secrets: Iterable[str] = ()
) -> dict[str, ConfigValue]:
    """Return value and alias of each key in a config_get answer.

    A key missing from the answer reads as an empty value without alias (the
    phone lacks it).
    """
    value = _object(text)
    configs = None if value is None else value.get(CONFIG_CONFIGS)
    if not isinstance(configs, list):
        raise GrandstreamCTIResponseError(
            f"The phone answered config_get unexpectedly: {excerpt(text, secrets)!r}"
        )
    found: dict[str, ConfigValue] = {}
    for item in configs:
        if isinstance(item, dict):
            key = config_key(as_str(item.get(CONFIG_PVALUE)))
            raw = item.get(CONFIG_VALUE)
            found[key] = ConfigValue(
                raw if isinstance(raw, str) else as_str(raw),
                as_str(item.get(CONFIG_ALIAS)),
            )
    return {config_key(key): found.get(config_key(key), _NONE) for key in keys}


def parse_config_get(
    text: str, keys: Iterable[str], *, secrets: Iterable[str] = ()
) -> dict[str, str]:
    """Return the values of a config_get answer for keys ("" when unknown)."""
    entries = parse_config_entries(text, keys, secrets=secrets)
    return {key: entry.value for key, entry in entries.items()}


def parse_values_get(
    text: str, keys: Iterable[str], *, secrets: Iterable[str] = ()
) -> dict[str, ConfigValue]:
    """Return the values of an api.values.get answer (keys echoed as requested).

    This API names no aliases: a key it answers is one the phone has.
    """
    value = _object(text)
    body = None if value is None else value.get(ENVELOPE_BODY)
    if (
        value is None
        or _response(value) != RESPONSE_SUCCESS
        or not isinstance(body, dict)
    ):
        raise GrandstreamCTIResponseError(
            "The phone answered api.values.get unexpectedly: "
            f"{excerpt(text, secrets)!r}"
        )
    normalized = {config_key(str(key)): item for key, item in body.items()}
    result: dict[str, ConfigValue] = {}
    for key in keys:
        raw = normalized.get(config_key(key), "")
        result[config_key(key)] = ConfigValue(
            raw if isinstance(raw, str) else as_str(raw),
            answered=config_key(key) in normalized,
        )
    return result


def check_config_write(text: str, *, secrets: Iterable[str] = ()) -> None:
    """Raise unless a config write answered success (body.status "right")."""
    value = _object(text)
    if value is not None:
        body = value.get(ENVELOPE_BODY)
        status = (
            as_str(body.get(CONFIG_STATUS)).lower() if isinstance(body, dict) else ""
        )
        if _response(value) == RESPONSE_SUCCESS and status in ("", CONFIG_STATUS_RIGHT):
            return
        if status == CONFIG_STATUS_RIGHT:
            return
    raise GrandstreamCTIResponseError(
        f"The phone refused the configuration change: {excerpt(text, secrets)!r}"
    )


def parse_battery(text: str, *, secrets: Iterable[str] = ()) -> Battery:
    """Return the battery of an `api-get_battery_status` answer."""
    value = _object(text)
    battery = None if value is None else value.get("battery")
    if not isinstance(battery, dict):
        raise GrandstreamCTIResponseError(
            "The phone answered the battery status unexpectedly: "
            f"{excerpt(text, secrets)!r}"
        )
    capacity = as_int(battery.get("capacity"))
    return Battery(
        capacity=capacity if capacity is not None and 0 <= capacity <= 100 else None,
        status=as_str(battery.get("status")),
        present=as_bool(battery.get("present")),
        health=as_str(battery.get("health")),
    )


def parse_wifi(text: str, *, secrets: Iterable[str] = ()) -> WifiStatus:
    """Return the Wi-Fi status of an `api-wifi_status_get` answer."""
    value = _object(text)
    status = None if value is None else value.get("status")
    if not isinstance(status, dict):
        raise GrandstreamCTIResponseError(
            "The phone answered the Wi-Fi status unexpectedly: "
            f"{excerpt(text, secrets)!r}"
        )
    connection = status.get("connection")
    details = connection if isinstance(connection, dict) else {}
    return WifiStatus(
        signal=as_int(status.get("signal")),
        connected=as_bool(status.get("connected")),
        ssid=as_str(details.get("ssid")),
        mac=normalize_mac(as_str(details.get(LOGIN_MAC))),
    )
