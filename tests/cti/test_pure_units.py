"""The client library's pure pieces, without a phone or a network.

The read policy (`ReadSchedule`), the read queue (`ReadQueue`), the stored
API (`PhoneApi`), handset setting values, addresses and the Action URL slot
plan: each tested through what it promises, not how it keeps its state.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
import functools
import socket
from typing import Any
from unittest.mock import patch

import aiohttp
import pytest

from custom_components.grandstream_cti.cti import (
    SETTING_CHOICES,
    SETTING_RANGES,
    ApiKind,
    ConfigValue,
    GrandstreamCTIClient,
    LoginVariant,
    PhoneApi,
    ReadQueue,
    ReadSchedule,
    Setting,
    is_loopback,
    normalize_host,
    normalize_mac,
    plan_action_url_slots,
    resolve_host,
    setting_value,
    setting_wire,
)
from custom_components.grandstream_cti.cti.read_queue import (
    BURST_ASKS,
    BURST_MAX_WAITS,
    BURST_QUIET,
)
from custom_components.grandstream_cti.cti.schedule import TIMER_EARLY

# --------------------------------------------------------------- ReadSchedule

KEYS = [f"01JGSCTI{n:018d}" for n in range(200)]


def lands_on_slot(schedule: ReadSchedule, at: float, period: float) -> bool:
    """Return True when the time `at` is this phone's slot within the period."""
    offset = (at / period - schedule.slot) % 1
    # Timestamps near 1.7e9 s leave about 1e-7 of a period of precision.
    return min(offset, 1 - offset) < 1e-6


def test_slot_is_stable_per_phone_and_within_the_interval() -> None:
    slots = [ReadSchedule.for_phone(key).slot for key in KEYS]
    assert slots == [ReadSchedule.for_phone(key).slot for key in KEYS]
    assert all(0 <= slot < 1 for slot in slots)
    # Phones spread over the interval instead of sharing a second.
    assert len(set(slots)) == len(KEYS)
    assert min(slots) < 0.1
    assert max(slots) > 0.9


def test_for_phone_starts_with_a_full_read() -> None:
    schedule = ReadSchedule.for_phone("entry")
    assert schedule.full_due(asked=True, push=True)


@pytest.mark.parametrize(("push", "period"), [(False, 10.0), (True, 50.0)])
@pytest.mark.parametrize("key", ["a", "b", "entry-3", "01JGSCTI0000000000000000AA"])
def test_next_wait_lands_on_the_slot(push: bool, period: float, key: str) -> None:
    """At least half a period away, at most one (and a timer's early firing).

    A read that waits half a period because its slot is closer than that is
    followed by one on the slot: a heartbeat never lets the session idle out.
    """
    schedule = ReadSchedule.for_phone(key)
    for step in range(400):
        now = 1_700_000_000 + step * 0.37
        wait = schedule.next_wait(now, push=push)
        assert period / 2 <= wait <= period + TIMER_EARLY + 1e-6
        if lands_on_slot(schedule, now + wait, period):
            continue
        assert wait == period / 2
        after = schedule.next_wait(now + wait, push=push)
        assert period / 2 <= after <= period
        assert lands_on_slot(schedule, now + wait + after, period)


@pytest.mark.parametrize(("push", "period"), [(False, 10.0), (True, 50.0)])
def test_next_wait_from_the_slot_itself(push: bool, period: float) -> None:
    """A read that ends on its slot waits a whole period; just after it, too."""
    schedule = ReadSchedule(slot=0.25)
    on_slot = 1000 * period + 0.25 * period
    assert schedule.next_wait(on_slot, push=push) == pytest.approx(period)
    assert schedule.next_wait(on_slot + 0.001, push=push) == pytest.approx(
        period - 0.001
    )
    # Exactly half a period away is far enough.
    assert schedule.next_wait(on_slot - period / 2, push=push) == period / 2
    # A timer that fired a little early reads on this slot: the next is the one after.
    assert schedule.next_wait(on_slot - 0.9, push=push) == pytest.approx(period + 0.9)
    # Closer than half a period, but more than a timer's error: half a period.
    assert schedule.next_wait(on_slot - TIMER_EARLY - 1, push=push) == period / 2
    # The interval, not the heartbeat, without push (and the other way round).
    other = 50.0 if period == 10.0 else 10.0
    other_slot = 1000 * other + 0.25 * other
    assert schedule.next_wait(other_slot + 0.001, push=not push) == pytest.approx(
        other - 0.001
    )


