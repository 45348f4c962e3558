"""Simulated phones for the benchmarks, in their own process.

    .venv/bin/python -m tests.benchmarks.sim_farm --phones 200 [--max-seconds 1800]

Like `python -m simulator --phones N --port 0`, plus what the benchmarks need:

* `--kind session` (default: the grp2614 profile, passcode and web session
  API) or `--kind passcode` (`SimulatorConfig(session_api=False)`: a
  passcode-only phone); real clock;
* every `/cgi-bin` request is counted by a middleware, **including the ones a
  phone drops while it is offline** (the simulator does not log those in
  /sim/log), and its arrival and answer times (`time.monotonic()`, the same
  clock in every process of the machine) are kept until the next reset;
* a small farm API on its own port: `GET /farm/counters` (per phone: CTI
  requests, of which while offline), `GET /farm/timeline?port=P` (that
  phone's requests since the last reset: function, arrived, answered,
  offline), `GET /farm/functions` (requests per function over every phone
  since the last reset),
  `POST /farm/reset`, `POST /farm/fault {"kind": ..., "seconds": ...}` (the
  same `set_fault` as each phone's `POST /sim/fault`, applied to every phone
  at the same moment), `POST /farm/reboot {"seconds": s}` (every phone
  reboots at once: away for s seconds, its sessions gone, then it pushes
  `setup_completed` and `registered`), and `POST /farm/burst {"port": P,
  "count": N, "event": "registered", "concurrency": C}` (that phone sends
  its Action URL for the event N times, C at a time, as fast as it can;
  answers how many got an HTTP answer and when the burst started and ended).

Prints one JSON line `{"farm": PORT, "phones": [PORT, ...]}` once serving.
Stops on SIGTERM / SIGINT, when stdin closes (the parent died) or after
`--max-seconds`, whichever comes first. Loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
import contextlib
import dataclasses
import json
import signal
import sys
import time
from typing import Any

import aiohttp
from aiohttp import web

from custom_components.grandstream_cti.cti.action_url import ActionUrlEvent
from simulator import PhoneSimulator, SimulatorConfig
from simulator.cli import nth_mac

HOST = "127.0.0.1"
CGI_PREFIX = "/cgi-bin/"
KINDS = ("session", "passcode")
BURST_TIMEOUT = aiohttp.ClientTimeout(total=60)

type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class CountingPhone(PhoneSimulator):
    """A simulated phone that counts every CTI request it receives."""

    def __init__(self, config: SimulatorConfig) -> None:
        """Initialize the phone and its counters."""
        super().__init__(config)
        self.cti_requests = 0
        self.cti_requests_offline = 0
        # [function, arrived, answered or None, offline] per /cgi-bin request.
        self.timeline: list[list[Any]] = []

    @web.middleware
    async def _server_header(
        self, request: web.Request, handler: Handler
    ) -> web.StreamResponse:
        """Count CTI requests (offline ones too), then answer as the phone does."""
        if not request.path.startswith(CGI_PREFIX):
            return await super()._server_header(request, handler)
        offline = self.is_offline()
        self.cti_requests += 1
        if offline:
            self.cti_requests_offline += 1
        record: list[Any] = [
            request.path.removeprefix(CGI_PREFIX),
            time.monotonic(),
            None,
            offline,
        ]
        self.timeline.append(record)
        response = await super()._server_header(request, handler)
        record[2] = time.monotonic()
        return response

    def reset_counters(self) -> None:
        """Start counting from zero."""
        self.cti_requests = 0
        self.cti_requests_offline = 0
        self.timeline = []
        self.requests.clear()

    def reboot_now(self, seconds: float) -> None:
        """Reboot: calls and sessions gone, away for `seconds`, then pushes."""
        self.phone.reboot_seconds = seconds
        self.config.reboot_seconds = seconds
        self.sessions.expire_all()
        self.phone.reboot()

    async def burst(self, event: str, count: int, concurrency: int) -> dict[str, Any]:
        """Send this phone's Action URL for `event` `count` times, C at a time."""
        variables = {
            "phone_ip": self.phone_ip,
            "mac": self.phone.mac.replace(":", "").lower(),
            "product": self.phone.model,
        }
        urls = self.pusher.urls_for(ActionUrlEvent(event), variables)
        if not urls:
            raise web.HTTPBadRequest(text=f"no Action URL for {event}")
        url = urls[0]
        answered = failed = 0
        queue = iter(range(count))
        connector = aiohttp.TCPConnector(limit=concurrency)

        async def worker(session: aiohttp.ClientSession) -> None:
            nonlocal answered, failed
            for _ in queue:
                try:
                    async with session.get(url) as response:
                        await response.read()
                        answered += 1
                except (aiohttp.ClientError, TimeoutError):
                    failed += 1

        started = time.monotonic()
        async with aiohttp.ClientSession(
            connector=connector, timeout=BURST_TIMEOUT
        ) as session:
            await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        return {
            "answered": answered,
            "failed": failed,
            "started": started,
            "ended": time.monotonic(),
            "url_length": len(url),
        }


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

    by_port = {sim.port: sim for sim in phones}

    def phone_of(value: object) -> CountingPhone:
        sim = by_port.get(int(str(value)))
        if sim is None:
            raise web.HTTPNotFound(text=f"no phone on port {value}")
        return sim

    async def timeline(request: web.Request) -> web.Response:
        return web.json_response(phone_of(request.query.get("port")).timeline)

    async def functions(request: web.Request) -> web.Response:
        counts: Counter[str] = Counter(
            record[0] for sim in phones for record in sim.timeline
        )
        return web.json_response(dict(counts))

    async def reboot(request: web.Request) -> web.Response:
        data: dict[str, Any] = await request.json()
        for sim in phones:
            sim.reboot_now(float(data.get("seconds", 5)))
        return web.json_response({"ok": True, "at": time.monotonic()})

    async def burst(request: web.Request) -> web.Response:
        data: dict[str, Any] = await request.json()
        result = await phone_of(data.get("port")).burst(
            str(data.get("event", ActionUrlEvent.REGISTERED.value)),
            int(data.get("count", 1000)),
            int(data.get("concurrency", 50)),
        )
        return web.json_response(result)

    return [
        web.get("/farm/counters", counters),
        web.get("/farm/timeline", timeline),
        web.get("/farm/functions", functions),
        web.post("/farm/reset", reset),
        web.post("/farm/fault", fault),
        web.post("/farm/reboot", reboot),
        web.post("/farm/burst", burst),
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


async def serve(
    count: int, max_seconds: float, connect_delay: float, kind: str = "session"
) -> None:
    """Serve `count` phones of one kind and the farm API until told to stop."""
    base = SimulatorConfig(
        call_connect_delay=connect_delay, session_api=kind == "session"
    )
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
    parser.add_argument("--kind", choices=KINDS, default="session")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.phones, args.max_seconds, args.connect_delay, args.kind))
    return 0


if __name__ == "__main__":
    sys.exit(main())
