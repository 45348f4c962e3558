"""Config, DHCP, reauth, reconfigure and options flows against the simulated phone.

Every flow runs for real through `hass.config_entries.flow` and talks HTTP to
the simulator on loopback. What matters most is checked on every submit: the
phone saw exactly one request carrying the password, and the flow's session
was logged out again.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
import json
import logging
from pathlib import Path
import ssl
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import (
    SOURCE_DHCP,
    SOURCE_IGNORE,
    SOURCE_REAUTH,
    SOURCE_USER,
    ConfigEntryState,
)
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
from homeassistant.helpers.network import NoURLAvailableError
from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous as vol

import custom_components.grandstream_cti as integration
from custom_components.grandstream_cti import config_flow, identity
from custom_components.grandstream_cti.const import (
    CONF_AUTO_PUSH,
    CONF_MAC_SOURCE,
    CONF_MOVED,
    CONF_PUSH,
    CONF_REJECTED,
    DOMAIN,
)
from custom_components.grandstream_cti.cti import GrandstreamCTIClient
from simulator import PhoneSimulator, SimulatorConfig
from tests.conftest import free_port

from .conftest import MAC, PASSCODE, WEBHOOK_ID, password_requests

# The only address the test sockets may reach; a phone "moves" by its port.
HOST = "127.0.0.1"
OTHER_MAC = "00:0b:82:65:43:21"
NEW_MAC = "00:0b:82:aa:bb:cc"
# TEST-NET-1 (RFC 5737): stored in entries that are never set up.
FAR_HOST = "192.0.2.10"
FAR_HOST_2 = "192.0.2.20"
USER_PASSCODE = "123"
STRINGS = Path(config_flow.__file__).with_name("strings.json")
# What the flows may put on a form or abort with; strings.json must name each.
FORM_ERRORS = {*config_flow.FORM_ERRORS, "invalid_host", "unknown"}
ABORT_REASONS = {
    "already_configured",
    "already_in_progress",
    "not_supported",
    "reauth_successful",
    "reconfigure_successful",
    "wrong_device",
}
NO_URL_TEXT = "Home Assistant has no local URL the phone can reach"


SimFactory = Callable[..., Awaitable[PhoneSimulator]]

PROFILE_MODELS = {
    "grp2614": "GRP2614",
    "gxp2170": "GXP2170",
    "gxp1625": "GXP1625",
    "wp826": "WP826",
    "gsc3516": "GSC3516",
}
PASSCODE_ONLY = SimulatorConfig(session_api=False)


# --------------------------------------------------------------------- helpers


def form(sim: PhoneSimulator, password: str = PASSCODE, **extra: Any) -> dict[str, Any]:
    """Return the user step's input for the simulated phone."""
    return {
        CONF_HOST: HOST,
        CONF_PORT: sim.port,
        CONF_SSL: bool(sim.config.ssl),
        CONF_VERIFY_SSL: False,
        CONF_USERNAME: "admin",
        CONF_PASSWORD: password,
        **extra,
    }


def functions(sim: PhoneSimulator) -> list[str]:
    """Return the functions of every CTI request the phone received."""
    return [request["function"] for request in sim.requests]


def suggested(result: Mapping[str, Any], key: str) -> Any:
    """Return the suggested value (else the default) a form shows for key."""
    for marker in result["data_schema"].schema:
        if marker == key:
            if marker.description and "suggested_value" in marker.description:
                return marker.description["suggested_value"]
            default = marker.default
            return default() if callable(default) else default
    raise KeyError(key)


def fields(result: Mapping[str, Any]) -> list[str]:
    """Return the names of a form's fields, in order."""
    return [str(marker) for marker in result["data_schema"].schema]


def dhcp_info(ip: str = HOST, mac: str = MAC) -> DhcpServiceInfo:
    """Return what the DHCP watcher reports (MAC: lower case, no colons)."""
    return DhcpServiceInfo(ip=ip, hostname="phone", macaddress=mac.replace(":", ""))


def add_entry(
    hass: HomeAssistant,
    *,
    unique_id: str | None = MAC,
    mac_source: str | None = "phone",
    host: str = FAR_HOST,
    port: int | None = 8080,
    password: str = "old",
    source: str = SOURCE_USER,
    title: str = "Phone",
) -> MockConfigEntry:
    """Add an entry that is not set up (nothing connects to it)."""
    data: dict[str, Any] = {
        CONF_HOST: host,
        CONF_SSL: False,
        CONF_VERIFY_SSL: False,
        CONF_USERNAME: "admin",
        CONF_PASSWORD: password,
        CONF_WEBHOOK_ID: f"hook-{title}",
        CONF_PORT: port,
    }
    if mac_source is not None:
        data[CONF_MAC_SOURCE] = mac_source
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=title,
        unique_id=unique_id,
        data=data,
        source=source,
        version=1,
        minor_version=3,
    )
    entry.add_to_hass(hass)
    return entry


def simulator_entry(
    sim: PhoneSimulator,
    *,
    unique_id: str | None = MAC,
    mac_source: str | None = "phone",
) -> dict[str, Any]:
    """Return add_entry's arguments for an entry aimed at the simulator."""
    return {
        "unique_id": unique_id,
        "mac_source": mac_source,
        "host": HOST,
        "port": sim.port,
        "password": PASSCODE,
        "title": "Desk phone",
    }


async def start_user_flow(hass: HomeAssistant) -> str:
    """Open the user step and return the flow id."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    return result["flow_id"]


async def submit(
    hass: HomeAssistant,
    sim: PhoneSimulator,
    flow_id: str,
    data: Mapping[str, Any],
    *,
    sent: int = 1,
    options: bool = False,
) -> Any:
    """Submit a step; check the password went out `sent` times and the flow logged out.

    Only the flow's own requests count: an entry the step creates (or
    reloads) is set up inside the same call, and its login is its own.
    """
    tracker: Tracker = hass.data[TRACKER_KEY]
    passwords_before = password_requests(sim)
    requests_before = len(sim.requests)
    marks_before = len(tracker.marks)
    manager = hass.config_entries.options if options else hass.config_entries.flow
    result = await manager.async_configure(flow_id, dict(data))
    later = tracker.marks[marks_before:]
    passwords_after, requests_after = (
        later[0][id(sim)] if later else (password_requests(sim), len(sim.requests))
    )
    assert passwords_after - passwords_before == sent
    logins = [
        request
        for request in sim.password_requests[passwords_before:passwords_after]
        if request["ok"] and request["kind"] != "passcode"
    ]
    logouts = [
        request
        for request in sim.requests[requests_before:requests_after]
        if request["function"] == "dologout"
    ]
    assert len(logouts) == len(logins)
    return result


@dataclass
class Tracker:
    """Entry setups and unloads, and where each phone's logs stood at each."""

    sims: list[PhoneSimulator]
    # Entry ids, in the order they were set up.
    setups: list[str] = field(default_factory=list)
    # At each setup or unload: per phone, (password requests, requests).
    marks: list[dict[int, tuple[int, int]]] = field(default_factory=list)

    def mark(self) -> None:
        """Note where every phone's logs stand now."""
        self.marks.append(
            {id(sim): (password_requests(sim), len(sim.requests)) for sim in self.sims}
        )


