"""Benchmark 2: many idle phones in one Home Assistant process, in real time.

    .venv/bin/python -m pytest tests/benchmarks/bench_many_phones.py -s -p no:cacheprovider
    BENCH_PHONES=200 BENCH_MODES=session BENCH_SECONDS=520 .venv/bin/python -m pytest ...

For each size in BENCH_PHONES (50,200) and each mode in BENCH_MODES
(session,passcode,passcode-pushed), start the phones in a separate process
(`sim_farm.py`, so their CPU is not counted) and set up one entry per phone
at once (push on, as by default; Home Assistant's internal URL on the test
HTTP server):

* `session`: the default GRP2614 profile; each entry writes its Action URLs
  into its phone and reads them back at setup: push proven, a heartbeat;
* `passcode`: a passcode-only phone (`SimulatorConfig(session_api=False)`),
  nobody pasted its URLs, no push yet: polling every 10 s;
* `passcode-pushed`: the same, with the config flow's URLs pasted into its
  slots (`POST /sim/action_url`) and one push (`registered`) each: push
  proven, a heartbeat.

The phones are idle. After a settling wait (every phone's first timer read
after setup, which still uses the 10 s interval: the slots are written after
the first read), two windows:

1. CPU share of one core of the Home Assistant (pytest) process over
   BENCH_SECONDS (120): process_time delta / wall delta (all threads,
   executor included), nothing else of ours running; the CTI requests each
   phone received meanwhile, per phone per minute and by function.
2. BENCH_STALL_SECONDS (60) of event-loop stalls: a task sleeping 10 ms
   records how late it wakes (the probe costs ~1 % of a core by itself,
   hence its own window); garbage-collector pauses recorded meanwhile.

A heartbeat phone reads everything every 10th heartbeat (500 s), and every
phone's count starts at setup, so a window shorter than 500 s after setup
holds few or no full reads: the steady rate is also given from the schedule
(lines each heartbeat plus a full read's extra requests every 10th, as
measured at setup); BENCH_SECONDS=520 measures a whole cycle.

Two BENCH_IDLE_SECONDS (20) windows before the phones give the harness's
own idle CPU and the machine's own stalls (the loop woken late by the OS:
other processes, a small VM). BENCH_PROFILE=1 adds a cProfile window (shares, not CPU figures);
BENCH_TRACEMALLOC=1 traces Python allocations (CPU figures of such a run are
not comparable). BENCH_SLOW_CALLBACKS=1 runs the stall window in asyncio's
debug mode and lists the callbacks that took over 15 ms (debug mode is
slower: that run's stall figures are not comparable either);
BENCH_STALL_STACKS=1 samples the loop thread's stack from another thread
whenever the loop is 10 ms late, and lists the most sampled stacks (no debug
mode; the sampling thread takes the GIL now and then).
"""

from __future__ import annotations

import asyncio
from collections import Counter
import cProfile
import gc
import logging
import os
import pstats
import time
import tracemalloc

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.grandstream_cti.const import SCAN_INTERVAL
from custom_components.grandstream_cti.cti import ReadSchedule

from .common import (
    Farm,
    GcWatch,
    LagProbe,
    StallSampler,
    domain_entity_ids,
    env_float,
    env_ints,
    max_rss_mib,
    prepare_hass,
    push_trusted,
    report,
    rss_mib,
    run_farm,
    setup_phones,
    start_http,
    unavailable_count,
    unload_phones,
    wait_until,
    wire_push,
)

