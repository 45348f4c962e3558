"""The simulator's clock: wall time plus an offset that tests move forward.

Everything that waits in the simulator (connect delay, reboot, pop-up
timeout, latency fault, offline period, session idle expiry, login lockout)
reads this clock or schedules on it. `advance(seconds)` jumps it forward and
fires, in order, every timer that became due, so tests never wait for real
time to pass. A manual clock stands still until advanced.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
import itertools
import time


@dataclass(eq=False)
class Timer:
    """A callback due at `deadline` (simulator time); `cancel()` stops it."""

    deadline: float
    order: int
    callback: Callable[[], None]
    handle: asyncio.TimerHandle | None = field(default=None, repr=False)
    done: bool = False

    def cancel(self) -> None:
        """Forget the timer (it will not fire)."""
        self.done = True
        if self.handle is not None:
            self.handle.cancel()
            self.handle = None


class SimClock:
    """Monotonic time plus an offset; timers fire on real time or on `advance`."""

    def __init__(
        self, base: Callable[[], float] = time.monotonic, *, real_timers: bool = True
    ) -> None:
        """Follow `base`; with real_timers False, timers fire only on `advance`."""
        self._base = base
        self._real_timers = real_timers
        self.offset = 0.0
        self._timers: list[Timer] = []
        self._order = itertools.count()

    @classmethod
    def manual(cls, start: float = 1000.0) -> SimClock:
        """Return a clock that stands still until advanced."""
        return cls(lambda: start, real_timers=False)

    def now(self) -> float:
        """Return the simulator time in seconds."""
        return self._base() + self.offset

    def __call__(self) -> float:
        """Return the simulator time (so the clock is a plain time function)."""
        return self.now()

    @property
    def pending(self) -> int:
        """Return how many timers wait to fire."""
        return sum(not timer.done for timer in self._timers)

    def call_later(self, delay: float, callback: Callable[[], None]) -> Timer:
        """Run `callback` after `delay` seconds of simulator time."""
        timer = Timer(self.now() + max(delay, 0.0), next(self._order), callback)
        if len(self._timers) > 64:  # drop fired and cancelled ones now and then
            self._timers = [old for old in self._timers if not old.done]
        self._timers.append(timer)
        if self._real_timers:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                pass  # no loop (plain unit test): only `advance` fires it
            else:
                timer.handle = loop.call_later(
                    max(delay, 0.0), lambda: self._fire(timer)
                )
        return timer

    def advance(self, seconds: float) -> None:
        """Move the clock forward, firing due timers in order, each at its deadline.

        A callback reads its own deadline as "now" and may schedule more
        timers; those due before the end of the jump fire too.
        """
        if seconds < 0:
            raise ValueError("The clock only moves forward")
        final = self.offset + seconds  # the offset grows by exactly `seconds`
        while (timer := self._next_due(self._base() + final)) is not None:
            self.offset = max(self.offset, timer.deadline - self._base())
            self._fire(timer)
        self.offset = max(self.offset, final)
        self._timers = [timer for timer in self._timers if not timer.done]

    def _next_due(self, limit: float) -> Timer | None:
        due = [t for t in self._timers if not t.done and t.deadline <= limit]
        return min(due, key=lambda t: (t.deadline, t.order)) if due else None

    def cancel_all(self) -> None:
        """Cancel every timer (the simulator stops)."""
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()

    def _fire(self, timer: Timer) -> None:
        if timer.done:
            return
        timer.done = True
        if timer.handle is not None:
            timer.handle.cancel()
            timer.handle = None
        timer.callback()
