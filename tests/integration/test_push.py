"""Action URL push end to end: the simulator calls the webhook over real HTTP.

The entry writes its Action URLs into the simulated phone's slots itself
(session API); the phone then pushes on each event, the push makes the
phone be read at once, and events come from the reading.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from unittest.mock import patch

import aiohttp
from homeassistant.config_entries import ConfigEntryDisabler, ConfigEntryState
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.network import NoURLAvailableError
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.grandstream_cti import commands as commands_module
from custom_components.grandstream_cti.const import CONF_PUSH, DOMAIN
from custom_components.grandstream_cti.coordinator import GrandstreamCoordinator
from custom_components.grandstream_cti.cti import action_urls, resolve_host
from custom_components.grandstream_cti.push import HANDED_OUT_EVENTS, webhook_url
from simulator import PhoneSimulator, SimulatorConfig

from .conftest import ENTRY_ID, WEBHOOK_ID, collect_call_events, entity_id, poll

NO_URL_ISSUE = f"no_local_url_{ENTRY_ID}"
OTHER_ADDRESS_ISSUE = f"push_from_other_address_{ENTRY_ID}"
READS = {"api-get_line_status", "api-get_phone_status", "api-get_accounts"}

type Fired = list[dict[str, Any]]


@pytest.fixture(name="ha_url")
async def ha_url_fixture(
    hass: HomeAssistant, hass_client_no_auth: ClientSessionGenerator
) -> str:
    """Serve Home Assistant's HTTP on loopback and make it the local URL."""
    assert await async_setup_component(hass, "webhook", {})
    client = await hass_client_no_auth()
    url = str(client.make_url("")).rstrip("/")
    await async_process_ha_core_config(hass, {"internal_url": url})
    return url


@pytest.fixture(name="push_entry")
async def push_entry_fixture(
    hass: HomeAssistant, ha_url: str, init_integration: MockConfigEntry
) -> MockConfigEntry:
    """The phone set up with push; its Action URLs written into the phone."""
    return init_integration


@pytest.fixture(name="fired")
def fired_fixture(hass: HomeAssistant, push_entry: MockConfigEntry) -> Fired:
    """Collect the call events the entity fires."""
    return collect_call_events(hass)


