"""Every family the simulator models, end to end through Home Assistant."""

from __future__ import annotations

from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_PASSWORD
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.grandstream_cti.const import DOMAIN
from custom_components.grandstream_cti.push import HANDED_OUT_FIELDS
from simulator import PhoneSimulator, SimulatorConfig

from .conftest import MAC, WEBHOOK_ID, collect_call_events, password_requests, poll

# What each profile offers beyond calls (DND needs the `:dnd` key, which
# GXP16xx's api.values cannot name; battery and Wi-Fi are WP8x6's).
PROFILES = {
    "grp2614": {"dnd"},
    "gxp2170": {"dnd"},
    "gxp1625": set(),
    "wp826": {"dnd", "battery", "wifi_signal"},
    "gsc3516": {"dnd"},
}


@pytest.fixture(params=sorted(PROFILES))
def simulator_config(request: pytest.FixtureRequest) -> SimulatorConfig:
    """One phone of each family."""
    return SimulatorConfig(profile=request.param)


def _keys(hass: HomeAssistant, entry: MockConfigEntry) -> set[str]:
    return {
        item.unique_id.removeprefix(f"{entry.entry_id}_")
        for item in er.async_entries_for_config_entry(
            er.async_get(hass), entry.entry_id
        )
    }


async def test_each_family_works(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    simulator: PhoneSimulator,
) -> None:
    """Detected, logged in once, keyed by its MAC, push written, calls seen."""
    entry = mock_config_entry
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, unique_id=None)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.state is ConfigEntryState.LOADED
    assert password_requests(simulator) == 1
    assert entry.unique_id == MAC
    extras = {"dnd", "battery", "wifi_signal"} & _keys(hass, entry)
    assert extras == PROFILES[simulator.profile.name]
    # Written into every key the phone has; a key it lacks is no failure.
    slots = {
        field: simulator.store.value(field)
        for field in HANDED_OUT_FIELDS
        if simulator.store.read(field)[0]
    }
    assert slots
    assert all(f"/api/webhook/{WEBHOOK_ID}?" in url for url in slots.values())

    fired = collect_call_events(hass)
    line = simulator.phone.incoming("+15555550100")
    await poll(hass)
    simulator.phone.remote_hangup(line)
    await poll(hass)
    assert [event["type"] for event in fired] == ["incoming", "missed"]

    await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert {simulator.store.value(field) for field in HANDED_OUT_FIELDS} == {""}


async def test_wrong_password_shows_attempts_left(
    hass: HomeAssistant, simulator: PhoneSimulator
) -> None:
    """One login per submit; the phone's attempts left are in the message."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            "host": "127.0.0.1",
            "port": simulator.port,
            "ssl": bool(simulator.config.ssl),
            "verify_ssl": False,
            "username": "admin",
            CONF_PASSWORD: "wrong",
        },
    )
    assert result["errors"] == {"base": "invalid_auth_attempts"}
    assert result["description_placeholders"]["attempts"] == "4"
    assert password_requests(simulator) == 1
