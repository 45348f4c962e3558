"""Async client for Grandstream phones: the passcode CTI API and the web session API.

This package depends on aiohttp and the standard library only, so it can become
a library of its own.
"""

from .client import GrandstreamCTIClient
from .errors import (
    CommandRefusal,
    GrandstreamCTIAccessDeniedError,
    GrandstreamCTIAuthenticationError,
    GrandstreamCTICertificateError,
    GrandstreamCTICommandError,
    GrandstreamCTIConnectionError,
    GrandstreamCTIError,
    GrandstreamCTILockedError,
    GrandstreamCTIPermissionError,
    GrandstreamCTIResponseError,
    GrandstreamCTITimeoutError,
    GrandstreamCTIUnsupportedError,
    GrandstreamCTIUserNotAllowedError,
    GrandstreamCTIWriteRejectedError,
)
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

__all__ = [
    "Account",
    "ApiKind",
    "Battery",
    "CommandRefusal",
    "GrandstreamCTIAccessDeniedError",
    "GrandstreamCTIAuthenticationError",
    "GrandstreamCTICertificateError",
    "GrandstreamCTIClient",
    "GrandstreamCTICommandError",
    "GrandstreamCTIConnectionError",
    "GrandstreamCTIError",
    "GrandstreamCTILockedError",
    "GrandstreamCTIPermissionError",
    "GrandstreamCTIResponseError",
    "GrandstreamCTITimeoutError",
    "GrandstreamCTIUnsupportedError",
    "GrandstreamCTIUserNotAllowedError",
    "GrandstreamCTIWriteRejectedError",
    "Line",
    "LineState",
    "LoginVariant",
    "ModelInfo",
    "PhoneApi",
    "PhoneOperation",
    "PhoneState",
    "PhoneStatus",
    "SessionInfo",
    "WifiStatus",
]