# Where `submit` finds the test's tracker.
TRACKER_KEY = "grandstream_cti_test_tracker"


async def loaded_again(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Wait for a scheduled reload; check the entry is loaded."""
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.state is ConfigEntryState.LOADED


# -------------------------------------------------------------------- fixtures


@pytest.fixture
def simulator_config(request: pytest.FixtureRequest) -> SimulatorConfig:
    """Return the phone's settings: the default GRP2614 unless parametrized."""
    config: SimulatorConfig = getattr(request, "param", None) or SimulatorConfig()
    return config


@pytest.fixture(autouse=True)
def tracker(hass: HomeAssistant, simulator: PhoneSimulator) -> Iterator[Tracker]:
    """Record entry setups and unloads (a reload is both)."""
    real_setup = integration.async_setup_entry
    real_unload = integration.async_unload_entry
    tracker = Tracker([simulator])

    async def setup(hass: HomeAssistant, entry: Any) -> bool:
        tracker.setups.append(entry.entry_id)
        tracker.mark()
        return await real_setup(hass, entry)

    async def unload(hass: HomeAssistant, entry: Any) -> bool:
        tracker.mark()
        return await real_unload(hass, entry)

    hass.data[TRACKER_KEY] = tracker
    with (
        patch.object(integration, "async_setup_entry", setup),
        patch.object(integration, "async_unload_entry", unload),
    ):
        yield tracker


@pytest.fixture
def setups(tracker: Tracker) -> list[str]:
    """Return the ids of the entries set up so far, in order."""
    return tracker.setups


@pytest.fixture
async def make_simulator(
    socket_enabled: None, tracker: Tracker
) -> AsyncIterator[SimFactory]:
    """Start more simulated phones on loopback; all are stopped after the test."""
    started: list[PhoneSimulator] = []

    async def make(**config: Any) -> PhoneSimulator:
        sim = PhoneSimulator(SimulatorConfig(**config))
        await sim.start(host=HOST, port=0)
        started.append(sim)
        tracker.sims.append(sim)
        return sim

    yield make
    for sim in started:
        await sim.stop()


@pytest.fixture
async def component(hass: HomeAssistant) -> None:
    """Set the integration up with no entry, so adding one sets up only that one."""
    assert await async_setup_component(hass, DOMAIN, {})


@pytest.fixture
def default_port(simulator: PhoneSimulator) -> Iterator[list[Mapping[str, Any]]]:
    """Serve the simulator as if on the default port (no phone listens on 80 here).

    A client made without a port goes to simulator.port; the list records
    the settings each client was made from.
    """
    real = integration.create_client
    seen: list[Mapping[str, Any]] = []

    def redirect(
        hass: HomeAssistant, data: Mapping[str, Any], mac: str | None = None
    ) -> GrandstreamCTIClient:
        seen.append(dict(data))
        if data.get(CONF_PORT) is None:
            data = {**data, CONF_PORT: simulator.port}
        return real(hass, data, mac)

    with (
        patch.object(integration, "create_client", redirect),
        patch.object(config_flow, "create_client", redirect),
    ):
        yield seen


@pytest.fixture
def refused_handshakes(hass: HomeAssistant) -> Iterator[list[BaseException]]:
    """Expect the simulator's side of TLS handshakes the client refuses.

    The simulator serves in Home Assistant's event loop, which runs in debug
    mode in tests; there asyncio reports a server handshake the client broke
    off (it rejected the certificate) to the loop's exception handler, and
    the `hass` fixture fails the test on that. Only those reports are taken
    out; anything else still reaches the handler.
    """
    loop = hass.loop
    handler = loop.get_exception_handler()
    assert handler is not None
    refused: list[BaseException] = []

    def handle(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exception = context.get("exception")
        if context.get("message", "").startswith(
            "Error on transport creation for incoming connection"
        ) and isinstance(exception, (ConnectionError, ssl.SSLError)):
            refused.append(exception)
            return
        handler(loop, context)

    loop.set_exception_handler(handle)
    yield refused
    loop.set_exception_handler(handler)


def arp_answer(answer: str | None) -> Any:
    """Patch the neighbour-table lookup to give answer."""
    return patch(
        "custom_components.grandstream_cti.identity.get_mac_address",
        return_value=answer,
    )


# ----------------------------------------------------------------- user step


async def test_user_form(hass: HomeAssistant, simulator: PhoneSimulator) -> None:
    """The user step asks for address, port, HTTPS, account and password."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {}
    assert fields(result) == [
        CONF_HOST,
        CONF_PORT,
        CONF_SSL,
        CONF_VERIFY_SSL,
        CONF_USERNAME,
        CONF_PASSWORD,
    ]
    assert suggested(result, CONF_USERNAME) == "admin"
    assert suggested(result, CONF_SSL) is False
    assert suggested(result, CONF_VERIFY_SSL) is False
    assert simulator.requests == []


@pytest.mark.parametrize(
    "simulator_config",
    [SimulatorConfig(profile=name) for name in PROFILE_MODELS],
    ids=list(PROFILE_MODELS),
    indirect=True,
)
async def test_user_session_phone(
    hass: HomeAssistant, simulator: PhoneSimulator, setups: list[str]
) -> None:
    """Each session profile: one login, logged out, entry keyed by the phone's MAC."""
    flow_id = await start_user_flow(hass)
    result = await submit(
        hass, simulator, flow_id, form(simulator, **{CONF_HOST: f"  {HOST} "})
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    model = PROFILE_MODELS[simulator.profile.name]
    assert result["title"] == f"{model} Alice"
    data = dict(result["data"])
    assert len(data.pop(CONF_WEBHOOK_ID)) == 64
    assert data == {
        CONF_HOST: HOST,
        CONF_PORT: simulator.port,
        CONF_SSL: bool(simulator.config.ssl),
        CONF_VERIFY_SSL: False,
        CONF_USERNAME: "admin",
        CONF_PASSWORD: PASSCODE,
        CONF_MAC_SOURCE: "phone",
        # The API the phone proved: never changed but by the user.
        "api": "session",
        "login": simulator.profile.login,
    }
    entry = result["result"]
    assert entry.unique_id == MAC
    assert setups == [entry.entry_id]
    # The flow logged out before the entry logged in.
    assert "dologout" in functions(simulator)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.state is ConfigEntryState.LOADED
    assert simulator.auth_failures == 0


async def test_user_default_username(
    hass: HomeAssistant, simulator: PhoneSimulator, component: None
) -> None:
    """A username left blank is the admin account."""
    flow_id = await start_user_flow(hass)
    result = await submit(
        hass, simulator, flow_id, form(simulator, **{CONF_USERNAME: "  "})
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_USERNAME] == "admin"
    assert simulator.password_requests[0]["username"] == "admin"


async def test_user_account_user(
    hass: HomeAssistant, simulator: PhoneSimulator
) -> None:
    """The `user` web account works too; its name and password are stored."""
    flow_id = await start_user_flow(hass)
    result = await submit(
        hass,
        simulator,
        flow_id,
        form(simulator, USER_PASSCODE, **{CONF_USERNAME: "user"}),
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_USERNAME] == "user"
    assert result["data"][CONF_PASSWORD] == USER_PASSCODE
    assert simulator.password_requests[0]["username"] == "user"


async def test_user_without_port(
    hass: HomeAssistant,
    simulator: PhoneSimulator,
    default_port: list[Mapping[str, Any]],
) -> None:
    """Left empty, the port is not stored: the client uses the scheme's default."""
    flow_id = await start_user_flow(hass)
    typed = form(simulator)
    del typed[CONF_PORT]
    result = await submit(hass, simulator, flow_id, typed)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_PORT] is None
    assert default_port[0][CONF_PORT] is None


@pytest.mark.parametrize(
    "simulator_config",
    [
        SimulatorConfig(accounts=[]),
        SimulatorConfig(accounts=[{"name": "", "sip_id": "1009"}]),
    ],
    ids=["no account", "unnamed account"],
    indirect=True,
)
async def test_user_title_without_account_name(
    hass: HomeAssistant, simulator: PhoneSimulator
) -> None:
    """Without an account name the title uses the SIP id, else the address."""
    flow_id = await start_user_flow(hass)
    result = await submit(hass, simulator, flow_id, form(simulator))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    label = "1009" if simulator.config.accounts else HOST
    assert result["title"] == f"GRP2614 {label}"


# ------------------------------------------------------ passcode-only phones


@pytest.mark.parametrize("simulator_config", [PASSCODE_ONLY], indirect=True)
async def test_user_passcode_phone_shows_action_urls(
    hass: HomeAssistant, simulator: PhoneSimulator, setups: list[str]
) -> None:
    """No session API: the Action URLs are listed before the entry is made.

    The neighbour table is read for real (only watched): on loopback it
    answers the zero MAC, which is no MAC, so the entry has no unique id.
    """
    real_lookup = identity.get_mac_address
    answers: list[str | None] = []

    def lookup(*args: Any, **kwargs: Any) -> str | None:
        answer: str | None = real_lookup(*args, **kwargs)
        answers.append(answer)
        return answer

    flow_id = await start_user_flow(hass)
    with patch.object(identity, "get_mac_address", lookup):
        result = await submit(hass, simulator, flow_id, form(simulator))
    assert answers in ([None], ["00:00:00:00:00:00"])

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "action_urls"
    urls = result["description_placeholders"]["urls"]
    assert "P8310" in urls
    assert "http://127.0.0.1:9/api/webhook/" in urls
    assert setups == []

    result = await submit(hass, simulator, flow_id, {}, sent=0)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    assert entry.unique_id is None
    assert CONF_MAC_SOURCE not in entry.data
    assert entry.data[CONF_WEBHOOK_ID] in urls
    assert result["title"] == "GRP2614 Alice"
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.state is ConfigEntryState.LOADED


@pytest.mark.parametrize("simulator_config", [PASSCODE_ONLY], indirect=True)
async def test_user_passcode_phone_without_local_url(
    hass: HomeAssistant, simulator: PhoneSimulator
) -> None:
    """No local URL yet: a translated form says where to set one; then the entry."""
    flow_id = await start_user_flow(hass)
    with patch(
        "custom_components.grandstream_cti.push.get_url",
        side_effect=NoURLAvailableError,
    ):
        result = await submit(hass, simulator, flow_id, form(simulator))
        assert result["step_id"] == "action_urls_no_url"
        assert result["description_placeholders"] is None
        config = json.loads(STRINGS.read_text(encoding="utf-8"))["config"]["step"]
        assert NO_URL_TEXT in config["action_urls_no_url"]["description"]
        result = await submit(hass, simulator, flow_id, {}, sent=0)
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize("simulator_config", [PASSCODE_ONLY], indirect=True)
async def test_user_passcode_phone_arp_mac(
    hass: HomeAssistant, simulator: PhoneSimulator
) -> None:
    """A Grandstream MAC in the neighbour table keys the entry (source arp)."""
    flow_id = await start_user_flow(hass)
    with arp_answer("00:0B:82:AA:BB:CC"):
        result = await submit(hass, simulator, flow_id, form(simulator))
    result = await submit(hass, simulator, flow_id, {}, sent=0)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == NEW_MAC
    assert result["data"][CONF_MAC_SOURCE] == "arp"


@pytest.mark.parametrize("simulator_config", [PASSCODE_ONLY], indirect=True)
@pytest.mark.parametrize(
    "answer", ["52:54:00:12:34:56", "00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff", None]
)
async def test_user_passcode_phone_no_phone_mac(
    hass: HomeAssistant, simulator: PhoneSimulator, answer: str | None
) -> None:
    """A router's MAC, the zero MAC or none: no unique id."""
    flow_id = await start_user_flow(hass)
    with arp_answer(answer):
        await submit(hass, simulator, flow_id, form(simulator))
    result = await submit(hass, simulator, flow_id, {}, sent=0)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id is None
    assert CONF_MAC_SOURCE not in result["data"]


@pytest.mark.parametrize("simulator_config", [PASSCODE_ONLY], indirect=True)
async def test_user_passcode_phone_arp_mac_of_known_entry(
    hass: HomeAssistant, simulator: PhoneSimulator
) -> None:
    """The network's word does not move a phone's entry: abort, entry unchanged."""
    known = add_entry(hass, unique_id=NEW_MAC)
    flow_id = await start_user_flow(hass)
    with arp_answer(NEW_MAC):
        result = await submit(hass, simulator, flow_id, form(simulator))

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert known.data[CONF_HOST] == FAR_HOST
    assert known.data[CONF_PASSWORD] == "old"


# -------------------------------------------------------------------- errors


async def test_user_wrong_password_says_attempts_left(
    hass: HomeAssistant, simulator: PhoneSimulator
) -> None:
    """A session phone tells how many attempts are left; the form keeps the input."""
    flow_id = await start_user_flow(hass)
    typed = form(simulator, "wrong", **{CONF_USERNAME: "admin"})
    result = await submit(hass, simulator, flow_id, typed)

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {"base": "invalid_auth_attempts"}
    assert result["description_placeholders"] == {"attempts": "4"}
    assert suggested(result, CONF_HOST) == HOST
    assert suggested(result, CONF_PORT) == simulator.port
    assert suggested(result, CONF_USERNAME) == "admin"
    assert suggested(result, CONF_PASSWORD) is vol.UNDEFINED
    assert simulator.password_requests[-1]["ok"] is False

    result = await submit(hass, simulator, flow_id, form(simulator))
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize("simulator_config", [PASSCODE_ONLY], indirect=True)
async def test_user_passcode_phone_wrong_password(
    hass: HomeAssistant, simulator: PhoneSimulator
) -> None:
    """The passcode API says only 401: invalid_auth."""
    flow_id = await start_user_flow(hass)
    result = await submit(hass, simulator, flow_id, form(simulator, "wrong"))
    assert result["errors"] == {"base": "invalid_auth"}
    assert result["description_placeholders"] == {}


async def test_user_locked_sends_no_password(
    hass: HomeAssistant, simulator: PhoneSimulator
) -> None:
    """Locked after 5 failures; while locked, the password is not sent at all."""
    flow_id = await start_user_flow(hass)
    for left in ("4", "3", "2", "1"):
        result = await submit(hass, simulator, flow_id, form(simulator, "wrong"))
        assert result["description_placeholders"] == {"attempts": left}
    result = await submit(hass, simulator, flow_id, form(simulator, "wrong"))
    assert result["errors"] == {"base": "locked"}
    assert result["description_placeholders"] == {"minutes": "5"}

    # Even the right password is not sent: the phone says it is locked
    # (`api-get_lockout` tells no minutes).
    result = await submit(hass, simulator, flow_id, form(simulator), sent=0)
    assert result["errors"] == {"base": "locked_unknown"}
    assert result["description_placeholders"] == {}
    assert functions(simulator)[-1] == "api-get_lockout"

    simulator.clock.advance(5 * 60)
    result = await submit(hass, simulator, flow_id, form(simulator))
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize(
    "simulator_config", [SimulatorConfig(user_web_access=False)], indirect=True
)
async def test_user_account_not_allowed(
    hass: HomeAssistant, simulator: PhoneSimulator
) -> None:
    """The `user` account may not log in to the web UI on this phone."""
    flow_id = await start_user_flow(hass)
    typed = form(simulator, USER_PASSCODE, **{CONF_USERNAME: "user"})
    result = await submit(hass, simulator, flow_id, typed)
    assert result["errors"] == {"base": "user_not_allowed"}
    assert suggested(result, CONF_USERNAME) == "user"


async def test_user_cannot_connect(
    hass: HomeAssistant, simulator: PhoneSimulator
) -> None:
    """Nothing listens there: cannot_connect, and nothing reached the phone."""
    flow_id = await start_user_flow(hass)
    closed = free_port()
    result = await submit(
        hass, simulator, flow_id, form(simulator, **{CONF_PORT: closed}), sent=0
    )
    assert result["errors"] == {"base": "cannot_connect"}
    assert suggested(result, CONF_PORT) == closed
    assert simulator.requests == []


@pytest.mark.parametrize(
    "host", ["http://127.0.0.1", "127.0.0.1:80", "my phone", "127.0.0.1/cgi-bin"]
)
async def test_user_invalid_host(
    hass: HomeAssistant, simulator: PhoneSimulator, host: str
) -> None:
    """A URL, host:port or spaces: invalid_host on the field, no request made."""
    flow_id = await start_user_flow(hass)
    result = await submit(
        hass, simulator, flow_id, form(simulator, **{CONF_HOST: host}), sent=0
    )
    assert result["errors"] == {CONF_HOST: "invalid_host"}
    assert suggested(result, CONF_HOST) == host
    assert simulator.requests == []


@pytest.mark.parametrize(
    "simulator_config",
    [SimulatorConfig(session_api=False, cti_enabled=False)],
    indirect=True,
)
async def test_user_cti_disabled(
    hass: HomeAssistant, simulator: PhoneSimulator
) -> None:
    """A passcode phone with CTI off refuses before it checks the password.

    The one read that carries the password is refused unread, so the phone
    counts no password request.
    """
    flow_id = await start_user_flow(hass)
    result = await submit(hass, simulator, flow_id, form(simulator), sent=0)
    assert result["errors"] == {"base": "cti_disabled"}
    assert functions(simulator).count("api-get_accounts") == 1


@pytest.mark.parametrize(
    "simulator_config", [SimulatorConfig(profile="wp826")], indirect=True
)
async def test_user_certificate_error(
    hass: HomeAssistant,
    simulator: PhoneSimulator,
    refused_handshakes: list[BaseException],
) -> None:
    """Verifying the handset's self-signed certificate fails before any password."""
    flow_id = await start_user_flow(hass)
    typed = form(simulator, **{CONF_VERIFY_SSL: True})
    result = await submit(hass, simulator, flow_id, typed, sent=0)
    assert result["errors"] == {"base": "certificate_error"}
    assert suggested(result, CONF_VERIFY_SSL) is True

    result = await submit(hass, simulator, flow_id, form(simulator))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_SSL] is True


async def test_user_unexpected_answer(
    hass: HomeAssistant, simulator: PhoneSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    """An answer the client does not understand: unknown, logged without the password."""
    simulator.set_fault("garbage")
    flow_id = await start_user_flow(hass)
    with caplog.at_level(logging.DEBUG):
        result = await submit(
            hass, simulator, flow_id, form(simulator, "s3cret-pass"), sent=0
        )
    assert result["errors"] == {"base": "unknown"}
    assert "Unexpected answer from the phone" in caplog.text
    assert "s3cret-pass" not in caplog.text

    simulator.set_fault("none")
    result = await submit(hass, simulator, flow_id, form(simulator))
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize(
    "simulator_config",
    [SimulatorConfig(profile="wp826"), SimulatorConfig(profile="grp2614")],
    ids=["wp826", "grp2614"],
    indirect=True,
)
async def test_user_busy_phone_gets_no_password(
    hass: HomeAssistant, simulator: PhoneSimulator
) -> None:
    """A glitch is not an absent API: 5xx while detecting sends no password.

    (A session-only WP826 answering 500 was once taken for a passcode phone,
    and the password went out in the clear.)
    """
    simulator.set_fault("http500")
    flow_id = await start_user_flow(hass)
    result = await submit(hass, simulator, flow_id, form(simulator), sent=0)
    assert result["errors"] == {"base": "cannot_connect"}
    assert simulator.password_requests == []

    simulator.set_fault("none")
    result = await submit(hass, simulator, flow_id, form(simulator))
    assert result["type"] is FlowResultType.CREATE_ENTRY


# ---------------------------------------------------------------- duplicates


@pytest.mark.parametrize(
    ("stored", "typed", "port"),
    [
        (HOST, f" {HOST} ", 8080),
        ("phone.example", "Phone.Example", 8080),
        ("fe80::1", "[FE80::1]", 8080),
        ("phone.example", "phone.example", None),
    ],
)
async def test_user_same_address_aborts_before_any_request(
    hass: HomeAssistant,
    simulator: PhoneSimulator,
    stored: str,
    typed: str,
    port: int | None,
) -> None:
    """A host and port an entry has abort at once: no password goes out."""
    add_entry(hass, unique_id=None, mac_source=None, host=stored, port=port)
    flow_id = await start_user_flow(hass)
    typed_form = form(simulator, **{CONF_HOST: typed, CONF_PORT: port})
    if port is None:
        del typed_form[CONF_PORT]
    result = await submit(hass, simulator, flow_id, typed_form, sent=0)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert simulator.requests == []


async def test_user_same_host_other_port(
    hass: HomeAssistant, simulator: PhoneSimulator, component: None
) -> None:
    """Two phones may share an address (NAT): another port is another phone."""
    add_entry(hass, unique_id=OTHER_MAC, host=HOST, port=free_port(), title="Neighbour")
    flow_id = await start_user_flow(hass)
    result = await submit(hass, simulator, flow_id, form(simulator))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == MAC
    assert len(hass.config_entries.async_entries(DOMAIN)) == 2


async def test_user_known_phone_at_new_address(
    hass: HomeAssistant, simulator: PhoneSimulator, setups: list[str]
) -> None:
    """The phone proves it is a known one: its entry moves here, account kept."""
    entry = add_entry(hass)
    flow_id = await start_user_flow(hass)
    typed = form(simulator, USER_PASSCODE, **{CONF_USERNAME: "user"})
    result = await submit(hass, simulator, flow_id, typed)

    assert result["type"] is FlowResultType.ABORT
    # Not silently: the user is told the entry moved.
    assert result["reason"] == "address_updated"
    assert entry.data[CONF_HOST] == HOST
    assert entry.data[CONF_PORT] == simulator.port
    assert entry.data[CONF_SSL] is False
    assert entry.data[CONF_USERNAME] == "admin"
    assert entry.data[CONF_PASSWORD] == "old"
    assert entry.data[CONF_WEBHOOK_ID] == "hook-Phone"
    assert entry.unique_id == MAC
    # Not loaded: nothing to set up again.
    await hass.async_block_till_done(wait_background_tasks=True)
    assert setups == []
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


async def test_user_known_phone_moved_reloads(
    hass: HomeAssistant,
    simulator: PhoneSimulator,
    make_simulator: SimFactory,
    init_integration: MockConfigEntry,
    setups: list[str],
) -> None:
    """A loaded entry whose phone moved is set up again at the new address."""
    entry = init_integration
    runtime = entry.runtime_data
    moved = await make_simulator()  # the same MAC, another port
    flow_id = await start_user_flow(hass)
    typed = form(moved, USER_PASSCODE, **{CONF_USERNAME: "user"})
    result = await submit(hass, moved, flow_id, typed)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "address_updated"
    await loaded_again(hass, entry)
    assert entry.data[CONF_PORT] == moved.port
    assert entry.data[CONF_USERNAME] == "admin"
    assert entry.data[CONF_PASSWORD] == PASSCODE
    assert entry.runtime_data is not runtime
    assert setups == [entry.entry_id, entry.entry_id]
    # The reloaded entry reads the phone at its new address with its own account.
    assert moved.password_requests[-1]["username"] == "admin"


async def test_user_ignored_phone_can_be_added(
    hass: HomeAssistant, simulator: PhoneSimulator
) -> None:
    """An ignored entry with the phone's MAC gives way to adding it by hand."""
    MockConfigEntry(
        domain=DOMAIN, unique_id=MAC, source=SOURCE_IGNORE, data={}
    ).add_to_hass(hass)
    flow_id = await start_user_flow(hass)
    result = await submit(hass, simulator, flow_id, form(simulator))

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == MAC
    # The ignored entry was replaced, not left behind without its MAC.
    entries = hass.config_entries.async_entries(DOMAIN, include_ignore=True)
    assert entries == [result["result"]]


# ---------------------------------------------------------------------- DHCP


async def test_dhcp_new_phone(
    hass: HomeAssistant, simulator: PhoneSimulator, setups: list[str]
) -> None:
    """A new Grandstream MAC: confirm with the account; keyed by the phone's MAC."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=dhcp_info()
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "discovery_confirm"
    assert result["description_placeholders"] == {"host": HOST}
    assert fields(result) == [
        CONF_USERNAME,
        CONF_PASSWORD,
        CONF_PORT,
        CONF_SSL,
        CONF_VERIFY_SSL,
    ]
    flow = hass.config_entries.flow.async_get(result["flow_id"])
    assert flow["context"]["title_placeholders"] == {"host": HOST}
    assert simulator.requests == []

    typed = {
        CONF_USERNAME: "admin",
        CONF_PASSWORD: "wrong",
        CONF_PORT: simulator.port,
        CONF_SSL: False,
        CONF_VERIFY_SSL: False,
    }
    result = await submit(hass, simulator, result["flow_id"], typed)
    assert result["errors"] == {"base": "invalid_auth_attempts"}
    assert result["description_placeholders"] == {"host": HOST, "attempts": "4"}
    assert suggested(result, CONF_PORT) == simulator.port

    typed[CONF_PASSWORD] = PASSCODE
    result = await submit(hass, simulator, result["flow_id"], typed)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == MAC
    assert result["data"][CONF_HOST] == HOST
    assert result["data"][CONF_MAC_SOURCE] == "phone"
    assert setups == [result["result"].entry_id]


async def test_dhcp_phone_mac_wins(
    hass: HomeAssistant, simulator: PhoneSimulator
) -> None:
    """DHCP saw another MAC than the phone tells: the phone's own MAC keys it."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=dhcp_info(mac=NEW_MAC)
    )
    result = await submit(
        hass,
        simulator,
        result["flow_id"],
        {CONF_PASSWORD: PASSCODE, CONF_PORT: simulator.port},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == MAC
    assert result["data"][CONF_MAC_SOURCE] == "phone"
    assert result["data"][CONF_USERNAME] == "admin"


@pytest.mark.parametrize("simulator_config", [PASSCODE_ONLY], indirect=True)
async def test_dhcp_passcode_phone(
    hass: HomeAssistant, simulator: PhoneSimulator
) -> None:
    """A phone that tells no MAC is keyed by DHCP's; the Action URLs come first."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=dhcp_info(mac=NEW_MAC)
    )
    with arp_answer(OTHER_MAC) as lookup:
        result = await submit(
            hass,
            simulator,
            result["flow_id"],
            {CONF_PASSWORD: PASSCODE, CONF_PORT: simulator.port},
        )
    assert lookup.call_count == 0
    assert result["step_id"] == "action_urls"
    result = await submit(hass, simulator, result["flow_id"], {}, sent=0)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == NEW_MAC
    assert result["data"][CONF_MAC_SOURCE] == "dhcp"


@pytest.mark.parametrize("source", ["phone", "dhcp", "arp"])
async def test_dhcp_known_phone_moved(
    hass: HomeAssistant, simulator: PhoneSimulator, source: str
) -> None:
    """A known MAC at a new address: the entry follows it, not yet proven there."""
    entry = add_entry(hass, mac_source=source)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=dhcp_info(ip=FAR_HOST_2)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data[CONF_HOST] == FAR_HOST_2
    assert entry.data[CONF_MOVED] is True
    assert entry.data[CONF_PASSWORD] == "old"
    assert entry.data[CONF_MAC_SOURCE] == source
    assert simulator.requests == []


async def test_dhcp_entry_at_address_learns_mac(
    hass: HomeAssistant, simulator: PhoneSimulator
) -> None:
    """DHCP sees a MAC at an unkeyed entry's address: the entry is keyed by it."""
    entry = add_entry(hass, unique_id=None, mac_source=None)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=dhcp_info(ip=FAR_HOST)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.unique_id == MAC
    assert entry.data[CONF_MAC_SOURCE] == "dhcp"
    assert entry.data[CONF_HOST] == FAR_HOST


async def test_dhcp_entry_at_address_keeps_stronger_mac(
    hass: HomeAssistant, simulator: PhoneSimulator
) -> None:
    """Another phone at a keyed entry's address: offered as new; the entry keeps its MAC."""
    entry = add_entry(hass, unique_id=OTHER_MAC, mac_source="phone")
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=dhcp_info(ip=FAR_HOST)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "discovery_confirm"
    assert entry.unique_id == OTHER_MAC
    assert entry.data[CONF_MAC_SOURCE] == "phone"


@pytest.mark.parametrize("mac", ["00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff", ""])
async def test_dhcp_no_mac(
    hass: HomeAssistant, simulator: PhoneSimulator, mac: str
) -> None:
    """The zero MAC (or none) is no MAC: not_supported."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=dhcp_info(mac=mac)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_supported"


async def test_dhcp_already_in_progress(
    hass: HomeAssistant, simulator: PhoneSimulator
) -> None:
    """A second discovery of the same MAC while the first waits: already_in_progress."""
    first = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=dhcp_info()
    )
    assert first["type"] is FlowResultType.FORM
    second = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=dhcp_info()
    )
    assert second["type"] is FlowResultType.ABORT
    assert second["reason"] == "already_in_progress"


async def test_dhcp_ignored_phone(
    hass: HomeAssistant, simulator: PhoneSimulator
) -> None:
    """An ignored phone is not offered again, and its MAC stays with the ignore."""
    ignored = MockConfigEntry(
        domain=DOMAIN, unique_id=MAC, source=SOURCE_IGNORE, data={}
    )
    ignored.add_to_hass(hass)
    entry = add_entry(hass, unique_id=None, mac_source=None)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=dhcp_info(ip=FAR_HOST)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert ignored.unique_id == MAC
    assert entry.unique_id is None


# -------------------------------------------------------------------- reauth


@pytest.fixture
def rejected_entry(hass: HomeAssistant, simulator: PhoneSimulator) -> MockConfigEntry:
    """Return an entry whose saved password the phone no longer takes."""
    simulator.update_config({"passcode": "new-pass"})
    return MockConfigEntry(
        domain=DOMAIN,
        title="GRP2614 Alice",
        unique_id=MAC,
        version=1,
        minor_version=2,
        data={
            CONF_HOST: HOST,
            CONF_PORT: simulator.port,
            CONF_SSL: False,
            CONF_VERIFY_SSL: False,
            CONF_USERNAME: "admin",
            CONF_PASSWORD: PASSCODE,
            CONF_WEBHOOK_ID: WEBHOOK_ID,
            CONF_MAC_SOURCE: "phone",
        },
    )


async def reauth_flow(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    """Return the reauth flow Home Assistant started for the entry."""
    flows = [
        flow
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        if flow["context"]["source"] == SOURCE_REAUTH
        and flow["context"]["entry_id"] == entry.entry_id
    ]
    assert len(flows) == 1
    return flows[0]


async def test_reauth(
    hass: HomeAssistant,
    simulator: PhoneSimulator,
    rejected_entry: MockConfigEntry,
    setups: list[str],
) -> None:
    """The password changed: setup asks for it; a wrong one says the attempts left."""
    entry = rejected_entry
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.state is ConfigEntryState.SETUP_ERROR
    assert entry.data[CONF_REJECTED] is True
    flow = await reauth_flow(hass, entry)
    assert flow["step_id"] == "reauth_confirm"

    # Opening the form sends nothing.
    result = await hass.config_entries.flow.async_configure(flow["flow_id"])
    assert result["description_placeholders"] == {"name": "GRP2614 Alice"}
    assert fields(result) == [CONF_USERNAME, CONF_PASSWORD]
    assert suggested(result, CONF_USERNAME) == "admin"

    result = await submit(
        hass, simulator, flow["flow_id"], {CONF_PASSWORD: "still-wrong"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth_attempts"}
    assert result["description_placeholders"] == {
        "name": "GRP2614 Alice",
        "attempts": "3",
    }

    result = await submit(
        hass,
        simulator,
        flow["flow_id"],
        {CONF_USERNAME: "admin", CONF_PASSWORD: "new-pass"},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_PASSWORD] == "new-pass"
    assert entry.data[CONF_USERNAME] == "admin"
    assert entry.unique_id == MAC
    assert CONF_REJECTED not in entry.data
    await loaded_again(hass, entry)
    assert setups == [entry.entry_id, entry.entry_id]


async def test_reauth_changes_account(
    hass: HomeAssistant, simulator: PhoneSimulator, init_integration: MockConfigEntry
) -> None:
    """Reauth may switch to the `user` account; the entry is set up again."""
    entry = init_integration
    runtime = entry.runtime_data
    result = await entry.start_reauth_flow(hass)
    result = await submit(
        hass,
        simulator,
        result["flow_id"],
        {CONF_USERNAME: "user", CONF_PASSWORD: USER_PASSCODE},
    )
    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_USERNAME] == "user"
    assert entry.data[CONF_PASSWORD] == USER_PASSCODE
    await loaded_again(hass, entry)
    assert entry.runtime_data is not runtime


@pytest.mark.parametrize(
    "simulator_config", [SimulatorConfig(mac=OTHER_MAC)], indirect=True
)
async def test_reauth_wrong_device(
    hass: HomeAssistant, simulator: PhoneSimulator, mock_config_entry: MockConfigEntry
) -> None:
    """Another phone answers at the address: wrong_device, entry unchanged."""
    entry = mock_config_entry
    entry.add_to_hass(hass)
    before = dict(entry.data)
    result = await entry.start_reauth_flow(hass)
    result = await submit(hass, simulator, result["flow_id"], {CONF_PASSWORD: "x1"})
    assert result["errors"] == {"base": "invalid_auth_attempts"}
    result = await submit(hass, simulator, result["flow_id"], {CONF_PASSWORD: PASSCODE})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_device"
    assert entry.unique_id == MAC
    assert dict(entry.data) == before
    assert not simulator.sessions.sessions


async def test_reauth_learns_mac(
    hass: HomeAssistant, simulator: PhoneSimulator, component: None
) -> None:
    """An entry without a MAC takes the phone's own."""
    entry = add_entry(
        hass, **simulator_entry(simulator, unique_id=None, mac_source=None)
    )
    result = await entry.start_reauth_flow(hass)
    result = await submit(hass, simulator, result["flow_id"], {CONF_PASSWORD: PASSCODE})
    assert result["reason"] == "reauth_successful"
    assert entry.unique_id == MAC
    assert entry.data[CONF_MAC_SOURCE] == "phone"
    assert entry.data[CONF_PASSWORD] == PASSCODE
    await loaded_again(hass, entry)


@pytest.mark.parametrize("mac_source", ["phone", "dhcp", "arp"])
async def test_reauth_mac_of_another_entry(
    hass: HomeAssistant, simulator: PhoneSimulator, mac_source: str
) -> None:
    """The phone is one another entry has: already_configured, nothing changes."""
    other = add_entry(hass, mac_source=mac_source, title="Other")
    entry = add_entry(
        hass, **simulator_entry(simulator, unique_id=None, mac_source=None)
    )
    result = await entry.start_reauth_flow(hass)
    result = await submit(hass, simulator, result["flow_id"], {CONF_PASSWORD: PASSCODE})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.unique_id is None
    assert other.unique_id == MAC
    assert other.data[CONF_HOST] == FAR_HOST


async def test_reauth_mac_of_an_ignored_entry(
    hass: HomeAssistant, simulator: PhoneSimulator
) -> None:
    """An ignored entry keeps its MAC: already_configured, nothing changes."""
    ignored = MockConfigEntry(
        domain=DOMAIN, unique_id=MAC, source=SOURCE_IGNORE, data={}
    )
    ignored.add_to_hass(hass)
    entry = add_entry(
        hass, **simulator_entry(simulator, unique_id=None, mac_source=None)
    )
    result = await entry.start_reauth_flow(hass)
    result = await submit(hass, simulator, result["flow_id"], {CONF_PASSWORD: PASSCODE})
    assert result["reason"] == "already_configured"
    assert entry.unique_id is None
    assert ignored.unique_id == MAC


@pytest.mark.parametrize("simulator_config", [PASSCODE_ONLY], indirect=True)
async def test_reauth_passcode_phone(
    hass: HomeAssistant, simulator: PhoneSimulator, component: None
) -> None:
    """A passcode phone tells no MAC: the entry keeps what it had."""
    entry = add_entry(
        hass, **simulator_entry(simulator, unique_id=None, mac_source=None)
    )
    result = await entry.start_reauth_flow(hass)
    result = await submit(hass, simulator, result["flow_id"], {CONF_PASSWORD: "wrong"})
    assert result["errors"] == {"base": "invalid_auth"}
    result = await submit(
        hass, simulator, result["flow_id"], {CONF_PASSWORD: USER_PASSCODE}
    )
    assert result["reason"] == "reauth_successful"
    assert entry.unique_id is None
    assert CONF_MAC_SOURCE not in entry.data
    assert entry.data[CONF_PASSWORD] == USER_PASSCODE
    await loaded_again(hass, entry)


# --------------------------------------------------------------- reconfigure


async def test_reconfigure(
    hass: HomeAssistant,
    simulator: PhoneSimulator,
    make_simulator: SimFactory,
    init_integration: MockConfigEntry,
    setups: list[str],
) -> None:
    """A new port; the password left empty keeps the saved one; then the account."""
    entry = init_integration
    runtime = entry.runtime_data
    moved = await make_simulator()  # the same MAC, another port
    result = await entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert fields(result) == [
        CONF_HOST,
        CONF_PORT,
        CONF_SSL,
        CONF_VERIFY_SSL,
        CONF_USERNAME,
        CONF_PASSWORD,
    ]
    assert suggested(result, CONF_HOST) == HOST
    assert suggested(result, CONF_PORT) == simulator.port
    assert suggested(result, CONF_USERNAME) == "admin"
    assert suggested(result, CONF_PASSWORD) is vol.UNDEFINED

    typed = {CONF_HOST: HOST, CONF_PORT: moved.port, CONF_USERNAME: "admin"}
    result = await submit(hass, moved, result["flow_id"], typed)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_PORT] == moved.port
    assert entry.data[CONF_PASSWORD] == PASSCODE
    assert entry.data[CONF_WEBHOOK_ID] == WEBHOOK_ID
    assert entry.data[CONF_MAC_SOURCE] == "phone"
    await loaded_again(hass, entry)
    assert entry.runtime_data is not runtime
    assert setups == [entry.entry_id, entry.entry_id]

    # Same address, the `user` account with its own password.
    result = await entry.start_reconfigure_flow(hass)
    typed = {**typed, CONF_USERNAME: "user", CONF_PASSWORD: USER_PASSCODE}
    result = await submit(hass, moved, result["flow_id"], typed)
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_USERNAME] == "user"
    assert entry.data[CONF_PASSWORD] == USER_PASSCODE
    await loaded_again(hass, entry)
    assert len(setups) == 3


