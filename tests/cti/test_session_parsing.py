"""Unit tests of the session API's decoding (cti/session_parsing.py), the key
names (cti/keys.py) and the dialable numbers (cti/numbers.py)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from custom_components.grandstream_cti.cti import (
    Battery,
    ConfigValue,
    GrandstreamCTIAuthenticationError,
    GrandstreamCTILockedError,
    GrandstreamCTIResponseError,
    GrandstreamCTIUserNotAllowedError,
    SessionInfo,
    WifiStatus,
)
from custom_components.grandstream_cti.cti.client import MAX_KEYS
from custom_components.grandstream_cti.cti.keys import normalize_key, normalize_keys
from custom_components.grandstream_cti.cti.numbers import validate_number
from custom_components.grandstream_cti.cti.parsing import printable, shorten
from custom_components.grandstream_cti.cti.session_parsing import (
    check_config_write,
    config_key,
    parse_battery,
    parse_config_get,
    parse_lockout,
    parse_login,
    parse_nonce,
    parse_values_get,
    parse_wifi,
    session_expired,
    sha256_hex,
)

SID = "0123456789abcdef" * 4


def env(body: Any, response: str = "success", **extra: Any) -> str:
    return json.dumps({"response": response, "body": body, **extra})


def test_sha256_hex() -> None:
    # session-spec §2.2 prints sha256("user").
    assert sha256_hex("user") == (
        "04f8996da763b7a969b1028ee3007569eaf3a635486ddab211d512c85b9df8fb"
    )
    # UTF-8, lower-case hex.
    assert (
        sha256_hex("pässword" + "nonce")
        == hashlib.sha256("pässwordnonce".encode()).hexdigest()
    )


@pytest.mark.parametrize(
    ("text", "nonce"),
    [
        (env("ExampleNonce0123456789abcdefABC"), "ExampleNonce0123456789abcdefABC"),
        (env(" n1 "), "n1"),
        (env(""), None),
        (env(True), None),
        (env("n", "error"), None),
        ("<html>404</html>", None),
        ("[]", None),
    ],
)
def test_parse_nonce(text: str, nonce: str | None) -> None:
    assert parse_nonce(text) == nonce


@pytest.mark.parametrize(
    ("text", "locked"),
    [
        (env("ok"), False),
        (env("lockout"), True),
        (env(" LOCKOUT "), True),
        (env("lockout", "error"), None),
        (env(1), None),
        ("garbage", None),
    ],
)
def test_parse_lockout(text: str, locked: bool | None) -> None:
    assert parse_lockout(text) is locked


def test_parse_login_captured_wp826() -> None:
    role = sha256_hex("user" + SID)
    text = env(
        {
            "sid": SID,
            "role": role,
            "ver": "1.0.3.35",
            "mac": "00:0B:82:12:34:56",
            "defaultAuth": False,
            "defaultLogin": False,
        }
    )
    sid, info = parse_login(text)
    assert sid == SID
    assert info == SessionInfo(
        role="user",
        firmware="1.0.3.35",
        mac="00:0B:82:12:34:56",
        default_password=False,
    )


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("admin", "admin"),
        (" USER ", "user"),
        (sha256_hex("admin" + SID), "admin"),
        (sha256_hex("admin" + SID).upper(), "admin"),
        (sha256_hex("admin" + "other"), None),
        ("guest", None),
        (None, None),
        (1, None),
    ],
)
def test_parse_login_roles(role: object, expected: str | None) -> None:
    _, info = parse_login(env({"sid": SID, "role": role}))
    assert info.role == expected


def test_parse_login_body_as_json_string() -> None:
    sid, info = parse_login(env(json.dumps({"sid": SID, "defaultAuth": 1})))
    assert sid == SID
    assert info.default_password is True


@pytest.mark.parametrize(
    ("body", "left"),
    [("wrong4", 4), ("wrong", None), ("WRONG 2", 2), ("wrong0", 0), ("wrong 10", 10)],
)
def test_parse_login_wrong(body: str, left: int | None) -> None:
    with pytest.raises(GrandstreamCTIAuthenticationError) as err:
        parse_login(env(body, "error"))
    assert type(err.value) is GrandstreamCTIAuthenticationError
    assert err.value.attempts_left == left


@pytest.mark.parametrize(
    ("lock_time", "minutes"),
    # Minutes on WP826, seconds in Grandstream's GDS/GSC library.
    [(5, 5), ("10", 10), (60, 60), (300, 5), (301, 6), (None, None), (0, None)],
)
def test_parse_login_locked(lock_time: object, minutes: int | None) -> None:
    with pytest.raises(GrandstreamCTILockedError) as err:
        parse_login(env("locked", "error", lockTime=lock_time))
    assert err.value.minutes == minutes
    # A lock is not a wrong password.
    assert not isinstance(err.value, GrandstreamCTIAuthenticationError)


@pytest.mark.parametrize("body", ["user is not allow", "User is not allowed"])
def test_parse_login_user_not_allowed(body: str) -> None:
    with pytest.raises(GrandstreamCTIUserNotAllowedError):
        parse_login(env(body, "error"))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "<html>403</html>",
        env({"sid": ""}),
        env({"role": "admin"}),
        env("ok"),
        env("wrongly", "error"),
        env("wrong1234", "error"),
        env({"sid": SID}, "error"),
        env('{"sid": broken', "success"),
        json.dumps([1]),
    ],
)
def test_parse_login_unexpected(text: str) -> None:
    with pytest.raises(GrandstreamCTIResponseError):
        parse_login(text)


def test_parse_login_error_is_redacted_short_printable() -> None:
    with pytest.raises(GrandstreamCTIResponseError) as err:
        parse_login("x\n\x00 s3cret " + "y" * 500, secrets=["s3cret"])
    message = str(err.value)
    assert "s3cret" not in message
    assert message.isprintable()
    assert len(message) < 150


@pytest.mark.parametrize(
    ("status", "text", "expired"),
    [
        (401, "", True),
        (401, env(True), True),
        (200, env({"status": "session-expired"}, "error"), True),
        (200, "Session has expired", True),
        (200, env("session_expiring"), True),
        (200, "unauthorized", True),
        (200, '"Unauthorized"', True),
        (200, env("unauthorized"), True),
        (200, env("x", "unauthorized"), True),
        (200, env("available"), False),
        (200, env("session ok"), False),
        (403, "<html>Forbidden</html>", False),
        (200, "", False),
        (200, json.dumps([1]), False),
    ],
)
def test_session_expired(status: int, text: str, expired: bool) -> None:
    assert session_expired(status, text) is expired


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("P8310", "8310"),
        ("p1561", "1561"),
        (" 1561 ", "1561"),
        (":dnd", ":dnd"),
        ("phone_model", "phone_model"),
        ("P", "P"),
        ("Pfoo", "Pfoo"),
    ],
)
def test_config_key(key: str, expected: str) -> None:
    assert config_key(key) == expected


def test_parse_config_get() -> None:
    text = json.dumps(
        {
            "configs": [
                {"alias": "lcd.backlight", "pvalue": "334", "value": "60"},
                {"alias": "", "pvalue": ":dnd", "value": "0"},
                {"alias": "", "pvalue": "P8310", "value": " spaced "},
                {"pvalue": "1", "value": 1.5},
                7,
            ]
        }
    )
    assert parse_config_get(text, ["P334", ":dnd", "8310", "1", "999"]) == {
        "334": "60",
        ":dnd": "0",
        "8310": " spaced ",  # strings kept as sent
        "1": "1.5",
        "999": "",
    }


def test_parse_config_get_bad_is_redacted() -> None:
    with pytest.raises(GrandstreamCTIResponseError) as err:
        parse_config_get(f"sid={SID}", ["1"], secrets=[SID])
    assert SID not in str(err.value)


def test_parse_values_get() -> None:
    text = env({"P67": "c0:74:ad:00:00:01", "68": "1.0.7.70", "phone_model": "GXP1625"})
    assert parse_values_get(text, ["P67", "P68", "phone_model", "P1"]) == {
        "67": ConfigValue("c0:74:ad:00:00:01", answered=True),
        "68": ConfigValue("1.0.7.70", answered=True),
        "phone_model": ConfigValue("GXP1625", answered=True),
        "1": ConfigValue(""),
    }
    assert parse_values_get(env({"P1": 3}), ["1"]) == {
        "1": ConfigValue("3", answered=True)
    }


@pytest.mark.parametrize(
    "text", [env({"status": "session-expired"}, "error"), env([]), "x", "[]"]
)
def test_parse_values_get_bad(text: str) -> None:
    with pytest.raises(GrandstreamCTIResponseError, match=r"api\.values\.get"):
        parse_values_get(text, ["1"], secrets=["nothing"])


@pytest.mark.parametrize(
    "text",
    [
        env({"status": "right"}),
        env({"status": "RIGHT"}),
        env("whatever"),
        env(None),
        env({"status": "right"}, "error"),
        json.dumps({"body": {"status": "right"}}),
    ],
)
def test_check_config_write_ok(text: str) -> None:
    check_config_write(text)


@pytest.mark.parametrize(
    "text",
    [
        env({"status": "wrong"}),
        env({"status": "session-expired"}, "error"),
        env("failed", "error"),
        "",
        "<html/>",
        json.dumps([]),
    ],
)
def test_check_config_write_refused(text: str) -> None:
    with pytest.raises(GrandstreamCTIResponseError, match="refused"):
        check_config_write(text, secrets=["x"])


def test_parse_battery_and_wifi() -> None:
    assert parse_battery(
        json.dumps({"battery": {"capacity": 100.0, "present": 1}})
    ) == Battery(capacity=100, present=True)
    assert parse_battery(json.dumps({"battery": {"capacity": 3.5}})) == Battery()
    assert parse_wifi(
        json.dumps({"status": {"signal": 0, "connection": {"mac": ""}}})
    ) == WifiStatus(signal=0)
    with pytest.raises(GrandstreamCTIResponseError, match="battery"):
        parse_battery(env({"capacity": 1}), secrets=["s"])
    with pytest.raises(GrandstreamCTIResponseError, match="Wi-Fi"):
        parse_wifi("[]", secrets=["s"])


# --- keys ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("*", "STAR"),
        (" star ", "STAR"),
        ("#", "#"),
        ("0", "0"),
        ("send", "SEND"),
        ("mpk1", "MPK1"),
        ("MPK048", "MPK48"),
        ("vup", "VUP"),
    ],
)
def test_normalize_key(key: str, expected: str) -> None:
    assert normalize_key(key) == expected


@pytest.mark.parametrize("key", ["", "MPK0", "MPK49", "MPK", "MPKx", "RESET", "10"])
def test_normalize_key_unknown(key: str) -> None:
    with pytest.raises(ValueError, match="Unknown key"):
        normalize_key(key)


def test_unknown_key_message_is_short_and_printable() -> None:
    with pytest.raises(ValueError, match="Unknown key") as err:
        normalize_key("\x1b[31m" + "Z" * 100 + "\n")
    message = str(err.value)
    assert message.isprintable()
    assert len(message) < 40


def test_normalize_keys_limit() -> None:
    assert MAX_KEYS == 32
    assert normalize_keys(["1"] * MAX_KEYS, limit=MAX_KEYS) == ["1"] * MAX_KEYS
    assert len(normalize_keys(",".join(["2"] * 32), limit=32)) == 32
    with pytest.raises(ValueError, match="More than 32 keys"):
        normalize_keys(["1"] * 33, limit=32)
    # Blank entries do not count.
    assert normalize_keys("1,,2, ,") == ["1", "2"]
    with pytest.raises(ValueError, match="No keys"):
        normalize_keys(" , ")


async def test_send_keys_limit_before_any_io(make_client: Any, phone: Any) -> None:
    client = make_client(api=None)
    with pytest.raises(ValueError, match="More than 32 keys"):
        await client.send_keys(["1"] * (MAX_KEYS + 1))
    assert not phone.hits
    await make_client().send_keys(["1"] * MAX_KEYS)
    assert phone.hits[0].query["keys"] == ":".join(["1"] * MAX_KEYS)


# --- numbers and text helpers ----------------------------------------------


def test_numbers() -> None:
    assert validate_number(" +15555550100 ") == "+15555550100"
    assert validate_number("*72100") == "*72100"
    assert validate_number("alice@pbx.example.com") == "alice@pbx.example.com"
    for undialable, why in (
        ("", "No number"),
        ("1 2", "only digits"),
        ("9" * 65, "longer"),
    ):
        with pytest.raises(ValueError, match=why):
            validate_number(undialable)
    with pytest.raises(TypeError):
        validate_number(5)  # type: ignore[arg-type]


def test_printable_and_shorten() -> None:
    assert printable("a\tb\r\n\x00c\u200bd\x1b") == "a b cd"
    assert shorten("abc", 3) == "abc"
    assert shorten("abcd", 3) == "ab…"
