"""The password (and the session id) never escape: not in logs, even at debug level."""

from __future__ import annotations

import logging

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator import PhoneSimulator, SimulatorConfig

from .conftest import control, poll

SECRET = "Sup3r-S3cret-Passcode"


@pytest.mark.parametrize(
    "simulator_config",
    [
        SimulatorConfig(passcode=SECRET, session_api=False),
        SimulatorConfig(passcode=SECRET),
        SimulatorConfig(passcode=SECRET, profile="wp826"),
    ],
    ids=["passcode", "session", "wp826"],
)
async def test_passcode_not_in_logs(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    simulator: PhoneSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Set up, fail every way, recover and reload with debug logging on."""
    caplog.set_level(logging.DEBUG)
    sids = simulator.sessions.issued
    entry = MockConfigEntry(
        domain=mock_config_entry.domain,
        title=mock_config_entry.title,
        unique_id=mock_config_entry.unique_id,
        data={**mock_config_entry.data, "password": SECRET},
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    for kind in ("http500", "garbage", "drop", "offline"):
        await control(simulator, "fault", {"kind": kind})
        await poll(hass)
    await control(simulator, "fault", {"kind": "none"})
    await poll(hass)
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    if simulator.config.session_api:
        # A configuration write and its read-back, with the session id.
        await hass.services.async_call(
            "switch",
            "turn_on",
            {"entity_id": "switch.grp2614_alice_do_not_disturb"},
            blocking=True,
        )
    simulator.sessions.expire_all()
    await control(simulator, "config", {"passcode": "other"})
    await poll(hass)
    await hass.async_block_till_done()
    assert bool(sids) is simulator.config.session_api
    for sid in sids:
        assert sid not in caplog.text

    assert "api-get_line_status" in caplog.text or caplog.records
    assert SECRET not in caplog.text
    for record in caplog.records:
        assert SECRET not in str(record.args)
        if record.exc_info and record.exc_info[1]:
            assert SECRET not in repr(record.exc_info[1])
