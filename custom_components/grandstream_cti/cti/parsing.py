"""Tolerant decoding of the phone's answers into the typed models.

Everything here is pure (no I/O) so it can be tested and fuzzed directly.

Tolerance rules (see the CTI spec, section 2 and the quirks):

* Bodies are decoded as UTF-8 (a BOM is dropped); bytes that are not UTF-8
  are read as Windows-1252, where typographic quotes live.
* JSON is tried as sent first; if that fails, typographic double quotes
  (U+201C, U+201D) and then typographic single quotes (U+2018, U+2019) and
  non-breaking spaces are replaced by their ASCII forms and parsing is tried
  again, so an apostrophe (U+2019) inside a valid JSON string is never altered.
* ``response`` is checked first (case-insensitive), then the body's type.
  Extra top-level keys (``misc``) are ignored.
* Line status: a list of objects is expected. A single object (with a
  ``line`` key) or an object of objects is accepted as the list it stands
  for. Entries that are not objects or have no usable ``line`` number are
  **skipped**; if the body had entries but none was usable the answer is a
  GrandstreamCTIResponseError.
* Numbers may arrive as strings; ``acct`` ``""``/missing/negative becomes
  None and is otherwise kept as sent (0- or 1-based: never shifted). An idle
  line has no account (real phones send ``"acct": 0`` on idle lines).
* Flags (``active``, ``conf``) accept bools, 0/1, "0"/"1", "true"/"false",
  "yes"/"no", "on"/"off"; anything else (or missing) becomes None.
* Unknown line states become LineState.UNKNOWN and unknown phone statuses
  PhoneStatus.UNKNOWN; the raw value is always kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
import json
import re
from typing import Final
import unicodedata
from urllib.parse import quote, quote_plus

from .errors import (
    CommandRefusal,
    GrandstreamCTIAccessDeniedError,
    GrandstreamCTIAuthenticationError,
    GrandstreamCTICommandError,
    GrandstreamCTIResponseError,
    GrandstreamCTIUserNotAllowedError,
)
from .models import Account, Line, LineState, ModelInfo, PhoneState, PhoneStatus
from .wire import (
    ACCOUNT_ID,
    ACCOUNT_NAME,
    ACCOUNT_REGISTERED,
    ACCOUNT_SIP_ID,
    ACCOUNT_SIP_SERVER,
    BODY_COMPLETE,
    BODY_FAILED,
    BODY_INVALID_REQUEST,
    BODY_SAVEREBOOT,
    BODY_UNAUTHORIZED,
    BODY_UNKNOWN,
    BODY_USER_NOT_ALLOWED,
    ENVELOPE_BODY,
    ENVELOPE_RESPONSE,
    LINE_ACCOUNT,
    LINE_ACTIVE,
    LINE_CONFERENCE,
    LINE_NUMBER,
    LINE_REMOTE_NAME,
    LINE_REMOTE_NUMBER,
    LINE_STATE,
    RESPONSE_ERROR,
    RESPONSE_SUCCESS,
)

MESSAGE_AUTHENTICATION: Final = (
    "The phone rejected the passcode; check the admin or user password"
)
MESSAGE_ACCESS_DENIED: Final = (
    "The phone denied access to its CTI API: enable Action URI Support and add "
    "this host to the Action URI Allowed IP List under Network → Remote Control "
    "(either one may be the cause; the phone does not say which)"
)

# Longest excerpt of a phone's answer quoted in an error message.
EXCERPT_LENGTH: Final = 60

_TYPOGRAPHIC_DOUBLE: Final = str.maketrans({"“": '"', "”": '"', "„": '"', "″": '"'})
_TYPOGRAPHIC_SINGLE: Final = str.maketrans(
    {
        "\u2018": '"',  # left single quotation mark
        "\u2019": '"',  # right single quotation mark
        "\u201a": '"',  # single low-9 quotation mark
        "\u2032": '"',  # prime
        "\u00a0": " ",  # no-break space
    }
)

_TRUE_WORDS: Final = frozenset({"1", "true", "yes", "on"})
_FALSE_WORDS: Final = frozenset({"0", "false", "no", "off"})

# Bodies meaning "refused" in a success or error envelope.
_REFUSAL_WORDS: Final = frozenset({BODY_FAILED, BODY_UNKNOWN, "false", "error"})
# Bodies meaning "done" for commands.
_DONE_WORDS: Final = frozenset(
    {BODY_COMPLETE, BODY_SAVEREBOOT, "true", "ok", "success", "reset", ""}
)

_LINE_STATE_ALIASES: Final[dict[str, LineState]] = {
    "hold": LineState.ONHOLD,
    "held": LineState.ONHOLD,
    "talking": LineState.CONNECTED,
    "incoming": LineState.RINGING,
    "outgoing": LineState.CALLING,
    "ringback": LineState.CALLING,
}
_PHONE_STATUS_ALIASES: Final[dict[str, PhoneStatus]] = {
    "idle": PhoneStatus.AVAILABLE,
    # "Logged in, but no account registered" on real firmware.
    "unavailable": PhoneStatus.NOT_REGISTERED,
    "not_registered": PhoneStatus.NOT_REGISTERED,
    # Some firmware says connected where others say busy.
    "connected": PhoneStatus.BUSY,
}


class _Invalid:
    """Marker for "this text is not JSON"."""


INVALID: Final = _Invalid()


@dataclass(frozen=True, slots=True)
class Envelope:
    """The decoded `{"response": ..., "body": ...}` answer."""

    # Lower-cased, stripped `response` value.
    response: str
    # The body as decoded (any JSON type, None when missing).
    body: object

    @property
    def success(self) -> bool:
        """Return True for a success envelope."""
        return self.response == RESPONSE_SUCCESS

    @property
    def error(self) -> bool:
        """Return True for an error envelope."""
        return self.response == RESPONSE_ERROR


# ---------------------------------------------------------------------------
# Text and JSON


def decode_bytes(data: bytes) -> str:
    """Return the text of a body whatever its Content-Type claimed."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def loads_lenient(text: str) -> object:
    """Return the JSON value of text, or INVALID.

    Tries the text as sent, then with typographic double quotes made ASCII,
    then with typographic single quotes and non-breaking spaces too.
    """
    candidate = text.strip().lstrip("\ufeff")
    if not candidate:
        return INVALID
    for translation in (None, _TYPOGRAPHIC_DOUBLE, _TYPOGRAPHIC_SINGLE):
        if translation is not None:
            candidate = candidate.translate(translation)
        value = _try_json(candidate)
        if value is not INVALID:
            return value
    return INVALID


