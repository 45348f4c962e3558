"""SimClock: time jumps forward on demand and fires due timers in order."""

from __future__ import annotations

import asyncio

import pytest

from simulator import SimClock


def test_manual_clock_fires_in_deadline_order() -> None:
    clock = SimClock.manual(10.0)
    fired: list[str] = []
    clock.call_later(5, lambda: fired.append("b"))
    clock.call_later(1, lambda: fired.append("a"))
    cancelled = clock.call_later(2, lambda: fired.append("never"))
    cancelled.cancel()
    assert clock.now() == 10.0
    assert clock.pending == 2
    clock.advance(0.5)
    assert fired == []
    clock.advance(4.5)
    assert fired == ["a", "b"]
    assert clock.now() == 15.0
    assert clock.pending == 0
    with pytest.raises(ValueError, match="forward"):
        clock.advance(-1)


def test_timers_scheduled_by_timers_fire_when_due() -> None:
    clock = SimClock.manual()
    fired: list[float] = []

    def first() -> None:
        fired.append(clock.now())
        clock.call_later(1, lambda: fired.append(clock.now()))
        clock.call_later(10, lambda: fired.append(-1))

    clock.call_later(1, first)
    clock.advance(3)
    assert fired == [1001.0, 1002.0]
    clock.cancel_all()
    clock.advance(20)
    assert fired == [1001.0, 1002.0]


def test_clock_is_a_time_function() -> None:
    now = [50.0]
    clock = SimClock(lambda: now[0])
    assert clock() == 50.0
    now[0] = 51.0
    clock.advance(2)
    assert clock() == 53.0
    assert clock.offset == 2


async def test_real_timers_also_fire_on_the_loop() -> None:
    clock = SimClock()
    done = asyncio.Event()
    clock.call_later(0, done.set)
    await asyncio.wait_for(done.wait(), 30)
    assert clock.pending == 0
    # Advanced past its deadline, a real timer fires at once, only once.
    count: list[int] = []
    clock.call_later(3600, lambda: count.append(1))
    clock.advance(3600)
    assert count == [1]
