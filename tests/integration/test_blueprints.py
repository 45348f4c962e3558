"""The automation blueprints in blueprints/automation/grandstream_cti/.

Each must pass Home Assistant's blueprint schema, make a valid automation, and
do its job end to end: the integration set up against the simulated phone, the
blueprint used by a real automation with the phone's real entities, the phone
rung through the simulator, and the action it calls (mocked: TTS, notify,
media players) checked for its data.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import datetime, time, timedelta
from pathlib import Path
import shutil
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.automation.config import async_validate_config_item
from homeassistant.components.blueprint.models import Blueprint
from homeassistant.components.blueprint.schemas import BLUEPRINT_SCHEMA
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    selector,
)
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from homeassistant.util.yaml import Input, load_yaml
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    async_mock_service,
)

from custom_components.grandstream_cti.const import DOMAIN
from simulator import PhoneSimulator

from .conftest import entity_id, poll

ROOT = Path(__file__).resolve().parents[2]
BLUEPRINTS = ROOT / "blueprints" / "automation" / DOMAIN
SOURCE_URL = (
    "https://github.com/grandstream-cti/grandstream-cti/blob/main/"
    "blueprints/automation/grandstream_cti/{}"
)
ANNOUNCE = "announce_caller.yaml"
MISSED = "missed_call_notify.yaml"
PAUSE = "pause_media_during_call.yaml"
NAMES = (ANNOUNCE, MISSED, PAUSE)
# What each blueprint picks from the phone: input -> (entity domain, entity key).
PHONE_ENTITIES = {
    ANNOUNCE: {"call_event": ("event", "call")},
    MISSED: {"call_event": ("event", "call")},
    PAUSE: {"in_call": ("binary_sensor", "in_call")},
}
NUMBER = "+15555550100"
NAME = "Carol"
# The number as the announcement reads it: digit by digit.
SPOKEN_NUMBER = "+ 1 5 5 5 5 5 5 0 1 0 0"
# Only a bound for a test that fails: an awaited action comes within milliseconds.
EVENT_TIMEOUT = 30

type ServiceCalls = list[ServiceCall]
type SetUpAutomation = Callable[[str, dict[str, Any]], Coroutine[Any, Any, None]]


# ------------------------------------------------------------------ helpers


def _raw(name: str) -> dict[str, Any]:
    """Load a blueprint as Home Assistant does (`!input` tags included)."""
    data: dict[str, Any] = load_yaml(BLUEPRINTS / name)
    return data


def _inputs(blueprint: Blueprint) -> dict[str, dict[str, Any]]:
    """Return the blueprint's inputs, sections flattened."""
    return {key: value or {} for key, value in blueprint.inputs.items()}


def show_caller_names(sim: PhoneSimulator, shown: bool) -> None:
    """Let the phone show (or hide) the caller's name while it rings.

    Real firmware often shows no name while a call rings. The simulator imitates
    that with a quirk: `caller_names` (names are opt-in) where it has it,
    `remote_name_empty_while_ringing` (names are opt-out) before that.
    """
    quirks = sim.quirks.as_dict()
    if "caller_names" in quirks:
        sim.quirks.update({"caller_names": shown})
    elif "remote_name_empty_while_ringing" in quirks:
        sim.quirks.update({"remote_name_empty_while_ringing": not shown})
    elif not shown:
        pytest.skip("this simulator cannot hide the caller's name")


def phone_inputs(hass: HomeAssistant, name: str) -> dict[str, Any]:
    """Return the phone's device and its real entities as the blueprint's inputs."""
    inputs: dict[str, Any] = {}
    for key, (domain, entity_key) in PHONE_ENTITIES[name].items():
        inputs[key] = entity_id(hass, domain, entity_key)
    entry = er.async_get(hass).async_get(next(iter(inputs.values())))
    assert entry is not None
    assert entry.device_id is not None
    inputs["phone"] = entry.device_id
    return inputs


def phone_name(hass: HomeAssistant, device_id: str) -> str:
    """Return the phone's name as the blueprints show it."""
    device = dr.async_get(hass).async_get(device_id)
    assert device is not None
    name = device.name_by_user or device.name
    assert name
    return name