def _try_json(text: str) -> object:
    try:
        value: object = json.loads(text)
    except (ValueError, RecursionError):
        return INVALID
    return value


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Return text with every secret (and its common URL encodings) masked."""
    for secret in secrets:
        if not secret:
            continue
        for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
            text = text.replace(form, "***")
    return text


def printable(text: str) -> str:
    """Return text on one line without control or format characters."""
    kept = (
        " " if char.isspace() else char
        for char in text
        if char.isspace() or not unicodedata.category(char).startswith("C")
    )
    return " ".join("".join(kept).split())


def shorten(text: str, limit: int = EXCERPT_LENGTH) -> str:
    """Return text cut to limit characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def excerpt(text: str, secrets: Iterable[str] = ()) -> str:
    """Return a short, single-line, printable, redacted excerpt of an answer."""
    return shorten(printable(redact(text, secrets)))


def _looks_like_html(text: str) -> bool:
    """Return True for markup (HTML/XML error pages): never JSON."""
    return text.lstrip().startswith("<")


def _is_unauthorized(value: object) -> bool:
    return isinstance(value, str) and value.strip().lower() == BODY_UNAUTHORIZED


def parse_envelope(
    text: str, function: str, *, secrets: Iterable[str] = ()
) -> Envelope:
    """Decode a CTI answer into an Envelope.

    Raises GrandstreamCTIAuthenticationError for an "unauthorized" answer in
    any form (plain text, JSON string, body or response), and
    GrandstreamCTIResponseError for HTML, non-JSON or a JSON value that is not
    an envelope.
    """
    stripped = text.strip()
    if _is_unauthorized(stripped.strip("\"'“”")):
        raise GrandstreamCTIAuthenticationError(MESSAGE_AUTHENTICATION)
    if not stripped:
        raise GrandstreamCTIResponseError(
            f"The phone answered {function} with an empty body"
        )
    if _looks_like_html(stripped):
        raise GrandstreamCTIResponseError(
            f"The phone answered {function} with an HTML page instead of JSON; "
            "is this a Grandstream phone with the CTI API?"
        )
    value = loads_lenient(stripped)
    if value is INVALID:
        raise GrandstreamCTIResponseError(
            f"The phone answered {function} with something that is not JSON: "
            f"{excerpt(stripped, secrets)!r}"
        )
    if not isinstance(value, dict) or ENVELOPE_RESPONSE not in value:
        raise GrandstreamCTIResponseError(
            f"The phone answered {function} with JSON that is not a CTI "
            f"envelope: {excerpt(stripped, secrets)!r}"
        )
    raw_response = value[ENVELOPE_RESPONSE]
    response = raw_response.strip().lower() if isinstance(raw_response, str) else ""
    body = value.get(ENVELOPE_BODY)
    if _is_unauthorized(body) or response == BODY_UNAUTHORIZED:
        raise GrandstreamCTIAuthenticationError(MESSAGE_AUTHENTICATION)
    if response == RESPONSE_ERROR:
        check_user_allowed(value)
    if response not in (RESPONSE_SUCCESS, RESPONSE_ERROR):
        raise GrandstreamCTIResponseError(
            f"The phone answered {function} with an unknown response value: "
            f"{excerpt(str(raw_response), secrets)!r}"
        )
    return Envelope(response=response, body=body)


