"""Paths the other integration tests leave out, each for what it protects.

* Reconfigure / reauth to an address where the password would go in clear
  (passcode API, plain login): the neighbour table must show the entry's MAC
  there first; another MAC aborts `wrong_device`, none `address_unproven`,
  and the password never goes out.
* DHCP never sets up again an entry that failed for another reason than a
  wrong device or a changed API (a rejected password would go out again).
* The coordinator: a refresh whose turn a later read answered sends nothing;
  model facts unreadable after an outage leave the entry loaded.
* A refused make-call whose Click-To-Dial read says on, or fails: the plain
  error, no repair.
* Keying an entry by MAC: a weaker source never overrides a stronger one.

Against the simulator on loopback; the neighbour table is patched (GETMAC).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import logging
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_DHCP, ConfigEntryState
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
    CONF_WEBHOOK_ID,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.grandstream_cti import identity
from custom_components.grandstream_cti.const import (
    CONF_MAC_SOURCE,
    CONF_MOVED,
    DOMAIN,
    LOGGER,
)
from custom_components.grandstream_cti.cti import GrandstreamCTIConnectionError
from simulator import PhoneSimulator, SimulatorConfig

from .conftest import ENTRY_ID, MAC, NO_PUSH, PASSCODE, action, cti_log, poll

GETMAC = "custom_components.grandstream_cti.identity.get_mac_address"
HOST = "127.0.0.1"
# TEST-NET-1 (RFC 5737): where the entry was before it is reconfigured.
FAR_HOST = "192.0.2.10"
OTHER_MAC = "00:0b:82:aa:bb:cc"
CLICK_TO_DIAL_ISSUE = f"click_to_dial_off_{ENTRY_ID}"
PASSCODE_ONLY = SimulatorConfig(session_api=False)
PLAIN_LOGIN = SimulatorConfig(profile="gxp1625")


def add_entry(
    hass: HomeAssistant,
    sim: PhoneSimulator,
    *,
    host: str = HOST,
    unique_id: str = MAC,
    password: str = PASSCODE,
    extra: dict[str, Any] | None = None,
) -> MockConfigEntry:
    """Add an entry keyed by its phone's MAC (the phone's word); not set up."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Desk phone",
        unique_id=unique_id,
        version=1,
        minor_version=3,
        data={
            CONF_HOST: host,
            CONF_PORT: sim.port,
            CONF_SSL: bool(sim.config.ssl),
            CONF_VERIFY_SSL: False,
            CONF_USERNAME: "admin",
            CONF_PASSWORD: password,
            CONF_WEBHOOK_ID: "hook-desk",
            CONF_MAC_SOURCE: "phone",
            **(extra or {}),
        },
    )
    entry.add_to_hass(hass)
    return entry


def functions(sim: PhoneSimulator, since: int = 0) -> list[str]:
    return [function for function, _ in cti_log(sim)[since:]]


@pytest.fixture
def simulator_config(request: pytest.FixtureRequest) -> SimulatorConfig:
    """Return the phone's settings: the default GRP2614 unless parametrized."""
    config: SimulatorConfig = getattr(request, "param", None) or SimulatorConfig()
    return config


@pytest.fixture
async def component(hass: HomeAssistant) -> None:
    """Set the integration up with no entry (flows of entries not set up)."""
    assert await async_setup_component(hass, DOMAIN, {})


# ------------------------------------------- config flow: proving the address

IN_CLEAR = pytest.mark.parametrize(
    "simulator_config",
    [PASSCODE_ONLY, PLAIN_LOGIN],
    indirect=True,
    ids=["passcode", "plain"],
)


