"""Transport (transport.py): lanes, the passcode API's one turn, the queue
wait inside the timeout, TLS certificate failures, the browser headers and the
form body.

The lanes are measured with a session-API client: passcode requests share one
turn instead (test_passcode_auth.py measures that).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
import contextlib
import socket
from typing import Any

import aiohttp
import pytest
import pytest_socket

from custom_components.grandstream_cti.cti import (
    ApiKind,
    GrandstreamCTICertificateError,
    GrandstreamCTIClient,
    GrandstreamCTIConnectionError,
    GrandstreamCTIResponseError,
    GrandstreamCTITimeoutError,
    LoginVariant,
    PhoneApi,
    PhoneStatus,
)
from custom_components.grandstream_cti.cti.transport import (
    MAX_BODY_BYTES,
    Lane,
    Request,
    Transport,
)
from simulator.tls import self_signed_context

from .fake_phone import (
    SECRET,
    FakePhone,
    Reply,
    SessionPhone,
    envelope,
    secret_leaks,
)

ClientFactory = Callable[..., GrandstreamCTIClient]

PASSCODE = PhoneApi(ApiKind.PASSCODE)
CHALLENGE = PhoneApi(ApiKind.SESSION, LoginVariant.CHALLENGE)
LINE_STATUS = "/cgi-bin/api-get_line_status"
PHONE_STATUS = "/cgi-bin/api-get_phone_status"
PHONE_OPERATION = "/cgi-bin/api-phone_operation"
HELD = 600.0
# Only a guard against a hang if the code under test regresses.
GUARD = 60.0


class Spy:
    """Count the requests a ClientSession is asked to make."""

    def __init__(self, session: aiohttp.ClientSession, monkeypatch: Any) -> None:
        self.methods: list[str] = []
        self.kwargs: list[dict[str, Any]] = []
        original = session.request

        def request(method: str, url: Any, **kwargs: Any) -> Any:
            self.methods.append(method)
            self.kwargs.append(kwargs)
            return original(method, url, **kwargs)

        monkeypatch.setattr(session, "request", request)


# --- TLS -------------------------------------------------------------------


@pytest.fixture
async def tls_phone(socket_enabled: None) -> AsyncIterator[FakePhone]:
    """Run the fake phone over HTTPS with a fresh self-signed certificate."""
    async with FakePhone(ssl_context=self_signed_context("GRP2614")) as fake:
        fake.set_default(Reply(envelope("available")))
        yield fake


async def test_self_signed_certificate_accepted_without_verification(
    tls_phone: FakePhone, session: aiohttp.ClientSession
) -> None:
    client = GrandstreamCTIClient(
        "127.0.0.1",
        SECRET,
        session=session,
        port=tls_phone.port,
        use_ssl=True,
        api=PASSCODE,
    )
    assert client.base_url == f"https://127.0.0.1:{tls_phone.port}"
    assert (await client.get_phone_status()).status is PhoneStatus.AVAILABLE


@pytest.mark.parametrize("read", [True, False])
async def test_certificate_failure_is_a_certificate_error_never_retried(
    tls_phone: FakePhone,
    session: aiohttp.ClientSession,
    monkeypatch: pytest.MonkeyPatch,
    read: bool,
) -> None:
    spy = Spy(session, monkeypatch)
    client = GrandstreamCTIClient(
        "127.0.0.1",
        SECRET,
        session=session,
        port=tls_phone.port,
        use_ssl=True,
        verify_ssl=True,
        api=PASSCODE,
    )
    with pytest.raises(GrandstreamCTICertificateError) as err:
        await (client.get_phone_status() if read else client.end_call())
    assert isinstance(err.value, GrandstreamCTIConnectionError)
    assert "certificate" in str(err.value)
    assert "verification" in str(err.value)
    assert len(spy.methods) == 1  # never retried, even for a read
    assert not tls_phone.hits
    assert not secret_leaks(err.value)
    assert err.value.__context__ is None
    assert err.value.__cause__ is None


async def test_certificate_failure_during_detection(
    tls_phone: FakePhone, session: aiohttp.ClientSession
) -> None:
    client = GrandstreamCTIClient(
        "127.0.0.1",
        SECRET,
        session=session,
        port=tls_phone.port,
        use_ssl=True,
        verify_ssl=True,
    )
    with pytest.raises(GrandstreamCTICertificateError):
        await client.login()
    assert client.api is None


async def test_verification_flag_travels_to_aiohttp(
    phone: FakePhone, session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Plain HTTP ignores the flag; HTTPS verifies only when asked."""
    spy = Spy(session, monkeypatch)
    phone.set_default(Reply(envelope("available")))
    for use_ssl, verify, expected in [
        (False, False, True),
        (False, True, True),
        (True, False, False),
        (True, True, True),
    ]:
        client = GrandstreamCTIClient(
            "127.0.0.1",
            SECRET,
            session=session,
            port=phone.port,
            use_ssl=use_ssl,
            verify_ssl=verify,
            api=PASSCODE,
            timeout=5,
        )
        with contextlib.suppress(GrandstreamCTIConnectionError):
            await client.end_call()  # HTTPS to the plain fake phone: fails
        assert spy.kwargs[-1]["ssl"] is expected


