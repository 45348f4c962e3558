"""Property-based tests: whatever a phone answers, the client returns a typed
result or raises a GrandstreamCTIError subclass, and never shows the passcode.

Most examples drive the parsing functions directly (fast); an HTTP-level
subset goes through a real loopback server started once per test, the answer
being swapped between examples.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
import json
from typing import Any

import aiohttp
from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from custom_components.grandstream_cti.cti import (
    Account,
    ApiKind,
    GrandstreamCTIClient,
    GrandstreamCTIError,
    Line,
    LineState,
    ModelInfo,
    PhoneApi,
    PhoneState,
    PhoneStatus,
)
from custom_components.grandstream_cti.cti.parsing import (
    check_command,
    decode_bytes,
    parse_accounts,
    parse_envelope,
    parse_line_status,
    parse_model_define,
    parse_phone_status,
    read_body,
)

from .fake_phone import SECRET, FakePhone, Reply, secret_leaks

PASSCODE = PhoneApi(ApiKind.PASSCODE)

FIELD_NAMES = [
    "line",
    "state",
    "acct",
    "remotename",
    "remotenumber",
    "active",
    "conf",
    "id",
    "name",
    "sip_id",
    "sip_server",
    "reg",
    "model",
    "num_accounts",
    "response",
    "body",
    "misc",
]
WORDS = [
    "success",
    "error",
    "complete",
    "failed",
    "unknown",
    "unauthorized",
    "savereboot",
    "available",
    "busy",
    "ringing",
    "idle",
    "connected",
    "onhold",
    "",
    "1",
    "0",
    SECRET,
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(WORDS),
    st.text(max_size=20),
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=6)),
            children,
            max_size=6,
        ),
    ),
    max_leaves=20,
)
line_entries = st.fixed_dictionaries(
    {},
    optional=dict.fromkeys(FIELD_NAMES[:7], scalars),
)
account_entries = st.fixed_dictionaries(
    {},
    optional=dict.fromkeys(FIELD_NAMES[7:12], scalars),
)
bodies = st.one_of(
    json_values,
    st.lists(line_entries, max_size=5),
    st.lists(account_entries, max_size=5),
)
envelopes = st.builds(
    lambda response, body, extra, quotes: _render(
        {"response": response, "body": body, **extra}, quotes
    ),
    st.one_of(st.sampled_from(["success", "error", "Success"]), scalars),
    bodies,
    st.dictionaries(st.sampled_from(["misc", "x"]), scalars, max_size=2),
    st.booleans(),
)
payloads: st.SearchStrategy[str | bytes] = st.one_of(
    envelopes,
    st.text(max_size=200),
    st.binary(max_size=200),
    json_values.map(json.dumps),
    st.sampled_from(
        [
            "",
            "unauthorized",
            "<html><body>401 Unauthorized</body></html>",
            f"<html>{SECRET}</html>",
            f"error for /cgi-bin/api-get_line_status?passcode={SECRET}",
            '{"response": "success"}',
            "{“response”:“success”,“body”:true}",
        ]
    ),
)


def _render(value: dict[str, Any], typographic: bool) -> str:
    text = json.dumps(value)
    if typographic:
        text = text.replace('"', "\u201c", 1)
    return text


def _text(payload: str | bytes) -> str:
    return decode_bytes(payload) if isinstance(payload, bytes) else payload


def _assert_clean(error: GrandstreamCTIError) -> None:
    assert not secret_leaks(error), secret_leaks(error)


# --- parser level (fast, many examples) -----------------------------------


@settings(max_examples=400, deadline=None)
@given(payload=payloads)
def test_parsers_typed_or_cti_error(payload: str | bytes) -> None:
    text = _text(payload)
    for function, parse, kind in (
        ("api-get_line_status", parse_line_status, list),
        ("api-get_phone_status", parse_phone_status, PhoneState),
        ("api-get_accounts", parse_accounts, list),
    ):
        try:
            envelope = parse_envelope(text, function, secrets=[SECRET])
            result = parse(read_body(envelope, function), function)
        except GrandstreamCTIError as err:
            _assert_clean(err)
        else:
            assert isinstance(result, kind)
            _check_result(result)
    try:
        check_command(
            parse_envelope(text, "endcall", secrets=[SECRET]),
            "endcall",
            secrets=[SECRET],
        )
    except GrandstreamCTIError as err:
        _assert_clean(err)


@settings(max_examples=300, deadline=None)
@given(body=bodies)
def test_body_parsers_typed_or_cti_error(body: object) -> None:
    for parse in (parse_line_status, parse_phone_status, parse_accounts):
        try:
            result = parse(body)
        except GrandstreamCTIError:
            continue
        _check_result(result)


@settings(max_examples=200, deadline=None)
@given(
    text=st.one_of(st.none(), st.text(max_size=300), json_values.map(json.dumps)),
    server=st.one_of(st.none(), st.text(max_size=40), st.just("GRP2614 1.0.1.2")),
)
def test_model_define_never_raises(text: str | None, server: str | None) -> None:
    info = parse_model_define(text, server)
    assert isinstance(info, ModelInfo)
    for value in (info.num_accounts, info.num_lines):
        assert value is None or (isinstance(value, int) and value >= 0)
    for value in (info.model, info.firmware, info.mac):
        assert value is None or isinstance(value, str)


def _check_result(result: object) -> None:
    if isinstance(result, PhoneState):
        assert isinstance(result.status, PhoneStatus)
        assert isinstance(result.raw, str)
        return
    assert isinstance(result, list)
    for item in result:
        if isinstance(item, Line):
            assert isinstance(item.line, int)
            assert isinstance(item.state, LineState)
            assert isinstance(item.raw_state, str)
            assert item.account is None or isinstance(item.account, int)
            assert isinstance(item.remote_name, str)
            assert isinstance(item.remote_number, str)
            assert item.active in (None, True, False)
            assert item.conference in (None, True, False)
        else:
            assert isinstance(item, Account)
            assert isinstance(item.id, int)
            assert isinstance(item.registered, bool)


# --- HTTP level (one server per test, answer swapped per example) ----------

Method = Callable[[GrandstreamCTIClient], Awaitable[object]]
METHODS: list[tuple[str, Method]] = [
    ("get_line_status", lambda c: c.get_line_status()),
    ("get_phone_status", lambda c: c.get_phone_status()),
    ("get_accounts", lambda c: c.get_accounts()),
    ("get_model_info", lambda c: c.get_model_info()),
    ("end_call", lambda c: c.end_call()),
    ("hold_call", lambda c: c.hold_call()),
    ("make_call", lambda c: c.make_call("+15555550100", 2)),
    ("send_keys", lambda c: c.send_keys("1,#,SEND")),
    ("reboot", lambda c: c.reboot()),
]
RESULT_TYPES: dict[str, type | tuple[type, ...]] = {
    "get_line_status": list,
    "get_phone_status": PhoneState,
    "get_accounts": list,
    "get_model_info": ModelInfo,
}


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    status=st.one_of(
        st.sampled_from([200, 200, 200, 401, 403, 404, 500]),
        st.integers(min_value=200, max_value=599),
    ),
    payload=payloads,
    content_type=st.sampled_from(["text/html", "application/json", "text/plain"]),
    method=st.sampled_from(METHODS),
)
async def test_http_typed_or_cti_error(
    phone: FakePhone,
    session: aiohttp.ClientSession,
    status: int,
    payload: str | bytes,
    content_type: str,
    method: tuple[str, Method],
) -> None:
    name, call = method
    phone.set_default(
        Reply(payload, status=status, headers={"Content-Type": content_type})
    )
    client = GrandstreamCTIClient(
        "127.0.0.1", SECRET, session=session, port=phone.port, timeout=2.0, api=PASSCODE
    )
    try:
        result = await call(client)
    except GrandstreamCTIError as err:
        assert name != "get_model_info"  # model info never raises on an answer
        _assert_clean(err)
        return
    if name in RESULT_TYPES:
        assert isinstance(result, RESULT_TYPES[name])
        if name != "get_model_info":
            _check_result(result)
    else:
        assert result is None


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    status=st.integers(min_value=100, max_value=199), method=st.sampled_from(METHODS)
)
async def test_http_informational_status(
    phone: FakePhone,
    session: aiohttp.ClientSession,
    status: int,
    method: tuple[str, Method],
) -> None:
    """1xx as a final answer: still a typed result or a GrandstreamCTIError."""
    _, call = method
    phone.set_default(Reply("", status=status))
    client = GrandstreamCTIClient(
        "127.0.0.1", SECRET, session=session, port=phone.port, timeout=0.2, api=PASSCODE
    )
    try:
        await call(client)
    except GrandstreamCTIError as err:
        _assert_clean(err)


@pytest.mark.parametrize("passcode", [SECRET, "a b&c#+%", "passcode=x", "ünï"])
async def test_odd_passcodes_travel_and_never_leak(
    phone: FakePhone, session: aiohttp.ClientSession, passcode: str
) -> None:
    phone.set_default(Reply(f"echo {passcode}", status=500))
    client = GrandstreamCTIClient(
        "127.0.0.1", passcode, session=session, port=phone.port, api=PASSCODE
    )
    with pytest.raises(GrandstreamCTIError) as err:
        await client.get_phone_status()
    assert phone.hits[0].query["passcode"] == passcode
    assert not secret_leaks(err.value, passcode)
    phone.set_default(Reply(f"echo {passcode}"))
    with pytest.raises(GrandstreamCTIError) as err:
        await client.end_call()
    assert not secret_leaks(err.value, passcode)
