"""The config store through config_get / config_update and api.values.*:
shapes, silent ignores with read-back, DND, Click-To-Dial, Action URL slots.
"""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.grandstream_cti.cti import wire
from custom_components.grandstream_cti.cti.action_url import ActionUrlEvent
from simulator import PhoneSimulator, SimulatorConfig
from tests.simulator.conftest import Answer, Browser, Cti, Receiver

RIGHT = {"response": "success", "body": {"status": "right"}}
INVALID = {"response": "error", "body": "Invalid Request"}


def profile(name: str, **settings: Any) -> SimulatorConfig:
    return SimulatorConfig(profile=name, manual_clock=True, **settings)


async def read(browser: Browser, *keys: str) -> dict[str, str]:
    answer = await browser.get(
        wire.FUNCTION_CONFIG_GET, {"pvalues": ",".join(keys), "sid": browser.sid}
    )
    return {item["pvalue"]: item["value"] for item in answer.json["configs"]}


async def update(browser: Browser, pvalue: dict[str, str], **extra: Any) -> Answer:
    return await browser.request(
        "PUT",
        wire.FUNCTION_CONFIG_UPDATE,
        params={"sid": browser.sid},
        json_body={"alias": {}, "pvalue": pvalue, **extra},
    )


async def test_config_get_shapes(browser: Browser) -> None:
    await browser.login()
    keys = (
        "334,:dnd,1561,8310,8304,AccountRegistered1,AccountRegistered2,:unread_vm_1,"
        "phone_model,P67,68,num_lines,9999,bogus,22171,8352"
    )
    answer = await browser.get(
        wire.FUNCTION_CONFIG_GET, {"pvalues": keys, "sid": browser.sid}
    )
    assert answer.json == {  # no `response` key on success
        "configs": [
            # A handset setting: a desk phone lacks it (empty alias and value).
            {"alias": "", "pvalue": "334", "value": ""},
            {"alias": "", "pvalue": ":dnd", "value": "0"},
            {
                "alias": "call.dial.clickToDial.enable",
                "pvalue": "1561",
                "value": "1",
            },
            # A real but empty setting keeps its alias.
            {"alias": "ons.actionUrl.incomingCall", "pvalue": "8310", "value": ""},
            {"alias": "ons.actionUrl.setupCompleted", "pvalue": "8304", "value": ""},
            {"alias": "", "pvalue": "AccountRegistered1", "value": "1"},
            {"alias": "", "pvalue": "AccountRegistered2", "value": "0"},
            {"alias": "", "pvalue": ":unread_vm_1", "value": "0"},
            {"alias": "", "pvalue": "phone_model", "value": "GRP2614"},
            {"alias": "network.mac", "pvalue": "P67", "value": "00:0b:82:12:34:56"},
            {"alias": "system.prog_version", "pvalue": "68", "value": "1.0.13.22"},
            {"alias": "", "pvalue": "num_lines", "value": "8"},
            {"alias": "", "pvalue": "9999", "value": ""},  # unknown
            {"alias": "", "pvalue": "bogus", "value": ""},
            {"alias": "", "pvalue": "22171", "value": ""},  # WP8x6 only
            {"alias": "", "pvalue": "8352", "value": ""},  # handsets only
        ]
    }
    empty = await browser.get(wire.FUNCTION_CONFIG_GET, {"sid": browser.sid})
    assert empty.json == {"configs": []}


async def test_config_update_writes_at_once(
    browser: Browser, simulator: PhoneSimulator
) -> None:
    await browser.login()
    url = "http://ha.local:8123/api/webhook/x?e=in&r=$remote"
    answer = await update(browser, {"8310": url, ":dnd": "1", "8324": "http://h/x"})
    assert answer.json == RIGHT
    assert await read(browser, "8310", ":dnd", "8324") == {
        "8310": url,
        ":dnd": "1",
        "8324": "http://h/x",
    }
    assert simulator.phone.dnd is True  # no apply step
    assert "dnd_on" in [event.event for event in simulator.phone.events]
    assert simulator.pusher.templates[ActionUrlEvent.INCOMING_CALL] == url
    # Alias-named keys work too.
    answer = await update(browser, {}, alias={"@call.dial.clickToDial.enable": "0"})
    assert answer.json == RIGHT
    assert simulator.config.click_to_dial is False
    answer = await update(browser, {}, alias={"ons.actionUrl.missedCall": "h/m"})
    assert await read(browser, "8312") == {"8312": "h/m"}
    assert (await update(browser, {"8310": ""})).json == RIGHT
    assert await read(browser, "8310") == {"8310": ""}


