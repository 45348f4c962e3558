"""Transitions between two line readings and the events they mean."""

from __future__ import annotations

import pytest

from custom_components.grandstream_cti.call_events import (
    CallEvent,
    CallEventType,
    RecentEvents,
    call_events,
)
from custom_components.grandstream_cti.cti import Line, LineState


def _line(
    state: LineState | str, number: str = "", name: str = "", line: int = 1
) -> Line:
    if isinstance(state, LineState):
        return Line(line, state, state.value, remote_number=number, remote_name=name)
    return Line(line, LineState.UNKNOWN, state, remote_number=number, remote_name=name)


IDLE = _line(LineState.IDLE)
RINGING = _line(LineState.RINGING, "100", "Carol")
CALLING = _line(LineState.CALLING, "200")
DIALING = _line(LineState.DIALING, "2")
CONNECTED = _line(LineState.CONNECTED, "100", "Carol")
ONHOLD = _line(LineState.ONHOLD, "100", "Carol")


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (IDLE, IDLE, []),
        (IDLE, RINGING, [CallEventType.INCOMING]),
        (RINGING, RINGING, []),
        (RINGING, CONNECTED, [CallEventType.ANSWERED]),
        (RINGING, IDLE, [CallEventType.MISSED]),
        (CONNECTED, ONHOLD, []),
        (ONHOLD, CONNECTED, []),
        (CONNECTED, IDLE, [CallEventType.ENDED]),
        (ONHOLD, IDLE, [CallEventType.ENDED]),
        (IDLE, CALLING, [CallEventType.OUTGOING]),
        (IDLE, DIALING, [CallEventType.OUTGOING]),
        (DIALING, CALLING, []),
        (CALLING, CONNECTED, [CallEventType.ANSWERED]),
        (CALLING, IDLE, [CallEventType.ENDED]),
        (IDLE, CONNECTED, [CallEventType.ANSWERED]),
        (CONNECTED, RINGING, [CallEventType.ENDED, CallEventType.INCOMING]),
        (RINGING, CALLING, [CallEventType.MISSED, CallEventType.OUTGOING]),
        (IDLE, _line("weird"), [CallEventType.ANSWERED]),
        (_line(LineState.FAILED), IDLE, []),
    ],
)
def test_transitions(before: Line, after: Line, expected: list[CallEventType]) -> None:
    """Each phase change means these events, in this order."""
    assert [event.type for event in call_events([before], [after])] == expected


def test_rejected_instead_of_missed() -> None:
    """After our reject, a ringing call going idle was rejected."""
    assert call_events([RINGING], [IDLE], rejected=True) == [
        CallEvent(CallEventType.REJECTED, 1, "100", "Carol")
    ]


def test_ended_call_keeps_the_caller() -> None:
    """Events about a call that went away carry the caller it had."""
    (event,) = call_events([CONNECTED], [IDLE])
    assert event.as_attributes() == {
        "line": 1,
        "remote_number": "100",
        "remote_name": "Carol",
    }


def test_new_line_and_several_lines() -> None:
    """A line not seen before counts as idle before; lines are independent."""
    second = _line(LineState.RINGING, "300", line=2)
    events = call_events([CONNECTED], [IDLE, second])
    assert [(e.type, e.line) for e in events] == [
        (CallEventType.ENDED, 1),
        (CallEventType.INCOMING, 2),
    ]


def test_recent_events_match_once_within_the_window() -> None:
    """The other source's report of the same event is taken once, in time."""
    recent = RecentEvents(window=60)
    recent.add(CallEventType.INCOMING, "100", now=0)
    assert not recent.take(CallEventType.MISSED, "100", now=1)
    assert not recent.take(CallEventType.INCOMING, "200", now=1)
    assert recent.take(CallEventType.INCOMING, "100", now=1)
    assert not recent.take(CallEventType.INCOMING, "100", now=2)

    # A push without the number matches; old events are forgotten.
    recent.add(CallEventType.ENDED, "", now=10)
    assert recent.take(CallEventType.ENDED, "300", now=11)
    recent.add(CallEventType.ENDED, "300", now=10)
    assert not recent.take(CallEventType.ENDED, "300", now=71)
