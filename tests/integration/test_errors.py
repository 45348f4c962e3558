"""Every client error explained in one place, in one sentence each."""

from __future__ import annotations

import json
from pathlib import Path
from unittest.mock import patch

from homeassistant.core import HomeAssistant
import pytest

from custom_components.grandstream_cti.cti import (
    CommandRefusal,
    GrandstreamCTIAccessDeniedError,
    GrandstreamCTIApiChangedError,
    GrandstreamCTIAuthenticationError,
    GrandstreamCTICertificateError,
    GrandstreamCTICommandError,
    GrandstreamCTIConnectionError,
    GrandstreamCTIError,
    GrandstreamCTILockedError,
    GrandstreamCTIPermissionError,
    GrandstreamCTIResponseError,
    GrandstreamCTISessionTakenError,
    GrandstreamCTITimeoutError,
    GrandstreamCTIUnsupportedError,
    GrandstreamCTIUserNotAllowedError,
    GrandstreamCTIWriteRejectedError,
    GrandstreamCTIWrongDeviceError,
)
from custom_components.grandstream_cti.explain import command_failed, read_failed
from custom_components.grandstream_cti.identity import async_mac_from_network

GETMAC = "custom_components.grandstream_cti.identity.get_mac_address"
STRINGS = json.loads(
    (
        Path(__file__).resolve().parents[2]
        / "custom_components/grandstream_cti/strings.json"
    ).read_text(encoding="utf-8")
)


@pytest.mark.parametrize(
    ("error", "command", "key", "placeholders"),
    [
        (GrandstreamCTILockedError("x", minutes=5), None, "locked", {"minutes": "5"}),
        (GrandstreamCTILockedError("x"), None, "locked_unknown", {}),
        (GrandstreamCTIUserNotAllowedError("x"), None, "user_not_allowed", {}),
        (GrandstreamCTIAuthenticationError("x"), None, "invalid_auth", {}),
        (
            GrandstreamCTIAuthenticationError("x", attempts_left=3),
            None,
            "invalid_auth_attempts",
            {"attempts": "3"},
        ),
        (GrandstreamCTIAccessDeniedError("x"), None, "cti_disabled", {}),
        (GrandstreamCTIPermissionError("x"), None, "permission_denied", {}),
        (GrandstreamCTICertificateError("x"), None, "certificate_error", {}),
        (GrandstreamCTITimeoutError("x"), None, "timeout", {}),
        (GrandstreamCTIConnectionError("x"), None, "cannot_connect", {}),
        (
            GrandstreamCTIWriteRejectedError("x", keys=("1561", ":dnd")),
            None,
            "write_rejected",
            {"keys": "1561, :dnd"},
        ),
        (GrandstreamCTIUnsupportedError("x"), None, "unsupported", {}),
        (GrandstreamCTIApiChangedError("x"), None, "api_changed", {}),
        (
            GrandstreamCTIWrongDeviceError("x", mac="00:0b:82:aa:bb:cc"),
            None,
            "wrong_device",
            {"mac": "00:0b:82:aa:bb:cc"},
        ),
        (GrandstreamCTISessionTakenError("x"), None, "session_taken", {}),
        # Refused by the session API: not a passcode setting's fault.
        (
            GrandstreamCTIAccessDeniedError("x", session=True),
            None,
            "session_refused",
            {},
        ),
        # A command that timed out may still be carried out.
        (GrandstreamCTITimeoutError("x"), "send_keys", "command_timeout", {}),
        (
            GrandstreamCTICommandError(
                "x", refusal=CommandRefusal.NOTHING_TO_ACT_ON, command="endcall"
            ),
            "end_call",
            "no_call_to_end",
            {},
        ),
        (
            GrandstreamCTICommandError(
                "x", refusal=CommandRefusal.OTHER, command="make_call"
            ),
            "make_call",
            "make_call_refused",
            {},
        ),
        (
            GrandstreamCTICommandError(
                "x", refusal=CommandRefusal.INVALID_REQUEST, command="make_call"
            ),
            "make_call",
            "make_call_invalid_request",
            {},
        ),
        (
            GrandstreamCTICommandError("x", refusal=CommandRefusal.UNKNOWN),
            "send_keys",
            "unknown_request",
            {},
        ),
        (
            GrandstreamCTICommandError("x", refusal=CommandRefusal.FAILED),
            "reboot",
            "command_failed",
            {},
        ),
        (
            GrandstreamCTICommandError("x", refusal=CommandRefusal.OTHER),
            "reboot",
            "command_refused",
            {},
        ),
        (
            GrandstreamCTIResponseError("odd\x00 answer"),
            None,
            "unexpected_answer",
            {"error": "odd answer"},
        ),
        (GrandstreamCTIError("x" * 500), None, "unexpected_answer", None),
    ],
)
def test_explain(
    error: GrandstreamCTIError,
    command: str | None,
    key: str,
    placeholders: dict[str, str] | None,
) -> None:
    """Each error has its message; placeholders are printable and short."""
    raised = read_failed(error) if command is None else command_failed(error)
    assert raised.translation_key == key
    found = raised.translation_placeholders or {}
    if placeholders is not None:
        assert found == placeholders
    assert all(len(value) <= 200 for value in found.values())
    assert key in STRINGS["exceptions"]


@pytest.mark.parametrize(
    ("host", "call"),
    [
        ("192.168.1.50", {"ip": "192.168.1.50"}),
        ("[fe80::1]", {"ip6": "fe80::1"}),
        ("Phone.LAN", {"hostname": "phone.lan"}),
    ],
)
async def test_neighbour_table_lookup(
    hass: HomeAssistant, host: str, call: dict[str, str]
) -> None:
    """IPv4, IPv6 and names go to the neighbour table the way getmac wants."""
    with patch(GETMAC, return_value="00:0B:82:01:02:03") as lookup:
        assert await async_mac_from_network(hass, host) == "00:0b:82:01:02:03"
    lookup.assert_called_once_with(**call)


async def test_neighbour_table_failure_is_no_mac(hass: HomeAssistant) -> None:
    """getmac shells out; whatever goes wrong, there is simply no MAC."""
    with patch(GETMAC, side_effect=OSError("no arp")):
        assert await async_mac_from_network(hass, "192.168.1.50") is None
