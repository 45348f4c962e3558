"""Fixtures for the simulator tests: an HTTP session, CTI and web-session
helpers, a push receiver. Nothing here waits for wall-clock time: timers are
fired by driving the simulator clock, and waits are on events with generous
safety timeouts.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
import json
from typing import Any

import aiohttp
from aiohttp import web
import pytest

from custom_components.grandstream_cti.cti import wire
from simulator import PhoneSimulator, SimulatorConfig, sha256_hex

# Only a safety net: these waits end on events, never by the clock.
SAFETY_TIMEOUT = 30.0


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
def simulator_config() -> SimulatorConfig:
    """Return the default phone on a clock that moves only when a test says so.

    (Overrides the repository-wide fixture for these tests: no connect delay,
    session expiry or lock can run out because the machine is slow.)
    """
    return SimulatorConfig(manual_clock=True)


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


async def until(sim: PhoneSimulator, predicate: Callable[[], bool]) -> None:
    """Wait until `predicate()` holds (re-checked whenever the phone acts)."""
    await sim.wait_until(predicate, SAFETY_TIMEOUT)


class Browser:
    """Talk to the phone like its web UI: same-origin headers, sid, cookies."""

    def __init__(self, session: aiohttp.ClientSession, sim: PhoneSimulator) -> None:
        self.session = session
        self.sim = sim
        self.sid = ""
        self.role = ""
        self.cookies: dict[str, str] = {}

    @property
    def origin(self) -> dict[str, str]:
        return {"Origin": self.sim.url, "Referer": self.sim.url + "/"}

    async def request(
        self,
        method: str,
        function: str,
        *,
        params: Any = None,
        data: Any = None,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
        cookies: dict[str, str] | None = None,
        origin: bool = True,
    ) -> Answer:
        all_headers = dict(self.origin) if origin else {}
        all_headers.update(headers or {})
        if cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        async with self.session.request(
            method,
            f"{self.sim.url}/cgi-bin/{function}",
            params=params,
            data=data,
            json=json_body,
            headers=all_headers,
            ssl=False,
        ) as response:
            answer = Answer(response.status, await response.text(), response.headers)
            for name, morsel in response.cookies.items():
                self.cookies[name] = morsel.value
            return answer

    async def post(self, function: str, data: Any = None, **kwargs: Any) -> Answer:
        return await self.request("POST", function, data=data or {}, **kwargs)

    async def get(self, function: str, params: Any = None, **kwargs: Any) -> Answer:
        return await self.request("GET", function, params=params, **kwargs)

    async def login(
        self, username: str = "admin", password: str = "admin", *, plain: bool = False
    ) -> Answer:
        """Log in the profile's way (challenge, or plain for GXP16xx)."""
        if plain or self.sim.profile.login == "plain":
            answer = await self.post(
                wire.FUNCTION_DOLOGIN, {"username": username, "password": password}
            )
        else:
            nonce_answer = await self.post(
                wire.FUNCTION_ACCESS, {"access": sha256_hex(username)}
            )
            nonce = nonce_answer.json["body"]
            answer = await self.post(
                wire.FUNCTION_DOLOGIN,
                {"username": username, "password": sha256_hex(password + nonce)},
            )
        body = answer.json.get("body")
        if isinstance(body, dict):
            self.sid = body["sid"]
            self.role = body["role"]
        return answer

    async def cti(self, function: str, **params: str) -> Answer:
        """Call a CTI function with the sid in the form (POST)."""
        return await self.post(function, {**params, "sid": self.sid})


@pytest.fixture
def browser(http: aiohttp.ClientSession, simulator: PhoneSimulator) -> Browser:
    """Return a web-session helper bound to the `simulator` fixture."""
    return Browser(http, simulator)


@dataclass
class Receiver:
    """A tiny HTTP server that records Action URL pushes."""

    url: str = ""
    paths: list[str] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def wait_for(self, count: int, seconds: float = SAFETY_TIMEOUT) -> list[str]:
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
