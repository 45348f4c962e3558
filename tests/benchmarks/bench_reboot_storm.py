"""Benchmark 3: reboot storm — every phone away for a while, then back.

    .venv/bin/python -m pytest tests/benchmarks/bench_reboot_storm.py -s -p no:cacheprovider
    BENCH_OUTAGE_SECONDS=120 BENCH_REBOOT_SECONDS= BENCH_KINDS=session .venv/bin/python -m pytest ...

BENCH_STORM_PHONES (50) phones of one kind (BENCH_KINDS: session,passcode) in
a separate process (`sim_farm.py`, which counts every CTI request a phone
receives, including the ones it drops while away), one entry each, push on
with Home Assistant's internal URL on the test HTTP server (session phones
get their Action URLs from their entries: push proven, a 50 s heartbeat;
passcode phones have the config flow's URLs pasted in but have not pushed
yet: the 10 s interval), real time, the integration as it is (its
coordinator backs off while a phone fails: 20, 40, 60, 60 ... s, reading the
lines alone before the rest; nothing is patched here). Scenarios:

* `offline` for each length in BENCH_OUTAGE_SECONDS (30,120): every phone
  gets the `offline` fault at the same moment (the same `set_fault` as
  `POST /sim/fault {"kind": "offline"}`): the phone accepts the connection
  and closes it without an answer; it keeps its sessions (a 120 s outage
  outlives their 60 s idle timeout, though) and pushes nothing when the
  fault is cleared, so only polling finds it again;
* `reboot` for each length in BENCH_REBOOT_SECONDS (60): every phone reboots
  at once (`POST /farm/reboot`): away as above, its sessions gone, and when
  it is back it pushes `setup_completed` and `registered`, as a real phone
  does, so the entries read it at once.

Each: 1. normal: BENCH_NORMAL_SECONDS (30) of steady polling, requests
counted; 2. away: requests received, time until every entity is
unavailable (a heartbeat phone notices at its next read, which a short
outage may not reach), the coordinators' intervals at the end; 3. back: time until
every entity is available again, and the requests of the first 10 s (or
until all are back, if longer), logins among them.
"""

from __future__ import annotations

import asyncio
from collections import Counter
import contextlib
import time

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.grandstream_cti.const import SCAN_INTERVAL
from custom_components.grandstream_cti.cti import ReadSchedule

from .common import (
    domain_entity_ids,
    env_float,
    env_int,
    env_ints,
    env_kinds,
    prepare_hass,
    push_trusted,
    report,
    run_farm,
    setup_phones,
    start_http,
    unavailable_count,
    unload_phones,
    wait_until,
    wire_push,
)

PHONES = env_int("BENCH_STORM_PHONES", 50)
NORMAL = env_float("BENCH_NORMAL_SECONDS", 30.0)
SCENARIOS = [
    *(("offline", seconds) for seconds in env_ints("BENCH_OUTAGE_SECONDS", "30,120")),
    *(("reboot", seconds) for seconds in env_ints("BENCH_REBOOT_SECONDS", "60")),
]
KINDS = env_kinds()
INTERVAL = SCAN_INTERVAL.total_seconds()
# The read policy's defaults: heartbeat with push proven, back-off cap.
_POLICY = ReadSchedule(0.0)
MAX_BACKOFF = _POLICY.max_backoff
HEARTBEAT = _POLICY.heartbeat
RECOVERY_TIMEOUT = MAX_BACKOFF + 3 * INTERVAL
# An outage at least this long is past the first failed poll's burst: its rate
# must be at most the normal one (back-off, not a storm).
LONG_OUTAGE = 6 * INTERVAL
LOGIN_FUNCTIONS = frozenset({"access", "dologin"})


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


