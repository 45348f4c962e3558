"""Benchmark 4: push bursts against one phone: reads coalesce, commands don't wait.

    .venv/bin/python -m pytest tests/benchmarks/bench_coalescing.py -s -p no:cacheprovider

The coordinator serializes a phone's reads and coalesces them: whatever asks
(a push, a command, the timer), one read runs and at most one waits, shared
by everyone who asks meanwhile. Commands go through the client's command
lane, never behind queued reads. Measured for each kind of phone in
BENCH_KINDS (session,passcode), one phone in a separate process
(`sim_farm.py`, real clock), its Action URLs wired as in bench_push_latency
(written by the entry on a session phone, pasted on a passcode one), the
integration as it is:

1. `test_push_burst`: the phone sends its `registered` Action URL
   BENCH_BURST_PUSHES times (5000), BENCH_BURST_CONCURRENCY (50) at a time,
   as fast as Home Assistant answers. Once the first push is in, the phone
   also rings (`POST /sim/incoming`); once the `incoming` event fired, the
   accept-call button is pressed, still during the burst. Counted at the
   phone: the reads it answered (a read = one line status request, plus the
   rest on a full read; a registration push asks for a full read), how many
   ran at the same time (serialized: never more than one), how much of the
   burst a read was in flight, the ring → `incoming` call event latency and
   press → the command at the phone, in the middle of the burst; in Home
   Assistant: CPU per push.
2. `test_command_during_burst`: the same burst against a phone that answers
   every request BENCH_SLOW_SECONDS (5) late (the simulator's `latency`
   fault on its real clock, so this takes real time: about half a minute
   per kind). A call rings first; once the burst's first read is at the
   phone, the accept-call button is pressed. Measured from the phone's own
   request times: press → the phone receives the command, and → answers it
   (one answer time), the reads it received before and after, and when the
   button's service call returns (after the command, and at most 5 s for
   the read it asks for, which waits behind the read already running).

Targets: 5000 pushes cost at most 10 reads (one running, one waiting per
refresh cycle); a button pressed during them reaches the phone within 50 ms
(the slow phone: at once, answered in about one answer time, not behind
queued reads).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import time
from typing import Any

from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers.event import async_track_state_change_event
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from .common import (
    Farm,
    Request,
    entry_entity,
    env_float,
    env_int,
    env_kinds,
    load_text,
    prepare_hass,
    report,
    run_farm,
    setup_phones,
    start_http,
    unload_phones,
    wait_until,
    wire_push,
)

PUSHES = env_int("BENCH_BURST_PUSHES", 5000)
CONCURRENCY = env_int("BENCH_BURST_CONCURRENCY", 50)
SLOW = env_float("BENCH_SLOW_SECONDS", 5.0)
KINDS = env_kinds()
LINES = "api-get_line_status"
COMMAND = "api-phone_operation"
# Everything a read sends (the rest of a full read follows the lines).
READS = frozenset(
    {
        LINES,
        "api-get_phone_status",
        "api-get_accounts",
        "config_get",
        "api.values.get",
        "api-get_battery_status",
        "api-wifi_status_get",
    }
)
# Farm time is time.monotonic() in another process: the same clock on Linux.
TIMEOUT = 120.0
READS_TARGET = 10
COMMAND_TARGET = 0.050


@pytest.fixture(autouse=True)
def _allow(enable_custom_integrations: None, socket_enabled: None) -> None:
    """Load custom_components and allow loopback sockets."""


@dataclass(slots=True)
class Episode:
    """One phone set up for the burst."""

    farm: Farm
    port: int
    entry: MockConfigEntry
    wiring: str


async def one_phone(
    hass: HomeAssistant, farm: Farm, kind: str
) -> tuple[Episode, list[MockConfigEntry]]:
    """Set up the farm's one phone with push wired."""
    entries, _ = await setup_phones(hass, farm.ports, push=True, kind=kind)
    wiring = await wire_push(hass, farm, entries[0], farm.ports[0], kind)
    return Episode(farm, farm.ports[0], entries[0], wiring), entries


