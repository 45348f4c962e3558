"""Configuration reads and writes, DND, Click-To-Dial, battery and Wi-Fi over
the session API (session-spec §4), against the scripted fake phone."""

from __future__ import annotations

from collections.abc import Callable
import json
from typing import Any

import pytest

from custom_components.grandstream_cti.cti import (
    ApiKind,
    Battery,
    GrandstreamCTIClient,
    GrandstreamCTIPermissionError,
    GrandstreamCTIResponseError,
    GrandstreamCTIUnsupportedError,
    GrandstreamCTIWriteRejectedError,
    LoginVariant,
    PhoneApi,
    WifiStatus,
)
from custom_components.grandstream_cti.cti.client import WRITABLE_KEYS

from .fake_phone import (
    CONFIG_GET,
    CONFIG_UPDATE,
    VALUES_GET,
    VALUES_POST,
    FakePhone,
    Hit,
    Reply,
    SessionPhone,
    envelope,
    sid_of,
)

ClientFactory = Callable[..., GrandstreamCTIClient]

CHALLENGE = PhoneApi(ApiKind.SESSION, LoginVariant.CHALLENGE)
BATTERY = "/cgi-bin/api-get_battery_status"
WIFI = "/cgi-bin/api-wifi_status_get"
URL = "http://ha.local:8123/api/webhook/abc?e=incoming"


class ConfigStore:
    """A phone's configuration behind config_get / PUT config_update (or
    api.values.get / .post), with keys it silently refuses to change."""

    def __init__(self, fake: SessionPhone, *, values_api: bool = False) -> None:
        self.values: dict[str, str] = {
            "8310": "",
            "8311": "http://other/x",
            ":dnd": "0",
            "1561": "0",
        }
        self.aliases = {"8310": "action_url.incoming", "1561": "click_to_dial"}
        self.ignored: set[str] = set()
        self.writes: list[dict[str, str]] = []
        if values_api:
            fake.phone.reply(CONFIG_GET, Reply("<html>404</html>", status=404))
            fake.guard(VALUES_GET, self._values_get)
            fake.guard(VALUES_POST, self._values_post)
        else:
            fake.guard(CONFIG_GET, self._config_get)
            fake.guard(CONFIG_UPDATE, self._config_update)

    def _config_get(self, hit: Hit) -> Reply:
        configs = [
            {
                "alias": self.aliases.get(key, ""),
                "pvalue": key,
                "value": self.values.get(key, ""),
            }
            for key in hit.query["pvalues"].split(",")
        ]
        return Reply(json.dumps({"configs": configs}))

    def _config_update(self, hit: Hit) -> Reply:
        changes = hit.json["pvalue"]
        self.writes.append(changes)
        self._apply(changes)
        return Reply(envelope({"status": "right"}))

    def _apply(self, changes: dict[str, str]) -> None:
        for key, value in changes.items():
            if key not in self.ignored:
                self.values[key] = value

    def _values_get(self, hit: Hit) -> Reply:
        body = {
            key: self.values.get(key.removeprefix("P"), "")
            for key in hit.form["request"].split(":")
        }
        return Reply(envelope(body))

    def _values_post(self, hit: Hit) -> Reply:
        changes = {
            key.removeprefix("P"): value
            for key, value in hit.form.items()
            if key != "sid"
        }
        self.writes.append(changes)
        self._apply(changes)
        return Reply(envelope({"status": "right"}))


@pytest.fixture
def fake(phone: FakePhone) -> SessionPhone:
    return SessionPhone(phone)


@pytest.fixture
def store(fake: SessionPhone) -> ConfigStore:
    return ConfigStore(fake)


@pytest.fixture
def client(make_client: ClientFactory) -> GrandstreamCTIClient:
    return make_client(api=CHALLENGE)


# --- reads -----------------------------------------------------------------


