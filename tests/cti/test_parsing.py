"""Unit tests of the tolerant decoding (cti/parsing.py): every quirk and shape."""

from __future__ import annotations

import json
from typing import Any

import pytest

from custom_components.grandstream_cti.cti import (
    CommandRefusal,
    GrandstreamCTIAccessDeniedError,
    GrandstreamCTIAuthenticationError,
    GrandstreamCTICommandError,
    GrandstreamCTIResponseError,
    LineState,
    ModelInfo,
    PhoneStatus,
)
from custom_components.grandstream_cti.cti.parsing import (
    INVALID,
    Envelope,
    as_bool,
    as_int,
    as_str,
    check_command,
    decode_bytes,
    excerpt,
    loads_lenient,
    parse_account,
    parse_accounts,
    parse_envelope,
    parse_line,
    parse_line_state,
    parse_line_status,
    parse_model_define,
    parse_phone_status,
    read_body,
    redact,
)

LDQ, RDQ, LSQ, RSQ = "\u201c", "\u201d", "\u2018", "\u2019"

GUIDE_LINE_STATUS = (
    "{\u201cresponse\u201d:\u201csuccess\u201d, \u201cbody\u201d: ["
    "{\u201cline\u201d: 1, \u201cstate\u201d: \u201cconnected\u201d, "
    "\u201cacct\u201d: 1, \u201cactive\u201d: 1, \u201cremotename\u201d: \u201cBob\u201d, "
    "\u201cremotenumber\u201d: \u201c+15555550100\u201d}, "
    "{\u201cline\u201d: 2, \u201cstate\u201d: \u201cidle\u201d, \u201cacct\u201d: \u201c\u201d, "
    "\u201cactive\u201d: 0, \u201cremotename\u201d: \u201c\u201d, \u201cremotenumber\u201d: \u201c\u201d}]}"
)


def env(body: Any, response: str = "success", **extra: Any) -> str:
    return json.dumps({"response": response, "body": body, **extra})


# --- text and JSON ---------------------------------------------------------


def test_decode_bytes_utf8_bom_and_cp1252() -> None:
    assert decode_bytes(b"\xef\xbb\xbf{}") == "{}"
    assert decode_bytes("“x”".encode()) == "“x”"
    # Windows-1252 typographic quotes (not UTF-8).
    assert decode_bytes(b"\x93x\x94") == "“x”"
    # Undefined cp1252 bytes never raise.
    assert isinstance(decode_bytes(b"\x81\xff\xfe"), str)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1}', {"a": 1}),
        ('  \n{ "a" :\t1 }\n', {"a": 1}),
        ("\ufeff[1]", [1]),
        (f"{{{LDQ}a{RDQ}: {LDQ}b{RDQ}}}", {"a": "b"}),
        (f"{{{LSQ}a{RSQ}: {LSQ}b{RSQ}}}", {"a": "b"}),
        (f"{{{LDQ}a{RDQ}:\u00a0{LDQ}b{RDQ}}}", {"a": "b"}),
        # A valid JSON apostrophe is kept as sent.
        (f'{{"name": "O{RSQ}Brien"}}', {"name": f"O{RSQ}Brien"}),
        # Typographic double quotes fixed, apostrophe kept.
        (f"{{{LDQ}name{RDQ}: {LDQ}O{RSQ}Brien{RDQ}}}", {"name": f"O{RSQ}Brien"}),
        ("true", True),
        ('"complete"', "complete"),
    ],
)
def test_loads_lenient(text: str, expected: object) -> None:
    assert loads_lenient(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "{", "<html>", "not json", "[" * 5000])
def test_loads_lenient_invalid(text: str) -> None:
    assert loads_lenient(text) is INVALID


def test_redact_and_excerpt() -> None:
    assert redact("x s3cr3t y", ["s3cr3t"]) == "x *** y"
    assert redact("p=a%2Fb&q=a+b", ["a/b", "a b"]) == "p=***&q=***"
    assert redact("nothing", [""]) == "nothing"
    long = "word " * 50
    short = excerpt(long)
    assert len(short) <= 60
    assert short.endswith("…")
    assert excerpt("a\n\n b") == "a b"


# --- envelope --------------------------------------------------------------


def test_envelope_plain() -> None:
    envelope = parse_envelope(env("complete"), "f")
    assert envelope == Envelope("success", "complete")
    assert envelope.success
    assert not envelope.error


def test_envelope_extra_keys_spacing_and_case() -> None:
    text = '{ "response" : " Success ",\n "body" : "available", "misc": "0" }'
    envelope = parse_envelope(text, "f")
    assert envelope.response == "success"
    assert envelope.body == "available"


