"""Push first, poll lightly: when push is proven, a heartbeat; a push, one request.

* Push proven (slots written and read back, or a push arrived): a heartbeat
  (25-75 s) that reads the lines only, everything every 10th heartbeat.
* A timer read that finds a call no push announced: back to 10 s; the second
  time, the `push_not_arriving` issue; a push that arrives clears it.
* A call push costs one request (the lines); a registration or DND push one
  full read. A burst of pushes: one read running, at most one waiting; a
  command pressed during it reaches the phone before the queued read.
* Each phone polls at its own stable offset within the interval.

No wall-clock waits: timers are fired (`poll`), a slow phone's answers come
when the test moves its clock (`manual_clock`), and pushes really travel
over loopback HTTP to Home Assistant (`ha_url`).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import patch

import aiohttp
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
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.grandstream_cti import coordinator as coordinator_module, cti
from custom_components.grandstream_cti.const import CONF_MAC_SOURCE, CONF_PUSH, DOMAIN
from custom_components.grandstream_cti.coordinator import GrandstreamCoordinator
from custom_components.grandstream_cti.cti.transport import Lane
from custom_components.grandstream_cti.push import HANDED_OUT_EVENTS, webhook_url
from simulator import PhoneSimulator, SimulatorConfig

from .conftest import (
    ENTRY_ID,
    NO_PUSH,
    PASSCODE,
    WEBHOOK_ID,
    collect_call_events,
    cti_log,
    entity_id,
    poll,
)

LINES = "api-get_line_status"
COMMAND = "api-phone_operation"
# What one read of the phone may send (the lines, then the rest when full).
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
NOT_ARRIVING_ISSUE = f"push_not_arriving_{ENTRY_ID}"
HEARTBEAT = (timedelta(seconds=25), timedelta(seconds=75))
POLLING = (timedelta(seconds=5), timedelta(seconds=15))
# Desk phones have no battery events: the URLs pasted into a passcode phone.
DESK_EVENTS = HANDED_OUT_EVENTS[:-2]
BURST = 200


def _functions(sim: PhoneSimulator) -> list[str]:
    return [function for function, _ in cti_log(sim)]


def _between(interval: timedelta | None, bounds: tuple[timedelta, timedelta]) -> bool:
    return interval is not None and bounds[0] <= interval <= bounds[1]


async def _serve(
    hass: HomeAssistant, hass_client_no_auth: ClientSessionGenerator
) -> str:
    """Serve Home Assistant's HTTP on loopback; return its root (local URL unchanged)."""
    assert await async_setup_component(hass, "webhook", {})
    client = await hass_client_no_auth()
    return str(client.make_url("")).rstrip("/")


@pytest.fixture(name="ha_url")
async def ha_url_fixture(
    hass: HomeAssistant, hass_client_no_auth: ClientSessionGenerator
) -> str:
    """Serve Home Assistant on loopback and make it the local URL (pushes arrive)."""
    url = await _serve(hass, hass_client_no_auth)
    await async_process_ha_core_config(hass, {"internal_url": url})
    return url


async def _pushed(hass: HomeAssistant, simulator: PhoneSimulator) -> None:
    """Wait until the phone's pushes were answered and the reads they caused ran."""
    await simulator.pusher.wait()
    await hass.async_block_till_done(wait_background_tasks=True)


def _paste_urls(simulator: PhoneSimulator, base: str) -> None:
    """Paste the Action URLs the config flow shows into the phone, as its owner would."""
    simulator.set_action_url(urls=cti.action_urls(base, DESK_EVENTS))


async def _quiet_heartbeats(
    hass: HomeAssistant, coordinator: GrandstreamCoordinator, simulator: PhoneSimulator
) -> list[list[str]]:
    """Poll through one cycle of heartbeats; return what each one sent."""
    sent: list[list[str]] = []
    for _ in range(coordinator.schedule.full_every_heartbeat):
        simulator.requests.clear()
        await poll(hass)
        assert coordinator.push_trusted
        assert _between(coordinator.update_interval, HEARTBEAT)
        sent.append(_functions(simulator))
    return sent


