"""What Home Assistant trusts, shown end to end against simulated phones.

* A wrong password costs a phone at most one request per attempt, then
  nothing until the user gives a new one (phones lock after 5 failures); a
  lock (anyone's) is not a wrong password.
* The password goes only to a device that proved to be the phone (its MAC),
  and only in the form of the API the entry proved; an error answer is never
  evidence that an API is absent.
* A phone is its MAC, checked at every login; nothing the network or a push
  sends makes one entry act on another phone.
* Push is verified: when it fails, the user is told.

Every clock is driven by the test: the simulators' (`manual_clock`), Home
Assistant's timers (`async_fire_time_changed`) and, where the client's lock
and session timing matter, Home Assistant's wall clock (`freezer`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import suppress
from datetime import timedelta
import hashlib
import json
from pathlib import Path
from typing import Any
from unittest.mock import patch

import aiohttp
from aiohttp import web
from aiohttp.typedefs import Handler
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import (
    SOURCE_DHCP,
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
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

import custom_components.grandstream_cti as integration
from custom_components.grandstream_cti.const import (
    CONF_API,
    CONF_LOGIN,
    CONF_MAC_SOURCE,
    CONF_MOVED,
    DOMAIN,
)
from custom_components.grandstream_cti.push import HANDED_OUT_FIELDS
from simulator import PhoneSimulator, SimulatorConfig

from .conftest import (
    ENTRY_ID,
    MAC,
    NO_PUSH,
    PASSCODE,
    WEBHOOK_ID,
    entity_id,
    password_requests,
    phone_device,
    poll,
)

STRINGS = json.loads(
    (Path(integration.__file__).parent / "strings.json").read_text(encoding="utf-8")
)
GETMAC = "custom_components.grandstream_cti.identity.get_mac_address"
HOST = "127.0.0.1"
# TEST-NET-1 (RFC 5737): an address the sandbox refuses at once ("away").
FAR_HOST = "192.0.2.10"
OTHER_MAC = "00:0b:82:65:43:21"
OTHER_ENTRY_ID = "01JGSCTI0000000000000000BB"
OTHER_WEBHOOK_ID = "fedcba9876543210" * 4
NEW_PASSWORD = "changed-on-the-phone"
# Someone else's web account on the phone: a person, another integration.
MALLORY = {
    "name": "Mallory",
    "sip_id": "6666",
    "sip_server": "evil.example",
    "registered": True,
}

type SimFactory = Callable[..., Awaitable["WitnessSimulator"]]


# --------------------------------------------------------------------- helpers


@pytest.fixture
def simulator_config() -> SimulatorConfig:
    """Return the phone's settings: a GRP2614 whose clock only the test moves."""
    return SimulatorConfig(manual_clock=True)


class WitnessSimulator(PhoneSimulator):
    """A simulated phone that also notes what each request carried, unredacted.

    The request log drops secrets; this shows whether one was sent at all.
    """

    def __init__(self, config: SimulatorConfig) -> None:
        """Start with nothing seen."""
        super().__init__(config)
        # The parameter names (query and form) of every /cgi-bin request.
        self.sent_params: list[set[str]] = []

    def build_app(self) -> web.Application:
        """Serve the phone, noting each request's parameter names first."""
        app = super().build_app()

        @web.middleware
        async def witness(request: web.Request, handler: Handler) -> Any:
            if not request.path.startswith("/cgi-bin"):
                return await handler(request)
            names = set(request.query)
            self.sent_params.append(names)
            try:
                return await handler(request)
            finally:
                # After the phone read the form (aiohttp keeps it): reading
                # it first would leave the phone an empty body.
                if request.content_type == "application/x-www-form-urlencoded":
                    with suppress(Exception):
                        names |= set(await request.post())

        app.middlewares.append(witness)
        return app

    @property
    def carried_a_password(self) -> bool:
        """Return True if any request carried a passcode or password field."""
        return any(names & {"passcode", "password"} for names in self.sent_params)


@pytest.fixture
async def make_simulator(
    simulator: PhoneSimulator,
) -> AsyncIterator[SimFactory]:
    """Start more simulated phones on free loopback ports (stopped afterwards)."""
    started: list[WitnessSimulator] = []

    async def make(**settings: Any) -> WitnessSimulator:
        sim = WitnessSimulator(SimulatorConfig(manual_clock=True, **settings))
        await sim.start(host=HOST, port=0)
        started.append(sim)
        return sim

    yield make
    for sim in started:
        await sim.stop()
    for sim in started:
        assert sim.tripwires == []