async def _pushed(hass: HomeAssistant, simulator: PhoneSimulator) -> None:
    """Wait until the phone's pushes arrived and the reads they caused are done."""
    await simulator.pusher.wait()
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_slots_hold_the_entrys_urls(
    hass: HomeAssistant, push_entry: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """The phone's slots hold this entry's URLs, read back; the runtime knows."""
    slots = push_entry.runtime_data.push.slots
    assert set(slots) >= {"P8310", "P8312", "P8313", "P8314", "P8315"}
    store = simulator.store
    assert store.value("8310") == slots["P8310"]
    assert f"/api/webhook/{WEBHOOK_ID}?" in slots["P8310"]


async def test_push_reads_the_phone_at_once(
    hass: HomeAssistant, simulator: PhoneSimulator, fired: Fired
) -> None:
    """Ring: the push makes the phone be read; the event has line and number."""
    simulator.phone.incoming("+15555550100", "Carol")
    await _pushed(hass, simulator)
    assert fired == [
        {
            "type": "incoming",
            "line": 1,
            "remote_number": "+15555550100",
            # Real firmware shows no name while ringing.
            "remote_name": "",
        }
    ]
    assert hass.states.get(entity_id(hass, "binary_sensor", "ringing")).state == "on"

    simulator.phone.remote_hangup(1)
    await _pushed(hass, simulator)
    await poll(hass)
    assert [event["type"] for event in fired] == ["incoming", "missed"]
    assert fired[1]["line"] == 1


async def test_push_and_polling_give_the_same_events(
    hass: HomeAssistant,
    push_entry: MockConfigEntry,
    simulator: PhoneSimulator,
    fired: Fired,
) -> None:
    """The same call seen by push, then by polling alone: identical events."""

    async def one_call(settle: Any) -> list[dict[str, Any]]:
        start = len(fired)
        line = simulator.phone.incoming("+15555550100")
        await settle()
        await hass.services.async_call(
            "button",
            "press",
            {"entity_id": entity_id(hass, "button", "accept_call")},
            blocking=True,
        )
        await settle()
        simulator.phone.remote_hangup(line)
        await settle()
        return fired[start:]

    by_push = await one_call(lambda: _pushed(hass, simulator))
    simulator.set_action_url("", {})
    for key in push_entry.runtime_data.push.slots:
        simulator.store.write(key.removeprefix("P"), "", "admin")
    by_polling = await one_call(lambda: poll(hass))
    assert [event["type"] for event in by_push] == ["incoming", "answered", "ended"]
    assert by_polling == by_push
    # Connected, the phone copies the number into the name: not a name.
    assert {event["remote_name"] for event in by_push} == {""}


async def test_rejected_on_the_phone(
    hass: HomeAssistant, simulator: PhoneSimulator, fired: Fired
) -> None:
    """The phone's "rejected" push says how the ringing call ended."""
    simulator.phone.incoming("+15555550100")
    await _pushed(hass, simulator)
    simulator.phone.reject_call()
    await _pushed(hass, simulator)
    assert [event["type"] for event in fired] == ["incoming", "rejected"]


async def test_two_calls_from_one_number_on_two_lines(
    hass: HomeAssistant, simulator: PhoneSimulator, fired: Fired
) -> None:
    """Each line's call is its own event, even from the same number."""
    simulator.phone.incoming("+15555550100", line=1)
    await _pushed(hass, simulator)
    simulator.phone.accept_call()
    await _pushed(hass, simulator)
    simulator.phone.incoming("+15555550100", line=2)
    await _pushed(hass, simulator)
    simulator.phone.remote_hangup(2)
    await _pushed(hass, simulator)
    assert [(event["type"], event["line"]) for event in fired] == [
        ("incoming", 1),
        ("answered", 1),
        ("incoming", 2),
        ("missed", 2),
    ]


async def test_push_from_another_address(
    hass: HomeAssistant,
    ha_url: str,
    push_entry: MockConfigEntry,
    fired: Fired,
    issue_registry: ir.IssueRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Dropped without an answer; the user is told once, naming the address."""
    url = f"{ha_url}/api/webhook/{WEBHOOK_ID}?event=incoming_call&remote=666"
    caplog.set_level(logging.WARNING, logger="custom_components.grandstream_cti")
    for _ in range(3):
        connector = aiohttp.TCPConnector(local_addr=("127.0.0.2", 0))
        async with (
            aiohttp.ClientSession(connector=connector) as session,
            session.get(url) as response,
        ):
            assert response.status == 200
            assert await response.text() == ""
    await hass.async_block_till_done(wait_background_tasks=True)
    assert fired == []
    assert push_entry.runtime_data.push.last_push is None
    assert caplog.text.count("127.0.0.2") == 1
    issue = issue_registry.async_get_issue(DOMAIN, OTHER_ADDRESS_ISSUE)
    assert issue is not None
    assert issue.translation_placeholders["address"] == "127.0.0.2"

    # A push from the phone's own address clears it.
    async with aiohttp.ClientSession() as session, session.get(url):
        pass
    await hass.async_block_till_done(wait_background_tasks=True)
    assert issue_registry.async_get_issue(DOMAIN, OTHER_ADDRESS_ISSUE) is None


async def test_wrong_webhook_id_is_ignored(
    hass: HomeAssistant, ha_url: str, push_entry: MockConfigEntry, fired: Fired
) -> None:
    """A request to another id changes nothing."""
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{ha_url}/api/webhook/{'b' * 64}?event=incoming_call") as response,
    ):
        assert response.status == 200
    await hass.async_block_till_done(wait_background_tasks=True)
    assert fired == []


async def test_registration_push_reads_everything(
    hass: HomeAssistant,
    push_entry: MockConfigEntry,
    simulator: PhoneSimulator,
    fired: Fired,
) -> None:
    """A registration push updates the account sensor without a call event."""
    account = entity_id(hass, "sensor", "account_1_account_status")
    simulator.phone.set_registered(1, False)
    await _pushed(hass, simulator)
    assert hass.states.get(account).state == "not_registered"
    assert fired == []


async def _release_reads(
    simulator: PhoneSimulator, coordinator: GrandstreamCoordinator
) -> None:
    """Move the slow phone's clock until the coordinator's reads are done."""
    done = asyncio.ensure_future(coordinator.reads.idle())
    while not done.done():
        held = asyncio.ensure_future(
            simulator.wait_until(lambda: simulator.pausing > 0)
        )
        await asyncio.wait({done, held}, return_when=asyncio.FIRST_COMPLETED)
        held.cancel()
        if not done.done():
            simulator.clock.advance(5)
    await done


class TestSlowPhone:
    """A phone that answers only when the test moves its clock."""

    @pytest.fixture
    def simulator_config(self) -> SimulatorConfig:
        return SimulatorConfig(manual_clock=True, call_connect_delay=0)

    async def _burst(self, ha_url: str, count: int = 10) -> None:
        async with aiohttp.ClientSession() as session:
            for _ in range(count):
                async with session.get(
                    f"{ha_url}/api/webhook/{WEBHOOK_ID}?event=registered"
                ):
                    pass

    async def test_push_burst_reads_at_most_twice(
        self,
        hass: HomeAssistant,
        ha_url: str,
        push_entry: MockConfigEntry,
        simulator: PhoneSimulator,
    ) -> None:
        """Ten pushes against a slow phone: one read running, one waiting."""
        simulator.set_fault("latency", 5)
        simulator.requests.clear()
        await self._burst(ha_url)
        await simulator.wait_until(lambda: simulator.pausing == 1)
        await _release_reads(simulator, push_entry.runtime_data.coordinator)
        await hass.async_block_till_done(wait_background_tasks=True)
        line_reads = [
            r for r in simulator.requests if r["function"] == "api-get_line_status"
        ]
        assert len(line_reads) == 2

    async def test_a_command_never_waits_behind_reads(
        self,
        hass: HomeAssistant,
        ha_url: str,
        push_entry: MockConfigEntry,
        simulator: PhoneSimulator,
    ) -> None:
        """A command sent during a push burst reaches the phone at once."""
        simulator.phone.incoming("+15555550100")
        await poll(hass)
        simulator.set_fault("latency", 5)
        simulator.requests.clear()
        await self._burst(ha_url)
        await simulator.wait_until(lambda: simulator.pausing == 1)
        press = hass.async_create_task(
            hass.services.async_call(
                "button",
                "press",
                {"entity_id": entity_id(hass, "button", "accept_call")},
                blocking=True,
            )
        )
        await simulator.wait_until(
            lambda: any(
                r["function"] == "api-phone_operation" for r in simulator.requests
            )
        )
        functions = [request["function"] for request in simulator.requests]
        ahead = functions[: functions.index("api-phone_operation")]
        # Only the read that was already running when the command came.
        assert len([f for f in ahead if f in READS]) == 1
        assert simulator.pausing == 2
        while not press.done():
            held = asyncio.ensure_future(
                simulator.wait_until(lambda: simulator.pausing > 0)
            )
            await asyncio.wait({press, held}, return_when=asyncio.FIRST_COMPLETED)
            held.cancel()
            if not press.done():
                simulator.clock.advance(5)
        await press
        await _release_reads(simulator, push_entry.runtime_data.coordinator)
        simulator.set_fault("none")
        await hass.async_block_till_done(wait_background_tasks=True)

    async def test_a_slow_read_after_a_command_does_not_hold_the_action(
        self,
        hass: HomeAssistant,
        init_integration: MockConfigEntry,
        simulator: PhoneSimulator,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """The action returns once the phone ran the command; states follow later."""
        monkeypatch.setattr(commands_module, "COMMAND_READ_WAIT", 0.05)
        simulator.phone.incoming("+15555550100")
        await poll(hass)
        status = entity_id(hass, "sensor", "phone_status")
        assert hass.states.get(status).state == "ringing"
        simulator.set_fault("latency", 5)
        simulator.requests.clear()
        press = hass.async_create_task(
            hass.services.async_call(
                "button",
                "press",
                {"entity_id": entity_id(hass, "button", "accept_call")},
                blocking=True,
            )
        )
        await simulator.wait_until(lambda: simulator.pausing == 1)
        simulator.clock.advance(5)  # the phone answers the command
        # The read after it is held by the phone: the action returns anyway.
        await simulator.wait_until(lambda: simulator.pausing == 1)
        await press
        assert hass.states.get(status).state == "ringing"
        await _release_reads(simulator, init_integration.runtime_data.coordinator)
        simulator.set_fault("none")
        await hass.async_block_till_done(wait_background_tasks=True)
        assert hass.states.get(status).state == "busy"


async def test_push_while_waiting_to_retry_setup(
    hass: HomeAssistant,
    ha_url: str,
    mock_config_entry: MockConfigEntry,
    simulator: PhoneSimulator,
) -> None:
    """A phone that pushes while its entry waits to retry (a reboot) is set up now."""
    simulator.set_fault("offline")
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    simulator.set_fault("none")
    async with aiohttp.ClientSession() as session:
        for _ in range(3):
            async with session.get(
                f"{ha_url}/api/webhook/{WEBHOOK_ID}?event=setup_completed"
            ):
                pass
    await hass.async_block_till_done(wait_background_tasks=True)
    assert mock_config_entry.state is ConfigEntryState.LOADED


async def test_no_local_url_issue(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Push on but no URL the phone can reach: raise an issue; a URL clears it."""
    mock_config_entry.add_to_hass(hass)
    with patch(
        "custom_components.grandstream_cti.push.get_url",
        side_effect=NoURLAvailableError,
    ):
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, NO_URL_ISSUE) is not None
    await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, NO_URL_ISSUE) is None


