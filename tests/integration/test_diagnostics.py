"""Diagnostics: useful, and nothing personal or secret in them."""

from __future__ import annotations

import json

from homeassistant.const import CONF_PASSWORD
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from simulator import PhoneSimulator, SimulatorConfig

from .conftest import MAC, WEBHOOK_ID, poll

PASSWORD = "diag-S3cret"


@pytest.fixture
def simulator_config() -> SimulatorConfig:
    """A phone whose password is unlike anything else in the diagnostics."""
    return SimulatorConfig(passcode=PASSWORD)


@pytest.fixture
def mock_config_entry(mock_config_entry: MockConfigEntry) -> MockConfigEntry:
    """The entry with that password."""
    return MockConfigEntry(
        domain=mock_config_entry.domain,
        title=mock_config_entry.title,
        unique_id=mock_config_entry.unique_id,
        entry_id=mock_config_entry.entry_id,
        version=mock_config_entry.version,
        minor_version=mock_config_entry.minor_version,
        data={**mock_config_entry.data, CONF_PASSWORD: PASSWORD},
    )


async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    snapshot: SnapshotAssertion,
) -> None:
    """Snapshot during a call; password, host, MAC, SIP users and callers redacted.

    The last raw answer of each function is there, redacted the same way.
    """
    simulator.phone.incoming("+15555550100", "Carol Caller")
    await poll(hass)
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )
    assert diagnostics == snapshot(exclude=props("port"))

    text = json.dumps(diagnostics)
    for secret in (PASSWORD, "127.0.0.1", MAC, "1001", "+15555550100", "Carol"):
        assert secret not in text


@pytest.mark.parametrize(
    "simulator_config",
    [
        SimulatorConfig(profile=profile, passcode=PASSWORD)
        for profile in ("grp2614", "gxp2170", "gxp1625", "wp826", "gsc3516")
    ],
    ids=["grp2614", "gxp2170", "gxp1625", "wp826", "gsc3516"],
    indirect=True,
)
async def test_no_secret_in_any_familys_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
) -> None:
    """Neither the password, a session id nor the webhook id, on any family.

    GXP16xx answers configuration reads with the full Action URLs (which
    carry the webhook id) under their keys, not under a "value" field.
    """
    assert init_integration.runtime_data.push.slots
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )
    text = json.dumps(diagnostics)
    secrets = [PASSWORD, WEBHOOK_ID, *simulator.sessions.sessions]
    assert all(secret not in text for secret in secrets)
    assert "/api/webhook/" in text or simulator.profile.name != "gxp1625"