def run_reads(schedule: ReadSchedule, count: int, *, push: bool) -> list[bool]:
    """Return whether each of count timer reads (all succeeding) was full."""
    fulls = []
    for _ in range(count):
        full = schedule.full_due(asked=False, push=push)
        assert not schedule.succeeded(full=full)
        fulls.append(full)
    return fulls


def test_full_read_every_third_read_without_push() -> None:
    fulls = run_reads(ReadSchedule(slot=0.5), 10, push=False)
    assert fulls == [True, False, False] * 3 + [True]


def test_full_read_every_tenth_heartbeat_with_push() -> None:
    fulls = run_reads(ReadSchedule(slot=0.5), 21, push=True)
    assert fulls == ([True] + [False] * 9) * 2 + [True]


def test_an_asked_read_is_not_full_by_count() -> None:
    """A push or command reads the lines alone, however long since a full read."""
    schedule = ReadSchedule(slot=0.5)
    run_reads(schedule, 1, push=False)
    for _ in range(10):
        full = schedule.full_due(asked=True, push=False)
        assert not full
        schedule.succeeded(full=full)
    # The timer's next read is full: it is overdue.
    assert schedule.full_due(asked=False, push=False)


def test_full_needed_makes_the_next_read_full_once() -> None:
    schedule = ReadSchedule(slot=0.5)
    run_reads(schedule, 1, push=True)
    schedule.full_needed = True
    assert schedule.full_due(asked=True, push=True)
    # Started: the read after it is not full again unless asked again.
    assert not schedule.full_due(asked=True, push=True)
    schedule.full_needed = True
    assert schedule.full_due(asked=False, push=False)
    assert not schedule.full_needed


def test_full_needed_during_a_read_asks_for_the_next() -> None:
    """A push while a full read runs still makes the next read full."""
    schedule = ReadSchedule(slot=0.5)
    full = schedule.full_due(asked=False, push=False)
    assert full
    schedule.full_needed = True  # a push arrives during that read
    schedule.succeeded(full=full)
    assert schedule.full_due(asked=True, push=True)


def test_failures_back_off_doubling_up_to_the_max() -> None:
    schedule = ReadSchedule(slot=0.5)
    assert [schedule.failed() for _ in range(5)] == [20.0, 40.0, 60.0, 60.0, 60.0]
    slow = ReadSchedule(slot=0.5, interval=3.0, max_backoff=100.0)
    assert [slow.failed() for _ in range(7)] == [6, 12, 24, 48, 96, 100, 100]


def test_a_failure_makes_the_next_read_full() -> None:
    schedule = ReadSchedule(slot=0.5)
    run_reads(schedule, 1, push=False)
    assert not schedule.full_needed
    schedule.failed()
    assert schedule.full_due(asked=True, push=True)


@pytest.mark.parametrize(("minutes", "wait"), [(1, 65), (5, 305), (30, 1805)])
def test_a_lock_waits_until_it_should_be_over(minutes: int, wait: float) -> None:
    schedule = ReadSchedule(slot=0.5)
    assert schedule.failed(lock_minutes=minutes) == wait
    # Twice in a row still the lock's time, not a back-off.
    assert schedule.failed(lock_minutes=minutes) == wait


def test_a_lock_without_minutes_backs_off() -> None:
    schedule = ReadSchedule(slot=0.5)
    assert schedule.failed(lock_minutes=None) == 20.0
    assert schedule.failed(lock_minutes=0) == 40.0


