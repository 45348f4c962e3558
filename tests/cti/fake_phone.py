"""A tiny scripted HTTP server standing in for a phone (no simulator needed).

Each path answers from a queue of canned replies (the last one repeats), from
a responder function, or from the default reply. Every hit is recorded with
its raw query string, headers, cookies and body; the number of requests in
flight is tracked (overall and per path) to check the concurrency limits, and
`order` logs when each request arrived and was answered, so tests can assert
ordering instead of timing. `wait_until` waits for a condition on that state.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
import contextlib
from dataclasses import dataclass, field
import hashlib
import json
import ssl
from typing import Any, Self
from urllib.parse import parse_qsl

from aiohttp import web
from aiohttp.test_utils import TestServer

SECRET = "s3cr3t-Pass"


def envelope(body: Any, response: str = "success", **extra: Any) -> str:
    """Return a CTI JSON answer."""
    return json.dumps({"response": response, "body": body, **extra})


@dataclass
class Reply:
    """One canned answer."""

    body: str | bytes = ""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    # Wait for `FakePhone.release` at most this long before answering.
    delay: float = 0.0
    # Close the connection without answering.
    drop: bool = False
    # Cookies the answer sets (Set-Cookie).
    cookies: dict[str, str] = field(default_factory=dict)


@dataclass
class Hit:
    """One request the fake phone received."""

    method: str
    path: str
    raw_query: str
    query: dict[str, str]
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    # The body decoded as a urlencoded form (empty when it is not one).
    form: dict[str, str] = field(default_factory=dict)
    # The body decoded as JSON (None when it is not JSON).
    json: Any = None

    @property
    def text(self) -> str:
        """Return everything the request carried, for "never sent" checks."""
        return " ".join(
            [
                self.path,
                self.raw_query,
                repr(self.query),
                repr(self.headers),
                repr(self.cookies),
                self.body.decode(errors="replace"),
            ]
        )


Responder = Callable[[Hit], Reply]


class FakePhone:
    """Scripted aiohttp server on 127.0.0.1."""

    def __init__(
        self, *, ssl_context: ssl.SSLContext | None = None, host: str = "127.0.0.1"
    ) -> None:
        self.default = Reply(envelope(True))
        self.routes: dict[str, list[Reply]] = {}
        self.responders: dict[str, Responder] = {}
        self.hits: list[Hit] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.in_flight_by_path: dict[str, int] = {}
        self.max_in_flight_by_path: dict[str, int] = {}
        # ("in" | "out", index of the hit) in the order it happened.
        self.order: list[tuple[str, int]] = []
        self.release = asyncio.Event()
        # Set (and replaced) whenever a request comes or goes.
        self._tick = asyncio.Event()
        self._ssl_context = ssl_context
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self.server = TestServer(app, host=host)

    @property
    def port(self) -> int:
        assert self.server.port is not None
        return self.server.port

    def reply(self, path: str, *replies: Reply) -> None:
        """Answer path with replies in order (the last one repeats)."""
        self.routes[path] = list(replies)

    def respond(self, path: str, responder: Responder) -> None:
        """Answer path with whatever responder returns for each hit."""
        self.responders[path] = responder

    def set_default(self, reply: Reply) -> None:
        self.default = reply

    def hits_for(self, path: str) -> list[Hit]:
        return [hit for hit in self.hits if hit.path == path]

    async def wait_until(self, predicate: Callable[[], bool]) -> None:
        """Wait until predicate holds (checked whenever a request comes or goes)."""
        while not predicate():
            await self._tick.wait()

    def _notify(self) -> None:
        tick, self._tick = self._tick, asyncio.Event()
        tick.set()

    async def _record(self, request: web.Request) -> Hit:
        body = await request.read()
        content_type = request.headers.get("Content-Type", "")
        form: dict[str, str] = {}
        if content_type.startswith("application/x-www-form-urlencoded"):
            form = dict(
                parse_qsl(body.decode(errors="replace"), keep_blank_values=True)
            )
        decoded: Any = None
        if body:
            with contextlib.suppress(ValueError):
                decoded = json.loads(body)
        return Hit(
            request.method,
            request.path,
            request.raw_path.partition("?")[2],
            dict(request.query),
            headers=dict(request.headers),
            cookies=dict(request.cookies),
            body=body,
            form=form,
            json=decoded,
        )

    def _choose(self, hit: Hit) -> Reply:
        responder = self.responders.get(hit.path)
        if responder is not None:
            return responder(hit)
        queue = self.routes.get(hit.path)
        if queue:
            return queue.pop(0) if len(queue) > 1 else queue[0]
        return self.default

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        hit = await self._record(request)
        index = len(self.hits)
        self.hits.append(hit)
        reply = self._choose(hit)
        path = hit.path
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        self.in_flight_by_path[path] = self.in_flight_by_path.get(path, 0) + 1
        self.max_in_flight_by_path[path] = max(
            self.max_in_flight_by_path.get(path, 0), self.in_flight_by_path[path]
        )
        self.order.append(("in", index))
        self._notify()
        try:
            if reply.delay:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.release.wait(), reply.delay)
            if reply.drop:
                assert request.transport is not None
                request.transport.abort()
                raise asyncio.CancelledError
            body = reply.body.encode() if isinstance(reply.body, str) else reply.body
            response = web.Response(
                status=reply.status,
                body=body,
                headers={"Content-Type": "text/html", **reply.headers},
            )
            for name, value in reply.cookies.items():
                response.set_cookie(name, value, path="/")
            return response
        finally:
            self.in_flight -= 1
            self.in_flight_by_path[path] -= 1
            self.order.append(("out", index))
            self._notify()

    async def __aenter__(self) -> Self:
        await self.server.start_server(ssl=self._ssl_context)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.release.set()
        await self.server.close()


class RawServer:
    """A TCP server writing raw bytes (broken HTTP) then closing."""

    def __init__(self, chunks: Sequence[bytes], *, linger: float = 0.0) -> None:
        self.chunks = chunks
        self.linger = linger
        self.connections = 0
        self._server: asyncio.Server | None = None

    async def _handle(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.connections += 1
        with contextlib.suppress(Exception):
            await reader.readuntil(b"\r\n\r\n")
            for chunk in self.chunks:
                writer.write(chunk)
                await writer.drain()
            if self.linger:
                await asyncio.sleep(self.linger)
        writer.transport.abort()

    @property
    def port(self) -> int:
        assert self._server is not None
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()


def secret_leaks(error: BaseException, *secrets: str) -> list[str]:
    """Return where a secret shows in an error or its chain (empty: nowhere).

    Without secrets, SECRET (the fake phone's password) is looked for.
    """
    leaks: list[str] = []
    wanted = [secret for secret in secrets or (SECRET,) if secret]
    todo: list[BaseException] = [error]
    seen: set[int] = set()
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        for label, text in (
            ("str", str(current)),
            ("repr", repr(current)),
            ("args", repr(current.args)),
            ("notes", repr(getattr(current, "__notes__", ""))),
        ):
            if any(secret in text for secret in wanted):
                leaks.append(f"{label} of {type(current).__name__}: {text}")
        todo.extend(
            linked
            for linked in (current.__cause__, current.__context__)
            if linked is not None
        )
    return leaks


# ---------------------------------------------------------------------------
# The web session API (session-spec §2): a FakePhone scripted as a phone that
# logs in, checks the sid and can expire sessions.

CGI = "/cgi-bin/"
LOCKOUT = CGI + "api-get_lockout"
ACCESS = CGI + "access"
DOLOGIN = CGI + "dologin"
DOLOGOUT = CGI + "dologout"
WILL_LOGIN = CGI + "api-will_login"
VALUES_GET = CGI + "api.values.get"
VALUES_POST = CGI + "api.values.post"
CONFIG_GET = CGI + "config_get"
CONFIG_UPDATE = CGI + "config_update"
FIRMWARE = "1.0.3.35"
MAC = "00:0B:82:12:34:56"


def sha256_hex(text: str) -> str:
    """Return the hex SHA-256 the phones' web UI computes (written out here)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sid_of(hit: Hit) -> str | None:
    """Return the sid a request carried (cookie, form or query), if any."""
    return hit.cookies.get("sid") or hit.form.get("sid") or hit.query.get("sid")


class SessionPhone:
    """Script a FakePhone as a session phone (challenge or plain login).

    `dologin` checks the password (sha256(password + the last nonce) for the
    challenge login), answers `wrongN` counting down, and issues a new sid per
    login; `guard(path, ...)` makes a path answer 401 unless the request
    carries a valid sid. `expire()` ends every session.
    """

    def __init__(
        self,
        phone: FakePhone,
        *,
        username: str = "admin",
        password: str = SECRET,
        challenge: bool = True,
        role: str = "admin",
        hashed_role: bool = True,
        cookies: dict[str, str] | None = None,
    ) -> None:
        self.phone = phone
        self.username = username
        self.password = password
        self.challenge = challenge
        self.role = role
        self.hashed_role = hashed_role
        self.cookies = cookies or {}
        self.nonces: list[str] = []
        self.sids: list[str] = []
        self.valid: set[str] = set()
        self.attempts_left = 5
        # Replaces the login answer when set (locked, HTML 403, ...).
        self.login_reply: Reply | None = None
        # Replaces what a successful login tells beside the sid, when set.
        self.login_fields: dict[str, Any] | None = None
        phone.reply(LOCKOUT, Reply(envelope("ok")))
        phone.respond(ACCESS, self._access)
        phone.respond(DOLOGIN, self._dologin)
        phone.reply(DOLOGOUT, Reply(envelope("logout")))

    @property
    def sid(self) -> str:
        """Return the sid of the last login."""
        return self.sids[-1]

    def expire(self) -> None:
        """End every session (the next request with an old sid gets 401)."""
        self.valid.clear()

    def guard(
        self, path: str, answer: Reply | Responder, *, expired: Reply | None = None
    ) -> None:
        """Answer path with answer for a valid sid, else with expired (401)."""
        refused = expired or Reply("<html>Unauthorized</html>", status=401)

        def responder(hit: Hit) -> Reply:
            if sid_of(hit) not in self.valid:
                return refused
            return answer(hit) if callable(answer) else answer

        self.phone.respond(path, responder)

    def _access(self, hit: Hit) -> Reply:
        if not self.challenge:
            return Reply("<html>Not Found</html>", status=404)
        nonce = f"Nonce{len(self.nonces):04d}0123456789abcdefABCDEF"[:31]
        self.nonces.append(nonce)
        return Reply(envelope(nonce))

    def expected_password(self) -> str:
        """Return what dologin must carry as the password."""
        if self.challenge:
            return sha256_hex(self.password + self.nonces[-1])
        return self.password

    def _dologin(self, hit: Hit) -> Reply:
        if self.login_reply is not None:
            return self.login_reply
        right = (
            hit.form.get("username") == self.username
            and hit.form.get("password") == self.expected_password()
        )
        if not right:
            self.attempts_left -= 1
            return Reply(envelope(f"wrong{self.attempts_left}", response="error"))
        sid = f"{len(self.sids) + 1:02d}" + "ab" * 31
        self.sids.append(sid)
        self.valid.add(sid)
        role = sha256_hex(self.role + sid) if self.hashed_role else self.role
        fields = self.login_fields
        if fields is None:
            fields = {
                "role": role,
                "ver": FIRMWARE,
                "mac": MAC,
                "defaultAuth": False,
                "defaultLogin": False,
            }
        return Reply(envelope({"sid": sid, **fields}), cookies=self.cookies)
