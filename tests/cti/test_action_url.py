"""Action URLs we hand out, and reading what the phone pushes."""

from __future__ import annotations

import pytest

from custom_components.grandstream_cti.cti.action_url import (
    ACTION_URL_FIELDS,
    ActionUrlEvent,
    build_action_url,
    parse_action_url_event,
    parse_action_url_params,
)


def test_build_keeps_variables_for_the_phone() -> None:
    """The phone fills in $variables; an existing query gets '&'."""
    url = build_action_url("http://ha/api/webhook/x", ActionUrlEvent.MISSED_CALL)
    assert url == (
        "http://ha/api/webhook/x?event=missed_call&mac=$mac&remote=$remote"
        "&active_user=$active_user&call-id=$call-id"
    )
    assert build_action_url("http://ha/x?a=1", ActionUrlEvent.HOLD).startswith(
        "http://ha/x?a=1&event=hold&"
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # Query form; a leading + stays, escapes are decoded.
        (
            "/api/webhook/x?event=incoming_call&remote=+1555%20",
            {"event": "incoming_call", "remote": "+1555 "},
        ),
        # Unsubstituted variables read as empty.
        ("/w?remote=$remote&mac=$mac", {"remote": "", "mac": ""}),
        # The guides' path style, with or without a query after it.
        ("/mac=000b82&remote=100", {"mac": "000b82", "remote": "100"}),
        ("/w/mac=000b82?event=hold", {"mac": "000b82", "event": "hold"}),
        # Pieces without '=' or without a key are skipped.
        ("/w?flag&=x&a=1", {"a": "1"}),
        ("/w", {}),
        ("/w?", {}),
    ],
)
def test_parse_params(raw: str, expected: dict[str, str]) -> None:
    """Both forms the phone may send are read, as it sent them."""
    assert parse_action_url_params(raw) == expected


def test_parse_event() -> None:
    """Known event names map to events; others to None."""
    assert parse_action_url_event({"event": "incoming_call"}) is (
        ActionUrlEvent.INCOMING_CALL
    )
    assert parse_action_url_event({"event": "bogus"}) is None
    assert parse_action_url_event({}) is None


def test_every_event_has_its_phone_field() -> None:
    """Each event names the phone's configuration field (P-value)."""
    assert set(ACTION_URL_FIELDS) == set(ActionUrlEvent)
    assert ACTION_URL_FIELDS[ActionUrlEvent.INCOMING_CALL] == "P8310"
