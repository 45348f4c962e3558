"""A tiny scripted HTTP server standing in for a phone (no simulator needed).

Each path answers from a queue of canned replies (the last one repeats), or
from the default reply. Every hit is recorded with its raw query string, and
the number of requests in flight is tracked to check the concurrency limit.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
import contextlib
from dataclasses import dataclass, field
import json
import socket
from typing import Any, Self

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
    delay: float = 0.0
    # Close the connection without answering.
    drop: bool = False


@dataclass
class Hit:
    """One request the fake phone received."""

    method: str
    path: str
    raw_query: str
    query: dict[str, str]


class FakePhone:
    """Scripted aiohttp server on 127.0.0.1."""

    def __init__(self) -> None:
        self.default = Reply(envelope(True))
        self.routes: dict[str, list[Reply]] = {}
        self.hits: list[Hit] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.release = asyncio.Event()
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self.server = TestServer(app, host="127.0.0.1")

    @property
    def port(self) -> int:
        assert self.server.port is not None
        return self.server.port

    def reply(self, path: str, *replies: Reply) -> None:
        """Answer path with replies in order (the last one repeats)."""
        self.routes[path] = list(replies)

    def set_default(self, reply: Reply) -> None:
        self.default = reply

    def hits_for(self, path: str) -> list[Hit]:
        return [hit for hit in self.hits if hit.path == path]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.hits.append(
            Hit(
                request.method,
                request.path,
                request.raw_path.partition("?")[2],
                dict(request.query),
            )
        )
        queue = self.routes.get(request.path)
        if queue:
            reply = queue.pop(0) if len(queue) > 1 else queue[0]
        else:
            reply = self.default
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if reply.delay:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.release.wait(), reply.delay)
            if reply.drop:
                assert request.transport is not None
                request.transport.abort()
                raise asyncio.CancelledError
            body = reply.body.encode() if isinstance(reply.body, str) else reply.body
            return web.Response(
                status=reply.status,
                body=body,
                headers={"Content-Type": "text/html", **reply.headers},
            )
        finally:
            self.in_flight -= 1

    async def __aenter__(self) -> Self:
        await self.server.start_server()
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


def free_port() -> int:
    """Return a loopback port nobody listens on (connections are refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def secret_leaks(error: BaseException, secret: str = SECRET) -> list[str]:
    """Return where the secret shows in an error or its chain (empty: nowhere)."""
    leaks: list[str] = []
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
            if secret in text:
                leaks.append(f"{label} of {type(current).__name__}: {text}")
        todo.extend(
            linked
            for linked in (current.__cause__, current.__context__)
            if linked is not None
        )
    return leaks
