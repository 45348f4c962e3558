"""The call tracker: line readings in, call events out.

Call events come only from comparing two readings (`cti.call_events`); the
tracker hands them to the call history, the call event entity and the push
manager.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from homeassistant.core import callback

from .cti import CallEvent, CallEventType, CallHistory, Line, call_events

if TYPE_CHECKING:
    from .coordinator import GrandstreamCoordinator


class CallTracker:
    """Follows one phone's line readings and fires the calls' events."""

    def __init__(self, coordinator: GrandstreamCoordinator) -> None:
        """Start with no reading; the history restores itself from its sensors."""
        self.history = CallHistory()
        self._coordinator = coordinator
        self._lines: tuple[Line, ...] | None = None
        self._listeners: list[Callable[[list[CallEvent]], None]] = []
        # We rejected a call, or the phone pushed "rejected": the ringing
        # call that goes away next reads as rejected, not missed.
        self._expect_rejection = False

    def start(self) -> Callable[[], None]:
        """Follow the coordinator from its first reading; return how to stop."""
        self._lines = self._coordinator.data.lines
        return self._coordinator.async_add_listener(self._update)

    def listen(self, listener: Callable[[list[CallEvent]], None]) -> Callable[[], None]:
        """Call listener with the events of each reading that has some."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def expect_rejection(self) -> None:
        """Read the ringing call that goes away next as rejected."""
        self._expect_rejection = True

    @callback
    def _update(self) -> None:
        """Fire the events between the previous reading and this one."""
        if not self._coordinator.last_update_success:
            return
        lines = self._coordinator.data.lines
        previous, self._lines = self._lines, lines
        if previous is None or previous == lines:
            # Calls in progress when we start fire nothing.
            return
        rejected = self._expect_rejection
        events = call_events(previous, lines, rejected=rejected)
        if rejected and (
            any(event.type is CallEventType.REJECTED for event in events)
            or not any(line.is_ringing for line in (*previous, *lines))
        ):
            self._expect_rejection = False
        if not events:
            return
        for event in events:
            self.history.handle(event)
        for listener in list(self._listeners):
            listener(events)