def test_envelope_typographic_quotes_from_the_guide() -> None:
    envelope = parse_envelope(GUIDE_LINE_STATUS, "f")
    assert envelope.success
    lines = parse_line_status(read_body(envelope, "f"))
    assert [line.state for line in lines] == [LineState.CONNECTED, LineState.IDLE]
    assert lines[0].remote_number == "+15555550100"


def test_envelope_missing_body_is_none() -> None:
    assert parse_envelope('{"response": "success"}', "f").body is None


@pytest.mark.parametrize(
    "text",
    [
        "unauthorized",
        " Unauthorized\n",
        '"unauthorized"',
        env("unauthorized"),
        env("unauthorized", response="error"),
        json.dumps({"response": "unauthorized"}),
    ],
)
def test_envelope_unauthorized(text: str) -> None:
    with pytest.raises(GrandstreamCTIAuthenticationError, match="passcode"):
        parse_envelope(text, "f")


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "empty"),
        ("  ", "empty"),
        ("<html><body>Not found</body></html>", "HTML"),
        ("<!DOCTYPE html><title>x</title>", "HTML"),
        ("hello", "not JSON"),
        ("[1, 2]", "not a CTI envelope"),
        ('"available"', "not a CTI envelope"),
        ('{"body": true}', "not a CTI envelope"),
        ('{"response": "maybe", "body": true}', "unknown response"),
        ('{"response": 1, "body": true}', "unknown response"),
    ],
)
def test_envelope_bad(text: str, match: str) -> None:
    with pytest.raises(GrandstreamCTIResponseError, match=match):
        parse_envelope(text, "f")


def test_envelope_error_message_redacts_secret() -> None:
    with pytest.raises(GrandstreamCTIResponseError) as err:
        parse_envelope("garbage passcode=s3cr3t here", "f", secrets=["s3cr3t"])
    assert "s3cr3t" not in str(err.value)
    assert "***" in str(err.value)


# --- reads -----------------------------------------------------------------


@pytest.mark.parametrize(
    "envelope",
    [
        Envelope("error", "failed"),
        Envelope("error", "unknown"),
        Envelope("error", False),
        Envelope("success", "failed"),
        Envelope("success", " ERROR "),
    ],
)
def test_read_body_denied(envelope: Envelope) -> None:
    with pytest.raises(GrandstreamCTIAccessDeniedError) as err:
        read_body(envelope, "api-get_line_status")
    message = str(err.value)
    assert "Action URI Support" in message
    assert "Allowed IP List" in message
    assert "Remote Control" in message


def test_read_body_success() -> None:
    assert read_body(Envelope("success", [1]), "f") == [1]


# --- commands --------------------------------------------------------------


@pytest.mark.parametrize(
    "body", [True, None, "complete", "savereboot", "COMPLETE", "true", "ok", "done"]
)
def test_check_command_success(body: object) -> None:
    check_command(Envelope("success", body), "endcall")


@pytest.mark.parametrize(
    ("envelope", "match"),
    [
        (Envelope("error", False), "refused endcall: nothing to act on"),
        (Envelope("error", None), "nothing to act on"),
        (Envelope("error", "false"), "nothing to act on"),
        (Envelope("error", ""), "nothing to act on"),
        (Envelope("error", "unknown"), "unknown request or key"),
        (Envelope("error", "failed"), "it answered failed"),
        (Envelope("error", "busy now"), "'busy now'"),
        (Envelope("error", [1]), "a list"),
        (Envelope("success", False), "nothing to act on"),
        (Envelope("success", "failed"), "failed"),
        (Envelope("success", "unknown"), "unknown"),
        (Envelope("error", "Invalid Request"), "Invalid Request"),
    ],
)
def test_check_command_refused(envelope: Envelope, match: str) -> None:
    with pytest.raises(GrandstreamCTICommandError, match=match):
        check_command(envelope, "endcall")