def test_succeeded_tells_whether_it_ended_an_outage() -> None:
    schedule = ReadSchedule(slot=0.5)
    assert not schedule.succeeded(full=True)
    schedule.failed()
    schedule.failed()
    assert schedule.succeeded(full=False)
    assert not schedule.succeeded(full=False)
    # The outage is over: the back-off starts from the beginning again.
    assert schedule.failed() == 20.0
    assert schedule.succeeded(full=True)


# ------------------------------------------------------------------ ReadQueue


class Pauses:
    """A burst's pauses, each over when the test ends it (no clock)."""

    def __init__(self) -> None:
        self.pending: list[asyncio.Future[None]] = []
        self.count = 0

    async def sleep(self, seconds: float) -> None:
        assert seconds == BURST_QUIET
        self.count += 1
        pause = asyncio.get_running_loop().create_future()
        self.pending.append(pause)
        await pause

    def end(self) -> None:
        self.pending.pop(0).set_result(None)


class Reads:
    """Reads through a ReadQueue the way the coordinator does: inside turn()."""

    def __init__(self) -> None:
        self.tasks: list[asyncio.Task[None]] = []
        self.pauses = Pauses()
        self.queue = ReadQueue(self._start, self.pauses.sleep)
        # Per read that held the phone: whether it was its turn.
        self.turns: list[bool] = []
        self.gates: list[asyncio.Event] = []
        self.fail_next: BaseException | None = None

    def _start(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.append(task)
        return task

    async def read(self) -> None:
        async with self.queue.turn() as mine:
            self.turns.append(mine)
            if not mine:
                return
            gate = asyncio.Event()
            self.gates.append(gate)
            await gate.wait()
            if (error := self.fail_next) is not None:
                self.fail_next = None
                raise error

    def ask(self) -> asyncio.Task[None]:
        return asyncio.get_running_loop().create_task(self.queue.ask(self.read))

    @property
    def running(self) -> int:
        """Return how many reads hold or held the phone so far."""
        return len(self.gates)


async def settle() -> None:
    """Let every ready task run until none is left to run."""
    for _ in range(20):
        await asyncio.sleep(0)


def bounded[**P](
    test: Callable[P, Coroutine[Any, Any, None]],
) -> Callable[P, Coroutine[Any, Any, None]]:
    """Fail a test of the queue that would hang (an asker never released)."""

    @functools.wraps(test)
    async def run(*args: P.args, **kwargs: P.kwargs) -> None:
        async with asyncio.timeout(5):
            await test(*args, **kwargs)

    return run


@bounded
async def test_one_read_runs_at_most_one_waits_shared_by_all() -> None:
    reads = Reads()
    first = reads.ask()
    await settle()
    assert reads.running == 1
    # Asked while the first runs: one read waits for them all.
    waiting = [reads.ask() for _ in range(3)]
    await settle()
    assert reads.running == 1
    assert not first.done()
    assert not any(task.done() for task in waiting)
    reads.gates[0].set()
    await settle()
    assert first.done()
    assert reads.running == 2
    # The second read answers those who asked before it started, not later.
    later = reads.ask()
    await settle()
    assert not any(task.done() for task in waiting)
    reads.gates[1].set()
    await settle()
    assert all(task.done() for task in waiting)
    assert not later.done()
    assert reads.running == 3
    reads.gates[2].set()
    await asyncio.gather(first, *waiting, later)
    await reads.queue.idle()
    # Five askers, three reads, each of which had its turn.
    assert reads.turns == [True, True, True]
    assert len(reads.tasks) == 3
    # A few askers are no burst: no read waited for a pause.
    assert reads.pauses.count == 0


@bounded
async def test_a_burst_read_starts_when_the_asks_pause() -> None:
    reads = Reads()
    first = reads.ask()
    await settle()
    burst = [reads.ask() for _ in range(BURST_ASKS)]
    reads.gates[0].set()
    await settle()
    # The running read is done; the burst's read waits for a pause.
    assert first.done()
    assert reads.running == 1
    assert reads.pauses.count == 1
    burst.append(reads.ask())  # asked meanwhile: shares it, waits again
    reads.pauses.end()
    await settle()
    assert reads.running == 1
    assert reads.pauses.count == 2
    reads.pauses.end()  # a pause without a new ask: the read starts
    await settle()
    assert reads.running == 2
    assert not any(task.done() for task in burst)
    reads.gates[1].set()
    await asyncio.gather(*burst)
    await reads.queue.idle()
    assert len(reads.tasks) == 2


@bounded
async def test_a_burst_that_never_pauses_waits_a_bounded_time() -> None:
    reads = Reads()
    first = reads.ask()
    await settle()
    burst = [reads.ask() for _ in range(BURST_ASKS)]
    reads.gates[0].set()
    await first
    for _ in range(BURST_MAX_WAITS):
        await settle()
        assert reads.running == 1
        burst.append(reads.ask())
        reads.pauses.end()
    await settle()
    # Asks never paused: the read starts all the same.
    assert reads.running == 2
    assert reads.pauses.count == BURST_MAX_WAITS
    reads.gates[1].set()
    await asyncio.gather(*burst)
    await reads.queue.idle()


@bounded
async def test_one_asker_alone_reads_once() -> None:
    reads = Reads()
    task = reads.ask()
    await settle()
    reads.gates[0].set()
    await task
    assert reads.turns == [True]
    # Nothing runs now: the next asker starts a read of its own.
    task = reads.ask()
    await settle()
    assert reads.running == 2
    reads.gates[1].set()
    await task
    await reads.queue.idle()


@bounded
async def test_a_turn_answered_by_a_later_read_sends_nothing() -> None:
    """A read (the timer's) waiting for its turn while one asked after it starts."""
    queue = ReadQueue(asyncio.get_running_loop().create_task)
    log: list[tuple[str, bool]] = []
    gate = asyncio.Event()

    async def hold(name: str, wait: asyncio.Event | None = None) -> None:
        async with queue.turn() as mine:
            log.append((name, mine))
            if wait is not None:
                await wait.wait()

    running = asyncio.create_task(hold("running", gate))
    await settle()
    # Both wait for the phone; "asked" queued first, so it starts first.
    asked = asyncio.create_task(hold("asked"))
    await settle()
    timer = asyncio.create_task(hold("timer"))
    await settle()
    assert log == [("running", True)]
    gate.set()
    await asyncio.gather(running, asked, timer)
    assert log == [("running", True), ("asked", True), ("timer", False)]
    # A turn asked for after everything ended is a turn of its own.
    await hold("next")
    assert log[-1] == ("next", True)


@bounded
async def test_turns_in_a_row_each_read() -> None:
    queue = ReadQueue(asyncio.get_running_loop().create_task)
    mine = []
    for _ in range(3):
        async with queue.turn() as turn:
            mine.append(turn)
    assert mine == [True, True, True]


@bounded
async def test_a_failing_read_still_answers_its_askers() -> None:
    """Askers are released, not raised at; the error stays with the read's task."""
    reads = Reads()
    reads.fail_next = RuntimeError("phone gone")
    askers = [reads.ask() for _ in range(2)]
    await settle()
    assert reads.running == 1
    reads.gates[0].set()
    await asyncio.gather(*askers)
    await reads.queue.idle()
    (task,) = reads.tasks
    assert isinstance(task.exception(), RuntimeError)
    # The queue is not stuck: the next asker gets a read of its own.
    again = reads.ask()
    await settle()
    assert reads.running == 2
    reads.gates[1].set()
    await again
    await reads.queue.idle()
    assert reads.tasks[1].exception() is None


@bounded
async def test_a_failing_read_releases_the_read_waiting_behind_it() -> None:
    reads = Reads()
    reads.fail_next = RuntimeError("phone gone")
    first = reads.ask()
    await settle()
    second = reads.ask()
    await settle()
    reads.gates[0].set()
    await first
    await settle()
    assert reads.running == 2
    assert not second.done()
    reads.gates[1].set()
    await second
    await reads.queue.idle()


@bounded
async def test_a_cancelled_asker_does_not_cancel_the_shared_read() -> None:
    reads = Reads()
    first = reads.ask()
    await settle()
    gone, stays = reads.ask(), reads.ask()
    await settle()
    gone.cancel()
    with pytest.raises(asyncio.CancelledError):
        await gone
    reads.gates[0].set()
    await first
    await settle()
    assert reads.running == 2
    reads.gates[1].set()
    await stays
    await reads.queue.idle()
    assert reads.turns == [True, True]
    assert all(task.exception() is None for task in reads.tasks)


@bounded
async def test_idle_waits_for_the_reads_asked_for() -> None:
    reads = Reads()
    await asyncio.wait_for(reads.queue.idle(), 1)  # nothing runs
    asker = reads.ask()
    await settle()
    behind = reads.ask()
    await settle()
    idle = asyncio.create_task(reads.queue.idle())
    await settle()
    assert not idle.done()
    reads.gates[0].set()
    await settle()
    # The read that waited runs now: still not idle.
    assert reads.running == 2
    assert not idle.done()
    reads.fail_next = RuntimeError("phone gone")
    reads.gates[1].set()
    # A failed read ends the wait as well, without raising.
    await idle
    await asyncio.gather(asker, behind)
    assert all(task.done() for task in reads.tasks)
    assert isinstance(reads.tasks[1].exception(), RuntimeError)


@bounded
async def test_a_cancelled_read_still_answers_its_askers() -> None:
    """A read cancelled while it waits for the phone (an unload) strands nobody."""
    reads = Reads()
    first = reads.ask()
    await settle()
    behind = [reads.ask(), reads.ask()]
    await settle()
    assert len(reads.tasks) == 2
    reads.tasks[1].cancel()
    await asyncio.gather(*behind)
    assert reads.tasks[1].cancelled()
    # The running read goes on; the next asker gets a read of its own.
    again = reads.ask()
    await settle()
    assert len(reads.tasks) == 3
    reads.gates[0].set()
    await first
    await settle()
    assert reads.running == 2
    reads.gates[1].set()
    await again
    await reads.queue.idle()
    assert reads.turns == [True, True]


# ------------------------------------------------------------------- PhoneApi


@pytest.mark.parametrize(
    ("api", "data"),
    [
        (PhoneApi(ApiKind.PASSCODE), {"api": "passcode", "login": None}),
        (
            PhoneApi(ApiKind.SESSION, LoginVariant.CHALLENGE),
            {"api": "session", "login": "challenge"},
        ),
        (
            PhoneApi(ApiKind.SESSION, LoginVariant.PLAIN),
            {"api": "session", "login": "plain"},
        ),
    ],
)
def test_phone_api_round_trip(api: PhoneApi, data: dict[str, str | None]) -> None:
    assert api.as_data() == data
    assert PhoneApi.from_data(data) == api
    # Stored among an entry's other settings.
    assert PhoneApi.from_data({"host": "192.0.2.1", "password": "x", **data}) == api


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"api": None},
        {"api": ""},
        {"api": "telnet"},
        {"api": "SESSION", "login": "challenge"},
        {"login": "challenge"},
        {"api": "session", "login": "digest"},
    ],
)
def test_phone_api_from_data_without_a_known_api(data: dict[str, Any]) -> None:
    assert PhoneApi.from_data(data) is None


