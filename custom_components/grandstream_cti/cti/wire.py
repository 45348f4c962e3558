"""Names on the wire: CGI paths, parameters and JSON fields.

Shared by the client and the simulator so the two cannot drift apart.
"""

from __future__ import annotations

from typing import Final

CGI_PREFIX: Final = "/cgi-bin/"
MODEL_DEFINE_PATH: Final = "/json/configs/model.define.js"

FUNCTION_LINE_STATUS: Final = "api-get_line_status"
FUNCTION_PHONE_STATUS: Final = "api-get_phone_status"
FUNCTION_ACCOUNTS: Final = "api-get_accounts"
FUNCTION_PHONE_OPERATION: Final = "api-phone_operation"
FUNCTION_MAKE_CALL: Final = "api-make_call"
FUNCTION_SEND_KEY: Final = "api-send_key"
FUNCTION_SYS_OPERATION: Final = "api-sys_operation"

PARAM_PASSCODE: Final = "passcode"
# Some GXP/DP clients send `password` instead of `passcode` to make_call.
PARAM_PASSWORD: Final = "password"  # noqa: S105 - a parameter name
PARAM_CMD: Final = "cmd"
PARAM_PHONENUMBER: Final = "phonenumber"
PARAM_ACCOUNT: Final = "account"
PARAM_KEYS: Final = "keys"
PARAM_REQUEST: Final = "request"

KEY_SEPARATOR: Final = ":"

ENVELOPE_RESPONSE: Final = "response"
ENVELOPE_BODY: Final = "body"
RESPONSE_SUCCESS: Final = "success"
RESPONSE_ERROR: Final = "error"

BODY_COMPLETE: Final = "complete"
BODY_FAILED: Final = "failed"
BODY_UNKNOWN: Final = "unknown"
BODY_UNAUTHORIZED: Final = "unauthorized"
BODY_SAVEREBOOT: Final = "savereboot"

SYS_REBOOT: Final = "REBOOT"

# Line status fields.
LINE_NUMBER: Final = "line"
LINE_STATE: Final = "state"
LINE_ACCOUNT: Final = "acct"
LINE_REMOTE_NAME: Final = "remotename"
LINE_REMOTE_NUMBER: Final = "remotenumber"
LINE_ACTIVE: Final = "active"
LINE_CONFERENCE: Final = "conf"

# Account fields.
ACCOUNT_ID: Final = "id"
ACCOUNT_NAME: Final = "name"
ACCOUNT_SIP_ID: Final = "sip_id"
ACCOUNT_SIP_SERVER: Final = "sip_server"
ACCOUNT_REGISTERED: Final = "reg"
ACCOUNT_AUTO_CFG: Final = "auto_cfg"

# Keys the guide and working clients name (api-send_key), upper case.
FIXED_KEYS: Final = frozenset(
    {
        *(str(digit) for digit in range(10)),
        "STAR",
        "SEND",
        "ONHOOK",
        "OFFHOOK",
        "OK",
        "LOCK",
        "UNLOCK",
        "UP",
        "DOWN",
        "LEFT",
        "RIGHT",
        "SOFT1",
        "SOFT2",
        "SOFT3",
        "MUTE",
        "SPEAKER",
        "VUP",
        "VDOWN",
        "HOLD",
        "TRANSFER",
        "CONF",
        "HEADSET",
        "#",
    }
)
# Multi-purpose keys: MPK1 ... MPKn.
MPK_PREFIX: Final = "MPK"
MPK_MAX: Final = 48
