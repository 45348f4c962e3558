"""The client's `network_mac` hook: no login to an address where another phone is.

With the phone's MAC known (`expected_mac`), the client asks the hook (the
neighbour table, in the integration) before every session login, a re-login
after expiry included. Another MAC there stops the client before anything
goes out: no lockout probe, no challenge, no `dologin`, no password. The
expected MAC (however written), no answer, or a failing hook let the login
go on. Against the simulator's web session API on loopback, on a manual clock.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest

from custom_components.grandstream_cti.cti import (
    ApiKind,
    GrandstreamCTIClient,
    GrandstreamCTIWrongDeviceError,
    LoginVariant,
    PhoneApi,
)
from custom_components.grandstream_cti.cti.auth import TAKEN_WITHIN
from simulator import PhoneSimulator, SimulatorConfig

PASSWORD = "admin"
MAC = "00:0b:82:12:34:56"
OTHER_MAC = "00:0b:82:aa:bb:cc"
# Requests that belong to a login (none of them may go to another phone).
LOGIN_FUNCTIONS = frozenset({"api-get_lockout", "access", "dologin"})
# The challenge login (GRP2614) and the plain one, password in clear (GXP1625).
PROFILES = {"grp2614": LoginVariant.CHALLENGE, "gxp1625": LoginVariant.PLAIN}


@pytest.fixture(params=list(PROFILES))
def profile(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def sim(socket_enabled: None, profile: str) -> AsyncIterator[PhoneSimulator]:
    phone = PhoneSimulator(SimulatorConfig(profile=profile, manual_clock=True))
    await phone.start(host="127.0.0.1", port=0)
    try:
        yield phone
    finally:
        await phone.stop()
    assert phone.tripwires == []


class Network:
    """What the neighbour table shows at the phone's address, and who asked."""

    def __init__(self, answer: str | BaseException | None = MAC) -> None:
        self.answer = answer
        self.asked = 0

    async def __call__(self) -> str | None:
        self.asked += 1
        if isinstance(self.answer, BaseException):
            raise self.answer
        return self.answer


def make_client(
    sim: PhoneSimulator,
    session: aiohttp.ClientSession,
    network: Callable[[], Awaitable[str | None]] | None,
    *,
    known_api: bool = True,
    **kwargs: Any,
) -> GrandstreamCTIClient:
    kwargs.setdefault("expected_mac", MAC)
    api = PhoneApi(ApiKind.SESSION, PROFILES[sim.config.profile])
    return GrandstreamCTIClient(
        "127.0.0.1",
        PASSWORD,
        session=session,
        port=sim.port,
        timeout=10.0,
        api=api if known_api else None,
        network_mac=network,
        **kwargs,
    )


def functions(sim: PhoneSimulator, since: int = 0) -> list[str]:
    return [entry["function"] for entry in sim.requests[since:]]


async def assert_stopped(sim: PhoneSimulator, client: GrandstreamCTIClient) -> None:
    """Every call raises the wrong-device error; nothing reaches the phone."""
    before = len(sim.requests)
    for call in (
        client.login,
        client.get_line_status,
        client.get_phone_status,
        client.get_click_to_dial,
        client.end_call,
        lambda: client.make_call("100"),
    ):
        with pytest.raises(GrandstreamCTIWrongDeviceError) as err:
            await call()
        assert err.value.mac == OTHER_MAC
    assert len(sim.requests) == before
    assert isinstance(client.stopped, GrandstreamCTIWrongDeviceError)
    assert client.stopped.mac == OTHER_MAC
    # Not a rejected password: the user is told another phone answers.
    assert not client.password_rejected


@pytest.mark.parametrize("seen", [OTHER_MAC, "00-0B-82-AA-BB-CC", "000b82aabbcc"])
async def test_another_mac_on_the_network_no_login_at_all(
    sim: PhoneSimulator, session: aiohttp.ClientSession, seen: str
) -> None:
    network = Network(seen)
    client = make_client(sim, session, network)
    with pytest.raises(GrandstreamCTIWrongDeviceError) as err:
        await client.login()
    assert err.value.mac == OTHER_MAC
    assert OTHER_MAC in str(err.value)
    assert network.asked == 1
    # The API was known: nothing at all went to the address.
    assert sim.requests == []
    assert sim.password_requests == []
    await assert_stopped(sim, client)
    # Stopped for good: the hook is not asked again either.
    assert network.asked == 1


async def test_another_mac_after_detection(
    sim: PhoneSimulator, session: aiohttp.ClientSession
) -> None:
    """Detection's probes carry no password; the login's steps never go out."""
    network = Network(OTHER_MAC)
    client = make_client(sim, session, network, known_api=False)
    with pytest.raises(GrandstreamCTIWrongDeviceError):
        await client.get_line_status()
    assert client.api == PhoneApi(ApiKind.SESSION, PROFILES[sim.config.profile])
    sent = functions(sim)
    assert "dologin" not in sent
    assert "api-get_lockout" not in sent
    # The challenge phone's only `access` is detection's (sha256 of the name).
    assert sent.count("access") <= 1
    assert sim.password_requests == []
    await assert_stopped(sim, client)