def make_entry(
    sim: PhoneSimulator | None,
    *,
    entry_id: str = ENTRY_ID,
    mac: str | None = MAC,
    mac_source: str | None = "phone",
    webhook_id: str = WEBHOOK_ID,
    host: str = HOST,
    port: int | None = None,
    api: str | None = None,
    login: str | None = None,
    options: dict[str, Any] | None = None,
    title: str = "GRP2614 Alice",
) -> MockConfigEntry:
    """Return an entry for a simulated phone (not yet added)."""
    data: dict[str, Any] = {
        CONF_HOST: host,
        CONF_PORT: port if port is not None else (sim.port if sim else 8080),
        CONF_SSL: bool(sim and sim.config.ssl),
        CONF_VERIFY_SSL: False,
        CONF_USERNAME: "admin",
        CONF_PASSWORD: PASSCODE,
        CONF_WEBHOOK_ID: webhook_id,
    }
    if mac_source is not None:
        data[CONF_MAC_SOURCE] = mac_source
    if api is not None:
        data[CONF_API] = api
        data[CONF_LOGIN] = login
    return MockConfigEntry(
        domain=DOMAIN,
        title=title,
        unique_id=mac,
        entry_id=entry_id,
        version=1,
        minor_version=3,
        data=data,
        options=options or {},
    )


async def set_up(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Add the entry (if needed) and set it up."""
    if hass.config_entries.async_get_entry(entry.entry_id) is None:
        entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)


async def tick(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float
) -> None:
    """Move Home Assistant's clock (and the client's) and run what became due."""
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


def issue(
    hass: HomeAssistant, kind: str, entry_id: str = ENTRY_ID
) -> ir.IssueEntry | None:
    """Return this entry's repair issue of one kind (None if not raised)."""
    return ir.async_get(hass).async_get_issue(DOMAIN, f"{kind}_{entry_id}")


def issues_of(hass: HomeAssistant, entry_id: str) -> list[str]:
    """Return the ids of every repair issue of this integration for an entry."""
    return [
        issue_id
        for (domain, issue_id) in ir.async_get(hass).issues
        if domain == DOMAIN and issue_id.endswith(entry_id)
    ]


def reauth_flows(hass: HomeAssistant) -> list[Any]:
    """Return the reauthentication flows in progress."""
    return [
        flow
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        if flow["context"]["source"] == SOURCE_REAUTH
    ]


def functions(sim: PhoneSimulator, since: int = 0) -> list[str]:
    """Return the functions of the requests a phone got (from index since)."""
    return [request["function"] for request in sim.requests[since:]]


def dhcp(ip: str, mac: str) -> DhcpServiceInfo:
    """Return what the DHCP watcher reports (MAC: lower case, no colons)."""
    return DhcpServiceInfo(ip=ip, hostname="phone", macaddress=mac.replace(":", ""))


async def discover(hass: HomeAssistant, ip: str, mac: str) -> Any:
    """Run a DHCP discovery flow; wait for what it set off."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=dhcp(ip, mac)
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    return result


def no_password_reached(sim: WitnessSimulator) -> None:
    """Assert that no request to sim carried a password, in any form."""
    assert not sim.carried_a_password
    assert sim.password_requests == []
    assert sim.failed_logins == {}
    assert {request["auth"] for request in sim.requests} <= {"none"}


def states_of(hass: HomeAssistant, entry_id: str) -> list[str]:
    """Return every state and attribute value the entry's entities show, as text."""
    shown: list[str] = []
    for item in er.async_entries_for_config_entry(er.async_get(hass), entry_id):
        state = hass.states.get(item.entity_id)
        if state is not None:
            shown.append(state.state)
            shown.extend(str(value) for value in state.attributes.values())
    return shown


# ------------------------------------------------ 1. a DHCP move, proven first


class TestDhcpMoveToAnotherDevice:
    """After a move, the device at the new address proves it is the phone first."""

    async def test_session_phone_moved_to_a_passcode_device(
        self,
        hass: HomeAssistant,
        simulator: PhoneSimulator,
        make_simulator: SimFactory,
    ) -> None:
        """DHCP moves a session phone's entry; a passcode-only device answers there.

        The entry proved the session API with the challenge login. At the new
        address the device offers no challenge (a 404 is no login, and no
        evidence that the phone dropped it for the passcode API): the entry
        stops with "api_changed" and the device never sees the password, not
        as a passcode, not in a login.
        """
        other = await make_simulator(
            session_api=False, mac=OTHER_MAC, model="GXP2170", accounts=[MALLORY]
        )
        # The entry knew its phone at another address, on other's port: it
        # proved the challenge login there, and waits to retry (away).
        entry = make_entry(
            None, host=FAR_HOST, port=other.port, api="session", login="challenge"
        )
        with patch(GETMAC, return_value=None):
            await set_up(hass, entry)
            assert entry.state is ConfigEntryState.SETUP_RETRY
            result = await discover(hass, HOST, MAC)
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == "already_configured"
        assert entry.data[CONF_HOST] == HOST
        # DHCP's reload ran: the device at the new address was asked, without
        # the password, whether it logs in the way the phone did.
        assert other.requests
        assert entry.state is ConfigEntryState.SETUP_ERROR
        assert entry.error_reason_translation_key == "api_changed"
        assert entry.data[CONF_MOVED] is True
        no_password_reached(other)
        assert "dologin" not in functions(other)
        # Nothing of the other device shows anywhere.
        assert states_of(hass, entry.entry_id) == []
        assert entry.title == "GRP2614 Alice"
        assert simulator.requests == []

    async def test_loaded_session_phone_reloaded_at_a_passcode_device(
        self,
        hass: HomeAssistant,
        mock_config_entry: MockConfigEntry,
        simulator: PhoneSimulator,
        make_simulator: SimFactory,
    ) -> None:
        """A loaded entry moved (as DHCP does it) and reloaded: no password, no data.

        Its entities keep showing nothing of the device at the new address.
        """
        other = await make_simulator(
            session_api=False, mac=OTHER_MAC, model="GXP2170", accounts=[MALLORY]
        )
        await set_up(hass, mock_config_entry)
        entry = mock_config_entry
        assert entry.state is ConfigEntryState.LOADED
        assert entry.data[CONF_API] == "session"
        assert entry.data[CONF_LOGIN] == "challenge"
        hass.config_entries.async_update_entry(
            entry, data={**entry.data, CONF_PORT: other.port, CONF_MOVED: True}
        )
        with patch(GETMAC, return_value=None):
            await hass.config_entries.async_reload(entry.entry_id)
            await hass.async_block_till_done(wait_background_tasks=True)
            await poll(hass)
        assert entry.state is ConfigEntryState.SETUP_ERROR
        assert entry.error_reason_translation_key == "api_changed"
        no_password_reached(other)
        shown = " ".join(states_of(hass, entry.entry_id))
        assert "Mallory" not in shown
        assert "6666" not in shown
        assert "GXP2170" not in shown
        assert phone_device(hass).model == "GRP2614"


