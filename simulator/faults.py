"""Transport faults of the phone-side API (`/sim/fault`) and its absences.

The phone is away while it reboots or while the `offline` fault lasts: every
`/cgi-bin` connection is then closed without an answer. The other faults
change how it answers: `latency` holds every answer (simulator clock),
`http500` / `garbage` answer so, `drop` closes the connection.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Final, Literal, cast, get_args

from aiohttp import web

from .gate import drop
from .render import html_page

if TYPE_CHECKING:
    from .activity import Activity
    from .clock import SimClock, Timer
    from .phone import Phone

FaultKind = Literal["none", "latency", "http500", "garbage", "drop", "offline"]
FAULT_KINDS: Final[tuple[str, ...]] = get_args(FaultKind)
GARBAGE_BODY: Final = b"\x00\x1f<garbage>{not json"


def _settle(future: asyncio.Future[bool], value: bool) -> None:
    if not future.done():
        future.set_result(value)


class Faults:
    """The current fault, the requests it holds back, and the offline timer."""

    def __init__(self, clock: SimClock, phone: Phone, activity: Activity) -> None:
        """Start without a fault."""
        self.clock = clock
        self.phone = phone
        self.activity = activity
        self.kind: FaultKind = "none"
        # latency: delay of every answer; offline: how long (0 = until cleared).
        self.seconds = 0.0
        self._timer: Timer | None = None
        self._pauses: set[asyncio.Future[bool]] = set()
        self._stopping = False

    def as_dict(self) -> dict[str, Any]:
        """Return the fault as JSON data."""
        return {"kind": self.kind, "seconds": self.seconds}

    def set(self, kind: str, seconds: float = 0.0) -> None:
        """Switch a fault on (`none` clears it); offline with seconds > 0 ends itself."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"Unknown fault {kind!r}; known: {', '.join(FAULT_KINDS)}")
        if seconds < 0:
            raise ValueError("seconds must not be negative")
        self._cancel_timer()
        self.kind = cast("FaultKind", kind)
        self.seconds = float(seconds)
        if kind == "offline" and seconds > 0:
            self._timer = self.clock.call_later(seconds, self._clear)

    def _clear(self) -> None:
        self._timer = None
        self.kind, self.seconds = "none", 0.0

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def away(self) -> bool:
        """Return True while the phone does not answer (rebooting, offline fault)."""
        return self.phone.rebooting or self.kind == "offline"

    async def pause(self, seconds: float) -> bool:
        """Wait `seconds` of simulator time (cut short by `stop`); True if stopping."""
        if self._stopping:
            return True
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        timer = self.clock.call_later(seconds, lambda: _settle(future, False))
        self._pauses.add(future)
        self.activity.notify()
        try:
            return await future
        finally:
            timer.cancel()
            self._pauses.discard(future)

    @property
    def pausing(self) -> int:
        """Return how many requests the latency fault holds back now."""
        return sum(not future.done() for future in self._pauses)

    async def answer(self, request: web.Request) -> web.Response | None:
        """Answer as the current fault says, or return None to go on normally."""
        if self.kind == "latency" and await self.pause(self.seconds):
            return drop(request)  # stopping
        if self.kind == "http500":
            return html_page(500, "Internal Server Error")
        if self.kind == "garbage":
            return web.Response(body=GARBAGE_BODY, content_type="application/json")
        if self.kind == "drop" or self.away():
            return drop(request)
        return None

    def stop(self) -> None:
        """Release every held request and forget the offline timer."""
        self._stopping = True
        self._cancel_timer()
        for future in list(self._pauses):
            _settle(future, True)
