"""The phone's own HTTP API: `/cgi-bin/api-*` and `/json/configs/model.define.js`.

A CTI request goes through these steps, in order:

1. phone away (rebooting, or the `offline` fault): the connection is closed
   without an answer, and the request is not logged;
2. the request is logged (`/sim/log`), passcode and password removed;
3. faults: `latency` waits, `http500` / `garbage` / `drop` answer so;
4. unknown function: 404 HTML page (like a mistyped CGI path);
5. CTI disabled or the client's address not allowed: 403 HTML page or
   `{"response":"error","body":"failed"}` (per `denial_style`) — checked before
   the passcode, so a refused address learns nothing about the passcode;
6. wrong or missing passcode (admin or user; `password=` accepted too): 401;
7. commands (phone operation, make call, send key, sys operation) wait for the
   pop-up to be confirmed when `popup_confirmation` is on; refused or timed
   out: `{"response":"error","body":"failed"}`;
8. the function runs; the state changes before the answer is written.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
import ipaddress
from typing import TYPE_CHECKING, Final

from aiohttp import web

from custom_components.grandstream_cti.cti.keys import normalize_key
from custom_components.grandstream_cti.cti.models import PhoneOperation
from custom_components.grandstream_cti.cti.wire import (
    BODY_COMPLETE,
    BODY_FAILED,
    BODY_SAVEREBOOT,
    BODY_UNKNOWN,
    CGI_PREFIX,
    FUNCTION_ACCOUNTS,
    FUNCTION_LINE_STATUS,
    FUNCTION_MAKE_CALL,
    FUNCTION_PHONE_OPERATION,
    FUNCTION_PHONE_STATUS,
    FUNCTION_SEND_KEY,
    FUNCTION_SYS_OPERATION,
    KEY_SEPARATOR,
    MODEL_DEFINE_PATH,
    PARAM_ACCOUNT,
    PARAM_CMD,
    PARAM_KEYS,
    PARAM_PASSCODE,
    PARAM_PASSWORD,
    PARAM_PHONENUMBER,
    PARAM_REQUEST,
    RESPONSE_ERROR,
    RESPONSE_SUCCESS,
    SYS_REBOOT,
)

from .render import account_json, dumps, envelope, html_page, line_json

if TYPE_CHECKING:
    from .server import PhoneSimulator

Params = Mapping[str, str]
Handler = Callable[["PhoneSimulator", Params], web.Response]

COMMANDS: Final = frozenset(
    {
        FUNCTION_PHONE_OPERATION,
        FUNCTION_MAKE_CALL,
        FUNCTION_SEND_KEY,
        FUNCTION_SYS_OPERATION,
    }
)
SECRET_PARAMS: Final = frozenset({PARAM_PASSCODE, PARAM_PASSWORD})
GARBAGE_BODY: Final = b"\x00\x1f<garbage>{not json"


def drop(request: web.Request) -> web.Response:
    """Close the connection without an answer (aiohttp skips the write)."""
    if request.transport is not None:
        request.transport.close()
    return web.Response(status=204)


# ------------------------------------------------------------------- functions


def _line_status(sim: PhoneSimulator, params: Params) -> web.Response:
    # `line=-1` (session firmware) or any other value: every line is listed.
    phone = sim.phone
    body = [line_json(phone, line, sim.quirks) for line in phone.lines]
    return envelope(RESPONSE_SUCCESS, body, sim.quirks)


def _phone_status(sim: PhoneSimulator, params: Params) -> web.Response:
    return envelope(RESPONSE_SUCCESS, str(sim.phone.status()), sim.quirks, misc="0")


def _accounts(sim: PhoneSimulator, params: Params) -> web.Response:
    body = [account_json(account, sim.quirks) for account in sim.phone.accounts]
    return envelope(RESPONSE_SUCCESS, body, sim.quirks)


def _phone_operation(sim: PhoneSimulator, params: Params) -> web.Response:
    try:
        operation = PhoneOperation(params.get(PARAM_CMD, ""))
    except ValueError:
        return envelope(RESPONSE_ERROR, BODY_UNKNOWN, sim.quirks)
    done = sim.phone.phone_operation(operation)
    return envelope(RESPONSE_SUCCESS if done else RESPONSE_ERROR, done, sim.quirks)


def _make_call(sim: PhoneSimulator, params: Params) -> web.Response:
    account: int | None = None
    raw_account = params.get(PARAM_ACCOUNT, "").strip()
    done = False
    try:
        if raw_account:
            account = int(raw_account) + 1  # 0-based on the wire
        done = sim.phone.make_call(params.get(PARAM_PHONENUMBER, "").strip(), account)
    except ValueError:
        done = False
    return envelope(RESPONSE_SUCCESS if done else RESPONSE_ERROR, done, sim.quirks)


def _send_key(sim: PhoneSimulator, params: Params) -> web.Response:
    raw = params.get(PARAM_KEYS, "")
    try:
        keys = [normalize_key(key) for key in raw.split(KEY_SEPARATOR)]
    except ValueError:
        return envelope(RESPONSE_ERROR, BODY_UNKNOWN, sim.quirks)
    sim.phone.send_keys(keys)
    return envelope(RESPONSE_SUCCESS, BODY_COMPLETE, sim.quirks)


def _sys_operation(sim: PhoneSimulator, params: Params) -> web.Response:
    # RESET (factory reset) is deliberately not implemented: "unknown".
    if params.get(PARAM_REQUEST, "") != SYS_REBOOT:
        return envelope(RESPONSE_ERROR, BODY_UNKNOWN, sim.quirks)
    sim.phone.reboot()
    return envelope(RESPONSE_SUCCESS, BODY_SAVEREBOOT, sim.quirks)


FUNCTIONS: Final[dict[str, Handler]] = {
    FUNCTION_LINE_STATUS: _line_status,
    FUNCTION_PHONE_STATUS: _phone_status,
    FUNCTION_ACCOUNTS: _accounts,
    FUNCTION_PHONE_OPERATION: _phone_operation,
    FUNCTION_MAKE_CALL: _make_call,
    FUNCTION_SEND_KEY: _send_key,
    FUNCTION_SYS_OPERATION: _sys_operation,
}

# --------------------------------------------------------------------- checks


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


def passcode_ok(sim: PhoneSimulator, params: Params) -> bool:
    """Return True for the admin or user passcode (`passcode`, else `password`)."""
    given = params.get(PARAM_PASSCODE)
    if given is None:
        given = params.get(PARAM_PASSWORD)
    valid = {sim.config.passcode, sim.config.user_passcode} - {""}
    return given is not None and given in valid


async def read_params(request: web.Request) -> dict[str, str]:
    """Return query and form-body parameters (the body wins on duplicates)."""
    params = dict(request.query)
    if request.method == "POST" and request.can_read_body:
        try:
            form = await request.post()
        except ValueError:
            form = None
        if form is not None:
            params.update(
                {key: value for key, value in form.items() if isinstance(value, str)}
            )
    return params


async def apply_fault(sim: PhoneSimulator, request: web.Request) -> web.Response | None:
    """Answer as the current fault says, or return None to go on normally."""
    kind = sim.faults.kind
    if kind == "latency" and await sim.pause(sim.faults.seconds):
        return drop(request)  # stopping
    if kind == "http500":
        return html_page(500, "Internal Server Error")
    if kind == "garbage":
        return web.Response(body=GARBAGE_BODY, content_type="application/json")
    if kind == "drop" or sim.is_offline():
        return drop(request)
    return None


# --------------------------------------------------------------------- routes


def cti_routes(sim: PhoneSimulator) -> list[web.RouteDef]:
    """Return the phone-side routes bound to `sim`."""

    async def cgi(request: web.Request) -> web.Response:
        if sim.is_offline():
            return drop(request)
        function = request.match_info["function"]
        params = await read_params(request)
        sim.log_request(
            function,
            {key: value for key, value in params.items() if key not in SECRET_PARAMS},
            request.method,
        )
        if (faulted := await apply_fault(sim, request)) is not None:
            return faulted
        handler = FUNCTIONS.get(function)
        if handler is None:
            return html_page(404, "Not Found")
        config = sim.config
        allowed = (
            [config.allowed_ips]
            if isinstance(config.allowed_ips, str)
            else list(config.allowed_ips)
        )
        if not config.cti_enabled or not address_allowed(request.remote, allowed):
            if config.denial_style == "failed":
                return envelope(RESPONSE_ERROR, BODY_FAILED, sim.quirks)
            return html_page(403, "Forbidden")
        if not passcode_ok(sim, params):
            sim.auth_failures += 1
            return html_page(401, "Unauthorized")
        if function in COMMANDS and config.popup_confirmation:
            if not await sim.wait_confirmation():
                return envelope(RESPONSE_ERROR, BODY_FAILED, sim.quirks)
            if sim.is_offline():  # rebooted or stopped while waiting
                return drop(request)
        return handler(sim, params)

    async def model_define(request: web.Request) -> web.Response:
        if sim.is_offline():
            return drop(request)
        if (faulted := await apply_fault(sim, request)) is not None:
            return faulted
        if not sim.config.model_define:
            return html_page(404, "Not Found")
        return web.Response(
            text=dumps(sim.model_define()),
            content_type="application/javascript",
            charset="utf-8",
        )

    handlers: list[tuple[str, Callable[[web.Request], Awaitable[web.Response]]]] = [
        (CGI_PREFIX + "{function}", cgi),
        (MODEL_DEFINE_PATH, model_define),
    ]
    routes: list[web.RouteDef] = []
    for path, handle in handlers:
        routes.append(web.get(path, handle, allow_head=False))
        routes.append(web.post(path, handle))
    return routes