async def test_get_config(
    phone: FakePhone,
    fake: SessionPhone,
    store: ConfigStore,
    client: GrandstreamCTIClient,
) -> None:
    values = await client.get_config(["P8310", "p8311", ":dnd", "1561", "P99999"])
    assert values == {
        "8310": "",
        "8311": "http://other/x",
        ":dnd": "0",
        "1561": "0",
        "99999": "",  # unknown keys read as ""
    }
    (hit,) = phone.hits_for(CONFIG_GET)
    assert hit.method == "GET"
    assert hit.query == {"pvalues": "8310,8311,:dnd,1561,99999", "sid": fake.sid}
    assert hit.cookies["sid"] == fake.sid
    assert client.last_answers["config_get"] == json.loads(
        store._config_get(hit).body  # type: ignore[arg-type]
    )


async def test_get_config_tolerates_odd_entries(
    phone: FakePhone, fake: SessionPhone, client: GrandstreamCTIClient
) -> None:
    fake.guard(
        CONFIG_GET,
        Reply(
            json.dumps(
                {
                    "configs": [
                        "junk",
                        {"pvalue": "P8310", "value": 5},
                        {"pvalue": ":dnd", "value": None},
                    ]
                }
            )
        ),
    )
    assert await client.get_config(["8310", ":dnd"]) == {"8310": "5", ":dnd": ""}


@pytest.mark.parametrize(
    "reply",
    [
        Reply("<html>x</html>"),
        Reply(envelope({"configs": "x"})),
        Reply(json.dumps({"response": "error", "body": "failed"})),
        Reply(json.dumps([1, 2])),
    ],
)
async def test_get_config_odd_answers(
    fake: SessionPhone, client: GrandstreamCTIClient, reply: Reply
) -> None:
    fake.guard(CONFIG_GET, reply)
    with pytest.raises(GrandstreamCTIResponseError, match="config_get"):
        await client.get_config([":dnd"])


async def test_get_config_http_error(
    fake: SessionPhone, client: GrandstreamCTIClient
) -> None:
    fake.guard(CONFIG_GET, Reply("", status=500))
    with pytest.raises(GrandstreamCTIResponseError, match="HTTP 500"):
        await client.get_config([":dnd"])


async def test_get_config_falls_back_to_values_api_on_404(
    phone: FakePhone, fake: SessionPhone, client: GrandstreamCTIClient
) -> None:
    store = ConfigStore(fake, values_api=True)
    store.values["phone_model"] = "GXP1625"
    values = await client.get_config(["P8310", "8311", "phone_model"])
    assert values == {"8310": "", "8311": "http://other/x", "phone_model": "GXP1625"}
    (hit,) = phone.hits_for(VALUES_GET)
    assert hit.method == "POST"
    # P-values keep their P here; named keys stay bare.
    assert hit.form == {"request": "P8310:P8311:phone_model", "sid": fake.sid}
    assert client.last_answers["api.values.get"]["body"]["P8310"] == ""  # type: ignore[index]
    # The values API is remembered: config_get is not asked again.
    await client.get_config(["8310"])
    assert len(phone.hits_for(CONFIG_GET)) == 1
    assert len(phone.hits_for(VALUES_GET)) == 2


async def test_values_api_answer_without_p(
    fake: SessionPhone, client: GrandstreamCTIClient
) -> None:
    fake.phone.reply(CONFIG_GET, Reply("", status=404))
    fake.guard(VALUES_GET, Reply(envelope({"8310": "a", "P1561": 1})))
    assert await client.get_config(["P8310", "1561"]) == {"8310": "a", "1561": "1"}


@pytest.mark.parametrize(
    "reply",
    [
        Reply(envelope("failed", "error")),
        Reply(envelope(["x"])),
        Reply("garbage"),
    ],
)
async def test_values_api_odd_answers(
    fake: SessionPhone, client: GrandstreamCTIClient, reply: Reply
) -> None:
    fake.phone.reply(CONFIG_GET, Reply("", status=404))
    fake.guard(VALUES_GET, reply)
    with pytest.raises(GrandstreamCTIResponseError, match=r"api\.values\.get"):
        await client.get_config(["8310"])