@IN_CLEAR
@pytest.mark.parametrize(
    ("seen", "reason"),
    [
        (OTHER_MAC, "wrong_device"),
        (OTHER_MAC.upper().replace(":", "-"), "wrong_device"),
        (None, "address_unproven"),
        # Loopback's entry, or a router's MAC: not the phone's either way.
        ("00:00:00:00:00:00", "address_unproven"),
        ("52:54:00:12:34:56", "address_unproven"),
    ],
)
async def test_reconfigure_to_an_address_the_network_does_not_prove(
    hass: HomeAssistant,
    simulator: PhoneSimulator,
    component: None,
    seen: str | None,
    reason: str,
) -> None:
    """The password would go in clear: no proof from the network, no password."""
    entry = add_entry(hass, simulator, host=FAR_HOST)
    before = dict(entry.data)
    result = await entry.start_reconfigure_flow(hass)
    typed = {CONF_HOST: HOST, CONF_PORT: simulator.port}
    with patch(GETMAC, return_value=seen) as lookup:
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], typed
        )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == reason
    assert lookup.call_count == 1
    # Detection's probes only (no password in any form): no login, no passcode.
    assert simulator.password_requests == []
    assert "dologin" not in functions(simulator)
    assert dict(entry.data) == before
    assert entry.unique_id == MAC


@IN_CLEAR
async def test_reconfigure_to_an_address_the_network_proves(
    hass: HomeAssistant, simulator: PhoneSimulator, component: None
) -> None:
    """The neighbour table shows the entry's MAC there: the password may go."""
    entry = add_entry(hass, simulator, host=FAR_HOST)
    result = await entry.start_reconfigure_flow(hass)
    typed = {CONF_HOST: HOST, CONF_PORT: simulator.port}
    with patch(GETMAC, return_value=MAC.upper()):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], typed
        )
        await hass.async_block_till_done(wait_background_tasks=True)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_HOST] == HOST
    assert simulator.password_requests
    assert all(sent["ok"] for sent in simulator.password_requests)


@IN_CLEAR
@pytest.mark.parametrize(
    ("seen", "reason"), [(OTHER_MAC, "wrong_device"), (None, "address_unproven")]
)
async def test_reauth_after_a_dhcp_move_the_network_does_not_prove(
    hass: HomeAssistant,
    simulator: PhoneSimulator,
    component: None,
    seen: str | None,
    reason: str,
) -> None:
    """DHCP moved the entry (not yet proven there); a new password goes nowhere."""
    api = "passcode" if simulator.config.session_api is False else "session"
    login = None if api == "passcode" else "plain"
    entry = add_entry(
        hass, simulator, extra={"api": api, "login": login, CONF_MOVED: True}
    )
    result = await entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"
    with patch(GETMAC, return_value=seen):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_PASSWORD: "new-password"}
        )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == reason
    assert simulator.password_requests == []
    assert entry.data[CONF_PASSWORD] == PASSCODE
    assert entry.data[CONF_MOVED] is True


# -------------------------------------------------- DHCP: setting up again


@pytest.mark.parametrize(
    ("password", "reason", "set_up_again"),
    [
        # The password was rejected: setting up again would send it again.
        ("wrong-password", "invalid_auth_attempts", False),
        # Another phone answered there: setting up again may find the right one.
        (PASSCODE, "wrong_device", True),
    ],
)
async def test_dhcp_sets_up_again_only_a_wrong_device(
    hass: HomeAssistant,
    simulator: PhoneSimulator,
    password: str,
    reason: str,
    set_up_again: bool,
) -> None:
    """DHCP sees a new phone at a failed entry's address (the entry has another MAC)."""
    entry = add_entry(hass, simulator, unique_id=OTHER_MAC, password=password)
    with patch(GETMAC, return_value=None):
        await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.state is ConfigEntryState.SETUP_ERROR
    assert entry.error_reason_translation_key == reason
    passwords = len(simulator.password_requests)
    requests = len(simulator.requests)

    with (
        patch(GETMAC, return_value=None),
        patch.object(
            hass.config_entries,
            "async_schedule_reload",
            wraps=hass.config_entries.async_schedule_reload,
        ) as reload,
    ):
        result = await hass.config_entries.flow.async_init(
            DOMAIN,
            context={"source": SOURCE_DHCP},
            data=DhcpServiceInfo(
                ip=HOST, hostname="phone", macaddress=MAC.replace(":", "")
            ),
        )
        await hass.async_block_till_done(wait_background_tasks=True)
    # Offered as a new phone either way; the entry keeps its MAC.
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "discovery_confirm"
    assert entry.unique_id == OTHER_MAC
    if set_up_again:
        reload.assert_called_once_with(entry.entry_id)
        assert len(simulator.password_requests) == passwords + 1
        assert entry.error_reason_translation_key == "wrong_device"
    else:
        reload.assert_not_called()
        assert len(simulator.password_requests) == passwords
        assert len(simulator.requests) == requests
        assert entry.state is ConfigEntryState.SETUP_ERROR
        assert entry.error_reason_translation_key == reason


