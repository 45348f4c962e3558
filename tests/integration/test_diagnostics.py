"""Diagnostics: useful, and nothing personal or secret in them."""

from __future__ import annotations

import json

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from simulator import PhoneSimulator

from .conftest import MAC, PASSCODE, poll


async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    snapshot: SnapshotAssertion,
) -> None:
    """Snapshot during a call; passcode, host, MAC, SIP users and callers redacted."""
    simulator.phone.incoming("+15555550100", "Carol Caller")
    await poll(hass)
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )
    assert diagnostics == snapshot(exclude=props("port"))

    text = json.dumps(diagnostics)
    for secret in (PASSCODE, "127.0.0.1", MAC, "1001", "+15555550100", "Carol"):
        assert secret not in text
