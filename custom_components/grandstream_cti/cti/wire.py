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

# ---------------------------------------------------------------------------
# The web session API (session-spec.md): login, sid, configuration.

# Unauthenticated probes (session-spec §1.1).
FUNCTION_WILL_LOGIN: Final = "api-will_login"
FUNCTION_GET_LOCKOUT: Final = "api-get_lockout"
FUNCTION_VALUES_GET: Final = "api.values.get"
FUNCTION_VALUES_POST: Final = "api.values.post"
BODY_LOCKOUT: Final = "lockout"

# Login (§2.2 challenge variant A, §2.3 plain variant B) and logout (§2.8).
FUNCTION_ACCESS: Final = "access"
FUNCTION_DOLOGIN: Final = "dologin"
FUNCTION_DOLOGOUT: Final = "dologout"
PARAM_ACCESS: Final = "access"
PARAM_USERNAME: Final = "username"
PARAM_SID: Final = "sid"
LOGIN_SID: Final = "sid"
LOGIN_ROLE: Final = "role"
LOGIN_VERSION: Final = "ver"
LOGIN_MAC: Final = "mac"
LOGIN_DEFAULT_AUTH: Final = "defaultAuth"
LOGIN_LOCK_TIME: Final = "lockTime"
# Login refusals: "wrong4" (attempts left), "locked" (+ lockTime minutes).
BODY_WRONG: Final = "wrong"
BODY_LOCKED: Final = "locked"
BODY_USER_NOT_ALLOWED: Final = "user is not allow"
ROLE_ADMIN: Final = "admin"
ROLE_USER: Final = "user"
# Cookies: WP8x6 take `sid`.
COOKIE_SID: Final = "sid"
# Config reads/writes after login (§4): config_get / PUT config_update, or
# api.values.get / api.values.post (GXP16xx).
FUNCTION_CONFIG_GET: Final = "config_get"
FUNCTION_CONFIG_UPDATE: Final = "config_update"
PARAM_PVALUES: Final = "pvalues"
CONFIG_CONFIGS: Final = "configs"
CONFIG_ALIAS: Final = "alias"
CONFIG_PVALUE: Final = "pvalue"
CONFIG_VALUE: Final = "value"
CONFIG_STATUS: Final = "status"
CONFIG_STATUS_RIGHT: Final = "right"
SESSION_EXPIRED: Final = "session-expired"
# Session CTI extras (§3).
PARAM_LINE: Final = "line"
FUNCTION_BATTERY: Final = "api-get_battery_status"
FUNCTION_WIFI_STATUS: Final = "api-wifi_status_get"

# Configuration keys the integration reads or writes (§4.4-4.6).
PVALUE_MAC: Final = "67"
PVALUE_FIRMWARE: Final = "68"
PVALUE_CLICK_TO_DIAL: Final = "1561"
RUNTIME_DND: Final = ":dnd"
NAMED_PHONE_MODEL: Final = "phone_model"
# Never written: admin/user passwords, provisioning and firmware paths.
FORBIDDEN_PVALUES: Final = frozenset({"2", "196", "212", "237", "192"})

# ---------------------------------------------------------------------------
# make_call's refusal of a request it cannot follow (captured). Words only the
# simulator uses live in simulator/wire.py.
BODY_INVALID_REQUEST: Final = "Invalid Request"