async def test_loopback_url_does_not_serve_a_network_phone(hass: HomeAssistant) -> None:
    """A phone elsewhere cannot reach Home Assistant's localhost."""
    await async_process_ha_core_config(hass, {"internal_url": "http://127.0.0.1:8123"})
    assert webhook_url(hass, WEBHOOK_ID, "192.168.1.50") is None
    assert webhook_url(hass, WEBHOOK_ID, "127.0.0.1") == (
        f"http://127.0.0.1:8123/api/webhook/{WEBHOOK_ID}"
    )
    await async_process_ha_core_config(hass, {"internal_url": "http://localhost:8123"})
    assert webhook_url(hass, WEBHOOK_ID, "phone.lan") is None
    assert webhook_url(hass, WEBHOOK_ID, "localhost") is not None


async def test_turning_push_off(
    hass: HomeAssistant,
    push_entry: MockConfigEntry,
    simulator: PhoneSimulator,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Push off reloads the phone without its webhook; polling still works."""
    result = await hass.config_entries.options.async_init(push_entry.entry_id)
    await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_PUSH: False, "auto_push": True}
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert push_entry.state is ConfigEntryState.LOADED
    assert push_entry.runtime_data.push.enabled is False
    simulator.phone.incoming("100")
    await simulator.pusher.wait()
    await hass.async_block_till_done(wait_background_tasks=True)
    assert push_entry.runtime_data.push.last_push is None
    await poll(hass)
    assert hass.states.get(entity_id(hass, "binary_sensor", "ringing")).state == "on"
    assert issue_registry.async_get_issue(DOMAIN, NO_URL_ISSUE) is None


def test_action_urls_fit_the_phone() -> None:
    """Every URL we hand out fits the phone's 256 characters and has its field."""
    base = f"http://192.168.100.200:8123/api/webhook/{WEBHOOK_ID}"
    urls = action_urls(base, HANDED_OUT_EVENTS)
    assert "P8310" in urls
    assert all(len(url) <= 256 for url in urls.values())
    assert all(" " not in url for url in urls.values())


async def test_passcode_phone_flow_shows_the_action_urls(
    hass: HomeAssistant, ha_url: str
) -> None:
    """A passcode-only phone gets the list to paste; a session phone does not."""
    passcode_phone = PhoneSimulator(SimulatorConfig(session_api=False))
    await passcode_phone.start()
    try:
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": "user"}
        )
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {
                "host": "127.0.0.1",
                "port": passcode_phone.port,
                "ssl": False,
                "verify_ssl": False,
                "password": "admin",
            },
        )
        assert result["step_id"] == "action_urls"
        urls = result["description_placeholders"]["urls"]
        result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
        await hass.async_block_till_done(wait_background_tasks=True)
    finally:
        await passcode_phone.stop()
    webhook_id = result["result"].data[CONF_WEBHOOK_ID]
    assert f"- P8310 (incoming call): `{ha_url}/api/webhook/{webhook_id}?" in urls
    assert urls.count("\n") == 11


