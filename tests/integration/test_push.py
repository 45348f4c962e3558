"""Action URL push: the simulator calls the webhook over real HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import logging
from typing import Any
from unittest.mock import MagicMock, patch

import aiohttp
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_SCAN_INTERVAL, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.network import NoURLAvailableError
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.grandstream_cti.const import CONF_PUSH, DOMAIN
from custom_components.grandstream_cti.push import (
    _learn_mac,
    _resolve,
    action_urls,
    async_handle_push,
    webhook_base_url,
)
from simulator import PhoneSimulator

from .conftest import ENTRY_ID, collect_call_events, control, entity_id, poll

WEBHOOK_ID = "a" * 64
NO_URL_ISSUE = f"no_local_url_{ENTRY_ID}"

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
    hass: HomeAssistant,
    ha_url: str,
    mock_config_entry: MockConfigEntry,
    simulator: PhoneSimulator,
) -> MockConfigEntry:
    """Set up the phone with push, and wire the simulator's Action URLs."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, data={**mock_config_entry.data, CONF_WEBHOOK_ID: WEBHOOK_ID}
    )
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    base = webhook_base_url(hass, WEBHOOK_ID, "127.0.0.1")
    assert base is not None
    urls = {event.value: f"http://{url}" for event, url in action_urls(base).values()}
    await control(simulator, "action_url", {"urls": urls})
    return mock_config_entry


@pytest.fixture(name="fired")
def fired_fixture(hass: HomeAssistant, push_entry: MockConfigEntry) -> Fired:
    """Collect the call events the entity fires."""
    return collect_call_events(hass)


async def _until(check: Callable[[], bool], timeout: float = 3) -> None:
    """Wait until the simulator's push has arrived and been handled."""
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.02)


async def test_push_fires_events_at_once_and_only_once(
    hass: HomeAssistant, simulator: PhoneSimulator, fired: Fired
) -> None:
    """Ring and hang up: events arrive by push, and polling does not repeat them."""
    simulator.phone.incoming("+15555550100", "Carol")
    await _until(lambda: len(fired) == 1)
    assert fired[0] == {
        "type": "incoming",
        "line": None,
        "remote_number": "+15555550100",
        "remote_name": "",
    }
    await hass.async_block_till_done(wait_background_tasks=True)
    ringing = entity_id(hass, "binary_sensor", "ringing")
    # The push's refresh already shows the ringing, before any poll.
    assert hass.states.get(ringing).state == "on"

    simulator.phone.remote_hangup(1)
    await _until(lambda: len(fired) == 2)
    await hass.async_block_till_done(wait_background_tasks=True)
    await poll(hass)
    await poll(hass)
    assert [event["type"] for event in fired] == ["incoming", "missed"]
    assert fired[1]["line"] == 1
    assert hass.states.get(ringing).state == "off"


async def test_answered_and_ended_by_push(
    hass: HomeAssistant,
    push_entry: MockConfigEntry,
    simulator: PhoneSimulator,
    fired: Fired,
) -> None:
    """A whole call, with the phone answering through Home Assistant."""
    simulator.phone.incoming("+15555550100")
    await _until(lambda: len(fired) == 1)
    await hass.async_block_till_done(wait_background_tasks=True)
    await hass.services.async_call(
        "button",
        "press",
        {"entity_id": entity_id(hass, "button", "accept_call")},
        blocking=True,
    )
    await _until(lambda: len(fired) == 2)
    simulator.phone.remote_hangup(1)
    await _until(lambda: len(fired) == 3)
    await hass.async_block_till_done(wait_background_tasks=True)
    await poll(hass)
    assert [event["type"] for event in fired] == ["incoming", "answered", "ended"]


async def test_push_from_another_address_is_ignored(
    hass: HomeAssistant,
    ha_url: str,
    push_entry: MockConfigEntry,
    fired: Fired,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Only the phone's own address counts; others get nothing useful back."""
    url = f"{ha_url}/api/webhook/{WEBHOOK_ID}?event=incoming_call&remote=666"
    caplog.set_level(logging.DEBUG, logger="custom_components.grandstream_cti")
    connector = aiohttp.TCPConnector(local_addr=("127.0.0.2", 0))
    async with (
        aiohttp.ClientSession(connector=connector) as session,
        session.get(url) as response,
    ):
        assert response.status == 200
        assert await response.text() == ""
    await hass.async_block_till_done()
    assert fired == []
    assert "from another address" in caplog.text


async def test_wrong_webhook_id_is_ignored(
    hass: HomeAssistant, ha_url: str, push_entry: MockConfigEntry, fired: Fired
) -> None:
    """A request to another id changes nothing."""
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{ha_url}/api/webhook/{'b' * 64}?event=incoming_call") as response,
    ):
        assert response.status == 200
    await hass.async_block_till_done()
    assert fired == []


