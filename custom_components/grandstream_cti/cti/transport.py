"""HTTP plumbing of the client: one request in, one answer or one error out.

* Two lanes per phone: reads (at most `max_reads` at once) and commands (one
  at a time, never queued behind reads). A command's wait for its lane counts
  toward its own timeout, so it never waits longer than that; a read's
  timeout starts when it goes out.
* Requests `alone` (the passcode API's, the password in each) share one turn
  instead: one at a time whatever their lane, so the phone's answer to one is
  judged before the next is sent (a wrong password costs one request, not
  one per request in flight). A waiting command goes before waiting reads;
  the wait counts toward the timeout as a lane's would.
* Reads are retried once on a transport failure (refused, reset, dropped,
  timeout); commands never (hold is a toggle); nothing is retried after an
  HTTP answer, and a certificate that fails verification is not retried. A
  request `alone` (the password in it) is retried only when it never left
  (no connection): one the phone may have judged is never sent twice.
* aiohttp errors carry the request URL (the passcode is in its query string).
  They are never chained, formatted or logged: the failure's kind is noted,
  the `except` block is left, and the client's own error is raised there, so
  neither `__cause__` nor `__context__` refers to the aiohttp error.
* Commands and every request with the passcode go as POST: aiohttp silently
  re-sends an idempotent request (GET) once when a connection drops, which
  would run a command twice, or send a wrong password twice.
* Cookies go as a ready `Cookie` header and forms as ready bytes: aiohttp's
  `cookies=` builds a throw-away cookie jar per request and `FormData` a
  writer per request, most of a polled request's cost with many phones.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from enum import Enum
from http.cookies import SimpleCookie
import logging
from typing import Final, NoReturn
from urllib.parse import urlencode

import aiohttp
from yarl import URL

from .errors import (
    GrandstreamCTICertificateError,
    GrandstreamCTIConnectionError,
    GrandstreamCTITimeoutError,
)
from .parsing import decode_bytes
from .wire import CGI_PREFIX

_LOGGER = logging.getLogger(__name__)

DEFAULT_TIMEOUT: Final = 10.0
DEFAULT_MAX_CONCURRENT_REQUESTS: Final = 2
# Largest body read from the phone (its answers are a few hundred bytes).
MAX_BODY_BYTES: Final = 1024 * 1024
# URLs, form bodies and headers are built once per phone and reused (they
# repeat from request to request; the session id changes them per login):
# at most this many of each are kept.
MAX_BUILT: Final = 64


class Lane(Enum):
    """Which queue a request waits in."""

    READ = "read"
    COMMAND = "command"


class _Failure(Enum):
    """Transport failures (no HTTP answer, or an answer cut short)."""

    CONNECTION = "connection"
    TIMEOUT = "timeout"
    CERTIFICATE = "certificate"


class _TransportError(Exception):
    """Internal: a transport failure, free of aiohttp objects and URLs."""

    def __init__(
        self, failure: _Failure, status: int | None, *, unsent: bool = False
    ) -> None:
        super().__init__(failure.value)
        self.failure = failure
        # HTTP status when the phone had already answered before the failure.
        self.status = status
        # No connection was made: the phone cannot have seen the request.
        self.unsent = unsent


@dataclass(slots=True)
class Request:
    """One HTTP request to the phone (path under the phone's base URL)."""

    method: str
    path: str
    query: Mapping[str, str] = field(default_factory=dict)
    # A form body (POST/PUT); {} still sends an empty urlencoded form.
    form: Mapping[str, str] | None = None
    # A JSON body (config_update); never together with form.
    json: object = None
    cookies: Mapping[str, str] = field(default_factory=dict)
    # Origin/Referer/X-Requested-With, which the session API wants.
    browser_headers: bool = False
    # Asked once the request has its lane, just before it goes out: an error
    # returned here is raised instead (a password the phone rejected while
    # the request waited is not sent).
    guard: Callable[[], Exception | None] | None = None
    # Goes only when no other request `alone` is out (see the module notes).
    alone: bool = False

    @classmethod
    def cgi(cls, method: str, function: str, **kwargs: object) -> Request:
        """Return a request for /cgi-bin/<function>."""
        return cls(method, CGI_PREFIX + function, **kwargs)  # type: ignore[arg-type]


class OneAtATime:
    """One turn: a request at a time; a waiting command goes before waiting reads.

    Each lane waits in the order it came. The turn passes straight to the
    next waiter, which runs only once the task before it awaits something:
    a caller that judges an answer before awaiting anything (PasscodeAuth)
    has judged it before the next request's guard is asked.
    """

    def __init__(self) -> None:
        """Start free, nobody waiting."""
        self._busy = False
        self._waiting: dict[Lane, deque[asyncio.Future[None]]] = {
            Lane.COMMAND: deque(),
            Lane.READ: deque(),
        }

    @property
    def busy(self) -> bool:
        """Return True while a request has the turn."""
        return self._busy

    @asynccontextmanager
    async def turn(self, lane: Lane) -> AsyncIterator[None]:
        """Wait for the turn, hold it for the block, then pass it on."""
        await self._acquire(lane)
        try:
            yield
        finally:
            self._release()

    async def _acquire(self, lane: Lane) -> None:
        if not self._busy:
            self._busy = True
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiting[lane].append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._release()  # given the turn just as it was cancelled
            else:
                waiter.cancel()  # still queued: the release skips it
            raise

    def _release(self) -> None:
        for lane in (Lane.COMMAND, Lane.READ):
            queue = self._waiting[lane]
            while queue:
                waiter = queue.popleft()
                if not waiter.done():  # a cancelled waiter is skipped
                    waiter.set_result(None)  # still busy: the turn is its
                    return
        self._busy = False


@dataclass(frozen=True, slots=True)
class Answer:
    """An HTTP answer: status, decoded text, Server header, cookies set."""

    status: int
    text: str
    server: str | None = None
    cookies: Mapping[str, str] = field(default_factory=dict)


class Transport:
    """Send requests to one phone; every failure becomes a client error."""

    def __init__(
        self,
        host: str,
        *,
        session: aiohttp.ClientSession,
        port: int | None = None,
        use_ssl: bool = False,
        verify_ssl: bool = False,
        timeout: float = DEFAULT_TIMEOUT,
        max_concurrent_requests: int = DEFAULT_MAX_CONCURRENT_REQUESTS,
    ) -> None:
        """Validate the settings (no I/O); raise ValueError for bad ones."""
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
        self.base = URL.build(
            scheme="https" if use_ssl else "http", host=name, port=port
        )
        # Exactly the origin reached: scheme, host, and the port if not default.
        self.origin = str(self.base.origin())
        self.use_ssl = use_ssl
        self._session = session
        # Self-signed certificates: verification off means ssl=False.
        self._ssl: bool = not (use_ssl and not verify_ssl)
        self.timeout = timeout
        # No aiohttp timer: `_send_once`'s own deadline bounds every request
        # (one timer per request, not two).
        self._client_timeout = aiohttp.ClientTimeout()
        self._urls: dict[tuple[str, tuple[tuple[str, str], ...]], URL] = {}
        self._forms: dict[tuple[tuple[str, str], ...], bytes] = {}
        self._header_sets: dict[tuple[object, ...], dict[str, str]] = {}
        self._lanes: dict[Lane, asyncio.Semaphore] = {
            Lane.READ: asyncio.Semaphore(max_concurrent_requests),
            Lane.COMMAND: asyncio.Semaphore(1),
        }
        self._one_at_a_time = OneAtATime()

    @property
    def base_url(self) -> str:
        """Return scheme://host[:port] (never a secret)."""
        return str(self.base)

    def url(self, request: Request) -> URL:
        """Return the full URL of a request (it may hold a secret: never log it)."""
        key = (request.path, tuple(request.query.items()))
        if (url := self._urls.get(key)) is None:
            url = self.base.with_path(request.path)
            url = url.with_query(dict(request.query)) if request.query else url
            _keep(self._urls, key, url)
        return url

    async def send(
        self, request: Request, *, lane: Lane, label: str, retry: bool
    ) -> Answer:
        """Send a request; retry once on a transport failure when retry is set."""
        try:
            return await self._send_once(request, lane, label)
        except _TransportError as err:
            failed: _TransportError | None = err
            if (
                retry
                and err.failure is not _Failure.CERTIFICATE
                and (err.unsent or not request.alone)
            ):
                failed = None
                _LOGGER.debug("%s %s: retrying once", self.base_url, label)
        if failed is None:
            try:
                return await self._send_once(request, lane, label)
            except _TransportError as err:
                failed = err
        # Outside the except block: the internal error is not the context.
        return self.raise_failure(failed, label)

    async def send_expecting_drop(
        self, request: Request, *, lane: Lane, label: str
    ) -> Answer | None:
        """Send a request after which the phone may drop the connection.

        Returns None when the phone closed the connection after answering
        HTTP 200 (a reboot does that); raises for any other failure.
        """
        try:
            return await self._send_once(request, lane, label)
        except _TransportError as err:
            failed = err
        if failed.status == 200:
            _LOGGER.debug(
                "%s %s: connection closed after answering", self.base_url, label
            )
            return None
        return self.raise_failure(failed, label)

    def raise_failure(self, error: _TransportError, label: str) -> NoReturn:
        """Raise the public error for a transport failure."""
        if error.failure is _Failure.TIMEOUT:
            raise GrandstreamCTITimeoutError(
                f"The phone at {self.base_url} did not answer {label} in time"
            )
        if error.failure is _Failure.CERTIFICATE:
            raise GrandstreamCTICertificateError(
                f"The certificate of the phone at {self.base_url} failed "
                "verification; turn certificate verification off for the "
                "phone's self-signed certificate"
            )
        raise GrandstreamCTIConnectionError(
            f"Could not reach the phone at {self.base_url} ({label}); check its "
            "address, port and the HTTPS option"
        )

    def _headers(self, request: Request) -> dict[str, str]:
        key = (
            request.browser_headers,
            request.form is not None,
            *request.cookies.items(),
        )
        if (built := self._header_sets.get(key)) is not None:
            return built
        headers: dict[str, str] = {}
        if request.browser_headers:
            headers["Origin"] = self.origin
            headers["Referer"] = f"{self.origin}/"
            headers["X-Requested-With"] = "XMLHttpRequest"
        if request.form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if request.cookies:
            headers["Cookie"] = cookie_header(request.cookies)
        return _keep(self._header_sets, key, headers)

    async def _send_once(self, request: Request, lane: Lane, label: str) -> Answer:
        """Send once; map every transport failure to _TransportError."""
        failure: _Failure | None = None
        status: int | None = None
        stopped: Exception | None = None
        unsent = False
        # A read's clock starts when it goes out (no deadline while it waits):
        # each request ahead of it is bounded, and a slow phone must not time
        # out those behind, which would then fail or be re-sent.
        waits_bounded = lane is not Lane.READ
        try:
            async with asyncio.timeout(
                self.timeout if waits_bounded else None
            ) as deadline:
                async with self._turn(request, lane):
                    stopped = request.guard() if request.guard else None
                    if stopped is None:
                        if not waits_bounded:
                            deadline.reschedule(
                                asyncio.get_running_loop().time() + self.timeout
                            )
                        async with self._open(request) as response:
                            status = response.status
                            server = response.headers.get("Server")
                            cookies = _cookies_set(response)
                            data = await _read_capped(response)
        except TimeoutError:
            failure = _Failure.TIMEOUT
        except aiohttp.ClientConnectorCertificateError:
            failure = _Failure.CERTIFICATE
        except aiohttp.ClientConnectorError:
            # Refused, DNS, TLS handshake: nothing of the request went out.
            failure, unsent = _Failure.CONNECTION, True
        except (aiohttp.ClientError, OSError):
            # ServerDisconnectedError, ClientPayloadError, ClientOSError
            # (reset), InvalidURL...: the request may have gone out.
            failure = _Failure.CONNECTION
        except Exception as err:  # noqa: BLE001
            # Anything else from the HTTP stack (a broken resolver, ...) is
            # still "could not talk to the phone"; only its type is logged,
            # its message may carry the URL.
            _LOGGER.debug("%s %s: %s", self.base_url, label, type(err).__name__)
            failure = _Failure.CONNECTION
        if stopped is not None:
            raise stopped
        if failure is not None:
            # Raised here, outside the except block: no __context__.
            _LOGGER.debug(
                "%s %s: %s (HTTP status %s)",
                self.base_url,
                label,
                failure.value,
                status,
            )
            raise _TransportError(failure, status, unsent=unsent)
        _LOGGER.debug("%s %s: HTTP %s", self.base_url, label, status)
        assert status is not None
        return Answer(status, decode_bytes(data), server, cookies)

    def _turn(
        self, request: Request, lane: Lane
    ) -> AbstractAsyncContextManager[object]:
        """Return what the request waits for: the one turn, or its lane."""
        if request.alone:
            return self._one_at_a_time.turn(lane)
        return self._lanes[lane]

    def _open(
        self, request: Request
    ) -> AbstractAsyncContextManager[aiohttp.ClientResponse]:
        body: dict[str, object] = {}
        if request.form is not None:
            # An empty form still goes with Content-Length: 0 (WP826: 411).
            form = tuple(request.form.items())
            if (data := self._forms.get(form)) is None:
                data = _keep(self._forms, form, urlencode(form).encode())
            body["data"] = data
        elif request.json is not None:
            body["json"] = request.json
        return self._session.request(
            request.method,
            self.url(request),
            ssl=self._ssl,
            timeout=self._client_timeout,
            allow_redirects=False,
            headers=self._headers(request),
            **body,  # type: ignore[arg-type]
        )


def _keep[K, V](built: dict[K, V], key: K, value: V) -> V:
    """Keep a built value for reuse (at most MAX_BUILT); return it."""
    if len(built) >= MAX_BUILT:
        built.clear()
    built[key] = value
    return value


_COOKIE_CODEC: Final = SimpleCookie()


def cookie_header(cookies: Mapping[str, str]) -> str:
    """Return a Cookie header replaying cookies (values quoted as a jar would)."""
    return "; ".join(
        f"{name}={_COOKIE_CODEC.value_encode(value)[1]}"
        for name, value in cookies.items()
    )


def _cookies_set(response: aiohttp.ClientResponse) -> dict[str, str]:
    """Return the cookies the answer sets (name → value)."""
    jar: SimpleCookie = response.cookies
    return {name: morsel.value for name, morsel in jar.items()}


async def _read_capped(response: aiohttp.ClientResponse) -> bytes:
    """Read the body up to MAX_BODY_BYTES (a phone's answers are small)."""
    chunks: list[bytes] = []
    size = 0
    while size <= MAX_BODY_BYTES and (chunk := await response.content.read(65536)):
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)[:MAX_BODY_BYTES]
