"""One phone's reads: one at a time, and shared by everyone who asks.

Whatever asks (the timer, a push, a command), one read runs and at most one
waits: whoever asks while a read waits shares it, and a waiting read that
another read (started after it was asked for) already answered sends nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

type TaskStarter = Callable[[Coroutine[Any, Any, None]], asyncio.Task[None]]


class ReadQueue:
    """Serializes and coalesces one phone's reads."""

    def __init__(self, start_task: TaskStarter) -> None:
        """Start idle; start_task runs a read in the background (tracked)."""
        self._start_task = start_task
        self._lock = asyncio.Lock()
        self._started = 0
        self._waiting: asyncio.Future[None] | None = None
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
            task = self._start_task(self._run(read, waiting))
            self._runs.add(task)
            task.add_done_callback(self._runs.discard)
        await asyncio.shield(waiting)

    async def _run(
        self, read: Callable[[], Awaitable[None]], waiting: asyncio.Future[None]
    ) -> None:
        try:
            # Whoever asks from the moment this read may start waits for the next.
            async with self._lock:
                if self._waiting is waiting:
                    self._waiting = None
            await read()
        finally:
            if self._waiting is waiting:
                self._waiting = None
            if not waiting.done():
                waiting.set_result(None)

    async def idle(self) -> None:
        """Wait until no asked-for read is waiting or running (for tests)."""
        while self._runs:
            await asyncio.gather(*self._runs, return_exceptions=True)
