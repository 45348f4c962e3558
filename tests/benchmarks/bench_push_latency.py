"""Benchmark 1: call event → entity state latency, push vs polling.

    .venv/bin/python -m pytest tests/benchmarks/bench_push_latency.py -s -p no:cacheprovider

Each call: ring the simulated phone (`POST /sim/incoming`, separate process),
time until the `event.*_call` entity fires `incoming` and until the ringing
binary sensor turns on; then hang up from the far end (`POST /sim/remote_hangup`)
and time until `missed` fires and the sensor turns off. The clock starts just
before the control request is sent and stops in the state-changed callback.

Each kind of phone in BENCH_KINDS (session,passcode) is measured:

* push: one phone pushing to its entry's webhook over real HTTP,
  BENCH_PUSH_CALLS calls (100). A session phone (the default grp2614
  profile) gets its Action URLs from the entry itself (automatic push: Home
  Assistant's internal URL is the test HTTP server); a passcode-only phone
  gets the URLs the config flow shows pasted into its slots
  (`POST /sim/action_url`). Either way the push only triggers a read; the
  call event comes from comparing two line readings. A call push reads the
  lines only (one request), so the latency is the control request to the
  phone, the phone's push over HTTP, the webhook, one line read and the
  state write. After a call ends the next read is a full one (a caller may
  leave a voicemail), so a hang-up's read after a ring's may read more;
* polling: push off, the integration's fixed 10 s interval, real time.
  Polling latency is up to one interval, so to get 100 samples in ~2 min,
  BENCH_POLL_PHONES phones (20) run BENCH_POLL_CALLS calls each (5) at the
  same time; each ring / hang-up waits a random 0..10 s first, so it lands at
  a random phase of the phone's polling cycle.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
import random
import time

from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers.event import async_track_state_change_event
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from .common import (
    Farm,
    entry_entity,
    env_float,
    env_int,
    env_kinds,
    load_text,
    percentile,
    prepare_hass,
    report,
    run_farm,
    setup_phones,
    start_http,
    unload_phones,
    wire_push,
)

PUSH_CALLS = env_int("BENCH_PUSH_CALLS", 100)
# The integration's fixed interval (const.SCAN_INTERVAL): not a setting.
POLL_INTERVAL = 10
KINDS = env_kinds()
POLL_PHONES = env_int("BENCH_POLL_PHONES", 20)
POLL_CALLS = env_int("BENCH_POLL_CALLS", 5)
PUSH_TIMEOUT = env_float("BENCH_PUSH_TIMEOUT", 5.0)
# p95 ring → call event with push (seconds).
PUSH_TARGET = 0.005

SAMPLES = (
    "ring → event",
    "ring → sensor on",
    "hang up → event",
    "hang up → sensor off",
)


@pytest.fixture(autouse=True)
def _allow(enable_custom_integrations: None, socket_enabled: None) -> None:
    """Load custom_components and allow loopback sockets."""


@dataclass
class PhoneWatch:
    """Records when one phone's call event entity and ringing sensor change."""

    hass: HomeAssistant
    event_id: str
    ringing_id: str
    seen: list[tuple[float, str, str]] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def start(self) -> None:
        """Listen for state changes of both entities."""

        @callback
        def record(event: Event[EventStateChangedData]) -> None:
            new = event.data["new_state"]
            if new is None:
                return
            if event.data["entity_id"] == self.event_id:
                what = f"event:{new.attributes.get('event_type')}"
                number = str(new.attributes.get("remote_number"))
            else:
                what, number = f"ringing:{new.state}", ""
            self.seen.append((time.perf_counter(), what, number))
            self.changed.set()

        async_track_state_change_event(
            self.hass, [self.event_id, self.ringing_id], record
        )

    async def wait_for(
        self, what: str, number: str, since: float, timeout: float
    ) -> float:
        """Return the seconds from `since` to the first matching change after it."""
        async with asyncio.timeout(timeout):
            while True:
                for when, seen, seen_number in self.seen:
                    if when >= since and seen == what and number in ("", seen_number):
                        return when - since
                self.changed.clear()
                await self.changed.wait()


async def one_call(
    farm: Farm,
    port: int,
    watch: PhoneWatch,
    index: int,
    *,
    timeout: float,
    jitter: float,
) -> dict[str, float]:
    """Ring, wait for the states, hang up, wait again; return the four latencies."""
    number = f"+1555{index:07d}"
    await asyncio.sleep(random.uniform(0, jitter))
    started = time.perf_counter()
    line = (await farm.sim(port, "incoming", {"number": number, "name": "Bench"}))[
        "line"
    ]
    ring_event = await watch.wait_for("event:incoming", number, started, timeout)
    ring_sensor = await watch.wait_for("ringing:on", "", started, timeout)
    await asyncio.sleep(random.uniform(0, jitter))
    started = time.perf_counter()
    await farm.sim(port, "remote_hangup", {"line": line})
    hangup_event = await watch.wait_for("event:missed", number, started, timeout)
    hangup_sensor = await watch.wait_for("ringing:off", "", started, timeout)
    return dict(
        zip(
            SAMPLES, (ring_event, ring_sensor, hangup_event, hangup_sensor), strict=True
        )
    )


