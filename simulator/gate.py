"""What a `/cgi-bin` request passes through before a handler runs (no state).

Reading parameters, the same-origin check, where the sid travels, the allowed-address list and what the request log must not keep.
"""

from __future__ import annotations

from collections.abc import Mapping
import ipaddress
import json
from typing import TYPE_CHECKING, Any, Final

from aiohttp import web
from yarl import URL

from custom_components.grandstream_cti.cti.wire import (
    COOKIE_SID,
    PARAM_ACCESS,
    PARAM_PASSCODE,
    PARAM_PASSWORD,
    PARAM_SID,
)

from .config_store import canonical_key
from .wire import COOKIE_SESSION_IDENTITY

if TYPE_CHECKING:
    from .profiles import Profile

# Never logged: passwords in any form, the sid, the access hash, and the
# password P-values (values of P2 / P196 writes).
SECRET_PARAMS: Final = frozenset(
    {PARAM_PASSCODE, PARAM_PASSWORD, PARAM_SID, PARAM_ACCESS, ":confirmAdminPwd"}
)
SECRET_KEYS: Final = frozenset({"2", "196"})
INVALID_JSON: Final = object()
FORM_TYPES: Final = frozenset(
    {"application/x-www-form-urlencoded", "multipart/form-data"}
)


def drop(request: web.Request) -> web.Response:
    """Close the connection without an answer (aiohttp skips the write)."""
    if request.transport is not None:
        request.transport.close()
    return web.Response(status=204)


async def read_request(request: web.Request) -> tuple[dict[str, str], Any]:
    """Return query plus form parameters (the form wins), and a JSON body if any.

    The JSON body is None without one and `INVALID_JSON` when it does not parse.
    """
    params = dict(request.query)
    document: Any = None
    if request.method not in {"POST", "PUT"} or not request.can_read_body:
        return params, document
    if request.content_type in FORM_TYPES:
        try:
            form = await request.post()
        except ValueError:
            return params, document
        params.update(
            {key: value for key, value in form.items() if isinstance(value, str)}
        )
        return params, document
    # Anything else is read as JSON (config_update), whatever its Content-Type.
    text = await request.text()
    if text.strip():
        try:
            document = json.loads(text)
        except ValueError:
            document = INVALID_JSON
    return params, document


def redact(params: Mapping[str, str]) -> dict[str, str]:
    """Return the parameters without secrets (for the request log)."""
    return {
        key: value
        for key, value in params.items()
        if key not in SECRET_PARAMS and canonical_key(key) not in SECRET_KEYS
    }


def address_allowed(remote: str | None, allowed: tuple[str, ...] | list[str]) -> bool:
    """Return True if `remote` matches `any`, an address or a network in the list."""
    for entry in allowed:
        if entry.strip().lower() == "any":
            return True
        if remote is None:
            continue
        try:
            if ipaddress.ip_address(remote) in ipaddress.ip_network(
                entry.strip(), strict=False
            ):
                return True
        except ValueError:
            continue
    return False


def _host_port(url: URL) -> tuple[str, int | None]:
    return (url.host or "").lower(), url.port


def same_origin(request: web.Request) -> bool:
    """Return True if Origin or Referer is there and every one names our host:port."""
    ours = _host_port(URL(f"{request.scheme}://{request.host}"))
    seen = False
    for header in ("Origin", "Referer"):
        value = request.headers.get(header)
        if value is None:
            continue
        seen = True
        try:
            theirs = _host_port(URL(value))
        except ValueError:
            return False
        if not theirs[0] or theirs != ours:
            return False
    return seen


def exact_referer(request: web.Request) -> bool:
    """Return True if Referer is exactly `<scheme>://<host>/` (strict sessions)."""
    return request.headers.get("Referer") == f"{request.scheme}://{request.host}/"


def sid_candidates(
    request: web.Request,
    params: Mapping[str, str],
    profile: Profile,
    function: str,
    *,
    strict: bool = False,
) -> list[str]:
    """Return the sids this request presents in places the profile accepts.

    Strict sessions: the `sid` cookie only, whatever the profile says.
    """
    if strict:
        sid = request.cookies.get(COOKIE_SID)
        return [sid] if sid else []
    found: list[str] = []
    if function not in profile.sid_param_required:
        for name in sorted(profile.sid_cookies):
            value = request.cookies.get(name)
            if value:
                found.append(value)
    if sid := params.get(PARAM_SID):
        found.append(sid)
    return found


def presents_sid(request: web.Request, params: Mapping[str, str]) -> bool:
    """Return True if the request carries a sid anywhere (cookie or field)."""
    return bool(
        params.get(PARAM_SID)
        or request.cookies.get(COOKIE_SID)
        or request.cookies.get(COOKIE_SESSION_IDENTITY)
    )
