"""The call tracker: the coordinator's readings in, call events out.

Events come only from comparing two line readings (`LineWatcher`); the
tracker hands them to the call history, the call event entity and the push
manager.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from homeassistant.core import callback

from .cti import CallEvent, CallEventType, CallHistory, LineWatcher

if TYPE_CHECKING:
    from .coordinator import GrandstreamCoordinator

_CALL_ENDS = {CallEventType.MISSED, CallEventType.ENDED, CallEventType.REJECTED}


class CallTracker:
    """Follows one phone's readings and fires the calls' events."""

    def __init__(self, coordinator: GrandstreamCoordinator) -> None:
        """Start; the history restores itself from its sensors."""
        self.history = CallHistory()
        self._coordinator = coordinator
        self._watcher = LineWatcher()
        self._listeners: list[Callable[[list[CallEvent]], None]] = []

    def start(self) -> Callable[[], None]:
        """Follow the coordinator from its first reading; return how to stop."""
        self._watcher.update(self._coordinator.data.lines)
        return self._coordinator.async_add_listener(self._update)

    def listen(self, listener: Callable[[list[CallEvent]], None]) -> Callable[[], None]:
        """Call listener with the events of each reading that has some."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def expect_rejection(self) -> None:
        """Read the ringing call that goes away next as rejected."""
        self._watcher.expect_rejection()

    @callback
    def _update(self) -> None:
        if not self._coordinator.last_update_success:
            return
        if events := self._watcher.update(self._coordinator.data.lines):
            for event in events:
                self.history.handle(event)
                if event.type in _CALL_ENDS:
                    # A caller may leave a voicemail: read everything next.
                    self._coordinator.request_full_read()
            for listener in list(self._listeners):
                listener(events)