# ------------------------------------------------------------- coordinator


class TestSharedTurns:
    """Refreshes of the phone one after another (simulator on a manual clock).

    Refreshes that wait together are Home Assistant's to order: newer
    versions run them one by one under a lock of their own (2025.4 does not),
    each reading; the read queue's sharing is tested on its own in
    tests/cti/test_pure_units.py.
    """

    @pytest.fixture
    def simulator_config(self) -> SimulatorConfig:
        return SimulatorConfig(manual_clock=True)

    @NO_PUSH
    async def test_refreshes_one_after_another_each_read(
        self,
        hass: HomeAssistant,
        init_integration: MockConfigEntry,
        simulator: PhoneSimulator,
    ) -> None:
        """The counterpart: a refresh that waits for nobody reads the phone."""
        coordinator = init_integration.runtime_data.coordinator
        simulator.requests.clear()
        for _ in range(3):
            await coordinator.async_refresh()
        assert functions(simulator).count("api-get_line_status") == 3


@NO_PUSH
async def test_model_facts_unreadable_after_an_outage(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Back from an outage the model facts are read again; failing that is no failure."""
    coordinator = init_integration.runtime_data.coordinator
    model = coordinator.model_info
    assert model.model is not None
    simulator.set_fault("http500")
    await poll(hass)
    assert not coordinator.last_update_success
    simulator.set_fault("none")
    caplog.set_level(logging.DEBUG, logger=LOGGER.name)
    with patch.object(
        coordinator.client,
        "get_model_info",
        side_effect=GrandstreamCTIConnectionError("model.define.js dropped"),
    ) as reread:
        await poll(hass)
    reread.assert_awaited_once()
    assert coordinator.last_update_success
    assert init_integration.state is ConfigEntryState.LOADED
    assert coordinator.model_info == model
    assert [
        record.levelno
        for record in caplog.records
        if "model facts unreadable after an outage" in record.getMessage()
    ] == [logging.DEBUG]
    # Not an outage: the next read does not read the model facts again.
    with patch.object(coordinator.client, "get_model_info") as again:
        await poll(hass)
    again.assert_not_called()


# -------------------------------------------------------- commands: make-call


@pytest.fixture
async def dropped_after(simulator: PhoneSimulator) -> AsyncIterator[list[str]]:
    """Drop the phone's connections once a request to a listed function came.

    The request itself is answered (the fault is checked as it arrives);
    every request after it is dropped, until the test ends.
    """
    functions_to_watch: list[str] = []
    start = len(simulator.requests)

    def came() -> bool:
        return any(
            entry["function"] in functions_to_watch
            for entry in simulator.requests[start:]
        )

    async def watch() -> None:
        await simulator.wait_until(came)
        simulator.set_fault("drop")

    task = asyncio.get_running_loop().create_task(watch())
    yield functions_to_watch
    task.cancel()
    simulator.set_fault("none")


async def test_invalid_request_click_to_dial_on(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    issue_registry: ir.IssueRegistry,
) -> None:
    """The account cannot call (not registered); Click-To-Dial reads on: plain error."""
    simulator.phone.set_registered(1, False)
    before = len(simulator.requests)
    with pytest.raises(HomeAssistantError) as err:
        await action(hass, "make_call", number="100")
    assert err.value.translation_key == "make_call_invalid_request"
    assert issue_registry.async_get_issue(DOMAIN, CLICK_TO_DIAL_ISSUE) is None
    sent = functions(simulator, before)
    # The refusal, then the Click-To-Dial read that cleared it.
    assert sent[:2] == ["api-make_call", "config_get"]
    assert simulator.store.value("1561") == "1"


@pytest.mark.parametrize(
    "simulator_config", [SimulatorConfig(click_to_dial=False)], indirect=True
)
async def test_invalid_request_click_to_dial_unreadable(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    issue_registry: ir.IssueRegistry,
    dropped_after: list[str],
) -> None:
    """Click-To-Dial is off, but the read that would say so fails: plain error."""
    before = len(simulator.requests)
    dropped_after.append("api-make_call")
    with pytest.raises(HomeAssistantError) as err:
        await action(hass, "make_call", number="100")
    assert err.value.translation_key == "make_call_invalid_request"
    assert issue_registry.async_get_issue(DOMAIN, CLICK_TO_DIAL_ISSUE) is None
    sent = functions(simulator, before)
    assert sent[0] == "api-make_call"
    # The read was tried (and retried; aiohttp may retry a dropped kept-alive
    # connection too): every try dropped, nothing else sent.
    assert sent[1:]
    assert set(sent[1:]) == {"config_get"}


@pytest.mark.parametrize("simulator_config", [PASSCODE_ONLY], indirect=True)
async def test_invalid_request_on_a_passcode_phone(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    issue_registry: ir.IssueRegistry,
) -> None:
    """No session to read Click-To-Dial with: the plain error, nothing more sent."""
    simulator.update_config({"click_to_dial": False})
    before = len(simulator.requests)
    with pytest.raises(HomeAssistantError) as err:
        await action(hass, "make_call", number="100")
    assert err.value.translation_key == "make_call_invalid_request"
    assert issue_registry.async_get_issue(DOMAIN, CLICK_TO_DIAL_ISSUE) is None
    assert functions(simulator, before) == ["api-make_call"]


# ------------------------------------------------------- identity: adopt_mac


@pytest.mark.parametrize(
    ("current", "weaker"),
    [
        ("phone", identity.MacSource.DHCP),
        ("phone", identity.MacSource.ARP),
        ("dhcp", identity.MacSource.ARP),
    ],
)
async def test_same_mac_from_a_weaker_source_keeps_the_stronger(
    hass: HomeAssistant,
    simulator: PhoneSimulator,
    current: str,
    weaker: identity.MacSource,
) -> None:
    entry = add_entry(hass, simulator, extra={CONF_MAC_SOURCE: current})
    assert identity.adopt_mac(hass, entry, MAC, weaker)
    assert entry.unique_id == MAC
    assert entry.data[CONF_MAC_SOURCE] == current


async def test_same_mac_from_a_stronger_source_is_noted(
    hass: HomeAssistant, simulator: PhoneSimulator
) -> None:
    entry = add_entry(hass, simulator, extra={CONF_MAC_SOURCE: "arp"})
    assert identity.adopt_mac(hass, entry, MAC, identity.MacSource.PHONE)
    assert entry.data[CONF_MAC_SOURCE] == "phone"


@pytest.mark.parametrize(
    ("current", "source"),
    [
        ("phone", identity.MacSource.PHONE),
        ("phone", identity.MacSource.DHCP),
        ("dhcp", identity.MacSource.DHCP),
        ("dhcp", identity.MacSource.ARP),
        ("arp", identity.MacSource.ARP),
    ],
)
async def test_another_mac_from_no_stronger_source_is_refused(
    hass: HomeAssistant,
    simulator: PhoneSimulator,
    current: str,
    source: identity.MacSource,
) -> None:
    entry = add_entry(hass, simulator, extra={CONF_MAC_SOURCE: current})
    assert not identity.adopt_mac(hass, entry, OTHER_MAC, source)
    assert entry.unique_id == MAC
    assert entry.data[CONF_MAC_SOURCE] == current


async def test_another_mac_from_a_stronger_source_rekeys(
    hass: HomeAssistant, simulator: PhoneSimulator
) -> None:
    """The counterpart: the phone's own word beats the neighbour table's."""
    entry = add_entry(hass, simulator, extra={CONF_MAC_SOURCE: "arp"})
    assert identity.adopt_mac(hass, entry, OTHER_MAC, identity.MacSource.PHONE)
    assert entry.unique_id == OTHER_MAC
    assert entry.data[CONF_MAC_SOURCE] == "phone"