def fired_at(hass: HomeAssistant) -> datetime:
    """Return when the call event entity last fired, in local time."""
    state = hass.states.get(entity_id(hass, "event", "call"))
    assert state is not None
    fired = dt_util.parse_datetime(state.state)
    assert fired is not None
    return dt_util.as_local(fired)


async def ring(hass: HomeAssistant, sim: PhoneSimulator, name: str = NAME) -> int:
    """Ring the phone and let a poll see it; return the line."""
    line = sim.phone.incoming(NUMBER, name)
    await poll(hass)
    return line


# ----------------------------------------------------------------- fixtures


@pytest.fixture(name="blueprint_folder")
def blueprint_folder_fixture(hass: HomeAssistant, tmp_path: Path) -> Path:
    """Give Home Assistant a configuration folder holding our blueprints.

    As a user's import does: blueprints/automation/grandstream_cti/<file>.
    """
    hass.config.config_dir = str(tmp_path)
    folder = Path(hass.config.path("blueprints", "automation", DOMAIN))
    folder.mkdir(parents=True)
    for name in NAMES:
        shutil.copy(BLUEPRINTS / name, folder / name)
    return folder


@pytest.fixture(name="set_up_automation")
def set_up_automation_fixture(
    hass: HomeAssistant, blueprint_folder: Path
) -> SetUpAutomation:
    """Return a function that sets up one automation from a blueprint."""

    async def set_up(name: str, inputs: dict[str, Any]) -> None:
        config = {
            "id": "grandstream_blueprint",
            "alias": "Blueprint under test",
            "use_blueprint": {"path": f"{DOMAIN}/{name}", "input": inputs},
        }
        assert await async_setup_component(hass, "automation", {"automation": config})
        await hass.async_block_till_done()
        state = hass.states.get("automation.blueprint_under_test")
        assert state is not None
        assert state.state == "on"

    return set_up


@pytest.fixture(name="notifications")
def notifications_fixture(hass: HomeAssistant) -> ServiceCalls:
    """Record persistent notifications (the blueprints' complaint channel)."""
    return async_mock_service(hass, "persistent_notification", "create")


# ---------------------------------------------------------- schema (a)


@pytest.mark.parametrize("name", NAMES)
def test_blueprint_schema(name: str) -> None:
    """Valid for Home Assistant's blueprint schema, with the metadata we promise."""
    blueprint = Blueprint(
        _raw(name),
        path=f"{DOMAIN}/{name}",
        expected_domain="automation",
        schema=BLUEPRINT_SCHEMA,
    )
    assert blueprint.validate() is None  # this Home Assistant is new enough
    metadata = blueprint.metadata
    assert metadata["name"].startswith("Grandstream phone - ")
    assert metadata["description"]
    assert metadata["source_url"] == SOURCE_URL.format(name)
    assert metadata["homeassistant"]["min_version"] == "2025.4.0"

    inputs = _inputs(blueprint)
    assert inputs["phone"]["selector"]["device"]["filter"] == [{"integration": DOMAIN}]
    for key, (domain, _) in PHONE_ENTITIES[name].items():
        (entity_filter,) = inputs[key]["selector"]["entity"]["filter"]
        assert entity_filter["integration"] == DOMAIN
        assert entity_filter["domain"] in (domain, [domain])  # normalised or not
    for key, value in inputs.items():
        assert value.get("name"), f"input {key} has no name"
        if "default" in value:  # a default must be something the selector accepts
            selector.selector(value["selector"])(value["default"])


@pytest.mark.parametrize("name", NAMES)
def test_every_input_is_used(name: str) -> None:
    """Each declared input is substituted somewhere (Blueprint checks the reverse)."""
    used: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, Input):
            used.add(value.name)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    raw = _raw(name)
    walk({key: value for key, value in raw.items() if key != "blueprint"})
    blueprint = Blueprint(raw, expected_domain="automation", schema=BLUEPRINT_SCHEMA)
    assert used == set(blueprint.inputs)


VALIDATION_INPUTS = {
    ANNOUNCE: {
        "phone": "0123456789abcdef0123456789abcdef",
        "call_event": "event.grp2614_alice_call",
        "tts_engine": "tts.home_assistant_cloud",
        "speakers": ["media_player.kitchen"],
    },
    MISSED: {
        "phone": "0123456789abcdef0123456789abcdef",
        "call_event": "event.grp2614_alice_call",
        "notify_service": "notify.mobile_app_pixel_8",
    },
    PAUSE: {
        "phone": "0123456789abcdef0123456789abcdef",
        "in_call": "binary_sensor.grp2614_alice_in_call",
        "media_players": ["media_player.kitchen", "media_player.office"],
    },
}


