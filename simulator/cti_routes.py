"""The CTI functions (`/cgi-bin/api-*`).

The answers are the same whichever way the request authenticated, passcode
or session (cgi.py decides that first).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from aiohttp import web

from custom_components.grandstream_cti.cti.keys import normalize_key
from custom_components.grandstream_cti.cti.models import PhoneOperation
from custom_components.grandstream_cti.cti.wire import (
    BODY_COMPLETE,
    BODY_INVALID_REQUEST,
    BODY_SAVEREBOOT,
    BODY_UNKNOWN,
    FUNCTION_ACCOUNTS,
    FUNCTION_LINE_STATUS,
    FUNCTION_MAKE_CALL,
    FUNCTION_PHONE_OPERATION,
    FUNCTION_PHONE_STATUS,
    FUNCTION_SEND_KEY,
    FUNCTION_SYS_OPERATION,
    KEY_SEPARATOR,
    PARAM_ACCOUNT,
    PARAM_CMD,
    PARAM_KEYS,
    PARAM_PHONENUMBER,
    PARAM_REQUEST,
    RESPONSE_ERROR,
    RESPONSE_SUCCESS,
    SYS_REBOOT,
)

from .context import CgiRequest
from .render import account_json, envelope, line_json, status_word
from .wire import (
    BODY_RESET,
    SYS_KILLGUI,
    SYS_PROV,
    SYS_RESET,
)

Handler = Callable[[CgiRequest], web.Response]

# Commands wait for the pop-up when `popup_confirmation` is on.
COMMANDS: Final = frozenset(
    {
        FUNCTION_PHONE_OPERATION,
        FUNCTION_MAKE_CALL,
        FUNCTION_SEND_KEY,
        FUNCTION_SYS_OPERATION,
    }
)
# Dangerous system operations: recorded (tripwires), answered, never done.
NOOP_SYS_OPERATIONS: Final = {
    SYS_RESET: BODY_RESET,
    SYS_PROV: BODY_SAVEREBOOT,
    SYS_KILLGUI: BODY_SAVEREBOOT,
}


def _line_status(ctx: CgiRequest) -> web.Response:
    # `line=-1` (session firmware) or any other value: every line is listed.
    phone = ctx.sim.phone
    body = [line_json(phone, line, ctx.quirks) for line in phone.lines]
    return envelope(RESPONSE_SUCCESS, body, ctx.quirks)


def _phone_status(ctx: CgiRequest) -> web.Response:
    body = status_word(ctx.sim.phone, ctx.quirks)
    return envelope(RESPONSE_SUCCESS, body, ctx.quirks, misc="0")


def _accounts(ctx: CgiRequest) -> web.Response:
    body = [account_json(account, ctx.quirks) for account in ctx.sim.phone.accounts]
    return envelope(RESPONSE_SUCCESS, body, ctx.quirks)


def _phone_operation(ctx: CgiRequest) -> web.Response:
    # The session variant also sends `arg` (and `dtmf`): ignored.
    try:
        operation = PhoneOperation(ctx.params.get(PARAM_CMD, ""))
    except ValueError:
        return envelope(RESPONSE_ERROR, BODY_UNKNOWN, ctx.quirks)
    done = ctx.sim.phone.phone_operation(operation)
    return envelope(RESPONSE_SUCCESS if done else RESPONSE_ERROR, done, ctx.quirks)


def _make_call(ctx: CgiRequest) -> web.Response:
    """Dial; refusals the phone checks up front answer "Invalid Request".

    (`dialplan`, `hs` and a session request's `password` are ignored.)
    """
    phone = ctx.sim.phone
    number = ctx.params.get(PARAM_PHONENUMBER, "").strip()
    raw_account = ctx.params.get(PARAM_ACCOUNT, "").strip()
    try:
        account = int(raw_account) + 1 if raw_account else 1  # 0-based on the wire
    except ValueError:
        account = 0
    usable = 1 <= account <= len(phone.accounts) and phone.account(account).configured
    if not ctx.sim.config.click_to_dial or not number or not usable:
        return envelope(RESPONSE_ERROR, BODY_INVALID_REQUEST, ctx.quirks)
    done = phone.make_call(number, account)  # False: no idle line
    return envelope(RESPONSE_SUCCESS if done else RESPONSE_ERROR, done, ctx.quirks)


def _send_key(ctx: CgiRequest) -> web.Response:
    raw = ctx.params.get(PARAM_KEYS, "")
    try:
        keys = [normalize_key(key) for key in raw.split(KEY_SEPARATOR)]
    except ValueError:
        return envelope(RESPONSE_ERROR, BODY_UNKNOWN, ctx.quirks)
    ctx.sim.phone.send_keys(keys)
    return envelope(RESPONSE_SUCCESS, BODY_COMPLETE, ctx.quirks)


def _sys_operation(ctx: CgiRequest) -> web.Response:
    request = ctx.params.get(PARAM_REQUEST, "")
    if request in NOOP_SYS_OPERATIONS:  # never reset or provision for real
        return envelope(RESPONSE_SUCCESS, NOOP_SYS_OPERATIONS[request], ctx.quirks)
    if request != SYS_REBOOT:
        return envelope(RESPONSE_ERROR, BODY_UNKNOWN, ctx.quirks)
    ctx.sim.phone.reboot()
    return envelope(RESPONSE_SUCCESS, BODY_SAVEREBOOT, ctx.quirks)


FUNCTIONS: Final[dict[str, Handler]] = {
    FUNCTION_LINE_STATUS: _line_status,
    FUNCTION_PHONE_STATUS: _phone_status,
    FUNCTION_ACCOUNTS: _accounts,
    FUNCTION_PHONE_OPERATION: _phone_operation,
    FUNCTION_MAKE_CALL: _make_call,
    FUNCTION_SEND_KEY: _send_key,
    FUNCTION_SYS_OPERATION: _sys_operation,
}
