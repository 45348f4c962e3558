"""Config, reauth, reconfigure, DHCP and options flows against the simulated phone."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from datetime import timedelta
import logging
import socket
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import (
    SOURCE_DHCP,
    SOURCE_IGNORE,
    SOURCE_USER,
    ConfigEntryDisabler,
    ConfigEntryState,
)
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SCAN_INTERVAL,
    CONF_SSL,
    CONF_VERIFY_SSL,
    CONF_WEBHOOK_ID,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.grandstream_cti import create_client
from custom_components.grandstream_cti.config_flow import is_mac, normalize_host
from custom_components.grandstream_cti.const import CONF_PUSH, DOMAIN
from custom_components.grandstream_cti.cti import GrandstreamCTIClient
from simulator import PhoneSimulator, SimulatorConfig

from .conftest import MAC, PASSCODE

HOST = "127.0.0.1"
TITLE = "GRP2614 Alice"
OTHER_MAC = "00:0b:82:65:43:21"
# Addresses of TEST-NET-1 (RFC 5737): stored in entries that are never set up,
# so nothing ever connects to them.
FAR_HOST = "192.0.2.10"
FAR_HOST_2 = "192.0.2.20"
# What the phone's ignored / known entries look like before a flow changes them.
FAR_DATA = {
    CONF_HOST: FAR_HOST,
    CONF_PORT: 8080,
    CONF_SSL: False,
    CONF_VERIFY_SSL: False,
    CONF_PASSWORD: "old",
}
RELOAD_WARNING = "should use it for scheduling a reload"

SimFactory = Callable[..., Awaitable[PhoneSimulator]]


# --------------------------------------------------------------------- helpers


async def configure(
    hass: HomeAssistant, flow_id: str, data: Mapping[str, Any] | None = None
) -> Any:
    """Submit a step; confirm the Action URL step that ends a successful setup."""
    result = await hass.config_entries.flow.async_configure(flow_id, data)
    if result["type"] is FlowResultType.FORM and result["step_id"] == "action_urls":
        assert "P8310" in result["description_placeholders"]["urls"]
        result = await hass.config_entries.flow.async_configure(flow_id, {})
    return result


def connection(data: Mapping[str, Any]) -> dict[str, Any]:
    """Return the entry data without the random webhook id."""
    assert len(data[CONF_WEBHOOK_ID]) == 64
    return {key: value for key, value in data.items() if key != CONF_WEBHOOK_ID}


def free_port() -> int:
    """Return a loopback port with nothing listening on it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
    return port


def user_input(
    port: int | None, password: str = PASSCODE, **extra: Any
) -> dict[str, Any]:
    """Return the user step's form data for the phone on HOST:port."""
    data: dict[str, Any] = {
        CONF_HOST: HOST,
        CONF_SSL: False,
        CONF_VERIFY_SSL: False,
        CONF_PASSWORD: password,
        **extra,
    }
    if port is not None:
        data[CONF_PORT] = port
    return data


def entry_data(port: int | None, password: str = PASSCODE) -> dict[str, Any]:
    """Return the data an entry for HOST:port holds."""
    return user_input(port, password)


CONNECTION_KEYS = (CONF_HOST, CONF_PORT, CONF_SSL, CONF_VERIFY_SSL, CONF_PASSWORD)


def settings(entry: MockConfigEntry) -> dict[str, Any]:
    """Return how the entry reaches its phone (setup adds other data)."""
    return {key: entry.data[key] for key in CONNECTION_KEYS if key in entry.data}


def extras(entry: MockConfigEntry) -> dict[str, Any]:
    """Return the entry's other data, which flows must keep."""
    return {
        key: value for key, value in entry.data.items() if key not in CONNECTION_KEYS
    }


def state_of(entry: MockConfigEntry) -> ConfigEntryState:
    """Return the entry's state (a call, so type checkers do not narrow it)."""
    state: ConfigEntryState = entry.state
    return state


def dhcp_info(ip: str = HOST, mac: str = MAC) -> DhcpServiceInfo:
    """Return what the DHCP watcher reports (MAC: lower case, no colons)."""
    return DhcpServiceInfo(
        ip=ip, hostname="grp2614", macaddress=mac.replace(":", "").lower()
    )


def add_entry(
    hass: HomeAssistant,
    unique_id: str | None,
    data: Mapping[str, Any],
    *,
    source: str = SOURCE_USER,
    title: str = "Phone",
    options: Mapping[str, Any] | None = None,
    disabled: bool = False,
) -> MockConfigEntry:
    """Add an entry that is not set up (no I/O).

    disabled keeps it from being set up when a flow sets up the integration.
    """
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=title,
        unique_id=unique_id,
        data=dict(data),
        source=source,
        options=dict(options or {}),
        disabled_by=ConfigEntryDisabler.USER if disabled else None,
    )
    entry.add_to_hass(hass)
    return entry


