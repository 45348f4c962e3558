"""Async client for Grandstream phones: the passcode CTI API and the web session API.

This package depends on aiohttp and the standard library only, so it can become
a library of its own; everything a caller needs is exported here.
"""

from .action_url import (
    ACTION_URL_FIELDS,
    CALL_EVENTS,
    ActionUrlEvent,
    SlotPlan,
    action_urls,
    build_action_url,
    parse_action_url_event,
    parse_action_url_params,
    plan_action_url_slots,
)
from .address import (
    GRANDSTREAM_OUIS,
    is_grandstream,
    normalize_host,
    normalize_mac,
    resolve_host,
)
from .calls import (
    CallEvent,
    CallEventType,
    CallHistory,
    LastCaller,
    call_events,
    remote_name,
    remote_party,
)
from .client import DEFAULT_USERNAME, MAX_KEYS, GrandstreamCTIClient
from .errors import (
    CommandRefusal,
    GrandstreamCTIAccessDeniedError,
    GrandstreamCTIApiChangedError,
    GrandstreamCTIAuthenticationError,
    GrandstreamCTICertificateError,
    GrandstreamCTICommandError,
    GrandstreamCTIConnectionError,
    GrandstreamCTIError,
    GrandstreamCTILockedError,
    GrandstreamCTIPermissionError,
    GrandstreamCTIResponseError,
    GrandstreamCTISessionTakenError,
    GrandstreamCTITimeoutError,
    GrandstreamCTIUnsupportedError,
    GrandstreamCTIUserNotAllowedError,
    GrandstreamCTIWriteRejectedError,
    GrandstreamCTIWrongDeviceError,
)
from .keys import normalize_keys
from .models import (
    Account,
    ApiKind,
    Battery,
    Line,
    LineState,
    LoginVariant,
    ModelInfo,
    PhoneApi,
    PhoneOperation,
    PhoneState,
    PhoneStatus,
    SessionInfo,
    WifiStatus,
)
from .numbers import MAX_NUMBER_LENGTH, validate_number
from .parsing import printable, shorten
from .read_queue import ReadQueue
from .session_parsing import config_key
from .settings import (
    SETTING_CHOICES,
    SETTING_RANGES,
    ConfigValue,
    Setting,
    unread_voicemail_key,
)
from .snapshot import Capabilities, PhoneSnapshot
from .wire import (
    ACCOUNT_NAME,
    ACCOUNT_SIP_ID,
    ACCOUNT_SIP_SERVER,
    LINE_REMOTE_NAME,
    LINE_REMOTE_NUMBER,
    RUNTIME_DND,
)

# Fields of the phone's answers that name people (diagnostics redact them).
PERSONAL_FIELDS = (
    ACCOUNT_NAME,
    ACCOUNT_SIP_ID,
    ACCOUNT_SIP_SERVER,
    LINE_REMOTE_NAME,
    LINE_REMOTE_NUMBER,
)

__all__ = [
    "ACTION_URL_FIELDS",
    "CALL_EVENTS",
    "DEFAULT_USERNAME",
    "GRANDSTREAM_OUIS",
    "MAX_KEYS",
    "MAX_NUMBER_LENGTH",
    "PERSONAL_FIELDS",
    "RUNTIME_DND",
    "SETTING_CHOICES",
    "SETTING_RANGES",
    "Account",
    "ActionUrlEvent",
    "ApiKind",
    "Battery",
    "CallEvent",
    "CallEventType",
    "CallHistory",
    "Capabilities",
    "CommandRefusal",
    "ConfigValue",
    "GrandstreamCTIAccessDeniedError",
    "GrandstreamCTIApiChangedError",
    "GrandstreamCTIAuthenticationError",
    "GrandstreamCTICertificateError",
    "GrandstreamCTIClient",
    "GrandstreamCTICommandError",
    "GrandstreamCTIConnectionError",
    "GrandstreamCTIError",
    "GrandstreamCTILockedError",
    "GrandstreamCTIPermissionError",
    "GrandstreamCTIResponseError",
    "GrandstreamCTISessionTakenError",
    "GrandstreamCTITimeoutError",
    "GrandstreamCTIUnsupportedError",
    "GrandstreamCTIUserNotAllowedError",
    "GrandstreamCTIWriteRejectedError",
    "GrandstreamCTIWrongDeviceError",
    "LastCaller",
    "Line",
    "LineState",
    "LoginVariant",
    "ModelInfo",
    "PhoneApi",
    "PhoneOperation",
    "PhoneSnapshot",
    "PhoneState",
    "PhoneStatus",
    "ReadQueue",
    "SessionInfo",
    "Setting",
    "SlotPlan",
    "WifiStatus",
    "action_urls",
    "build_action_url",
    "call_events",
    "config_key",
    "is_grandstream",
    "normalize_host",
    "normalize_keys",
    "normalize_mac",
    "parse_action_url_event",
    "parse_action_url_params",
    "plan_action_url_slots",
    "printable",
    "remote_name",
    "remote_party",
    "resolve_host",
    "shorten",
    "unread_voicemail_key",
    "validate_number",
]