async def test_non_call_push_refreshes(
    hass: HomeAssistant,
    push_entry: MockConfigEntry,
    simulator: PhoneSimulator,
    fired: Fired,
) -> None:
    """A registration push refreshes the sensors without a call event."""
    account = entity_id(hass, "sensor", "account_1_account_status")
    simulator.phone.set_registered(1, False)
    await _until(lambda: push_entry.runtime_data.coordinator.last_push is not None)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get(account).state == "not_registered"
    assert fired == []


async def test_push_teaches_the_mac(
    hass: HomeAssistant,
    ha_url: str,
    mock_config_entry: MockConfigEntry,
    simulator: PhoneSimulator,
) -> None:
    """A phone added by host is keyed by the MAC its first push reveals."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry,
        unique_id="127.0.0.1",
        data={**mock_config_entry.data, CONF_WEBHOOK_ID: WEBHOOK_ID},
    )
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    base = webhook_base_url(hass, WEBHOOK_ID, "127.0.0.1")
    await control(simulator, "action_url", {"url": base})
    simulator.phone.incoming("100")
    await _until(lambda: mock_config_entry.unique_id == "00:0b:82:12:34:56")


async def test_no_local_url_issue(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Push on but no URL the phone can reach: raise an issue; a URL clears it."""
    mock_config_entry.add_to_hass(hass)
    # The test harness always has a fallback URL; a real install may not.
    with patch(
        "custom_components.grandstream_cti.push.get_url",
        side_effect=NoURLAvailableError,
    ):
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, NO_URL_ISSUE) is not None
    # An entry from before push got a webhook id.
    assert len(mock_config_entry.data[CONF_WEBHOOK_ID]) == 64

    await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, NO_URL_ISSUE) is None


async def test_loopback_url_does_not_serve_a_network_phone(hass: HomeAssistant) -> None:
    """A phone elsewhere cannot reach Home Assistant's localhost."""
    await async_process_ha_core_config(hass, {"internal_url": "http://127.0.0.1:8123"})
    assert webhook_base_url(hass, WEBHOOK_ID, "192.168.1.50") is None
    assert webhook_base_url(hass, WEBHOOK_ID, "127.0.0.1") == (
        f"http://127.0.0.1:8123/api/webhook/{WEBHOOK_ID}"
    )


async def test_turning_push_off(
    hass: HomeAssistant,
    ha_url: str,
    push_entry: MockConfigEntry,
    simulator: PhoneSimulator,
    issue_registry: ir.IssueRegistry,
    fired: Fired,
) -> None:
    """Push off reloads the phone without its webhook; polling still works."""
    hass.config_entries.async_update_entry(
        push_entry, options={CONF_PUSH: False, CONF_SCAN_INTERVAL: 10}
    )
    await hass.async_block_till_done()
    assert push_entry.state is ConfigEntryState.LOADED
    assert push_entry.runtime_data.push_enabled is False
    simulator.phone.incoming("100")
    await asyncio.sleep(0.3)
    await hass.async_block_till_done()
    assert push_entry.runtime_data.coordinator.last_push is None
    await poll(hass)
    assert hass.states.get(entity_id(hass, "binary_sensor", "ringing")).state == "on"
    assert issue_registry.async_get_issue(DOMAIN, NO_URL_ISSUE) is None


def test_action_urls_fit_the_phone() -> None:
    """Every URL we hand out fits the phone's 256 characters and has its field."""
    base = f"http://192.168.100.200:8123/api/webhook/{WEBHOOK_ID}"
    urls = action_urls(base)
    assert "P8310" in urls
    assert all(len(url) <= 256 for _, url in urls.values())
    assert all(not url.startswith("http://") for _, url in urls.values())
    assert all(" " not in url for _, url in urls.values())


