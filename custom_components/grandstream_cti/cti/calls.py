"""Call events derived from two consecutive readings of the lines.

Pure: whoever reads the phone (after a push, a command or a timer) compares
the new line reading with the previous one, so every event carries the
line, the number and the name the phone shows, whichever path noticed the
change first.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import Enum, StrEnum, auto

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
