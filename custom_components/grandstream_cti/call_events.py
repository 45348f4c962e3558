"""Call events derived from two consecutive readings of the lines."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import Enum, StrEnum, auto

from .cti import Line, LineState


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
    # None when a push names no line and no line shows the number.
    line: int | None
    remote_number: str
    remote_name: str

    def as_attributes(self) -> dict[str, str | int | None]:
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


def _event(kind: CallEventType, line: Line) -> CallEvent:
    return CallEvent(kind, line.line, line.remote_number, line.remote_name)


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


class RecentEvents:
    """Call events one source (push or polling) fired recently.

    The other source usually reports the same event moments later; it asks
    here first, so that each event fires once whichever source is first.
    """

    def __init__(self, window: float) -> None:
        """Remember events for window seconds."""
        self._window = window
        self._items: list[tuple[CallEventType, str, float]] = []

    def add(self, kind: CallEventType, number: str, now: float) -> None:
        """Remember that kind fired for number at now."""
        self._items.append((kind, number, now))

    def take(self, kind: CallEventType, number: str, now: float) -> bool:
        """Return True (and forget it) if kind fired for number recently.

        An empty number on either side matches: pushes may lack the variable.
        """
        self._items = [item for item in self._items if now - item[2] <= self._window]
        for index, (seen_kind, seen_number, _) in enumerate(self._items):
            if seen_kind is kind and (
                not seen_number or not number or seen_number == number
            ):
                del self._items[index]
                return True
        return False