@pytest.mark.parametrize("login", ["challenge", "plain", "digest"])
def test_phone_api_passcode_ignores_a_login(login: str) -> None:
    assert PhoneApi.from_data({"api": "passcode", "login": login}) == PhoneApi(
        ApiKind.PASSCODE
    )


def test_phone_api_session_without_a_login() -> None:
    api = PhoneApi.from_data({"api": "session"})
    assert api == PhoneApi(ApiKind.SESSION)
    assert api.as_data() == {"api": "session", "login": None}


# ------------------------------------------------------------------- settings


@pytest.mark.parametrize(
    ("setting", "value", "wire"),
    [
        (Setting.RING_VOLUME, 0, "0"),
        (Setting.RING_VOLUME, 10, "10"),
        (Setting.RING_VOLUME, 7.0, "7"),
        (Setting.RING_VOLUME, " 3 ", "3"),
        (Setting.LCD_BRIGHTNESS, 10.0, "10"),
        (Setting.LCD_BRIGHTNESS, 100, "100"),
        (Setting.LCD_BRIGHTNESS, "40", "40"),
        (Setting.BACKLIGHT_TIMEOUT, "60", "60"),
        (Setting.BACKLIGHT_TIMEOUT, "1_min", "60"),
        (Setting.BACKLIGHT_TIMEOUT, "never", "0"),
        (Setting.BACKLIGHT_TIMEOUT, 0, "0"),
        (Setting.BACKLIGHT_TIMEOUT, 1800.0, "1800"),
        (Setting.KEYPAD_BACKLIGHT, "auto", "2"),
        (Setting.KEYPAD_BACKLIGHT, "1", "1"),
        (Setting.KEYPAD_BACKLIGHT, " off ", "0"),
    ],
)
def test_setting_wire_accepts(setting: Setting, value: float | str, wire: str) -> None:
    assert setting_wire(setting, value) == wire


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        (Setting.RING_VOLUME, 3.5),
        (Setting.RING_VOLUME, 0.1),
        (Setting.RING_VOLUME, 11),
        (Setting.RING_VOLUME, -1),
        (Setting.RING_VOLUME, "-1"),
        (Setting.RING_VOLUME, "3.0"),
        (Setting.RING_VOLUME, ""),
        (Setting.RING_VOLUME, "loud"),
        (Setting.LCD_BRIGHTNESS, 0),
        (Setting.LCD_BRIGHTNESS, 5),
        (Setting.LCD_BRIGHTNESS, 55),
        (Setting.LCD_BRIGHTNESS, 110),
        (Setting.LCD_BRIGHTNESS, 45.0),
        (Setting.BACKLIGHT_TIMEOUT, "45"),
        (Setting.BACKLIGHT_TIMEOUT, 45),
        (Setting.BACKLIGHT_TIMEOUT, "1 min"),
        (Setting.BACKLIGHT_TIMEOUT, 60.5),
        (Setting.KEYPAD_BACKLIGHT, "3"),
        (Setting.KEYPAD_BACKLIGHT, "blink"),
        (Setting.KEYPAD_BACKLIGHT, "AUTO"),
    ],
)
def test_setting_wire_refuses(setting: Setting, value: float | str) -> None:
    assert setting_wire(setting, value) is None


