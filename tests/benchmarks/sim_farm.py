"""Simulated phones for the benchmarks, in their own process.

    .venv/bin/python -m tests.benchmarks.sim_farm --phones 200 [--max-seconds 1800]

Like `python -m simulator --phones N --port 0`, plus what the benchmarks need:

* every CTI request is counted by a middleware, **including the ones a phone
  drops while it is offline** (the simulator does not log those in /sim/log);
* a small farm API on its own port: `GET /farm/counters` (per phone: CTI
  requests, of which while offline), `POST /farm/reset`, and
  `POST /farm/fault {"kind": ..., "seconds": ...}` (the same `set_fault` as
  each phone's `POST /sim/fault`, applied to every phone at the same moment).

Prints one JSON line `{"farm": PORT, "phones": [PORT, ...]}` once serving.
Stops on SIGTERM / SIGINT, when stdin closes (the parent died) or after
`--max-seconds`, whichever comes first. Loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable, Sequence
import contextlib
import dataclasses
import json
import signal
import sys
from typing import Any

from aiohttp import web

from simulator import PhoneSimulator, SimulatorConfig
from simulator.cli import nth_mac

HOST = "127.0.0.1"
CGI_PREFIX = "/cgi-bin/"

type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class CountingPhone(PhoneSimulator):
    """A simulated phone that counts every CTI request it receives."""

    def __init__(self, config: SimulatorConfig) -> None:
        """Initialize the phone and its counters."""
        super().__init__(config)
        self.cti_requests = 0
        self.cti_requests_offline = 0

    @web.middleware
    async def _server_header(
        self, request: web.Request, handler: Handler
    ) -> web.StreamResponse:
        """Count CTI requests (offline ones too), then answer as the phone does."""
        if request.path.startswith(CGI_PREFIX):
            self.cti_requests += 1
            if self.is_offline():
                self.cti_requests_offline += 1
        return await super()._server_header(request, handler)

    def reset_counters(self) -> None:
        """Start counting from zero."""
        self.cti_requests = 0
        self.cti_requests_offline = 0
        self.requests.clear()


def farm_routes(phones: Sequence[CountingPhone]) -> list[web.RouteDef]:
    """Return the farm API over every phone."""

    async def counters(request: web.Request) -> web.Response:
        return web.json_response(
            {
                str(sim.port): {
                    "cti": sim.cti_requests,
                    "cti_offline": sim.cti_requests_offline,
                }
                for sim in phones
            }
        )

    async def reset(request: web.Request) -> web.Response:
        for sim in phones:
            sim.reset_counters()
        return web.json_response({"ok": True})

    async def fault(request: web.Request) -> web.Response:
        data: dict[str, Any] = await request.json()
        for sim in phones:
            sim.set_fault(str(data.get("kind", "")), float(data.get("seconds", 0)))
        return web.json_response({"ok": True})

    return [
        web.get("/farm/counters", counters),
        web.post("/farm/reset", reset),
        web.post("/farm/fault", fault),
    ]


async def _stdin_closed() -> None:
    """Return when stdin reaches end of file (the parent process went away)."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), sys.stdin
    )
    while await reader.read(1024):
        pass


async def serve(count: int, max_seconds: float, connect_delay: float) -> None:
    """Serve `count` phones and the farm API until told to stop."""
    base = SimulatorConfig(call_connect_delay=connect_delay)
    phones: list[CountingPhone] = []
    runner = web.AppRunner(web.Application(), access_log=None)
    try:
        for index in range(count):
            sim = CountingPhone(dataclasses.replace(base, mac=nth_mac(base.mac, index)))
            await sim.start(host=HOST, port=0)
            phones.append(sim)
        runner.app.add_routes(farm_routes(phones))
        await runner.setup()
        site = web.TCPSite(runner, HOST, 0)
        await site.start()
        farm_port = int(runner.addresses[0][1])
        sys.stdout.write(
            json.dumps({"farm": farm_port, "phones": [sim.port for sim in phones]})
            + "\n"
        )
        sys.stdout.flush()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        watchers = [
            asyncio.create_task(stop.wait()),
            asyncio.create_task(_stdin_closed()),
        ]
        await asyncio.wait(
            watchers, timeout=max_seconds, return_when=asyncio.FIRST_COMPLETED
        )
        for task in watchers:
            task.cancel()
        await asyncio.gather(*watchers, return_exceptions=True)
    finally:
        await runner.cleanup()
        for sim in phones:
            await sim.stop()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.sim_farm")
    parser.add_argument("--phones", type=int, default=1)
    parser.add_argument("--max-seconds", type=float, default=1800.0)
    parser.add_argument("--connect-delay", type=float, default=2.0)
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.phones, args.max_seconds, args.connect_delay))
    return 0


if __name__ == "__main__":
    sys.exit(main())
