"""The "Remote Control Pop up Window": passcode commands wait for OK on the phone."""

from __future__ import annotations

import asyncio
from collections import deque
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .activity import Activity
    from .clock import SimClock
    from .config import SimulatorConfig


def _settle(future: asyncio.Future[bool], value: bool) -> None:
    if not future.done():
        future.set_result(value)


class Popup:
    """Commands waiting for a press on the pop-up (timeout on the simulator clock)."""

    def __init__(
        self, clock: SimClock, config: SimulatorConfig, activity: Activity
    ) -> None:
        """Start with nothing shown; `config.popup_timeout` is read per pop-up."""
        self.clock = clock
        self.config = config
        self.activity = activity
        self._waiting: deque[asyncio.Future[bool]] = deque()

    async def wait(self) -> bool:
        """Wait for OK (`confirm`); False on Cancel, timeout or stop."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        timer = self.clock.call_later(
            self.config.popup_timeout, lambda: _settle(future, False)
        )
        self._waiting.append(future)
        self.activity.notify()
        try:
            return await future
        finally:
            timer.cancel()
            if future in self._waiting:
                self._waiting.remove(future)

    def confirm(self, accept: bool = True) -> bool:
        """Press OK (or Cancel) on the oldest pop-up; False if none is shown."""
        while self._waiting:
            future = self._waiting.popleft()
            if not future.done():
                future.set_result(accept)
                return True
        return False

    @property
    def pending(self) -> int:
        """Return how many commands wait for the pop-up."""
        return sum(not future.done() for future in self._waiting)

    def stop(self) -> None:
        """Cancel every pop-up (the simulator stops)."""
        while self._waiting:
            _settle(self._waiting.popleft(), False)