async def test_another_mac_on_a_read_logs_in_never(
    sim: PhoneSimulator, session: aiohttp.ClientSession
) -> None:
    """A read that needs a login is refused the same way, without the read."""
    network = Network(OTHER_MAC)
    client = make_client(sim, session, network)
    with pytest.raises(GrandstreamCTIWrongDeviceError):
        await client.get_accounts()
    assert sim.requests == []
    assert client.stopped is not None


@pytest.mark.parametrize(
    "seen", [MAC, MAC.upper(), "00-0B-82-12-34-56", "000b.8212.3456", None]
)
async def test_the_phone_or_nothing_on_the_network_logs_in(
    sim: PhoneSimulator, session: aiohttp.ClientSession, seen: str | None
) -> None:
    network = Network(seen)
    client = make_client(sim, session, network)
    info = await client.login()
    assert info is not None
    assert info.mac is not None
    assert info.mac.lower() == MAC
    assert network.asked == 1
    assert len(sim.password_requests) == 1
    assert sim.password_requests[0]["ok"]
    assert client.stopped is None
    assert len(await client.get_line_status()) > 0
    # Logged in: reads do not ask the network again.
    assert network.asked == 1


@pytest.mark.parametrize(
    "seen", ["", "00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff", "not a mac"]
)
async def test_no_mac_on_the_network_is_no_answer(
    sim: PhoneSimulator, session: aiohttp.ClientSession, seen: str
) -> None:
    """What the network shows that is no MAC neither proves nor refuses."""
    network = Network(seen)
    client = make_client(sim, session, network)
    await client.login()
    assert network.asked == 1
    assert len(sim.password_requests) == 1


@pytest.mark.parametrize(
    "error", [OSError("arp failed"), RuntimeError("getmac broke"), ValueError("x")]
)
async def test_a_failing_hook_is_no_answer(
    sim: PhoneSimulator, session: aiohttp.ClientSession, error: Exception
) -> None:
    network = Network(error)
    client = make_client(sim, session, network)
    info = await client.login()
    assert info is not None
    assert info.role == "admin"
    assert network.asked == 1
    assert len(sim.password_requests) == 1
    assert client.stopped is None


async def test_asked_before_every_login(
    sim: PhoneSimulator, session: aiohttp.ClientSession
) -> None:
    """A re-login after the session expired asks the network again first."""
    network = Network(MAC)
    now = [1000.0]
    client = make_client(sim, session, network, clock=lambda: now[0])
    await client.login()
    assert network.asked == 1
    # Sessions that end this soon after a login count as taken by another
    # login: let each live long enough to be an ordinary expiry.
    now[0] += TAKEN_WITHIN
    sim.sessions.expire_all()
    await client.get_phone_status()
    assert network.asked == 2
    assert functions(sim).count("dologin") == 2
    # The session ran out on the phone's clock: the same again.
    now[0] += TAKEN_WITHIN
    sim.clock.advance(sim.config.session_idle_seconds + 1)
    await client.get_phone_status()
    assert network.asked == 3
    assert len(sim.password_requests) == 3
    assert all(sent["ok"] for sent in sim.password_requests)


async def test_a_relogin_to_another_phone_is_refused(
    sim: PhoneSimulator, session: aiohttp.ClientSession
) -> None:
    """The phone was swapped while the session lived: the re-login never goes out."""
    network = Network(MAC)
    client = make_client(sim, session, network)
    await client.get_line_status()
    passwords = len(sim.password_requests)
    sim.sessions.expire_all()
    network.answer = OTHER_MAC
    before = len(sim.requests)
    with pytest.raises(GrandstreamCTIWrongDeviceError):
        await client.get_line_status()
    # Only the read that found the session expired; no login step after it.
    assert not LOGIN_FUNCTIONS & set(functions(sim, before))
    assert len(sim.requests) - before == 1
    assert len(sim.password_requests) == passwords
    assert network.asked == 2
    await assert_stopped(sim, client)


async def test_without_an_expected_mac_the_network_is_not_asked(
    sim: PhoneSimulator, session: aiohttp.ClientSession
) -> None:
    """No MAC to compare with (a new phone): the login alone tells who it is."""
    network = Network(OTHER_MAC)
    client = make_client(sim, session, network, expected_mac=None)
    info = await client.login()
    assert info is not None
    assert info.mac is not None
    assert network.asked == 0
    assert client.stopped is None


async def test_without_a_hook_the_login_goes_on(
    sim: PhoneSimulator, session: aiohttp.ClientSession
) -> None:
    client = make_client(sim, session, None)
    info = await client.login()
    assert info is not None
    assert info.mac is not None
    assert info.mac.lower() == MAC
    assert len(sim.password_requests) == 1


async def test_a_stopped_client_answers_no_dnd_read(
    sim: PhoneSimulator, session: aiohttp.ClientSession
) -> None:
    """Stopped, a DND read raises the stop error like every other call.

    On an api.values phone (GXP1625) `:dnd` needs no request at all: the
    stop is still raised, not "no DND key".
    """
    network = Network(MAC)
    client = make_client(sim, session, network)
    await client.get_line_status()
    sim.sessions.expire_all()
    network.answer = OTHER_MAC
    with pytest.raises(GrandstreamCTIWrongDeviceError):
        await client.get_line_status()
    before = len(sim.requests)
    with pytest.raises(GrandstreamCTIWrongDeviceError):
        await client.get_dnd()
    assert len(sim.requests) == before