async def test_reconfigure_new_host_learns_mac(
    hass: HomeAssistant, simulator: PhoneSimulator, component: None
) -> None:
    """An unkeyed entry moved to its phone's address learns the phone's MAC."""
    entry = add_entry(hass, unique_id=None, mac_source=None, password=PASSCODE)
    result = await entry.start_reconfigure_flow(hass)
    assert suggested(result, CONF_HOST) == FAR_HOST
    typed = {CONF_HOST: f" {HOST} ", CONF_PORT: simulator.port}
    result = await submit(hass, simulator, result["flow_id"], typed)
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_HOST] == HOST
    assert entry.data[CONF_PORT] == simulator.port
    assert entry.unique_id == MAC
    assert entry.data[CONF_MAC_SOURCE] == "phone"
    await loaded_again(hass, entry)


@pytest.mark.parametrize(
    "simulator_config", [SimulatorConfig(profile="wp826")], indirect=True
)
async def test_reconfigure_port_and_https(
    hass: HomeAssistant, simulator: PhoneSimulator, component: None
) -> None:
    """A handset entry with the wrong port and no HTTPS is fixed in place."""
    entry = add_entry(hass, **{**simulator_entry(simulator), "port": free_port()})
    result = await entry.start_reconfigure_flow(hass)
    typed = {CONF_HOST: HOST, CONF_PORT: free_port(), CONF_SSL: False}
    result = await submit(hass, simulator, result["flow_id"], typed, sent=0)
    assert result["errors"] == {"base": "cannot_connect"}
    assert suggested(result, CONF_PORT) == typed[CONF_PORT]

    typed.update({CONF_PORT: simulator.port, CONF_SSL: True})
    result = await submit(hass, simulator, result["flow_id"], typed)
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_PORT] == simulator.port
    assert entry.data[CONF_SSL] is True
    await loaded_again(hass, entry)