def watch_entry(hass: HomeAssistant, entry: MockConfigEntry) -> PhoneWatch:
    """Start watching one entry's call event entity and ringing sensor."""
    watch = PhoneWatch(
        hass,
        entry_entity(hass, "event", entry.entry_id, "call"),
        entry_entity(hass, "binary_sensor", entry.entry_id, "ringing"),
    )
    watch.start()
    return watch


def summarize(title: str, results: list[dict[str, float]], note: str) -> None:
    """Print p50 / p95 / max of each latency, in milliseconds."""
    rows = [("calls", str(len(results))), ("note", note), ("machine load", load_text())]
    for name in SAMPLES:
        values = [result[name] for result in results]
        rows.append(
            (
                name,
                (
                    f"p50 {percentile(values, 50) * 1000:8.1f} ms   "
                    f"p95 {percentile(values, 95) * 1000:8.1f} ms   "
                    f"max {max(values) * 1000:8.1f} ms"
                ),
            )
        )
    report(title, rows)


@pytest.mark.parametrize("kind", KINDS)
async def test_push_latency(
    hass: HomeAssistant, hass_client_no_auth: ClientSessionGenerator, kind: str
) -> None:
    """One phone pushing: 100 calls."""
    prepare_hass(hass)
    random.seed(1)
    await start_http(hass, hass_client_no_auth)
    with run_farm(1, connect_delay=0, kind=kind) as farm:
        async with farm:
            entries, _ = await setup_phones(hass, farm.ports, push=True, kind=kind)
            wiring = await wire_push(hass, farm, entries[0], farm.ports[0], kind)
            watch = watch_entry(hass, entries[0])
            # Warm-up: the first push proves push (a passcode phone's), and
            # the connections to the phone and to Home Assistant are open.
            await one_call(
                farm, farm.ports[0], watch, PUSH_CALLS, timeout=PUSH_TIMEOUT, jitter=0
            )
            await hass.async_block_till_done(wait_background_tasks=True)
            trusted = entries[0].runtime_data.coordinator.push_trusted
            await farm.reset()
            started = time.perf_counter()
            results = [
                await one_call(
                    farm, farm.ports[0], watch, index, timeout=PUSH_TIMEOUT, jitter=0.05
                )
                for index in range(PUSH_CALLS)
            ]
            await hass.async_block_till_done(wait_background_tasks=True)
            timeline = await farm.timeline(farm.ports[0])
            wall = time.perf_counter() - started
            await unload_phones(hass, entries)
    line_reads = sum(1 for item in timeline if item.function == "api-get_line_status")
    summarize(
        f"Latency with push, {kind} phone (Action URL → webhook → read)",
        results,
        f"1 phone, Action URLs {wiring}; push trusted: {trusted} (a heartbeat); "
        f"sequential calls in {wall:.0f} s; per call (ring + hang-up, "
        f"heartbeats included): {len(timeline) / PUSH_CALLS:.1f} CTI requests, "
        f"{line_reads / PUSH_CALLS:.1f} line reads",
    )
    p95 = percentile([result["ring → event"] for result in results], 95)
    report(
        f"Target, {kind} phone",
        [
            (
                (
                    f"push p95 ring → event ≤ {PUSH_TARGET * 1000:.0f} ms "
                    f"({p95 * 1000:.1f} ms)"
                ),
                "met" if p95 <= PUSH_TARGET else "MISSED",
            )
        ],
    )


@pytest.mark.parametrize("kind", KINDS)
async def test_polling_latency(hass: HomeAssistant, kind: str) -> None:
    """Push off: POLL_PHONES phones x POLL_CALLS calls, at the real interval."""
    prepare_hass(hass)
    random.seed(2)
    with run_farm(POLL_PHONES, connect_delay=0, kind=kind) as farm:
        async with farm:
            entries, _ = await setup_phones(hass, farm.ports, push=False, kind=kind)
            timeout = 2 * POLL_INTERVAL + 5

            async def phone_calls(slot: int) -> list[dict[str, float]]:
                watch = watch_entry(hass, entries[slot])
                return [
                    await one_call(
                        farm,
                        farm.ports[slot],
                        watch,
                        slot * 1000 + index,
                        timeout=timeout,
                        jitter=POLL_INTERVAL,
                    )
                    for index in range(POLL_CALLS)
                ]

            started = time.perf_counter()
            per_phone = await asyncio.gather(
                *(phone_calls(slot) for slot in range(len(entries)))
            )
            wall = time.perf_counter() - started
            await unload_phones(hass, entries)
    results = [result for phone in per_phone for result in phone]
    summarize(
        f"Latency with polling only (push off), {kind} phones",
        results,
        f"{POLL_INTERVAL} s interval, {POLL_PHONES} phones x {POLL_CALLS} calls "
        f"in parallel, {wall:.0f} s wall",
    )