def check_user_allowed(value: Mapping[str, object]) -> None:
    """Raise GrandstreamCTIUserNotAllowedError for "user is not allow".

    WP8x6 put it in `body` (the `user` account's web access is off); GDS/GSC
    in `message`, on any error answer (Home Assistant control is off).
    """
    for key in (ENVELOPE_BODY, "message"):
        text = value.get(key)
        if isinstance(text, str) and BODY_USER_NOT_ALLOWED in " ".join(
            text.lower().split()
        ):
            raise GrandstreamCTIUserNotAllowedError(
                "The phone does not let this account in: enable its web access "
                "(or Home Assistant control on the device), or use the admin account"
            )


def read_body(envelope: Envelope, function: str, *, session: bool = False) -> object:
    """Return the body of a read function's answer.

    An error envelope, or a "failed"/"error" body, is a refusal
    (GrandstreamCTIAccessDeniedError): on the passcode API, CTI is disabled
    or this host is not allowed; session says the session API refused.
    """
    body = envelope.body
    refused = isinstance(body, str) and body.strip().lower() in (
        BODY_FAILED,
        RESPONSE_ERROR,
    )
    if envelope.error or refused:
        if session:
            raise GrandstreamCTIAccessDeniedError(
                f"The phone refused {function}", session=True
            )
        raise GrandstreamCTIAccessDeniedError(
            f"{MESSAGE_ACCESS_DENIED} (refused {function})"
        )
    return body


def check_command(
    envelope: Envelope, what: str, *, secrets: Iterable[str] = ()
) -> None:
    """Check a command's answer; raise GrandstreamCTICommandError if refused.

    Success bodies: true, "complete", "savereboot" (and "true", "ok",
    "success", empty or missing). Refusals: an error envelope, or a success
    envelope whose body is false / "failed" / "unknown" / "error". Any other
    body shape (list, object, number) is a GrandstreamCTIResponseError.
    """
    body = envelope.body
    refused = envelope.error or body is False
    if isinstance(body, str) and body.strip().lower() in _REFUSAL_WORDS:
        refused = True
    if refused:
        refusal, reason = _refusal(body, secrets)
        raise GrandstreamCTICommandError(
            f"The phone refused {what}: {reason}", refusal=refusal, command=what
        )
    if body is True or body is None or isinstance(body, str):
        # "complete", "savereboot" and any other word in a success envelope:
        # the phone says it did it.
        return
    raise GrandstreamCTIResponseError(
        f"The phone answered {what} with an unexpected body of type "
        f"{type(body).__name__}"
    )


def _refusal(body: object, secrets: Iterable[str]) -> tuple[CommandRefusal, str]:
    """Return the kind of refusal and a short reason for a refused command."""
    if body is False or body is None:
        return CommandRefusal.NOTHING_TO_ACT_ON, "nothing to act on"
    if isinstance(body, str):
        word = " ".join(body.strip().lower().split())
        if word == BODY_UNKNOWN:
            return CommandRefusal.UNKNOWN, "unknown request or key"
        if word == BODY_FAILED:
            return CommandRefusal.FAILED, "it answered failed"
        if word == BODY_INVALID_REQUEST.lower():
            return CommandRefusal.INVALID_REQUEST, "it answered Invalid Request"
        if word in ("false", ""):
            return CommandRefusal.NOTHING_TO_ACT_ON, "nothing to act on"
        return CommandRefusal.OTHER, f"it answered {excerpt(body, secrets)!r}"
    return CommandRefusal.OTHER, f"it answered a {type(body).__name__}"


# ---------------------------------------------------------------------------
# Scalars


