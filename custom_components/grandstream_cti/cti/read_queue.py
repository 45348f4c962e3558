"""One phone's reads: one at a time, and shared by everyone who asks.

Whatever asks (the timer, a push, a command), one read runs and at most one
waits: whoever asks while a read waits shares it, and a waiting read that
another read (started after it was asked for) already answered sends nothing.
A burst (many asks sharing the waiting read: a flood of pushes) lets the
waiting read start only once the asks pause, a quarter second at most, so a
burst of thousands costs a handful of reads; a few asks never wait.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any, Final

type TaskStarter = Callable[[Coroutine[Any, Any, None]], asyncio.Task[None]]
type Sleeper = Callable[[float], Awaitable[None]]

# Asks sharing one waiting read that make a burst (a call pushes two or three).
BURST_ASKS: Final = 10
# A burst's read starts after a pause this long without a new ask...
BURST_QUIET: Final = 0.05
# ...or after this many such waits, asks or not (a quarter second).
BURST_MAX_WAITS: Final = 5


class ReadQueue:
    """Serializes and coalesces one phone's reads."""

    def __init__(self, start_task: TaskStarter, sleep: Sleeper = asyncio.sleep) -> None:
        """Start idle; start_task runs a read in the background (tracked)."""
        self._start_task = start_task
        self._sleep = sleep
        self._lock = asyncio.Lock()
        self._started = 0
        self._waiting: asyncio.Future[None] | None = None
        # Asks the waiting read answers.
        self._asks = 0
        self._runs: set[asyncio.Task[None]] = set()

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[bool]:
        """Hold the phone for one read.

        Yields False when a read that started after this one was asked for
        has already answered it: nothing needs sending.
        """
        ticket = self._started
        async with self._lock:
            if self._started > ticket:
                yield False
                return
            self._started += 1
            yield True

    async def ask(self, read: Callable[[], Awaitable[None]]) -> None:
        """Have the phone read once more; share the read with whoever asks meanwhile."""
        waiting = self._waiting
        if waiting is None:
            waiting = self._waiting = asyncio.get_running_loop().create_future()
            self._asks = 0
            task = self._start_task(self._run(read, waiting))
            self._runs.add(task)
            task.add_done_callback(self._runs.discard)
        self._asks += 1
        await asyncio.shield(waiting)

    async def _run(
        self, read: Callable[[], Awaitable[None]], waiting: asyncio.Future[None]
    ) -> None:
        try:
            # Whoever asks from the moment this read may start waits for the next.
            async with self._lock:
                await self._burst_pause()
                if self._waiting is waiting:
                    self._waiting = None
            await read()
        finally:
            if self._waiting is waiting:
                self._waiting = None
            if not waiting.done():
                waiting.set_result(None)

    async def _burst_pause(self) -> None:
        """In a burst, wait for the asks to pause: they all share this read."""
        if self._asks < BURST_ASKS:
            return
        for _ in range(BURST_MAX_WAITS):
            asks = self._asks
            await self._sleep(BURST_QUIET)
            if self._asks == asks:
                return

    async def idle(self) -> None:
        """Wait until no asked-for read is waiting or running (for tests)."""
        while self._runs:
            await asyncio.gather(*self._runs, return_exceptions=True)