MODES = ("session", "passcode", "passcode-pushed")
PHONE_COUNTS = env_ints("BENCH_PHONES", "50,200")
SELECTED = [m for m in os.environ.get("BENCH_MODES", ",".join(MODES)).split(",") if m]
WINDOW = env_float("BENCH_SECONDS", 120.0)
STALL_WINDOW = env_float("BENCH_STALL_SECONDS", 60.0)
IDLE_WINDOW = env_float("BENCH_IDLE_SECONDS", 20.0)
INTERVAL = SCAN_INTERVAL.total_seconds()  # the integration's, fixed
# The read policy's defaults (cti.ReadSchedule): the heartbeat with push.
_POLICY = ReadSchedule(0.0)
HEARTBEAT = _POLICY.heartbeat
FULL_EVERY_HEARTBEAT = _POLICY.full_every_heartbeat
FULL_EVERY_POLL = _POLICY.full_every
# The first timer read after setup comes within 1.5 intervals.
SETTLE = 1.5 * INTERVAL + 1
TRACE = os.environ.get("BENCH_TRACEMALLOC") == "1"
PROFILE = os.environ.get("BENCH_PROFILE") == "1"
SLOW_CALLBACKS = os.environ.get("BENCH_SLOW_CALLBACKS") == "1"
STALL_STACKS = os.environ.get("BENCH_STALL_STACKS") == "1"
LINES = "api-get_line_status"
# Targets at 200 phones (percent of one core, whole HA process).
CPU_TARGET = {"session": 1.0, "passcode": 2.0, "passcode-pushed": 1.0}
STALL_TARGET = 0.020
REQUESTS_TARGET = 2.0  # per idle phone per minute, push proven

if unknown := set(SELECTED) - set(MODES):
    raise ValueError(f"BENCH_MODES: unknown {sorted(unknown)}; known: {MODES}")


@pytest.fixture(autouse=True)
def _allow(enable_custom_integrations: None, socket_enabled: None) -> None:
    """Load custom_components and allow loopback sockets."""


CPU_SPLIT: dict[str, float] = {}


async def measure_cpu(seconds: float) -> tuple[float, float]:
    """Return CPU seconds and wall seconds of this process over a window.

    Also keeps the window's user and system CPU seconds in CPU_SPLIT: on
    loopback, the kernel's work for the phones' side of each TCP send is
    charged to the sender's system time.
    """
    before = os.times()
    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.sleep(seconds)
    after = os.times()
    CPU_SPLIT["user"] = after.user - before.user
    CPU_SPLIT["system"] = after.system - before.system
    return time.process_time() - cpu, time.perf_counter() - wall


async def profile_window(seconds: float) -> None:
    """Print where the event loop's time goes over a window (BENCH_PROFILE=1).

    cProfile slows everything down, so this runs in a window of its own and its
    figures are shares, not the CPU figure.
    """
    # CPU time, not wall time: a send on loopback may hand the CPU to the
    # phones' process, which wall time would charge to the send.
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    await asyncio.sleep(seconds)
    profiler.disable()
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("tottime").print_stats(35)
    stats.sort_stats("cumulative").print_stats(60)


class SlowCallbacks(logging.Handler):
    """Collect asyncio debug mode's "Executing <...> took N seconds" warnings."""

    def __init__(self) -> None:
        """Start empty."""
        super().__init__(logging.WARNING)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the slow callbacks' descriptions (shortened)."""
        text = record.getMessage()
        if " took " in text:
            self.seen.append(text[:400])


async def measure_stalls(seconds: float) -> tuple[LagProbe, GcWatch, list[str]]:
    """Run the stall probe and the GC watch over a window."""
    probe, gc_watch = LagProbe(), GcWatch()
    slow = SlowCallbacks()
    loop = asyncio.get_running_loop()
    if SLOW_CALLBACKS:
        loop.slow_callback_duration = 0.015
        logging.getLogger("asyncio").addHandler(slow)
        loop.set_debug(True)
    sampler = StallSampler()
    if STALL_STACKS:
        sampler.start()
    gc_watch.start()
    probe.start()
    await asyncio.sleep(seconds)
    await probe.stop()
    gc_watch.stop()
    if STALL_STACKS:
        sampler.stop()
    if SLOW_CALLBACKS:
        loop.set_debug(False)
        logging.getLogger("asyncio").removeHandler(slow)
    stacks = [f"{hits} x {stack}" for hits, stack in sampler.top()]
    return probe, gc_watch, slow.seen + stacks


def stall_text(probe: LagProbe) -> str:
    """Describe the stall probe's figures."""
    return (
        f"worst {probe.worst_ms:.1f} ms, p99 {probe.pct_ms(99):.1f} ms, "
        f"{probe.over(STALL_TARGET)} wake-ups > 20 ms of {len(probe.lateness)}"
    )


def late_text(probe: LagProbe) -> str:
    """Describe the worst wake-ups: lateness @ fraction of the loop-time second."""
    worst = sorted(probe.late, key=lambda item: -item[1])[:6]
    return (
        ", ".join(
            f"{late * 1000:.0f} ms @ .{int(now % 1 * 100):02d}" for now, late in worst
        )
        or "none over 20 ms"
    )