def _assert_one_full_read_per_cycle(sent: list[list[str]]) -> None:
    """Heartbeats read the lines alone; one heartbeat of the cycle everything."""
    assert all(functions.count(LINES) == 1 for functions in sent), sent
    quiet = [functions for functions in sent if functions == [LINES]]
    assert len(quiet) == len(sent) - 1, sent
    full = next(functions for functions in sent if functions != [LINES])
    assert {"api-get_phone_status", "api-get_accounts"} <= set(full)


# ------------------------------------------------------------ the heartbeat


async def test_slots_written_a_heartbeat_of_quiet_reads(
    hass: HomeAssistant,
    ha_url: str,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
) -> None:
    """Slots written and read back: push trusted, a heartbeat reading the lines."""
    runtime = init_integration.runtime_data
    assert runtime.push.slots
    assert runtime.push.expected
    assert runtime.coordinator.push_trusted
    sent = await _quiet_heartbeats(hass, runtime.coordinator, simulator)
    _assert_one_full_read_per_cycle(sent)


@pytest.mark.parametrize("simulator_config", [SimulatorConfig(session_api=False)])
async def test_pasted_urls_a_push_then_a_heartbeat(
    hass: HomeAssistant,
    ha_url: str,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
) -> None:
    """A passcode phone polls every 10 s until its first push; then a heartbeat."""
    runtime = init_integration.runtime_data
    coordinator = runtime.coordinator
    assert runtime.client.api is not None
    assert runtime.client.api.kind is cti.ApiKind.PASSCODE
    # Nothing written (no session API), nothing pushed yet: polling.
    assert not runtime.push.slots
    assert not runtime.push.expected
    assert not coordinator.push_trusted
    await poll(hass)
    assert _between(coordinator.update_interval, POLLING)

    base = webhook_url(hass, WEBHOOK_ID, "127.0.0.1")
    assert base is not None
    _paste_urls(simulator, base)
    fired = collect_call_events(hass)
    simulator.requests.clear()
    simulator.phone.incoming("+15555550100")
    await _pushed(hass, simulator)
    assert runtime.push.last_push is not None
    assert coordinator.push_trusted
    assert [event["type"] for event in fired] == ["incoming"]
    # The push's read: the lines alone, then the heartbeat from there on.
    assert _functions(simulator) == [LINES]
    assert _between(coordinator.update_interval, HEARTBEAT)
    simulator.phone.remote_hangup(1)
    await _pushed(hass, simulator)
    sent = await _quiet_heartbeats(hass, coordinator, simulator)
    _assert_one_full_read_per_cycle(sent)


async def test_a_push_read_keeps_the_session_alive_until_the_heartbeat(
    hass: HomeAssistant,
    ha_url: str,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
) -> None:
    """After a push read, the next read comes within one heartbeat: no new login."""
    coordinator = init_integration.runtime_data.coordinator
    await poll(hass)
    heartbeat = coordinator.schedule.heartbeat
    # This phone's slot 15 s from now: the push read below is just before it.
    now = dt_util.utcnow().timestamp()
    coordinator.schedule.slot = ((now + 15) / heartbeat) % 1
    simulator.phone.incoming("+15555550100")
    await _pushed(hass, simulator)
    assert coordinator.update_interval is not None
    wait = coordinator.update_interval.total_seconds()
    # The phone idles for as long as Home Assistant waits, then the heartbeat.
    simulator.requests.clear()
    simulator.clock.advance(wait)
    await poll(hass)
    functions = _functions(simulator)
    assert LINES in functions
    assert "dologin" not in functions, (wait, functions)
    assert wait <= heartbeat


# --------------------------------------- pushes expected but not arriving


async def _unannounced_call(
    hass: HomeAssistant, simulator: PhoneSimulator, fired: list[dict[str, Any]]
) -> None:
    """Ring and hang up; the pushes go nowhere; timer reads find both."""
    start = len(fired)
    line = simulator.phone.incoming("+15555550100")
    await _pushed(hass, simulator)  # to http://127.0.0.1:9: refused
    await poll(hass)
    simulator.phone.remote_hangup(line)
    await _pushed(hass, simulator)
    await poll(hass)
    assert [event["type"] for event in fired[start:]] == ["incoming", "missed"]


