"""How the phone writes its answers: JSON envelopes, HTML error pages, quirks."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
import json
from typing import Any

from aiohttp import web

from custom_components.grandstream_cti.cti.models import LineState
from custom_components.grandstream_cti.cti.wire import (
    ACCOUNT_AUTO_CFG,
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

JSON_CONTENT_TYPE = "application/json"
HTML_CONTENT_TYPE = "text/html"
# An extra key no client knows, sent with `extra_fields`.
UNKNOWN_EXTRA_KEY = "ext_flag"


@dataclass
class Quirks:
    """Firmware oddities the simulator can switch on (`POST /sim/quirks`)."""

    typographic_quotes: bool = False  # “ ” instead of " in the JSON text
    text_html: bool = False  # Content-Type text/html
    string_numbers: bool = False  # "line":"1", "reg":"1"
    acct_zero_based: bool = False  # a line's acct 0-based
    extra_fields: bool = False  # auto_cfg, conf and an unknown key
    remote_name_empty_while_ringing: bool = False

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


def line_json(phone: Phone, line: SimLine, quirks: Quirks) -> dict[str, Any]:
    """Return one entry of api-get_line_status."""
    acct: int | str = ""
    if line.account is not None:
        acct = _number(
            line.account - 1 if quirks.acct_zero_based else line.account, quirks
        )
    remote_name = line.remote_name
    if quirks.remote_name_empty_while_ringing and line.state is LineState.RINGING:
        remote_name = ""
    data: dict[str, Any] = {
        LINE_NUMBER: _number(line.number, quirks),
        LINE_STATE: str(line.state),
        LINE_ACCOUNT: acct,
        LINE_REMOTE_NAME: remote_name,
        LINE_REMOTE_NUMBER: line.remote_number,
        LINE_ACTIVE: _number(int(phone.is_active(line)), quirks),
    }
    if quirks.extra_fields:
        data[LINE_CONFERENCE] = _number(0, quirks)
        data[UNKNOWN_EXTRA_KEY] = ""
    return data


def account_json(account: SimAccount, quirks: Quirks) -> dict[str, Any]:
    """Return one entry of api-get_accounts."""
    data: dict[str, Any] = {
        ACCOUNT_ID: _number(account.id, quirks),
        ACCOUNT_NAME: account.name,
        ACCOUNT_SIP_ID: account.sip_id,
        ACCOUNT_SIP_SERVER: account.sip_server,
        ACCOUNT_REGISTERED: _number(int(account.registered), quirks),
    }
    if quirks.extra_fields:
        data[ACCOUNT_AUTO_CFG] = ""
        data[UNKNOWN_EXTRA_KEY] = ""
    return data


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
    text = dumps({ENVELOPE_RESPONSE: response, ENVELOPE_BODY: body, **extra})
    if quirks.typographic_quotes:
        text = typographic(text)
    return web.Response(
        text=text,
        content_type=HTML_CONTENT_TYPE if quirks.text_html else JSON_CONTENT_TYPE,
        charset="utf-8",
    )


def html_page(status: int, reason: str) -> web.Response:
    """Return the small HTML error page the phone's web server sends."""
    title = f"{status} {reason}"
    return web.Response(
        status=status,
        text=f"<html><head><title>{title}</title></head>"
        f"<body><h1>{title}</h1></body></html>\n",
        content_type=HTML_CONTENT_TYPE,
    )