@pytest.mark.parametrize("name", NAMES)
async def test_automation_config_validates(
    hass: HomeAssistant, blueprint_folder: Path, name: str
) -> None:
    """An automation using the blueprint passes automation config validation."""
    config = {
        "id": "1",
        "alias": "From the blueprint",
        "use_blueprint": {"path": f"{DOMAIN}/{name}", "input": VALIDATION_INPUTS[name]},
    }
    validated = await async_validate_config_item(hass, "automation", config)
    assert validated is not None
    assert validated.validation_status == "ok", validated.validation_error
    assert validated["triggers"]
    assert validated["actions"]


# ----------------------------------------------------- announce the caller


async def test_announce_caller_name(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    set_up_automation: SetUpAutomation,
) -> None:
    """A ringing call is announced with the caller's name."""
    show_caller_names(simulator, shown=True)
    speak = async_mock_service(hass, "tts", "speak")
    await set_up_automation(
        ANNOUNCE,
        {
            **phone_inputs(hass, ANNOUNCE),
            "tts_engine": "tts.piper",
            "speakers": ["media_player.kitchen", "media_player.office"],
        },
    )
    await ring(hass, simulator)
    assert len(speak) == 1
    assert speak[0].data == {
        "entity_id": ["tts.piper"],
        "media_player_entity_id": ["media_player.kitchen", "media_player.office"],
        "message": f"Call from {NAME}",
    }


@pytest.mark.parametrize(
    ("name", "shown"),
    [("", True), (NAME, False), (NUMBER, True)],
    ids=["no_name", "name_hidden_while_ringing", "name_is_the_number"],
)
async def test_announce_caller_number_without_name(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    set_up_automation: SetUpAutomation,
    name: str,
    shown: bool,
) -> None:
    """No name on the phone (none, hidden while ringing, the number): the number."""
    show_caller_names(simulator, shown=shown)
    speak = async_mock_service(hass, "tts", "speak")
    await set_up_automation(
        ANNOUNCE,
        {
            **phone_inputs(hass, ANNOUNCE),
            "tts_engine": "tts.piper",
            "speakers": ["media_player.kitchen"],
            "message": "{phone}: {caller} is calling",
        },
    )
    await ring(hass, simulator, name)
    device = phone_inputs(hass, ANNOUNCE)["phone"]
    assert [call.data["message"] for call in speak] == [
        f"{phone_name(hass, device)}: {SPOKEN_NUMBER} is calling"
    ]


async def test_announce_only_incoming(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    set_up_automation: SetUpAutomation,
) -> None:
    """Answering, ending or missing a call says nothing."""
    speak = async_mock_service(hass, "tts", "speak")
    await set_up_automation(
        ANNOUNCE,
        {
            **phone_inputs(hass, ANNOUNCE),
            "tts_engine": "tts.piper",
            "speakers": ["media_player.kitchen"],
        },
    )
    line = await ring(hass, simulator)
    simulator.phone.accept_call()
    await poll(hass)
    simulator.phone.remote_hangup(line)
    await poll(hass)
    line = await ring(hass, simulator)
    simulator.phone.remote_hangup(line)
    await poll(hass)
    assert len(speak) == 2  # the two rings


