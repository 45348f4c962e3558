"""Calls: events from two consecutive line readings, and the call history.

Pure: whoever reads the phone (after a push, a command or a timer) compares
the new line reading with the previous one, so every event carries the
line, the number and the name the phone shows, whichever path noticed the
change first. The history (last caller, missed calls) is fed by the events
only, so push and polling agree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import Enum, StrEnum, auto
from typing import Any

from .models import Line, LineState


class CallEventType(StrEnum):
    """Event types of the call event entity."""

    INCOMING = "incoming"
    ANSWERED = "answered"
    MISSED = "missed"
    ENDED = "ended"
    OUTGOING = "outgoing"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class CallEvent:
    """One call event on one line."""

    type: CallEventType
    line: int
    remote_number: str
    remote_name: str

    def as_attributes(self) -> dict[str, str | int]:
        """Return the event's data as the event entity publishes it."""
        return {
            "line": self.line,
            "remote_number": self.remote_number,
            "remote_name": self.remote_name,
        }


class _Phase(Enum):
    IDLE = auto()
    RINGING = auto()
    OUTGOING = auto()
    TALKING = auto()


_PHASES = {
    LineState.IDLE: _Phase.IDLE,
    LineState.FAILED: _Phase.IDLE,
    LineState.ENDING: _Phase.IDLE,
    LineState.RINGING: _Phase.RINGING,
    LineState.CALLING: _Phase.OUTGOING,
    LineState.DIALING: _Phase.OUTGOING,
}


def _phase(line: Line | None) -> _Phase:
    # Unlisted states read as busy, like the spec says.
    return _Phase.IDLE if line is None else _PHASES.get(line.state, _Phase.TALKING)


def remote_name(line: Line) -> str:
    """Return the remote party's name, or "" when the phone shows no real name.

    Real phones leave the name empty while ringing and copy the number into
    it once connected: a "name" without a letter, or equal to the number, is
    not a name.
    """
    name = line.remote_name.strip()
    if name == line.remote_number.strip() or not any(c.isalpha() for c in name):
        return ""
    return name


def remote_party(line: Line) -> str | None:
    """Return "Name (number)", the number alone, or "" while the line is idle.

    None: a caller without a number.
    """
    if line.is_idle:
        return ""
    name, number = remote_name(line), line.remote_number.strip()
    return f"{name} ({number})" if name and number else number or name or None


def _event(kind: CallEventType, line: Line) -> CallEvent:
    return CallEvent(kind, line.line, line.remote_number.strip(), remote_name(line))


def _line_events(old: Line | None, new: Line, *, rejected: bool) -> Iterator[CallEvent]:
    before, after = _phase(old), _phase(new)
    if before is after:
        return
    if after is _Phase.TALKING:
        yield _event(CallEventType.ANSWERED, new)
        return
    if old is not None and before is _Phase.RINGING:
        kind = CallEventType.REJECTED if rejected else CallEventType.MISSED
        yield _event(kind, old)
    elif old is not None and before is not _Phase.IDLE:
        yield _event(CallEventType.ENDED, old)
    if after is _Phase.RINGING:
        yield _event(CallEventType.INCOMING, new)
    elif after is _Phase.OUTGOING:
        yield _event(CallEventType.OUTGOING, new)


def call_events(
    previous: Iterable[Line], current: Iterable[Line], *, rejected: bool = False
) -> list[CallEvent]:
    """Return the events that explain going from previous to current lines.

    rejected: we rejected or cancelled a call since the previous reading, so a
    ringing call that went away was rejected rather than missed.
    """
    before = {line.line: line for line in previous}
    return [
        event
        for line in current
        for event in _line_events(before.get(line.line), line, rejected=rejected)
    ]


class LineWatcher:
    """Turns each new reading of a phone's lines into the calls' events."""

    def __init__(self, lines: Iterable[Line] | None = None) -> None:
        """Start from a reading (calls already in progress fire nothing)."""
        self._lines = None if lines is None else tuple(lines)
        # We rejected a call, or the phone said "rejected": the ringing call
        # that goes away next reads as rejected, not missed.
        self._expect_rejection = False

    def expect_rejection(self) -> None:
        """Read the ringing call that goes away next as rejected."""
        self._expect_rejection = True

    def update(self, lines: Iterable[Line]) -> list[CallEvent]:
        """Return the events between the previous reading and this one."""
        current = tuple(lines)
        previous, self._lines = self._lines, current
        if previous is None or previous == current:
            return []
        rejected = self._expect_rejection
        events = call_events(previous, current, rejected=rejected)
        if rejected and (
            any(event.type is CallEventType.REJECTED for event in events)
            or not any(line.is_ringing for line in (*previous, *current))
        ):
            self._expect_rejection = False
        return events


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
        started = _parse_time(attributes.get(ATTR_STARTED))
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
                started=datetime.now(UTC),
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
        self.missed_since = datetime.now(UTC)
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

    def restore_shown(
        self, shown: str, state: str, attributes: Mapping[str, Any]
    ) -> None:
        """Take back what a sensor showed: `last_caller` or `missed_calls`."""
        if shown == "last_caller":
            self.restore(last_caller=LastCaller.from_attributes(attributes))
        elif shown == "missed_calls" and state.replace(".", "", 1).isdigit():
            since = _parse_time(attributes.get("last_reset"))
            self.restore(missed=int(float(state)), missed_since=since)


def _parse_time(value: object) -> datetime | None:
    """Return an aware time from ISO text, or None."""
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