@pytest.mark.parametrize(
    ("envelope", "refusal"),
    [
        (Envelope("error", False), CommandRefusal.NOTHING_TO_ACT_ON),
        (Envelope("error", None), CommandRefusal.NOTHING_TO_ACT_ON),
        (Envelope("error", "false"), CommandRefusal.NOTHING_TO_ACT_ON),
        (Envelope("error", " "), CommandRefusal.NOTHING_TO_ACT_ON),
        (Envelope("success", False), CommandRefusal.NOTHING_TO_ACT_ON),
        (Envelope("error", "unknown"), CommandRefusal.UNKNOWN),
        (Envelope("success", "Unknown"), CommandRefusal.UNKNOWN),
        (Envelope("error", "failed"), CommandRefusal.FAILED),
        (Envelope("success", "error"), CommandRefusal.OTHER),
        (Envelope("error", "Invalid Request"), CommandRefusal.INVALID_REQUEST),
        (Envelope("error", " invalid   request "), CommandRefusal.INVALID_REQUEST),
        (Envelope("error", "busy now"), CommandRefusal.OTHER),
        (Envelope("error", [1]), CommandRefusal.OTHER),
        (Envelope("error", {"a": 1}), CommandRefusal.OTHER),
    ],
)
def test_check_command_refusal_kind(
    envelope: Envelope, refusal: CommandRefusal
) -> None:
    with pytest.raises(GrandstreamCTICommandError) as err:
        check_command(envelope, "make_call")
    assert err.value.refusal is refusal


def test_command_error_default_refusal() -> None:
    assert GrandstreamCTICommandError("x").refusal is CommandRefusal.OTHER


@pytest.mark.parametrize(
    "body",
    [
        "line one\nline two\r\x00\x1b[31m\u200b" + "x" * 200,
        "\t\t" + "y" * 300,
    ],
)
def test_refusal_excerpt_is_printable_and_short(body: str) -> None:
    with pytest.raises(GrandstreamCTICommandError) as err:
        check_command(Envelope("error", body), "send_key")
    message = str(err.value)
    assert message.isprintable()
    assert len(message) < 120
    assert "…" in message


@pytest.mark.parametrize("body", [[1], {"a": 1}, 3, 1.5])
def test_check_command_odd_success_body(body: object) -> None:
    with pytest.raises(GrandstreamCTIResponseError):
        check_command(Envelope("success", body), "endcall")


# --- scalars ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, 1),
        (0, 0),
        ("1", 1),
        (" 2 ", 2),
        ("-1", -1),
        (3.0, 3),
        (3.5, None),
        ("", None),
        ("x", None),
        (True, None),
        (None, None),
        ([1], None),
        ("9" * 40, None),
    ],
)
def test_as_int(value: object, expected: int | None) -> None:
    assert as_int(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        (False, False),
        (1, True),
        (0, False),
        (1.0, True),
        (2, None),
        ("1", True),
        ("0", False),
        (" TRUE ", True),
        ("false", False),
        ("yes", True),
        ("off", False),
        ("", None),
        ("maybe", None),
        (None, None),
        ({}, None),
    ],
)
def test_as_bool(value: object, expected: bool | None) -> None:
    assert as_bool(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(" Bob ", "Bob"), (None, ""), (True, ""), (5551, "5551"), ([1], ""), ({}, "")],
)
def test_as_str(value: object, expected: str) -> None:
    assert as_str(value) == expected


# --- line status -----------------------------------------------------------


@pytest.mark.parametrize("state", [state.value for state in LineState])
def test_every_known_line_state(state: str) -> None:
    assert parse_line_state(state) == (LineState(state), state)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Connected", LineState.CONNECTED),
        (" on hold ", LineState.ONHOLD),
        ("on-hold", LineState.ONHOLD),
        ("hold", LineState.ONHOLD),
        ("talking", LineState.CONNECTED),
        ("ringback", LineState.CALLING),
        ("weird_state", LineState.UNKNOWN),
        ("", LineState.UNKNOWN),
    ],
)
def test_line_state_tolerance_keeps_raw(raw: str, expected: LineState) -> None:
    state, kept = parse_line_state(raw)
    assert state is expected
    assert kept == raw


def test_line_state_not_a_string() -> None:
    assert parse_line_state(None) == (LineState.UNKNOWN, "")
    assert parse_line_state(3) == (LineState.UNKNOWN, "3")


def test_line_full_entry() -> None:
    line = parse_line(
        {
            "line": 1,
            "state": "connected",
            "acct": 1,
            "remotename": "Bob",
            "remotenumber": "+15555550100",
            "active": 1,
            "conf": 0,
        }
    )
    assert line is not None
    assert line.line == 1
    assert line.state is LineState.CONNECTED
    assert line.raw_state == "connected"
    assert line.account == 1
    assert line.remote_name == "Bob"
    assert line.remote_number == "+15555550100"
    assert line.active is True
    assert line.conference is False
    assert line.in_call


