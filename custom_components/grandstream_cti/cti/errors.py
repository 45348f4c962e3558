"""Errors raised by the CTI client.

Every message says what to do and none contains the passcode: aiohttp errors
carry the request URL (with the passcode in its query string), so the client
never chains or formats them.
"""

from __future__ import annotations


class GrandstreamCTIError(Exception):
    """Base class of every error the CTI client raises."""


class GrandstreamCTIConnectionError(GrandstreamCTIError):
    """The phone could not be reached (refused, reset, DNS, TLS)."""


class GrandstreamCTITimeoutError(GrandstreamCTIConnectionError):
    """The phone did not answer in time."""


class GrandstreamCTIAuthenticationError(GrandstreamCTIError):
    """The phone rejected the passcode (HTTP 401 or an "unauthorized" body)."""


class GrandstreamCTIAccessDeniedError(GrandstreamCTIError):
    """CTI is disabled on the phone or this host is not in its allowed IP list."""


class GrandstreamCTICommandError(GrandstreamCTIError):
    """The phone refused a command (nothing to act on, unknown key...)."""


class GrandstreamCTIResponseError(GrandstreamCTIError):
    """The phone answered something the client does not understand."""
