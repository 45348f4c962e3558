"""The client against a tiny scripted HTTP server on 127.0.0.1 (no simulator)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import contextlib
import logging
import socket
import struct
from typing import Any, Self

import aiohttp
import pytest

from custom_components.grandstream_cti.cti import (
    ApiKind,
    GrandstreamCTIAccessDeniedError,
    GrandstreamCTIAuthenticationError,
    GrandstreamCTIClient,
    GrandstreamCTICommandError,
    GrandstreamCTIConnectionError,
    GrandstreamCTIError,
    GrandstreamCTIResponseError,
    GrandstreamCTITimeoutError,
    LineState,
    LoginVariant,
    ModelInfo,
    PhoneApi,
    PhoneOperation,
    PhoneStatus,
)
from custom_components.grandstream_cti.cti.client import DEFAULT_TIMEOUT
from tests.conftest import free_port

from .fake_phone import (
    SECRET,
    FakePhone,
    Hit,
    RawServer,
    Reply,
    Responder,
    SessionPhone,
    envelope,
    secret_leaks,
)

ClientFactory = Callable[..., GrandstreamCTIClient]
PASSCODE_API = PhoneApi(ApiKind.PASSCODE)
CHALLENGE_API = PhoneApi(ApiKind.SESSION, LoginVariant.CHALLENGE)
# A reply delay meaning "until the test sets phone.release".
HELD = 600.0
Call = Callable[[GrandstreamCTIClient], Awaitable[object]]

LINE_STATUS = "/cgi-bin/api-get_line_status"
PHONE_STATUS = "/cgi-bin/api-get_phone_status"
ACCOUNTS = "/cgi-bin/api-get_accounts"
PHONE_OPERATION = "/cgi-bin/api-phone_operation"
MAKE_CALL = "/cgi-bin/api-make_call"
SEND_KEY = "/cgi-bin/api-send_key"
SYS_OPERATION = "/cgi-bin/api-sys_operation"
MODEL_DEFINE = "/json/configs/model.define.js"

LINES_BODY = [
    {
        "line": 1,
        "state": "connected",
        "acct": 1,
        "remotename": "Bob",
        "remotenumber": "+15555550100",
        "active": 1,
        "conf": 0,
    },
    {"line": 2, "state": "idle", "acct": "", "remotename": "", "remotenumber": ""},
]
ACCOUNTS_BODY = [
    {"id": 1, "name": "Office", "sip_id": "1001", "sip_server": "pbx", "reg": 1},
    {"id": 2, "name": "", "sip_id": "", "sip_server": "", "reg": 0},
]

GOOD_ANSWERS = {
    LINE_STATUS: envelope(LINES_BODY),
    PHONE_STATUS: envelope("available"),
    ACCOUNTS: envelope(ACCOUNTS_BODY),
}
READS: dict[str, tuple[str, Call]] = {
    "line_status": (LINE_STATUS, lambda c: c.get_line_status()),
    "phone_status": (PHONE_STATUS, lambda c: c.get_phone_status()),
    "accounts": (ACCOUNTS, lambda c: c.get_accounts()),
}
COMMANDS: dict[str, tuple[str, Call]] = {
    "endcall": (PHONE_OPERATION, lambda c: c.end_call()),
    "holdcall": (PHONE_OPERATION, lambda c: c.hold_call()),
    "acceptcall": (PHONE_OPERATION, lambda c: c.accept_call()),
    "rejectcall": (PHONE_OPERATION, lambda c: c.reject_call()),
    "cancel": (PHONE_OPERATION, lambda c: c.cancel_call()),
    "make_call": (MAKE_CALL, lambda c: c.make_call("100")),
    "send_keys": (SEND_KEY, lambda c: c.send_keys("1,#")),
    "reboot": (SYS_OPERATION, lambda c: c.reboot()),
}
ALL_CGI = {**READS, **COMMANDS}


def assert_clean(error: BaseException) -> None:
    assert not secret_leaks(error), secret_leaks(error)


# --- construction ----------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"host": "192.168.1.5"}, "http://192.168.1.5"),
        ({"host": "192.168.1.5", "port": 8080}, "http://192.168.1.5:8080"),
        ({"host": "phone.local", "use_ssl": True}, "https://phone.local"),
        ({"host": "[fe80::1]", "port": 443, "use_ssl": True}, "https://[fe80::1]"),
        ({"host": "[2001:db8::5]"}, "http://[2001:db8::5]"),
        ({"host": "2001:db8::5", "port": 8080}, "http://[2001:db8::5]:8080"),
        ({"host": " Phone.LOCAL "}, "http://phone.local"),
    ],
)
async def test_base_url(
    session: aiohttp.ClientSession, kwargs: dict[str, Any], expected: str
) -> None:
    client = GrandstreamCTIClient(kwargs.pop("host"), SECRET, session=session, **kwargs)
    assert client.base_url == expected
    assert SECRET not in repr(client)
    assert expected in repr(client)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"host": ""},
        {"host": "[]"},
        {"host": "bad host"},
        {"host": "h", "port": 0},
        {"host": "h", "port": 70000},
        {"host": "h", "timeout": 0},
        {"host": "h", "max_concurrent_requests": 0},
    ],
)
async def test_invalid_construction(
    session: aiohttp.ClientSession, kwargs: dict[str, Any]
) -> None:
    with pytest.raises(ValueError, match=r"(?i)host|port|timeout|concurrent"):
        GrandstreamCTIClient(kwargs.pop("host"), SECRET, session=session, **kwargs)


async def test_defaults(session: aiohttp.ClientSession) -> None:
    client = GrandstreamCTIClient("h", SECRET, session=session)
    assert client.timeout == DEFAULT_TIMEOUT == 10.0
    assert client.username == "admin"
    assert client.api is None  # detected on first use
    assert client.session_info is None
    assert not client.password_rejected
    assert client.last_answers == {}
    assert GrandstreamCTIClient("h", "p", session=session, timeout=2.5).timeout == 2.5
    assert (
        GrandstreamCTIClient("h", "p", session=session, username="  ").username
        == "admin"
    )
    assert (
        GrandstreamCTIClient("h", "p", session=session, username=" user ").username
        == "user"
    )


# --- reads -----------------------------------------------------------------


async def test_get_line_status(phone: FakePhone, client: GrandstreamCTIClient) -> None:
    phone.reply(LINE_STATUS, Reply(envelope(LINES_BODY)))
    lines = await client.get_line_status()
    assert [line.state for line in lines] == [LineState.CONNECTED, LineState.IDLE]
    assert lines[0].remote_number == "+15555550100"
    assert lines[1].account is None
    (hit,) = phone.hits
    # Passcode reads go as POST too (see test_passcode_requests_are_posts).
    assert hit.method == "POST"
    assert hit.path == LINE_STATUS
    assert hit.query == {"passcode": SECRET}


async def test_get_phone_status_with_misc(
    phone: FakePhone, client: GrandstreamCTIClient
) -> None:
    phone.reply(PHONE_STATUS, Reply(envelope("busy", misc="0")))
    state = await client.get_phone_status()
    assert state.status is PhoneStatus.BUSY
    assert state.raw == "busy"


async def test_get_accounts(phone: FakePhone, client: GrandstreamCTIClient) -> None:
    phone.reply(ACCOUNTS, Reply(envelope(ACCOUNTS_BODY)))
    accounts = await client.get_accounts()
    assert [account.id for account in accounts] == [1, 2]
    assert accounts[0].registered
    assert not accounts[1].configured


async def test_body_parsed_whatever_the_content_type(
    phone: FakePhone, client: GrandstreamCTIClient
) -> None:
    body = "{\u201cresponse\u201d:\u201csuccess\u201d,\u201cbody\u201d:\u201cavailable\u201d}"
    phone.reply(
        PHONE_STATUS,
        Reply(body.encode("cp1252"), headers={"Content-Type": "text/html"}),
    )
    assert (await client.get_phone_status()).status is PhoneStatus.AVAILABLE
    phone.reply(
        PHONE_STATUS,
        Reply(
            envelope("ringing"), headers={"Content-Type": "application/octet-stream"}
        ),
    )
    assert (await client.get_phone_status()).status is PhoneStatus.RINGING


# --- commands --------------------------------------------------------------


@pytest.mark.parametrize("name", list(COMMANDS))
async def test_commands_are_posted_with_the_query_string(
    phone: FakePhone, client: GrandstreamCTIClient, name: str
) -> None:
    path, call = COMMANDS[name]
    phone.set_default(Reply(envelope("savereboot" if name == "reboot" else True)))
    await call(client)
    (hit,) = phone.hits
    assert hit.method == "POST"
    assert hit.path == path
    assert hit.query["passcode"] == SECRET


async def test_passcode_requests_are_posts(
    phone: FakePhone, client: GrandstreamCTIClient
) -> None:
    """Every request with the passcode is a POST, reads too.

    aiohttp re-sends an idempotent request (GET) once by itself when the
    connection drops after it went out: a wrong passcode would go twice.
    Phones take the query string with POST too (spec §2 [clients]).
    """
    phone.set_default(Reply(envelope([])))
    await client.get_line_status()
    await client.get_accounts()
    phone.set_default(Reply(envelope("busy")))
    await client.get_phone_status()
    await client.get_model_info()  # no passcode: a plain GET
    assert [(hit.method, "passcode" in hit.query) for hit in phone.hits] == [
        ("POST", True),
        ("POST", True),
        ("POST", True),
        ("GET", False),
    ]
    assert all(not hit.body for hit in phone.hits)  # the query string only


async def test_session_reads_keep_their_method(
    phone: FakePhone, make_client: ClientFactory
) -> None:
    """Session-API reads go as `Call.session_method` says (no password in them)."""
    fake = SessionPhone(phone)
    for path, body in GOOD_ANSWERS.items():
        fake.guard(path, Reply(body))
    client = make_client(api=CHALLENGE_API)
    await client.login()
    sent = len(phone.hits)
    await client.get_line_status()
    await client.get_accounts()
    await client.get_phone_status()
    assert [(hit.method, hit.path) for hit in phone.hits[sent:]] == [
        ("POST", LINE_STATUS),
        ("GET", ACCOUNTS),
        ("POST", PHONE_STATUS),
    ]


@pytest.mark.parametrize("operation", list(PhoneOperation))
async def test_phone_operation_cmd(
    phone: FakePhone, client: GrandstreamCTIClient, operation: PhoneOperation
) -> None:
    await client.phone_operation(operation)
    assert phone.hits[0].path == PHONE_OPERATION
    assert phone.hits[0].query == {"passcode": SECRET, "cmd": operation.value}


async def test_phone_operation_accepts_wire_string(
    phone: FakePhone, client: GrandstreamCTIClient
) -> None:
    await client.phone_operation("holdcall")  # type: ignore[arg-type]
    assert phone.hits[0].query["cmd"] == "holdcall"
    with pytest.raises(ValueError, match="unhold"):
        await client.phone_operation("unhold")  # type: ignore[arg-type]


@pytest.mark.parametrize("body", [True, "complete", "savereboot"])
async def test_command_success_bodies(
    phone: FakePhone, client: GrandstreamCTIClient, body: object
) -> None:
    phone.set_default(Reply(envelope(body)))
    await client.end_call()
    await client.send_keys("OK")
    await client.reboot()


async def test_phone_operation_refused(
    phone: FakePhone, client: GrandstreamCTIClient
) -> None:
    phone.set_default(Reply(envelope(False, response="error")))
    with pytest.raises(
        GrandstreamCTICommandError, match="The phone refused endcall: nothing to act on"
    ) as err:
        await client.end_call()
    assert_clean(err.value)


async def test_send_keys_unknown_refused(
    phone: FakePhone, client: GrandstreamCTIClient
) -> None:
    phone.set_default(Reply(envelope("unknown", response="error")))
    with pytest.raises(GrandstreamCTICommandError, match="unknown"):
        await client.send_keys(["MPK1"])


async def test_make_call_wire(phone: FakePhone, client: GrandstreamCTIClient) -> None:
    await client.make_call("+15555550100", account=1)
    await client.make_call("*72100", account=3)
    await client.make_call(" alice@pbx.example.com ")
    await client.make_call("sip:bob_1-x@10.0.0.1:5060")
    first, second, third, fourth = (hit.query for hit in phone.hits)
    assert first == {"passcode": SECRET, "phonenumber": "+15555550100", "account": "0"}
    assert second["account"] == "2"
    assert second["phonenumber"] == "*72100"
    assert third == {"passcode": SECRET, "phonenumber": "alice@pbx.example.com"}
    assert fourth["phonenumber"] == "sip:bob_1-x@10.0.0.1:5060"
    # '+' travels encoded so the phone does not read a space.
    assert "phonenumber=%2B15555550100" in phone.hits[0].raw_query
    assert all("password" not in hit.query for hit in phone.hits)


@pytest.mark.parametrize(
    "number",
    ["", "   ", "1 2", "12\n3", "12\x00", "12;3", "1/2", "né", "x" * 200, "1%2"],
)
async def test_make_call_invalid_number(
    phone: FakePhone, client: GrandstreamCTIClient, number: str
) -> None:
    with pytest.raises(ValueError, match="number"):
        await client.make_call(number)
    assert not phone.hits


@pytest.mark.parametrize("account", [0, -1, True, "1", 1.0])
async def test_make_call_invalid_account(
    phone: FakePhone, client: GrandstreamCTIClient, account: Any
) -> None:
    with pytest.raises(ValueError, match="ccount"):
        await client.make_call("100", account=account)
    assert not phone.hits


async def test_make_call_number_type(client: GrandstreamCTIClient) -> None:
    with pytest.raises(TypeError):
        await client.make_call(100)  # type: ignore[arg-type]


async def test_send_keys_hash_travels_as_percent_23(
    phone: FakePhone, client: GrandstreamCTIClient
) -> None:
    await client.send_keys("1, 2, *, #, send")
    await client.send_keys(["mpk3", "#"])
    first, second = phone.hits
    assert first.path == SEND_KEY
    assert first.raw_query.endswith("keys=1:2:STAR:%23:SEND")
    assert first.query["keys"] == "1:2:STAR:#:SEND"
    assert second.query["keys"] == "MPK3:#"
    assert "%23" in second.raw_query


@pytest.mark.parametrize("keys", ["", " , ", [], ["FOO"], "1,RESET"])
async def test_send_keys_invalid(
    phone: FakePhone, client: GrandstreamCTIClient, keys: Any
) -> None:
    with pytest.raises(ValueError, match=r"(?i)key"):
        await client.send_keys(keys)
    assert not phone.hits


async def test_reboot_wire_and_no_reset(
    phone: FakePhone, client: GrandstreamCTIClient
) -> None:
    phone.set_default(Reply(envelope("savereboot")))
    await client.reboot()
    assert phone.hits[0].path == SYS_OPERATION
    assert phone.hits[0].query == {"passcode": SECRET, "request": "REBOOT"}
    assert not [name for name in dir(client) if "reset" in name.lower()]


async def test_reboot_refused(phone: FakePhone, client: GrandstreamCTIClient) -> None:
    phone.set_default(Reply(envelope("unknown", response="error")))
    with pytest.raises(GrandstreamCTICommandError):
        await client.reboot()


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (401, GrandstreamCTIAuthenticationError),
        (403, GrandstreamCTIAccessDeniedError),
        (500, GrandstreamCTIResponseError),
    ],
)
async def test_reboot_http_errors(
    phone: FakePhone,
    client: GrandstreamCTIClient,
    status: int,
    error: type[GrandstreamCTIError],
) -> None:
    phone.set_default(Reply("", status=status))
    with pytest.raises(error):
        await client.reboot()


async def test_reboot_connection_dropped_after_answer_is_success(
    session: aiohttp.ClientSession, socket_enabled: None
) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 200\r\n\r\n"
    async with RawServer([head, b'{"response":"succ']) as server:
        client = GrandstreamCTIClient(
            "127.0.0.1",
            SECRET,
            session=session,
            port=server.port,
            timeout=2,
            api=PASSCODE_API,
        )
        await client.reboot()
        assert server.connections == 1


async def test_reboot_connection_dropped_before_answer_is_an_error(
    session: aiohttp.ClientSession, socket_enabled: None
) -> None:
    async with RawServer([]) as server:
        client = GrandstreamCTIClient(
            "127.0.0.1",
            SECRET,
            session=session,
            port=server.port,
            timeout=2,
            api=PASSCODE_API,
        )
        with pytest.raises(GrandstreamCTIConnectionError) as err:
            await client.reboot()
        assert server.connections == 1  # never retried
    assert_clean(err.value)


async def test_reboot_refused_connection(session: aiohttp.ClientSession) -> None:
    client = GrandstreamCTIClient(
        "127.0.0.1", SECRET, session=session, port=free_port(), api=PASSCODE_API
    )
    with pytest.raises(GrandstreamCTIConnectionError) as err:
        await client.reboot()
    assert_clean(err.value)


# --- HTTP status and body errors ------------------------------------------


@pytest.mark.parametrize("name", list(ALL_CGI))
@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (Reply("<html>401</html>", status=401), GrandstreamCTIAuthenticationError),
        (Reply("", status=401), GrandstreamCTIAuthenticationError),
        (Reply("unauthorized"), GrandstreamCTIAuthenticationError),
        (
            Reply(envelope("unauthorized", response="error")),
            GrandstreamCTIAuthenticationError,
        ),
        (Reply("<html>Forbidden</html>", status=403), GrandstreamCTIAccessDeniedError),
        (Reply("", status=404), GrandstreamCTIResponseError),
        (Reply(envelope(True), status=500), GrandstreamCTIResponseError),
        (
            Reply("", status=302, headers={"Location": "/login"}),
            GrandstreamCTIResponseError,
        ),
        (Reply("<html><body>Login</body></html>"), GrandstreamCTIResponseError),
        (Reply("not json at all"), GrandstreamCTIResponseError),
        (Reply(""), GrandstreamCTIResponseError),
        (Reply('{"body": 1}'), GrandstreamCTIResponseError),
    ],
)
async def test_error_classes(
    phone: FakePhone,
    client: GrandstreamCTIClient,
    name: str,
    reply: Reply,
    error: type[GrandstreamCTIError],
) -> None:
    path, call = ALL_CGI[name]
    phone.set_default(reply)
    with pytest.raises(error) as err:
        await call(client)
    assert type(err.value) is error
    assert_clean(err.value)
    assert err.value.__cause__ is None
    assert len(phone.hits_for(path)) == 1  # HTTP answers are never retried


async def test_authentication_message(
    phone: FakePhone, client: GrandstreamCTIClient
) -> None:
    phone.set_default(Reply("", status=401))
    with pytest.raises(GrandstreamCTIAuthenticationError) as err:
        await client.get_phone_status()
    assert str(err.value) == (
        "The phone rejected the passcode; check the admin or user password"
    )


@pytest.mark.parametrize("name", list(READS))
@pytest.mark.parametrize(
    "reply",
    [
        Reply(envelope("failed", response="error")),
        Reply(envelope("unknown", response="error")),
        Reply(envelope(False, response="error")),
        Reply(envelope("failed")),
        Reply("", status=403),
    ],
)
async def test_reads_access_denied(
    phone: FakePhone, client: GrandstreamCTIClient, name: str, reply: Reply
) -> None:
    _, call = READS[name]
    phone.set_default(reply)
    with pytest.raises(GrandstreamCTIAccessDeniedError) as err:
        await call(client)
    message = str(err.value)
    assert "Action URI Support" in message
    assert "Action URI Allowed IP List" in message
    assert "Network → Remote Control" in message


@pytest.mark.parametrize("name", list(COMMANDS))
async def test_commands_error_envelope_is_command_error(
    phone: FakePhone, client: GrandstreamCTIClient, name: str
) -> None:
    path, call = COMMANDS[name]
    phone.set_default(Reply(envelope("failed", response="error")))
    with pytest.raises(GrandstreamCTICommandError) as err:
        await call(client)
    assert_clean(err.value)
    assert len(phone.hits_for(path)) == 1


@pytest.mark.parametrize(
    ("path", "body", "call"),
    [
        (LINE_STATUS, "idle", READS["line_status"][1]),
        (LINE_STATUS, {"x": 1}, READS["line_status"][1]),
        (PHONE_STATUS, [1], READS["phone_status"][1]),
        (ACCOUNTS, 7, READS["accounts"][1]),
        (PHONE_OPERATION, [1], COMMANDS["endcall"][1]),
    ],
)
async def test_wrong_shapes(
    phone: FakePhone,
    client: GrandstreamCTIClient,
    path: str,
    body: object,
    call: Call,
) -> None:
    phone.reply(path, Reply(envelope(body)))
    with pytest.raises(GrandstreamCTIResponseError):
        await call(client)


# --- transport errors and retries -----------------------------------------


def in_order(*replies: Reply) -> Responder:
    """Return a responder answering with replies in order (the last repeats)."""
    pending = list(replies)

    def responder(hit: Hit) -> Reply:
        return pending.pop(0) if len(pending) > 1 else pending[0]

    return responder


async def session_reads_client(
    phone: FakePhone,
    make_client: ClientFactory,
    path: str,
    *replies: Reply,
    **kwargs: Any,
) -> tuple[GrandstreamCTIClient, SessionPhone]:
    """Return a logged-in session-API client; path answers replies in order.

    Session reads carry a sid, not the password: they keep the once-retry.
    """
    fake = SessionPhone(phone)
    fake.guard(path, in_order(*replies))
    client = make_client(api=CHALLENGE_API, **kwargs)
    await client.login()
    return client, fake


@pytest.mark.parametrize("name", list(READS))
async def test_session_reads_retry_once_after_drop(
    phone: FakePhone, make_client: ClientFactory, name: str
) -> None:
    path, call = READS[name]
    good = Reply(GOOD_ANSWERS[path])
    client, _ = await session_reads_client(
        phone, make_client, path, Reply(drop=True), good
    )
    assert await call(client)
    assert len(phone.hits_for(path)) == 2


@pytest.mark.parametrize("name", list(READS))
async def test_session_reads_give_up_after_two_drops(
    phone: FakePhone, make_client: ClientFactory, name: str
) -> None:
    path, call = READS[name]
    client, fake = await session_reads_client(
        phone, make_client, path, Reply(drop=True)
    )
    with pytest.raises(GrandstreamCTIConnectionError) as err:
        await call(client)
    assert type(err.value) is GrandstreamCTIConnectionError
    # Our one retry; aiohttp itself may re-send a dropped GET once more.
    assert 2 <= len(phone.hits_for(path)) <= 4
    assert not secret_leaks(err.value, SECRET, fake.sid)
    assert err.value.__cause__ is None
    assert err.value.__context__ is None
    assert "127.0.0.1" in str(err.value)


@pytest.mark.parametrize("name", list(READS))
async def test_passcode_read_dropped_after_going_out_is_not_resent(
    phone: FakePhone, client: GrandstreamCTIClient, name: str
) -> None:
    """The phone may have judged the passcode: it goes once, however it ended."""
    path, call = READS[name]
    phone.reply(path, Reply(drop=True), Reply(GOOD_ANSWERS[path]))
    with pytest.raises(GrandstreamCTIConnectionError) as err:
        await call(client)
    assert type(err.value) is GrandstreamCTIConnectionError
    (hit,) = phone.hits_for(path)  # neither our retry nor aiohttp's re-send
    assert hit.method == "POST"
    assert_clean(err.value)
    assert err.value.__cause__ is None
    assert err.value.__context__ is None
    assert "127.0.0.1" in str(err.value)
    assert await call(client)  # the next read is a new attempt
    assert len(phone.hits_for(path)) == 2


class ResetServer:
    """A TCP server that reads a request's head, then resets the connection."""

    def __init__(self) -> None:
        self.requests: list[bytes] = []
        self._server: asyncio.Server | None = None

    async def _handle(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        with contextlib.suppress(Exception):
            self.requests.append(await reader.readuntil(b"\r\n\r\n"))
        sock = writer.get_extra_info("socket")
        # Linger on, zero seconds: close() sends RST instead of FIN.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()

    @property
    def port(self) -> int:
        assert self._server is not None
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()


@pytest.mark.parametrize("name", list(READS))
async def test_passcode_read_reset_after_going_out_is_not_resent(
    session: aiohttp.ClientSession, socket_enabled: None, name: str
) -> None:
    path, call = READS[name]
    async with ResetServer() as server:
        client = GrandstreamCTIClient(
            "127.0.0.1",
            SECRET,
            session=session,
            port=server.port,
            timeout=5,
            api=PASSCODE_API,
        )
        with pytest.raises(GrandstreamCTIConnectionError) as err:
            await call(client)
    (head,) = server.requests
    assert head.startswith(f"POST {path}?passcode=".encode())
    assert_clean(err.value)
    assert err.value.__context__ is None


def refused(url: Any) -> aiohttp.ClientConnectorError:
    """Return the error aiohttp raises when the phone refuses the connection."""
    return aiohttp.ClientConnectorError(
        aiohttp.client_reqrep.ConnectionKey(
            url.host, url.port, False, True, None, None, None
        ),
        ConnectionRefusedError(111, f"Connect call failed {url}"),
    )


@pytest.mark.parametrize("name", list(READS))
async def test_passcode_read_refused_is_retried_once(
    phone: FakePhone,
    client: GrandstreamCTIClient,
    session: aiohttp.ClientSession,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
) -> None:
    """No connection, nothing sent: the phone never saw it, so it may go again."""
    path, call = READS[name]
    phone.reply(path, Reply(GOOD_ANSWERS[path]))
    real = session.request
    attempts: list[str] = []

    def first_refused(method: str, url: Any, **kwargs: Any) -> Any:
        attempts.append(method)
        if len(attempts) == 1:
            raise refused(url)
        return real(method, url, **kwargs)

    monkeypatch.setattr(session, "request", first_refused)
    assert await call(client)
    assert attempts == ["POST", "POST"]
    (hit,) = phone.hits_for(path)  # the phone saw it once
    assert hit.query["passcode"] == SECRET


async def test_passcode_read_refused_twice_gives_up(
    client: GrandstreamCTIClient,
    session: aiohttp.ClientSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    attempts: list[str] = []

    def always_refused(method: str, url: Any, **kwargs: Any) -> Any:
        attempts.append(method)
        raise refused(url)

    monkeypatch.setattr(session, "request", always_refused)
    with pytest.raises(GrandstreamCTIConnectionError) as err:
        await client.get_phone_status()
    assert attempts == ["POST", "POST"]  # once more, never again
    assert_clean(err.value)
    assert err.value.__context__ is None


@pytest.mark.parametrize("name", list(COMMANDS))
async def test_commands_never_retried(
    phone: FakePhone, client: GrandstreamCTIClient, name: str
) -> None:
    path, call = COMMANDS[name]
    phone.reply(path, Reply(drop=True), Reply(envelope(True)))
    with pytest.raises(GrandstreamCTIConnectionError) as err:
        await call(client)
    assert len(phone.hits_for(path)) == 1
    assert_clean(err.value)
    assert err.value.__context__ is None


@pytest.mark.parametrize("name", list(ALL_CGI))
async def test_401_never_retried(
    phone: FakePhone, client: GrandstreamCTIClient, name: str
) -> None:
    path, call = ALL_CGI[name]
    phone.reply(path, Reply("", status=401), Reply(envelope(True)))
    with pytest.raises(GrandstreamCTIAuthenticationError):
        await call(client)
    assert len(phone.hits_for(path)) == 1


async def test_session_read_timeout_retried_once(
    phone: FakePhone, make_client: ClientFactory
) -> None:
    held = Reply(envelope("busy"), delay=HELD)
    client, fake = await session_reads_client(
        phone, make_client, PHONE_STATUS, held, timeout=0.5
    )
    with pytest.raises(GrandstreamCTITimeoutError) as err:
        await client.get_phone_status()
    assert isinstance(err.value, GrandstreamCTIConnectionError)
    assert "in time" in str(err.value)
    # Once more, never again (a loaded machine may time out before the first
    # request even arrives, so that one may be missing).
    assert 1 <= len(phone.hits_for(PHONE_STATUS)) <= 2
    assert not secret_leaks(err.value, SECRET, fake.sid)
    assert err.value.__context__ is None


async def test_session_read_timeout_then_success(
    phone: FakePhone, make_client: ClientFactory
) -> None:
    # Generous: the second answer is immediate, the first never comes.
    client, _ = await session_reads_client(
        phone,
        make_client,
        PHONE_STATUS,
        Reply(envelope("busy"), delay=HELD),
        Reply(envelope("ringing")),
        timeout=1.0,
    )
    assert (await client.get_phone_status()).status is PhoneStatus.RINGING


async def test_passcode_read_timeout_is_not_resent(
    phone: FakePhone, make_client: ClientFactory
) -> None:
    """A read the phone got but did not answer in time is not sent again."""
    client = make_client(timeout=1.0)
    phone.reply(
        PHONE_STATUS, Reply(envelope("busy"), delay=HELD), Reply(envelope("ringing"))
    )
    with pytest.raises(GrandstreamCTITimeoutError) as err:
        await client.get_phone_status()
    assert "in time" in str(err.value)
    assert len(phone.hits_for(PHONE_STATUS)) == 1
    assert phone.in_flight == 1  # still held: it did reach the phone
    assert_clean(err.value)
    assert err.value.__context__ is None
    assert (await client.get_phone_status()).status is PhoneStatus.RINGING


async def test_command_timeout_not_retried(
    phone: FakePhone, make_client: ClientFactory
) -> None:
    client = make_client(timeout=0.1)
    phone.reply(PHONE_OPERATION, Reply(envelope(True), delay=HELD))
    with pytest.raises(GrandstreamCTITimeoutError):
        await client.hold_call()
    assert len(phone.hits_for(PHONE_OPERATION)) == 1


async def test_connection_refused(session: aiohttp.ClientSession) -> None:
    client = GrandstreamCTIClient(
        "127.0.0.1", SECRET, session=session, port=free_port(), api=PASSCODE_API
    )
    for call in (
        client.get_line_status,
        client.get_phone_status,
        client.get_accounts,
        client.end_call,
        client.get_model_info,
    ):
        with pytest.raises(GrandstreamCTIConnectionError) as err:
            await call()
        assert type(err.value) is GrandstreamCTIConnectionError
        assert_clean(err.value)
        assert err.value.__context__ is None
        assert err.value.__cause__ is None


@pytest.mark.parametrize(
    "chunks",
    [
        [b"garbage\r\n\r\n"],
        [b'HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{"response"'],
        [b"HTTP/1.1 999999 What\r\n\r\n"],
        [b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n"],
        [b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"],
    ],
)
async def test_broken_http_is_a_connection_error(
    session: aiohttp.ClientSession, socket_enabled: None, chunks: list[bytes]
) -> None:
    async with RawServer(chunks) as server:
        client = GrandstreamCTIClient(
            "127.0.0.1",
            SECRET,
            session=session,
            port=server.port,
            timeout=2,
            api=PASSCODE_API,
        )
        with pytest.raises(GrandstreamCTIConnectionError) as err:
            await client.get_phone_status()
        # A passcode read that went out is never re-sent (nor re-sent by
        # aiohttp: it is a POST).
        assert server.connections == 1
        with pytest.raises(GrandstreamCTIConnectionError):
            await client.end_call()
        assert server.connections == 2
    assert_clean(err.value)


@pytest.mark.parametrize(
    ("exception", "attempts"),
    [
        # No connection made (DNS here): nothing went out, so tried once more.
        (
            aiohttp.ClientConnectorError(
                aiohttp.client_reqrep.ConnectionKey(
                    "phone.invalid", 80, False, True, None, None, None
                ),
                OSError(-2, f"Name not known for /?passcode={SECRET}"),
            ),
            2,
        ),
        # The rest may have gone out with the passcode: never again.
        (aiohttp.ClientOSError(104, f"reset /?passcode={SECRET}"), 1),
        (aiohttp.InvalidURL(f"http://h/?passcode={SECRET}"), 1),
        (OSError(f"http://h/?passcode={SECRET}"), 1),
        (TypeError(f"broken resolver for http://h/?passcode={SECRET}"), 1),
    ],
)
async def test_any_transport_exception_is_wrapped_without_the_passcode(
    session: aiohttp.ClientSession,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    exception: Exception,
    attempts: int,
) -> None:
    caplog.set_level(logging.DEBUG)
    calls: list[str] = []

    def broken(method: str, url: Any, **kwargs: Any) -> Any:
        calls.append(method)
        raise exception

    monkeypatch.setattr(session, "request", broken)
    client = GrandstreamCTIClient(
        "phone.invalid", SECRET, session=session, api=PASSCODE_API
    )
    with pytest.raises(GrandstreamCTIConnectionError) as err:
        await client.get_phone_status()
    assert calls == ["POST"] * attempts
    assert_clean(err.value)
    assert err.value.__context__ is None
    with pytest.raises(GrandstreamCTIConnectionError) as err:
        await client.hold_call()
    assert calls[attempts:] == ["POST"]  # commands: never retried
    assert_clean(err.value)
    assert SECRET not in caplog.text


async def test_tls_to_plain_http_server(
    phone: FakePhone, session: aiohttp.ClientSession
) -> None:
    client = GrandstreamCTIClient(
        "127.0.0.1",
        SECRET,
        session=session,
        port=phone.port,
        use_ssl=True,
        timeout=2,
        api=PASSCODE_API,
    )
    with pytest.raises(GrandstreamCTIConnectionError) as err:
        await client.get_phone_status()
    assert_clean(err.value)


async def test_cancellation_propagates(
    phone: FakePhone, client: GrandstreamCTIClient
) -> None:
    phone.reply(PHONE_STATUS, Reply(envelope("busy"), delay=HELD))
    task = asyncio.create_task(client.get_phone_status())
    await phone.wait_until(lambda: phone.in_flight == 1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


# --- concurrency -----------------------------------------------------------


async def held_reads_clients(
    phone: FakePhone,
    make_client: ClientFactory,
    api: PhoneApi,
    count: int = 1,
    **kwargs: Any,
) -> list[GrandstreamCTIClient]:
    """Return clients whose phone status reads are held (logged in, if a session)."""
    held = Reply(envelope("available"), delay=HELD)
    clients = [make_client(api=api, timeout=30, **kwargs) for _ in range(count)]
    if api == PASSCODE_API:
        phone.reply(PHONE_STATUS, held)
        return clients
    SessionPhone(phone).guard(PHONE_STATUS, held)
    for client in clients:
        await client.login()
    return clients


BOTH_APIS = pytest.mark.parametrize(
    "api", [CHALLENGE_API, PASSCODE_API], ids=["session", "passcode"]
)


@BOTH_APIS
@pytest.mark.parametrize("limit", [1, 2, 3])
async def test_concurrency_limit(
    phone: FakePhone, make_client: ClientFactory, limit: int, api: PhoneApi
) -> None:
    """Session reads: at most `limit` at once; passcode requests: one, always."""
    (client,) = await held_reads_clients(
        phone, make_client, api, max_concurrent_requests=limit
    )
    at_once = limit if api == CHALLENGE_API else 1
    tasks = [asyncio.create_task(client.get_phone_status()) for _ in range(8)]
    await phone.wait_until(lambda: phone.in_flight == at_once)
    phone.release.set()
    results = await asyncio.gather(*tasks)
    assert len(results) == 8
    assert phone.max_in_flight == at_once


@BOTH_APIS
async def test_concurrency_limit_is_per_client(
    phone: FakePhone, make_client: ClientFactory, api: PhoneApi
) -> None:
    clients = await held_reads_clients(
        phone, make_client, api, 2, max_concurrent_requests=1
    )
    tasks = [
        asyncio.create_task(client.get_phone_status())
        for client in clients
        for _ in range(3)
    ]
    await phone.wait_until(lambda: phone.in_flight == 2)
    phone.release.set()
    await asyncio.gather(*tasks)
    assert phone.max_in_flight == 2
    assert len(phone.hits_for(PHONE_STATUS)) == 6


# --- model info ------------------------------------------------------------


async def test_model_info(phone: FakePhone, client: GrandstreamCTIClient) -> None:
    phone.reply(
        MODEL_DEFINE,
        Reply(
            '{"model": "GRP2614", "defines": {"num_accounts": 4, "max_line": 8}}',
            headers={"Server": "GRP2614 1.0.13.22"},
        ),
    )
    info = await client.get_model_info()
    assert info == ModelInfo(
        model="GRP2614", firmware="1.0.13.22", num_accounts=4, num_lines=8
    )
    (hit,) = phone.hits
    assert hit.query == {}  # no passcode
    assert SECRET not in hit.raw_query


@pytest.mark.parametrize(
    ("reply", "model"),
    [
        (Reply("", status=404, headers={"Server": "GRP2612"}), "GRP2612"),
        (Reply("", status=404), None),
        (Reply("<html>nope</html>", status=500), None),
        (Reply(b"\x00\xff garbage"), None),
        (Reply("", status=401), None),
    ],
)
async def test_model_info_never_raises_for_an_answer(
    phone: FakePhone, client: GrandstreamCTIClient, reply: Reply, model: str | None
) -> None:
    phone.reply(MODEL_DEFINE, reply)
    info = await client.get_model_info()
    assert info.model == model
    assert info.num_accounts is None


async def test_model_info_retried_once(
    phone: FakePhone, client: GrandstreamCTIClient
) -> None:
    phone.reply(MODEL_DEFINE, Reply(drop=True), Reply('{"model": "GRP2601"}'))
    assert (await client.get_model_info()).model == "GRP2601"
    assert len(phone.hits) == 2


# --- secrets in logs -------------------------------------------------------


async def test_passcode_never_logged(
    phone: FakePhone,
    make_client: ClientFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    scenarios: list[tuple[Reply, Call]] = [
        (Reply(envelope(LINES_BODY)), lambda c: c.get_line_status()),
        (Reply(drop=True), lambda c: c.get_phone_status()),
        (Reply(drop=True), lambda c: c.end_call()),
        (Reply("", status=401), lambda c: c.get_accounts()),
        (Reply(f"echo passcode={SECRET}"), lambda c: c.get_accounts()),
        (Reply(envelope(f"bad {SECRET}", response="error")), lambda c: c.end_call()),
        (Reply(envelope(True), delay=HELD), lambda c: c.make_call("100", 2)),
        (Reply(envelope("savereboot")), lambda c: c.reboot()),
        (Reply(envelope(True)), lambda c: c.send_keys("#")),
        (Reply("x"), lambda c: c.get_model_info()),
    ]
    errors: list[BaseException] = []
    for reply, call in scenarios:
        phone.set_default(reply)
        phone.routes.clear()
        # A fresh client each time: a 401 latches the rejection. Only the
        # held answer is meant to time out.
        client = make_client(timeout=0.2 if reply.delay else 5.0)
        try:
            await call(client)
        except GrandstreamCTIError as err:
            errors.append(err)
    assert len(errors) == 6
    for error in errors:
        assert_clean(error)
    # aiohttp.access is the fake phone's own access log (the server side).
    records = [r for r in caplog.records if r.name != "aiohttp.access"]
    assert records
    for record in records:
        assert SECRET not in record.getMessage()
        assert SECRET not in repr(record.args)
    assert any("api-get_line_status" in r.getMessage() for r in records)
    assert any("HTTP 200" in r.getMessage() for r in records)