def test_line_string_numbers() -> None:
    line = parse_line(
        {"line": "2", "state": "ringing", "acct": "0", "active": "1", "conf": "0"}
    )
    assert line is not None
    assert line.line == 2
    assert line.account == 0  # 0-based firmware: kept raw, never shifted
    assert line.active is True
    assert line.conference is False
    assert line.is_ringing


@pytest.mark.parametrize(
    ("acct", "expected"),
    [("", None), (None, None), (0, 0), (1, 1), ("3", 3), (-1, None), ("x", None)],
)
def test_line_account(acct: object, expected: int | None) -> None:
    line = parse_line({"line": 1, "state": "connected", "acct": acct})
    assert line is not None
    assert line.account == expected


@pytest.mark.parametrize("acct", [0, 1, "0", "", None])
def test_idle_line_has_no_account(acct: object) -> None:
    # Real phones send "acct": 0 on idle lines (and conf 0, active 0).
    line = parse_line(
        {"line": 1, "state": "idle", "acct": acct, "conf": 0, "active": 0}
    )
    assert line is not None
    assert line.account is None
    assert line.is_idle
    assert line.active is False
    assert line.conference is False


def test_line_missing_fields() -> None:
    line = parse_line({"line": 3})
    assert line is not None
    assert line.state is LineState.UNKNOWN
    assert line.raw_state == ""
    assert line.account is None
    assert line.remote_name == ""
    assert line.remote_number == ""
    assert line.active is None
    assert line.conference is None


def test_line_extra_fields_and_numeric_number() -> None:
    line = parse_line(
        {"line": 1, "state": "idle", "remotenumber": 5551234, "extra": {"x": 1}}
    )
    assert line is not None
    assert line.remote_number == "5551234"
    assert line.is_idle


@pytest.mark.parametrize(
    "entry",
    [None, 1, "line", [1], {}, {"state": "idle"}, {"line": "x"}, {"line": -1}],
)
def test_line_unusable_entry(entry: object) -> None:
    assert parse_line(entry) is None


def test_line_status_skips_bad_entries_and_sorts() -> None:
    body = [
        {"line": 2, "state": "idle"},
        "garbage",
        None,
        {"state": "idle"},
        {"line": 1, "state": "ringing", "acct": 1},
        {"line": 1, "state": "idle"},  # duplicate: first kept
    ]
    lines = parse_line_status(body)
    assert [(line.line, line.state) for line in lines] == [
        (1, LineState.RINGING),
        (2, LineState.IDLE),
    ]


def test_line_status_empty_list() -> None:
    assert parse_line_status([]) == []


def test_line_status_dict_forms() -> None:
    single = parse_line_status({"line": 1, "state": "idle"})
    assert [line.line for line in single] == [1]
    keyed = parse_line_status({"1": {"line": 1, "state": "idle"}, "2": {"line": 2}})
    assert [line.line for line in keyed] == [1, 2]


@pytest.mark.parametrize("body", ["idle", 1, None, True, {"a": 1}, {}, ["x", 1]])
def test_line_status_bad_shapes(body: object) -> None:
    with pytest.raises(GrandstreamCTIResponseError):
        parse_line_status(body)


# --- phone status ----------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "raw"),
    [
        ("available", PhoneStatus.AVAILABLE, "available"),
        ("busy", PhoneStatus.BUSY, "busy"),
        ("ringing", PhoneStatus.RINGING, "ringing"),
        ("dnd", PhoneStatus.DND, "dnd"),
        (" Busy ", PhoneStatus.BUSY, "Busy"),
        ("idle", PhoneStatus.AVAILABLE, "idle"),
        ("unavailable", PhoneStatus.NOT_REGISTERED, "unavailable"),
        (" Unavailable ", PhoneStatus.NOT_REGISTERED, "Unavailable"),
        ("not_registered", PhoneStatus.NOT_REGISTERED, "not_registered"),
        ("connected", PhoneStatus.BUSY, "connected"),
        ("paging", PhoneStatus.UNKNOWN, "paging"),
        ("", PhoneStatus.UNKNOWN, ""),
        ({"status": "busy"}, PhoneStatus.BUSY, "busy"),
    ],
)
def test_phone_status(body: object, status: PhoneStatus, raw: str) -> None:
    state = parse_phone_status(body)
    assert state.status is status
    assert state.raw == raw


@pytest.mark.parametrize("body", [None, 1, True, [], ["busy"], {"x": 1}])
def test_phone_status_bad_shape(body: object) -> None:
    with pytest.raises(GrandstreamCTIResponseError):
        parse_phone_status(body)