async def test_reconfigure_port_left_empty(
    hass: HomeAssistant,
    simulator: PhoneSimulator,
    init_integration: MockConfigEntry,
    default_port: list[Mapping[str, Any]],
) -> None:
    """An emptied port is dropped: the scheme's default is used from now on."""
    entry = init_integration
    result = await entry.start_reconfigure_flow(hass)
    result = await submit(hass, simulator, result["flow_id"], {CONF_HOST: HOST})
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_PORT] is None
    await loaded_again(hass, entry)
    assert default_port[-1][CONF_PORT] is None


@pytest.mark.parametrize(
    ("other_host", "other_port", "typed_host"),
    [("phone.example", 80, "Phone.Example"), (HOST, 8080, HOST)],
)
async def test_reconfigure_address_of_another_entry(
    hass: HomeAssistant,
    simulator: PhoneSimulator,
    init_integration: MockConfigEntry,
    other_host: str,
    other_port: int,
    typed_host: str,
) -> None:
    """Another entry has the new address: already_configured, no request."""
    entry = init_integration
    add_entry(
        hass, unique_id=OTHER_MAC, host=other_host, port=other_port, title="Other"
    )
    requests = len(simulator.requests)
    result = await entry.start_reconfigure_flow(hass)
    typed = {CONF_HOST: typed_host, CONF_PORT: other_port}
    result = await submit(hass, simulator, result["flow_id"], typed, sent=0)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert len(simulator.requests) == requests
    assert entry.data[CONF_HOST] == HOST
    assert entry.data[CONF_PORT] == simulator.port