class TestDhcpMovedPasscodePhone:
    """A passcode phone tells no MAC: only the network can prove a new address."""

    @pytest.fixture
    def simulator_config(self) -> SimulatorConfig:
        return SimulatorConfig(session_api=False, manual_clock=True)

    async def _moved(
        self, hass: HomeAssistant, simulator: PhoneSimulator
    ) -> MockConfigEntry:
        """Return the phone's entry after DHCP moved it here (not set up yet)."""
        entry = make_entry(
            None, host=FAR_HOST, port=simulator.port, mac_source="dhcp", api="passcode"
        )
        entry.add_to_hass(hass)
        result = await discover(hass, HOST, MAC)
        assert result["reason"] == "already_configured"
        assert entry.data[CONF_HOST] == HOST
        assert entry.data[CONF_MOVED] is True
        return entry

    async def test_unproven_address_gets_no_password(
        self, hass: HomeAssistant, simulator: PhoneSimulator
    ) -> None:
        """The neighbour table shows nothing there: no passcode goes out; retried."""
        entry = await self._moved(hass, simulator)
        with patch(GETMAC, return_value=None):
            await set_up(hass, entry)
            assert entry.state is ConfigEntryState.SETUP_RETRY
            error = entry.runtime_data.coordinator.last_exception
            assert error is not None
            assert error.translation_key == "address_unproven"
            # Retries ask the network again, never the phone with the passcode.
            await poll(hass, 200)
        assert entry.state is ConfigEntryState.SETUP_RETRY
        assert simulator.password_requests == []
        assert simulator.requests == []
        assert reauth_flows(hass) == []

    async def test_proven_address_loads(
        self, hass: HomeAssistant, simulator: PhoneSimulator
    ) -> None:
        """The neighbour table shows the entry's MAC there: it loads, proven."""
        entry = await self._moved(hass, simulator)
        with patch(GETMAC, return_value=MAC.upper()):
            await set_up(hass, entry)
        assert entry.state is ConfigEntryState.LOADED
        assert CONF_MOVED not in entry.data
        assert entry.data[CONF_API] == "passcode"
        assert simulator.password_requests[0]["ok"] is True


# ---------------------------------------------- 2, 3. phones that swap places


@pytest.fixture
async def ha_url(
    hass: HomeAssistant, hass_client_no_auth: ClientSessionGenerator
) -> str:
    """Serve Home Assistant's HTTP on loopback and make it the local URL."""
    assert await async_setup_component(hass, "webhook", {})
    client = await hass_client_no_auth()
    url = str(client.make_url("")).rstrip("/")
    await hass.config.async_update(internal_url=url)
    await hass.async_block_till_done()
    return url


def swap_phones(first: PhoneSimulator, second: PhoneSimulator) -> None:
    """Swap two phones' places: each address now answers as the other phone.

    The MAC, the password and the Action URL slots go with the phone; the
    sessions of the old device at an address do not.
    """
    one, two = first.config.passcode, second.config.passcode
    first.update_config({"passcode": two})
    second.update_config({"passcode": one})
    first.phone.mac, second.phone.mac = second.phone.mac, first.phone.mac
    slots = [
        {field: sim.store.value(field) for field in HANDED_OUT_FIELDS}
        for sim in (first, second)
    ]
    for sim, values in zip((first, second), reversed(slots), strict=True):
        sim.store.write_many(values.items(), "admin")
        sim.sessions.expire_all()