def functions_text(functions: dict[str, int]) -> str:
    """Describe requests per function, per phone, most frequent first."""
    return ", ".join(
        f"{name} {count / PHONES:.1f}"
        for name, count in sorted(functions.items(), key=lambda item: -item[1])
    )


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("scenario", "away_seconds"), SCENARIOS)
async def test_reboot_storm(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    scenario: str,
    away_seconds: int,
    kind: str,
) -> None:
    """Normal, all away for away_seconds, back: requests and recovery time."""
    prepare_hass(hass)
    await start_http(hass, hass_client_no_auth)
    with run_farm(PHONES, kind=kind) as farm:
        async with farm:
            entries, setup_seconds = await setup_phones(
                hass, farm.ports, push=True, kind=kind
            )
            for entry, port in zip(entries, farm.ports, strict=True):
                wiring = await wire_push(hass, farm, entry, port, kind)
            all_entities = len(domain_entity_ids(hass))
            # The call history and its reset button stay available: not these.
            entity_ids = domain_entity_ids(hass, phone_only=True)
            # Settle: every phone's first timer read after setup (10 s based).
            await asyncio.sleep(1.5 * INTERVAL + 1)
            trusted = push_trusted(entries)

            await farm.reset()
            started = time.monotonic()
            await asyncio.sleep(NORMAL)
            normal_wall = time.monotonic() - started
            normal = await farm.total()

            await farm.reset()
            if scenario == "reboot":
                started = await farm.reboot(away_seconds)
            else:
                await farm.fault("offline")
                started = time.monotonic()
            # A heartbeat phone notices only at its next read: maybe not
            # within a short outage.
            all_down: float | None = None
            with contextlib.suppress(TimeoutError):
                await wait_until(
                    lambda: unavailable_count(hass, entity_ids) == len(entity_ids),
                    timeout=max(0.1, away_seconds - 1),
                )
                all_down = time.monotonic() - started
            await asyncio.sleep(max(0.0, away_seconds - (time.monotonic() - started)))
            down_at_end = sum(
                1
                for entry in entries
                if not entry.runtime_data.coordinator.last_update_success
            )
            counters = await farm.counters()
            outage_wall = time.monotonic() - started
            per_phone = [value["cti"] for value in counters.values()]
            outage = sum(per_phone)
            dropped = sum(value["cti_offline"] for value in counters.values())
            intervals_down = intervals_text(entries)

            await farm.reset()
            if scenario == "reboot":
                back_at = started + away_seconds  # the farm's phones come back
            else:
                await farm.fault("none")
                back_at = time.monotonic()
            await wait_until(
                lambda: unavailable_count(hass, entity_ids) == 0,
                timeout=RECOVERY_TIMEOUT,
            )
            recovered_after = time.monotonic() - back_at
            await asyncio.sleep(max(0.0, INTERVAL - (time.monotonic() - back_at)))
            back_wall = time.monotonic() - back_at
            back = await farm.total()
            back_functions = await farm.functions()
            intervals_back = intervals_text(entries)
            await unload_phones(hass, entries)
    normal_rate = per_phone_per_interval(normal, normal_wall)
    outage_rate = per_phone_per_interval(outage, outage_wall)
    logins = sum(back_functions.get(name, 0) for name in LOGIN_FUNCTIONS)
    away = "offline fault" if scenario == "offline" else "reboot"
    rows = [
        (
            "integration",
            (
                f"as is (back-off cap {MAX_BACKOFF:.0f} s; push trusted by "
                f"{trusted} of {PHONES} phones: a {HEARTBEAT:.0f} s heartbeat)"
            ),
        ),
        (
            "phones / entities",
            (
                f"{PHONES} {kind} / {all_entities}, of which {len(entity_ids)} "
                "follow the phone's availability"
            ),
        ),
        ("setup of all entries", f"{setup_seconds:.1f} s; Action URLs {wiring}"),
        (
            "normal: CTI requests",
            (f"{normal} in {normal_wall:.0f} s = {normal_rate:.2f} per phone per 10 s"),
        ),
        (
            f"away ({away}): CTI requests",
            (
                f"{outage} in {outage_wall:.0f} s (dropped unanswered: {dropped}) = "
                f"{outage_rate:.2f} per phone per 10 s"
            ),
        ),
        ("away: per phone min / median / max", spread_text(per_phone)),
        (
            "away / normal rate",
            f"{outage_rate / normal_rate:.2f} x" if normal_rate else "n/a",
        ),
        (
            "away start → all entities unavailable",
            (
                f"{all_down:.1f} s"
                if all_down is not None
                else f"not within the outage: {down_at_end} of {PHONES} phones "
                "had noticed by its end"
            ),
        ),
        ("intervals at the end of the outage", intervals_down),
        ("back → all entities available", f"{recovered_after:.1f} s"),
        (
            "back: CTI requests",
            (
                f"{back} in the first {back_wall:.0f} s after the outage "
                f"({back / PHONES:.1f} per phone, of which logins "
                f"(access + dologin) {logins / PHONES:.1f})"
            ),
        ),
        ("back: per phone by function", functions_text(back_functions)),
        ("intervals at the end", intervals_back),
    ]
    report(f"Reboot storm (as is), {kind} phones, {away} for {away_seconds} s", rows)
    if away_seconds >= LONG_OUTAGE:
        report(
            f"Target, {kind} phones, {away} for {away_seconds} s",
            [
                (
                    "back-off, not a storm (away rate ≤ normal rate)",
                    "met" if outage_rate <= normal_rate else "MISSED",
                )
            ],
        )
