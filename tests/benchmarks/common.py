"""Shared helpers of the benchmarks (not a test module, not a conftest).

The benchmarks run in the Home Assistant test harness (the `hass` fixture of
pytest-homeassistant-custom-component), with the simulated phones in a
separate process (`sim_farm.py`) so that their CPU is not counted.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Iterator
import contextlib
from dataclasses import dataclass, field
import gc
import json
import logging
import math
import os
from pathlib import Path
import resource
import selectors
import subprocess
import sys
import threading
import time
from typing import Any, Self

import aiohttp
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
    CONF_WEBHOOK_ID,
)
from homeassistant.core import HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.grandstream_cti.const import (
    CONF_MAC_SOURCE,
    CONF_PUSH,
    DOMAIN,
)
from custom_components.grandstream_cti.cti import ApiKind, action_urls
from custom_components.grandstream_cti.push import HANDED_OUT_EVENTS, webhook_url
from simulator.cli import nth_mac

ROOT = Path(__file__).resolve().parents[2]
PASSCODE = "admin"
FIRST_MAC = "00:0B:82:12:34:56"
FARM_START_TIMEOUT = 180.0
# The two kinds of phone: web session API (and passcode), or passcode only.
KINDS = ("session", "passcode")


def env_int(name: str, default: int) -> int:
    """Return an integer setting from the environment."""
    return int(os.environ.get(name, default))


def env_float(name: str, default: float) -> float:
    """Return a float setting from the environment."""
    return float(os.environ.get(name, default))


def env_ints(name: str, default: str) -> list[int]:
    """Return a comma-separated list of integers from the environment."""
    return [int(item) for item in os.environ.get(name, default).split(",") if item]


def env_kinds(name: str = "BENCH_KINDS") -> list[str]:
    """Return the kinds of phone to measure (`session,passcode` by default)."""
    kinds = [item for item in os.environ.get(name, ",".join(KINDS)).split(",") if item]
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"{name}: unknown kinds {sorted(unknown)}; known: {KINDS}")
    return kinds


def report(title: str, rows: list[tuple[str, str]]) -> None:
    """Print one block of figures, aligned, easy to spot in pytest -s output."""
    width = max(len(name) for name, _ in rows)
    lines = [f"\n===== {title} =====", *(f"  {n:<{width}}  {v}" for n, v in rows)]
    sys.stdout.write("\n".join(lines) + "\n=====\n")
    sys.stdout.flush()


def load_text() -> str:
    """Return the machine's load averages (other work skews real-time figures)."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min, {os.cpu_count()} CPUs)"


def percentile(values: list[float], pct: float) -> float:
    """Return the pct-th percentile (nearest rank) of values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def rss_mib() -> float:
    """Return this process's resident set size now, in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return math.nan  # pragma: no cover - Linux only


def max_rss_mib() -> float:
    """Return this process's peak resident set size, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def prepare_hass(hass: HomeAssistant) -> None:
    """Make the test instance closer to a production one for timing.

    The harness turns asyncio debug mode on (slow, and it logs every callback
    over 100 ms) and logs at INFO; production runs without debug mode and
    logs warnings.
    """
    hass.loop.set_debug(False)
    logging.getLogger().setLevel(logging.WARNING)
    for name in ("homeassistant", "custom_components", "aiohttp", "simulator"):
        logging.getLogger(name).setLevel(logging.WARNING)


async def start_http(
    hass: HomeAssistant, hass_client_no_auth: ClientSessionGenerator
) -> str:
    """Serve Home Assistant's HTTP on loopback and make it the local URL."""
    assert await async_setup_component(hass, "webhook", {})
    client = await hass_client_no_auth()
    url = str(client.make_url("")).rstrip("/")
    await async_process_ha_core_config(hass, {"internal_url": url})
    return url


# ---------------------------------------------------------------- the phones


@dataclass(frozen=True, slots=True)
class Request:
    """One /cgi-bin request a farm phone received (times: time.monotonic())."""

    function: str
    arrived: float
    answered: float | None
    offline: bool