# --- lanes and timeouts ----------------------------------------------------


async def session_client(
    phone: FakePhone,
    make_client: ClientFactory,
    replies: dict[str, Reply],
    **kwargs: Any,
) -> GrandstreamCTIClient:
    """Return a logged-in session-API client (its requests use the lanes).

    replies: what each CGI path answers a request with a valid sid.
    """
    fake = SessionPhone(phone)
    for path, reply in replies.items():
        fake.guard(path, reply)
    client = make_client(api=CHALLENGE, **kwargs)
    await client.login()
    return client


async def test_command_not_queued_behind_reads(
    phone: FakePhone, make_client: ClientFactory
) -> None:
    client = await session_client(
        phone,
        make_client,
        {
            LINE_STATUS: Reply(envelope([]), delay=HELD),
            PHONE_OPERATION: Reply(envelope(True)),
        },
        timeout=GUARD,
    )
    reads = [asyncio.create_task(client.get_line_status()) for _ in range(4)]
    # Reads: at most 2 at once; the other two wait for a slot.
    await phone.wait_until(lambda: phone.in_flight_by_path.get(LINE_STATUS) == 2)
    # A command goes through while both read slots are taken.
    await client.end_call()
    assert len(phone.hits_for(LINE_STATUS)) == 2
    assert not any(task.done() for task in reads)
    phone.release.set()
    await asyncio.gather(*reads)
    assert phone.max_in_flight_by_path[LINE_STATUS] == 2
    assert len(phone.hits_for(LINE_STATUS)) == 4


async def test_commands_go_one_at_a_time(
    phone: FakePhone, make_client: ClientFactory
) -> None:
    client = await session_client(
        phone,
        make_client,
        {
            PHONE_OPERATION: Reply(envelope(True), delay=HELD),
            PHONE_STATUS: Reply(envelope("busy")),
        },
        timeout=GUARD,
        max_concurrent_requests=4,
    )
    first = asyncio.create_task(client.hold_call())
    await phone.wait_until(lambda: phone.in_flight == 1)
    second = asyncio.create_task(client.end_call())
    # A read is not held up by the waiting command.
    assert (await client.get_phone_status()).status is PhoneStatus.BUSY
    assert len(phone.hits_for(PHONE_OPERATION)) == 1
    phone.release.set()
    await asyncio.gather(first, second)
    assert phone.max_in_flight_by_path[PHONE_OPERATION] == 1
    indexes = [i for i, hit in enumerate(phone.hits) if hit.path == PHONE_OPERATION]
    assert phone.order.index(("out", indexes[0])) < phone.order.index(
        ("in", indexes[1])
    )


def _taken(
    client: GrandstreamCTIClient, lane: Lane
) -> contextlib.AbstractAsyncContextManager[object]:
    """Return what holds a lane's requests back: its semaphore, or the one turn."""
    transport = client._transport
    if client.api == PASSCODE:
        return transport._one_at_a_time.turn(lane)
    return transport._lanes[lane]


@pytest.mark.parametrize("api", [CHALLENGE, PASSCODE], ids=["session", "passcode"])
async def test_queue_wait_counts_toward_a_commands_timeout(
    phone: FakePhone, make_client: ClientFactory, api: PhoneApi
) -> None:
    if api == PASSCODE:
        client = make_client(timeout=0.2)
    else:
        client = await session_client(
            phone, make_client, {PHONE_OPERATION: Reply(envelope(True))}, timeout=0.2
        )
    sent = len(phone.hits)
    async with asyncio.timeout(GUARD):
        # The lane (or the turn) is busy for longer than the timeout.
        async with _taken(client, Lane.COMMAND):
            with pytest.raises(GrandstreamCTITimeoutError):
                await client.end_call()
    assert len(phone.hits) == sent  # it never got a turn