@pytest.mark.parametrize(
    ("start", "end", "now", "announced"),
    [
        ("22:00:00", "07:00:00", time(23, 30), False),
        ("22:00:00", "07:00:00", time(6, 30), False),  # past midnight
        ("22:00:00", "07:00:00", time(12, 0), True),
        ("22:00:00", "07:00:00", time(7, 0), True),  # the end is not quiet
        ("13:00:00", "15:00:00", time(14, 0), False),
        ("13:00:00", "15:00:00", time(16, 0), True),
        ("13:00", "15:00", time(13, 0), False),  # YAML users may omit seconds
        ("00:00:00", "00:00:00", time(3, 0), True),  # equal: no quiet hours
    ],
)
async def test_announce_quiet_hours(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    set_up_automation: SetUpAutomation,
    start: str,
    end: str,
    now: time,
    announced: bool,
) -> None:
    """Within quiet hours nothing is said, across midnight too."""
    # A poll is driven 80 s ahead: ring 80 s before the time under test.
    # Tomorrow: the clock only moves forward (timers are due by then).
    local_now = datetime.combine(
        dt_util.now().date() + timedelta(days=1),
        now,
        tzinfo=dt_util.get_default_time_zone(),
    )
    freezer.move_to(local_now - timedelta(seconds=80))
    speak = async_mock_service(hass, "tts", "speak")
    await set_up_automation(
        ANNOUNCE,
        {
            **phone_inputs(hass, ANNOUNCE),
            "tts_engine": "tts.piper",
            "speakers": ["media_player.kitchen"],
            "quiet_start": start,
            "quiet_end": end,
        },
    )
    simulator.phone.incoming(NUMBER, NAME)
    freezer.move_to(local_now)
    await poll(hass, seconds=0)
    assert fired_at(hass).time() == now  # the call was seen at the time under test
    assert len(speak) == (1 if announced else 0)


# ---------------------------------------------------------- missed call


@pytest.mark.parametrize(
    ("shown", "caller"),
    [(True, f"{NAME} ({NUMBER})"), (False, NUMBER)],
    ids=["name", "name_hidden_while_ringing"],
)
async def test_missed_call_notify_service(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    set_up_automation: SetUpAutomation,
    shown: bool,
    caller: str,
) -> None:
    """A call that rings out: the notify action gets the caller and the time."""
    show_caller_names(simulator, shown=shown)
    notify = async_mock_service(hass, "notify", "mobile_app_pixel_8")
    inputs = phone_inputs(hass, MISSED)
    await set_up_automation(
        MISSED, {**inputs, "notify_service": "notify.mobile_app_pixel_8"}
    )
    line = await ring(hass, simulator)
    assert notify == []  # ringing is not missed
    simulator.phone.remote_hangup(line)
    await poll(hass)
    assert len(notify) == 1
    assert notify[0].data == {
        "title": phone_name(hass, inputs["phone"]),
        "message": f"Missed call from {caller} at {fired_at(hass):%H:%M}",
    }


async def test_missed_call_notify_entities(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    set_up_automation: SetUpAutomation,
) -> None:
    """Notify entities get it through notify.send_message; `notify.` is optional."""
    legacy = async_mock_service(hass, "notify", "family")
    send_message = async_mock_service(hass, "notify", "send_message")
    await set_up_automation(
        MISSED,
        {
            **phone_inputs(hass, MISSED),
            "notify_service": " family ",
            "notify_entities": ["notify.kitchen_display"],
            "title": "Phone",
            "message": "{caller} on {date} at {time}",
        },
    )
    line = await ring(hass, simulator, name="")
    simulator.phone.remote_hangup(line)
    await poll(hass)
    when = fired_at(hass)
    message = f"{NUMBER} on {when:%Y-%m-%d} at {when:%H:%M}"
    assert [call.data for call in legacy] == [{"title": "Phone", "message": message}]
    assert [call.data for call in send_message] == [
        {
            "entity_id": ["notify.kitchen_display"],
            "title": "Phone",
            "message": message,
        }
    ]


async def test_answered_call_is_not_missed(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    set_up_automation: SetUpAutomation,
) -> None:
    """An answered call that ends sends nothing."""
    notify = async_mock_service(hass, "notify", "mobile_app_pixel_8")
    await set_up_automation(
        MISSED, {**phone_inputs(hass, MISSED), "notify_service": "mobile_app_pixel_8"}
    )
    line = await ring(hass, simulator)
    simulator.phone.accept_call()
    await poll(hass)
    simulator.phone.remote_hangup(line)
    await poll(hass)
    assert notify == []