@dataclass
class Farm:
    """The simulated phones' process and how to talk to it."""

    process: subprocess.Popen[str]
    farm_port: int
    ports: list[int]
    startup_seconds: float
    session: aiohttp.ClientSession | None = None

    @property
    def farm_url(self) -> str:
        """Return the farm API's base URL."""
        return f"http://127.0.0.1:{self.farm_port}/farm"

    async def __aenter__(self) -> Self:
        """Open the HTTP session used for control requests."""
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=64),
            timeout=aiohttp.ClientTimeout(total=30),
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Close the HTTP session."""
        if self.session is not None:
            await self.session.close()
            self.session = None

    async def _json(self, method: str, url: str, payload: Any = None) -> Any:
        assert self.session is not None
        async with self.session.request(method, url, json=payload) as response:
            response.raise_for_status()
            return await response.json()

    async def sim(self, port: int, route: str, payload: dict[str, Any]) -> Any:
        """POST to one phone's control API (`/sim/ROUTE`)."""
        return await self._json("POST", f"http://127.0.0.1:{port}/sim/{route}", payload)

    async def fault(self, kind: str) -> None:
        """Put every phone in this fault at once (`none` clears it)."""
        await self._json("POST", f"{self.farm_url}/fault", {"kind": kind})

    async def reset(self) -> None:
        """Zero every phone's request counters."""
        await self._json("POST", f"{self.farm_url}/reset")

    async def counters(self) -> dict[int, dict[str, int]]:
        """Return per phone port: CTI requests received, and of those while offline."""
        data = await self._json("GET", f"{self.farm_url}/counters")
        return {int(port): value for port, value in data.items()}

    async def functions(self) -> dict[str, int]:
        """Return /cgi-bin requests per function over every phone since the reset."""
        return await self._json("GET", f"{self.farm_url}/functions")

    async def timeline(self, port: int) -> list[Request]:
        """Return one phone's /cgi-bin requests since the last reset, in order."""
        data = await self._json("GET", f"{self.farm_url}/timeline?port={port}")
        return [Request(*item) for item in data]

    async def reboot(self, seconds: float) -> float:
        """Reboot every phone at once; return the farm's time.monotonic() of it."""
        data = await self._json("POST", f"{self.farm_url}/reboot", {"seconds": seconds})
        return float(data["at"])

    async def burst(
        self, port: int, count: int, concurrency: int, event: str = "registered"
    ) -> dict[str, Any]:
        """Make one phone send its Action URL for event count times (see sim_farm)."""
        return await self._json(
            "POST",
            f"{self.farm_url}/burst",
            {"port": port, "count": count, "concurrency": concurrency, "event": event},
        )

    async def slots(self, port: int) -> dict[str, str]:
        """Return the phone's Action URL slots that hold a URL."""
        async with self.session.get(  # type: ignore[union-attr]
            f"http://127.0.0.1:{port}/sim/action_url"
        ) as response:
            response.raise_for_status()
            data = await response.json()
        return {slot: url for slot, url in data["slots"].items() if url}

    async def total(self, key: str = "cti") -> int:
        """Return the sum of one counter over every phone."""
        return sum(value[key] for value in (await self.counters()).values())