def as_int(value: object) -> int | None:
    """Return value as an int (ints, integral floats, digit strings), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"[+-]?\d{1,18}", text, re.ASCII):
            return int(text)
    return None


def as_bool(value: object) -> bool | None:
    """Return value as a bool (bools, 0/1, "0"/"1", true/false words), else None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        if value == 1:
            return True
        if value == 0:
            return False
        return None
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
    return None


def as_str(value: object) -> str:
    """Return value as a stripped string ("" for None, bools and containers)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float):
        return str(value)
    return ""


def _entries(body: object, key: str, function: str) -> list[object]:
    """Return the entries of a list body (tolerating one or a map of objects)."""
    if isinstance(body, list):
        return list(body)
    if isinstance(body, dict):
        if key in body:
            return [body]
        values = list(body.values())
        if values and all(isinstance(item, dict) for item in values):
            return values
    raise GrandstreamCTIResponseError(
        f"The phone answered {function} with a {type(body).__name__} body "
        "instead of a list"
    )


# ---------------------------------------------------------------------------
# Functions


def parse_line_state(value: object) -> tuple[LineState, str]:
    """Return the LineState and the raw string for a `state` value."""
    raw = as_str(value) if not isinstance(value, str) else value
    word = raw.strip().lower()
    try:
        return LineState(word), raw
    except ValueError:
        pass
    compact = word.replace(" ", "").replace("-", "").replace("_", "")
    try:
        return LineState(compact), raw
    except ValueError:
        pass
    alias = _LINE_STATE_ALIASES.get(compact)
    if alias is not None:
        return alias, raw
    return LineState.UNKNOWN, raw


def parse_line(entry: object) -> Line | None:
    """Return one Line, or None when the entry is unusable (not an object, no line)."""
    if not isinstance(entry, dict):
        return None
    number = as_int(entry.get(LINE_NUMBER))
    if number is None or number < 0:
        return None
    state, raw_state = parse_line_state(entry.get(LINE_STATE))
    account = as_int(entry.get(LINE_ACCOUNT))
    if (account is not None and account < 0) or state is LineState.IDLE:
        account = None
    return Line(
        line=number,
        state=state,
        raw_state=raw_state,
        account=account,
        remote_name=as_str(entry.get(LINE_REMOTE_NAME)),
        remote_number=as_str(entry.get(LINE_REMOTE_NUMBER)),
        active=as_bool(entry.get(LINE_ACTIVE)),
        conference=as_bool(entry.get(LINE_CONFERENCE)),
    )


def parse_line_status(
    body: object, function: str = "api-get_line_status"
) -> list[Line]:
    """Return the lines of a line status body, sorted by line number.

    Unusable entries are skipped; a body with entries of which none is usable
    raises GrandstreamCTIResponseError. Duplicate line numbers keep the first.
    """
    entries = _entries(body, LINE_NUMBER, function)
    lines: dict[int, Line] = {}
    for entry in entries:
        line = parse_line(entry)
        if line is not None and line.line not in lines:
            lines[line.line] = line
    if entries and not lines:
        raise GrandstreamCTIResponseError(
            f"The phone answered {function} with no usable line entry"
        )
    return [lines[number] for number in sorted(lines)]


def parse_phone_status(
    body: object, function: str = "api-get_phone_status"
) -> PhoneState:
    """Return the PhoneState of a phone status body (a string)."""
    if isinstance(body, dict):
        # Tolerate {"status": "available"} style bodies.
        for key in ("status", "state", "phone_status"):
            if isinstance(body.get(key), str):
                body = body[key]
                break
    if not isinstance(body, str):
        raise GrandstreamCTIResponseError(
            f"The phone answered {function} with a {type(body).__name__} body "
            "instead of a string"
        )
    raw = body.strip()
    word = raw.lower()
    try:
        status = PhoneStatus(word)
    except ValueError:
        status = _PHONE_STATUS_ALIASES.get(word, PhoneStatus.UNKNOWN)
    return PhoneState(status=status, raw=raw)


def parse_account(entry: object, position: int) -> Account | None:
    """Return one Account, or None when the entry is not an object.

    A missing or unusable `id` falls back to the 1-based position in the list.
    """
    if not isinstance(entry, dict):
        return None
    account_id = as_int(entry.get(ACCOUNT_ID))
    if account_id is None or account_id < 0:
        account_id = position
    return Account(
        id=account_id,
        name=as_str(entry.get(ACCOUNT_NAME)),
        sip_id=as_str(entry.get(ACCOUNT_SIP_ID)),
        sip_server=as_str(entry.get(ACCOUNT_SIP_SERVER)),
        registered=bool(as_bool(entry.get(ACCOUNT_REGISTERED))),
    )


def parse_accounts(body: object, function: str = "api-get_accounts") -> list[Account]:
    """Return the accounts of an accounts body (entries that are not objects skipped)."""
    entries = _entries(body, ACCOUNT_ID, function)
    accounts: dict[int, Account] = {}
    for position, entry in enumerate(entries, start=1):
        account = parse_account(entry, position)
        if account is not None and account.id not in accounts:
            accounts[account.id] = account
    if entries and not accounts:
        raise GrandstreamCTIResponseError(
            f"The phone answered {function} with no usable account entry"
        )
    return [accounts[key] for key in sorted(accounts)]


# ---------------------------------------------------------------------------
# Model facts (no passcode)

_MODEL_KEYS: Final = ("model", "model_name", "modelname", "product", "product_name")
_FIRMWARE_KEYS: Final = (
    "firmware",
    "program_version",
    "prog_version",
    "firmware_version",
    "fw_version",
    "progversion",
)
_ACCOUNT_KEYS: Final = (
    "num_accounts",
    "max_account",
    "max_accounts",
    "account_num",
    "num_account",
    "accounts",
)
_LINE_KEYS: Final = (
    "num_lines",
    "max_line",
    "max_lines",
    "line_num",
    "num_line",
    "lines",
)
_MAC_KEYS: Final = ("mac", "mac_address", "macaddress")

_PAIR_RE: Final = re.compile(
    r"""["']?(?P<key>[A-Za-z_][\w-]{0,40})["']?\s*[:=]\s*"""
    r"""(?:"(?P<dq>[^"\n]{0,200})"|'(?P<sq>[^'\n]{0,200})'|(?P<bare>[^\s,;}\]\)]{1,200}))"""
)
_FAMILY_RE: Final = re.compile(
    r"\b((?:GRP|GXP|GXV|GAC|GSC|DP|WP|HT)\d{3,4}[A-Z0-9]{0,4})\b", re.IGNORECASE
)
_VERSION_RE: Final = re.compile(r"\b(\d+\.\d+\.\d+\.\d+)\b")


