"""The client against the simulator's web session API, per firmware profile.

Detection picks the API and the login variant; the password goes out once;
refusals (wrong password, lock, user not allowed) stop all traffic; an
expired session is renewed by one login shared by concurrent reads; the
config store is written and read back; DND, Click-To-Dial, battery, logout.
Every simulator runs on a manual clock (session idle expiry and the lock end
only when a test advances it) and must end with no tripwire hit.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from custom_components.grandstream_cti.cti import (
    ApiKind,
    Battery,
    CommandRefusal,
    GrandstreamCTIAuthenticationError,
    GrandstreamCTIClient,
    GrandstreamCTICommandError,
    GrandstreamCTIError,
    GrandstreamCTILockedError,
    GrandstreamCTIPermissionError,
    GrandstreamCTIUnsupportedError,
    GrandstreamCTIUserNotAllowedError,
    GrandstreamCTIWriteRejectedError,
    LineState,
    LoginVariant,
    PhoneApi,
    PhoneStatus,
    SessionInfo,
    WifiStatus,
)
from simulator import PhoneSimulator, SimulatorConfig

from .fake_phone import secret_leaks

ADMIN_PASSWORD = "admin"
USER_PASSWORD = "123"
MAC = "00:0B:82:12:34:56"
URL = "http://127.0.0.1:8123/api/webhook/abc?e=incoming&r=$remote"


@dataclass(frozen=True)
class Expect:
    """What the client should find on a profile."""

    login: LoginVariant
    model: str
    firmware: str
    # The login answer's MAC (upper case); gxp1625's login has none, so the
    # client reads P67 (lower case on the phone) and P68.
    mac: str
    lines: int
    accounts: int
    config_function: str  # config_get or api.values.get
    write_function: str  # config_update or api.values.post


PROFILES: dict[str, Expect] = {
    "grp2614": Expect(
        LoginVariant.CHALLENGE,
        "GRP2614",
        "1.0.13.22",
        MAC,
        8,
        4,
        "config_get",
        "config_update",
    ),
    "gxp2170": Expect(
        LoginVariant.CHALLENGE,
        "GXP2170",
        "1.0.11.106",
        MAC,
        12,
        6,
        "config_get",
        "config_update",
    ),
    "gxp1625": Expect(
        LoginVariant.PLAIN,
        "GXP1625",
        "1.0.7.70",
        MAC.lower(),
        2,
        2,
        "api.values.get",
        "api.values.post",
    ),
    "wp826": Expect(
        LoginVariant.CHALLENGE,
        "WP826",
        "1.0.3.35",
        MAC,
        4,
        3,
        "config_get",
        "config_update",
    ),
    "gsc3516": Expect(
        LoginVariant.CHALLENGE,
        "GSC3516",
        "1.0.5.12",
        MAC,
        2,
        1,
        "config_get",
        "config_update",
    ),
}


def start_config(profile: str, **settings: Any) -> SimulatorConfig:
    return SimulatorConfig(profile=profile, manual_clock=True, **settings)


@pytest.fixture(params=list(PROFILES))
def profile(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings() -> dict[str, Any]:
    """Simulator settings for a test (override in a test with indirect)."""
    return {}


@pytest.fixture
async def sim(
    socket_enabled: None, profile: str, settings: dict[str, Any]
) -> AsyncIterator[PhoneSimulator]:
    phone = PhoneSimulator(start_config(profile, **settings))
    await phone.start(host="127.0.0.1", port=0)
    try:
        yield phone
    finally:
        await phone.stop()
    assert phone.tripwires == []


@pytest.fixture
def expect(profile: str) -> Expect:
    return PROFILES[profile]


def make_client(
    sim: PhoneSimulator,
    session: aiohttp.ClientSession,
    *,
    username: str = "admin",
    password: str | None = None,
    **kwargs: Any,
) -> GrandstreamCTIClient:
    if password is None:
        password = ADMIN_PASSWORD if username == "admin" else USER_PASSWORD
    kwargs.setdefault("timeout", 10.0)
    return GrandstreamCTIClient(
        "127.0.0.1",
        password,
        session=session,
        port=sim.port,
        use_ssl=bool(sim.config.ssl),
        username=username,
        **kwargs,
    )


def count(sim: PhoneSimulator, function: str) -> int:
    return sum(entry["function"] == function for entry in sim.requests)


async def assert_silent(
    sim: PhoneSimulator, client: GrandstreamCTIClient, error: type[Exception]
) -> None:
    """Every call raises error and nothing reaches the phone."""
    before = len(sim.requests)
    calls = [
        client.login,
        client.get_line_status,
        client.get_phone_status,
        client.get_accounts,
        client.end_call,
        lambda: client.make_call("100"),
        client.reboot,
    ]
    if client.api is not None and client.api.kind is ApiKind.SESSION:
        calls.append(client.get_dnd)
    for call in calls:
        with pytest.raises(error):
            await call()
    assert len(sim.requests) == before
    assert client.password_rejected is issubclass(
        error, GrandstreamCTIAuthenticationError
    )


# --- detection and login ---------------------------------------------------


async def test_detection_and_one_login(
    sim: PhoneSimulator, session: aiohttp.ClientSession, expect: Expect
) -> None:
    client = make_client(sim, session)
    info = await client.login()
    assert client.api == PhoneApi(ApiKind.SESSION, expect.login)
    assert info == SessionInfo(
        role="admin", firmware=expect.firmware, mac=expect.mac, default_password=False
    )
    assert client.session_info == info
    # Only the plain login lacks MAC and firmware: P67 / P68 are read then.
    reads = count(sim, expect.config_function)
    assert reads == (1 if expect.login is LoginVariant.PLAIN else 0)
    # The password went out once, in the profile's form; no passcode request.
    (sent,) = sim.password_requests
    assert sent == {
        "function": "dologin",
        "kind": expect.login.value,
        "username": "admin",
        "ok": True,
    }
    # The challenge login reused the detection's nonce: one `access` request
    # (the plain phone answered the detection's with 404).
    assert count(sim, "access") == 1
    assert count(sim, "api-will_login") == 1
    # Logged in once, whatever follows.
    lines, status, accounts = await asyncio.gather(
        client.get_line_status(), client.get_phone_status(), client.get_accounts()
    )
    assert len(lines) == expect.lines
    assert all(line.is_idle and line.account is None for line in lines)
    assert status.status is PhoneStatus.AVAILABLE
    assert len(accounts) == expect.accounts
    assert accounts[0].registered
    assert await client.login() == info
    assert count(sim, "dologin") == 1
    assert len(sim.password_requests) == 1
    functions = {"api-get_line_status", "api-get_phone_status", "api-get_accounts"}
    assert {
        entry["auth"] for entry in sim.requests if entry["function"] in functions
    } == {"session"}
    model = await client.get_model_info()
    assert model.model == expect.model


async def test_call_control_over_the_session(
    sim: PhoneSimulator, session: aiohttp.ClientSession, expect: Expect
) -> None:
    client = make_client(sim, session)
    number = sim.phone.incoming("+15555550100", "Carol")
    ringing = next(
        line for line in await client.get_line_status() if line.line == number
    )
    assert ringing.state is LineState.RINGING
    assert ringing.account == 0
    await client.accept_call()
    await client.hold_call()
    await client.hold_call()
    await client.end_call()
    with pytest.raises(GrandstreamCTICommandError) as err:
        await client.end_call()
    assert err.value.refusal is CommandRefusal.NOTHING_TO_ACT_ON
    await client.make_call("*72100", account=1)
    outgoing = next(line for line in await client.get_line_status() if not line.is_idle)
    assert outgoing.account == 0
    await client.cancel_call()
    await client.send_keys("1,#,SEND")
    probes = {"api-will_login", "api-get_lockout"}
    commands = [
        entry
        for entry in sim.requests
        if entry["function"].startswith("api-") and entry["function"] not in probes
    ]
    assert len(commands) >= 9
    assert {entry["auth"] for entry in commands} == {"session"}
    assert len(sim.password_requests) == 1


async def test_wrong_password(
    sim: PhoneSimulator, session: aiohttp.ClientSession
) -> None:
    client = make_client(sim, session, password="wrong-s3cret")
    with pytest.raises(GrandstreamCTIAuthenticationError) as err:
        await client.get_phone_status()
    assert type(err.value) is GrandstreamCTIAuthenticationError
    assert err.value.attempts_left == 4
    assert "4 attempts left" in str(err.value)
    assert not secret_leaks(err.value, "wrong-s3cret")
    (sent,) = sim.password_requests
    assert sent["function"] == "dologin"
    assert not sent["ok"]
    assert sim.failed_logins == {"admin": 1}
    await assert_silent(sim, client, GrandstreamCTIAuthenticationError)
    assert len(sim.password_requests) == 1


@pytest.mark.parametrize("settings", [{"lockout_attempts": 1}])
async def test_wrong_password_locks_with_minutes(
    sim: PhoneSimulator, session: aiohttp.ClientSession
) -> None:
    """The phone locks: nothing is sent until the lock should be over, then once."""
    now = [1000.0]
    client = make_client(sim, session, password="wrong-s3cret", clock=lambda: now[0])
    with pytest.raises(GrandstreamCTILockedError) as err:
        await client.login()
    # lockTime in minutes (WP826) or seconds (GSC/GDS): 5 minutes either way.
    assert err.value.minutes == 5
    assert "5 minutes" in str(err.value)
    assert len(sim.password_requests) == 1
    await assert_silent(sim, client, GrandstreamCTILockedError)
    # A lock is not a wrong password: once it should be over, one more try.
    now[0] += 5 * 60
    sim.clock.advance(5 * 60 + 1)
    with pytest.raises(GrandstreamCTILockedError):
        await client.login()  # still wrong: this phone locks after one failure
    assert len(sim.password_requests) == 2


async def test_locked_phone_gets_no_password(
    sim: PhoneSimulator, session: aiohttp.ClientSession
) -> None:
    for _ in range(sim.config.lockout_attempts):
        sim.sessions.fail("admin")  # someone else tried five wrong passwords
    client = make_client(sim, session)
    with pytest.raises(GrandstreamCTILockedError):
        await client.login()
    assert sim.password_requests == []
    assert count(sim, "api-get_lockout") == 1
    # Not latched: once the lock ends (simulator clock), the login works.
    assert not client.password_rejected
    sim.clock.advance(sim.config.lockout_minutes * 60 + 1)
    assert (await client.login()).role == "admin"
    assert len(sim.password_requests) == 1


@pytest.mark.parametrize("settings", [{"user_web_access": False}])
async def test_user_not_allowed(
    sim: PhoneSimulator, session: aiohttp.ClientSession
) -> None:
    client = make_client(sim, session, username="user")
    with pytest.raises(GrandstreamCTIUserNotAllowedError):
        await client.login()
    assert len(sim.password_requests) == 1
    assert sim.failed_logins == {}
    await assert_silent(sim, client, GrandstreamCTIUserNotAllowedError)


async def test_user_account(
    sim: PhoneSimulator, session: aiohttp.ClientSession
) -> None:
    client = make_client(sim, session, username="user")
    info = await client.login()
    assert info.role == "user"
    assert len(await client.get_accounts()) >= 1


# --- expiry ----------------------------------------------------------------


async def test_expired_session_one_relogin_for_three_reads(
    sim: PhoneSimulator, session: aiohttp.ClientSession, expect: Expect
) -> None:
    client = make_client(sim, session)
    await client.login()
    assert sim.sessions.expire_all() == 1
    lines, status, accounts = await asyncio.gather(
        client.get_line_status(), client.get_phone_status(), client.get_accounts()
    )
    assert len(lines) == expect.lines
    assert status.status is PhoneStatus.AVAILABLE
    assert len(accounts) == expect.accounts
    assert count(sim, "dologin") == 2
    assert len(sim.password_requests) == 2
    assert all(entry["ok"] for entry in sim.password_requests)
    assert len(sim.sessions.sessions) == 1


async def test_idle_session_expires_on_the_clock(
    sim: PhoneSimulator, session: aiohttp.ClientSession
) -> None:
    client = make_client(sim, session)
    await client.get_phone_status()
    sim.clock.advance(sim.config.session_idle_seconds - 1)
    await client.get_phone_status()  # activity refreshes the session
    assert count(sim, "dologin") == 1
    sim.clock.advance(sim.config.session_idle_seconds + 1)
    assert (await client.get_phone_status()).status is PhoneStatus.AVAILABLE
    assert count(sim, "dologin") == 2


async def test_another_login_takes_the_session(
    sim: PhoneSimulator, session: aiohttp.ClientSession
) -> None:
    """Single-session firmware: the admin logging in elsewhere ends ours."""
    client = make_client(sim, session)
    other = make_client(sim, session)
    await client.login()
    await other.login()
    await client.get_accounts()
    expected = 3 if sim.config.single_session else 2
    assert count(sim, "dologin") == expected


# --- configuration ---------------------------------------------------------


async def test_config_write_and_read_back(
    sim: PhoneSimulator, session: aiohttp.ClientSession, expect: Expect
) -> None:
    client = make_client(sim, session)
    assert await client.get_config(["P8310"]) == {"8310": ""}
    await client.set_config({"P8310": URL})
    assert sim.store.value("8310") == URL
    assert await client.get_config(["8310"]) == {"8310": URL}
    writes = [e for e in sim.requests if e["function"] == expect.write_function]
    assert len(writes) == 1
    assert writes[0]["method"] == (
        "PUT" if expect.write_function == "config_update" else "POST"
    )
    # Unchanged: no second write (each is a flash write).
    await client.set_config({"P8310": URL})
    assert count(sim, expect.write_function) == 1
    assert count(sim, expect.config_function) >= 3


async def test_silently_ignored_write_is_rejected(
    sim: PhoneSimulator, session: aiohttp.ClientSession
) -> None:
    client = make_client(sim, session)
    await client.set_config({"P8310": URL})
    too_long = "http://127.0.0.1/" + "x" * 300
    with pytest.raises(GrandstreamCTIWriteRejectedError) as err:
        await client.set_config({"P8310": too_long})
    assert err.value.keys == ("8310",)
    assert sim.store.value("8310") == URL


async def test_user_may_not_enable_click_to_dial(
    sim: PhoneSimulator, session: aiohttp.ClientSession
) -> None:
    sim.update_config({"click_to_dial": False})
    client = make_client(sim, session, username="user")
    assert await client.get_click_to_dial() is False
    with pytest.raises(GrandstreamCTIWriteRejectedError) as err:
        await client.enable_click_to_dial()
    assert err.value.keys == ("1561",)
    # The user role may write event URL slots.
    await client.set_config({"P8311": URL})
    assert sim.store.value("8311") == URL


async def test_click_to_dial(
    sim: PhoneSimulator, session: aiohttp.ClientSession
) -> None:
    client = make_client(sim, session)
    assert await client.get_click_to_dial() is True
    sim.update_config({"click_to_dial": False})
    assert await client.get_click_to_dial() is False
    with pytest.raises(GrandstreamCTICommandError) as err:
        await client.make_call("100")
    assert err.value.refusal is CommandRefusal.INVALID_REQUEST
    await client.enable_click_to_dial()
    assert sim.config.click_to_dial is True
    await client.make_call("100")


async def test_refused_keys_never_reach_the_phone(
    sim: PhoneSimulator, session: aiohttp.ClientSession
) -> None:
    client = make_client(sim, session)
    for keys in ({"P2": "x"}, {"P196": "x"}, {"P212": "x"}, {"P67": "x"}):
        with pytest.raises(ValueError, match="Refusing"):
            await client.set_config(keys)
    assert sim.requests == []


async def test_dnd(
    sim: PhoneSimulator, session: aiohttp.ClientSession, profile: str
) -> None:
    client = make_client(sim, session)
    if profile == "gxp1625":
        # api.values.* lists keys with ":" as the separator, so the runtime
        # key `:dnd` cannot be asked for there: the client reads nothing.
        assert await client.get_dnd() is None
        return
    assert await client.get_dnd() is False
    await client.set_dnd(True)
    assert sim.phone.dnd is True
    assert await client.get_dnd() is True
    # Phones answer no "dnd" phone status (captures): DND is its own key.
    assert (await client.get_phone_status()).status is PhoneStatus.AVAILABLE
    sim.phone.set_dnd(False)  # turned off on the phone
    assert await client.get_dnd() is False


# --- handsets --------------------------------------------------------------


@pytest.mark.parametrize("profile", ["wp826"])
async def test_battery_and_wifi(
    sim: PhoneSimulator, session: aiohttp.ClientSession
) -> None:
    admin = make_client(sim, session)
    assert await admin.get_battery() == Battery(
        capacity=95, status="Discharging", present=True, health="Good"
    )
    wifi = await admin.get_wifi_status()
    assert wifi == WifiStatus(
        signal=4, connected=True, ssid="Office", mac="00:0b:82:12:34:56"
    )
    sim.phone.set_battery(10)
    assert (await admin.get_battery()).capacity == 10


@pytest.mark.parametrize("profile", ["wp826"])
async def test_battery_as_user_is_a_permission_error(
    sim: PhoneSimulator, session: aiohttp.ClientSession
) -> None:
    user = make_client(sim, session, username="user")
    with pytest.raises(GrandstreamCTIPermissionError, match="admin account"):
        await user.get_battery()
    # One re-login to be sure it was not an expiry; never a loop.
    assert count(sim, "dologin") == 2
    assert count(sim, "api-get_battery_status") == 2
    assert not user.password_rejected
    assert isinstance(await user.get_wifi_status(), WifiStatus)


@pytest.mark.parametrize("profile", ["wp826"])
async def test_wp826_has_no_passcode_api(
    sim: PhoneSimulator, session: aiohttp.ClientSession
) -> None:
    client = make_client(sim, session, api=PhoneApi(ApiKind.PASSCODE))
    with pytest.raises(GrandstreamCTIAuthenticationError):
        await client.get_phone_status()
    await assert_silent(sim, client, GrandstreamCTIAuthenticationError)
    assert len(sim.password_requests) == 1


@pytest.mark.parametrize("profile", ["grp2614", "gxp2170"])
async def test_no_battery_on_desk_phones(
    sim: PhoneSimulator, session: aiohttp.ClientSession
) -> None:
    client = make_client(sim, session)
    with pytest.raises(GrandstreamCTIError):
        await client.get_battery()


# --- logout and passcode-only phones ---------------------------------------


async def test_logout(sim: PhoneSimulator, session: aiohttp.ClientSession) -> None:
    client = make_client(sim, session)
    await client.login()
    assert len(sim.sessions.sessions) == 1
    await client.logout()
    assert sim.sessions.sessions == {}
    assert count(sim, "dologout") == 1
    await client.logout()  # nothing to end
    assert count(sim, "dologout") == 1
    await client.get_phone_status()
    assert count(sim, "dologin") == 2


@pytest.mark.parametrize("profile", ["grp2614"])
@pytest.mark.parametrize("settings", [{"session_api": False}])
async def test_passcode_only_phone(
    sim: PhoneSimulator, session: aiohttp.ClientSession
) -> None:
    client = make_client(sim, session)
    assert await client.login() is None
    assert client.api == PhoneApi(ApiKind.PASSCODE)
    assert len(await client.get_line_status()) == 8
    assert [entry["function"] for entry in sim.requests[:3]] == [
        "api-will_login",
        "api.values.get",
        "access",
    ]
    assert sim.password_requests[0]["kind"] == "passcode"
    with pytest.raises(GrandstreamCTIUnsupportedError):
        await client.get_dnd()


@pytest.mark.parametrize("profile", ["grp2614"])
async def test_both_apis_on_a_grp(
    sim: PhoneSimulator, session: aiohttp.ClientSession
) -> None:
    """A GRP speaks both: detection takes the session; passcode still works."""
    detected = make_client(sim, session)
    passcode = make_client(sim, session, api=PhoneApi(ApiKind.PASSCODE))
    assert len(await detected.get_line_status()) == 8
    assert len(await passcode.get_line_status()) == 8
    assert detected.api == PhoneApi(ApiKind.SESSION, LoginVariant.CHALLENGE)
    assert [entry["kind"] for entry in sim.password_requests] == [
        "challenge",
        "passcode",
    ]