async def test_a_404_after_config_get_worked_is_an_error(
    phone: FakePhone,
    fake: SessionPhone,
    store: ConfigStore,
    client: GrandstreamCTIClient,
) -> None:
    await client.get_config([":dnd"])
    fake.guard(CONFIG_GET, Reply("", status=404))
    with pytest.raises(GrandstreamCTIResponseError, match="404"):
        await client.get_config([":dnd"])
    assert not phone.hits_for(VALUES_GET)


async def test_config_get_expiry_relogs_in(
    phone: FakePhone,
    fake: SessionPhone,
    store: ConfigStore,
    client: GrandstreamCTIClient,
) -> None:
    await client.login()
    fake.expire()
    fake.guard(
        CONFIG_GET,
        store._config_get,
        expired=Reply(envelope({"status": "session-expired"}, "error")),
    )
    assert await client.get_dnd() is False
    assert len(phone.hits_for(CONFIG_GET)) == 2
    assert len(phone.hits_for("/cgi-bin/dologin")) == 2


# --- writes ----------------------------------------------------------------


async def test_set_config_writes_only_changes_and_reads_back(
    phone: FakePhone,
    fake: SessionPhone,
    store: ConfigStore,
    client: GrandstreamCTIClient,
) -> None:
    await client.set_config({"P8310": URL, "P8311": "http://other/x", ":dnd": "1"})
    assert store.writes == [{"8310": URL, ":dnd": "1"}]
    (write,) = phone.hits_for(CONFIG_UPDATE)
    assert write.method == "PUT"
    assert write.headers["Content-Type"].startswith("application/json")
    assert write.json == {"alias": {}, "pvalue": {"8310": URL, ":dnd": "1"}}
    assert "sid" not in write.json
    assert write.query == {"sid": fake.sid}
    assert write.cookies["sid"] == fake.sid
    assert write.headers["Origin"] == f"http://127.0.0.1:{phone.port}"
    read_before, read_back = phone.hits_for(CONFIG_GET)
    assert read_before.query["pvalues"] == "8310,8311,:dnd"
    assert read_back.query["pvalues"] == "8310,:dnd"  # only what was written
    assert store.values["8310"] == URL


async def test_set_config_nothing_to_change_writes_nothing(
    phone: FakePhone, store: ConfigStore, client: GrandstreamCTIClient
) -> None:
    await client.set_config({":dnd": "0", "1561": "0"})
    assert not phone.hits_for(CONFIG_UPDATE)
    assert len(phone.hits_for(CONFIG_GET)) == 1


async def test_silently_ignored_write_is_rejected(
    phone: FakePhone, store: ConfigStore, client: GrandstreamCTIClient
) -> None:
    store.ignored = {"1561", "8310"}
    with pytest.raises(GrandstreamCTIWriteRejectedError) as err:
        await client.set_config({"1561": "1", ":dnd": "1", "8310": "x" * 300})
    assert err.value.keys == ("1561", "8310")
    assert "1561" in str(err.value)
    assert "8310" in str(err.value)
    assert ":dnd" not in str(err.value)
    assert store.values[":dnd"] == "1"


@pytest.mark.parametrize(
    "reply",
    [
        Reply(envelope({"status": "wrong"})),
        Reply(envelope("failed", "error")),
        Reply("garbage"),
        Reply(json.dumps({"body": {"status": "nope"}})),
    ],
)
async def test_refused_write(
    fake: SessionPhone, store: ConfigStore, client: GrandstreamCTIClient, reply: Reply
) -> None:
    fake.guard(CONFIG_UPDATE, reply)
    with pytest.raises(GrandstreamCTIResponseError, match="refused the configuration"):
        await client.set_dnd(True)


@pytest.mark.parametrize(
    "reply",
    [
        Reply(envelope({"status": "right"})),
        Reply(envelope("ok")),
        Reply(json.dumps({"body": {"status": "Right"}})),
        Reply(envelope({"status": "right"}, "error")),
    ],
)
async def test_accepted_write_shapes(
    fake: SessionPhone, store: ConfigStore, client: GrandstreamCTIClient, reply: Reply
) -> None:
    def update(hit: Hit) -> Reply:
        store._config_update(hit)
        return reply

    fake.guard(CONFIG_UPDATE, update)
    await client.set_dnd(True)
    assert store.values[":dnd"] == "1"


