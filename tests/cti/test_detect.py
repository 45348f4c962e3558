"""Detection (detect.py): unauthenticated probes choose the passcode or the
session API and the login variant, without the password."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import json

import aiohttp
import pytest

from custom_components.grandstream_cti.cti import (
    ApiKind,
    GrandstreamCTIClient,
    GrandstreamCTIConnectionError,
    GrandstreamCTILockedError,
    GrandstreamCTITimeoutError,
    GrandstreamCTIUnsupportedError,
    LoginVariant,
    PhoneApi,
    PhoneStatus,
)
from tests.conftest import free_port

from .fake_phone import (
    ACCESS,
    DOLOGIN,
    LOCKOUT,
    SECRET,
    VALUES_GET,
    WILL_LOGIN,
    FakePhone,
    Reply,
    SessionPhone,
    envelope,
    secret_leaks,
    sha256_hex,
)

ClientFactory = Callable[..., GrandstreamCTIClient]

PHONE_STATUS = "/cgi-bin/api-get_phone_status"
PASSCODE = PhoneApi(ApiKind.PASSCODE)
CHALLENGE = PhoneApi(ApiKind.SESSION, LoginVariant.CHALLENGE)
PLAIN = PhoneApi(ApiKind.SESSION, LoginVariant.PLAIN)
NOT_FOUND = Reply("<html><body>404 Not Found</body></html>", status=404)
WILL_LOGIN_OK = Reply(envelope("ok"))


@pytest.fixture
def detecting(make_client: ClientFactory) -> GrandstreamCTIClient:
    """Return a client that detects the API."""
    return make_client(api=None)


def probes(phone: FakePhone) -> list[tuple[str, str]]:
    return [(hit.method, hit.path) for hit in phone.hits]


def assert_no_password(phone: FakePhone, nonce: str | None = None) -> None:
    for hit in phone.hits:
        assert SECRET not in hit.text
        assert "passcode" not in hit.query
        if nonce is not None:
            assert sha256_hex(SECRET + nonce) not in hit.text


@pytest.mark.parametrize(
    ("will_login", "values", "access"),
    [
        (NOT_FOUND, NOT_FOUND, NOT_FOUND),
        (Reply("", status=404), Reply("", status=404), Reply("", status=404)),
        # A passcode phone may answer HTML pages with 200 or refuse with 401.
        (Reply("<html>x</html>"), Reply("<html>x</html>"), Reply("<html>x</html>")),
        (Reply("", status=401), Reply("", status=401), Reply("", status=401)),
        (NOT_FOUND, Reply(envelope("failed", "error")), Reply(envelope(True))),
        (NOT_FOUND, Reply("garbage"), Reply(envelope("", "success"))),
        (NOT_FOUND, NOT_FOUND, Reply(envelope("nonce"), status=403)),
    ],
)
async def test_passcode_phone(
    phone: FakePhone,
    detecting: GrandstreamCTIClient,
    will_login: Reply,
    values: Reply,
    access: Reply,
) -> None:
    phone.reply(WILL_LOGIN, will_login)
    phone.reply(VALUES_GET, values)
    phone.reply(ACCESS, access)
    phone.reply(PHONE_STATUS, Reply(envelope("available")))
    assert (await detecting.get_phone_status()).status is PhoneStatus.AVAILABLE
    assert detecting.api == PASSCODE
    assert probes(phone) == [
        ("GET", WILL_LOGIN),
        ("GET", VALUES_GET),
        ("POST", ACCESS),
        # Passcode requests go as POST, reads too (never re-sent by aiohttp).
        ("POST", PHONE_STATUS),
    ]
    assert phone.hits_for(VALUES_GET)[0].query == {"request": "phone_model"}
    assert phone.hits_for(ACCESS)[0].form == {"access": sha256_hex("admin")}
    # Only the CTI request carried the passcode.
    status = phone.hits_for(PHONE_STATUS)[0]
    assert status.query == {"passcode": SECRET}
    phone.hits.remove(status)
    assert_no_password(phone)
    # Detected once.
    await detecting.get_phone_status()
    assert len(phone.hits_for(WILL_LOGIN)) == 1


@pytest.mark.parametrize(
    ("will_login", "values", "access"),
    [
        (Reply("", status=500), NOT_FOUND, NOT_FOUND),
        (NOT_FOUND, Reply(envelope({"phone_model": "x"}), status=500), NOT_FOUND),
        (NOT_FOUND, NOT_FOUND, Reply("", status=503)),
        (Reply(envelope("ok")), NOT_FOUND, Reply("", status=500)),
        (NOT_FOUND, NOT_FOUND, Reply("", status=429)),
    ],
)
async def test_a_busy_phone_is_not_a_passcode_phone(
    phone: FakePhone,
    detecting: GrandstreamCTIClient,
    will_login: Reply,
    values: Reply,
    access: Reply,
) -> None:
    """A glitch is not an absent API: 5xx (or 429) while detecting sends no password.

    The caller is told the phone cannot be reached and tries again later.
    """
    phone.reply(WILL_LOGIN, will_login)
    phone.reply(VALUES_GET, values)
    phone.reply(ACCESS, access)
    with pytest.raises(GrandstreamCTIConnectionError):
        await detecting.get_phone_status()
    assert detecting.api is None
    assert_no_password(phone)
    assert not phone.hits_for(PHONE_STATUS)


async def test_passcode_phone_has_no_config(
    phone: FakePhone, detecting: GrandstreamCTIClient
) -> None:
    phone.set_default(NOT_FOUND)
    with pytest.raises(GrandstreamCTIUnsupportedError, match="session"):
        await detecting.get_dnd()
    assert len(phone.hits) == 3  # the probes only
    assert detecting.api == PASSCODE


@pytest.mark.parametrize("will_login", [WILL_LOGIN_OK, Reply(""), NOT_FOUND])
async def test_challenge_phone_reuses_the_detection_nonce(
    phone: FakePhone, detecting: GrandstreamCTIClient, will_login: Reply
) -> None:
    fake = SessionPhone(phone)
    fake.guard(PHONE_STATUS, Reply(envelope("busy")))
    phone.reply(WILL_LOGIN, will_login)
    phone.reply(VALUES_GET, NOT_FOUND)
    info = await detecting.login()
    assert detecting.api == CHALLENGE
    assert info.role == "admin"
    # One `access` request: the detection's nonce served the login.
    assert len(phone.hits_for(ACCESS)) == 1
    (nonce,) = fake.nonces
    (login,) = phone.hits_for(DOLOGIN)
    assert login.form["password"] == sha256_hex(SECRET + nonce)
    assert (await detecting.get_phone_status()).status is PhoneStatus.BUSY
    # A later login asks for a fresh nonce (a nonce is used once).
    await detecting.logout()
    await detecting.login()
    assert len(phone.hits_for(ACCESS)) == 2
    assert phone.hits_for(DOLOGIN)[1].form["password"] == sha256_hex(
        SECRET + fake.nonces[1]
    )


async def test_session_plain_via_will_login(
    phone: FakePhone, detecting: GrandstreamCTIClient
) -> None:
    fake = SessionPhone(phone, challenge=False)
    phone.reply(WILL_LOGIN, WILL_LOGIN_OK)
    await detecting.login()
    assert detecting.api == PLAIN
    assert probes(phone)[:2] == [("GET", WILL_LOGIN), ("POST", ACCESS)]
    assert not phone.hits_for(VALUES_GET)  # a session stack: not needed
    (login,) = phone.hits_for(DOLOGIN)
    assert login.form == {"username": "admin", "password": fake.password}


async def test_session_plain_via_phone_model(
    phone: FakePhone, detecting: GrandstreamCTIClient
) -> None:
    fake = SessionPhone(phone, challenge=False)
    phone.reply(WILL_LOGIN, NOT_FOUND)
    phone.reply(
        VALUES_GET,
        Reply(json.dumps({"response": "success", "body": {"phone_model": "GXP1625"}})),
    )
    await detecting.login()
    assert detecting.api == PLAIN
    assert not phone.hits_for(ACCESS)  # decided before the challenge probe
    assert phone.hits_for(DOLOGIN)[0].form["password"] == fake.password


async def test_detection_probes_carry_browser_headers_where_needed(
    phone: FakePhone, detecting: GrandstreamCTIClient
) -> None:
    phone.set_default(NOT_FOUND)
    phone.reply(PHONE_STATUS, Reply(envelope("available")))
    await detecting.get_phone_status()
    (access,) = phone.hits_for(ACCESS)
    origin = f"http://127.0.0.1:{phone.port}"
    assert access.headers["Origin"] == origin
    assert access.headers["Referer"] == origin + "/"
    assert access.headers["Content-Type"] == "application/x-www-form-urlencoded"


async def test_concurrent_first_calls_detect_once(
    phone: FakePhone, detecting: GrandstreamCTIClient
) -> None:
    phone.set_default(NOT_FOUND)
    phone.reply(PHONE_STATUS, Reply(envelope("available")))
    await asyncio.gather(*(detecting.get_phone_status() for _ in range(3)))
    assert len(phone.hits_for(WILL_LOGIN)) == 1
    assert len(phone.hits_for(ACCESS)) == 1


@pytest.mark.parametrize("path", [WILL_LOGIN, VALUES_GET, ACCESS])
async def test_transport_failure_during_probes_raises(
    phone: FakePhone, detecting: GrandstreamCTIClient, path: str
) -> None:
    phone.set_default(NOT_FOUND)
    phone.reply(path, Reply(drop=True))
    with pytest.raises(GrandstreamCTIConnectionError) as err:
        await detecting.get_phone_status()
    assert not secret_leaks(err.value)
    # Nothing decided, nothing sent with the password.
    assert detecting.api is None
    assert not phone.hits_for(PHONE_STATUS)
    assert_no_password(phone)
    # The phone answers again: detection runs again.
    phone.reply(path, NOT_FOUND)
    phone.reply(PHONE_STATUS, Reply(envelope("available")))
    await detecting.get_phone_status()
    assert detecting.api == PASSCODE


async def test_probe_timeout_raises(
    phone: FakePhone, make_client: ClientFactory
) -> None:
    client = make_client(api=None, timeout=0.1)
    phone.reply(WILL_LOGIN, Reply(envelope("ok"), delay=600.0))
    with pytest.raises(GrandstreamCTITimeoutError):
        await client.login()
    assert client.api is None
    assert len(phone.hits_for(WILL_LOGIN)) == 2  # a probe is a read: retried once


async def test_unreachable_phone_raises(session: aiohttp.ClientSession) -> None:
    client = GrandstreamCTIClient(
        "127.0.0.1", SECRET, session=session, port=free_port()
    )
    with pytest.raises(GrandstreamCTIConnectionError) as err:
        await client.get_line_status()
    assert type(err.value) is GrandstreamCTIConnectionError
    assert client.api is None
    assert not secret_leaks(err.value)


async def test_model_info_needs_no_detection(
    phone: FakePhone, detecting: GrandstreamCTIClient
) -> None:
    phone.reply("/json/configs/model.define.js", Reply('{"model": "WP826"}'))
    assert (await detecting.get_model_info()).model == "WP826"
    assert probes(phone) == [("GET", "/json/configs/model.define.js")]
    assert detecting.api is None


async def test_detection_nonce_not_kept_past_a_lockout(
    phone: FakePhone, detecting: GrandstreamCTIClient
) -> None:
    """A nonce is short-lived: after a lockout the next login asks anew.

    Sending sha256(password + a stale nonce) would cost a login attempt (and
    latch a right password as wrong).
    """
    fake = SessionPhone(phone)
    phone.reply(WILL_LOGIN, WILL_LOGIN_OK)
    phone.reply(LOCKOUT, Reply(envelope("lockout")))
    with pytest.raises(GrandstreamCTILockedError):
        await detecting.login()
    assert detecting.api == CHALLENGE
    assert len(phone.hits_for(ACCESS)) == 1  # the detection's
    assert not phone.hits_for(DOLOGIN)
    phone.reply(LOCKOUT, Reply(envelope("ok")))
    await detecting.login()
    assert len(phone.hits_for(ACCESS)) == 2
    (login,) = phone.hits_for(DOLOGIN)
    assert login.form["password"] == sha256_hex(SECRET + fake.nonces[1])