@pytest.mark.parametrize("api", [CHALLENGE, PASSCODE], ids=["session", "passcode"])
async def test_a_reads_timeout_starts_when_it_goes_out(
    phone: FakePhone, make_client: ClientFactory, api: PhoneApi
) -> None:
    """Reads queued behind a slow phone's reads are not timed out and re-sent.

    The wait (1.5 s) outlasts the timeout three times: no once-retry hides a
    clock that started in the queue (and a passcode read that timed out is
    not retried at all).
    """
    answer = Reply(envelope("available"))
    if api == PASSCODE:
        phone.set_default(answer)
        client = make_client(timeout=0.5)
    else:
        client = await session_client(
            phone,
            make_client,
            {PHONE_STATUS: answer},
            timeout=0.5,
            max_concurrent_requests=1,
        )
    async with asyncio.timeout(GUARD):
        async with _taken(client, Lane.READ):  # a read ahead holds it too long
            read = asyncio.create_task(client.get_phone_status())
            await asyncio.sleep(1.5)
            assert not read.done()
        assert (await read).status is PhoneStatus.AVAILABLE
    assert len(phone.hits_for(PHONE_STATUS)) == 1


async def test_timeout_message(phone: FakePhone, make_client: ClientFactory) -> None:
    client = make_client(timeout=0.1)
    phone.reply(PHONE_OPERATION, Reply(envelope(True), delay=HELD))
    with pytest.raises(
        GrandstreamCTITimeoutError, match="did not answer endcall in time"
    ):
        await client.end_call()


# --- headers and bodies ----------------------------------------------------


@pytest.mark.parametrize(
    ("host", "port", "use_ssl", "origin"),
    [
        ("192.0.2.50", None, False, "http://192.0.2.50"),
        ("192.0.2.50", 80, False, "http://192.0.2.50"),
        ("192.0.2.50", 443, True, "https://192.0.2.50"),
        ("192.0.2.50", 8080, False, "http://192.0.2.50:8080"),
        ("192.0.2.50", 443, False, "http://192.0.2.50:443"),
        ("192.0.2.50", 80, True, "https://192.0.2.50:80"),
        ("Phone.Local", None, True, "https://phone.local"),
        ("[fe80::1]", 443, True, "https://[fe80::1]"),
        ("2001:db8::5", 8443, True, "https://[2001:db8::5]:8443"),
        ("2001:db8::5", None, False, "http://[2001:db8::5]"),
    ],
)
async def test_origin_and_referer(
    session: aiohttp.ClientSession,
    monkeypatch: pytest.MonkeyPatch,
    host: str,
    port: int | None,
    use_ssl: bool,
    origin: str,
) -> None:
    seen: list[tuple[str, str, dict[str, str]]] = []

    def request(method: str, url: Any, **kwargs: Any) -> Any:
        seen.append((method, str(url), kwargs["headers"]))
        raise aiohttp.ClientConnectionError("no phone here")

    monkeypatch.setattr(session, "request", request)
    client = GrandstreamCTIClient(
        host, SECRET, session=session, port=port, use_ssl=use_ssl, api=CHALLENGE
    )
    with pytest.raises(GrandstreamCTIConnectionError):
        await client.login()
    # The lockout probe, then the challenge with the browser headers.
    methods = [method for method, _, _ in seen]
    assert methods == ["GET", "POST", "POST"]  # challenge: a read, retried once
    _, url, headers = seen[1]
    assert url == f"{origin}/cgi-bin/access"
    assert headers["Origin"] == origin
    assert headers["Referer"] == origin + "/"
    assert headers["X-Requested-With"] == "XMLHttpRequest"
    assert "Origin" not in seen[0][2]