async def test_values_api_write(
    phone: FakePhone, fake: SessionPhone, client: GrandstreamCTIClient
) -> None:
    store = ConfigStore(fake, values_api=True)
    await client.set_config({"P8310": URL, "P1561": "0"})
    (write,) = phone.hits_for(VALUES_POST)
    assert write.method == "POST"
    assert write.form == {"P8310": URL, "sid": fake.sid}
    assert store.values["8310"] == URL
    assert len(phone.hits_for(VALUES_GET)) == 2  # read, read back


@pytest.mark.parametrize(
    "keys",
    [
        ["P2"],
        ["2"],
        ["P196"],
        ["P212"],
        ["p237"],
        ["192"],
        ["P67"],
        ["phone_model"],
        [":unread_vm_1"],
        ["P8310", "P2"],
    ],
)
async def test_refused_keys_raise_before_any_io(
    phone: FakePhone, make_client: ClientFactory, keys: list[str]
) -> None:
    client = make_client(api=None)  # not even detection may run
    with pytest.raises(ValueError, match="Refusing to write") as err:
        await client.set_config(dict.fromkeys(keys, "x"))
    assert not phone.hits
    assert "8310" not in str(err.value)


def test_writable_keys() -> None:
    assert {":dnd", "1561", "8310", "8304", "8329"} <= WRITABLE_KEYS
    assert not {"2", "196", "212", "237", "192", "P8310"} & WRITABLE_KEYS


# --- DND and Click-To-Dial -------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"), [("1", True), ("0", False), ("", None), (" 1 ", True)]
)
async def test_get_dnd(
    store: ConfigStore, client: GrandstreamCTIClient, value: str, expected: bool | None
) -> None:
    store.values[":dnd"] = value
    assert await client.get_dnd() is expected


async def test_set_dnd(
    phone: FakePhone, store: ConfigStore, client: GrandstreamCTIClient
) -> None:
    await client.set_dnd(True)
    assert store.values[":dnd"] == "1"
    assert await client.get_dnd() is True
    await client.set_dnd(True)  # already on: no write
    await client.set_dnd(False)
    assert store.writes == [{":dnd": "1"}, {":dnd": "0"}]


async def test_set_dnd_ignored(
    store: ConfigStore, client: GrandstreamCTIClient
) -> None:
    store.ignored = {":dnd"}
    with pytest.raises(GrandstreamCTIWriteRejectedError) as err:
        await client.set_dnd(True)
    assert err.value.keys == (":dnd",)


@pytest.mark.parametrize(("value", "expected"), [("1", True), ("0", False), ("", None)])
async def test_get_click_to_dial(
    phone: FakePhone,
    store: ConfigStore,
    client: GrandstreamCTIClient,
    value: str,
    expected: bool | None,
) -> None:
    store.values["1561"] = value
    assert await client.get_click_to_dial() is expected
    assert phone.hits_for(CONFIG_GET)[0].query["pvalues"] == "1561"


async def test_enable_click_to_dial(
    phone: FakePhone, store: ConfigStore, client: GrandstreamCTIClient
) -> None:
    await client.enable_click_to_dial()
    assert store.writes == [{"1561": "1"}]
    assert phone.hits_for(CONFIG_UPDATE)[0].json == {
        "alias": {},
        "pvalue": {"1561": "1"},
    }
    store.ignored = {"1561"}
    store.values["1561"] = "0"
    with pytest.raises(GrandstreamCTIWriteRejectedError):
        await client.enable_click_to_dial()


