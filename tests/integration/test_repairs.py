"""Repair issues: CTI off or not allowed, pop-up confirmation, Click-To-Dial."""

from __future__ import annotations

from typing import Any

from homeassistant.components.repairs import repairs_flow_manager
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components import grandstream_cti as integration
from custom_components.grandstream_cti.const import DOCS_PREPARE_PHONE, DOMAIN
from simulator import PhoneSimulator, SimulatorConfig

from .conftest import ENTRY_ID, action, control, poll

CTI_ISSUE = f"cti_disabled_{ENTRY_ID}"
POPUP_ISSUE = f"popup_confirmation_{ENTRY_ID}"
CLICK_TO_DIAL_ISSUE = f"click_to_dial_off_{ENTRY_ID}"


class TestPasscodePhone:
    """The CTI switch, allowed addresses and pop-up belong to the passcode API."""

    @pytest.fixture
    def simulator_config(self) -> SimulatorConfig:
        return SimulatorConfig(session_api=False)

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
        self,
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
        assert issue.learn_more_url == DOCS_PREPARE_PHONE

        await control(
            simulator, "config", {"cti_enabled": True, "allowed_ips": ["any"]}
        )
        await poll(hass)
        assert issue_registry.async_get_issue(DOMAIN, CTI_ISSUE) is None

    async def test_cti_disabled_at_setup(
        self,
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
        self,
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
            await action(hass, "end_call")
        assert err.value.translation_key == "cti_disabled"
        assert issue_registry.async_get_issue(DOMAIN, CTI_ISSUE) is not None

    @pytest.mark.parametrize(
        ("slow_phone", "key", "issue"),
        [
            # A read right after answers at once but the command hung: the pop-up.
            (False, "command_timeout_popup", True),
            # The read after it hangs too: a slow phone, not the pop-up.
            (True, "command_timeout", False),
        ],
    )
    async def test_command_timeout(
        self,
        hass: HomeAssistant,
        init_integration: MockConfigEntry,
        simulator: PhoneSimulator,
        issue_registry: ir.IssueRegistry,
        monkeypatch: pytest.MonkeyPatch,
        slow_phone: bool,
        key: str,
        issue: bool,
    ) -> None:
        """A command that times out blames the pop-up only when reads are quick.

        The phone holds the command (and, when slow, every answer) until the
        simulator's clock moves, which it never does here: the client's own
        timeout ends it, shortened for the test.
        """
        simulator.phone.incoming("100")
        await poll(hass)
        monkeypatch.setattr(integration, "REQUEST_TIMEOUT", 2.0)
        await hass.config_entries.async_reload(init_integration.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)
        await control(simulator, "config", {"popup_confirmation": True})
        if slow_phone:
            simulator.set_fault("latency", 60)
        with pytest.raises(HomeAssistantError) as err:
            await action(hass, "accept_call")
        assert err.value.translation_key == key
        assert (issue_registry.async_get_issue(DOMAIN, POPUP_ISSUE) is not None) is (
            issue
        )
        simulator.confirm(False)
        simulator.set_fault("none")

        await control(simulator, "config", {"popup_confirmation": False})
        await action(hass, "accept_call")
        assert issue_registry.async_get_issue(DOMAIN, POPUP_ISSUE) is None


class TestClickToDial:
    """A refused make-call with Click-To-Dial off offers to turn it on."""

    @pytest.fixture
    def simulator_config(self) -> SimulatorConfig:
        return SimulatorConfig(click_to_dial=False)

    async def test_fix_flow_turns_it_on(
        self,
        hass: HomeAssistant,
        init_integration: MockConfigEntry,
        simulator: PhoneSimulator,
        issue_registry: ir.IssueRegistry,
    ) -> None:
        """The issue appears; confirming it writes P1561 and reads it back."""
        assert await async_setup_component(hass, "repairs", {})
        with pytest.raises(HomeAssistantError) as err:
            await action(hass, "make_call", number="100")
        assert err.value.translation_key == "click_to_dial_off"
        issue = issue_registry.async_get_issue(DOMAIN, CLICK_TO_DIAL_ISSUE)
        assert issue is not None
        assert issue.is_fixable

        manager = repairs_flow_manager(hass)
        assert manager is not None
        flow = await manager.async_init(DOMAIN, data={"issue_id": CLICK_TO_DIAL_ISSUE})
        assert flow["step_id"] == "confirm"
        result = await manager.async_configure(flow["flow_id"], {})
        assert result["type"] == "create_entry"
        assert simulator.store.value("1561") == "1"
        await action(hass, "make_call", number="100")
        assert simulator.tripwires == []

    async def test_fix_when_the_phone_is_away(
        self,
        hass: HomeAssistant,
        init_integration: MockConfigEntry,
        simulator: PhoneSimulator,
    ) -> None:
        """Unreachable: try later; unloaded: once it is loaded again."""
        assert await async_setup_component(hass, "repairs", {})
        with pytest.raises(HomeAssistantError):
            await action(hass, "make_call", number="100")
        manager = repairs_flow_manager(hass)
        assert manager is not None
        flow = await manager.async_init(DOMAIN, data={"issue_id": CLICK_TO_DIAL_ISSUE})
        await control(simulator, "fault", {"kind": "drop"})
        result = await manager.async_configure(flow["flow_id"], {})
        assert result["reason"] == "cannot_fix"
        await control(simulator, "fault", {"kind": "none"})

        await hass.config_entries.async_unload(init_integration.entry_id)
        flow = await manager.async_init(DOMAIN, data={"issue_id": CLICK_TO_DIAL_ISSUE})
        result = await manager.async_configure(flow["flow_id"], {})
        assert result["reason"] == "phone_not_loaded"

    async def test_user_account_may_not_fix_it(
        self,
        hass: HomeAssistant,
        mock_config_entry: MockConfigEntry,
        simulator: PhoneSimulator,
    ) -> None:
        """The phone ignores the user role's write: the fix says so."""
        assert await async_setup_component(hass, "repairs", {})
        mock_config_entry.add_to_hass(hass)
        hass.config_entries.async_update_entry(
            mock_config_entry,
            data={**mock_config_entry.data, "username": "user", "password": "123"},
        )
        await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)
        with pytest.raises(HomeAssistantError):
            await action(hass, "make_call", number="100")
        manager = repairs_flow_manager(hass)
        assert manager is not None
        flow = await manager.async_init(DOMAIN, data={"issue_id": CLICK_TO_DIAL_ISSUE})
        result = await manager.async_configure(flow["flow_id"], {})
        assert result["type"] == "abort"
        assert result["reason"] == "needs_admin"
        assert simulator.store.value("1561") == "0"


async def test_invalid_request_with_click_to_dial_on(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Click-To-Dial is on: the refusal lists the other causes, no repair."""
    simulator.phone.accounts[0].sip_id = ""
    with pytest.raises(HomeAssistantError) as err:
        await action(hass, "make_call", number="100")
    assert err.value.translation_key == "make_call_invalid_request"
    assert issue_registry.async_get_issue(DOMAIN, CLICK_TO_DIAL_ISSUE) is None
