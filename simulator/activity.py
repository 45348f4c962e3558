"""What the phone did, for tests: a wake-up signal and the request log."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import logging
from typing import Any, Final

_LOGGER = logging.getLogger(__name__)
WAIT_TIMEOUT: Final = 30.0


class Activity:
    """Wakes `wait_until` callers whenever the phone acts (no polling)."""

    def __init__(self) -> None:
        """Start with nobody waiting."""
        self._watchers: list[asyncio.Future[None]] = []

    def notify(self) -> None:
        """Wake every waiter (something happened)."""
        watchers, self._watchers = self._watchers, []
        for future in watchers:
            if not future.done():
                future.set_result(None)

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float = WAIT_TIMEOUT,  # noqa: ASYNC109 - a safety net, not timing
    ) -> None:
        """Wait until `predicate()` holds, re-checking whenever the phone acts."""
        async with asyncio.timeout(timeout):
            while not predicate():
                future: asyncio.Future[None] = (
                    asyncio.get_running_loop().create_future()
                )
                self._watchers.append(future)
                await future


class RequestLog:
    """Every `/cgi-bin` request (secrets removed) and every tripwire hit."""

    def __init__(self, activity: Activity) -> None:
        """Start empty; each record wakes `activity`'s waiters."""
        self.activity = activity
        self.requests: list[dict[str, Any]] = []
        self.tripwires: list[dict[str, str]] = []

    def log(self, function: str, params: dict[str, str], method: str) -> dict[str, Any]:
        """Record one request (secrets already removed); return its entry."""
        entry: dict[str, Any] = {
            "function": function,
            "params": params,
            "method": method,
            "auth": "none",
        }
        self.requests.append(entry)
        self.activity.notify()
        return entry

    def record_tripwire(self, hit: dict[str, str]) -> None:
        """Record a call that must never happen (see tripwires.py)."""
        _LOGGER.warning("Tripwire: %s", hit)
        self.tripwires.append(hit)
        self.activity.notify()