async def test_push_resolves_host_names(hass: HomeAssistant) -> None:
    """A phone added by name is matched by the addresses its name has."""
    assert "127.0.0.1" in await resolve_host("localhost")
    assert await resolve_host("[::1]") == {"::1"}
    assert await resolve_host("::ffff:127.0.0.1") == {"127.0.0.1"}
    with patch.object(hass.loop, "getaddrinfo", side_effect=OSError):
        assert await resolve_host("phone.lan") == {"phone.lan"}


async def test_webhook_of_a_disabled_entry_goes_away(
    hass: HomeAssistant,
    ha_url: str,
    mock_config_entry: MockConfigEntry,
    simulator: PhoneSimulator,
) -> None:
    """An entry disabled while it waited to retry keeps no webhook past a push.

    Home Assistant does not unload an entry that never loaded, so its webhook
    outlives it; the next request to it unregisters it.
    """
    simulator.set_fault("offline")
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    await hass.config_entries.async_set_disabled_by(
        mock_config_entry.entry_id, ConfigEntryDisabler.USER
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert WEBHOOK_ID in hass.data["webhook"]
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{ha_url}/api/webhook/{WEBHOOK_ID}?event=incoming_call"),
    ):
        pass
    await hass.async_block_till_done(wait_background_tasks=True)
    assert WEBHOOK_ID not in hass.data["webhook"]
    assert mock_config_entry.state is ConfigEntryState.NOT_LOADED