async def sim_post(
    hass: HomeAssistant, sim: PhoneSimulator, path: str, body: Any
) -> None:
    """POST to the simulator's control API."""
    session = async_get_clientsession(hass)
    async with session.post(f"{sim.url}/sim/{path}", json=body) as response:
        assert response.status == 200, await response.text()


async def start_user_flow(hass: HomeAssistant) -> str:
    """Open the user step and return the flow id."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    return result["flow_id"]


def suggested(result: Mapping[str, Any], key: str) -> Any:
    """Return the suggested value or default a form shows for key."""
    for marker in result["data_schema"].schema:
        if marker == key:
            if marker.description and "suggested_value" in marker.description:
                return marker.description["suggested_value"]
            default = marker.default
            return default() if callable(default) else default
    raise KeyError(key)


# -------------------------------------------------------------------- fixtures


@pytest.fixture
async def make_simulator(socket_enabled: None) -> AsyncIterator[SimFactory]:
    """Start more simulated phones on loopback; all are stopped after the test."""
    started: list[PhoneSimulator] = []

    async def make(**config: Any) -> PhoneSimulator:
        sim = PhoneSimulator(SimulatorConfig(**config))
        await sim.start(host=HOST, port=0)
        started.append(sim)
        return sim

    yield make
    for sim in started:
        await sim.stop()


@pytest.fixture
def default_port(simulator: PhoneSimulator) -> Iterator[list[Mapping[str, Any]]]:
    """Serve the simulator as if on the default port (no port given).

    A client made without a port goes to simulator.port instead of port 80; the
    list records the settings each client was made from.
    """
    seen: list[Mapping[str, Any]] = []

    def redirect(hass: HomeAssistant, data: Mapping[str, Any]) -> GrandstreamCTIClient:
        seen.append(dict(data))
        if data.get(CONF_PORT) is None:
            data = {**data, CONF_PORT: simulator.port}
        return create_client(hass, data)

    with (
        patch("custom_components.grandstream_cti.create_client", redirect),
        patch("custom_components.grandstream_cti.config_flow.create_client", redirect),
    ):
        yield seen


# ----------------------------------------------------------------- user step


async def test_user_creates_entry(
    hass: HomeAssistant, simulator: PhoneSimulator
) -> None:
    """Address, port and passcode: entry titled model + account, keyed by MAC."""
    flow_id = await start_user_flow(hass)
    result = await configure(
        hass, flow_id, user_input(simulator.port, **{CONF_HOST: f"  {HOST} "})
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == TITLE
    assert connection(result["data"]) == entry_data(simulator.port)
    entry = result["result"]
    assert entry.unique_id == MAC
    assert entry.state is ConfigEntryState.LOADED
    assert simulator.auth_failures == 0


async def test_user_without_port(
    hass: HomeAssistant,
    simulator: PhoneSimulator,
    default_port: list[Mapping[str, Any]],
) -> None:
    """Left empty, the port is not stored: the client uses the scheme's default."""
    flow_id = await start_user_flow(hass)
    result = await configure(hass, flow_id, user_input(None))
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert connection(result["data"]) == entry_data(None)
    assert CONF_PORT not in result["data"]
    assert CONF_PORT not in default_port[0]
    assert result["result"].state is ConfigEntryState.LOADED


async def test_user_cannot_connect_then_recovers(
    hass: HomeAssistant, simulator: PhoneSimulator
) -> None:
    """Nothing listening: cannot_connect, the form keeps what was typed."""
    flow_id = await start_user_flow(hass)
    closed = free_port()
    result = await configure(hass, flow_id, user_input(closed))

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {"base": "cannot_connect"}
    assert suggested(result, CONF_HOST) == HOST
    assert suggested(result, CONF_PORT) == closed

    result = await configure(hass, flow_id, user_input(simulator.port))
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == MAC


async def test_user_invalid_auth_tries_once(
    hass: HomeAssistant, simulator: PhoneSimulator
) -> None:
    """A wrong passcode costs one failed login per submit, then the right one works."""
    flow_id = await start_user_flow(hass)
    result = await configure(hass, flow_id, user_input(simulator.port, "wrong"))
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}
    assert simulator.auth_failures == 1

    # The user password works as well as the admin one.
    result = await configure(hass, flow_id, user_input(simulator.port, "123"))
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_PASSWORD] == "123"
    assert simulator.auth_failures == 1