def test_phone_status_misc_key_envelope() -> None:
    text = '{"response":"success","body":"available","misc":"0"}'
    body = read_body(parse_envelope(text, "f"), "f")
    assert parse_phone_status(body).status is PhoneStatus.AVAILABLE


# --- accounts --------------------------------------------------------------


def test_accounts() -> None:
    body = [
        {
            "id": 1,
            "name": "Office",
            "sip_id": "1001",
            "sip_server": "pbx.local",
            "reg": 1,
            "auto_cfg": "",
        },
        {"id": "2", "name": "", "sip_id": "", "sip_server": "", "reg": "0"},
    ]
    accounts = parse_accounts(body)
    assert accounts[0].id == 1
    assert accounts[0].registered
    assert accounts[0].configured
    assert accounts[0].sip_server == "pbx.local"
    assert accounts[1].id == 2
    assert not accounts[1].registered
    assert not accounts[1].configured


def test_accounts_missing_id_uses_position_and_skips_garbage() -> None:
    accounts = parse_accounts([{"name": "a"}, "x", {"id": "bad", "reg": True}])
    assert [(account.id, account.name) for account in accounts] == [(1, "a"), (3, "")]
    assert accounts[1].registered


def test_account_entry_not_a_dict() -> None:
    assert parse_account(5, 1) is None


def test_accounts_dict_forms() -> None:
    assert [a.id for a in parse_accounts({"id": 1})] == [1]
    assert [a.id for a in parse_accounts({"a": {"id": 2}, "b": {"id": 1}})] == [1, 2]


@pytest.mark.parametrize("body", ["x", None, 3, {"x": 1}, [1, "a"]])
def test_accounts_bad_shapes(body: object) -> None:
    with pytest.raises(GrandstreamCTIResponseError):
        parse_accounts(body)


# --- model.define.js -------------------------------------------------------


def test_model_define_json_with_defines() -> None:
    text = json.dumps(
        {
            "model": "GRP2614",
            "vendor_name": "Grandstream",
            "defines": {"num_accounts": 4, "max_line": "8"},
            "prog_version": "1.0.13.22",
            "mac": "00:0B:82:12:34:56",
        }
    )
    assert parse_model_define(text) == ModelInfo(
        model="GRP2614",
        firmware="1.0.13.22",
        num_accounts=4,
        num_lines=8,
        mac="00:0B:82:12:34:56",
    )


def test_model_define_js_object_literal() -> None:
    text = """
    // model facts
    var model_define = {
        model_name: 'GRP2612',
        max_account: 2,
        num_lines: "4",
        program_version: "1.0.5.67",
        mac: 000b82aabbcc,
    };
    """
    info = parse_model_define(text, "lighttpd")
    assert info == ModelInfo(
        model="GRP2612",
        firmware="1.0.5.67",
        num_accounts=2,
        num_lines=4,
        mac="000b82aabbcc",
    )


def test_model_define_typographic_and_wrapped_json() -> None:
    text = f"define({{{LDQ}model{RDQ}: {LDQ}GRP2601{RDQ}, {LDQ}num_accounts{RDQ}: 2}});"
    info = parse_model_define(text)
    assert info.model == "GRP2601"
    assert info.num_accounts == 2


@pytest.mark.parametrize(
    ("text", "server", "model", "firmware"),
    [
        (None, "GRP2614", "GRP2614", None),
        ("", "Grandstream grp2616 1.0.9.12", "GRP2616", "1.0.9.12"),
        ("<html>404</html>", "GXP2170", "GXP2170", None),
        ("garbage", "lighttpd/1.4.59", None, None),
        (None, None, None, None),
        ('{"model": "GRP2602"}', "GRP2614", "GRP2602", None),
    ],
)
def test_model_define_server_fallback(
    text: str | None, server: str | None, model: str | None, firmware: str | None
) -> None:
    info = parse_model_define(text, server)
    assert info.model == model
    assert info.firmware == firmware


def test_model_define_ignores_bad_numbers() -> None:
    info = parse_model_define('{"num_accounts": "many", "max_account": -2}')
    assert info.num_accounts is None
    assert info == ModelInfo()


def test_model_define_outer_keys_win() -> None:
    # Nested (real firmware) and duplicate keys: the first, outermost wins.
    text = json.dumps(
        {
            "model": "GRP2614",
            "Model": "ignored",
            "defines": {"num_accounts": 4, "model": "inner", "support_dnd": True},
        }
    )
    info = parse_model_define(text)
    assert info == ModelInfo(model="GRP2614", num_accounts=4)