class TestSwappedPhones:
    """Two phones swap addresses: each entry refuses the other phone."""

    @pytest.fixture
    async def phones(
        self,
        hass: HomeAssistant,
        ha_url: str,
        simulator: PhoneSimulator,
        make_simulator: SimFactory,
    ) -> tuple[MockConfigEntry, MockConfigEntry, PhoneSimulator, WitnessSimulator]:
        """Set up two phones with the same password, one entry each."""
        phone_b = await make_simulator(mac=OTHER_MAC.upper(), accounts=[MALLORY])
        entry_a = make_entry(simulator)
        entry_b = make_entry(
            phone_b,
            entry_id=OTHER_ENTRY_ID,
            mac=OTHER_MAC,
            webhook_id=OTHER_WEBHOOK_ID,
            title="GRP2614 Mallory",
        )
        await set_up(hass, entry_a)
        await set_up(hass, entry_b)
        assert entry_a.state is entry_b.state is ConfigEntryState.LOADED
        return entry_a, entry_b, simulator, phone_b

    async def _notice(
        self,
        hass: HomeAssistant,
        entry_a: MockConfigEntry,
        noticed_at: str,
    ) -> None:
        """Let entry A meet the phone now at its address: at a login or a setup."""
        with patch(GETMAC, return_value=None):
            if noticed_at == "login":
                await poll(hass)
                assert entry_a.state is ConfigEntryState.LOADED
            else:
                await hass.config_entries.async_reload(entry_a.entry_id)
                await hass.async_block_till_done(wait_background_tasks=True)
                assert entry_a.state is ConfigEntryState.SETUP_ERROR
                assert entry_a.error_reason_translation_key == "wrong_device"

    @pytest.mark.parametrize("noticed_at", ["login", "setup"])
    async def test_same_password(
        self,
        hass: HomeAssistant,
        ha_url: str,
        phones: tuple[MockConfigEntry, MockConfigEntry, PhoneSimulator, Any],
        noticed_at: str,
    ) -> None:
        """Entry A reaching phone B stops, and sends B nothing more.

        Phone B's login names its MAC: the session it gave is logged out at
        once, and entry A sends B nothing more: not at polls, not for an
        action or a button, not for B's pushes (they name B's MAC). A ring
        on B never rings A.
        """
        entry_a, _, at_a, at_b = phones
        ringing = entity_id(hass, "binary_sensor", "ringing")
        swap_phones(at_a, at_b)
        # The device at entry A's address is now phone B.
        since, logins = len(at_a.requests), len(at_a.password_requests)
        await self._notice(hass, entry_a, noticed_at)
        wrong = issue(hass, "wrong_device", entry_a.entry_id)
        assert wrong is not None
        assert wrong.translation_placeholders["mac"] == OTHER_MAC
        assert reauth_flows(hass) == []
        # One login (its answer named B's MAC), logged out at once.
        assert len(at_a.password_requests) == logins + 1
        after = functions(at_a, since)
        assert after[after.index("dologin") :] == ["dologin", "dologout"]
        assert at_a.sessions.sessions == {}
        assert at_a.failed_logins == {}
        sent = len(at_a.requests)

        for _ in range(3):
            await poll(hass)
        with pytest.raises(HomeAssistantError):
            await hass.services.async_call(
                DOMAIN,
                "send_keys",
                {"device_id": phone_device(hass).id, "keys": "1"},
                blocking=True,
            )
        # A's button is unavailable: pressing it does nothing.
        assert hass.states.get(entity_id(hass, "button", "accept_call")).state == (
            "unavailable"
        )
        await hass.services.async_call(
            "button",
            "press",
            {"entity_id": entity_id(hass, "button", "accept_call")},
            blocking=True,
        )
        # B rings. Besides its own entry's URLs (in its slots), B was also
        # given entry A's webhook (a copied configuration): the push reaches
        # entry A from A's address, but names B's MAC.
        at_a.set_action_url(f"{ha_url}/api/webhook/{WEBHOOK_ID}")
        at_a.phone.incoming("+15555550100", "Carol")
        await at_a.pusher.wait()
        assert any(f"/api/webhook/{WEBHOOK_ID}?" in url for url in at_a.pusher.sent)
        await hass.async_block_till_done(wait_background_tasks=True)
        await poll(hass)
        assert hass.states.get(ringing).state != "on"
        assert len(at_a.requests) == sent
        if noticed_at == "login":
            assert entry_a.runtime_data.push.last_push is None

    @pytest.mark.parametrize("noticed_at", ["login", "setup"])
    async def test_dhcp_sets_it_right(
        self,
        hass: HomeAssistant,
        phones: tuple[MockConfigEntry, MockConfigEntry, PhoneSimulator, Any],
        noticed_at: str,
    ) -> None:
        """DHCP reports A's MAC at A's address again: entry A recovers by itself.

        As the wrong-device issue promises: no reload or reconfigure by hand.
        """
        entry_a, _, at_a, at_b = phones
        swap_phones(at_a, at_b)
        await self._notice(hass, entry_a, noticed_at)
        assert issue(hass, "wrong_device", entry_a.entry_id) is not None

        swap_phones(at_a, at_b)
        with patch(GETMAC, return_value=None):
            result = await discover(hass, HOST, MAC)
            await poll(hass)
        assert result["reason"] == "already_configured"
        assert entry_a.state is ConfigEntryState.LOADED
        assert issue(hass, "wrong_device", entry_a.entry_id) is None
        assert entry_a.runtime_data.coordinator.last_update_success
        ringing = entity_id(hass, "binary_sensor", "ringing")
        assert hass.states.get(ringing).state == "off"