@pytest.mark.parametrize(
    "refusal",
    [
        {"cti_enabled": False, "denial_style": "http403"},
        {"cti_enabled": False, "denial_style": "failed"},
        {"allowed_ips": ["192.0.2.1"], "denial_style": "http403"},
        {"allowed_ips": ["192.0.2.0/24"], "denial_style": "failed"},
    ],
)
async def test_user_cti_disabled_then_recovers(
    hass: HomeAssistant, simulator: PhoneSimulator, refusal: dict[str, Any]
) -> None:
    """CTI off or our address not allowed, whichever way the phone says it."""
    await sim_post(hass, simulator, "config", refusal)
    flow_id = await start_user_flow(hass)
    result = await configure(hass, flow_id, user_input(simulator.port))
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cti_disabled"}

    await sim_post(
        hass, simulator, "config", {"cti_enabled": True, "allowed_ips": ["any"]}
    )
    result = await configure(hass, flow_id, user_input(simulator.port))
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize("fault", ["garbage", "http500"])
async def test_user_unknown_then_recovers(
    hass: HomeAssistant,
    simulator: PhoneSimulator,
    fault: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An answer the client does not understand: unknown, logged without the passcode."""
    await sim_post(hass, simulator, "fault", {"kind": fault, "seconds": 0})
    flow_id = await start_user_flow(hass)
    with caplog.at_level(logging.DEBUG):
        result = await configure(
            hass, flow_id, user_input(simulator.port, "s3cret-passcode")
        )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "unknown"}
    assert "Unexpected answer from the phone" in caplog.text
    assert "s3cret-passcode" not in caplog.text

    await sim_post(hass, simulator, "fault", {"kind": "none", "seconds": 0})
    result = await configure(hass, flow_id, user_input(simulator.port))
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize("host", ["http://127.0.0.1", "127.0.0.1:80", "my phone", "[]"])
async def test_user_invalid_host_then_recovers(
    hass: HomeAssistant, simulator: PhoneSimulator, host: str
) -> None:
    """A URL, host:port or spaces: invalid_host on the field, no request made."""
    flow_id = await start_user_flow(hass)
    result = await configure(
        hass, flow_id, user_input(simulator.port, **{CONF_HOST: host})
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_HOST: "invalid_host"}
    assert suggested(result, CONF_HOST) == host
    assert simulator.requests == []

    result = await configure(hass, flow_id, user_input(simulator.port))
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        (HOST, HOST),
        (HOST, f" {HOST} "),
        ("Phone.Example", "phone.example"),
        ("[fe80::1]", "FE80::1"),
    ],
)
async def test_user_host_already_configured(
    hass: HomeAssistant, simulator: PhoneSimulator, stored: str, typed: str
) -> None:
    """A host an entry already has aborts before any request (no login attempt)."""
    add_entry(hass, normalize_host(stored), {**FAR_DATA, CONF_HOST: stored})
    flow_id = await start_user_flow(hass)
    result = await configure(
        hass, flow_id, user_input(simulator.port, **{CONF_HOST: typed})
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert simulator.requests == []


async def test_user_mac_already_configured_updates_entry(
    hass: HomeAssistant, simulator: PhoneSimulator
) -> None:
    """The same phone at a new address: abort, the entry takes the new settings."""
    entry = add_entry(hass, MAC, {**FAR_DATA, "webhook_id": "kept"})
    flow_id = await start_user_flow(hass)
    result = await configure(hass, flow_id, user_input(simulator.port))
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert dict(entry.data) == {**entry_data(simulator.port), "webhook_id": "kept"}
    # Not set up before, so not set up now.
    assert entry.state is ConfigEntryState.NOT_LOADED
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


async def test_user_mac_already_configured_without_port(
    hass: HomeAssistant,
    simulator: PhoneSimulator,
    default_port: list[Mapping[str, Any]],
) -> None:
    """The new settings replace the old: a port left empty does not keep the old one."""
    entry = add_entry(hass, MAC, FAR_DATA)
    flow_id = await start_user_flow(hass)
    result = await configure(hass, flow_id, user_input(None))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert settings(entry) == entry_data(None)


async def test_user_mac_already_configured_retries_setup(
    hass: HomeAssistant, simulator: PhoneSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    """An entry waiting to retry its setup is reloaded at the new address."""
    entry = add_entry(hass, MAC, FAR_DATA)
    entry.mock_state(hass, ConfigEntryState.SETUP_RETRY)
    flow_id = await start_user_flow(hass)
    result = await configure(hass, flow_id, user_input(simulator.port))
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data[CONF_PORT] == simulator.port
    assert entry.state is ConfigEntryState.LOADED
    assert RELOAD_WARNING not in caplog.text


async def test_user_replaces_ignored_entry(
    hass: HomeAssistant, simulator: PhoneSimulator
) -> None:
    """Adding by hand a phone the user ignored creates the entry after all."""
    add_entry(hass, MAC, {}, source=SOURCE_IGNORE)
    flow_id = await start_user_flow(hass)
    result = await configure(hass, flow_id, user_input(simulator.port))
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == MAC
    entries = hass.config_entries.async_entries(DOMAIN, include_ignore=True)
    assert [entry.source for entry in entries] == [SOURCE_USER]


@pytest.mark.parametrize("simulator_config", [SimulatorConfig(model_define=False)])
async def test_user_without_model_define_keys_by_host(
    hass: HomeAssistant, simulator: PhoneSimulator
) -> None:
    """No MAC from the phone: the unique id is the host; the model comes from Server."""
    flow_id = await start_user_flow(hass)
    result = await configure(hass, flow_id, user_input(simulator.port))
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == HOST
    assert result["title"] == TITLE


@pytest.mark.parametrize("simulator_config", [SimulatorConfig(mac="not-a-mac")])
async def test_user_invalid_mac_keys_by_host(
    hass: HomeAssistant, simulator: PhoneSimulator
) -> None:
    """A MAC that is not one never becomes a unique id."""
    flow_id = await start_user_flow(hass)
    result = await configure(hass, flow_id, user_input(simulator.port))
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == HOST


@pytest.mark.parametrize(
    ("simulator_config", "title"),
    [
        (SimulatorConfig(accounts=[{"sip_id": "2001"}]), "GRP2614 2001"),
        (SimulatorConfig(accounts=[]), f"GRP2614 {HOST}"),
        (
            SimulatorConfig(
                model="GRP2601", accounts=[{}, {"name": "Desk", "sip_id": "7"}]
            ),
            "GRP2601 Desk",
        ),
    ],
)
async def test_user_title(
    hass: HomeAssistant, simulator: PhoneSimulator, title: str
) -> None:
    """The title names the first configured account, else the host."""
    flow_id = await start_user_flow(hass)
    result = await configure(hass, flow_id, user_input(simulator.port))
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == title


# ------------------------------------------------------------------------ DHCP


async def start_dhcp(hass: HomeAssistant, info: DhcpServiceInfo) -> Any:
    """Start a DHCP discovery flow."""
    return await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=info
    )


async def test_dhcp_new_phone(hass: HomeAssistant, simulator: PhoneSimulator) -> None:
    """A new phone: confirm with its passcode, entry keyed by the discovered MAC."""
    result = await start_dhcp(hass, dhcp_info())
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "discovery_confirm"
    assert result["description_placeholders"] == {"host": HOST}
    assert result["errors"] == {}
    (progress,) = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert progress["context"]["title_placeholders"] == {"host": HOST}
    assert progress["context"]["unique_id"] == MAC

    result = await configure(
        hass,
        result["flow_id"],
        {
            CONF_PASSWORD: PASSCODE,
            CONF_PORT: simulator.port,
            CONF_SSL: False,
            CONF_VERIFY_SSL: False,
        },
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == TITLE
    assert connection(result["data"]) == entry_data(simulator.port)
    assert result["result"].unique_id == MAC
    assert result["result"].state is ConfigEntryState.LOADED


@pytest.mark.parametrize("simulator_config", [SimulatorConfig(model_define=False)])
async def test_dhcp_phone_without_model_define(
    hass: HomeAssistant, simulator: PhoneSimulator
) -> None:
    """The phone does not tell its MAC: the one DHCP saw keys the entry."""
    result = await start_dhcp(hass, dhcp_info())
    result = await configure(
        hass, result["flow_id"], {CONF_PASSWORD: PASSCODE, CONF_PORT: simulator.port}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == MAC


@pytest.mark.parametrize(
    ("fault", "submit", "error"),
    [
        ({}, {CONF_PASSWORD: "wrong"}, "invalid_auth"),
        ({}, {CONF_PORT: "closed"}, "cannot_connect"),
        ({"config": {"cti_enabled": False}}, {}, "cti_disabled"),
        ({"fault": {"kind": "garbage"}}, {}, "unknown"),
    ],
)
async def test_dhcp_confirm_errors(
    hass: HomeAssistant,
    simulator: PhoneSimulator,
    fault: dict[str, Any],
    submit: dict[str, Any],
    error: str,
) -> None:
    """Errors show on the confirm form, which keeps the port; then it recovers."""
    for path, body in fault.items():
        await sim_post(hass, simulator, path, body)
    result = await start_dhcp(hass, dhcp_info())
    flow_id = result["flow_id"]
    good = {
        CONF_PASSWORD: PASSCODE,
        CONF_PORT: simulator.port,
        CONF_SSL: False,
        CONF_VERIFY_SSL: False,
    }
    bad = {**good, **submit}
    if bad[CONF_PORT] == "closed":
        bad[CONF_PORT] = free_port()
    result = await configure(hass, flow_id, bad)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "discovery_confirm"
    assert result["errors"] == {"base": error}
    assert suggested(result, CONF_PORT) == bad[CONF_PORT]

    await sim_post(hass, simulator, "config", {"cti_enabled": True})
    await sim_post(hass, simulator, "fault", {"kind": "none"})
    result = await configure(hass, flow_id, good)
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == MAC


async def test_dhcp_known_mac_updates_host(hass: HomeAssistant) -> None:
    """A known phone at a new address: abort, only the host changes, no reload."""
    entry = add_entry(hass, MAC, FAR_DATA)
    with patch.object(hass.config_entries, "async_schedule_reload") as reload:
        result = await start_dhcp(hass, dhcp_info(FAR_HOST_2))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert settings(entry) == {**FAR_DATA, CONF_HOST: FAR_HOST_2}
    reload.assert_not_called()


async def test_dhcp_known_mac_reloads_loaded_entry(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """A loaded entry whose phone moved is reloaded, without Home Assistant's warning."""
    entry = add_entry(hass, MAC, FAR_DATA)
    entry.mock_state(hass, ConfigEntryState.LOADED)
    with patch.object(hass.config_entries, "async_schedule_reload") as reload:
        result = await start_dhcp(hass, dhcp_info(FAR_HOST_2))
        # Seen again at the same address: nothing changes, no reload.
        again = await start_dhcp(hass, dhcp_info(FAR_HOST_2))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert again["reason"] == "already_configured"
    assert entry.data[CONF_HOST] == FAR_HOST_2
    reload.assert_called_once_with(entry.entry_id)
    assert RELOAD_WARNING not in caplog.text


async def test_dhcp_known_mac_retries_setup(hass: HomeAssistant) -> None:
    """A phone seen while its entry waits to retry: reload now, even if unchanged."""
    entry = add_entry(hass, MAC, FAR_DATA)
    entry.mock_state(hass, ConfigEntryState.SETUP_RETRY)
    with patch.object(hass.config_entries, "async_schedule_reload") as reload:
        result = await start_dhcp(hass, dhcp_info(FAR_HOST))
    assert result["reason"] == "already_configured"
    reload.assert_called_once_with(entry.entry_id)


async def test_dhcp_ignored_phone(hass: HomeAssistant) -> None:
    """A phone the user ignored stays ignored, its entry untouched."""
    entry = add_entry(hass, MAC, {}, source=SOURCE_IGNORE)
    result = await start_dhcp(hass, dhcp_info())
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert settings(entry) == {}


@pytest.mark.parametrize("stored", [FAR_HOST, FAR_HOST.upper()])
async def test_dhcp_host_already_configured(hass: HomeAssistant, stored: str) -> None:
    """An entry keyed by host already talks to this address: abort, nothing changes."""
    entry = add_entry(hass, normalize_host(stored), {**FAR_DATA, CONF_HOST: stored})
    result = await start_dhcp(hass, dhcp_info(FAR_HOST))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.unique_id == normalize_host(stored)
    assert entry.data[CONF_HOST] == stored


async def test_dhcp_already_in_progress(hass: HomeAssistant) -> None:
    """The same phone seen twice while the first flow waits: one flow."""
    first = await start_dhcp(hass, dhcp_info(FAR_HOST))
    assert first["type"] is FlowResultType.FORM
    second = await start_dhcp(hass, dhcp_info(FAR_HOST))
    assert second["type"] is FlowResultType.ABORT
    assert second["reason"] == "already_in_progress"


async def test_dhcp_flow_ends_when_user_adds_phone(
    hass: HomeAssistant, simulator: PhoneSimulator
) -> None:
    """Adding the discovered phone by hand ends the discovery flow."""
    await start_dhcp(hass, dhcp_info())
    flow_id = await start_user_flow(hass)
    result = await configure(hass, flow_id, user_input(simulator.port))
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []


# ---------------------------------------------------------------------- reauth


async def test_reauth_success_reloads(
    hass: HomeAssistant,
    simulator: PhoneSimulator,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The passcode changed: a wrong try shows invalid_auth once, the new one works."""
    entry = init_integration
    assert entry.state is ConfigEntryState.LOADED
    await sim_post(hass, simulator, "config", {"passcode": "n3w"})
    old_coordinator = entry.runtime_data.coordinator
    kept = extras(entry)

    result = await entry.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["description_placeholders"]["name"] == TITLE

    failures = simulator.auth_failures
    result = await configure(hass, result["flow_id"], {CONF_PASSWORD: "wrong"})
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["errors"] == {"base": "invalid_auth"}
    # One request with the wrong passcode, no retry and no new flow.
    assert simulator.auth_failures == failures + 1
    assert len(hass.config_entries.flow.async_progress_by_handler(DOMAIN)) == 1

    result = await configure(hass, result["flow_id"], {CONF_PASSWORD: "n3w"})
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert settings(entry) == entry_data(simulator.port, "n3w")
    assert extras(entry) == kept
    assert entry.unique_id == MAC
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.coordinator is not old_coordinator
    assert RELOAD_WARNING not in caplog.text


async def test_reauth_started_by_failed_setup(
    hass: HomeAssistant, simulator: PhoneSimulator, mock_config_entry: MockConfigEntry
) -> None:
    """A rejected passcode at setup starts reauth; the fix sets the phone up."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=TITLE,
        unique_id=MAC,
        data={**mock_config_entry.data, CONF_PASSWORD: "stale"},
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_ERROR

    (flow,) = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["step_id"] == "reauth_confirm"
    result = await configure(hass, flow["flow_id"], {CONF_PASSWORD: PASSCODE})
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_PASSWORD] == PASSCODE
    assert state_of(entry) is ConfigEntryState.LOADED


@pytest.mark.parametrize(
    ("refusal", "error"),
    [
        ({"fault": {"kind": "drop"}}, "cannot_connect"),
        ({"config": {"cti_enabled": False, "denial_style": "failed"}}, "cti_disabled"),
        ({"fault": {"kind": "http500"}}, "unknown"),
    ],
)
async def test_reauth_errors(
    hass: HomeAssistant,
    simulator: PhoneSimulator,
    mock_config_entry: MockConfigEntry,
    refusal: dict[str, Any],
    error: str,
) -> None:
    """Other failures show on the reauth form and leave the entry alone."""
    mock_config_entry.add_to_hass(hass)
    for path, body in refusal.items():
        await sim_post(hass, simulator, path, body)
    result = await mock_config_entry.start_reauth_flow(hass)
    result = await configure(hass, result["flow_id"], {CONF_PASSWORD: "n3w"})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}
    assert mock_config_entry.data[CONF_PASSWORD] == PASSCODE