@pytest.mark.parametrize("setting", list(SETTING_RANGES))
def test_setting_ranges_every_step(setting: Setting) -> None:
    low, high, step = SETTING_RANGES[setting]
    for number in range(low - step, high + 2 * step):
        expected = (
            number if low <= number <= high and (number - low) % step == 0 else None
        )
        assert setting_value(setting, str(number)) == expected
        assert setting_wire(setting, number) == (
            None if expected is None else str(number)
        )


@pytest.mark.parametrize("setting", list(SETTING_CHOICES))
def test_setting_choices_both_ways(setting: Setting) -> None:
    for wire, name in SETTING_CHOICES[setting].items():
        assert setting_value(setting, wire) == name
        assert setting_value(setting, f" {wire}\n") == name
        assert setting_wire(setting, name) == wire
        assert setting_wire(setting, wire) == wire
        # A name is not what the phone answers.
        assert setting_value(setting, name) is None


@pytest.mark.parametrize(
    ("setting", "raw"),
    [
        (Setting.RING_VOLUME, ""),
        (Setting.RING_VOLUME, "abc"),
        (Setting.RING_VOLUME, "+5"),
        (Setting.LCD_BRIGHTNESS, "95"),
        (Setting.BACKLIGHT_TIMEOUT, "5"),
        (Setting.KEYPAD_BACKLIGHT, ""),
    ],
)
def test_setting_value_unknown(setting: Setting, raw: str) -> None:
    assert setting_value(setting, raw) is None


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        (Setting.RING_VOLUME, 3.5),
        (Setting.LCD_BRIGHTNESS, 55),
        (Setting.KEYPAD_BACKLIGHT, "x"),
    ],
)
async def test_the_client_refuses_a_bad_setting_before_sending(
    setting: Setting, value: float | str
) -> None:
    """The client writes only what setting_wire takes; nothing is sent otherwise."""
    async with aiohttp.ClientSession() as session:
        client = GrandstreamCTIClient(
            "192.0.2.10",
            "secret",
            session=session,
            api=PhoneApi(ApiKind.SESSION, LoginVariant.CHALLENGE),
        )
        with pytest.raises(ValueError, match=setting.name):
            await client.set_setting(setting, value)
        assert client.stopped is None