async def test_entity_of_another_phone(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    set_up_automation: SetUpAutomation,
    notifications: ServiceCalls,
) -> None:
    """The phone and the event entity do not match: a notification, no action."""
    other_entry = MockConfigEntry(domain=DOMAIN, unique_id="00:0b:82:65:43:21")
    other_entry.add_to_hass(hass)
    other = dr.async_get(hass).async_get_or_create(
        config_entry_id=other_entry.entry_id,
        identifiers={(DOMAIN, "00:0b:82:65:43:21")},
        name="GRP2614 Bob",
    )
    notify = async_mock_service(hass, "notify", "mobile_app_pixel_8")
    await set_up_automation(
        MISSED,
        {
            **phone_inputs(hass, MISSED),
            "phone": other.id,
            "notify_service": "notify.mobile_app_pixel_8",
        },
    )
    line = await ring(hass, simulator)
    simulator.phone.remote_hangup(line)
    await poll(hass)
    assert notify == []
    assert len(notifications) == 1
    assert notifications[0].data["notification_id"] == (
        "grandstream_cti_automation.blueprint_under_test"
    )
    message = notifications[0].data["message"]
    assert "Blueprint under test" in message
    assert entity_id(hass, "event", "call") in message
    assert "GRP2614 Bob" in message


# ----------------------------------------------------- pause media


class MediaActions:
    """Mocked media player actions that can be awaited.

    While the pause-media automation waits for the call to end, its run is a
    pending task, so `poll()` (which waits for every task) would wait for ever:
    these polls wait for the action the automation calls instead.
    """

    def __init__(self, hass: HomeAssistant) -> None:
        """Register media_player.media_pause and media_player.media_play."""
        self.hass = hass
        self.calls: dict[str, ServiceCalls] = {"media_pause": [], "media_play": []}
        self._called = {service: asyncio.Event() for service in self.calls}
        for service in self.calls:
            hass.services.async_register("media_player", service, self._record)

    async def _record(self, call: ServiceCall) -> None:
        self.calls[call.service].append(call)
        self._called[call.service].set()

    def targets(self, service: str) -> list[list[str]]:
        """Return the entity ids of each call of a service."""
        return [list(call.data["entity_id"]) for call in self.calls[service]]

    async def poll_until_called(self, service: str) -> None:
        """Drive a poll and wait until the automation calls `service`."""
        self._called[service].clear()
        async_fire_time_changed(self.hass, dt_util.utcnow() + timedelta(seconds=80))
        async with asyncio.timeout(EVENT_TIMEOUT):
            await self._called[service].wait()


@pytest.fixture(name="media")
def media_fixture(hass: HomeAssistant) -> MediaActions:
    """Mock the media player actions; the players' states are set by the tests."""
    return MediaActions(hass)


async def test_pause_media_during_call(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    set_up_automation: SetUpAutomation,
    media: MediaActions,
) -> None:
    """Playing players pause when the call is answered and resume when it ends."""
    hass.states.async_set("media_player.kitchen", "playing")
    hass.states.async_set("media_player.office", "paused")
    hass.states.async_set("media_player.bedroom", "off")
    await set_up_automation(
        PAUSE,
        {
            **phone_inputs(hass, PAUSE),
            "media_players": [
                "media_player.kitchen",
                "media_player.office",
                "media_player.bedroom",
            ],
        },
    )
    line = await ring(hass, simulator)
    assert media.calls["media_pause"] == []  # ringing is not a call yet

    simulator.phone.accept_call()
    await media.poll_until_called("media_pause")
    assert hass.states.get(entity_id(hass, "binary_sensor", "in_call")).state == "on"
    assert media.targets("media_pause") == [["media_player.kitchen"]]
    hass.states.async_set("media_player.kitchen", "paused")  # it obeys
    assert media.calls["media_play"] == []

    simulator.phone.remote_hangup(line)
    await media.poll_until_called("media_play")
    await hass.async_block_till_done(wait_background_tasks=True)  # the run ends
    assert hass.states.get(entity_id(hass, "binary_sensor", "in_call")).state == "off"
    assert media.targets("media_play") == [["media_player.kitchen"]]
    assert len(media.calls["media_pause"]) == 1


async def test_pause_media_nothing_playing(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    set_up_automation: SetUpAutomation,
    media: MediaActions,
) -> None:
    """Nothing playing when the call begins: nothing paused, nothing resumed."""
    hass.states.async_set("media_player.kitchen", "idle")
    await set_up_automation(
        PAUSE, {**phone_inputs(hass, PAUSE), "media_players": ["media_player.kitchen"]}
    )
    line = await ring(hass, simulator)
    simulator.phone.accept_call()
    await poll(hass)  # the run stops at once: nothing to wait for
    assert hass.states.get(entity_id(hass, "binary_sensor", "in_call")).state == "on"
    hass.states.async_set("media_player.kitchen", "playing")  # started in the call
    simulator.phone.remote_hangup(line)
    await poll(hass)
    assert media.calls == {"media_pause": [], "media_play": []}