async def test_reauth_wrong_device(
    hass: HomeAssistant, simulator: PhoneSimulator, mock_config_entry: MockConfigEntry
) -> None:
    """Another phone now answers at the address: its passcode does not take the entry."""
    entry = add_entry(hass, OTHER_MAC, mock_config_entry.data)
    result = await entry.start_reauth_flow(hass)
    result = await configure(hass, result["flow_id"], {CONF_PASSWORD: "123"})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_device"
    assert entry.data[CONF_PASSWORD] == PASSCODE


@pytest.mark.parametrize("simulator_config", [SimulatorConfig(model_define=False)])
async def test_reauth_phone_without_mac(
    hass: HomeAssistant, simulator: PhoneSimulator, mock_config_entry: MockConfigEntry
) -> None:
    """A phone that does not tell its MAC cannot be told apart: the passcode is taken."""
    entry = add_entry(hass, OTHER_MAC, mock_config_entry.data)
    result = await entry.start_reauth_flow(hass)
    result = await configure(hass, result["flow_id"], {CONF_PASSWORD: "123"})
    await hass.async_block_till_done()
    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_PASSWORD] == "123"


async def test_reauth_entry_keyed_by_host(
    hass: HomeAssistant, simulator: PhoneSimulator, mock_config_entry: MockConfigEntry
) -> None:
    """An entry keyed by host has no MAC to compare: the passcode is taken."""
    entry = add_entry(hass, HOST, mock_config_entry.data)
    result = await entry.start_reauth_flow(hass)
    result = await configure(hass, result["flow_id"], {CONF_PASSWORD: "123"})
    await hass.async_block_till_done()
    assert result["reason"] == "reauth_successful"
    assert entry.unique_id == HOST
    assert entry.data[CONF_PASSWORD] == "123"