async def press_accept(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Press the entry's accept-call button (the service call, blocking)."""
    await hass.services.async_call(
        "button",
        "press",
        {"entity_id": entry_entity(hass, "button", entry.entry_id, "accept_call")},
        blocking=True,
    )


def short(function: str) -> str:
    """Return a request's function without the `api-` / `get_` noise."""
    return function.removeprefix("api-").removeprefix("get_")


def read_spans(timeline: list[Request]) -> list[tuple[float, float]]:
    """Return (start, end) of each read: a line read and what follows it.

    A read is serialized, so it starts with its line status request and ends
    with the last answer before the next line status request.
    """
    spans: list[tuple[float, float]] = []
    for item in timeline:
        if item.function not in READS or item.answered is None:
            continue
        if item.function == LINES:
            spans.append((item.arrived, item.answered))
        elif spans:
            start, end = spans[-1]
            spans[-1] = (start, max(end, item.answered))
    return spans


def max_overlap(timeline: list[Request], functions: frozenset[str]) -> int:
    """Return the most requests of these functions in flight at once."""
    edges: list[tuple[float, int]] = []
    for item in timeline:
        if item.function in functions and item.answered is not None:
            edges += [(item.arrived, 1), (item.answered, -1)]
    most = current = 0
    for _, step in sorted(edges):
        current += step
        most = max(most, current)
    return most


def busy_seconds(spans: list[tuple[float, float]], start: float, end: float) -> float:
    """Return how long, between start and end, a read was in flight."""
    return sum(max(0.0, min(b, end) - max(a, start)) for a, b in spans)


def watch_event(hass: HomeAssistant, entry: MockConfigEntry) -> list[tuple[float, str]]:
    """Record (time.monotonic(), event type) of the entry's call event entity."""
    seen: list[tuple[float, str]] = []

    @callback
    def record(event: Event[EventStateChangedData]) -> None:
        new = event.data["new_state"]
        if new is not None and new.state not in ("unknown", "unavailable"):
            seen.append((time.monotonic(), str(new.attributes.get("event_type"))))

    async_track_state_change_event(
        hass, entry_entity(hass, "event", entry.entry_id, "call"), record
    )
    return seen


async def first_read_at_phone(farm: Farm, port: int, since: float) -> float:
    """Wait (bounded) until a line read reached the phone after since; return when."""
    async with asyncio.timeout(TIMEOUT):
        while True:
            for item in await farm.timeline(port):
                if item.function == LINES and item.arrived >= since:
                    return item.arrived
            await asyncio.sleep(0.01)


@pytest.mark.parametrize("kind", KINDS)
async def test_push_burst(
    hass: HomeAssistant, hass_client_no_auth: ClientSessionGenerator, kind: str
) -> None:
    """PUSHES pushes against a phone that answers at once: how many reads."""
    prepare_hass(hass)
    await start_http(hass, hass_client_no_auth)
    with run_farm(1, connect_delay=0, kind=kind) as farm:
        async with farm:
            episode, entries = await one_phone(hass, farm, kind)
            push = episode.entry.runtime_data.push
            events = watch_event(hass, episode.entry)
            await farm.reset()
            cpu = time.process_time()
            burst = asyncio.ensure_future(farm.burst(episode.port, PUSHES, CONCURRENCY))
            await wait_until(
                lambda: push.last_push is not None or burst.done(),
                timeout=TIMEOUT,
                step=0.001,
            )
            rang = time.monotonic()
            await farm.sim(episode.port, "incoming", {"number": "+15550001"})
            await wait_until(
                lambda: any(what == "incoming" for _, what in events) or burst.done(),
                timeout=TIMEOUT,
                step=0.001,
            )
            pressed = time.monotonic()
            press = hass.async_create_task(press_accept(hass, episode.entry))
            result: dict[str, Any] = await burst
            async with asyncio.timeout(TIMEOUT):
                await press
            await hass.async_block_till_done(wait_background_tasks=True)
            settled = time.monotonic()
            cpu = time.process_time() - cpu
            timeline = await farm.timeline(episode.port)
            await unload_phones(hass, entries)
    started, ended = float(result["started"]), float(result["ended"])
    spans = read_spans(timeline)
    reads = len(spans)
    in_burst = sum(1 for start, _ in spans if started <= start <= ended)
    durations = sorted(end - start for start, end in spans)
    median_read = durations[len(durations) // 2] if durations else float("nan")
    window = ended - started
    busy = busy_seconds(spans, started, ended)
    ring_event = next(
        (when - rang for when, what in events if what == "incoming" and when > rang),
        float("nan"),
    )
    most_at_once = max_overlap(timeline, frozenset({LINES}))
    cycles = (ended - started) / median_read if durations else float("nan")
    command = next(item for item in timeline if item.function == COMMAND)
    to_phone = command.arrived - pressed
    rows = [
        ("phone", f"1 {kind} phone, Action URLs {episode.wiring}"),
        (
            "pushes",
            (
                f"{result['answered']} answered, {result['failed']} failed, "
                f"{CONCURRENCY} at a time, in {window:.2f} s "
                f"({result['answered'] / window:.0f} per s)"
            ),
        ),
        (
            "reads the phone answered",
            (
                f"{reads} ({in_burst} started during the burst, "
                f"{reads - in_burst} after it); {reads / PUSHES:.3f} per push"
            ),
        ),
        ("CTI requests the phone answered", f"{len(timeline)}"),
        (
            "a read (lines, then the rest)",
            f"median {median_read * 1000:.1f} ms",
        ),
        (
            "refresh cycles in the burst",
            f"{cycles:.0f} (burst time ÷ median read): {reads / cycles:.2f} reads each",
        ),
        (
            "reads in flight at once",
            f"{most_at_once} at most (line status requests)",
        ),
        (
            "burst time with a read in flight",
            (
                f"{busy:.2f} of {window:.2f} s ({busy / window * 100:.0f} %): "
                "back to back, never two at once"
            ),
        ),
        (
            "last push → reads done",
            f"{(settled - ended) * 1000:.0f} ms",
        ),
        ("ring during the burst → incoming event", f"{ring_event * 1000:.0f} ms"),
        (
            "accept pressed after that → command at the phone",
            (
                f"{to_phone * 1000:.1f} ms (pressed {pressed - started:.2f} s into "
                f"the burst, {'before' if pressed < ended else 'AFTER'} its end)"
            ),
        ),
        ("machine load", load_text()),
        (
            "CPU of the HA process",
            f"{cpu:.2f} s = {cpu / PUSHES * 1000:.2f} ms per push (webhook + reads)",
        ),
    ]
    report(f"Burst of {PUSHES} pushes, {kind} phone answering at once", rows)
    # Coalescing: when the last push is answered, one read may be running
    # and one waiting; none more. (Without it, every push would queue its own
    # read and the phone would be read about PUSHES times, long after.)
    running_at_end = sum(1 for start, end in spans if start <= ended < end)
    report(
        f"Target, {kind} phone",
        [
            (
                "serialized: never two reads at once",
                "met" if most_at_once <= 1 else "MISSED",
            ),
            (
                (
                    f"≤ 2 reads per refresh cycle: at the last push {running_at_end} "
                    f"running, then {reads - in_burst} more"
                ),
                "met" if running_at_end + (reads - in_burst) <= 2 else "MISSED",
            ),
            (
                f"≤ {READS_TARGET} reads for {PUSHES} pushes ({reads})",
                "met" if reads <= READS_TARGET else "MISSED",
            ),
            (
                (
                    f"button pressed in the burst at the phone ≤ "
                    f"{COMMAND_TARGET * 1000:.0f} ms ({to_phone * 1000:.1f} ms)"
                ),
                "met" if to_phone <= COMMAND_TARGET and pressed < ended else "MISSED",
            ),
        ],
    )


@pytest.mark.parametrize("kind", KINDS)
async def test_command_during_burst(
    hass: HomeAssistant, hass_client_no_auth: ClientSessionGenerator, kind: str
) -> None:
    """A burst against a slow phone, a button pressed meanwhile: when it arrives."""
    prepare_hass(hass)
    await start_http(hass, hass_client_no_auth)
    with run_farm(1, connect_delay=0, kind=kind) as farm:
        async with farm:
            episode, entries = await one_phone(hass, farm, kind)
            port = episode.port
            ringing = entry_entity(
                hass, "binary_sensor", episode.entry.entry_id, "ringing"
            )
            await farm.sim(port, "incoming", {"number": "+15550002"})
            await wait_until(
                lambda: (
                    (state := hass.states.get(ringing)) is not None
                    and state.state == "on"
                ),
                timeout=TIMEOUT,
            )
            await hass.async_block_till_done(wait_background_tasks=True)
            await farm.sim(port, "fault", {"kind": "latency", "seconds": SLOW})
            await farm.reset()
            since = time.monotonic()
            burst = asyncio.ensure_future(farm.burst(port, PUSHES, CONCURRENCY))
            await first_read_at_phone(farm, port, since)
            pressed = time.monotonic()
            press = hass.async_create_task(press_accept(hass, episode.entry))
            result: dict[str, Any] = await burst
            async with asyncio.timeout(TIMEOUT):
                await press
            returned = time.monotonic()
            await hass.async_block_till_done(wait_background_tasks=True)
            settled = time.monotonic()
            timeline = await farm.timeline(port)
            await farm.sim(port, "fault", {"kind": "none"})
            await unload_phones(hass, entries)
    command = next(item for item in timeline if item.function == COMMAND)
    assert command.answered is not None
    before = [item for item in timeline if item.arrived < command.arrived]
    answered_before = [
        item
        for item in before
        if item.function in READS
        and item.answered is not None
        and item.answered <= command.arrived
    ]
    line_reads = [item for item in timeline if item.function == LINES]
    reads_total = [item for item in timeline if item.function in READS]
    spans = read_spans(timeline)
    burst_end = float(result["ended"])
    rows = [
        ("phone", f"1 {kind} phone answering {SLOW:.0f} s late; {episode.wiring}"),
        (
            "pushes",
            (
                f"{result['answered']} answered, {result['failed']} failed, in "
                f"{burst_end - float(result['started']):.2f} s; the press came "
                f"{pressed - float(result['started']):.2f} s into the burst"
            ),
        ),
        (
            "press → the phone receives the command",
            f"{(command.arrived - pressed) * 1000:.1f} ms",
        ),
        (
            "press → the phone answers it",
            f"{command.answered - pressed:.2f} s (one answer time is {SLOW:.0f} s)",
        ),
        (
            "reads ahead of the command at the phone",
            (
                f"{len([i for i in before if i.function == LINES])} line read(s) "
                f"received, {len(answered_before)} read request(s) answered"
            ),
        ),
        ("press → the button's service call returns", f"{returned - pressed:.1f} s"),
        (
            "reads the phone received in all",
            (
                f"{len(line_reads)} reads ({len(reads_total)} read requests, "
                f"{len(timeline)} requests in all) for {PUSHES} pushes and 1 "
                f"command; each read took "
                + ", ".join(f"{end - start:.1f} s" for start, end in spans)
            ),
        ),
        ("burst start → every read done", f"{settled - since:.1f} s"),
        (
            "the phone's requests (s from the press)",
            "; ".join(
                f"{short(item.function)} {item.arrived - pressed:+.1f}→"
                + (
                    "none"
                    if item.answered is None
                    else f"{item.answered - pressed:+.1f}"
                )
                for item in timeline
            ),
        ),
    ]
    report(f"Command during a burst of {PUSHES} pushes, {kind} phone, slow", rows)
    report(
        f"Target, {kind} phone",
        [
            (
                "≤ 2 reads for the burst (one running, one waiting)",
                "met" if len(line_reads) <= 2 else f"MISSED ({len(line_reads)})",
            ),
            (
                (
                    f"the command reaches the phone ≤ {COMMAND_TARGET * 1000:.0f} ms, "
                    "not behind reads"
                ),
                "met" if command.arrived - pressed <= COMMAND_TARGET else "MISSED",
            ),
            (
                "answered in about one answer time",
                "met" if command.answered - pressed < 1.5 * SLOW else "MISSED",
            ),
        ],
    )