async def test_pause_media_not_resumed_when_turned_off(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    set_up_automation: SetUpAutomation,
    media: MediaActions,
) -> None:
    """A player switched off during the call is not switched back on."""
    hass.states.async_set("media_player.kitchen", "playing")
    hass.states.async_set("media_player.office", "playing")
    await set_up_automation(
        PAUSE,
        {
            **phone_inputs(hass, PAUSE),
            "media_players": ["media_player.kitchen", "media_player.office"],
        },
    )
    line = await ring(hass, simulator)
    simulator.phone.accept_call()
    await media.poll_until_called("media_pause")
    assert media.targets("media_pause") == [
        ["media_player.kitchen", "media_player.office"]
    ]
    hass.states.async_set("media_player.kitchen", "paused")
    hass.states.async_set("media_player.office", "off")
    simulator.phone.remote_hangup(line)
    await media.poll_until_called("media_play")
    await hass.async_block_till_done(wait_background_tasks=True)
    assert media.targets("media_play") == [["media_player.kitchen"]]


# ------------------------------------------------------------ new voicemail

VOICEMAIL = "voicemail_notify.yaml"
# The checks above, for this blueprint too (NAMES predates it).
PHONE_ENTITIES[VOICEMAIL] = {
    "unread_voicemail": ("sensor", "account_1_unread_voicemail"),
}
VALIDATION_INPUTS[VOICEMAIL] = {
    "phone": "0123456789abcdef0123456789abcdef",
    "unread_voicemail": [
        "sensor.grp2614_alice_unread_voicemail_alice",
        "sensor.grp2614_alice_unread_voicemail_bob",
    ],
    "notify_service": "notify.mobile_app_pixel_8",
}
# The simulator counts a message this long after it is left (as a WP826 did).
VOICEMAIL_DELAY = 16


@pytest.fixture(name="voicemail_blueprint")
def voicemail_blueprint_fixture(blueprint_folder: Path) -> Path:
    """Put the voicemail blueprint next to the others in the configuration."""
    shutil.copy(BLUEPRINTS / VOICEMAIL, blueprint_folder / VOICEMAIL)
    return blueprint_folder


def voicemail_inputs(
    hass: HomeAssistant, accounts: tuple[int, ...] = (1, 2)
) -> dict[str, Any]:
    """Return the phone and its unread voicemail sensors as the blueprint's inputs."""
    sensors = [
        entity_id(hass, "sensor", f"account_{n}_unread_voicemail") for n in accounts
    ]
    entry = er.async_get(hass).async_get(sensors[0])
    assert entry is not None
    assert entry.device_id is not None
    return {"phone": entry.device_id, "unread_voicemail": sensors}


