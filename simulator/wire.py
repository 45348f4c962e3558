"""Wire words only the simulator uses (session-spec §2-§5, captures).

What the phone answers or sends that the client never reads or writes. Names both sides use stay in `custom_components/grandstream_cti/cti/wire.py`,
so the client and the simulator cannot drift apart on those.
"""

from __future__ import annotations

from typing import Final

# Account fields: `auto_cfg` is always there, empty (WP826 capture).
ACCOUNT_AUTO_CFG: Final = "auto_cfg"

# CTI and extras functions share this prefix (`api-get_line_status`...).
API_PREFIX: Final = "api-"
# GDS/GSC put an error's words in `message` too (grandstream-home-api reads
# "user is not allow" there).
MESSAGE_FIELD: Final = "message"

# Login, logout and keep-alive (§2.2, §2.7, §2.8).
FUNCTION_DOREFRESH: Final = "dorefresh"
BODY_LOGOUT: Final = "logout"
LOGIN_DEFAULT_LOGIN: Final = "defaultLogin"
# A request that must not count as activity (`update_session=false`).
PARAM_UPDATE_SESSION: Final = "update_session"
# Cookies GXP firmware sets at login (`session-identity` carries the sid).
COOKIE_SESSION_IDENTITY: Final = "session-identity"
COOKIE_SESSION_ROLE: Final = "session-role"

# Session CTI parameters the phone takes and the simulator ignores (§3).
PARAM_ARG: Final = "arg"
PARAM_DIALPLAN: Final = "dialplan"

# Phone status words the simulator answers with.
PHONE_STATUS_UNAVAILABLE: Final = "unavailable"  # up, but no account registered
PHONE_STATUS_CONNECTED: Final = "connected"  # some firmware, instead of "busy"

# Named configuration keys (§4.3).
NAMED_NUM_LINES: Final = "num_lines"
NAMED_ACCOUNT_REGISTERED: Final = "AccountRegistered"  # + account number, 1-based
# Runtime key: unread voicemail messages of an account (+ number, 1-based).
RUNTIME_UNREAD_VOICEMAIL: Final = ":unread_vm_"

# Never called (§5.3): factory reset, provisioning, GUI restart, and the
# firmware, certificate and password endpoints.
SYS_RESET: Final = "RESET"
SYS_PROV: Final = "PROV"
SYS_KILLGUI: Final = "KILLGUI"
BODY_RESET: Final = "reset"
FORBIDDEN_FUNCTIONS: Final = frozenset(
    {
        "firmware-upgrade",
        "setup-firmware-upgrade",
        "upload_CA",
        "delete_CA",
        "api-change_password",
        "api-change_default_password",
        "api-delete_all_contact",
        "api-pcap",
    }
)
