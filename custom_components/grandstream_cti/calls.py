"""Calls: the tracker that turns line readings into call events, and the history.

Call events come only from comparing two readings (`cti.call_events`);
the tracker hands them to the call event entity, the call history and the
push manager.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from homeassistant.core import callback
from homeassistant.util import dt as dt_util

from .cti import CallEvent, CallEventType, Line, call_events

if TYPE_CHECKING:
    from .coordinator import GrandstreamCoordinator


ATTR_REMOTE_NUMBER = "remote_number"
ATTR_REMOTE_NAME = "remote_name"
ATTR_LINE = "line"
ATTR_ANSWERED = "answered"
ATTR_STARTED = "started"


@dataclass(frozen=True, slots=True)
class LastCaller:
    """The remote party of the last incoming call."""

    remote_number: str
    remote_name: str
    line: int
    answered: bool
    started: datetime

    @property
    def display(self) -> str:
        """Return "Name (number)", or whichever of the two there is."""
        if self.remote_name and self.remote_number:
            return f"{self.remote_name} ({self.remote_number})"
        return self.remote_number or self.remote_name

    def as_attributes(self) -> dict[str, Any]:
        """Return the sensor's attributes (also what a restart restores)."""
        return {
            ATTR_REMOTE_NUMBER: self.remote_number,
            ATTR_REMOTE_NAME: self.remote_name,
            ATTR_LINE: self.line,
            ATTR_ANSWERED: self.answered,
            ATTR_STARTED: self.started.isoformat(),
        }

    @classmethod
    def from_attributes(cls, attributes: Mapping[str, Any]) -> LastCaller | None:
        """Return the caller a restored state describes, or None if it is not one."""
        started = dt_util.parse_datetime(str(attributes.get(ATTR_STARTED, "")))
        line = attributes.get(ATTR_LINE)
        if started is None or not isinstance(line, int):
            return None
        return cls(
            remote_number=str(attributes.get(ATTR_REMOTE_NUMBER) or ""),
            remote_name=str(attributes.get(ATTR_REMOTE_NAME) or ""),
            line=line,
            answered=attributes.get(ATTR_ANSWERED) is True,
            started=started,
        )


class CallHistory:
    """One phone's recent calls."""

    def __init__(self) -> None:
        """Start empty (the sensors restore what they showed)."""
        self.last_caller: LastCaller | None = None
        self.missed = 0
        # When the missed calls were last reset (None: never).
        self.missed_since: datetime | None = None
        # The line the last caller's call is on, while it lasts.
        self._caller_line: int | None = None
        self._listeners: list[Callable[[], None]] = []

    def listen(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call listener after every change; return the function that stops it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener()

    def handle(self, event: CallEvent) -> None:
        """Take one call event into account."""
        caller = self.last_caller
        if event.type is CallEventType.MISSED:
            self.missed += 1
        if event.type is CallEventType.INCOMING:
            self.last_caller = LastCaller(
                event.remote_number,
                event.remote_name,
                event.line,
                answered=False,
                started=dt_util.utcnow(),
            )
            self._caller_line = event.line
        elif caller is not None and event.line == self._caller_line:
            if event.type is CallEventType.ANSWERED:
                self.last_caller = replace(
                    caller,
                    answered=True,
                    remote_name=caller.remote_name or event.remote_name,
                )
            else:
                self._caller_line = None
        elif event.type is not CallEventType.MISSED:
            return
        self._changed()

    def reset_missed(self) -> None:
        """Start counting missed calls again from zero."""
        self.missed = 0
        self.missed_since = dt_util.utcnow()
        self._changed()

    def restore(
        self,
        *,
        last_caller: LastCaller | None = None,
        missed: int | None = None,
        missed_since: datetime | None = None,
    ) -> None:
        """Take back what a sensor showed before a restart (unless newer is known)."""
        if last_caller is not None and self.last_caller is None:
            self.last_caller = last_caller
        if missed is not None and self.missed == 0 and self.missed_since is None:
            self.missed = missed
            self.missed_since = missed_since


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
