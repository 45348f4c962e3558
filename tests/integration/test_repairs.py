"""Repair issues: CTI off or not allowed, and pop-up confirmation mode."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.grandstream_cti.const import DOMAIN
from simulator import PhoneSimulator

from .conftest import ENTRY_ID, control, phone_device, poll

CTI_ISSUE = f"cti_disabled_{ENTRY_ID}"
POPUP_ISSUE = f"popup_confirmation_{ENTRY_ID}"


@pytest.mark.parametrize(
    "denial",
    [
        {"cti_enabled": False, "denial_style": "http403"},
        {"cti_enabled": False, "denial_style": "failed"},
        {"allowed_ips": ["10.9.8.7"], "denial_style": "http403"},
        {"allowed_ips": ["10.9.8.7"], "denial_style": "failed"},
    ],
)
async def test_cti_disabled_issue_raised_and_cleared(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    simulator: PhoneSimulator,
    denial: dict[str, Any],
) -> None:
    """CTI off (or our address not allowed) raises an issue; fixing it clears it."""
    await control(simulator, "config", denial)
    await poll(hass)
    issue = issue_registry.async_get_issue(DOMAIN, CTI_ISSUE)
    assert issue is not None
    assert issue.translation_key == "cti_disabled"
    assert issue.translation_placeholders == {"name": init_integration.title}

    await control(simulator, "config", {"cti_enabled": True, "allowed_ips": ["any"]})
    await poll(hass)
    assert issue_registry.async_get_issue(DOMAIN, CTI_ISSUE) is None


async def test_cti_disabled_at_setup(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    simulator: PhoneSimulator,
) -> None:
    """A phone with CTI off is retried and the user told why."""
    await control(simulator, "config", {"cti_enabled": False})
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    assert issue_registry.async_get_issue(DOMAIN, CTI_ISSUE) is not None


async def test_command_refused_for_cti_disabled(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A command refused with 403 raises the issue and a translated error."""
    await control(
        simulator, "config", {"cti_enabled": False, "denial_style": "http403"}
    )
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN, "end_call", {"device_id": phone_device(hass).id}, blocking=True
        )
    assert err.value.translation_key == "cti_disabled"
    assert issue_registry.async_get_issue(DOMAIN, CTI_ISSUE) is not None


async def test_popup_confirmation_issue(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Commands that hang while reads work point at the pop-up setting."""
    client = init_integration.runtime_data.client
    client._timeout = _short_timeout(client)
    simulator.phone.incoming("100")
    await control(simulator, "config", {"popup_confirmation": True})
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN, "accept_call", {"device_id": phone_device(hass).id}, blocking=True
        )
    assert err.value.translation_key == "command_timeout"
    assert issue_registry.async_get_issue(DOMAIN, POPUP_ISSUE) is not None

    await control(simulator, "config", {"popup_confirmation": False})
    await hass.services.async_call(
        DOMAIN, "accept_call", {"device_id": phone_device(hass).id}, blocking=True
    )
    assert issue_registry.async_get_issue(DOMAIN, POPUP_ISSUE) is None


async def test_wrong_passcode_on_command_starts_reauth(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """A command refused for the passcode asks for a new one."""
    await control(simulator, "config", {"passcode": "changed"})
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN, "end_call", {"device_id": phone_device(hass).id}, blocking=True
        )
    assert err.value.translation_key == "invalid_auth"
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]
    await poll(hass)


def _short_timeout(client: Any) -> Any:
    import aiohttp

    return aiohttp.ClientTimeout(total=0.3)