async def test_config_flow_shows_the_action_urls(
    hass: HomeAssistant, ha_url: str, simulator: PhoneSimulator
) -> None:
    """The last step lists each phone field with this entry's webhook URL."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": "user"}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            "host": "127.0.0.1",
            "port": simulator.port,
            "ssl": False,
            "verify_ssl": False,
            "password": "admin",
        },
    )
    assert result["step_id"] == "action_urls"
    urls = result["description_placeholders"]["urls"]
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    await hass.async_block_till_done()
    webhook_id = result["result"].data[CONF_WEBHOOK_ID]
    host = ha_url.removeprefix("http://")
    assert f"- P8310 (incoming call): `{host}/api/webhook/{webhook_id}?event=" in urls
    assert urls.count("\n") == 11


async def test_options_show_urls_and_toggle_push(
    hass: HomeAssistant, push_entry: MockConfigEntry, ha_url: str
) -> None:
    """The options repeat the URLs; turning push off there reloads without it."""
    result = await hass.config_entries.options.async_init(push_entry.entry_id)
    assert WEBHOOK_ID in result["description_placeholders"]["urls"]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SCAN_INTERVAL: 10, CONF_PUSH: False}
    )
    await hass.async_block_till_done()
    assert push_entry.options == {CONF_SCAN_INTERVAL: 10, CONF_PUSH: False}
    assert push_entry.runtime_data.push_enabled is False


async def test_flow_says_when_there_is_no_url(
    hass: HomeAssistant, push_entry: MockConfigEntry
) -> None:
    """Without a reachable URL, the step explains where to set one."""
    with patch(
        "custom_components.grandstream_cti.push.get_url",
        side_effect=NoURLAvailableError,
    ):
        result = await hass.config_entries.options.async_init(push_entry.entry_id)
    assert "no local URL" in result["description_placeholders"]["urls"]


async def test_push_resolves_host_names(hass: HomeAssistant) -> None:
    """A phone added by name is matched by the addresses its name has."""
    assert "127.0.0.1" in await _resolve(hass, "localhost")
    assert await _resolve(hass, "[::1]") == {"::1"}
    with patch.object(hass.loop, "getaddrinfo", side_effect=OSError):
        assert await _resolve(hass, "phone.lan") == set()


async def test_loopback_names(hass: HomeAssistant) -> None:
    """localhost serves only a phone on this machine; names are not loopback."""
    await async_process_ha_core_config(hass, {"internal_url": "http://localhost:8123"})
    assert webhook_base_url(hass, WEBHOOK_ID, "phone.lan") is None
    assert webhook_base_url(hass, WEBHOOK_ID, "localhost") is not None


async def test_push_without_a_source_address(
    hass: HomeAssistant, push_entry: MockConfigEntry, fired: Fired
) -> None:
    """A request with no usable peer address is dropped."""
    request = MagicMock(remote=None)
    assert await async_handle_push(push_entry, hass, request) is None
    assert fired == []


async def test_learning_the_mac_keeps_ids_unique(hass: HomeAssistant) -> None:
    """A MAC another entry already has, or a malformed one, is not taken."""
    first = MockConfigEntry(domain=DOMAIN, unique_id="00:0b:82:00:00:01")
    second = MockConfigEntry(domain=DOMAIN, unique_id="phone.lan")
    first.add_to_hass(hass)
    second.add_to_hass(hass)
    _learn_mac(hass, second, "000b82000001")
    _learn_mac(hass, second, "zz")
    assert second.unique_id == "phone.lan"
    _learn_mac(hass, second, "000b82000002")
    assert second.unique_id == "00:0b:82:00:00:02"


async def test_late_push_after_polling_fires_nothing_more(
    hass: HomeAssistant,
    ha_url: str,
    push_entry: MockConfigEntry,
    simulator: PhoneSimulator,
    fired: Fired,
) -> None:
    """Polling saw the ring first; the phone's late push is the same event."""
    await control(simulator, "action_url", {"url": "", "urls": {}})
    simulator.phone.incoming("+15555550100")
    await poll(hass)
    assert [event["type"] for event in fired] == ["incoming"]

    late = f"{ha_url}/api/webhook/{WEBHOOK_ID}?event=incoming_call&remote=+15555550100"
    async with aiohttp.ClientSession() as session, session.get(late) as response:
        assert response.status == 200
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [event["type"] for event in fired] == ["incoming"]
