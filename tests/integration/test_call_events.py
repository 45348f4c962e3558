"""Transitions between two line readings and the events they mean."""

from __future__ import annotations

import pytest

from custom_components.grandstream_cti.cti import (
    CallEvent,
    CallEventType,
    Line,
    LineState,
    call_events,
    remote_name,
)


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


def test_two_calls_from_one_number_on_two_lines() -> None:
    """Each line reports its own call, even from the same number."""
    first = _line(LineState.CONNECTED, "100", "Carol", line=1)
    second = _line(LineState.RINGING, "100", "Carol", line=2)
    events = call_events([first, _line(LineState.IDLE, line=2)], [first, second])
    assert events == [CallEvent(CallEventType.INCOMING, 2, "100", "Carol")]
    events = call_events([first, second], [_line(LineState.IDLE, line=1), second])
    assert events == [CallEvent(CallEventType.ENDED, 1, "100", "Carol")]


@pytest.mark.parametrize(
    ("name", "number", "expected"),
    [
        ("Carol", "+15555550100", "Carol"),
        ("", "+15555550100", ""),
        # Real phones copy the number into the name once connected.
        ("+15555550100", "+15555550100", ""),
        ("1001", "1001", ""),
        ("5550100", "+15555550100", ""),
        (" Carol Smith ", "100", "Carol Smith"),
    ],
)
def test_remote_name_only_when_it_is_a_name(
    name: str, number: str, expected: str
) -> None:
    assert remote_name(_line(LineState.CONNECTED, number, name)) == expected
