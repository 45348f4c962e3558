"""The CTI functions (`/cgi-bin/api-*`): `CtiFunctions`, one method each.

The answers are the same whichever way the request authenticated, passcode
or session (cgi.py decides that first). The handlers use the phone's state
machine and its settings, nothing else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

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

from .context import CgiRequest, Handler
from .render import account_json, envelope, line_json, status_word
from .wire import (
    BODY_RESET,
    SYS_KILLGUI,
    SYS_PROV,
    SYS_RESET,
)

if TYPE_CHECKING:
    from .config import SimulatorConfig
    from .phone import Phone

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


class CtiFunctions:
    """The CTI functions of one phone: its state machine and its settings."""

    def __init__(self, phone: Phone, config: SimulatorConfig) -> None:
        """Serve `phone`; `config` holds Click-To-Dial (P1561)."""
        self.phone = phone
        self.config = config

    def table(self) -> dict[str, Handler]:
        """Return the handlers by CTI function name."""
        return {
            FUNCTION_LINE_STATUS: self.line_status,
            FUNCTION_PHONE_STATUS: self.phone_status,
            FUNCTION_ACCOUNTS: self.accounts,
            FUNCTION_PHONE_OPERATION: self.phone_operation,
            FUNCTION_MAKE_CALL: self.make_call,
            FUNCTION_SEND_KEY: self.send_key,
            FUNCTION_SYS_OPERATION: self.sys_operation,
        }

    def line_status(self, ctx: CgiRequest) -> web.Response:
        """`api-get_line_status`: every line, whatever `line=` says (-1 too)."""
        phone = self.phone
        body = [line_json(phone, line, ctx.quirks) for line in phone.lines]
        return envelope(RESPONSE_SUCCESS, body, ctx.quirks)

    def phone_status(self, ctx: CgiRequest) -> web.Response:
        """`api-get_phone_status`: one word, with `"misc":"0"` beside it."""
        body = status_word(self.phone, ctx.quirks)
        return envelope(RESPONSE_SUCCESS, body, ctx.quirks, misc="0")

    def accounts(self, ctx: CgiRequest) -> web.Response:
        """`api-get_accounts`: every account of the model."""
        body = [account_json(account, ctx.quirks) for account in self.phone.accounts]
        return envelope(RESPONSE_SUCCESS, body, ctx.quirks)

    def phone_operation(self, ctx: CgiRequest) -> web.Response:
        """`api-phone_operation`; the session variant's `arg` / `dtmf` are ignored."""
        try:
            operation = PhoneOperation(ctx.params.get(PARAM_CMD, ""))
        except ValueError:
            return envelope(RESPONSE_ERROR, BODY_UNKNOWN, ctx.quirks)
        done = self.phone.phone_operation(operation)
        return envelope(RESPONSE_SUCCESS if done else RESPONSE_ERROR, done, ctx.quirks)

    def make_call(self, ctx: CgiRequest) -> web.Response:
        """`api-make_call`; refusals checked up front answer "Invalid Request".

        Refused so: an empty number, an account that is missing or not
        registered (configured but unregistered too), Click-To-Dial off.
        (`dialplan`, `hs` and a session request's `password` are ignored.)
        """
        phone = self.phone
        number = ctx.params.get(PARAM_PHONENUMBER, "").strip()
        raw_account = ctx.params.get(PARAM_ACCOUNT, "").strip()
        try:
            account = int(raw_account) + 1 if raw_account else 1  # 0-based on the wire
        except ValueError:
            account = 0
        usable = phone.can_call_from(account)  # configured is not enough
        if not self.config.click_to_dial or not number or not usable:
            return envelope(RESPONSE_ERROR, BODY_INVALID_REQUEST, ctx.quirks)
        done = phone.make_call(number, account)  # False: no idle line
        return envelope(RESPONSE_SUCCESS if done else RESPONSE_ERROR, done, ctx.quirks)

    def send_key(self, ctx: CgiRequest) -> web.Response:
        """`api-send_key`: keys split on `:`, one unknown key and none is pressed."""
        raw = ctx.params.get(PARAM_KEYS, "")
        try:
            keys = [normalize_key(key) for key in raw.split(KEY_SEPARATOR)]
        except ValueError:
            return envelope(RESPONSE_ERROR, BODY_UNKNOWN, ctx.quirks)
        self.phone.send_keys(keys)
        return envelope(RESPONSE_SUCCESS, BODY_COMPLETE, ctx.quirks)

    def sys_operation(self, ctx: CgiRequest) -> web.Response:
        """`api-sys_operation`: REBOOT for real; RESET / PROV / KILLGUI never."""
        request = ctx.params.get(PARAM_REQUEST, "")
        if request in NOOP_SYS_OPERATIONS:  # never reset or provision for real
            return envelope(RESPONSE_SUCCESS, NOOP_SYS_OPERATIONS[request], ctx.quirks)
        if request != SYS_REBOOT:
            return envelope(RESPONSE_ERROR, BODY_UNKNOWN, ctx.quirks)
        self.phone.reboot()
        return envelope(RESPONSE_SUCCESS, BODY_SAVEREBOOT, ctx.quirks)
