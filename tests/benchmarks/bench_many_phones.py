"""Benchmark 2: many phones in one Home Assistant process, polling in real time.

    .venv/bin/python -m pytest tests/benchmarks/bench_many_phones.py -s -p no:cacheprovider
    BENCH_PHONES=200 BENCH_SECONDS=120 .venv/bin/python -m pytest ...   # one size, longer

For each size in BENCH_PHONES (50,200) and each kind of phone in BENCH_KINDS
(session,passcode): start the phones in a separate process (`sim_farm.py`, so
their CPU is not counted), set up one entry per phone at once (the fixed 10 s
interval, push on as by default, Home Assistant's internal URL on the test
HTTP server, so each session phone gets its Action URLs written by its entry
at setup; passcode-only phones get none: nobody pasted them; the phones are
idle either way, nothing pushes), let it settle for one interval, then
measure two windows of BENCH_SECONDS (60) each:

1. CPU share of one core of the Home Assistant (pytest) process: process_time
   delta / wall delta (all threads of the process, executor included), with
   nothing else of ours running (the stall probe wakes 100 times a second and
   costs ~1 % of a core by itself, so it gets its own window);
2. event-loop stalls: a task sleeping 10 ms in a loop records how late it wakes;
   garbage-collector pauses are recorded at the same time (gc.callbacks) to
   tell GC stalls from our own code.

The integration is measured as it is: its coordinator's own settings
(`always_update=False`, the lines alone on a quiet poll, everything every 3rd
poll) are not overridden, only reported. Also: memory (RSS, VmRSS) before
the phones and after the windows, the CTI requests each phone received
during setup (detection, login, capabilities, Action URLs) and in the CPU
window (expected: line status every poll, plus phone status and accounts
(and DND on a session phone) every 3rd: 1.67 per phone per interval on a
passcode phone, 2.0 on a session phone).

A BENCH_IDLE_SECONDS (20) window before the phones are added gives the harness's
own idle CPU, so the integration's share is the difference. BENCH_TRACEMALLOC=1 also traces Python allocations from
before the setup (current after setup, peak over setup + window); that makes
the process slower, so CPU figures of such a run are not comparable.
"""

from __future__ import annotations

import asyncio
import cProfile
import gc
import os
import pstats
import time
import tracemalloc

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.grandstream_cti.const import SCAN_INTERVAL

from .common import (
    GcWatch,
    LagProbe,
    domain_entity_ids,
    env_float,
    env_ints,
    env_kinds,
    max_rss_mib,
    prepare_hass,
    report,
    rss_mib,
    run_farm,
    setup_phones,
    start_http,
    unavailable_count,
    unload_phones,
)

PHONE_COUNTS = env_ints("BENCH_PHONES", "50,200")
KINDS = env_kinds()
WINDOW = env_float("BENCH_SECONDS", 60.0)
IDLE_WINDOW = env_float("BENCH_IDLE_SECONDS", 20.0)
INTERVAL = SCAN_INTERVAL.total_seconds()  # the integration's, fixed
TRACE = os.environ.get("BENCH_TRACEMALLOC") == "1"
PROFILE = os.environ.get("BENCH_PROFILE") == "1"
STALL_LIMIT = 0.050
CPU_LIMIT = 2.0  # percent of one core, for 200 phones


@pytest.fixture(autouse=True)
def _allow(enable_custom_integrations: None, socket_enabled: None) -> None:
    """Load custom_components and allow loopback sockets."""


async def measure_cpu(seconds: float) -> tuple[float, float]:
    """Return CPU seconds and wall seconds of this process over a window."""
    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.sleep(seconds)
    return time.process_time() - cpu, time.perf_counter() - wall


async def profile_window(seconds: float) -> None:
    """Print where the event loop's time goes over a window (BENCH_PROFILE=1).

    cProfile slows everything down, so this runs in a window of its own and its
    figures are shares, not the CPU figure.
    """
    profiler = cProfile.Profile()
    profiler.enable()
    await asyncio.sleep(seconds)
    profiler.disable()
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("tottime").print_stats(35)
    stats.sort_stats("cumulative").print_stats(60)


async def measure_stalls(seconds: float) -> tuple[LagProbe, GcWatch]:
    """Run the stall probe and the GC watch over a window."""
    probe, gc_watch = LagProbe(), GcWatch()
    gc_watch.start()
    probe.start()
    await asyncio.sleep(seconds)
    await probe.stop()
    gc_watch.stop()
    return probe, gc_watch