class TestSwappedPhonesOtherPasswords:
    """Two phones with different passwords swap addresses."""

    @pytest.fixture
    async def phones(
        self,
        hass: HomeAssistant,
        mock_config_entry: MockConfigEntry,
        simulator: PhoneSimulator,
        make_simulator: SimFactory,
    ) -> tuple[MockConfigEntry, PhoneSimulator]:
        """Set up phone A; phone B (another password) swaps places with it."""
        phone_b = await make_simulator(mac=OTHER_MAC.upper(), passcode="b-secret")
        await set_up(hass, mock_config_entry)
        assert mock_config_entry.state is ConfigEntryState.LOADED
        swap_phones(simulator, phone_b)
        simulator.requests.clear()
        simulator.password_requests.clear()
        return mock_config_entry, simulator

    async def test_at_setup(
        self, hass: HomeAssistant, phones: tuple[MockConfigEntry, PhoneSimulator]
    ) -> None:
        """The network shows B's MAC at A's address: "another phone", no password.

        Not "password rejected" (B would reject A's password): no reauth, no
        failed login on B.
        """
        entry, at_a = phones
        with patch(GETMAC, return_value=OTHER_MAC.upper()):
            await hass.config_entries.async_reload(entry.entry_id)
            await hass.async_block_till_done(wait_background_tasks=True)
        assert entry.state is ConfigEntryState.SETUP_ERROR
        assert entry.error_reason_translation_key == "wrong_device"
        wrong = issue(hass, "wrong_device")
        assert wrong is not None
        assert wrong.translation_placeholders["mac"] == OTHER_MAC
        assert reauth_flows(hass) == []
        assert at_a.password_requests == []
        assert at_a.failed_logins == {}
        assert {"access", "dologin"}.isdisjoint(functions(at_a))

    async def test_at_the_next_login(
        self, hass: HomeAssistant, phones: tuple[MockConfigEntry, PhoneSimulator]
    ) -> None:
        """The same at a loaded entry's next login: "another phone", no password."""
        entry, at_a = phones
        with patch(GETMAC, return_value=OTHER_MAC.upper()):
            await poll(hass)
        assert issue(hass, "wrong_device") is not None
        assert not entry.runtime_data.client.password_rejected
        assert reauth_flows(hass) == []
        assert at_a.password_requests == []
        assert at_a.failed_logins == {}


# ----------------------------- 4. a burst after the password changed, then nothing


