"""How the phone writes its answers: JSON envelopes, HTML error pages, quirks."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
import hashlib
import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

from custom_components.grandstream_cti.cti.models import PhoneStatus
from custom_components.grandstream_cti.cti.wire import (
    ACCOUNT_ID,
    ACCOUNT_NAME,
    ACCOUNT_REGISTERED,
    ACCOUNT_SIP_ID,
    ACCOUNT_SIP_SERVER,
    ENVELOPE_BODY,
    ENVELOPE_RESPONSE,
    LINE_ACCOUNT,
    LINE_ACTIVE,
    LINE_CONFERENCE,
    LINE_NUMBER,
    LINE_REMOTE_NAME,
    LINE_REMOTE_NUMBER,
    LINE_STATE,
)

from .phone import Phone, SimAccount, SimLine

if TYPE_CHECKING:
    from .profiles import Profile
from .wire import (
    ACCOUNT_AUTO_CFG,
    PHONE_STATUS_CONNECTED,
)

JSON_CONTENT_TYPE = "application/json"
HTML_CONTENT_TYPE = "text/html"
PLAIN_CONTENT_TYPE = "text/plain"
# An extra key no client knows, sent with `unknown_fields`.
UNKNOWN_EXTRA_KEY = "ext_flag"
_IN_USE = frozenset({PhoneStatus.RINGING, PhoneStatus.BUSY})
VENDOR_NAME = "Grandstream"
VENDOR_FULLNAME = "Grandstream Networks, Inc."


@dataclass
class Quirks:
    """Firmware oddities the simulator can switch on (`POST /sim/quirks`).

    The defaults follow captures from real phones; each quirk is an older or
    rarer variant a client must also cope with.
    """

    typographic_quotes: bool = False  # “ ” instead of " in the JSON text
    text_html: bool = False  # Content-Type text/html
    text_plain: bool = False  # Content-Type text/plain (GXP2170, spec §5.4)
    string_numbers: bool = False  # "line":"1", "reg":"1", "acct":"0"
    acct_one_based: bool = False  # a line's acct "" when idle, else 1-based
    active_flag: bool = False  # active 1 on the phone's current line
    caller_names: bool = False  # remotename: the caller's name, also ringing
    unknown_fields: bool = False  # an unknown key on lines and accounts
    status_connected: bool = False  # phone status "connected" for "busy"
    status_dnd: bool = False  # phone status "dnd" while idle with DND on
    flat_model_define: bool = False  # old flat model.define with mac/firmware
    expire_after_read: bool = False  # a write right after a read: expired

    @classmethod
    def names(cls) -> frozenset[str]:
        """Return the names of every quirk."""
        return frozenset(field.name for field in fields(cls))

    def update(self, values: dict[str, Any]) -> None:
        """Set quirks from a dict of booleans; raise ValueError on anything else."""
        unknown = set(values) - self.names()
        if unknown:
            raise ValueError(f"Unknown quirks: {', '.join(sorted(unknown))}")
        for name, value in values.items():
            if not isinstance(value, bool):
                raise TypeError(f"Quirk {name} must be true or false")
        for name, value in values.items():
            setattr(self, name, value)

    def as_dict(self) -> dict[str, bool]:
        """Return every quirk and whether it is on."""
        return asdict(self)


def _number(value: int, quirks: Quirks) -> int | str:
    return str(value) if quirks.string_numbers else value


def _remote_name(line: SimLine, quirks: Quirks) -> str:
    """Return `remotename`: empty until connected, then the number (WP826)."""
    established = line.established_at is not None
    if quirks.caller_names:
        return line.remote_name or (line.remote_number if established else "")
    return line.remote_number if established else ""


def line_json(phone: Phone, line: SimLine, quirks: Quirks) -> dict[str, Any]:
    """Return one entry of api-get_line_status, in the captured key order."""
    acct: int | str
    if quirks.acct_one_based:
        acct = "" if line.account is None else _number(line.account, quirks)
    else:  # 0-based, 0 on idle lines too (WP826 capture)
        acct = _number(0 if line.account is None else line.account - 1, quirks)
    active = int(quirks.active_flag and phone.is_active(line))
    data: dict[str, Any] = {
        LINE_NUMBER: _number(line.number, quirks),
        LINE_CONFERENCE: _number(0, quirks),
        LINE_STATE: str(line.state),
        LINE_ACCOUNT: acct,
        LINE_ACTIVE: _number(active, quirks),
        LINE_REMOTE_NAME: _remote_name(line, quirks),
        LINE_REMOTE_NUMBER: line.remote_number,
    }
    if quirks.unknown_fields:
        data[UNKNOWN_EXTRA_KEY] = ""
    return data


def account_json(account: SimAccount, quirks: Quirks) -> dict[str, Any]:
    """Return one entry of api-get_accounts, in the captured key order."""
    data: dict[str, Any] = {
        ACCOUNT_ID: _number(account.id, quirks),
        ACCOUNT_SIP_SERVER: account.sip_server,
        ACCOUNT_SIP_ID: account.sip_id,
        ACCOUNT_NAME: account.name,
        ACCOUNT_AUTO_CFG: "",
        ACCOUNT_REGISTERED: _number(int(account.registered), quirks),
    }
    if quirks.unknown_fields:
        data[UNKNOWN_EXTRA_KEY] = ""
    return data


def status_word(phone: Phone, quirks: Quirks) -> str:
    """Return api-get_phone_status's body (`connected`, `dnd` as quirks)."""
    status = phone.status()
    if quirks.status_connected and status == PhoneStatus.BUSY:
        return PHONE_STATUS_CONNECTED
    if quirks.status_dnd and phone.dnd and status not in _IN_USE:
        return PhoneStatus.DND
    return status


