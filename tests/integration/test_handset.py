"""The handset's everyday controls: settings and unread voicemail.

Against a simulated WP826 (the captured keys 8352, 334, 1413 and 22234, and
`:unread_vm_N` per account): each setting is a config entity where the phone
answers its key, read with the phone's other data, written through the session
API and read back; a change at the handset shows with the next full read; a
value the phone should not have reads as unknown. A desk phone without the
keys, and a passcode-only phone, have none of them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from homeassistant.components.number import ATTR_VALUE
from homeassistant.components.select import ATTR_OPTION
from homeassistant.components.sensor import SensorStateClass
from homeassistant.const import (
    ATTR_ENTITY_ID,
    ATTR_UNIT_OF_MEASUREMENT,
    PERCENTAGE,
    EntityCategory,
)
from homeassistant.core import HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.grandstream_cti import cti
from simulator import PhoneSimulator, SimulatorConfig

from .conftest import ENTRY_ID, NO_PUSH, commands_sent, control, entity_id, poll

# key -> (platform, setting key on the phone, its value at start as HA shows it)
SETTINGS = {
    "ring_volume": ("number", "8352", "8"),
    "lcd_brightness": ("number", "334", "60"),
    "backlight_timeout": ("select", "1413", "never"),
    "keypad_backlight": ("select", "22234", "auto"),
}
NUMBERS = {
    "ring_volume": {"min": 0, "max": 10, "step": 1, "unit": None},
    "lcd_brightness": {"min": 10, "max": 100, "step": 10, "unit": PERCENTAGE},
}
SELECTS = {
    "backlight_timeout": [
        "never",
        "15_s",
        "30_s",
        "1_min",
        "2_min",
        "5_min",
        "10_min",
        "20_min",
        "30_min",
    ],
    "keypad_backlight": ["off", "on", "auto"],
}
# A write through Home Assistant: key -> (what the action sends, the wire value).
WRITES = {
    "ring_volume": (3, "3"),
    "lcd_brightness": (30, "30"),
    "backlight_timeout": ("5_min", "300"),
    "keypad_backlight": ("off", "0"),
}
# A change at the handset: key -> (the wire value, the state it shows).
AT_HANDSET = {
    "ring_volume": ("2", "2"),
    "lcd_brightness": ("100", "100"),
    "backlight_timeout": ("1800", "30_min"),
    "keypad_backlight": ("1", "on"),
}
# Values the phone should not have: key -> raw value.
STRAY = {
    "ring_volume": "11",
    "lcd_brightness": "55",
    "backlight_timeout": "7",
    "keypad_backlight": "3",
}
WRITE_FUNCTIONS = {"config_update", "api.values.post"}
VOICEMAIL_DELAY = 16  # seconds on the simulator clock (as seen on a WP826)


@pytest.fixture
def simulator_config() -> SimulatorConfig:
    """A WP826 Wi-Fi handset whose clock moves only when a test moves it.

    (The harness's time jumps fire due loop timers, the simulator's too.)
    """
    return SimulatorConfig(profile="wp826", manual_clock=True)


@pytest.fixture(name="ha_url")
async def ha_url_fixture(
    hass: HomeAssistant, hass_client_no_auth: ClientSessionGenerator
) -> str:
    """Serve Home Assistant's HTTP on loopback, so the phone's pushes arrive."""
    assert await async_setup_component(hass, "webhook", {})
    client = await hass_client_no_auth()
    url = str(client.make_url("")).rstrip("/")
    await async_process_ha_core_config(hass, {"internal_url": url})
    return url


# ------------------------------------------------------------------ helpers


def _keys(hass: HomeAssistant, entry_id: str = ENTRY_ID) -> set[str]:
    """Return the unique id suffixes of the entry's entities."""
    return {
        item.unique_id.removeprefix(f"{entry_id}_")
        for item in er.async_entries_for_config_entry(er.async_get(hass), entry_id)
    }


def _state(hass: HomeAssistant, key: str) -> str:
    platform = SETTINGS[key][0] if key in SETTINGS else "sensor"
    state = hass.states.get(entity_id(hass, platform, key))
    assert state is not None
    return state.state