@pytest.mark.parametrize(
    "simulator_config",
    [
        pytest.param(SimulatorConfig(manual_clock=True), id="session"),
        pytest.param(
            SimulatorConfig(session_api=False, manual_clock=True), id="passcode"
        ),
    ],
)
async def test_a_burst_after_the_password_changed(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Ten send_keys, a poll and a push at once: one failed login or request.

    The password changed on the phone while the entry was loaded. Session
    phones: every request sees its session gone and they share one login,
    so one failure. Passcode phones: proven or not, passcode requests go one
    at a time, so the first one's rejection is known before the next would
    go; the rest of the burst is never sent. After that, nothing more goes
    out.
    """
    device = phone_device(hass)
    client = await hass_client_no_auth()
    simulator.update_config({"passcode": NEW_PASSWORD})
    simulator.sessions.expire_all()
    before = password_requests(simulator)
    failures = simulator.auth_failures

    async def push() -> None:
        response = await client.get(
            f"/api/webhook/{WEBHOOK_ID}?event=incoming_call&mac=000b82123456"
        )
        assert response.status == 200

    # The poll first: moving the clock 80 s runs every timer due by then, a
    # request's own timeout too, so a request already on its way would give
    # up before the phone's answer (only in a test: a phone rejects a
    # password at once, well within the 10 s).
    results = await asyncio.gather(
        poll(hass),
        push(),
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
    assert results[:2] == [None, None]
    assert all(isinstance(result, HomeAssistantError) for result in results[2:])
    assert simulator.auth_failures - failures == 1
    assert password_requests(simulator) - before == 1
    assert init_integration.runtime_data.client.password_rejected
    # Nothing more, however often polls, pushes and automations try.
    sent = len(simulator.requests)
    await push()
    for _ in range(3):
        await poll(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len(simulator.requests) == sent
    assert len(reauth_flows(hass)) == 1


# ------------------------------------------------- 5. a lock is no wrong password


def lock_out(sim: PhoneSimulator) -> None:
    """Lock the phone's admin logins: someone else tried wrong passwords."""
    for _ in range(sim.config.lockout_attempts):
        sim.sessions.fail("admin")
    assert sim.sessions.is_locked("admin")


@NO_PUSH
class TestLockedBySomeoneElse:
    """A phone locked by another client recovers without the user."""

    async def test_while_loaded(
        self,
        hass: HomeAssistant,
        freezer: FrozenDateTimeFactory,
        init_integration: MockConfigEntry,
        simulator: PhoneSimulator,
    ) -> None:
        """No password while locked, no reauth; once it ends, one login and well.

        Home Assistant only asks whether the phone is locked (a request
        without the password) and tells the user in a repair issue.
        """
        entry = init_integration
        logins = password_requests(simulator)
        lock_out(simulator)
        simulator.sessions.expire_all()
        since = len(simulator.requests)
        for _ in range(5):
            await tick(hass, freezer, 80)
        assert password_requests(simulator) == logins
        assert {"access", "dologin"}.isdisjoint(functions(simulator, since))
        assert "api-get_lockout" in functions(simulator, since)
        assert entry.state is ConfigEntryState.LOADED
        assert not entry.runtime_data.client.password_rejected
        assert reauth_flows(hass) == []
        assert issue(hass, "phone_locked") is not None
        assert issue(hass, "wrong_device") is None

        # The lock runs out on the phone; Home Assistant's next poll logs in.
        simulator.clock.advance(simulator.config.lockout_minutes * 60 + 1)
        for _ in range(2):
            await tick(hass, freezer, 80)
        assert password_requests(simulator) == logins + 1
        assert simulator.password_requests[-1]["ok"] is True
        assert issue(hass, "phone_locked") is None
        assert entry.runtime_data.coordinator.last_update_success
        assert reauth_flows(hass) == []

    async def test_at_setup(
        self,
        hass: HomeAssistant,
        freezer: FrozenDateTimeFactory,
        mock_config_entry: MockConfigEntry,
        simulator: PhoneSimulator,
    ) -> None:
        """Set up while locked: retried (not an error, no reauth), then loaded."""
        lock_out(simulator)
        await set_up(hass, mock_config_entry)
        assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
        assert reauth_flows(hass) == []
        assert issue(hass, "phone_locked") is not None
        # Retries while it stays locked send no password either.
        for _ in range(3):
            await tick(hass, freezer, 90)
        assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
        assert simulator.password_requests == []

        simulator.clock.advance(simulator.config.lockout_minutes * 60 + 1)
        await tick(hass, freezer, 90)
        assert mock_config_entry.state is ConfigEntryState.LOADED
        assert len(simulator.password_requests) == 1
        assert issue(hass, "phone_locked") is None
        assert reauth_flows(hass) == []


# ----------------------------------------- 6. a person on a single-session phone


async def browser_login(browser: aiohttp.ClientSession, sim: PhoneSimulator) -> str:
    """Log in to the phone's web page as admin, as a browser does; return the sid."""
    page = {"Origin": sim.url, "Referer": f"{sim.url}/"}
    async with browser.post(
        f"{sim.url}/cgi-bin/access",
        data={"access": hashlib.sha256(b"admin").hexdigest()},
        headers=page,
        ssl=False,
    ) as response:
        nonce = (await response.json(content_type=None))["body"]
    secret = hashlib.sha256(f"{PASSCODE}{nonce}".encode()).hexdigest()
    async with browser.post(
        f"{sim.url}/cgi-bin/dologin",
        data={"username": "admin", "password": secret},
        headers=page,
        ssl=False,
    ) as response:
        answer = await response.json(content_type=None)
    assert answer["response"] == "success", answer
    sid: str = answer["body"]["sid"]
    return sid


class TestPersonOnTheWebPage:
    """WP826: one web session per account; a person keeps logging in as admin."""

    @pytest.fixture
    def simulator_config(self) -> SimulatorConfig:
        return SimulatorConfig(profile="wp826", manual_clock=True)

    @NO_PUSH
    async def test_not_logged_out_at_every_poll(
        self,
        hass: HomeAssistant,
        freezer: FrozenDateTimeFactory,
        init_integration: MockConfigEntry,
        simulator: PhoneSimulator,
    ) -> None:
        """Home Assistant backs off, says so (suggesting the user account), then heals.

        Over ten minutes of polls every 10 s, with the person logging in
        again each time Home Assistant took the session back, Home Assistant
        logs in at most 3 times; when the person stops, its session holds
        and the issue goes away by itself.
        """
        assert simulator.config.single_session
        sessions = simulator.sessions
        person: list[str] = []
        logins = password_requests(simulator)
        async with aiohttp.ClientSession() as browser:

            async def person_logs_in() -> None:
                person.append(await browser_login(browser, simulator))

            await person_logs_in()
            for _ in range(60):
                await tick(hass, freezer, 10)
                if person[-1] not in sessions.sessions:
                    # Home Assistant took the session: the person logs in again.
                    await person_logs_in()
        ha_logins = password_requests(simulator) - logins - len(person)
        # It keeps trying, every few minutes: not at every poll, never giving up.
        assert 2 <= ha_logins <= 3
        assert len(person) == ha_logins + 1
        taken = issue(hass, "session_taken")
        assert taken is not None
        assert taken.translation_key == "session_taken"
        assert "`user` account" in STRINGS["issues"]["session_taken"]["description"]
        assert init_integration.state is ConfigEntryState.LOADED
        assert reauth_flows(hass) == []
        assert simulator.failed_logins == {}

        # The person leaves: Home Assistant's next login holds, the issue clears.
        for _ in range(60):
            await tick(hass, freezer, 10)
        assert issue(hass, "session_taken") is None
        assert init_integration.runtime_data.coordinator.last_update_success
        assert not init_integration.runtime_data.client.session_contested
        state = hass.states.get(entity_id(hass, "binary_sensor", "ringing"))
        assert state is not None
        assert state.state == "off"


# --------------------------------------- 7. one address written two ways


@pytest.mark.parametrize(
    "typed", ["::ffff:127.0.0.1", "[::ffff:127.0.0.1]", "localhost"]
)
async def test_one_address_written_two_ways(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    typed: str,
) -> None:
    """Another spelling of a configured address is the same phone.

    Adding it again aborts before any request (no password goes out), and
    neither adding it nor DHCP reporting it in that spelling moves the entry.
    """
    entry = init_integration
    data = dict(entry.data)
    simulator.requests.clear()
    logins = password_requests(simulator)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_HOST: typed,
            CONF_PORT: simulator.port,
            CONF_SSL: False,
            CONF_VERIFY_SSL: False,
            CONF_USERNAME: "admin",
            CONF_PASSWORD: PASSCODE,
        },
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert simulator.requests == []
    assert password_requests(simulator) == logins

    if typed != "localhost":
        # DHCP reports addresses, never names.
        result = await discover(hass, typed.strip("[]"), MAC)
        assert result["reason"] == "already_configured"
    assert dict(entry.data) == data
    assert CONF_MOVED not in entry.data
    assert entry.state is ConfigEntryState.LOADED
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


