"""Fixtures for the simulator tests: an HTTP session, a CTI helper, a push receiver."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
import json
from typing import Any

import aiohttp
from aiohttp import web
import pytest

from simulator import PhoneSimulator


@dataclass
class Answer:
    """One HTTP answer of the simulated phone."""

    status: int
    text: str
    headers: Any

    @property
    def json(self) -> Any:
        return json.loads(self.text)


class Cti:
    """Call the simulated phone's CTI and control APIs."""

    def __init__(self, session: aiohttp.ClientSession, sim: PhoneSimulator) -> None:
        self.session = session
        self.sim = sim

    async def raw(
        self, path: str, *, method: str = "GET", params: Any = None, data: Any = None
    ) -> Answer:
        async with self.session.request(
            method, self.sim.url + path, params=params, data=data, ssl=False
        ) as response:
            return Answer(response.status, await response.text(), response.headers)

    async def call(
        self,
        function: str,
        passcode: str | None = "admin",
        method: str = "GET",
        **params: str,
    ) -> Answer:
        query = dict(params)
        if passcode is not None:
            query["passcode"] = passcode
        return await self.raw(f"/cgi-bin/{function}", method=method, params=query)

    async def ok(self, function: str, **params: str) -> dict[str, Any]:
        answer = await self.call(function, **params)
        assert answer.status == 200, answer.text
        data: dict[str, Any] = answer.json
        return data

    async def control(self, path: str, body: Any = None) -> Any:
        async with self.session.post(
            f"{self.sim.url}/sim/{path}", json=body, ssl=False
        ) as response:
            assert response.status == 200, await response.text()
            return await response.json()

    async def state(self) -> dict[str, Any]:
        async with self.session.get(f"{self.sim.url}/sim/state", ssl=False) as response:
            data: dict[str, Any] = await response.json()
            return data

    async def line_states(self) -> list[str]:
        data = await self.ok("api-get_line_status")
        return [line["state"] for line in data["body"]]


@pytest.fixture
async def http(socket_enabled: None) -> AsyncIterator[aiohttp.ClientSession]:
    """Return an HTTP client session (closed after the test)."""
    # force_close: every request on a fresh connection, so a dropped
    # connection is never retried silently by aiohttp on a pooled one.
    connector = aiohttp.TCPConnector(force_close=True)
    async with aiohttp.ClientSession(connector=connector) as session:
        yield session


@pytest.fixture
def cti(http: aiohttp.ClientSession, simulator: PhoneSimulator) -> Cti:
    """Return a CTI helper bound to the `simulator` fixture."""
    return Cti(http, simulator)


async def until(predicate: Callable[[], bool], attempts: int = 200) -> None:
    """Wait (polling every 10 ms) until `predicate()` is true."""
    for _ in range(attempts):
        if predicate():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met in time")


@dataclass
class Receiver:
    """A tiny HTTP server that records Action URL pushes."""

    url: str = ""
    paths: list[str] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def wait_for(self, count: int, seconds: float = 2.0) -> list[str]:
        async with asyncio.timeout(seconds):
            while len(self.paths) < count:
                self.arrived.clear()
                await self.arrived.wait()
        return self.paths

    def matching(self, text: str) -> list[str]:
        return [path for path in self.paths if text in path]


@pytest.fixture
async def receiver(socket_enabled: None) -> AsyncIterator[Receiver]:
    """Serve a push receiver on a free loopback port."""
    recorder = Receiver()

    async def record(request: web.Request) -> web.Response:
        recorder.paths.append(request.raw_path)
        recorder.arrived.set()
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/{tail:.*}", record)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    recorder.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield recorder
    finally:
        await runner.cleanup()