async def test_reconfigure_wrong_device(
    hass: HomeAssistant,
    simulator: PhoneSimulator,
    init_integration: MockConfigEntry,
    make_simulator: SimFactory,
) -> None:
    """A different phone at the new address: wrong_device, entry unchanged."""
    entry = init_integration
    before = dict(entry.data)
    other = await make_simulator(mac=OTHER_MAC)
    result = await entry.start_reconfigure_flow(hass)
    typed = {CONF_HOST: HOST, CONF_PORT: other.port}
    result = await submit(hass, other, result["flow_id"], typed)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_device"
    assert dict(entry.data) == before
    assert entry.unique_id == MAC
    assert not other.sessions.sessions


async def test_reconfigure_errors_keep_input(
    hass: HomeAssistant, simulator: PhoneSimulator, init_integration: MockConfigEntry
) -> None:
    """An invalid host or a wrong password: the form keeps what was typed."""
    entry = init_integration
    result = await entry.start_reconfigure_flow(hass)
    typed = {CONF_HOST: "http://phone", CONF_PORT: simulator.port}
    result = await submit(hass, simulator, result["flow_id"], typed, sent=0)
    assert result["errors"] == {CONF_HOST: "invalid_host"}
    assert suggested(result, CONF_HOST) == "http://phone"

    typed = {CONF_HOST: HOST, CONF_PORT: simulator.port, CONF_PASSWORD: "wrong"}
    result = await submit(hass, simulator, result["flow_id"], typed)
    assert result["errors"] == {"base": "invalid_auth_attempts"}
    assert result["description_placeholders"] == {"attempts": "4"}
    assert suggested(result, CONF_PORT) == simulator.port
    assert suggested(result, CONF_PASSWORD) is vol.UNDEFINED
    assert entry.data[CONF_PASSWORD] == PASSCODE