# --- battery and Wi-Fi -----------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (
            {
                "response": "success",
                "battery": {
                    "status": "Discharging",
                    "capacity": 95,
                    "present": True,
                    "health": "Good",
                },
            },
            Battery(capacity=95, status="Discharging", present=True, health="Good"),
        ),
        (
            {"response": "success", "battery": {"capacity": "101", "present": "0"}},
            Battery(capacity=None, present=False),
        ),
        ({"battery": {"capacity": -1}}, Battery()),
        ({"battery": {}}, Battery()),
    ],
)
async def test_battery(
    phone: FakePhone,
    fake: SessionPhone,
    client: GrandstreamCTIClient,
    answer: dict[str, Any],
    expected: Battery,
) -> None:
    fake.guard(BATTERY, Reply(json.dumps(answer)))
    assert await client.get_battery() == expected
    (hit,) = phone.hits_for(BATTERY)
    assert hit.method == "GET"
    assert hit.query == {"sid": fake.sid}
    assert client.last_answers["api-get_battery_status"] == answer


@pytest.mark.parametrize(
    "reply",
    [Reply(envelope("x")), Reply("<html/>"), Reply(json.dumps({"battery": [1]}))],
)
async def test_battery_odd_answers(
    fake: SessionPhone, client: GrandstreamCTIClient, reply: Reply
) -> None:
    fake.guard(BATTERY, reply)
    with pytest.raises(GrandstreamCTIResponseError, match="battery"):
        await client.get_battery()


async def test_battery_as_user_is_a_permission_error(
    phone: FakePhone, make_client: ClientFactory
) -> None:
    SessionPhone(phone, username="user", role="user")
    # Admin only: 401 even with a fresh session.
    phone.reply(BATTERY, Reply("<html>401 Unauthorized</html>", status=401))
    client = make_client(api=CHALLENGE, username="user")
    with pytest.raises(GrandstreamCTIPermissionError, match="admin account"):
        await client.get_battery()
    assert len(phone.hits_for(BATTERY)) == 2
    assert len(phone.hits_for("/cgi-bin/dologin")) == 2
    assert not client.password_rejected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (
            {
                "response": "success",
                "reason": "OK",
                "status": {
                    "signal": 4,
                    "connected": True,
                    "connection": {
                        "ssid": "Office",
                        "bssid": "aa:bb",
                        "mac": "00:0B:82:12:34:56",
                        "channel": 56,
                    },
                },
            },
            WifiStatus(
                signal=4, connected=True, ssid="Office", mac="00:0b:82:12:34:56"
            ),
        ),
        (
            {"status": {"signal": "2", "connected": "false", "connection": "x"}},
            WifiStatus(signal=2, connected=False),
        ),
        ({"status": {}}, WifiStatus()),
    ],
)
async def test_wifi(
    phone: FakePhone,
    fake: SessionPhone,
    client: GrandstreamCTIClient,
    answer: dict[str, Any],
    expected: WifiStatus,
) -> None:
    fake.guard(WIFI, Reply(json.dumps(answer)))
    assert await client.get_wifi_status() == expected
    (hit,) = phone.hits_for(WIFI)
    assert hit.method == "GET"
    assert sid_of(hit) == fake.sid


@pytest.mark.parametrize(
    "reply", [Reply(envelope("x")), Reply("nope"), Reply(json.dumps({"status": 1}))]
)
async def test_wifi_odd_answers(
    fake: SessionPhone, client: GrandstreamCTIClient, reply: Reply
) -> None:
    fake.guard(WIFI, reply)
    with pytest.raises(GrandstreamCTIResponseError, match="Wi-Fi"):
        await client.get_wifi_status()


# --- passcode phones -------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.get_config([":dnd"]),
        lambda c: c.set_config({":dnd": "1"}),
        lambda c: c.get_dnd(),
        lambda c: c.set_dnd(True),
        lambda c: c.get_click_to_dial(),
        lambda c: c.enable_click_to_dial(),
        lambda c: c.get_battery(),
        lambda c: c.get_wifi_status(),
    ],
)
async def test_passcode_phones_have_no_config(
    phone: FakePhone,
    make_client: ClientFactory,
    call: Callable[[GrandstreamCTIClient], Any],
) -> None:
    client = make_client()  # the passcode API
    with pytest.raises(GrandstreamCTIUnsupportedError, match="session API"):
        await call(client)
    assert not phone.hits
