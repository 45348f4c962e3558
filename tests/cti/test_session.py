"""The web session API (auth.SessionAuth) against the scripted fake phone:
login variants, headers, where the sid travels, cookies, the lockout rules,
expiry with one shared re-login, and logout."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import json
import logging
from typing import Any

import aiohttp
import pytest

from custom_components.grandstream_cti.cti import (
    ApiKind,
    GrandstreamCTIApiChangedError,
    GrandstreamCTIAuthenticationError,
    GrandstreamCTIClient,
    GrandstreamCTIConnectionError,
    GrandstreamCTIError,
    GrandstreamCTILockedError,
    GrandstreamCTIPermissionError,
    GrandstreamCTIResponseError,
    GrandstreamCTIUserNotAllowedError,
    LoginVariant,
    PhoneApi,
    PhoneStatus,
    SessionInfo,
)
from custom_components.grandstream_cti.cti.auth import SessionAuth

from .fake_phone import (
    ACCESS,
    CONFIG_GET,
    CONFIG_UPDATE,
    DOLOGIN,
    DOLOGOUT,
    FIRMWARE,
    LOCKOUT,
    MAC,
    SECRET,
    FakePhone,
    Hit,
    Reply,
    SessionPhone,
    envelope,
    secret_leaks,
    sha256_hex,
    sid_of,
)

ClientFactory = Callable[..., GrandstreamCTIClient]

CHALLENGE = PhoneApi(ApiKind.SESSION, LoginVariant.CHALLENGE)
PLAIN = PhoneApi(ApiKind.SESSION, LoginVariant.PLAIN)

LINE_STATUS = "/cgi-bin/api-get_line_status"
PHONE_STATUS = "/cgi-bin/api-get_phone_status"
ACCOUNTS = "/cgi-bin/api-get_accounts"
PHONE_OPERATION = "/cgi-bin/api-phone_operation"
MAKE_CALL = "/cgi-bin/api-make_call"
SEND_KEY = "/cgi-bin/api-send_key"
SYS_OPERATION = "/cgi-bin/api-sys_operation"
BATTERY = "/cgi-bin/api-get_battery_status"
# Captured from a WP826 (session-spec §3): acct 0 on idle lines too.
LINES = [
    {
        "line": 1,
        "conf": 0,
        "state": "connected",
        "acct": 0,
        "active": 0,
        "remotename": "+15555550100",
        "remotenumber": "+15555550100",
    },
    {
        "line": 2,
        "conf": 0,
        "state": "idle",
        "acct": 0,
        "active": 0,
        "remotename": "",
        "remotenumber": "",
    },
]
ACCOUNT_LIST = [
    {
        "id": 1,
        "sip_server": "192.168.1.1",
        "sip_id": "10",
        "name": "UniFi",
        "auto_cfg": "",
        "reg": 1,
    }
]
# sha256("user"), as printed in session-spec §2.2.
SHA256_USER = "04f8996da763b7a969b1028ee3007569eaf3a635486ddab211d512c85b9df8fb"


@pytest.fixture
def fake(phone: FakePhone) -> SessionPhone:
    """Return the fake phone scripted as a challenge-login session phone."""
    scripted = SessionPhone(phone)
    scripted.guard(LINE_STATUS, Reply(envelope(LINES)))
    scripted.guard(PHONE_STATUS, Reply(envelope("available")))
    scripted.guard(ACCOUNTS, Reply(envelope(ACCOUNT_LIST)))
    for path in (PHONE_OPERATION, MAKE_CALL, SEND_KEY):
        scripted.guard(path, Reply(envelope(True)))
    scripted.guard(SYS_OPERATION, Reply(envelope("savereboot")))
    return scripted


def logins(phone: FakePhone) -> list[Hit]:
    return phone.hits_for(DOLOGIN)


def password_hits(phone: FakePhone, fake: SessionPhone) -> list[Hit]:
    """Return the requests that carried the password in any form."""
    forms = {fake.password, *(sha256_hex(fake.password + n) for n in fake.nonces)}
    return [hit for hit in phone.hits if any(form in hit.text for form in forms)]


# --- login -----------------------------------------------------------------


async def test_challenge_login(
    phone: FakePhone, fake: SessionPhone, make_client: ClientFactory
) -> None:
    client = make_client(api=CHALLENGE)
    info = await client.login()
    assert info == SessionInfo(
        role="admin", firmware=FIRMWARE, mac=MAC, default_password=False
    )
    assert client.session_info == info
    lockout, access, login = phone.hits
    assert (lockout.method, lockout.path) == ("GET", LOCKOUT)
    assert (access.method, access.path) == ("POST", ACCESS)
    assert access.form == {"access": sha256_hex("admin")}
    assert (login.method, login.path) == ("POST", DOLOGIN)
    (nonce,) = fake.nonces
    assert login.form == {
        "username": "admin",
        "password": sha256_hex(SECRET + nonce),
    }
    # The plain password never travels; its hash only in the one login.
    assert all(SECRET not in hit.text for hit in phone.hits)
    assert password_hits(phone, fake) == [login]
    # Logged in: no second login.
    assert await client.login() == info
    await client.get_phone_status()
    assert len(logins(phone)) == 1


async def test_challenge_login_username_user(
    phone: FakePhone, make_client: ClientFactory
) -> None:
    fake = SessionPhone(phone, username="user", role="user")
    client = make_client(api=CHALLENGE, username="user")
    info = await client.login()
    assert info.role == "user"
    assert phone.hits_for(ACCESS)[0].form == {"access": SHA256_USER}
    assert sha256_hex("user") == SHA256_USER
    assert logins(phone)[0].form["username"] == "user"
    assert logins(phone)[0].form["password"] == sha256_hex(SECRET + fake.nonces[0])


async def test_plain_login(phone: FakePhone, make_client: ClientFactory) -> None:
    fake = SessionPhone(phone, challenge=False)
    client = make_client(api=PLAIN)
    info = await client.login()
    assert info.role == "admin"
    assert not phone.hits_for(ACCESS)  # no challenge asked
    (login,) = logins(phone)
    assert login.form == {"username": "admin", "password": SECRET}
    assert password_hits(phone, fake) == [login]


@pytest.mark.parametrize(
    "reply", [Reply(envelope(True)), Reply("", status=404), Reply("<html>x</html>")]
)
async def test_no_challenge_means_another_api(
    phone: FakePhone, make_client: ClientFactory, reply: Reply
) -> None:
    """The proven challenge login is gone: no password, no other API tried."""
    SessionPhone(phone)
    phone.respond(ACCESS, lambda hit: reply)
    client = make_client(api=CHALLENGE)
    with pytest.raises(GrandstreamCTIApiChangedError, match="login challenge"):
        await client.login()
    assert not logins(phone)
    assert not client.password_rejected
    assert all(SECRET not in hit.text for hit in phone.hits)


async def test_a_busy_challenge_is_a_connection_error(
    phone: FakePhone, make_client: ClientFactory
) -> None:
    SessionPhone(phone)
    phone.respond(ACCESS, lambda hit: Reply("", status=500))
    client = make_client(api=CHALLENGE)
    with pytest.raises(GrandstreamCTIConnectionError):
        await client.login()
    assert not logins(phone)


async def test_login_body_as_a_json_string(
    phone: FakePhone, fake: SessionPhone, make_client: ClientFactory
) -> None:
    sid = "f" * 64
    fake.login_reply = Reply(
        envelope(json.dumps({"sid": sid, "role": "admin", "ver": "1.0.7.70"}))
    )
    fake.valid.add(sid)
    fake.guard(PHONE_STATUS, Reply(envelope("busy")))
    client = make_client(api=PLAIN)
    info = await client.login()
    assert info == SessionInfo(role="admin", firmware="1.0.7.70")
    assert (await client.get_phone_status()).status is PhoneStatus.BUSY
    assert sid_of(phone.hits_for(PHONE_STATUS)[0]) == sid


@pytest.mark.parametrize(
    ("role", "hashed", "expected"),
    [
        ("admin", True, "admin"),
        ("user", True, "user"),
        ("admin", False, "admin"),
        ("user", False, "user"),
        ("Admin", False, "admin"),
        ("operator", False, None),
        ("operator", True, None),
    ],
)
async def test_roles(
    phone: FakePhone,
    make_client: ClientFactory,
    role: str,
    hashed: bool,
    expected: str | None,
) -> None:
    SessionPhone(phone, role=role, hashed_role=hashed)
    client = make_client(api=CHALLENGE)
    assert (await client.login()).role == expected


async def test_login_facts_missing(
    phone: FakePhone, fake: SessionPhone, make_client: ClientFactory
) -> None:
    fake.login_reply = Reply(envelope({"sid": "abc"}))
    client = make_client(api=PLAIN)
    assert await client.login() == SessionInfo()


# --- refusals and the lockout rules ----------------------------------------


async def assert_nothing_more_sent(
    phone: FakePhone, client: GrandstreamCTIClient, error: type[Exception]
) -> list[BaseException]:
    """Every call raises error without I/O; return the errors raised."""
    sent = len(phone.hits)
    raised: list[BaseException] = []
    for call in (
        client.login,
        client.get_line_status,
        client.get_phone_status,
        client.get_accounts,
        client.end_call,
        lambda: client.make_call("100"),
        lambda: client.send_keys("1"),
        client.reboot,
        client.get_dnd,
        lambda: client.set_dnd(True),
        client.get_battery,
    ):
        with pytest.raises(error) as err:
            await call()
        raised.append(err.value)
    assert len(phone.hits) == sent
    assert client.password_rejected is issubclass(
        error, GrandstreamCTIAuthenticationError
    )
    return raised


@pytest.mark.parametrize(
    ("body", "attempts_left"),
    [("wrong4", 4), ("wrong1", 1), ("wrong0", 0), ("wrong", None), (" Wrong 3", 3)],
)
async def test_wrong_password(
    phone: FakePhone,
    fake: SessionPhone,
    make_client: ClientFactory,
    body: str,
    attempts_left: int | None,
) -> None:
    fake.login_reply = Reply(envelope(body, response="error"))
    client = make_client(api=CHALLENGE)
    with pytest.raises(GrandstreamCTIAuthenticationError) as err:
        await client.get_line_status()
    assert type(err.value) is GrandstreamCTIAuthenticationError
    assert err.value.attempts_left == attempts_left
    if attempts_left is not None:
        assert f"{attempts_left} attempts left" in str(err.value)
    assert len(logins(phone)) == 1
    raised = await assert_nothing_more_sent(
        phone, client, GrandstreamCTIAuthenticationError
    )
    assert all(
        isinstance(item, GrandstreamCTIAuthenticationError)
        and item.attempts_left == attempts_left
        for item in raised
    )
    # Fresh copies, so tracebacks do not pile up on one object.
    assert len({id(item) for item in raised}) == len(raised)
    assert len(logins(phone)) == 1


async def test_wrong_password_really_wrong(
    phone: FakePhone, make_client: ClientFactory
) -> None:
    """The fake phone itself refuses a wrong password (wrong4)."""
    SessionPhone(phone, password="another")
    client = make_client(api=CHALLENGE)
    with pytest.raises(GrandstreamCTIAuthenticationError) as err:
        await client.login()
    assert err.value.attempts_left == 4
    await assert_nothing_more_sent(phone, client, GrandstreamCTIAuthenticationError)
    assert len(logins(phone)) == 1


async def test_locked_with_minutes(
    phone: FakePhone, fake: SessionPhone, make_client: ClientFactory
) -> None:
    fake.login_reply = Reply(envelope("locked", response="error", lockTime=5))
    client = make_client(api=CHALLENGE)
    with pytest.raises(GrandstreamCTILockedError) as err:
        await client.login()
    assert err.value.minutes == 5
    assert "5 minutes" in str(err.value)
    raised = await assert_nothing_more_sent(phone, client, GrandstreamCTILockedError)
    assert all(getattr(item, "minutes", None) == 5 for item in raised)


async def test_locked_without_minutes(
    phone: FakePhone, fake: SessionPhone, make_client: ClientFactory
) -> None:
    fake.login_reply = Reply(envelope("locked", response="error"))
    client = make_client(api=CHALLENGE)
    with pytest.raises(GrandstreamCTILockedError) as err:
        await client.login()
    assert err.value.minutes is None


async def test_user_not_allowed(
    phone: FakePhone, fake: SessionPhone, make_client: ClientFactory
) -> None:
    fake.login_reply = Reply(envelope("user is not allow", response="error"))
    client = make_client(api=CHALLENGE, username="user")
    with pytest.raises(GrandstreamCTIUserNotAllowedError, match="admin"):
        await client.login()
    await assert_nothing_more_sent(phone, client, GrandstreamCTIUserNotAllowedError)


async def test_lockout_probe_stops_the_password(
    phone: FakePhone, fake: SessionPhone, make_client: ClientFactory
) -> None:
    phone.reply(LOCKOUT, Reply(envelope("lockout")))
    client = make_client(api=CHALLENGE)
    with pytest.raises(GrandstreamCTILockedError) as err:
        await client.get_phone_status()
    assert err.value.minutes is None
    assert [hit.path for hit in phone.hits] == [LOCKOUT]
    assert not password_hits(phone, fake)
    # Not latched: the lock ends; the next call asks again.
    assert not client.password_rejected
    phone.reply(LOCKOUT, Reply(envelope("ok")))
    assert (await client.get_phone_status()).status is PhoneStatus.AVAILABLE
    assert len(logins(phone)) == 1


@pytest.mark.parametrize(
    "reply",
    [
        Reply("", status=404),
        Reply("<html>Not Found</html>", status=404),
        Reply("garbage"),
        Reply(envelope(True)),
        Reply(envelope("lockout", response="error")),
        Reply(drop=True),
    ],
)
async def test_lockout_probe_unclear_goes_on(
    phone: FakePhone, fake: SessionPhone, make_client: ClientFactory, reply: Reply
) -> None:
    phone.reply(LOCKOUT, reply)
    client = make_client(api=CHALLENGE)
    assert (await client.login()).role == "admin"
    # Never retried by the client (aiohttp itself re-sends a dropped GET once).
    assert len(phone.hits_for(LOCKOUT)) <= (2 if reply.drop else 1)


async def test_html_403_on_login_is_not_an_auth_error(
    phone: FakePhone, fake: SessionPhone, make_client: ClientFactory
) -> None:
    fake.login_reply = Reply("<html><body>403 Forbidden</body></html>", status=403)
    client = make_client(api=CHALLENGE)
    with pytest.raises(GrandstreamCTIResponseError, match="403") as err:
        await client.login()
    assert not isinstance(err.value, GrandstreamCTIAuthenticationError)
    assert not client.password_rejected
    # Nothing latched: a later call may log in.
    fake.login_reply = None
    assert (await client.login()).role == "admin"


@pytest.mark.parametrize(
    "reply",
    [
        Reply(envelope(True), status=500),
        Reply("<html>oops</html>"),
        Reply(envelope({"sid": ""})),
        Reply(envelope("what", response="error")),
        Reply(envelope(["x"], response="error")),
        Reply(envelope({"status": "x"}, response="success")),
    ],
)
async def test_odd_login_answers(
    phone: FakePhone, fake: SessionPhone, make_client: ClientFactory, reply: Reply
) -> None:
    fake.login_reply = reply
    client = make_client(api=CHALLENGE)
    with pytest.raises(GrandstreamCTIResponseError) as err:
        await client.login()
    assert not client.password_rejected
    assert not secret_leaks(err.value)


async def test_login_never_retried_on_transport_failure(
    phone: FakePhone, fake: SessionPhone, make_client: ClientFactory
) -> None:
    fake.login_reply = Reply(drop=True)
    client = make_client(api=CHALLENGE)
    with pytest.raises(GrandstreamCTIConnectionError):
        await client.login()
    assert len(logins(phone)) == 1
    assert not client.password_rejected


async def test_concurrent_first_calls_log_in_once(
    phone: FakePhone, fake: SessionPhone, make_client: ClientFactory
) -> None:
    client = make_client(api=CHALLENGE)
    results = await asyncio.gather(
        client.get_line_status(),
        client.get_phone_status(),
        client.get_accounts(),
        client.login(),
    )
    assert len(results[0]) == 2
    assert len(logins(phone)) == 1
    assert len(phone.hits_for(ACCESS)) == 1


async def test_concurrent_calls_share_one_wrong_password(
    phone: FakePhone, fake: SessionPhone, make_client: ClientFactory
) -> None:
    fake.login_reply = Reply(envelope("wrong3", response="error"))
    client = make_client(api=CHALLENGE)
    results = await asyncio.gather(
        *(client.get_phone_status() for _ in range(4)), return_exceptions=True
    )
    assert all(isinstance(item, GrandstreamCTIAuthenticationError) for item in results)
    assert len(logins(phone)) == 1


# --- headers, sid placement, cookies ---------------------------------------


async def test_browser_headers_and_sid_placement(
    phone: FakePhone, fake: SessionPhone, make_client: ClientFactory
) -> None:
    client = make_client(api=CHALLENGE)
    await client.get_line_status()
    await client.get_phone_status()
    await client.get_accounts()
    await client.end_call()
    await client.make_call("100", 2)
    await client.send_keys("1,#")
    await client.reboot()
    origin = f"http://127.0.0.1:{phone.port}"
    for hit in phone.hits:
        if hit.path == LOCKOUT:
            continue
        assert hit.headers["Origin"] == origin, hit.path
        assert hit.headers["Referer"] == origin + "/", hit.path
        assert hit.headers["X-Requested-With"] == "XMLHttpRequest", hit.path
        assert "passcode" not in hit.text
    for hit in phone.hits:
        if hit.method == "POST":
            assert hit.headers["Content-Type"] == "application/x-www-form-urlencoded"
    sid = fake.sid
    by_path = {hit.path: hit for hit in phone.hits}
    # POSTs: sid in the cookie and the form.
    for path, form in [
        (LINE_STATUS, {"line": "-1", "sid": sid}),
        (PHONE_STATUS, {"sid": sid}),
        (PHONE_OPERATION, {"cmd": "endcall", "sid": sid}),
        (MAKE_CALL, {"phonenumber": "100", "account": "1", "sid": sid}),
        (SEND_KEY, {"keys": "1:#", "sid": sid}),
        (SYS_OPERATION, {"request": "REBOOT", "sid": sid}),
    ]:
        hit = by_path[path]
        assert hit.method == "POST", path
        assert hit.form == form, path
        assert hit.query == {}, path
        assert hit.cookies == {"sid": sid}, path
    # GETs: sid in the cookie and the query.
    accounts = by_path[ACCOUNTS]
    assert accounts.method == "GET"
    assert accounts.query == {"sid": sid}
    assert accounts.cookies == {"sid": sid}
    assert accounts.body == b""


async def test_cookies_the_phone_set_are_replayed(
    phone: FakePhone, make_client: ClientFactory
) -> None:
    fake = SessionPhone(
        phone, cookies={"session-identity": "ident-1", "session-role": "role-1"}
    )
    fake.guard(
        PHONE_STATUS,
        lambda hit: Reply(envelope("available"), cookies={"extra": "e1"}),
    )
    fake.guard(ACCOUNTS, Reply(envelope(ACCOUNT_LIST)))
    client = make_client(api=CHALLENGE)
    await client.get_phone_status()
    first = phone.hits_for(PHONE_STATUS)[0]
    assert first.cookies == {
        "session-identity": "ident-1",
        "session-role": "role-1",
        "sid": fake.sid,
    }
    await client.get_accounts()
    assert phone.hits_for(ACCOUNTS)[0].cookies == {
        "session-identity": "ident-1",
        "session-role": "role-1",
        "sid": fake.sid,
        "extra": "e1",
    }


async def test_a_sid_cookie_the_phone_set_wins(
    phone: FakePhone, make_client: ClientFactory
) -> None:
    fake = SessionPhone(phone, cookies={"sid": "cookie-sid"})
    fake.guard(PHONE_STATUS, Reply(envelope("available")))
    fake.valid.add("cookie-sid")
    client = make_client(api=CHALLENGE)
    await client.get_phone_status()
    (hit,) = phone.hits_for(PHONE_STATUS)
    assert hit.cookies == {"sid": "cookie-sid"}
    assert hit.form == {"sid": fake.sid}


# --- expiry ----------------------------------------------------------------

EXPIRY_SIGNALS = {
    "http401": Reply("<html>Unauthorized</html>", status=401),
    "empty401": Reply("", status=401),
    "session_expired": Reply(envelope({"status": "session-expired"}, "error")),
    "session_expiring": Reply(envelope("session expiring", "error")),
    "unauthorized_body": Reply(envelope("unauthorized")),
    "unauthorized_text": Reply('"unauthorized"'),
    "unauthorized_response": Reply(json.dumps({"response": "unauthorized"})),
}


@pytest.mark.parametrize("signal", list(EXPIRY_SIGNALS))
async def test_expiry_relogs_in_once_and_resends(
    phone: FakePhone, fake: SessionPhone, make_client: ClientFactory, signal: str
) -> None:
    client = make_client(api=CHALLENGE)
    fake.guard(PHONE_STATUS, Reply(envelope("ringing")), expired=EXPIRY_SIGNALS[signal])
    assert (await client.get_phone_status()).status is PhoneStatus.RINGING
    first_sid = fake.sid
    fake.expire()
    assert (await client.get_phone_status()).status is PhoneStatus.RINGING
    assert len(logins(phone)) == 2
    assert len(phone.hits_for(ACCESS)) == 2  # a fresh nonce for each login
    sent = [sid_of(hit) for hit in phone.hits_for(PHONE_STATUS)]
    assert sent == [first_sid, first_sid, fake.sid]
    assert fake.sid != first_sid
    assert not client.password_rejected


@pytest.mark.parametrize("signal", ["http401", "session_expired", "unauthorized_body"])
async def test_second_failure_is_a_permission_error(
    phone: FakePhone, fake: SessionPhone, make_client: ClientFactory, signal: str
) -> None:
    phone.reply(BATTERY, EXPIRY_SIGNALS[signal])
    client = make_client(api=CHALLENGE, username="user")
    fake.username = "user"
    with pytest.raises(GrandstreamCTIPermissionError, match="user") as err:
        await client.get_battery()
    assert len(phone.hits_for(BATTERY)) == 2  # once, then once after re-login
    assert len(logins(phone)) == 2
    assert not secret_leaks(err.value, SECRET, fake.sid)
    assert not client.password_rejected
    # Still logged in: other reads work without another login.
    await client.get_phone_status()
    assert len(logins(phone)) == 2


async def test_three_concurrent_reads_after_expiry_log_in_once(
    phone: FakePhone, fake: SessionPhone, make_client: ClientFactory
) -> None:
    client = make_client(api=CHALLENGE, timeout=30)
    await client.login()
    old = fake.sid
    fake.expire()
    lines, status, accounts = await asyncio.gather(
        client.get_line_status(), client.get_phone_status(), client.get_accounts()
    )
    assert len(lines) == 2
    assert status.status is PhoneStatus.AVAILABLE
    assert len(accounts) == 1
    assert len(logins(phone)) == 2  # the first login and one re-login
    for path in (LINE_STATUS, PHONE_STATUS, ACCOUNTS):
        sids = [sid_of(hit) for hit in phone.hits_for(path)]
        assert sids[-1] == fake.sid != old, path


async def test_three_concurrent_reads_all_expired_before_relogin(
    phone: FakePhone, fake: SessionPhone, make_client: ClientFactory
) -> None:
    """All three see the expiry before anyone logs in again: still one login."""
    client = make_client(api=CHALLENGE, timeout=30)
    await client.login()
    fake.expire()
    # Hold the re-login until all three reads got their 401.
    held = Reply(delay=600.0)

    def dologin(hit: Hit) -> Reply:
        reply = fake._dologin(hit)
        held.body, held.status, held.cookies = reply.body, reply.status, reply.cookies
        return held

    phone.respond(DOLOGIN, dologin)
    tasks = [
        asyncio.create_task(call())
        for call in (
            client.get_line_status,
            client.get_phone_status,
            client.get_accounts,
        )
    ]
    await phone.wait_until(
        lambda: (
            len(logins(phone)) == 2
            and all(len(phone.hits_for(p)) == 1 for p in (LINE_STATUS, PHONE_STATUS))
            and len(phone.hits_for(ACCOUNTS)) == 1
        )
    )
    phone.release.set()
    await asyncio.gather(*tasks)
    assert len(logins(phone)) == 2


async def test_relogin_with_a_changed_password_latches(
    phone: FakePhone, fake: SessionPhone, make_client: ClientFactory
) -> None:
    client = make_client(api=CHALLENGE)
    await client.login()
    fake.expire()
    fake.password = "changed on the phone"
    with pytest.raises(GrandstreamCTIAuthenticationError) as err:
        await client.get_phone_status()
    assert err.value.attempts_left == 4
    assert len(logins(phone)) == 2
    await assert_nothing_more_sent(phone, client, GrandstreamCTIAuthenticationError)


async def test_commands_relogin_once_too(
    phone: FakePhone, fake: SessionPhone, make_client: ClientFactory
) -> None:
    client = make_client(api=CHALLENGE)
    await client.login()
    fake.expire()
    await client.make_call("100")
    hits = phone.hits_for(MAKE_CALL)
    assert len(hits) == 2  # refused (401), then sent again after one login
    assert len(logins(phone)) == 2


# --- logout ----------------------------------------------------------------


async def test_logout(
    phone: FakePhone, fake: SessionPhone, make_client: ClientFactory
) -> None:
    client = make_client(api=CHALLENGE)
    await client.login()
    sid = fake.sid
    await client.logout()
    (hit,) = phone.hits_for(DOLOGOUT)
    assert hit.method == "POST"
    assert hit.form == {"sid": sid}
    assert hit.cookies == {"sid": sid}
    assert hit.headers["Origin"] == f"http://127.0.0.1:{phone.port}"
    # Logged out: nothing more to end, and the next call logs in again.
    await client.logout()
    assert len(phone.hits_for(DOLOGOUT)) == 1
    await client.get_phone_status()
    assert len(logins(phone)) == 2
    assert sid_of(phone.hits_for(PHONE_STATUS)[0]) == fake.sid != sid


@pytest.mark.parametrize(
    "reply",
    [Reply("", status=500), Reply("<html>x</html>", status=404), Reply(drop=True)],
)
async def test_logout_is_best_effort(
    phone: FakePhone, fake: SessionPhone, make_client: ClientFactory, reply: Reply
) -> None:
    client = make_client(api=CHALLENGE)
    await client.login()
    phone.reply(DOLOGOUT, reply)
    await client.logout()
    assert len(phone.hits_for(DOLOGOUT)) == 1  # never retried


async def test_logout_before_login_sends_nothing(
    phone: FakePhone, make_client: ClientFactory
) -> None:
    await make_client(api=CHALLENGE).logout()
    await make_client().logout()  # passcode: no session
    await make_client(api=None).logout()  # nothing detected yet
    assert not phone.hits


# --- secrets ---------------------------------------------------------------


async def test_password_and_sid_never_in_errors_or_logs(
    phone: FakePhone,
    fake: SessionPhone,
    make_client: ClientFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    client = make_client(api=CHALLENGE, timeout=10)
    await client.login()
    sid = fake.sid
    # Excerpts are short: the password first, and a sid prefix is a leak too.
    echo = f"{SECRET} {sid} /cgi-bin/x?sid={sid}"
    scenarios: list[tuple[str, Reply, Callable[[], Any]]] = [
        (PHONE_STATUS, Reply(echo), client.get_phone_status),
        (PHONE_STATUS, Reply(envelope(echo, "maybe")), client.get_phone_status),
        (ACCOUNTS, Reply(echo, status=500), client.get_accounts),
        (PHONE_OPERATION, Reply(envelope(echo, "error")), client.end_call),
        (MAKE_CALL, Reply(drop=True), lambda: client.make_call("1")),
        (CONFIG_GET, Reply(echo), client.get_dnd),
        (CONFIG_GET, Reply(envelope(echo, "error")), client.get_dnd),
        (BATTERY, Reply(echo), client.get_battery),
        ("/cgi-bin/api-wifi_status_get", Reply(echo), client.get_wifi_status),
        (BATTERY, Reply("", status=401), client.get_battery),
    ]
    errors: list[BaseException] = []
    for path, reply, call in scenarios:
        fake.guard(path, reply)
        with pytest.raises(GrandstreamCTIError) as err:
            await call()
        errors.append(err.value)
    # A config write the phone answers with an echo (of the sid in use now:
    # the 401 above made the client log in again).
    sid = fake.sid
    echo = f"{SECRET} {sid} /cgi-bin/x?sid={sid}"
    fake.guard(CONFIG_GET, Reply(json.dumps({"configs": []})))
    fake.guard(CONFIG_UPDATE, Reply(envelope(echo, "error")))
    with pytest.raises(GrandstreamCTIError) as err:
        await client.set_dnd(True)
    errors.append(err.value)
    # A login answer that echoes the password.
    fake.expire()
    fake.login_reply = Reply(f"<b>{SECRET}</b>")
    with pytest.raises(GrandstreamCTIError) as err:
        await client.get_accounts()
    errors.append(err.value)
    secrets = (SECRET, sid, *fake.sids, *(item[:20] for item in fake.sids))
    for error in errors:
        assert not secret_leaks(error, *secrets), secret_leaks(error, *secrets)
    assert repr(client).count(SECRET) == 0
    records = [r for r in caplog.records if r.name != "aiohttp.access"]
    assert any("logged in" in r.getMessage() for r in records)
    assert any("session expired" in r.getMessage() for r in records)
    for record in records:
        for secret in secrets:
            assert secret not in record.getMessage()
            assert secret not in repr(record.args)


async def test_last_answers_never_keep_the_login(
    phone: FakePhone, fake: SessionPhone, make_client: ClientFactory
) -> None:
    client = make_client(api=CHALLENGE)
    await client.get_line_status()
    assert client.last_answers["api-get_line_status"] == {
        "response": "success",
        "body": LINES,
    }
    assert fake.sid not in repr(client.last_answers)
    assert set(client.last_answers) == {"api-get_line_status"}


async def test_session_line_status_idle_acct_zero(
    fake: SessionPhone, make_client: ClientFactory
) -> None:
    client = make_client(api=CHALLENGE)
    connected, idle = await client.get_line_status()
    assert connected.account == 0  # 0-based on this firmware: kept as sent
    assert connected.remote_name == "+15555550100"
    assert idle.account is None


async def test_a_session_survives_the_client_sessions_cookie_jar(
    phone: FakePhone, socket_enabled: None
) -> None:
    """An unsafe jar (which keeps cookies for IP hosts) changes nothing."""
    fake = SessionPhone(phone, cookies={"session-identity": "x"})
    fake.guard(PHONE_STATUS, Reply(envelope("available")))
    async with aiohttp.ClientSession(
        cookie_jar=aiohttp.CookieJar(unsafe=True)
    ) as session:
        client = GrandstreamCTIClient(
            "127.0.0.1", SECRET, session=session, port=phone.port, api=CHALLENGE
        )
        await client.get_phone_status()
    (hit,) = phone.hits_for(PHONE_STATUS)
    assert hit.cookies == {"session-identity": "x", "sid": fake.sid}


# --- what a login tells ------------------------------------------------------


async def test_plain_login_reads_mac_and_firmware_from_p67_p68(
    phone: FakePhone, make_client: ClientFactory
) -> None:
    fake = SessionPhone(phone, challenge=False)
    # GXP16xx: sid, role and defaultAuth only.
    fake.login_fields = {"role": "admin", "defaultAuth": False}
    phone.reply(CONFIG_GET, Reply("", status=404))
    fake.guard(
        "/cgi-bin/api.values.get",
        Reply(envelope({"P67": "00:0b:82:12:34:56", "P68": " 1.0.7.70 "})),
    )
    client = make_client(api=PLAIN)
    info = await client.login()
    assert info == SessionInfo(
        role="admin",
        firmware="1.0.7.70",
        mac="00:0b:82:12:34:56",
        default_password=False,
    )
    assert client.session_info == info
    (values,) = phone.hits_for("/cgi-bin/api.values.get")
    assert values.form == {"request": "P67:P68", "sid": fake.sid}
    # Known now: a second login() reads nothing.
    await client.login()
    assert len(phone.hits_for("/cgi-bin/api.values.get")) == 1


@pytest.mark.parametrize(
    "reply",
    [
        Reply(json.dumps({"configs": []})),  # unknown keys: empty values
        Reply("garbage"),  # a response error: the login facts stay
        Reply("", status=401),  # a permission error after one re-login
    ],
)
async def test_login_facts_when_p67_p68_do_not_help(
    phone: FakePhone, fake: SessionPhone, make_client: ClientFactory, reply: Reply
) -> None:
    fake.login_fields = {"role": "user", "ver": "9.9"}
    phone.reply(CONFIG_GET, reply)
    client = make_client(api=CHALLENGE)
    info = await client.login()
    assert info == SessionInfo(role="user", firmware="9.9")


async def test_session_auth_logged_in(
    phone: FakePhone, fake: SessionPhone, make_client: ClientFactory
) -> None:
    client = make_client(api=CHALLENGE)
    assert client.session_info is None
    await client.login()
    auth = client._auth
    assert isinstance(auth, SessionAuth)
    assert auth.logged_in
    assert auth.username == "admin"
    assert auth.variant is LoginVariant.CHALLENGE
    await client.logout()
    assert not auth.logged_in