# ------------------------------------------------------------------- options


async def test_options(
    hass: HomeAssistant,
    simulator: PhoneSimulator,
    init_integration: MockConfigEntry,
    setups: list[str],
) -> None:
    """Push and auto push (on by default); a change sets the entry up again.

    The URLs show only where they must be pasted by hand.
    """
    entry = init_integration
    runtime = entry.runtime_data
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    # Home Assistant writes the URLs itself: nothing to paste, no list.
    assert result["step_id"] == "auto"
    assert not result["description_placeholders"]
    assert fields(result) == [CONF_PUSH, CONF_AUTO_PUSH]
    assert suggested(result, CONF_PUSH) is True
    assert suggested(result, CONF_AUTO_PUSH) is True

    result = await submit(
        hass,
        simulator,
        result["flow_id"],
        {CONF_PUSH: True, CONF_AUTO_PUSH: False},
        sent=0,
        options=True,
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {CONF_PUSH: True, CONF_AUTO_PUSH: False}
    await loaded_again(hass, entry)
    assert entry.runtime_data is not runtime
    assert setups == [entry.entry_id, entry.entry_id]

    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert suggested(result, CONF_AUTO_PUSH) is False
    # Now the user pastes them: the list.
    assert result["step_id"] == "init"
    urls = result["description_placeholders"]["urls"]
    assert f"http://127.0.0.1:9/api/webhook/{WEBHOOK_ID}" in urls
    assert "P8310" in urls
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_PUSH: False, CONF_AUTO_PUSH: False}
    )
    assert entry.options == {CONF_PUSH: False, CONF_AUTO_PUSH: False}
    await loaded_again(hass, entry)
    assert len(setups) == 3