async def test_silent_ignores(browser: Browser, simulator: PhoneSimulator) -> None:
    await browser.login()
    exactly = "http://h/" + "x" * 247
    assert len(exactly) == 256
    too_long = exactly + "y"
    assert (await update(browser, {"8310": exactly, "8311": too_long})).json == RIGHT
    values = await read(browser, "8310", "8311")
    assert values == {"8310": exactly, "8311": ""}
    # Unknown, read-only and badly valued keys, and keys this phone lacks:
    # "success", nothing changes.
    writes = {
        "9999": "1",
        "67": "aa:bb",
        "phone_model": "X",
        ":dnd": "maybe",
        ":unread_vm_1": "5",
        "334": "50",
        "22568": "http://h/low",
    }
    assert (await update(browser, writes)).json == RIGHT
    assert await read(browser, *writes) == {
        "9999": "",
        "67": "00:0b:82:12:34:56",
        "phone_model": "GRP2614",
        ":dnd": "0",
        ":unread_vm_1": "0",
        "334": "",
        "22568": "",
    }
    bad = await browser.request(
        "PUT",
        wire.FUNCTION_CONFIG_UPDATE,
        params={"sid": browser.sid},
        data="{not json",
        headers={"Content-Type": "application/json"},
    )
    assert bad.json == {"response": "error", "body": "failed"}
    # JSON is read whatever the Content-Type says.
    plain = await browser.request(
        "PUT",
        wire.FUNCTION_CONFIG_UPDATE,
        params={"sid": browser.sid},
        data='{"alias":{},"pvalue":{"8312":"h/x"}}',
        headers={"Content-Type": "text/plain"},
    )
    assert plain.json == RIGHT
    assert await read(browser, "8312") == {"8312": "h/x"}


async def test_user_role_writes(browser: Browser, simulator: PhoneSimulator) -> None:
    await browser.login("user", "123")
    answer = await update(
        browser,
        {"1561": "0", "196": "hacked", "8310": "http://ha/in", ":dnd": "1"},
    )
    assert answer.json == RIGHT  # whatever was ignored
    assert await read(browser, "1561", "196", "8310", ":dnd") == {
        "1561": "1",  # admin only: ignored
        "196": "",
        "8310": "http://ha/in",  # the user may write event URLs
        ":dnd": "1",  # and DND
    }
    assert simulator.config.user_passcode == "123"


async def test_click_to_dial_off_refuses_both_apis(
    browser: Browser, cti: Cti, simulator: PhoneSimulator
) -> None:
    await browser.login()
    assert (await update(browser, {"1561": "0"})).json == RIGHT
    assert await cti.ok(wire.FUNCTION_MAKE_CALL, phonenumber="100") == INVALID
    session_call = await browser.cti(
        wire.FUNCTION_MAKE_CALL, phonenumber="100", account="0"
    )
    assert session_call.json == INVALID
    assert simulator.phone.lines[0].is_idle
    assert (await cti.state())["config"]["click_to_dial"] is False


async def test_slot_written_by_config_update_fires(
    browser: Browser, simulator: PhoneSimulator, receiver: Receiver, cti: Cti
) -> None:
    await browser.login()
    slots = {
        "8310": f"{receiver.url}/in?r=$remote&n=$display_remote&m=$mac",
        "8316": f"{receiver.url}/dnd?m=$mac",
    }
    assert (await update(browser, slots)).json == RIGHT
    simulator.phone.incoming("+15555550100", "Carol")
    (path,) = await receiver.wait_for(1)
    assert path == "/in?r=+15555550100&n=Carol&m=000b82123456"
    assert (await update(browser, {":dnd": "1"})).json == RIGHT
    paths = await receiver.wait_for(2)
    assert paths[1] == "/dnd?m=000b82123456"
    # The control API sees (and shows) the same slots.
    state = await cti.state()
    assert state["action_url"]["slots"]["P8310"] == slots["8310"]
    assert state["action_url"]["urls"]["dnd_on"] == slots["8316"]


@pytest.mark.parametrize("simulator_config", [profile("gxp1625")])
async def test_api_values(
    browser: Browser, cti: Cti, simulator: PhoneSimulator
) -> None:
    # Without a session only the model is answered.
    public = await browser.get(wire.FUNCTION_VALUES_GET, {"request": "phone_model"})
    assert public.json == {"response": "success", "body": {"phone_model": "GXP1625"}}
    secret = await browser.get(wire.FUNCTION_VALUES_GET, {"request": "P68"})
    assert secret.json == {"response": "error", "body": {"status": "session-expired"}}
    await browser.login()
    answer = await browser.post(
        wire.FUNCTION_VALUES_GET,
        {"request": "P67:P68:phone_model:68:P8310:P9999", "sid": browser.sid},
    )
    assert answer.json == {  # keys echoed exactly as asked
        "response": "success",
        "body": {
            "P67": "00:0b:82:12:34:56",
            "P68": "1.0.7.70",
            "phone_model": "GXP1625",
            "68": "1.0.7.70",
            "P8310": "",
            "P9999": "",
        },
    }
    written = await browser.post(
        wire.FUNCTION_VALUES_POST,
        {"P8310": "http://ha/in", "P1561": "0", ":dnd": "1", "sid": browser.sid},
    )
    assert written.json == RIGHT
    assert simulator.store.value("P8310") == "http://ha/in"
    assert simulator.phone.dnd is True
    assert await cti.ok(wire.FUNCTION_MAKE_CALL, phonenumber="1") == INVALID
    # This profile has no config_get / config_update.
    assert (
        await browser.get(wire.FUNCTION_CONFIG_GET, {"sid": browser.sid})
    ).status == 404


@pytest.mark.parametrize("simulator_config", [profile("gsc3516")])
async def test_gsc3516_has_both_config_apis(browser: Browser) -> None:
    await browser.login()
    assert (await update(browser, {"8311": "http://ha/out"})).json == RIGHT
    answer = await browser.post(
        wire.FUNCTION_VALUES_GET, {"request": "P8311", "sid": browser.sid}
    )
    assert answer.json["body"] == {"P8311": "http://ha/out"}