# ------------------------------------------------------------------ addresses


@pytest.mark.parametrize(
    "raw",
    [
        "00:0b:82:12:34:56",
        "00:0B:82:12:34:56",
        "00-0b-82-12-34-56",
        "000b.8212.3456",
        "000B82123456",
        " 00:0b:82:12:34:56\n",
    ],
)
def test_normalize_mac(raw: str) -> None:
    assert normalize_mac(raw) == "00:0b:82:12:34:56"


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "   ",
        "00:00:00:00:00:00",
        "FF:FF:FF:FF:FF:FF",
        "00:0b:82:12:34",
        "00:0b:82:12:34:56:78",
        "00:0b:82:12:34:5g",
        "00_0b_82_12_34_56",
        "phone",
    ],
)
def test_normalize_mac_no_mac(raw: str | None) -> None:
    assert normalize_mac(raw) is None


@pytest.mark.parametrize(
    ("raw", "host"),
    [
        ("192.0.2.10", "192.0.2.10"),
        (" 192.0.2.10 ", "192.0.2.10"),
        ("Phone.Example", "phone.example"),
        (" phone.example ", "phone.example"),
        ("[fe80::1]", "fe80::1"),
        ("[ FE80::1 ]", "fe80::1"),
        ("2001:DB8:0:0:0:0:0:0001", "2001:db8::1"),
        ("[2001:db8::1]", "2001:db8::1"),
        ("::ffff:192.0.2.10", "192.0.2.10"),
        ("[::FFFF:C000:020A]", "192.0.2.10"),
        ("::1", "::1"),
    ],
)
def test_normalize_host(raw: str, host: str) -> None:
    assert normalize_host(raw) == host
    assert normalize_host(host) == host


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("::1", True),
        ("[::1]", True),
        ("::ffff:127.0.0.1", True),
        ("192.0.2.10", False),
        ("::ffff:192.0.2.10", False),
        ("fe80::1", False),
        ("phone.example", False),
        ("localhost.example", False),
        ("", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


async def test_resolve_an_address_is_that_address() -> None:
    """No lookup for an address, however written."""
    loop = asyncio.get_running_loop()
    with patch.object(loop, "getaddrinfo", side_effect=AssertionError("looked up")):
        assert await resolve_host("192.0.2.10") == {"192.0.2.10"}
        assert await resolve_host("[::FFFF:192.0.2.10]") == {"192.0.2.10"}
        assert await resolve_host(" [2001:DB8::1] ") == {"2001:db8::1"}


async def test_resolve_localhost() -> None:
    addresses = await resolve_host("localhost")
    assert "localhost" in addresses
    assert addresses & {"127.0.0.1", "::1"}
    assert all(address == address.lower().strip("[]") for address in addresses)


async def test_resolve_a_name_normalizes_its_addresses() -> None:
    """Scoped IPv6, IPv4-mapped and plain IPv4 answers, in one spelling each."""
    answers = [
        (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("FE80::1%eth0", 80, 0, 2)),
        (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("::ffff:192.0.2.10", 80, 0, 0)),
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("192.0.2.11", 80)),
    ]
    loop = asyncio.get_running_loop()
    with patch.object(loop, "getaddrinfo", return_value=answers) as lookup:
        addresses = await resolve_host(" Phone.Example ")
    assert addresses == {"phone.example", "fe80::1", "192.0.2.10", "192.0.2.11"}
    assert lookup.call_args.args[0] == "phone.example"