def typographic(text: str) -> str:
    """Replace the JSON text's quotes with “ and ” (as the guides print them)."""
    out: list[str] = []
    opening = True
    escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            out.append("\u201c" if opening else "\u201d")
            opening = not opening
            continue
        out.append(char)
    return "".join(out)


def dumps(data: Any) -> str:
    """Serialize like the phone: compact, no spaces."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def envelope(response: str, body: Any, quirks: Quirks, **extra: Any) -> web.Response:
    """Return `{"response": ..., "body": ..., **extra}` as the phone writes it."""
    return json_answer(
        {ENVELOPE_RESPONSE: response, ENVELOPE_BODY: body, **extra}, quirks
    )


def json_answer(data: Any, quirks: Quirks) -> web.Response:
    """Return any JSON document as the phone writes it (quirks applied)."""
    text = dumps(data)
    if quirks.typographic_quotes:
        text = typographic(text)
    content_type = JSON_CONTENT_TYPE
    if quirks.text_html:
        content_type = HTML_CONTENT_TYPE
    elif quirks.text_plain:
        content_type = PLAIN_CONTENT_TYPE
    return web.Response(text=text, content_type=content_type, charset="utf-8")


def html_page(status: int, reason: str) -> web.Response:
    """Return the small HTML error page the phone's web server sends."""
    title = f"{status} {reason}"
    return web.Response(
        status=status,
        text=f"<html><head><title>{title}</title></head>"
        f"<body><h1>{title}</h1></body></html>\n",
        content_type=HTML_CONTENT_TYPE,
    )


def model_define_document(
    profile: Profile, phone: Phone, quirks: Quirks
) -> dict[str, Any] | None:
    """Return `/json/configs/model.define.js` (JSON), or None where it is missing.

    `full` as captured on WP826 1.0.3.35 (model, oem_id, vendor names,
    defines), `short` as on 1.0.1.87 (model, defines, checksum). Neither has
    the MAC or the firmware; the older flat form with both is the
    `flat_model_define` quirk.
    """
    if quirks.flat_model_define:
        return {
            "model": phone.model,
            "vendor_name": VENDOR_NAME,
            "num_accounts": len(phone.accounts),
            "num_lines": len(phone.lines),
            "firmware": phone.firmware,
            "mac": phone.mac,
        }
    if profile.model_define == "none":
        return None
    defines: dict[str, Any] = {"num_accounts": len(phone.accounts)}
    defines.update(dict.fromkeys(profile.model_defines, True))
    if profile.model_define == "short":
        checksum = hashlib.sha256(f"{phone.model}/{phone.firmware}".encode())
        return {
            "model": phone.model,
            "defines": defines,
            "pvalue_json_checksum": checksum.hexdigest()[:32],
        }
    return {
        "model": phone.model,
        "oem_id": "0",
        "vendor_name": VENDOR_NAME,
        "vendor_fullname": VENDOR_FULLNAME,
        "defines": defines,
    }
