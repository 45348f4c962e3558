"""Fixtures for the Home Assistant side: a config entry aimed at the simulator."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import aiohttp
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
    CONF_WEBHOOK_ID,
)
from homeassistant.core import (
    Event,
    EventStateChangedData,
    HomeAssistant,
    State,
    callback,
)
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.grandstream_cti.const import CONF_MAC_SOURCE, CONF_PUSH, DOMAIN
from simulator import PhoneSimulator

PASSCODE = "admin"
MAC = "00:0b:82:12:34:56"
ENTRY_ID = "01JGSCTI0000000000000000AA"
WEBHOOK_ID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
# Reads, logins and configuration: everything that is not a command.
NOT_COMMANDS = frozenset(
    {
        "api-get_line_status",
        "api-get_phone_status",
        "api-get_accounts",
        "api-will_login",
        "api-get_lockout",
        "api.values.get",
        "access",
        "dologin",
        "dologout",
        "config_get",
        "api-get_battery_status",
        "api-wifi_status_get",
    }
)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load integrations from custom_components."""


@pytest.fixture(autouse=True)
async def unreachable_local_url(hass: HomeAssistant) -> None:
    """Give Home Assistant a loopback URL nothing listens on.

    The harness's default (10.10.10.10) is not loopback, which the sandbox
    refuses: the simulator's pushes would fail loudly. Tests of push serve
    Home Assistant for real (`ha_url` in test_push.py).
    """
    await async_process_ha_core_config(hass, {"internal_url": "http://127.0.0.1:9"})


# Tests of what polling alone shows: the entry without push.
NO_PUSH = pytest.mark.parametrize("entry_options", [{CONF_PUSH: False}])


@pytest.fixture
def entry_options() -> dict[str, Any]:
    """Return the entry's options; parametrize to change them."""
    return {}


@pytest.fixture
def mock_config_entry(
    simulator: PhoneSimulator, entry_options: dict[str, Any]
) -> MockConfigEntry:
    """Return a config entry for the simulated phone (not yet added)."""
    return MockConfigEntry(
        options=entry_options,
        domain=DOMAIN,
        title="GRP2614 Alice",
        unique_id=MAC,
        entry_id=ENTRY_ID,
        version=1,
        minor_version=3,
        data={
            CONF_HOST: "127.0.0.1",
            CONF_PORT: simulator.port,
            CONF_SSL: bool(simulator.config.ssl),
            CONF_VERIFY_SSL: False,
            CONF_USERNAME: "admin",
            CONF_PASSWORD: PASSCODE,
            CONF_WEBHOOK_ID: WEBHOOK_ID,
            CONF_MAC_SOURCE: "phone",
        },
    )


@pytest.fixture
async def init_integration(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> MockConfigEntry:
    """Set up the integration with the simulated phone."""
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    return mock_config_entry


def entity_id(hass: HomeAssistant, platform: str, key: str) -> str:
    """Return the entity id of this entry's entity with unique id suffix key."""
    found = er.async_get(hass).async_get_entity_id(
        platform, DOMAIN, f"{ENTRY_ID}_{key}"
    )
    assert found is not None, f"no {platform} entity {key}"
    return found


def phone_device(hass: HomeAssistant, entry_id: str = ENTRY_ID) -> dr.DeviceEntry:
    """Return the one device of this phone's entry (works on every tier)."""
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry_id)
    assert len(devices) == 1
    return devices[0]


def _stable_state(domain: str, state: State | None) -> str | None:
    """Return the state, with an event's firing time replaced by a marker."""
    if state is None:
        return None
    if domain == "event" and state.state not in ("unknown", "unavailable"):
        return "<fired>"
    return state.state


# Attributes that hold the time something happened: stable in snapshots.
TIMES = frozenset({"started", "last_reset"})


def describe_entities(hass: HomeAssistant, entry_id: str) -> dict[str, Any]:
    """Return a version-independent picture of the entry's entities.

    Registry entries change shape between Home Assistant versions; this keeps
    what we decide (names, ids, categories, classes, states) so one snapshot
    serves both test tiers.
    """
    registry = er.async_get(hass)
    picture: dict[str, Any] = {}
    for entry in sorted(
        er.async_entries_for_config_entry(registry, entry_id),
        key=lambda item: item.entity_id,
    ):
        state = hass.states.get(entry.entity_id)
        picture[entry.entity_id] = {
            "unique_id": entry.unique_id,
            "translation_key": entry.translation_key,
            "original_name": entry.original_name,
            "device_class": entry.original_device_class,
            "entity_category": entry.entity_category,
            "disabled_by": entry.disabled_by,
            "state": _stable_state(entry.domain, state),
            # str(): newer versions key attributes by StrEnum members.
            "attributes": None
            if state is None
            else {
                str(key): "<time>" if key in TIMES and value else value
                for key, value in sorted(state.attributes.items())
                if key != "friendly_name"
            },
        }
    return picture


async def poll(hass: HomeAssistant, seconds: float = 80) -> None:
    """Let the polling timer fire and wait for the refresh it starts.

    80 s: past the longest back-off (60 s) and the latest heartbeat (50 s),
    so a poll is due whatever happened before.
    """
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=seconds))
    await hass.async_block_till_done(wait_background_tasks=True)


async def control(sim: PhoneSimulator, route: str, payload: dict[str, Any]) -> Any:
    """POST to the simulator's control API, as an outside tool would."""
    async with (
        aiohttp.ClientSession() as session,
        # A WP826 simulator serves HTTPS with its self-signed certificate.
        session.post(f"{sim.url}/sim/{route}", json=payload, ssl=False) as response,
    ):
        response.raise_for_status()
        return await response.json()


def cti_log(sim: PhoneSimulator) -> list[tuple[str, dict[str, Any]]]:
    """Return (function, params) of every CTI request the phone received."""
    return [(request["function"], request["params"]) for request in sim.requests]


def commands_sent(sim: PhoneSimulator) -> list[tuple[str, dict[str, Any]]]:
    """Return the requests that were commands: not reads, logins or config reads."""
    return [item for item in cti_log(sim) if item[0] not in NOT_COMMANDS]


def password_requests(sim: PhoneSimulator) -> int:
    """Return how many requests carried the password (logins and passcodes)."""
    return len(sim.password_requests)


def collect_call_events(hass: HomeAssistant) -> list[dict[str, Any]]:
    """Start collecting what the call event entity fires (type and caller)."""
    events: list[dict[str, Any]] = []

    @callback
    def collect(event: Event[EventStateChangedData]) -> None:
        new = event.data["new_state"]
        if new is not None and new.state not in ("unknown", "unavailable"):
            events.append(
                {
                    "type": new.attributes["event_type"],
                    "line": new.attributes["line"],
                    "remote_number": new.attributes["remote_number"],
                    "remote_name": new.attributes["remote_name"],
                }
            )

    async_track_state_change_event(hass, entity_id(hass, "event", "call"), collect)
    return events


async def press(hass: HomeAssistant, key: str) -> None:
    """Press one of this entry's buttons, as a dashboard does."""
    await hass.services.async_call(
        "button", "press", {"entity_id": entity_id(hass, "button", key)}, blocking=True
    )


async def action(
    hass: HomeAssistant, service: str, entry_id: str = ENTRY_ID, **data: Any
) -> None:
    """Call one of our actions on this entry's phone, as an automation does."""
    device = phone_device(hass, entry_id).id
    await hass.services.async_call(
        DOMAIN, service, {"device_id": device, **data}, blocking=True
    )