# ------------------------------------------------ 8. push that never arrives


async def test_push_that_never_arrives(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Polls find calls no push announced: the user is told, polling speeds up.

    Home Assistant's local URL leads nowhere (nothing listens on it), but
    the entry wrote it into the phone's Action URL slots, so pushes are
    expected. Two calls that only polling saw raise an issue naming the
    URL; the next push that does arrive clears it.
    """
    entry = init_integration
    push, coordinator = entry.runtime_data.push, entry.runtime_data.coordinator
    assert push.url == f"http://127.0.0.1:9/api/webhook/{WEBHOOK_ID}"
    assert push.expected
    assert coordinator.push_trusted

    line = simulator.phone.incoming("+15555550100", "Carol")
    await simulator.pusher.wait()
    assert simulator.pusher.sent  # the phone tried; nothing arrived
    await poll(hass)
    assert hass.states.get(entity_id(hass, "binary_sensor", "ringing")).state == "on"
    # One call no push told of: not trusted (polls every 10 s), no issue yet.
    assert not coordinator.push_trusted
    assert issue(hass, "push_not_arriving") is None

    simulator.phone.remote_hangup(line)
    await simulator.pusher.wait()
    await poll(hass)
    raised = issue(hass, "push_not_arriving")
    assert raised is not None
    assert raised.translation_placeholders["url"] == push.url
    assert not coordinator.push_trusted

    # A push arrives (from the phone's address): pushes work after all.
    client = await hass_client_no_auth()
    response = await client.get(
        f"/api/webhook/{WEBHOOK_ID}?event=incoming_call&mac=000b82123456"
    )
    assert response.status == 200
    await hass.async_block_till_done(wait_background_tasks=True)
    assert issue(hass, "push_not_arriving") is None
    assert coordinator.push_trusted
    assert push.last_push is not None


# ---------------------------------------------- 9. stale own URLs are reclaimed

# Another Home Assistant's (or an old install's) URL: not ours to take.
ANOTHER_HA = (
    "http://192.0.2.99:8123/api/webhook/"
    + "9" * 64
    + "?event=established_call&mac=$mac&remote=$remote"
)
FOREIGN = "http://crm.example/phone?e=missed&n=$remote"


def stale_url(event: str, webhook_id: str = "c" * 64) -> str:
    """Return one of this Home Assistant's URLs for a webhook no entry holds."""
    return (
        f"http://127.0.0.1:9/api/webhook/{webhook_id}?event={event}"
        "&mac=$mac&remote=$remote&active_user=$active_user&call-id=$call-id"
    )


def ours(sim: PhoneSimulator, webhook_id: str) -> list[str]:
    """Return the slots that hold this webhook's URL."""
    return [
        field
        for field in HANDED_OUT_FIELDS
        if f"/api/webhook/{webhook_id}?" in sim.store.value(field)
    ]


async def test_stale_urls_are_reclaimed(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """Our own URLs for a webhook no entry holds are taken over; others stay.

    A removed entry (or an old install) left this Home Assistant's URLs in
    the phone: they are ours to reuse. Another system's URL, and another
    Home Assistant's, are left alone and named in a repair issue.
    """
    simulator.store.write("8310", stale_url("incoming_call"), "admin")
    simulator.store.write("8311", stale_url("outgoing_call", "d" * 64), "admin")
    simulator.store.write("8312", FOREIGN, "admin")
    simulator.store.write("8313", ANOTHER_HA, "admin")
    await set_up(hass, mock_config_entry)
    assert "P8310" in ours(simulator, WEBHOOK_ID)
    assert "P8311" in ours(simulator, WEBHOOK_ID)
    assert simulator.store.value("8312") == FOREIGN
    assert simulator.store.value("8313") == ANOTHER_HA
    taken = issue(hass, "action_url_slots_taken")
    assert taken is not None
    assert taken.translation_placeholders["slots"] == "P8312, P8313"
    assert mock_config_entry.runtime_data.push.expected


async def test_urls_left_behind_by_a_removal_are_reclaimed(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    simulator: PhoneSimulator,
) -> None:
    """Removed while the phone was away: its URLs stay; adding it again reuses them."""
    await set_up(hass, mock_config_entry)
    written = ours(simulator, WEBHOOK_ID)
    assert "P8310" in written
    simulator.set_fault("offline")
    await hass.config_entries.async_remove(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert ours(simulator, WEBHOOK_ID) == written
    simulator.set_fault("none")

    again = make_entry(simulator, entry_id=OTHER_ENTRY_ID, webhook_id=OTHER_WEBHOOK_ID)
    await set_up(hass, again)
    assert again.state is ConfigEntryState.LOADED
    assert ours(simulator, OTHER_WEBHOOK_ID) == written
    assert ours(simulator, WEBHOOK_ID) == []
    assert issue(hass, "action_url_slots_taken", OTHER_ENTRY_ID) is None


# ---------------------------------------- 10. a removed entry leaves no issues


async def test_removing_an_entry_removes_its_issues(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: PhoneSimulator,
    make_simulator: SimFactory,
) -> None:
    """Every repair issue of a removed phone goes with it; another phone's stay."""
    simulator.store.write("8312", FOREIGN, "admin")
    entry = make_entry(simulator)
    await set_up(hass, entry)
    lock_out(simulator)
    simulator.sessions.expire_all()
    await tick(hass, freezer, 80)
    # A second phone whose entry finds another phone at its address.
    other = await make_simulator(mac="00:0B:82:AA:BB:CC")
    wrong = make_entry(
        other,
        entry_id=OTHER_ENTRY_ID,
        mac=OTHER_MAC,
        webhook_id=OTHER_WEBHOOK_ID,
        title="Neighbour",
    )
    await set_up(hass, wrong)
    assert wrong.state is ConfigEntryState.SETUP_ERROR
    assert issue(hass, "action_url_slots_taken") is not None
    assert issue(hass, "phone_locked") is not None
    assert issue(hass, "wrong_device", OTHER_ENTRY_ID) is not None

    logins = password_requests(simulator)
    await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert issues_of(hass, entry.entry_id) == []
    # Still locked: clearing its Action URLs sent no password either.
    assert password_requests(simulator) == logins
    assert issue(hass, "wrong_device", OTHER_ENTRY_ID) is not None

    await hass.config_entries.async_remove(wrong.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert issues_of(hass, OTHER_ENTRY_ID) == []


# ------------------------------------------ 11. a WP826 gets only its own keys


class TestWp826:
    """A WP826 has fewer Action URL fields than a desk phone."""

    @pytest.fixture
    def simulator_config(self) -> SimulatorConfig:
        return SimulatorConfig(profile="wp826", manual_clock=True)

    async def test_only_the_keys_it_has(
        self,
        hass: HomeAssistant,
        mock_config_entry: MockConfigEntry,
        simulator: PhoneSimulator,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """Only fields the phone has are written; the rest is no failure of push.

        No registration, hold or unhold fields on a WP826: writing them would
        be ignored (and read back as "not taken").
        """
        written: list[str] = []
        store = simulator.store
        real = store.write_many

        def spy(values: Iterable[tuple[str, str]], role: str) -> list[str]:
            values = list(values)
            written.extend(key for key, _ in values)
            return real(values, role)

        monkeypatch.setattr(store, "write_many", spy)
        await set_up(hass, mock_config_entry)
        assert written
        keys = {key.removeprefix("P") for key in written}
        assert keys.isdisjoint({"8305", "8306", "8324", "8325"})
        assert all(store.read(key)[0] for key in keys)
        push = mock_config_entry.runtime_data.push
        assert set(push.slots) == {f"P{key}" for key in keys}
        assert {"P8310", "P22568", "P22570"} <= set(push.slots)
        assert push.expected
        for kind in ("push_setup_failed", "action_url_slots_taken", "no_local_url"):
            assert issue(hass, kind) is None
        # Only calls that polling finds and no push announced say push fails.
        await poll(hass)
        assert issue(hass, "push_not_arriving") is None
