"""Async client for the Grandstream GRP26xx CTI HTTP API.

This package depends on aiohttp and the standard library only, so it can become
a library of its own.
"""

from .client import GrandstreamCTIClient
from .errors import (
    GrandstreamCTIAccessDeniedError,
    GrandstreamCTIAuthenticationError,
    GrandstreamCTICommandError,
    GrandstreamCTIConnectionError,
    GrandstreamCTIError,
    GrandstreamCTIResponseError,
    GrandstreamCTITimeoutError,
)
from .models import (
    Account,
    Line,
    LineState,
    ModelInfo,
    PhoneOperation,
    PhoneState,
    PhoneStatus,
)

__all__ = [
    "Account",
    "GrandstreamCTIAccessDeniedError",
    "GrandstreamCTIAuthenticationError",
    "GrandstreamCTIClient",
    "GrandstreamCTICommandError",
    "GrandstreamCTIConnectionError",
    "GrandstreamCTIError",
    "GrandstreamCTIResponseError",
    "GrandstreamCTITimeoutError",
    "Line",
    "LineState",
    "ModelInfo",
    "PhoneOperation",
    "PhoneState",
    "PhoneStatus",
]