async def read_everything(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Let the next poll read everything (voicemail is not in the lines)."""
    entry.runtime_data.coordinator.request_full_read()
    await poll(hass)


def test_voicemail_blueprint_schema() -> None:
    """Valid, with the metadata and inputs every blueprint here promises."""
    test_blueprint_schema(VOICEMAIL)
    test_every_input_is_used(VOICEMAIL)
    blueprint = Blueprint(
        _raw(VOICEMAIL), expected_domain="automation", schema=BLUEPRINT_SCHEMA
    )
    inputs = _inputs(blueprint)
    assert inputs["unread_voicemail"]["selector"]["entity"]["multiple"] is True


async def test_voicemail_automation_config_validates(
    hass: HomeAssistant, voicemail_blueprint: Path
) -> None:
    """An automation using it passes automation config validation."""
    await test_automation_config_validates(hass, voicemail_blueprint, VOICEMAIL)


async def test_voicemail_notify_service(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    set_up_automation: SetUpAutomation,
    voicemail_blueprint: Path,
) -> None:
    """A message left on the phone: one notification; listening to it: none."""
    notify = async_mock_service(hass, "notify", "mobile_app_pixel_8")
    inputs = voicemail_inputs(hass)
    await set_up_automation(
        VOICEMAIL, {**inputs, "notify_service": "notify.mobile_app_pixel_8"}
    )
    simulator.phone.leave_voicemail(1)
    simulator.clock.advance(VOICEMAIL_DELAY)
    await read_everything(hass, init_integration)
    sensor = hass.states.get(inputs["unread_voicemail"][0])
    assert sensor is not None
    assert sensor.state == "1"
    assert [call.data for call in notify] == [
        {
            "title": phone_name(hass, inputs["phone"]),
            "message": "New voicemail for Alice (1 unread)",
        }
    ]

    simulator.phone.listen_voicemail(1)
    await read_everything(hass, init_integration)
    sensor = hass.states.get(inputs["unread_voicemail"][0])
    assert sensor is not None
    assert sensor.state == "0"
    assert len(notify) == 1  # a drop says nothing


async def test_voicemail_notify_entities_and_counts(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    set_up_automation: SetUpAutomation,
    voicemail_blueprint: Path,
) -> None:
    """Notify entities too; `{new}` and `{count}`; each rise once, per account."""
    legacy = async_mock_service(hass, "notify", "family")
    send_message = async_mock_service(hass, "notify", "send_message")
    await set_up_automation(
        VOICEMAIL,
        {
            **voicemail_inputs(hass),
            "notify_service": " family ",
            "notify_entities": ["notify.kitchen_display"],
            "title": "Voicemail on {phone}",
            "message": "{account}: {new} new, {count} unread ({phone})",
        },
    )
    phone = "GRP2614 Alice"
    simulator.phone.leave_voicemail(2, count=2)
    simulator.clock.advance(VOICEMAIL_DELAY)
    await read_everything(hass, init_integration)
    simulator.phone.set_unread_voicemail(2, 3)
    await read_everything(hass, init_integration)
    simulator.phone.set_unread_voicemail(2, 1)  # one listened to
    await read_everything(hass, init_integration)
    expected = [
        {
            "title": f"Voicemail on {phone}",
            "message": f"Bob: 2 new, 2 unread ({phone})",
        },
        {
            "title": f"Voicemail on {phone}",
            "message": f"Bob: 1 new, 3 unread ({phone})",
        },
    ]
    assert [call.data for call in legacy] == expected
    assert [call.data for call in send_message] == [
        {"entity_id": ["notify.kitchen_display"], **data} for data in expected
    ]


async def test_voicemail_not_notified_when_the_phone_comes_back(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    set_up_automation: SetUpAutomation,
    voicemail_blueprint: Path,
) -> None:
    """Away and back with messages: no notification for a count from unavailable."""
    notify = async_mock_service(hass, "notify", "mobile_app_pixel_8")
    await set_up_automation(
        VOICEMAIL,
        {**voicemail_inputs(hass, (1,)), "notify_service": "mobile_app_pixel_8"},
    )
    sensor = entity_id(hass, "sensor", "account_1_unread_voicemail")
    simulator.faults.set("offline", 0)
    await poll(hass)
    state = hass.states.get(sensor)
    assert state is not None
    assert state.state == "unavailable"
    simulator.phone.set_unread_voicemail(1, 2)
    simulator.faults.set("none")
    for _ in range(3):
        await read_everything(hass, init_integration)
    state = hass.states.get(sensor)
    assert state is not None
    assert state.state == "2"
    assert notify == []


async def test_voicemail_sensor_of_another_phone(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    set_up_automation: SetUpAutomation,
    voicemail_blueprint: Path,
    notifications: ServiceCalls,
) -> None:
    """The phone and the sensor do not match: a notification, no action."""
    other_entry = MockConfigEntry(domain=DOMAIN, unique_id="00:0b:82:65:43:21")
    other_entry.add_to_hass(hass)
    other = dr.async_get(hass).async_get_or_create(
        config_entry_id=other_entry.entry_id,
        identifiers={(DOMAIN, "00:0b:82:65:43:21")},
        name="GRP2614 Bob",
    )
    notify = async_mock_service(hass, "notify", "mobile_app_pixel_8")
    await set_up_automation(
        VOICEMAIL,
        {
            **voicemail_inputs(hass, (1,)),
            "phone": other.id,
            "notify_service": "notify.mobile_app_pixel_8",
        },
    )
    simulator.phone.set_unread_voicemail(1, 1)
    await read_everything(hass, init_integration)
    assert notify == []
    assert len(notifications) == 1
    message = notifications[0].data["message"]
    assert entity_id(hass, "sensor", "account_1_unread_voicemail") in message
    assert "GRP2614 Bob" in message