def stall_text(probe: LagProbe) -> str:
    """Describe the stall probe's figures."""
    return (
        f"worst {probe.worst_ms:.1f} ms, p99 {probe.pct_ms(99):.1f} ms, "
        f"{probe.over(STALL_LIMIT)} wake-ups > 50 ms of {len(probe.lateness)}"
    )


def late_text(probe: LagProbe) -> str:
    """Describe the worst wake-ups: lateness @ fraction of the loop-time second.

    Coordinators poll at a whole loop-time second + 0.05..0.50 s, so stalls
    from polling show up at fractions in that range.
    """
    worst = sorted(probe.late, key=lambda item: -item[1])[:6]
    return (
        ", ".join(
            f"{late * 1000:.0f} ms @ .{int(now % 1 * 100):02d}" for now, late in worst
        )
        or "none over 20 ms"
    )


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("phones", PHONE_COUNTS)
async def test_many_phones(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    phones: int,
    kind: str,
) -> None:
    """Set up `phones` phones and measure one window of steady polling."""
    prepare_hass(hass)
    await start_http(hass, hass_client_no_auth)
    idle_cpu, idle_wall = await measure_cpu(IDLE_WINDOW)
    rss_before = rss_mib()
    with run_farm(phones, kind=kind) as farm:
        async with farm:
            if TRACE:
                tracemalloc.start()
            await farm.reset()
            entries, setup_seconds = await setup_phones(
                hass, farm.ports, push=True, kind=kind
            )
            setup_requests = await farm.total()
            auto_push = sum(1 for e in entries if e.runtime_data.push_slots)
            traced_setup = tracemalloc.get_traced_memory()[0] if TRACE else 0
            rss_setup = rss_mib()
            # Reported, not set: the integration is measured as it is.
            always_update = {
                entry.runtime_data.coordinator.always_update for entry in entries
            }
            entity_ids = domain_entity_ids(hass)
            await asyncio.sleep(INTERVAL)  # settle: every phone polled once more
            await farm.reset()
            settled = tracemalloc.take_snapshot() if TRACE else None
            cpu, wall = await measure_cpu(WINDOW)
            requests = await farm.total()
            if PROFILE:
                await profile_window(WINDOW)
            probe, gc_watch = await measure_stalls(WINDOW)
            traced_end, traced_peak = (
                tracemalloc.get_traced_memory() if TRACE else (0, 0)
            )
            end = tracemalloc.take_snapshot() if TRACE else None
            top = end.statistics("filename")[:8] if end else []
            # What the windows added: steady polling should hold nothing new.
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
    rows = [
        ("phones / entities", f"{phones} {kind} / {len(entity_ids)}"),
        (
            "coordinator always_update (as is)",
            ", ".join(str(value) for value in sorted(always_update)),
        ),
        ("simulator start (other process)", f"{farm.startup_seconds:.1f} s"),
        ("setup of all entries (concurrent)", f"{setup_seconds:.1f} s"),
        (
            "CTI requests during setup",
            (
                f"{setup_requests / phones:.1f} per phone; Action URLs written "
                f"into {auto_push} of {phones} phones"
            ),
        ),
        ("CPU window", f"{wall:.1f} s wall"),
        ("CPU, HA process", f"{cpu:.2f} s = {share:.2f} % of one core"),
        ("CPU, idle harness before the phones", f"{idle_share:.2f} % of one core"),
        (
            "CPU, phones only (difference)",
            (
                f"{share - idle_share:.2f} % of one core, "
                f"{(share - idle_share) / phones * 1000:.1f} m% per phone"
            ),
        ),
        ("event-loop stalls (10 ms sleeper)", stall_text(probe)),
        ("worst wake-ups (@ second fraction)", late_text(probe)),
        (
            "GC pauses in the stall window",
            f"{gc_watch.text()} (gc enabled: {gc.isenabled()}, thresholds {gc.get_threshold()})",
        ),
        (
            "CTI requests received",
            (
                f"{requests} = {requests / phones / (wall / INTERVAL):.2f} "
                "per phone per interval"
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
    report(f"{phones} {kind} phones, {INTERVAL:.0f} s interval, real time", rows)
    verdicts = [
        (
            "no stall > 50 ms",
            "met" if probe.worst_ms <= STALL_LIMIT * 1000 else "MISSED",
        )
    ]
    if phones >= 200:
        verdicts.append(
            ("< 2 % of a core (200 phones)", "met" if share < CPU_LIMIT else "MISSED")
        )
    report(f"Targets, {phones} {kind} phones", verdicts)