# ----------------------------------------------------------------- reconfigure


def reconfigure_input(
    port: int | None, host: str = HOST, password: str | None = None
) -> dict[str, Any]:
    """Return the reconfigure form's data (no password: keep the saved one)."""
    data: dict[str, Any] = {CONF_HOST: host, CONF_SSL: False, CONF_VERIFY_SSL: False}
    if port is not None:
        data[CONF_PORT] = port
    if password is not None:
        data[CONF_PASSWORD] = password
    return data


async def test_reconfigure_new_port(
    hass: HomeAssistant,
    simulator: PhoneSimulator,
    init_integration: MockConfigEntry,
    make_simulator: SimFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The phone answers on another port: entry updated and reloaded."""
    entry = init_integration
    moved = await make_simulator()  # same MAC, other port
    kept = extras(entry)
    result = await entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert suggested(result, CONF_HOST) == HOST
    assert suggested(result, CONF_PORT) == simulator.port

    result = await configure(
        hass, result["flow_id"], reconfigure_input(moved.port, f" {HOST}")
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert settings(entry) == entry_data(moved.port)
    assert extras(entry) == kept
    assert entry.unique_id == MAC
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.client.base_url == f"http://{HOST}:{moved.port}"
    assert RELOAD_WARNING not in caplog.text


async def test_reconfigure_removes_port_left_empty(
    hass: HomeAssistant,
    simulator: PhoneSimulator,
    mock_config_entry: MockConfigEntry,
    default_port: list[Mapping[str, Any]],
) -> None:
    """Leaving the port empty drops the stored one (back to the default port)."""
    entry = add_entry(hass, MAC, mock_config_entry.data)
    assert CONF_PORT in entry.data
    result = await entry.start_reconfigure_flow(hass)
    result = await configure(hass, result["flow_id"], reconfigure_input(None))
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert settings(entry) == entry_data(None)
    assert CONF_PORT not in default_port[0]


async def test_reconfigure_wrong_device(
    hass: HomeAssistant,
    simulator: PhoneSimulator,
    init_integration: MockConfigEntry,
    make_simulator: SimFactory,
) -> None:
    """Another phone at the new address: abort, the entry keeps its settings."""
    entry = init_integration
    other = await make_simulator(mac=OTHER_MAC.upper())
    result = await entry.start_reconfigure_flow(hass)
    result = await configure(hass, result["flow_id"], reconfigure_input(other.port))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_device"
    assert entry.data[CONF_PORT] == simulator.port
    assert entry.unique_id == MAC


async def test_reconfigure_phone_without_mac(
    hass: HomeAssistant,
    simulator: PhoneSimulator,
    mock_config_entry: MockConfigEntry,
    make_simulator: SimFactory,
) -> None:
    """A phone that does not tell its MAC is taken for the entry's; the MAC stays."""
    entry = add_entry(hass, MAC, mock_config_entry.data)
    quiet = await make_simulator(model_define=False, mac=OTHER_MAC)
    result = await entry.start_reconfigure_flow(hass)
    result = await configure(hass, result["flow_id"], reconfigure_input(quiet.port))
    await hass.async_block_till_done()
    assert result["reason"] == "reconfigure_successful"
    assert entry.unique_id == MAC
    assert entry.data[CONF_PORT] == quiet.port


@pytest.mark.parametrize(
    ("submit", "error", "sim_change"),
    [
        ({CONF_PORT: "closed"}, {"base": "cannot_connect"}, {}),
        ({CONF_HOST: "http://127.0.0.1"}, {CONF_HOST: "invalid_host"}, {}),
        ({}, {"base": "invalid_auth"}, {"config": {"passcode": "n3w"}}),
        ({}, {"base": "cti_disabled"}, {"config": {"cti_enabled": False}}),
        ({}, {"base": "unknown"}, {"fault": {"kind": "garbage"}}),
    ],
)
async def test_reconfigure_errors_then_recovers(
    hass: HomeAssistant,
    simulator: PhoneSimulator,
    mock_config_entry: MockConfigEntry,
    submit: dict[str, Any],
    error: dict[str, str],
    sim_change: dict[str, Any],
) -> None:
    """Errors show on the form, which keeps what was typed; then it recovers."""
    entry = add_entry(hass, MAC, mock_config_entry.data)
    for path, body in sim_change.items():
        await sim_post(hass, simulator, path, body)
    result = await entry.start_reconfigure_flow(hass)
    flow_id = result["flow_id"]
    bad = {**reconfigure_input(simulator.port), **submit}
    if bad[CONF_PORT] == "closed":
        bad[CONF_PORT] = free_port()
    result = await configure(hass, flow_id, bad)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == error
    assert suggested(result, CONF_HOST) == bad[CONF_HOST]
    assert suggested(result, CONF_PORT) == bad[CONF_PORT]
    assert settings(entry) == dict(mock_config_entry.data)

    await sim_post(
        hass, simulator, "config", {"passcode": PASSCODE, "cti_enabled": True}
    )
    await sim_post(hass, simulator, "fault", {"kind": "none"})
    result = await configure(hass, flow_id, reconfigure_input(simulator.port))
    await hass.async_block_till_done()
    assert result["reason"] == "reconfigure_successful"


@pytest.mark.parametrize("simulator_config", [SimulatorConfig(model_define=False)])
@pytest.mark.parametrize(
    ("other_unique_id", "other_host"),
    [
        (HOST, HOST),  # keyed by the same host
        (OTHER_MAC, HOST),  # keyed by MAC, at the same host
        (OTHER_MAC, f"[{HOST}]"),  # the same host written differently
    ],
)
async def test_reconfigure_host_keyed_to_taken_host(
    hass: HomeAssistant,
    simulator: PhoneSimulator,
    other_unique_id: str,
    other_host: str,
) -> None:
    """An entry keyed by host cannot move to a host another entry has."""
    entry = add_entry(hass, FAR_HOST, FAR_DATA)
    add_entry(hass, other_unique_id, {**FAR_DATA, CONF_HOST: other_host})
    result = await entry.start_reconfigure_flow(hass)
    result = await configure(
        hass, result["flow_id"], reconfigure_input(simulator.port, password=PASSCODE)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.unique_id == FAR_HOST
    assert settings(entry) == FAR_DATA


async def test_reconfigure_host_keyed_to_known_phone(
    hass: HomeAssistant, simulator: PhoneSimulator
) -> None:
    """An entry keyed by host cannot become a phone another entry has (by MAC)."""
    entry = add_entry(hass, FAR_HOST, FAR_DATA)
    add_entry(hass, MAC, {**FAR_DATA, CONF_HOST: FAR_HOST_2})
    result = await entry.start_reconfigure_flow(hass)
    result = await configure(
        hass, result["flow_id"], reconfigure_input(simulator.port, password=PASSCODE)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.unique_id == FAR_HOST


async def test_reconfigure_host_keyed_learns_mac(
    hass: HomeAssistant, simulator: PhoneSimulator
) -> None:
    """An entry keyed by host takes the phone's MAC once the phone tells it.

    Another entry at the same host does not matter then: the MAC says which
    phone this is.
    """
    entry = add_entry(hass, FAR_HOST, FAR_DATA)
    add_entry(hass, OTHER_MAC, {**FAR_DATA, CONF_HOST: HOST}, disabled=True)
    result = await entry.start_reconfigure_flow(hass)
    result = await configure(
        hass, result["flow_id"], reconfigure_input(simulator.port, password=PASSCODE)
    )
    await hass.async_block_till_done()
    assert result["reason"] == "reconfigure_successful"
    assert entry.unique_id == MAC
    assert settings(entry) == entry_data(simulator.port)


@pytest.mark.parametrize(
    "simulator_config", [SimulatorConfig(model_define=False, passcode="old")]
)
async def test_reconfigure_host_keyed_new_host(
    hass: HomeAssistant, simulator: PhoneSimulator
) -> None:
    """Without a MAC an entry keyed by host is keyed by its new host."""
    entry = add_entry(hass, FAR_HOST, FAR_DATA)
    unrelated = add_entry(
        hass, OTHER_MAC, {**FAR_DATA, CONF_HOST: FAR_HOST_2}, disabled=True
    )
    result = await entry.start_reconfigure_flow(hass)
    result = await configure(hass, result["flow_id"], reconfigure_input(simulator.port))
    await hass.async_block_till_done()
    assert result["reason"] == "reconfigure_successful"
    assert entry.unique_id == HOST
    assert entry.data[CONF_HOST] == HOST
    assert entry.state is ConfigEntryState.LOADED
    assert unrelated.data[CONF_HOST] == FAR_HOST_2


# --------------------------------------------------------------------- options


async def test_options_change_interval_without_reload(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The polling interval is stored as an int and applied to the running coordinator."""
    entry = init_integration
    coordinator = entry.runtime_data.coordinator
    assert coordinator.update_interval == timedelta(seconds=10)

    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    assert suggested(result, CONF_SCAN_INTERVAL) == 10

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SCAN_INTERVAL: 30.0}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {CONF_SCAN_INTERVAL: 30, CONF_PUSH: True}
    assert isinstance(entry.options[CONF_SCAN_INTERVAL], int)
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.coordinator is coordinator
    assert coordinator.update_interval == timedelta(seconds=30)

    # The form shows the stored value next time.
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert suggested(result, CONF_SCAN_INTERVAL) == 30
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SCAN_INTERVAL: 2}
    )
    await hass.async_block_till_done()
    assert coordinator.update_interval == timedelta(seconds=2)


async def test_options_keep_other_options(hass: HomeAssistant) -> None:
    """Options the form does not show survive it (the entry need not be loaded)."""
    entry = add_entry(hass, MAC, FAR_DATA, options={"future_option": True})
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert suggested(result, CONF_SCAN_INTERVAL) == 10
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SCAN_INTERVAL: 45}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {
        "future_option": True,
        CONF_SCAN_INTERVAL: 45,
        CONF_PUSH: True,
    }
    assert entry.state is ConfigEntryState.NOT_LOADED


@pytest.mark.parametrize("value", [1, 301])
async def test_options_reject_out_of_range(
    hass: HomeAssistant, init_integration: MockConfigEntry, value: int
) -> None:
    """The selector refuses intervals outside 2-300 s."""
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    with pytest.raises(InvalidData):
        await hass.config_entries.options.async_configure(
            result["flow_id"], {CONF_SCAN_INTERVAL: value}
        )
    assert init_integration.options == {}


# ----------------------------------------------------------------- pure parts


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (MAC, True),
        ("00:0B:82:12:34:56", False),  # unique ids hold format_mac's lower case
        ("fe80::1", False),
        ("aa:bb:cc:dd:ee", False),
        (HOST, False),
        (None, False),
    ],
)
def test_is_mac(value: str | None, expected: bool) -> None:
    """Unique ids that are MACs, told apart from hosts (IPv6 included)."""
    assert is_mac(value) is expected


def test_normalize_host() -> None:
    """Hosts compare without case, brackets or surrounding spaces."""
    assert normalize_host(" [FE80::1] ") == "fe80::1"
    assert normalize_host("Phone.Example") == "phone.example"


async def test_reconfigure_fixes_rejected_password(
    hass: HomeAssistant, simulator: PhoneSimulator, mock_config_entry: MockConfigEntry
) -> None:
    """invalid_auth on reconfigure can be fixed on the same form."""
    entry = add_entry(hass, MAC, mock_config_entry.data)
    await sim_post(hass, simulator, "config", {"passcode": "n3w"})
    result = await entry.start_reconfigure_flow(hass)
    result = await configure(hass, result["flow_id"], reconfigure_input(simulator.port))
    assert result["errors"] == {"base": "invalid_auth"}
    result = await configure(
        hass, result["flow_id"], reconfigure_input(simulator.port, password="n3w")
    )
    await hass.async_block_till_done()
    assert result["reason"] == "reconfigure_successful"
    assert settings(entry) == entry_data(simulator.port, "n3w")