async def test_origin_over_ipv6_loopback(
    session: aiohttp.ClientSession,
    socket_enabled: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:  # pragma: no cover - depends on the machine
        pytest.skip("no IPv6 loopback")
    # The test harness allows 127.0.0.1 only; allow ::1 for this test.
    monkeypatch.setattr(socket.socket, "connect", socket.socket.connect)
    pytest_socket.socket_allow_hosts(["127.0.0.1", "::1"])
    async with FakePhone(host="::1") as phone:
        port = phone.port
        transport = Transport("::1", session=session, port=port)
        await transport.send(
            Request.cgi("POST", "access", form={"a": "1"}, browser_headers=True),
            lane=Lane.COMMAND,
            label="t",
            retry=False,
        )
    (hit,) = phone.hits
    assert hit.headers["Origin"] == f"http://[::1]:{port}"
    assert hit.headers["Referer"] == f"http://[::1]:{port}/"
    assert hit.headers["Host"] == f"[::1]:{port}"


async def test_empty_form_post(
    phone: FakePhone, session: aiohttp.ClientSession
) -> None:
    transport = Transport("127.0.0.1", session=session, port=phone.port)
    answer = await transport.send(
        Request.cgi("POST", "dologout", form={}, browser_headers=True),
        lane=Lane.COMMAND,
        label="logout",
        retry=False,
    )
    assert answer.status == 200
    (hit,) = phone.hits
    assert hit.method == "POST"
    assert hit.headers["Content-Length"] == "0"
    assert hit.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert hit.body == b""


async def test_form_and_json_bodies(
    phone: FakePhone, session: aiohttp.ClientSession
) -> None:
    transport = Transport("127.0.0.1", session=session, port=phone.port)
    await transport.send(
        Request.cgi("POST", "x", form={"a": "1 2", "b": "#&"}),
        lane=Lane.COMMAND,
        label="x",
        retry=False,
    )
    await transport.send(
        Request.cgi("PUT", "y", query={"sid": "s"}, json={"alias": {}, "pvalue": {}}),
        lane=Lane.COMMAND,
        label="y",
        retry=False,
    )
    form, put = phone.hits
    assert form.form == {"a": "1 2", "b": "#&"}
    assert "Origin" not in form.headers
    assert put.method == "PUT"
    assert put.json == {"alias": {}, "pvalue": {}}
    assert put.query == {"sid": "s"}


async def test_answer_cookies_and_server_header(
    phone: FakePhone, session: aiohttp.ClientSession
) -> None:
    phone.set_default(
        Reply("hi", headers={"Server": "GRP2614"}, cookies={"session-role": "r"})
    )
    transport = Transport("127.0.0.1", session=session, port=phone.port)
    answer = await transport.send(
        Request.cgi("GET", "z", cookies={"sid": "abc"}),
        lane=Lane.READ,
        label="z",
        retry=True,
    )
    assert answer.text == "hi"
    assert answer.server == "GRP2614"
    assert answer.cookies == {"session-role": "r"}
    assert phone.hits[0].cookies == {"sid": "abc"}


async def test_cookies_replayed_in_one_header_quoted_where_needed(
    phone: FakePhone, session: aiohttp.ClientSession
) -> None:
    transport = Transport("127.0.0.1", session=session, port=phone.port)
    cookies = {"session-identity": "0a1b", "sid": "0a1b", "odd": "a b;c"}
    await transport.send(
        Request.cgi("GET", "z", cookies=cookies),
        lane=Lane.READ,
        label="z",
        retry=True,
    )
    (hit,) = phone.hits
    assert hit.headers["Cookie"] == 'session-identity=0a1b; sid=0a1b; odd="a b\\073c"'
    assert hit.cookies == cookies


async def test_huge_body_is_capped(
    phone: FakePhone, make_client: ClientFactory
) -> None:
    phone.set_default(Reply("x" * (MAX_BODY_BYTES * 2)))
    client = make_client(timeout=GUARD)
    with pytest.raises(GrandstreamCTIResponseError, match="not JSON"):
        await client.get_phone_status()
    transport = Transport(
        "127.0.0.1", session=make_client()._transport._session, port=phone.port
    )
    answer = await transport.send(
        Request.cgi("GET", "big"), lane=Lane.READ, label="big", retry=False
    )
    assert len(answer.text) == MAX_BODY_BYTES


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"host": " "}, "host"),
        ({"host": "h", "port": -1}, "port"),
        ({"host": "h", "timeout": -1.0}, "timeout"),
        ({"host": "h", "max_concurrent_requests": 0}, "max_concurrent_requests"),
    ],
)
async def test_transport_validation(
    session: aiohttp.ClientSession, kwargs: dict[str, Any], match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        Transport(kwargs.pop("host"), session=session, **kwargs)
