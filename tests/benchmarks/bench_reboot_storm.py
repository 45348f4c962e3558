"""Benchmark 3: reboot storm — every phone offline for a while, then back.

    .venv/bin/python -m pytest tests/benchmarks/bench_reboot_storm.py -s -p no:cacheprovider
    BENCH_OUTAGE_SECONDS=120 .venv/bin/python -m pytest ...   # one outage length

BENCH_STORM_PHONES (50) phones in a separate process (`sim_farm.py`, which counts
every CTI request a phone receives, including the ones it drops while
offline), one entry each, 10 s interval, real time, the integration as it is
(its coordinator backs off while a phone fails: 20, 40, 60, 60 ... s, with a
one-read probe before the full read; nothing is patched here). For each
outage length in BENCH_OUTAGE_SECONDS (30,120):

1. normal: BENCH_NORMAL_SECONDS (30) of steady polling, requests counted;
2. outage: every phone gets the `offline` fault at the same moment (the same
   `set_fault` as `POST /sim/fault {"kind": "offline"}`) for the outage length:
   the phone accepts the connection and closes it without an answer.
   Counted: requests received, time until every entity is unavailable, the
   coordinators' intervals at the end of the outage;
3. back: the fault is cleared; time until every entity is available again
   (up to the interval the phone had backed off to), and the requests of the
   first 10 s (or until all are back, if longer).
"""

from __future__ import annotations

import asyncio
from collections import Counter
import time

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.grandstream_cti.const import MAX_BACKOFF_INTERVAL

from .common import (
    domain_entity_ids,
    env_float,
    env_int,
    env_ints,
    prepare_hass,
    report,
    run_farm,
    setup_phones,
    unavailable_count,
    wait_until,
)

PHONES = env_int("BENCH_STORM_PHONES", 50)
NORMAL = env_float("BENCH_NORMAL_SECONDS", 30.0)
OUTAGES = env_ints("BENCH_OUTAGE_SECONDS", "30,120")
INTERVAL = 10
RECOVERY_TIMEOUT = MAX_BACKOFF_INTERVAL.total_seconds() + 3 * INTERVAL
# An outage at least this long is past the first failed poll's burst: its rate
# must be at most the normal one (back-off, not a storm).
LONG_OUTAGE = 6 * INTERVAL


@pytest.fixture(autouse=True)
def _allow(enable_custom_integrations: None, socket_enabled: None) -> None:
    """Load custom_components and allow loopback sockets."""


# ------------------------------------------------------------------ the benchmark


def per_phone_per_interval(count: int, seconds: float) -> float:
    """Return requests per phone per polling interval."""
    return count / PHONES / (seconds / INTERVAL)


def intervals_text(entries: list[MockConfigEntry]) -> str:
    """Describe the coordinators' current intervals: value x how many."""
    counts = Counter(
        entry.runtime_data.coordinator.update_interval.total_seconds()
        for entry in entries
        if entry.runtime_data.coordinator.update_interval is not None
    )
    return ", ".join(
        f"{value:.0f} s x{count}" for value, count in sorted(counts.items())
    )


def spread_text(values: list[int]) -> str:
    """Describe per-phone request counts: min / median / max."""
    ordered = sorted(values)
    return f"{ordered[0]} / {ordered[len(ordered) // 2]} / {ordered[-1]}"


@pytest.mark.parametrize("outage_seconds", OUTAGES)
async def test_reboot_storm(hass: HomeAssistant, outage_seconds: int) -> None:
    """Normal, all offline for outage_seconds, back: requests and recovery time."""
    prepare_hass(hass)
    with run_farm(PHONES) as farm:
        async with farm:
            entries, setup_seconds = await setup_phones(hass, farm.ports, push=True)
            entity_ids = domain_entity_ids(hass)
            await asyncio.sleep(INTERVAL)  # settle

            await farm.reset()
            started = time.perf_counter()
            await asyncio.sleep(NORMAL)
            normal_wall = time.perf_counter() - started
            normal = await farm.total()

            await farm.reset()
            await farm.fault("offline")
            started = time.perf_counter()
            all_down = await wait_until(
                lambda: unavailable_count(hass, entity_ids) == len(entity_ids),
                timeout=outage_seconds + 3 * INTERVAL,
            )
            await asyncio.sleep(
                max(0.0, outage_seconds - (time.perf_counter() - started))
            )
            outage_wall = time.perf_counter() - started
            counters = await farm.counters()
            per_phone = [value["cti"] for value in counters.values()]
            outage = sum(per_phone)
            dropped = sum(value["cti_offline"] for value in counters.values())
            intervals_down = intervals_text(entries)

            await farm.reset()
            await farm.fault("none")
            started = time.perf_counter()
            recovered_after = await wait_until(
                lambda: unavailable_count(hass, entity_ids) == 0,
                timeout=RECOVERY_TIMEOUT,
            )
            await asyncio.sleep(max(0.0, INTERVAL - (time.perf_counter() - started)))
            back_wall = time.perf_counter() - started
            back = await farm.total()
            intervals_back = intervals_text(entries)
    normal_rate = per_phone_per_interval(normal, normal_wall)
    outage_rate = per_phone_per_interval(outage, outage_wall)
    rows = [
        ("integration", f"as is (back-off cap {MAX_BACKOFF_INTERVAL.seconds} s)"),
        ("phones / entities", f"{PHONES} / {len(entity_ids)}"),
        ("setup of all entries", f"{setup_seconds:.1f} s"),
        (
            "normal: CTI requests",
            (f"{normal} in {normal_wall:.0f} s = {normal_rate:.2f} per phone per 10 s"),
        ),
        (
            "outage: CTI requests",
            (
                f"{outage} in {outage_wall:.0f} s (dropped unanswered: {dropped}) = "
                f"{outage_rate:.2f} per phone per 10 s"
            ),
        ),
        ("outage: per phone min / median / max", spread_text(per_phone)),
        ("outage / normal rate", f"{outage_rate / normal_rate:.2f} x"),
        ("outage start → all entities unavailable", f"{all_down:.1f} s"),
        ("intervals at the end of the outage", intervals_down),
        ("back → all entities available", f"{recovered_after:.1f} s"),
        (
            "back: CTI requests",
            (
                f"{back} in the first {back_wall:.0f} s after the outage "
                f"({back / PHONES:.1f} per phone)"
            ),
        ),
        ("intervals at the end", intervals_back),
    ]
    report(f"Reboot storm (as is), {outage_seconds} s outage", rows)
    if outage_seconds >= LONG_OUTAGE:
        report(
            f"Target, {outage_seconds} s outage",
            [
                (
                    "back-off, not a storm (outage rate ≤ normal rate)",
                    "met" if outage_rate <= normal_rate else "MISSED",
                )
            ],
        )
