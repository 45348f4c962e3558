"""Async client for one phone's CTI API.

Design notes:

* One request helper (`_request`) does every CGI call; the passcode is added
  in one place (`_auth_params`) so session-login firmware can be added later.
* Reads (line status, phone status, accounts, model info) are retried once on
  a transport error (connection refused/reset, server disconnected, timeout).
  Commands are never retried (hold is a toggle) and nothing is retried after
  an HTTP answer (a 401 in particular: web accounts lock after 5 failures).
* Reads are sent as GET (the documented form). Commands are sent as POST
  with the same query string and no body (the spec: working clients POST and
  phones accept it): aiohttp transparently re-sends an idempotent request
  (GET) once when the connection drops before the answer, which would run a
  command twice; it never re-sends a POST. Flip COMMAND_METHOD to go back to
  GET. (For reads that aiohttp re-send is harmless: a read that keeps being
  dropped is sent at most four times.)
* aiohttp errors carry the request URL, passcode included. They are never
  chained, formatted or logged: the client remembers what kind of failure it
  was, leaves the `except` block, and raises its own error there so neither
  `__cause__` nor `__context__` refers to the aiohttp error.
* get_model_info() never raises for a phone that answers HTTP (any status,
  any body: fields are None); it raises GrandstreamCTIConnectionError /
  GrandstreamCTITimeoutError when the phone cannot be reached at all, so a
  config flow can tell "unreachable" from "no model facts".
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from enum import Enum
import logging
from typing import Final, NoReturn

import aiohttp
from yarl import URL

from .errors import (
    GrandstreamCTIAccessDeniedError,
    GrandstreamCTIAuthenticationError,
    GrandstreamCTIConnectionError,
    GrandstreamCTIResponseError,
    GrandstreamCTITimeoutError,
)
from .keys import normalize_keys
from .models import Account, Line, ModelInfo, PhoneOperation, PhoneState
from .numbers import validate_number
from .parsing import (
    MESSAGE_ACCESS_DENIED,
    MESSAGE_AUTHENTICATION,
    Envelope,
    check_command,
    decode_bytes,
    parse_accounts,
    parse_envelope,
    parse_line_status,
    parse_model_define,
    parse_phone_status,
    read_body,
)
from .wire import (
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
    PARAM_PHONENUMBER,
    PARAM_REQUEST,
    SYS_REBOOT,
)

_LOGGER = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_CONCURRENT_REQUESTS = 2

# Characters a phone can dial: digits, * # + and, for SIP URIs, letters and
# @ . _ - : (ASCII only; no spaces or control characters).
READ_METHOD: Final = "GET"
# POST: aiohttp never re-sends it on its own (see the module docstring).
COMMAND_METHOD: Final = "POST"
# Largest body read from the phone (its answers are a few hundred bytes).
MAX_BODY_BYTES: Final = 1024 * 1024


class _Failure(Enum):
    """Transport failures (no HTTP answer, or an answer cut short)."""

    CONNECTION = "connection"
    TIMEOUT = "timeout"


class _TransportError(Exception):
    """Internal: a transport failure, free of aiohttp objects and URLs."""

    def __init__(self, failure: _Failure, status: int | None) -> None:
        super().__init__(failure.value)
        self.failure = failure
        # HTTP status when the phone had already answered before the failure.
        self.status = status


class _Answer:
    """Internal: an HTTP answer (status, decoded text, Server header)."""

    __slots__ = ("server", "status", "text")

    def __init__(self, status: int, text: str, server: str | None) -> None:
        self.status = status
        self.text = text
        self.server = server


class GrandstreamCTIClient:
    """Talk to one Grandstream phone over its CTI HTTP API."""

    def __init__(
        self,
        host: str,
        passcode: str,
        *,
        session: aiohttp.ClientSession,
        port: int | None = None,
        use_ssl: bool = False,
        verify_ssl: bool = False,
        timeout: float = DEFAULT_TIMEOUT,
        max_concurrent_requests: int = DEFAULT_MAX_CONCURRENT_REQUESTS,
    ) -> None:
        """Initialize the client (no I/O).

        host may be a name, an IPv4 address or an IPv6 address with or
        without brackets. Raises ValueError for an invalid host, port,
        timeout or concurrency limit.
        """
        name = host.strip()
        if name.startswith("[") and name.endswith("]"):
            name = name[1:-1]
        if not name:
            raise ValueError("No host given")
        if port is not None and not 0 < port < 65536:
            raise ValueError(f"Invalid port {port}")
        if timeout <= 0:
            raise ValueError("The timeout must be positive")
        if max_concurrent_requests < 1:
            raise ValueError("max_concurrent_requests must be at least 1")
        self._base = URL.build(
            scheme="https" if use_ssl else "http", host=name, port=port
        )
        self._passcode = passcode
        self._session = session
        # Self-signed certificates: verification off means ssl=False.
        self._ssl: bool = not (use_ssl and not verify_ssl)
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._semaphore = asyncio.Semaphore(max_concurrent_requests)

    def __repr__(self) -> str:
        """Return a representation without the passcode."""
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    @property
    def base_url(self) -> str:
        """Return scheme://host[:port] (never the passcode)."""
        return str(self._base)

    # ------------------------------------------------------------------
    # Plumbing

    def _auth_params(self) -> dict[str, str]:
        """Return the query parameters that authenticate a CGI request.

        The only place the passcode is put on the wire; session-login
        firmware (sid) would be handled here.
        """
        return {PARAM_PASSCODE: self._passcode}

    @property
    def _secrets(self) -> tuple[str, ...]:
        return (self._passcode,)

    async def _fetch(self, method: str, url: URL, label: str) -> _Answer:
        """Send one request; map every transport failure to _TransportError.

        label names the request in logs (never the URL: it holds the passcode).
        """
        failure: _Failure | None = None
        status: int | None = None
        try:
            async with (
                self._semaphore,
                self._session.request(
                    method,
                    url,
                    ssl=self._ssl,
                    timeout=self._timeout,
                    allow_redirects=False,
                ) as response,
            ):
                status = response.status
                server = response.headers.get("Server")
                data = await _read_capped(response)
        except TimeoutError:
            failure = _Failure.TIMEOUT
        except (aiohttp.ClientError, OSError):
            # ClientConnectorError (refused, DNS, TLS), ServerDisconnectedError,
            # ClientPayloadError, ClientOSError (reset), InvalidURL...
            failure = _Failure.CONNECTION
        except Exception as err:  # noqa: BLE001
            # Anything else from the HTTP stack (a broken resolver, ...) is
            # still "could not talk to the phone"; only its type is logged,
            # its message may carry the URL.
            _LOGGER.debug("%s %s: %s", self.base_url, label, type(err).__name__)
            failure = _Failure.CONNECTION
        if failure is not None:
            # Raised here, outside the except block: no __context__.
            _LOGGER.debug(
                "%s %s: %s (HTTP status %s)",
                self.base_url,
                label,
                failure.value,
                status,
            )
            raise _TransportError(failure, status)
        _LOGGER.debug("%s %s: HTTP %s", self.base_url, label, status)
        assert status is not None
        return _Answer(status, decode_bytes(data), server)

    def _raise_transport(self, error: _TransportError, label: str) -> NoReturn:
        """Raise the public error for a transport failure."""
        if error.failure is _Failure.TIMEOUT:
            raise GrandstreamCTITimeoutError(
                f"The phone at {self.base_url} did not answer {label} in time"
            )
        raise GrandstreamCTIConnectionError(
            f"Could not reach the phone at {self.base_url} ({label}); check its "
            "address, port and the HTTPS option"
        )

    async def _send(self, url: URL, label: str, *, read: bool) -> _Answer:
        """Send a read (GET, retried once on a transport error) or a command."""
        method = READ_METHOD if read else COMMAND_METHOD
        try:
            return await self._fetch(method, url, label)
        except _TransportError as err:
            if not read:
                failed = err
            else:
                failed = None
                _LOGGER.debug("%s %s: retrying once", self.base_url, label)
        if failed is None:
            try:
                return await self._fetch(method, url, label)
            except _TransportError as err:
                failed = err
        # Outside the except block: the internal error is not the context.
        return self._raise_transport(failed, label)

    def _url(self, function: str, params: Mapping[str, str] | None) -> URL:
        query = {**self._auth_params(), **(params or {})}
        return self._base.with_path(CGI_PREFIX + function).with_query(query)

    def _check_status(self, answer: _Answer, label: str) -> None:
        """Raise for an HTTP status other than 200."""
        status = answer.status
        if status == 200:
            return
        if status == 401:
            raise GrandstreamCTIAuthenticationError(MESSAGE_AUTHENTICATION)
        if status == 403:
            raise GrandstreamCTIAccessDeniedError(
                f"{MESSAGE_ACCESS_DENIED} (HTTP 403 for {label})"
            )
        if 300 <= status < 400:
            raise GrandstreamCTIResponseError(
                f"The phone at {self.base_url} redirected {label} (HTTP {status}); "
                "check the HTTPS option and the port"
            )
        if status == 404:
            raise GrandstreamCTIResponseError(
                f"The phone at {self.base_url} does not know {label} (HTTP 404); "
                "is it a Grandstream phone with the CTI API?"
            )
        raise GrandstreamCTIResponseError(
            f"The phone at {self.base_url} answered {label} with HTTP {status}"
        )

    async def _request(
        self,
        function: str,
        params: Mapping[str, str] | None = None,
        *,
        read: bool,
        label: str | None = None,
    ) -> Envelope:
        """Call a CGI function and return its decoded envelope.

        Reads are retried once on a transport error; commands never.
        """
        label = label or function
        answer = await self._send(self._url(function, params), label, read=read)
        self._check_status(answer, label)
        return parse_envelope(answer.text, label, secrets=self._secrets)

    async def _read(self, function: str) -> object:
        envelope = await self._request(function, read=True)
        return read_body(envelope, function)

    async def _command(
        self, function: str, params: Mapping[str, str], label: str
    ) -> None:
        envelope = await self._request(function, params, read=False, label=label)
        check_command(envelope, label, secrets=self._secrets)

    # ------------------------------------------------------------------
    # Reads

    async def get_line_status(self) -> list[Line]:
        """Read every line appearance."""
        body = await self._read(FUNCTION_LINE_STATUS)
        return parse_line_status(body, FUNCTION_LINE_STATUS)

    async def get_phone_status(self) -> PhoneState:
        """Read the phone-wide status."""
        body = await self._read(FUNCTION_PHONE_STATUS)
        return parse_phone_status(body, FUNCTION_PHONE_STATUS)

    async def get_accounts(self) -> list[Account]:
        """Read every account the model has."""
        body = await self._read(FUNCTION_ACCOUNTS)
        return parse_accounts(body, FUNCTION_ACCOUNTS)

    async def get_model_info(self) -> ModelInfo:
        """Read model facts that need no passcode; fields may be None.

        Any HTTP answer (404, errors, garbage) gives a ModelInfo, using the
        Server header as the model fallback. Raises
        GrandstreamCTIConnectionError (or its timeout subclass) only when the
        phone cannot be reached.
        """
        url = self._base.with_path(MODEL_DEFINE_PATH)
        answer = await self._send(url, "model.define.js", read=True)
        text = answer.text if answer.status == 200 else None
        return parse_model_define(text, answer.server)

    # ------------------------------------------------------------------
    # Commands (never retried)

    async def phone_operation(self, operation: PhoneOperation) -> None:
        """Send one phone operation; raise GrandstreamCTICommandError if refused."""
        cmd = PhoneOperation(operation)
        await self._command(FUNCTION_PHONE_OPERATION, {PARAM_CMD: cmd.value}, cmd.value)

    async def accept_call(self) -> None:
        """Answer the ringing call."""
        await self.phone_operation(PhoneOperation.ACCEPT_CALL)

    async def reject_call(self) -> None:
        """Reject the ringing call."""
        await self.phone_operation(PhoneOperation.REJECT_CALL)

    async def end_call(self) -> None:
        """Hang up the established call."""
        await self.phone_operation(PhoneOperation.END_CALL)

    async def hold_call(self) -> None:
        """Hold the established call, or resume a held one (the phone toggles)."""
        await self.phone_operation(PhoneOperation.HOLD_CALL)

    async def cancel_call(self) -> None:
        """Reject or cancel (abort an outgoing call while it rings)."""
        await self.phone_operation(PhoneOperation.CANCEL)

    async def make_call(self, number: str, account: int | None = None) -> None:
        """Dial number; account is 1-based here (0-based on the wire).

        Surrounding whitespace is stripped. Raises ValueError for an empty
        number, one with characters a phone cannot dial, or an account < 1.
        """
        dial = validate_number(number)
        params = {PARAM_PHONENUMBER: dial}
        if account is not None:
            if isinstance(account, bool) or not isinstance(account, int):
                raise ValueError(f"Invalid account {account!r}")
            if account < 1:
                raise ValueError(f"Accounts are numbered from 1, got {account}")
            params[PARAM_ACCOUNT] = str(account - 1)
        await self._command(FUNCTION_MAKE_CALL, params, "make_call")

    async def send_keys(self, keys: str | Iterable[str]) -> None:
        """Press keys in order (names validated by keys.normalize_keys)."""
        names = normalize_keys(keys)
        await self._command(
            FUNCTION_SEND_KEY, {PARAM_KEYS: KEY_SEPARATOR.join(names)}, "send_key"
        )

    async def reboot(self) -> None:
        """Reboot the phone (never a factory reset).

        The phone may drop the connection once it has answered; that counts
        as success only when it had already answered HTTP 200.
        """
        label = "reboot"
        url = self._url(FUNCTION_SYS_OPERATION, {PARAM_REQUEST: SYS_REBOOT})
        try:
            answer = await self._fetch(COMMAND_METHOD, url, label)
        except _TransportError as err:
            transport = err
        else:
            self._check_status(answer, label)
            envelope = parse_envelope(answer.text, label, secrets=self._secrets)
            check_command(envelope, "reboot", secrets=self._secrets)
            return
        if transport.status == 200:
            _LOGGER.debug("%s reboot: connection closed after answering", self.base_url)
            return
        self._raise_transport(transport, "reboot")


async def _read_capped(response: aiohttp.ClientResponse) -> bytes:
    """Read the body up to MAX_BODY_BYTES (a phone's answers are small)."""
    chunks: list[bytes] = []
    size = 0
    while size <= MAX_BODY_BYTES and (chunk := await response.content.read(65536)):
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)[:MAX_BODY_BYTES]
