"""A wrong password costs a phone at most one request per attempt, then nothing.

Phones lock web logins after 5 failures. Every attempt (setup, poll, push,
command, reload, flow submit) sends at most one request with a password not
yet known to work; once the phone rejected it, nothing more goes out with it
until the user enters a new one, however many requests were already waiting.
"""

from __future__ import annotations

import asyncio

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import CONF_PASSWORD, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.grandstream_cti.const import CONF_REJECTED, DOMAIN
from simulator import PhoneSimulator, SimulatorConfig

from .conftest import password_requests, phone_device, poll

NEW_PASSWORD = "changed-on-the-phone"


@pytest.fixture(params=["session", "passcode"])
def simulator_config(request: pytest.FixtureRequest) -> SimulatorConfig:
    """A GRP2614 through its session API, and one that has only the passcode API."""
    return SimulatorConfig(session_api=request.param == "session")


def _reauth_flows(hass: HomeAssistant, entry: MockConfigEntry) -> list[object]:
    return [
        flow
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        if flow["context"]["source"] == SOURCE_REAUTH
        and flow["context"].get("entry_id") == entry.entry_id
    ]


async def _push(hass_client: ClientSessionGenerator, entry: MockConfigEntry) -> int:
    client = await hass_client()
    response = await client.get(
        f"/api/webhook/{entry.data[CONF_WEBHOOK_ID]}?event=incoming_call&mac=x"
    )
    return response.status


async def _setup_with_wrong_password(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, CONF_PASSWORD: "wrong"}
    )
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_wrong_password_at_setup_costs_one_request(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    simulator: PhoneSimulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Setup tries once, asks the user, and then nothing reaches the phone."""
    assert await async_setup_component(hass, "webhook", {})
    await _setup_with_wrong_password(hass, mock_config_entry)
    assert mock_config_entry.state is ConfigEntryState.SETUP_ERROR
    assert password_requests(simulator) == 1
    assert _reauth_flows(hass, mock_config_entry)
    assert mock_config_entry.data[CONF_REJECTED] is True
    # The webhook is gone: a push does nothing.
    await _push(hass_client_no_auth, mock_config_entry)
    for _ in range(3):
        await poll(hass)
    assert password_requests(simulator) == 1
    assert simulator.auth_failures == 1


async def test_password_changed_while_loaded(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """The next poll tries once and asks the user; then nothing reaches the phone.

    Polling stops, pushes and actions send nothing, and no reload is
    scheduled that could try again.
    """
    assert await async_setup_component(hass, "webhook", {})
    device = phone_device(hass)
    simulator.update_config({"passcode": NEW_PASSWORD})
    simulator.sessions.expire_all()
    before = password_requests(simulator)
    await poll(hass)
    assert password_requests(simulator) == before + 1
    assert init_integration.state is ConfigEntryState.LOADED
    assert init_integration.runtime_data.client.password_rejected
    assert init_integration.data[CONF_REJECTED] is True
    assert _reauth_flows(hass, init_integration)
    requests = len(simulator.requests)

    await _push(hass_client_no_auth, init_integration)
    await poll(hass)
    await poll(hass)
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN, "end_call", {"device_id": device.id}, blocking=True
        )
    assert err.value.translation_key in ("invalid_auth", "invalid_auth_attempts")
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len(simulator.requests) == requests
    assert password_requests(simulator) == before + 1


async def test_concurrent_actions_cost_one_request(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """Ten actions at once after the password changed: one failed request or login.

    A rejection stops every request already waiting for its turn.
    """
    device = phone_device(hass)
    simulator.update_config({"passcode": NEW_PASSWORD})
    simulator.sessions.expire_all()
    before = password_requests(simulator)
    failures = simulator.auth_failures
    results = await asyncio.gather(
        *(
            hass.services.async_call(
                DOMAIN,
                "send_keys",
                {"device_id": device.id, "keys": "1"},
                blocking=True,
            )
            for _ in range(10)
        ),
        return_exceptions=True,
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert all(isinstance(result, HomeAssistantError) for result in results)
    assert password_requests(simulator) == before + 1
    assert simulator.auth_failures == failures + 1
    assert init_integration.runtime_data.client.password_rejected
    # However often the user's automations try, nothing more goes out.
    for _ in range(3):
        await poll(hass)
    assert password_requests(simulator) == before + 1


async def test_user_reload_tries_once_more(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """A reload the user starts may try the saved password once; ours never."""
    await _setup_with_wrong_password(hass, mock_config_entry)
    assert password_requests(simulator) == 1
    assert await hass.config_entries.async_reload(mock_config_entry.entry_id) is False
    await hass.async_block_till_done(wait_background_tasks=True)
    assert password_requests(simulator) == 2
    assert mock_config_entry.state is ConfigEntryState.SETUP_ERROR


async def test_restart_tries_once(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """After a restart (nothing remembered) the setup tries once, no more."""
    await _setup_with_wrong_password(hass, mock_config_entry)
    await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert password_requests(simulator) == 2


async def test_reauth_with_the_new_password(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """The user's new password is tried once and the phone loads again."""
    simulator.update_config({"passcode": NEW_PASSWORD})
    simulator.sessions.expire_all()
    await poll(hass)
    assert init_integration.runtime_data.client.password_rejected
    flow = _reauth_flows(hass, init_integration)[0]
    failures = simulator.auth_failures
    logins = password_requests(simulator)
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"],  # type: ignore[index]
        {"username": "admin", CONF_PASSWORD: NEW_PASSWORD},
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert result["type"] == "abort"
    assert result["reason"] == "reauth_successful"
    assert init_integration.state is ConfigEntryState.LOADED
    assert CONF_REJECTED not in init_integration.data
    await poll(hass)
    assert init_integration.state is ConfigEntryState.LOADED
    assert simulator.auth_failures == failures
    if simulator.config.session_api:
        # The flow's check and the entry's setup: one login each.
        assert password_requests(simulator) - logins == 2


async def test_setup_reads_one_function_first(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """With a password not yet known to work, one request goes before the rest."""
    await _setup_with_wrong_password(hass, mock_config_entry)
    assert [
        request["function"]
        for request in simulator.requests
        if request["function"].startswith("api-get")
        and request["function"] != "api-get_lockout"
    ] == ([] if simulator.config.session_api else ["api-get_line_status"])