async def prove_push(
    hass: HomeAssistant, farm: Farm, entries: list[MockConfigEntry]
) -> None:
    """Paste each passcode phone's URLs and have it push once; wait for trust."""
    for entry, port in zip(entries, farm.ports, strict=True):
        await wire_push(hass, farm, entry, port, "passcode")
    await asyncio.gather(*(farm.burst(port, 1, 1, "registered") for port in farm.ports))
    await wait_until(lambda: push_trusted(entries) == len(entries), timeout=60)
    await hass.async_block_till_done(wait_background_tasks=True)


async def full_read_extra(farm: Farm, entry: MockConfigEntry) -> int:
    """Return the requests one full read of the first phone sends besides the lines."""
    coordinator = entry.runtime_data.coordinator
    await farm.reset()
    coordinator.request_full_read()
    await coordinator.async_read_now()
    timeline = await farm.timeline(farm.ports[0])
    assert [item.function for item in timeline].count(LINES) == 1, timeline
    return len(timeline) - 1


@pytest.mark.parametrize("mode", SELECTED)
@pytest.mark.parametrize("phones", PHONE_COUNTS)
async def test_many_phones(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    phones: int,
    mode: str,
) -> None:
    """Set up `phones` idle phones of one mode; measure CPU, requests, stalls."""
    kind = "session" if mode == "session" else "passcode"
    prepare_hass(hass)
    await start_http(hass, hass_client_no_auth)
    idle_cpu, idle_wall = await measure_cpu(IDLE_WINDOW)
    # The machine's own stalls (scheduling, other processes): the baseline.
    idle_probe, _, _ = await measure_stalls(IDLE_WINDOW)
    rss_before = rss_mib()
    with run_farm(phones, kind=kind) as farm:
        async with farm:
            if TRACE:
                tracemalloc.start()
            await farm.reset()
            entries, setup_seconds = await setup_phones(
                hass, farm.ports, push=True, kind=kind
            )
            setup_requests = await farm.functions()
            if mode == "passcode-pushed":
                await prove_push(hass, farm, entries)
            extra = await full_read_extra(farm, entries[0])
            trusted = push_trusted(entries)
            traced_setup = tracemalloc.get_traced_memory()[0] if TRACE else 0
            rss_setup = rss_mib()
            entity_ids = domain_entity_ids(hass)
            await asyncio.sleep(SETTLE)
            await farm.reset()
            settled = tracemalloc.take_snapshot() if TRACE else None
            cpu, wall = await measure_cpu(WINDOW)
            user, system = CPU_SPLIT["user"], CPU_SPLIT["system"]
            requests = Counter(await farm.functions())
            intervals = [
                e.runtime_data.coordinator.update_interval.total_seconds()
                for e in entries
                if e.runtime_data.coordinator.update_interval is not None
            ]
            if PROFILE:
                await profile_window(WINDOW)
            probe, gc_watch, slow = await measure_stalls(STALL_WINDOW)
            traced_end, traced_peak = (
                tracemalloc.get_traced_memory() if TRACE else (0, 0)
            )
            end = tracemalloc.take_snapshot() if TRACE else None
            top = end.statistics("filename")[:8] if end else []
            grew = end.compare_to(settled, "lineno")[:10] if end and settled else []
            if TRACE:
                tracemalloc.stop()
            rss_after = rss_mib()
            unavailable = unavailable_count(hass, entity_ids)
            failed = sum(
                1 for e in entries if not e.runtime_data.coordinator.last_update_success
            )
            await unload_phones(hass, entries)
    share = cpu / wall * 100
    idle_share = idle_cpu / idle_wall * 100
    minutes = wall / 60
    total = sum(requests.values())
    per_minute = total / phones / minutes
    heartbeat = trusted == phones
    if heartbeat:
        # Lines every heartbeat, everything every 10th.
        steady = (1 + extra / FULL_EVERY_HEARTBEAT) * 60 / HEARTBEAT
    else:
        # Lines every 10 s, everything every 3rd poll.
        steady = (1 + extra / FULL_EVERY_POLL) * 60 / INTERVAL
    rows = [
        ("phones / entities", f"{phones} {mode} / {len(entity_ids)}"),
        ("push trusted (heartbeat)", f"{trusted} of {phones}"),
        ("intervals at the end of the window", _intervals(intervals)),
        ("setup of all entries (concurrent)", f"{setup_seconds:.1f} s"),
        (
            "CTI requests during setup",
            f"{sum(setup_requests.values()) / phones:.1f} per phone",
        ),
        ("CPU window", f"{wall:.1f} s wall"),
        (
            "CPU, HA process",
            (
                f"{cpu:.2f} s = {share:.2f} % of one core (user {user:.2f} s, "
                f"system {system:.2f} s)"
            ),
        ),
        ("CPU, idle harness before the phones", f"{idle_share:.2f} % of one core"),
        (
            "CPU, phones only (difference)",
            (
                f"{share - idle_share:.2f} % of one core, "
                f"{(share - idle_share) / phones * 1000:.1f} m% per phone"
            ),
        ),
        (
            "CTI requests in the CPU window",
            (
                f"{total} = {per_minute:.2f} per phone per minute ("
                + ", ".join(f"{n} {c}" for n, c in requests.most_common())
                + ")"
            ),
        ),
        (
            "steady rate from the schedule",
            (
                f"{steady:.2f} per phone per minute (a full read: the lines + "
                f"{extra}, every {FULL_EVERY_HEARTBEAT if heartbeat else FULL_EVERY_POLL}"
                " reads)"
            ),
        ),
        ("event-loop stalls (10 ms sleeper)", stall_text(probe)),
        ("the same, idle harness before the phones", stall_text(idle_probe)),
        ("worst wake-ups (@ second fraction)", late_text(probe)),
        (
            "GC pauses in the stall window",
            (
                f"{gc_watch.text()} (gc enabled: {gc.isenabled()}, "
                f"thresholds {gc.get_threshold()})"
            ),
        ),
        ("unavailable entities / failed phones", f"{unavailable} / {failed}"),
        (
            "RSS",
            (
                f"{rss_before:.0f} MiB before, {rss_setup:.0f} after setup, "
                f"{rss_after:.0f} after window (+{rss_after - rss_before:.1f} MiB, "
                f"{(rss_after - rss_before) / phones * 1024:.0f} KiB per phone); "
                f"peak {max_rss_mib():.0f} MiB"
            ),
        ),
    ]
    if TRACE:
        rows.append(
            (
                "tracemalloc",
                (
                    f"{traced_setup / 2**20:.1f} MiB held after setup, "
                    f"{traced_end / 2**20:.1f} MiB after the windows, peak "
                    f"{traced_peak / 2**20:.1f} MiB (CPU figures inflated by tracing)"
                ),
            )
        )
    rows.extend(
        (f"  top {index + 1}", f"{stat.size / 2**20:.1f} MiB {stat.traceback[0]}")
        for index, stat in enumerate(top)
    )
    rows.extend(
        (
            f"  grew {index + 1}",
            f"{diff.size_diff / 2**10:+.0f} KiB {diff.traceback[0]}",
        )
        for index, diff in enumerate(grew)
    )
    rows.extend((f"  slow {index + 1}", text) for index, text in enumerate(slow[:12]))
    report(f"{phones} {mode} phones, idle, real time", rows)
    verdicts = [
        (
            "worst stall ≤ 20 ms",
            "met" if probe.worst_ms <= STALL_TARGET * 1000 else "MISSED",
        )
    ]
    if phones >= 200:
        target = CPU_TARGET[mode]
        verdicts.append(
            (
                f"≤ {target:.1f} % of a core (200 phones)",
                "met" if share <= target else "MISSED",
            )
        )
    if heartbeat:
        verdicts.append(
            (
                "≤ 2 requests per idle phone per minute (measured; steady)",
                "met" if max(per_minute, steady) <= REQUESTS_TARGET else "MISSED",
            )
        )
    report(f"Targets, {phones} {mode} phones", verdicts)


def _intervals(values: list[float]) -> str:
    """Describe the coordinators' next waits: range and how many over 60 s."""
    if not values:
        return "none"
    over = sum(1 for value in values if value > 60)
    return (
        f"{min(values):.1f}-{max(values):.1f} s (median "
        f"{sorted(values)[len(values) // 2]:.1f} s; {over} over 60 s)"
    )