@pytest.mark.parametrize(
    "error", [socket.gaierror(socket.EAI_NONAME, "not known"), OSError("no network")]
)
async def test_resolve_an_unresolvable_name(error: OSError) -> None:
    """A name that does not resolve stands for itself; nothing is raised."""
    loop = asyncio.get_running_loop()
    with patch.object(loop, "getaddrinfo", side_effect=error):
        assert await resolve_host("Phone.Invalid") == {"phone.invalid"}


# ------------------------------------------------------------ Action URL slots

OURS = "http://ha.local/api/webhook/"


def is_ours(value: str) -> bool:
    return value.startswith(OURS)


def plan(
    current: dict[str, ConfigValue], wanted: dict[str, str]
) -> tuple[dict[str, str], tuple[str, ...], tuple[str, ...]]:
    result = plan_action_url_slots(current, wanted, is_ours)
    return result.write, result.taken, result.missing


def test_slots_free_ours_taken_missing() -> None:
    current = {
        "8310": ConfigValue("", alias="action_url.incoming"),  # free
        "8311": ConfigValue(f"{OURS}old?event=outgoing_call"),  # ours (stale)
        "8312": ConfigValue("http://pbx.example/notify", alias="x"),  # taken
        "8313": ConfigValue("  ", alias="x"),  # blank: free
        "8314": ConfigValue("", answered=True),  # api.values.get answered it
        "8315": ConfigValue(""),  # no alias, no value: the phone lacks it
        "8316": ConfigValue("http://alarm.example/", answered=True),  # taken
    }
    wanted = {key: f"{OURS}new?k={key}" for key in [*current, "8317"]}
    write, taken, missing = plan(current, wanted)
    assert write == {key: wanted[key] for key in ("8310", "8311", "8313", "8314")}
    assert taken == ("8312", "8316")
    # In the order asked; a key the phone did not answer at all is missing too.
    assert missing == ("8315", "8317")