def _flatten(value: object, out: dict[str, object], depth: int = 0) -> None:
    """Collect keys of nested objects (first occurrence wins, outer first)."""
    if not isinstance(value, dict) or depth > 3:
        return
    nested: list[object] = []
    for key, item in value.items():
        if not isinstance(key, str):
            continue  # pragma: no cover - JSON keys are strings
        name = key.strip().lower()
        if isinstance(item, dict):
            nested.append(item)
        elif name not in out:
            out[name] = item
    for item in nested:
        _flatten(item, out, depth + 1)


def _pairs(text: str) -> dict[str, object]:
    value = loads_lenient(text)
    if value is INVALID:
        # `var x = {...};` or `define({...})`: try the outermost object.
        start, end = text.find("{"), text.rfind("}")
        if 0 <= start < end:
            value = loads_lenient(text[start : end + 1])
    found: dict[str, object] = {}
    _flatten(value, found)
    for match in _PAIR_RE.finditer(text):
        key = match.group("key").lower()
        if key in found:
            continue
        # Exactly one alternative of the value matched.
        found[key] = next(
            item for item in match.group("dq", "sq", "bare") if item is not None
        )
    return found


def _first_str(pairs: dict[str, object], keys: Iterable[str]) -> str | None:
    for key in keys:
        text = as_str(pairs.get(key))
        if text:
            return text
    return None


def _first_int(pairs: dict[str, object], keys: Iterable[str]) -> int | None:
    for key in keys:
        number = as_int(pairs.get(key))
        if number is not None and number >= 0:
            return number
    return None


def parse_model_define(text: str | None, server: str | None = None) -> ModelInfo:
    """Return ModelInfo from model.define.js text and the Server header.

    Never raises: anything unusable leaves the field None. The Server header
    (e.g. "GRP2614") is the fallback for the model and, if it carries a
    dotted version, for the firmware.
    """
    pairs = _pairs(text) if text and not _looks_like_html(text) else {}
    model = _first_str(pairs, _MODEL_KEYS)
    firmware = _first_str(pairs, _FIRMWARE_KEYS)
    if server:
        if model is None and (family := _FAMILY_RE.search(server)):
            model = family.group(1).upper()
        if firmware is None and (version := _VERSION_RE.search(server)):
            firmware = version.group(1)
    return ModelInfo(
        model=model,
        firmware=firmware,
        num_accounts=_first_int(pairs, _ACCOUNT_KEYS),
        num_lines=_first_int(pairs, _LINE_KEYS),
        mac=_first_str(pairs, _MAC_KEYS),
    )