@contextlib.contextmanager
def run_farm(
    phones: int, connect_delay: float = 2.0, kind: str = "session"
) -> Iterator[Farm]:
    """Run `phones` simulated phones of one kind in another process; stop it after."""
    started = time.monotonic()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.benchmarks.sim_farm",
            "--phones",
            str(phones),
            "--connect-delay",
            str(connect_delay),
            "--max-seconds",
            "3600",
            "--kind",
            kind,
        ],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            if not selector.select(timeout=FARM_START_TIMEOUT):
                raise TimeoutError("the simulated phones did not start")
        line = process.stdout.readline()
        info = json.loads(line)
        yield Farm(
            process=process,
            farm_port=int(info["farm"]),
            ports=[int(port) for port in info["phones"]],
            startup_seconds=time.monotonic() - started,
        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:  # pragma: no cover - last resort
            process.kill()
            process.wait(timeout=10)
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()


# ------------------------------------------------------- the Home Assistant side


def phone_entry(index: int, port: int, kind: str, *, push: bool) -> MockConfigEntry:
    """Return an entry as the config flow makes it for the farm's phone `index`.

    A session phone tells its MAC at login (the entry is keyed by it, source
    "phone"); a passcode-only phone does not, so its entry is keyed as if the
    network's neighbour table had given it ("arp"). The version is the
    current one (no migration runs); there is no polling option any more.
    """
    return MockConfigEntry(
        domain=DOMAIN,
        title=f"Phone {index + 1}",
        unique_id=nth_mac(FIRST_MAC, index).lower(),
        version=1,
        minor_version=3,
        data={
            CONF_HOST: "127.0.0.1",
            CONF_PORT: port,
            CONF_SSL: False,
            CONF_VERIFY_SSL: False,
            CONF_USERNAME: "admin",
            CONF_PASSWORD: PASSCODE,
            CONF_WEBHOOK_ID: f"{index:064x}",
            CONF_MAC_SOURCE: "phone" if kind == "session" else "arp",
        },
        options={CONF_PUSH: push},
    )


async def setup_phones(
    hass: HomeAssistant,
    ports: list[int],
    *,
    push: bool,
    kind: str = "session",
) -> tuple[list[MockConfigEntry], float]:
    """Add and set up one entry per phone, all at once.

    Returns the entries and the wall time the setup took (the entries'
    background tasks, such as writing a session phone's Action URLs, are
    waited for but not counted).
    """
    entries = [
        phone_entry(index, port, kind, push=push) for index, port in enumerate(ports)
    ]
    for entry in entries:
        entry.add_to_hass(hass)
    started = time.perf_counter()
    # Like Home Assistant's start-up: setting up the integration sets up all
    # its entries concurrently.
    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done()
    elapsed = time.perf_counter() - started
    await hass.async_block_till_done(wait_background_tasks=True)
    not_loaded = [e.title for e in entries if e.state is not ConfigEntryState.LOADED]
    assert not not_loaded, f"phones not set up: {not_loaded}"
    wanted = ApiKind.SESSION if kind == "session" else ApiKind.PASSCODE
    spoke = {entry.runtime_data.client.api.kind for entry in entries}
    assert spoke == {wanted}, f"{kind} phones spoke {spoke}"
    return entries, elapsed


async def unload_phones(hass: HomeAssistant, entries: list[MockConfigEntry]) -> None:
    """Unload every entry (session phones are logged out) before the phones stop.

    Otherwise the coordinators keep polling phones that are gone until the
    harness stops Home Assistant, and log errors about it.
    """
    await asyncio.gather(
        *(hass.config_entries.async_unload(entry.entry_id) for entry in entries)
    )
    await hass.async_block_till_done(wait_background_tasks=True)


async def wire_push(
    hass: HomeAssistant, farm: Farm, entry: MockConfigEntry, port: int, kind: str
) -> str:
    """Make the phone push to its entry's webhook; return how it got its URLs.

    A session phone: the entry wrote them into the phone's slots itself at
    setup (checked here: the slots hold exactly the entry's URLs). A
    passcode-only phone: the URLs the config flow shows are pasted into the
    phone's slots, as its owner would (`POST /sim/action_url`).
    """
    urls = entry_action_urls(hass, entry)
    if kind == "session":
        written = entry.runtime_data.push.slots
        assert written == urls, "the entry did not write its Action URLs"
        assert await farm.slots(port) == urls
        return "written by the entry (automatic push)"
    assert not entry.runtime_data.push.slots
    await farm.sim(port, "action_url", {"urls": urls})
    assert await farm.slots(port) == urls
    return "pasted into the phone's slots (/sim/action_url)"


def entry_action_urls(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, str]:
    """Return the Action URLs (field → URL) the entry hands out, as push.py does.

    Desk phones get no battery events; the URLs are those the entry writes
    into a session phone and the config flow shows for a passcode-only one.
    """
    base = webhook_url(hass, entry.data[CONF_WEBHOOK_ID], "127.0.0.1")
    assert base is not None, "Home Assistant has no URL the phone can reach"
    battery = entry.runtime_data.coordinator.capabilities.battery
    events = HANDED_OUT_EVENTS if battery else HANDED_OUT_EVENTS[:-2]
    return action_urls(base, events)


def push_trusted(entries: list[MockConfigEntry]) -> int:
    """Return how many entries trust push (slots written, or a push arrived)."""
    return sum(1 for entry in entries if entry.runtime_data.coordinator.push_trusted)


def entry_entity(hass: HomeAssistant, platform: str, entry_id: str, key: str) -> str:
    """Return the entity id of one entry's entity with unique id suffix key."""
    found = er.async_get(hass).async_get_entity_id(
        platform, DOMAIN, f"{entry_id}_{key}"
    )
    assert found is not None, f"no {platform} entity {key}"
    return found


# Entities that stay available while the phone does not answer (unique id
# suffixes): the call history and its reset button need no phone.
ALWAYS_AVAILABLE = ("_reset_missed_calls", "_last_caller", "_missed_calls")


def domain_entity_ids(hass: HomeAssistant, *, phone_only: bool = False) -> list[str]:
    """Return the integration's entity ids that have a state (enabled ones).

    phone_only: only those that go unavailable when the phone does not answer.
    """
    return [
        entry.entity_id
        for entry in er.async_get(hass).entities.values()
        if entry.platform == DOMAIN
        and hass.states.get(entry.entity_id) is not None
        and not (phone_only and entry.unique_id.endswith(ALWAYS_AVAILABLE))
    ]


def unavailable_count(hass: HomeAssistant, entity_ids: list[str]) -> int:
    """Return how many of these entities are unavailable."""
    return sum(
        1
        for entity_id in entity_ids
        if (state := hass.states.get(entity_id)) is None or state.state == "unavailable"
    )


async def wait_until(
    check: Callable[[], bool], timeout: float, step: float = 0.05
) -> float:
    """Wait (bounded) until check() is true; return the seconds it took."""
    started = time.perf_counter()
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(step)
    return time.perf_counter() - started


# ------------------------------------------------------------ event-loop stalls


@dataclass
class LagProbe:
    """A task sleeping `interval` in a loop, recording how late it wakes up."""

    interval: float = 0.010
    lateness: list[float] = field(default_factory=list)
    # (loop time of the wake-up, lateness) of wake-ups later than 20 ms.
    late: list[tuple[float, float]] = field(default_factory=list)
    _task: asyncio.Task[None] | None = None
    _stop: asyncio.Event = field(default_factory=asyncio.Event)

    def start(self) -> None:
        """Start probing."""
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._stop.is_set():
            before = loop.time()
            await asyncio.sleep(self.interval)
            now = loop.time()
            lateness = now - before - self.interval
            self.lateness.append(lateness)
            if lateness > 0.020:
                self.late.append((now, lateness))

    async def stop(self) -> None:
        """Stop probing (the loop ends by itself at the next wake-up)."""
        self._stop.set()
        if self._task is not None:
            await self._task

    @property
    def worst_ms(self) -> float:
        """Return the worst lateness in milliseconds."""
        return max(self.lateness, default=math.nan) * 1000

    def pct_ms(self, pct: float) -> float:
        """Return a percentile of the lateness in milliseconds."""
        return percentile(self.lateness, pct) * 1000

    def over(self, threshold: float) -> int:
        """Return how many wake-ups were later than threshold seconds."""
        return sum(1 for value in self.lateness if value > threshold)


class StallSampler:
    """Sample the event loop thread's stack while the loop is stalled.

    A loop callback marks the time every `tick`; a thread looks every `tick`
    and, when the mark is older than `threshold`, records where the loop
    thread is (its innermost frames). Attributes stalls to code without
    asyncio's debug mode.
    """

    def __init__(self, tick: float = 0.002, threshold: float = 0.010) -> None:
        """Prepare; start() from the event loop thread."""
        self.tick, self.threshold = tick, threshold
        self.samples: Counter[tuple[str, ...]] = Counter()
        self._mark = time.monotonic()
        self._running = False
        self._thread: threading.Thread | None = None
        self._loop_thread = threading.get_ident()
        self._handle: asyncio.TimerHandle | None = None

    def start(self) -> None:
        """Start marking (loop) and sampling (thread)."""
        self._loop_thread = threading.get_ident()
        self._running = True
        self._beat()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        self._mark = time.monotonic()
        if self._running:
            self._handle = asyncio.get_running_loop().call_later(self.tick, self._beat)

    def _watch(self) -> None:
        while self._running:
            time.sleep(self.tick)
            if time.monotonic() - self._mark < self.threshold:
                continue
            frame = sys._current_frames().get(self._loop_thread)
            where: list[str] = []
            while frame is not None and len(where) < 40:
                code = frame.f_code
                where.append(
                    f"{Path(code.co_filename).name}:{frame.f_lineno} {code.co_name}"
                )
                frame = frame.f_back
            self.samples[tuple(where)] += 1

    def stop(self) -> None:
        """Stop both."""
        self._running = False
        if self._handle is not None:
            self._handle.cancel()
        if self._thread is not None:
            self._thread.join()

    def top(self, count: int = 8, depth: int = 12) -> list[tuple[int, str]]:
        """Return the most sampled stall stacks, innermost first, shortened."""
        merged: Counter[tuple[str, ...]] = Counter()
        for stack, hits in self.samples.items():
            merged[stack[:depth]] += hits
        return [(hits, " < ".join(stack)) for stack, hits in merged.most_common(count)]


@dataclass
class GcWatch:
    """Records how long each garbage collection (by generation) stops the world."""

    pauses: dict[int, list[float]] = field(
        default_factory=lambda: {0: [], 1: [], 2: []}
    )
    _started: float = 0.0

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses[info["generation"]].append(time.perf_counter() - self._started)

    def start(self) -> None:
        """Start recording."""
        gc.callbacks.append(self._callback)

    def stop(self) -> None:
        """Stop recording."""
        gc.callbacks.remove(self._callback)

    def text(self) -> str:
        """Describe the collections: count and worst pause per generation."""
        return ", ".join(
            f"gen{gen} {len(values)}x worst {max(values, default=0) * 1000:.1f} ms"
            for gen, values in self.pauses.items()
        )