def test_slots_taken_are_sorted_and_left_alone() -> None:
    current = {
        key: ConfigValue("http://other.example/", alias="a")
        for key in ("8329", "8305", "8316")
    }
    wanted = dict.fromkeys(("8329", "8305", "8316"), f"{OURS}x")
    assert plan(current, wanted) == ({}, ("8305", "8316", "8329"), ())


def test_slots_nothing_wanted() -> None:
    assert plan({"8310": ConfigValue("x", alias="a")}, {}) == ({}, (), ())


def test_slots_ours_decides_what_is_ours() -> None:
    """The same value is ours for one caller and another system's for the next."""
    current = {"8310": ConfigValue("http://ha.local/hook", alias="a")}
    wanted = {"8310": "http://ha.local/hook?event=incoming_call"}
    assert plan_action_url_slots(current, wanted, lambda _: True).write == wanted
    taken = plan_action_url_slots(current, wanted, lambda _: False)
    assert taken.write == {}
    assert taken.taken == ("8310",)


@pytest.mark.parametrize(
    "host", ["LOCALHOST", "LocalHost", " localhost ", "[localhost]", "[::1] "]
)
def test_is_loopback_normalises_before_comparing(host: str) -> None:
    """Host names are case-insensitive: `LOCALHOST` is this machine too."""
    assert is_loopback(host) is True