@pytest.mark.parametrize("simulator_config", [PASSCODE_ONLY], indirect=True)
async def test_options_without_local_url(
    hass: HomeAssistant, simulator: PhoneSimulator, init_integration: MockConfigEntry
) -> None:
    """Home Assistant has no local URL: the options say where to set one."""
    with patch(
        "custom_components.grandstream_cti.push.get_url",
        side_effect=NoURLAvailableError,
    ):
        result = await hass.config_entries.options.async_init(init_integration.entry_id)
    # Its own form, whose translated text says where to set one.
    assert result["step_id"] == "no_url"
    assert result["description_placeholders"] is None
    options = json.loads(STRINGS.read_text(encoding="utf-8"))["options"]["step"]
    assert NO_URL_TEXT in options["no_url"]["description"]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_PUSH: False, CONF_AUTO_PUSH: False}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options == {CONF_PUSH: False, CONF_AUTO_PUSH: False}


# -------------------------------------------------------------- translations


async def test_translations_name_every_reason() -> None:
    """Every form error and abort reason the flows use has a text."""
    config = json.loads(STRINGS.read_text(encoding="utf-8"))["config"]
    assert set(config["error"]) >= FORM_ERRORS
    assert set(config["abort"]) >= ABORT_REASONS
    assert "{attempts}" in config["error"]["invalid_auth_attempts"]
    assert "{minutes}" in config["error"]["locked"]
    assert "{urls}" in config["step"]["action_urls"]["description"]