async def _full_read(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Have the next read read everything, and let the timer run it."""
    entry.runtime_data.coordinator.request_full_read()
    await poll(hass)


async def _write(hass: HomeAssistant, key: str, value: Any) -> None:
    """Set a setting entity through its action, as a user or automation would."""
    platform = SETTINGS[key][0]
    if platform == "number":
        service, data = "set_value", {ATTR_VALUE: value}
    else:
        service, data = "select_option", {ATTR_OPTION: value}
    await hass.services.async_call(
        platform,
        service,
        {ATTR_ENTITY_ID: entity_id(hass, platform, key), **data},
        blocking=True,
    )


def _writes(sim: PhoneSimulator) -> list[dict[str, Any]]:
    """Return the configuration writes the phone received."""
    return [
        params for function, params in commands_sent(sim) if function in WRITE_FUNCTIONS
    ]


def _phone_holds(sim: PhoneSimulator, key: str, raw: str) -> None:
    """Make the phone answer `raw` for a setting (no menu could set it).

    The next write through the phone's API replaces it, as on a phone.
    """
    store = sim.store
    original = store.settings[key]
    assert original.put is not None

    def put(value: str) -> bool:
        store.settings[key] = original
        assert original.put is not None
        return original.put(value)

    store.settings[key] = replace(original, get=lambda: raw, put=put)


def _phone_ignores_writes(sim: PhoneSimulator, key: str) -> None:
    """Make the phone answer "success" to writes of a setting and keep its value."""
    store = sim.store
    store.settings[key] = replace(store.settings[key], put=lambda _value: False)


async def _set_up_as(
    hass: HomeAssistant, entry: MockConfigEntry, username: str, password: str
) -> None:
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, "username": username, "password": password}
    )
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)


# ---------------------------------------------------------------- settings


@pytest.mark.parametrize("key", sorted(NUMBERS))
async def test_number_entities(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    key: str,
) -> None:
    """Each number: unique id, config category, range, step, unit; the phone's value."""
    platform, phone_key, shown = SETTINGS[key]
    entity = entity_id(hass, platform, key)
    registry_entry = er.async_get(hass).async_get(entity)
    assert registry_entry is not None
    assert registry_entry.unique_id == f"{ENTRY_ID}_{key}"
    assert registry_entry.translation_key == key
    assert registry_entry.entity_category is EntityCategory.CONFIG
    expected = NUMBERS[key]
    state = hass.states.get(entity)
    assert state is not None
    assert state.attributes["min"] == expected["min"]
    assert state.attributes["max"] == expected["max"]
    assert state.attributes["step"] == expected["step"]
    assert state.attributes.get(ATTR_UNIT_OF_MEASUREMENT) == expected["unit"]
    assert state.state == shown == simulator.store.value(phone_key)


@pytest.mark.parametrize("key", sorted(SELECTS))
async def test_select_entities(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    key: str,
) -> None:
    """Each select: unique id, config category, its options; the phone's value."""
    platform, phone_key, shown = SETTINGS[key]
    entity = entity_id(hass, platform, key)
    registry_entry = er.async_get(hass).async_get(entity)
    assert registry_entry is not None
    assert registry_entry.unique_id == f"{ENTRY_ID}_{key}"
    assert registry_entry.translation_key == key
    assert registry_entry.entity_category is EntityCategory.CONFIG
    state = hass.states.get(entity)
    assert state is not None
    assert state.attributes["options"] == SELECTS[key]
    assert state.state == shown
    assert (
        cti.SETTING_CHOICES[cti.Setting(phone_key)][simulator.store.value(phone_key)]
        == shown
    )


@NO_PUSH
@pytest.mark.parametrize("key", sorted(WRITES))
async def test_write_reads_back_and_shows_at_once(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    key: str,
) -> None:
    """The action writes the phone's key; the entity shows it without a poll."""
    _, phone_key, _ = SETTINGS[key]
    value, wire = WRITES[key]
    simulator.requests.clear()
    await _write(hass, key, value)
    assert simulator.store.value(phone_key) == wire
    assert _state(hass, key) == str(value)
    writes = _writes(simulator)
    assert len(writes) == 1, writes
    # Written, then read back before the action returned.
    functions = [function for function, _ in commands_sent(simulator)]
    assert functions.count("config_update") == 1
    log = [request["function"] for request in simulator.requests]
    assert "config_get" in log[log.index("config_update") + 1 :]
    assert simulator.tripwires == []


@NO_PUSH
async def test_writing_the_same_value_sends_nothing(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """The phone already has the value: no write goes out."""
    simulator.requests.clear()
    await _write(hass, "ring_volume", 8)
    await _write(hass, "keypad_backlight", "auto")
    assert _writes(simulator) == []
    assert _state(hass, "ring_volume") == "8"


@NO_PUSH
@pytest.mark.parametrize("key", sorted(AT_HANDSET))
async def test_change_at_handset_shows_after_the_next_full_read(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    key: str,
) -> None:
    """Changed in the handset's menu: shows within three polls (a full read)."""
    _, phone_key, before = SETTINGS[key]
    wire, shown = AT_HANDSET[key]
    answer = await control(simulator, "setting", {"key": phone_key, "value": wire})
    assert answer["value"] == wire
    assert _state(hass, key) == before
    for _ in range(3):
        await poll(hass)
    assert _state(hass, key) == shown


async def test_change_at_handset_with_push_within_ten_heartbeats(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """Push set up, no event for settings: the 10th heartbeat reads everything."""
    coordinator = init_integration.runtime_data.coordinator
    assert coordinator.push_trusted
    simulator.store.set_at_phone("lcd.backlight.timeout", "120")  # by alias
    simulator.store.set_at_phone("8352", "0")
    for _ in range(10):
        await poll(hass)
    assert _state(hass, "backlight_timeout") == "2_min"
    assert _state(hass, "ring_volume") == "0"


async def test_change_at_handset_with_a_full_read_asked(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """A read asked to read everything (as a push of DND does) shows the change."""
    await control(simulator, "setting", {"key": "22234", "value": "0"})
    await _full_read(hass, init_integration)
    assert _state(hass, "keypad_backlight") == "off"


@NO_PUSH
@pytest.mark.parametrize("key", sorted(STRAY))
async def test_a_value_the_phone_should_not_have_reads_unknown(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    key: str,
) -> None:
    """Out of range, off the step or not a choice: unknown, not a wrong option."""
    phone_key = SETTINGS[key][1]
    _phone_holds(simulator, phone_key, STRAY[key])
    assert simulator.store.value(phone_key) == STRAY[key]
    await _full_read(hass, init_integration)
    assert _state(hass, key) == "unknown"
    # Written again from Home Assistant: the phone takes it and it shows.
    value, wire = WRITES[key]
    await _write(hass, key, value)
    assert simulator.store.value(phone_key) == wire
    assert _state(hass, key) == str(value)


@NO_PUSH
@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("ring_volume", 11),
        ("ring_volume", -1),
        ("lcd_brightness", 0),
        ("lcd_brightness", 110),
        ("backlight_timeout", "1_hour"),
        ("backlight_timeout", "300"),  # the wire value is not an option
        ("keypad_backlight", "dim"),
    ],
)
async def test_invalid_write_refused_before_anything_is_sent(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    key: str,
    value: Any,
) -> None:
    """Out of range or not an option: refused by Home Assistant, nothing sent."""
    _, phone_key, before = SETTINGS[key]
    simulator.requests.clear()
    with pytest.raises(ServiceValidationError):
        await _write(hass, key, value)
    assert simulator.requests == []
    assert _state(hass, key) == before
    assert (
        simulator.store.value(phone_key)
        == {
            "ring_volume": "8",
            "lcd_brightness": "60",
            "backlight_timeout": "0",
            "keypad_backlight": "2",
        }[key]
    )


@NO_PUSH
async def test_brightness_off_the_step_refused_in_plain_words(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """35 %: within the range but not a step: refused clearly, nothing sent."""
    simulator.requests.clear()
    try:
        with pytest.raises(ServiceValidationError):
            await _write(hass, "lcd_brightness", 35)
    finally:
        assert simulator.requests == []
        assert simulator.store.value("334") == "60"


@NO_PUSH
async def test_write_the_phone_ignores_is_an_error(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """The phone answers "success" but keeps its value: read back, an error."""
    _phone_ignores_writes(simulator, "8352")
    with pytest.raises(HomeAssistantError) as raised:
        await _write(hass, "ring_volume", 4)
    assert not isinstance(raised.value, ServiceValidationError)
    assert simulator.store.value("8352") == "8"
    assert _state(hass, "ring_volume") == "8"


@NO_PUSH
async def test_user_account_writes_settings(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """The `user` role may change the handset settings (captures): it writes them."""
    store = simulator.store
    for phone_key in ("8352", "334", "1413", "22234"):
        assert "user" in store.settings[phone_key].writers
    await _set_up_as(hass, mock_config_entry, "user", "123")
    assert set(SETTINGS) <= _keys(hass)
    for key, (value, wire) in WRITES.items():
        await _write(hass, key, value)
        assert store.value(SETTINGS[key][1]) == wire
        assert _state(hass, key) == str(value)
    assert simulator.sessions.sessions
    assert {session.username for session in simulator.sessions.sessions.values()} == {
        "user"
    }


# --------------------------------------------------------------- voicemail


async def test_voicemail_sensors_per_configured_account(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Alice and Bob (configured) have one; account 3 (empty) has none."""
    caps = init_integration.runtime_data.coordinator.capabilities
    assert all(caps.voicemail(n) for n in (1, 2, 3))  # the phone answers all three
    keys = {key for key in _keys(hass) if key.endswith("_unread_voicemail")}
    assert keys == {"account_1_unread_voicemail", "account_2_unread_voicemail"}
    registry = er.async_get(hass)
    for number, name in ((1, "Alice"), (2, "Bob")):
        entity = entity_id(hass, "sensor", f"account_{number}_unread_voicemail")
        registry_entry = registry.async_get(entity)
        assert registry_entry is not None
        assert registry_entry.translation_key == "unread_voicemail"
        assert registry_entry.original_name == f"Unread voicemail {name}"
        assert registry_entry.entity_category is None
        state = hass.states.get(entity)
        assert state is not None
        assert state.state == "0"
        assert state.attributes["state_class"] == SensorStateClass.MEASUREMENT
        assert state.attributes["friendly_name"] == (
            f"GRP2614 Alice Unread voicemail {name}"
        )


@NO_PUSH
async def test_voicemail_shows_after_the_next_full_read(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """Left, it counts 16 s later; the next full read shows it; listening clears it."""
    sensor = "account_1_unread_voicemail"
    answer = await control(simulator, "voicemail", {"account": 1, "leave": 1})
    assert answer == {"unread": 0, "pending": 1}
    for _ in range(3):
        await poll(hass)
    assert _state(hass, sensor) == "0"  # still on its way

    simulator.clock.advance(VOICEMAIL_DELAY)
    assert simulator.store.value(":unread_vm_1") == "1"
    for _ in range(3):
        await poll(hass)
    assert _state(hass, sensor) == "1"
    assert _state(hass, "account_2_unread_voicemail") == "0"

    await control(simulator, "voicemail", {"account": 1, "listen": True})
    for _ in range(3):
        await poll(hass)
    assert _state(hass, sensor) == "0"


async def test_voicemail_with_push_heartbeats(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """Push set up: voicemail has no event; the 10th heartbeat reads it."""
    assert init_integration.runtime_data.coordinator.push_trusted
    await control(simulator, "voicemail", {"account": 2, "leave": 2})
    simulator.clock.advance(VOICEMAIL_DELAY)
    for _ in range(10):
        await poll(hass)
    assert _state(hass, "account_2_unread_voicemail") == "2"


@pytest.mark.usefixtures("ha_url")
async def test_voicemail_shows_after_a_push(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """Pushes arrive: the next push that reads everything shows the count.

    Voicemail itself has no Action URL event; DND turned on at the handset
    pushes `dnd_on`, and a push of an event outside the lines reads everything.
    """
    sensor = "account_1_unread_voicemail"
    simulator.phone.leave_voicemail(1)
    simulator.clock.advance(VOICEMAIL_DELAY)
    assert _state(hass, sensor) == "0"
    simulator.store.set_at_phone(":dnd", "1")  # fires the DND Action URL
    await simulator.pusher.wait()
    await hass.async_block_till_done(wait_background_tasks=True)
    assert init_integration.runtime_data.push.last_push is not None
    assert _state(hass, sensor) == "1"
    assert hass.states.get(entity_id(hass, "switch", "dnd")).state == "on"

    simulator.phone.listen_voicemail(1)
    simulator.store.set_at_phone(":dnd", "0")
    await simulator.pusher.wait()
    await hass.async_block_till_done(wait_background_tasks=True)
    assert _state(hass, sensor) == "0"


# -------------------------------------------- phones without the keys


class TestDeskPhone:
    """A GRP2614: no handset settings; voicemail per configured account."""

    @pytest.fixture
    def simulator_config(self) -> SimulatorConfig:
        return SimulatorConfig(profile="grp2614")

    async def test_no_setting_entities(
        self, hass: HomeAssistant, init_integration: MockConfigEntry
    ) -> None:
        caps = init_integration.runtime_data.coordinator.capabilities
        assert not set(cti.Setting) & set(caps.config_keys)
        keys = _keys(hass)
        assert not set(SETTINGS) & keys
        platforms = {
            item.domain
            for item in er.async_entries_for_config_entry(
                er.async_get(hass), init_integration.entry_id
            )
        }
        assert not {"number", "select"} & platforms

    @NO_PUSH
    async def test_voicemail_for_configured_accounts(
        self,
        hass: HomeAssistant,
        init_integration: MockConfigEntry,
        simulator: PhoneSimulator,
    ) -> None:
        keys = {key for key in _keys(hass) if key.endswith("_unread_voicemail")}
        assert keys == {"account_1_unread_voicemail", "account_2_unread_voicemail"}
        simulator.phone.set_unread_voicemail(2, 3)
        for _ in range(3):
            await poll(hass)
        assert _state(hass, "account_2_unread_voicemail") == "3"


class TestPasscodePhone:
    """A phone with only the passcode API: no settings, no voicemail count."""

    @pytest.fixture
    def simulator_config(self) -> SimulatorConfig:
        return SimulatorConfig(session_api=False)

    async def test_none_of_it(
        self, hass: HomeAssistant, init_integration: MockConfigEntry
    ) -> None:
        keys = _keys(hass)
        assert "account_1_account_status" in keys  # set up, accounts read
        assert not set(SETTINGS) & keys
        assert not [key for key in keys if key.endswith("_unread_voicemail")]