async def test_unannounced_change_stops_trusting_push(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Pushes expected (slots written) but unreachable: a timer read finds a call."""
    runtime = init_integration.runtime_data
    coordinator = runtime.coordinator
    # The default fixture's local URL, http://127.0.0.1:9: nothing listens.
    assert runtime.push.slots
    assert coordinator.push_trusted
    await poll(hass)
    assert _between(coordinator.update_interval, HEARTBEAT)
    fired = collect_call_events(hass)
    simulator.phone.incoming("+15555550100")
    await _pushed(hass, simulator)
    assert simulator.pusher.sent  # the phone did try
    await poll(hass)
    assert [event["type"] for event in fired] == ["incoming"]
    assert runtime.push.last_push is None
    assert not coordinator.push_trusted
    # Once is not yet an issue.
    assert issue_registry.async_get_issue(DOMAIN, NOT_ARRIVING_ISSUE) is None
    await poll(hass)
    assert _between(coordinator.update_interval, POLLING)


async def test_unannounced_change_next_read_within_10_s(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
) -> None:
    """The very read that found the unannounced call schedules the next in ~10 s."""
    coordinator = init_integration.runtime_data.coordinator
    assert coordinator.push_trusted
    simulator.phone.incoming("+15555550100")
    await _pushed(hass, simulator)
    await poll(hass)
    assert not coordinator.push_trusted
    assert _between(coordinator.update_interval, POLLING)


async def test_second_unannounced_change_raises_the_issue_a_push_clears_it(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Twice unannounced: `push_not_arriving`; then a push arrives: trusted again."""
    runtime = init_integration.runtime_data
    coordinator = runtime.coordinator
    fired = collect_call_events(hass)
    await _unannounced_call(hass, simulator, fired)
    assert not coordinator.push_trusted
    issue = issue_registry.async_get_issue(DOMAIN, NOT_ARRIVING_ISSUE)
    assert issue is not None
    assert issue.translation_placeholders["url"].startswith("http://127.0.0.1:9/")
    assert _between(coordinator.update_interval, POLLING)

    # A call that ended asks for a full read (voicemail): done by the timer.
    await poll(hass)

    # The owner mends the network: the phone's slots now reach Home Assistant.
    root = await _serve(hass, hass_client_no_auth)
    _paste_urls(simulator, f"{root}/api/webhook/{WEBHOOK_ID}")
    simulator.requests.clear()
    line = simulator.phone.incoming("+15555550101")
    await _pushed(hass, simulator)
    assert runtime.push.last_push is not None
    assert issue_registry.async_get_issue(DOMAIN, NOT_ARRIVING_ISSUE) is None
    assert coordinator.push_trusted
    assert fired[-1]["type"] == "incoming"
    assert _functions(simulator) == [LINES]
    assert _between(coordinator.update_interval, HEARTBEAT)
    simulator.phone.remote_hangup(line)
    await _pushed(hass, simulator)
    assert fired[-1]["type"] == "missed"
    assert coordinator.push_trusted


@NO_PUSH
async def test_push_off_polling_never_raises_the_issue(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Push off: nothing is expected, calls found by polling are no sign of trouble."""
    coordinator = init_integration.runtime_data.coordinator
    fired = collect_call_events(hass)
    await _unannounced_call(hass, simulator, fired)
    await _unannounced_call(hass, simulator, fired)
    assert not coordinator.push_trusted
    assert issue_registry.async_get_issue(DOMAIN, NOT_ARRIVING_ISSUE) is None
    assert _between(coordinator.update_interval, POLLING)


# -------------------------------------------------- one request per push


async def test_a_call_push_costs_one_request(
    hass: HomeAssistant,
    ha_url: str,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
) -> None:
    """incoming_call: one request, the lines; the call event fires from it."""
    fired = collect_call_events(hass)
    simulator.requests.clear()
    line = simulator.phone.incoming("+15555550100")
    await _pushed(hass, simulator)
    assert _functions(simulator) == [LINES]
    assert [event["type"] for event in fired] == ["incoming"]
    assert fired[0]["remote_number"] == "+15555550100"

    simulator.requests.clear()
    simulator.phone.remote_hangup(line)
    await _pushed(hass, simulator)
    assert _functions(simulator) == [LINES]
    assert [event["type"] for event in fired] == ["incoming", "missed"]


async def test_call_events_do_not_wait_for_the_rest_of_a_full_read(
    hass: HomeAssistant,
    ha_url: str,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
) -> None:
    """The read after a call ends is full; the next ring's events fire from its lines."""
    coordinator = init_integration.runtime_data.coordinator
    client = coordinator.client
    fired = collect_call_events(hass)
    line = simulator.phone.incoming("+15555550100")
    await _pushed(hass, simulator)
    simulator.phone.remote_hangup(line)
    await _pushed(hass, simulator)
    # What the call event and the ringing sensor showed when the rest went out.
    seen: list[tuple[str, str, str]] = []
    call = entity_id(hass, "event", "call")
    ringing = entity_id(hass, "binary_sensor", "ringing")
    read_rest = client.read_snapshot

    async def spy(*args: Any, **kwargs: Any) -> cti.PhoneSnapshot:
        event = hass.states.get(call).attributes
        state = hass.states.get(ringing).state
        seen.append((event["event_type"], event["remote_number"], state))
        return await read_rest(*args, **kwargs)

    with patch.object(client, "read_snapshot", spy):
        simulator.requests.clear()
        simulator.phone.incoming("+15555550101")
        await _pushed(hass, simulator)
    assert seen == [("incoming", "+15555550101", "on")]
    assert _functions(simulator)[0] == LINES
    assert "api-get_phone_status" in _functions(simulator)
    assert [event["type"] for event in fired] == ["incoming", "missed", "incoming"]


@pytest.mark.parametrize(
    ("change", "check"),
    [
        (
            lambda sim: sim.phone.set_registered(1, False),
            ("sensor", "account_1_account_status", "not_registered"),
        ),
        (
            lambda sim: sim.phone.set_dnd(True),
            ("sensor", "phone_status", "dnd"),
        ),
    ],
    ids=["registration", "dnd"],
)
async def test_a_registration_or_dnd_push_costs_one_full_read(
    hass: HomeAssistant,
    ha_url: str,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    change: Any,
    check: tuple[str, str, str],
) -> None:
    """Not in the lines: the push asks for one full read, and it shows."""
    fired = collect_call_events(hass)
    simulator.requests.clear()
    change(simulator)
    await _pushed(hass, simulator)
    sent = Counter(_functions(simulator))
    assert sent[LINES] == 1
    assert sent["api-get_phone_status"] == 1
    assert sent["api-get_accounts"] == 1
    assert set(sent) <= READS
    assert max(sent.values()) == 1, sent
    platform, key, state = check
    assert hass.states.get(entity_id(hass, platform, key)).state == state
    assert fired == []


# ---------------------------------------------------------- bursts of pushes


class _ReadWatch:
    """Count one coordinator's line reads and how many ran at once."""

    def __init__(self, coordinator: GrandstreamCoordinator) -> None:
        self.started = 0
        self.running = 0
        self.most = 0
        client = coordinator.client
        original = client.get_line_status

        async def watched() -> Any:
            self.started += 1
            self.running += 1
            self.most = max(self.most, self.running)
            try:
                return await original()
            finally:
                self.running -= 1

        client.get_line_status = watched  # type: ignore[method-assign]


async def _push_burst(
    url: str, count: int, concurrency: int, event: str = "registered"
) -> int:
    """Send the phone's push `count` times, `concurrency` at a time; return answers."""
    answered = 0
    pushes = iter(range(count))
    target = f"{url}/api/webhook/{WEBHOOK_ID}?event={event}&mac=000b82123456"
    connector = aiohttp.TCPConnector(limit=concurrency)

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal answered
        for _ in pushes:
            async with session.get(target) as response:
                await response.read()
                answered += response.status == 200

    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    return answered


@pytest.mark.parametrize("pushes", [BURST])
async def test_burst_at_a_fast_phone_reads_a_few_times(
    hass: HomeAssistant,
    ha_url: str,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    pushes: int,
) -> None:
    """Many pushes at once: one read runs, at most one waits; never two at once."""
    coordinator = init_integration.runtime_data.coordinator
    watch = _ReadWatch(coordinator)
    simulator.requests.clear()
    assert await _push_burst(ha_url, pushes, concurrency=pushes // 4) == pushes
    await coordinator.reads.idle()
    await hass.async_block_till_done(wait_background_tasks=True)
    assert watch.most == 1
    assert 1 <= watch.started <= 3, watch.started
    assert _functions(simulator).count(LINES) == watch.started


class TestHeldPhone:
    """A phone that answers only when the test moves its clock (both kinds)."""

    @pytest.fixture(params=["session", "passcode"])
    def simulator_config(self, request: pytest.FixtureRequest) -> SimulatorConfig:
        return SimulatorConfig(
            manual_clock=True,
            call_connect_delay=0,
            session_api=request.param == "session",
        )

    async def _release(
        self, simulator: PhoneSimulator, until: asyncio.Future[Any]
    ) -> None:
        """Move the phone's clock, request by request, until `until` is done."""
        while not until.done():
            held = asyncio.ensure_future(
                simulator.wait_until(lambda: simulator.pausing > 0)
            )
            await asyncio.wait({until, held}, return_when=asyncio.FIRST_COMPLETED)
            held.cancel()
            if not until.done():
                simulator.clock.advance(5)
        await until

    async def test_burst_one_read_running_one_waiting(
        self,
        hass: HomeAssistant,
        ha_url: str,
        init_integration: MockConfigEntry,
        simulator: PhoneSimulator,
    ) -> None:
        """Every push lands while the first read is held: two reads in all."""
        coordinator = init_integration.runtime_data.coordinator
        watch = _ReadWatch(coordinator)
        simulator.set_fault("latency", 5)
        simulator.requests.clear()
        assert await _push_burst(ha_url, BURST, concurrency=50) == BURST
        assert simulator.pausing == 1
        await self._release(simulator, asyncio.ensure_future(coordinator.reads.idle()))
        simulator.set_fault("none")
        await hass.async_block_till_done(wait_background_tasks=True)
        assert watch.started == 2
        assert watch.most == 1
        assert _functions(simulator).count(LINES) == 2

    async def test_a_button_in_a_burst_goes_before_the_queued_read(
        self,
        hass: HomeAssistant,
        ha_url: str,
        init_integration: MockConfigEntry,
        simulator: PhoneSimulator,
    ) -> None:
        """Pressed mid-burst: at the phone after the running read, before the queued.

        A session phone gets it at once, beside the held read. A passcode
        phone's requests go one at a time (each carries the passcode: a wrong
        one costs one request), so there it follows the held read's request.
        """
        coordinator = init_integration.runtime_data.coordinator
        simulator.phone.incoming("+15555550100")
        await _pushed(hass, simulator)  # a session phone pushes (its URLs)
        await poll(hass)  # a passcode phone has none pasted
        status = entity_id(hass, "sensor", "phone_status")
        assert hass.states.get(status).state == "ringing"
        queued = _spy_commands(coordinator)
        simulator.set_fault("latency", 5)
        simulator.requests.clear()
        burst = asyncio.ensure_future(_push_burst(ha_url, BURST, concurrency=50))
        await simulator.wait_until(lambda: simulator.pausing == 1)
        press = hass.async_create_task(
            hass.services.async_call(
                "button",
                "press",
                {"entity_id": entity_id(hass, "button", "accept_call")},
                blocking=True,
            )
        )
        if simulator.config.session_api:
            await simulator.wait_until(lambda: COMMAND in _functions(simulator))
            # The command is at the phone while the first read is still held.
            assert simulator.pausing == 2
        else:
            await queued.wait()  # the command waits for its turn
            assert COMMAND not in _functions(simulator)
            simulator.clock.advance(5)  # the held read's request is answered
            await simulator.wait_until(lambda: COMMAND in _functions(simulator))
        functions = _functions(simulator)
        ahead = functions[: functions.index(COMMAND)]
        assert [f for f in ahead if f in READS] == [LINES]
        assert await burst == BURST
        await self._release(simulator, press)
        await self._release(simulator, asyncio.ensure_future(coordinator.reads.idle()))
        simulator.set_fault("none")
        await hass.async_block_till_done(wait_background_tasks=True)
        functions = _functions(simulator)
        assert functions.count(COMMAND) == 1
        # The held read and the queued one, shared by the burst and the command.
        assert functions.count(LINES) == 2, functions
        assert hass.states.get(status).state == "busy"


def _spy_commands(coordinator: GrandstreamCoordinator) -> asyncio.Event:
    """Return an event set when a command reaches the client's transport."""
    transport = coordinator.client._transport
    send = transport.send
    queued = asyncio.Event()

    async def spy(request: Any, *, lane: Lane, **kwargs: Any) -> Any:
        if lane is Lane.COMMAND:
            queued.set()
        return await send(request, lane=lane, **kwargs)

    transport.send = spy  # type: ignore[method-assign]
    return queued


# ------------------------------------------------------- per-phone offsets


OTHER_ENTRY_ID = "01JGSCTI0000000000000000BB"
OTHER_MAC = "00:0b:82:65:43:21"


@pytest.mark.parametrize(
    ("entry_options", "period"),
    [({}, 50), ({CONF_PUSH: False}, 10)],
    ids=["push", "poll"],
)
async def test_two_phones_keep_their_own_offsets(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    simulator: PhoneSimulator,
    entry_options: dict[str, Any],
    period: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two phones: two stable slots; each is read on its own, once an interval."""
    other_sim = PhoneSimulator(SimulatorConfig(mac=OTHER_MAC.upper()))
    await other_sim.start(host="127.0.0.1", port=0)
    try:
        other = MockConfigEntry(
            domain=DOMAIN,
            title="GRP2614 Bob",
            unique_id=OTHER_MAC,
            entry_id=OTHER_ENTRY_ID,
            version=1,
            minor_version=3,
            options=entry_options,
            data={
                CONF_HOST: "127.0.0.1",
                CONF_PORT: other_sim.port,
                CONF_SSL: False,
                CONF_VERIFY_SSL: False,
                CONF_USERNAME: "admin",
                CONF_PASSWORD: PASSCODE,
                CONF_WEBHOOK_ID: "f" * 64,
                CONF_MAC_SOURCE: "phone",
            },
        )
        entries = [mock_config_entry, other]
        for entry in entries:
            entry.add_to_hass(hass)
            assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)
        coordinators = [entry.runtime_data.coordinator for entry in entries]
        assert {c.push_trusted for c in coordinators} == {period == 50}
        slots = [c.schedule.slot * period for c in coordinators]
        assert slots[0] != slots[1]
        assert all(0 <= slot < period for slot in slots)
        # The coordinators' wall clock, moved by the test: each phone is read
        # when its timer fires, as Home Assistant fires it.
        clock = _WallClock(dt_util.utcnow().timestamp())
        monkeypatch.setattr(coordinator_module, "dt_util", clock)
        due = [clock.now + period, clock.now + period]
        waits: list[list[float]] = [[], []]
        for step in range(16):
            index = min((0, 1), key=lambda i: due[i])
            coordinator = coordinators[index]
            clock.now = due[index] + TIMER_ROUNDING[step % len(TIMER_ROUNDING)]
            await coordinator.async_refresh()
            assert coordinator.last_update_success
            assert coordinator.update_interval is not None
            wait = coordinator.update_interval.total_seconds()
            waits[index].append(wait)
            due[index] = clock.now + wait
            if len(waits[index]) > CONVERGE:
                # On its slot: the phone's own place in the interval ...
                assert _circular(due[index] % period, slots[index], period) < 1.0
        for index in (0, 1):
            # ... one read per interval, whatever the timer's rounding.
            steady = waits[index][CONVERGE:]
            assert len(steady) >= 4
            assert all(period - 1 <= wait <= period + 1 for wait in steady), (
                index,
                waits[index],
            )
        assert {c.push_trusted for c in coordinators} == {period == 50}
        monkeypatch.undo()
        for entry in entries:
            assert await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)
    finally:
        await other_sim.stop()
    assert other_sim.tripwires == []


# Reads a phone may take from anywhere to its slot (half an interval, then
# the slot; or straight there).
CONVERGE = 2
# DataUpdateCoordinator fires its timer at the loop's whole second plus its
# own fraction (0.05-0.5 s): up to 0.95 s early or 0.5 s late.
TIMER_ROUNDING = (-0.9, 0.3, -0.5, 0.45, -0.1, 0.0, -0.75)


class _WallClock:
    """`homeassistant.util.dt` with a wall clock the test moves (utcnow)."""

    def __init__(self, now: float) -> None:
        self.now = now

    def utcnow(self) -> datetime:
        return datetime.fromtimestamp(self.now, UTC)

    def __getattr__(self, name: str) -> Any:
        return getattr(dt_util, name)


def _circular(a: float, b: float, period: float) -> float:
    """Return the distance of two offsets within a period (seconds, wrapping)."""
    return min(abs(a - b) % period, period - abs(a - b) % period)
