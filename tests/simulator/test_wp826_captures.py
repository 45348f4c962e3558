"""The WP826 as captured (1.0.3.35 and 1.0.1.87): its Action URL fields, its
handset settings, voicemail, changes made at the handset, battery and Wi-Fi.
"""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.grandstream_cti.cti import wire
from custom_components.grandstream_cti.cti.action_url import ACTION_URL_FIELDS
from simulator import PhoneSimulator, SimulatorConfig
from tests.simulator.conftest import Answer, Browser, Cti, Receiver

RIGHT = {"response": "success", "body": {"status": "right"}}
CAPTURED_SLOTS = {
    "8310": "ons.actionUrl.incomingCall",
    "8311": "ons.actionUrl.outgoingCall",
    "8312": "ons.actionUrl.missedCall",
    "8313": "ons.actionUrl.establishedCall",
    "8314": "ons.actionUrl.terminatedCall",
    "8315": "ons.actionUrl.rejectIncomingCall",
    "8316": "ons.actionUrl.openDnd",
    "8317": "ons.actionUrl.closedDnd",
    "8328": "ons.actionUrl.idleToBusy",
    "8329": "ons.actionUrl.busyToIdle",
    "22171": "ons.actionUrl.answerNewInCall",
    "22568": "ons.actionUrl.batteryLow",
    "22570": "ons.actionUrl.batterySufficient",
}
FIRMWARES = ["1.0.3.35", "1.0.1.87"]


def wp826(**settings: Any) -> SimulatorConfig:
    return SimulatorConfig(profile="wp826", manual_clock=True, **settings)


async def config_get(browser: Browser, *keys: str) -> list[dict[str, str]]:
    answer = await browser.get(
        wire.FUNCTION_CONFIG_GET,
        {"pvalues": ",".join(keys)},
        cookies={"sid": browser.sid},
    )
    configs: list[dict[str, str]] = answer.json["configs"]
    return configs


async def values(browser: Browser, *keys: str) -> dict[str, str]:
    return {item["pvalue"]: item["value"] for item in await config_get(browser, *keys)}


async def update(browser: Browser, pvalue: dict[str, str]) -> Answer:
    return await browser.request(
        "PUT",
        wire.FUNCTION_CONFIG_UPDATE,
        cookies={"sid": browser.sid},
        json_body={"alias": {}, "pvalue": pvalue},
    )


async def refused(cti: Cti, path: str, body: Any) -> str:
    async with cti.session.post(
        f"{cti.sim.url}/sim/{path}", json=body, ssl=False
    ) as response:
        assert response.status == 400, await response.text()
        error: str = (await response.json())["error"]
        return error


@pytest.mark.parametrize(
    "simulator_config", [wp826(firmware=f) for f in FIRMWARES], ids=FIRMWARES
)
async def test_exactly_the_captured_action_url_fields(
    browser: Browser, cti: Cti, simulator: PhoneSimulator
) -> None:
    await browser.login("user", "123")
    fields = [field.removeprefix("P") for field in ACTION_URL_FIELDS.values()]
    aliases = {
        item["pvalue"]: item["alias"] for item in await config_get(browser, *fields)
    }
    assert {key: alias for key, alias in aliases.items() if alias} == CAPTURED_SLOTS
    # A field the handset lacks: the write is dropped, still "success".
    answer = await update(browser, {"8304": "http://ha/boot", "8324": "http://ha/h"})
    assert answer.json == RIGHT
    assert await values(browser, "8304", "8324") == {"8304": "", "8324": ""}
    slots = (await cti.raw("/sim/action_url")).json["slots"]
    assert set(slots) == {f"P{key}" for key in CAPTURED_SLOTS}
    page = (await cti.raw("/sim/")).text
    assert "P8310" in page
    assert "P8304" not in page
    assert "P8324" not in page
    error = await refused(cti, "action_url", {"urls": {"setup_completed": "h/x"}})
    assert "no Action URL field" in error


@pytest.mark.parametrize("simulator_config", [wp826()])
async def test_pushes_only_for_fields_it_has(
    cti: Cti, simulator: PhoneSimulator, receiver: Receiver
) -> None:
    await cti.control("action_url", {"url": f"{receiver.url}/base"})
    line = simulator.phone.incoming("+15555550100")
    simulator.phone.accept_call()
    simulator.phone.hold_call()  # no hold field on a WP826: nothing sent
    simulator.phone.remote_hangup(line)
    await receiver.wait_for(6)
    await simulator.pusher.wait()
    assert len(receiver.paths) == 6
    events = [url.split("event=")[1].split("&")[0] for url in simulator.pusher.sent]
    assert events == [
        "idle_to_busy",
        "incoming_call",
        "established_call",
        "answered",
        "terminated_call",
        "busy_to_idle",
    ]


@pytest.mark.parametrize(
    "simulator_config", [wp826(firmware=f) for f in FIRMWARES], ids=FIRMWARES
)
async def test_handset_settings_as_captured(browser: Browser) -> None:
    await browser.login("user", "123")
    keys = ("1413", "22234", "334", "8352", ":dnd", ":unread_vm_1", "sp_vol", "22662")
    assert await config_get(browser, *keys) == [
        {"alias": "lcd.backlight.timeout", "pvalue": "1413", "value": "0"},
        {"alias": "key.backlight.enable", "pvalue": "22234", "value": "2"},
        {"alias": "lcd.backlight.brightness.active", "pvalue": "334", "value": "60"},
        {"alias": "audio.volume.ring", "pvalue": "8352", "value": "8"},
        {"alias": "", "pvalue": ":dnd", "value": "0"},
        {"alias": "", "pvalue": ":unread_vm_1", "value": "0"},
        {"alias": "audio.volume.speaker", "pvalue": "sp_vol", "value": "8"},
        {"alias": "", "pvalue": "22662", "value": ""},  # not simulated
    ]


@pytest.mark.parametrize("simulator_config", [wp826()])
async def test_handset_settings_take_only_what_they_offer(browser: Browser) -> None:
    await browser.login("user", "123")  # the user role may change them all
    good = {"334": "10", "1413": "1800", "22234": "0", "8352": "0", "sp_vol": "10"}
    assert (await update(browser, good)).json == RIGHT
    assert await values(browser, *good) == good
    bad = {"334": "55", "1413": "45", "22234": "3", "8352": "11", "sp_vol": "-1"}
    assert (await update(browser, bad)).json == RIGHT  # silently ignored
    assert await values(browser, *bad) == good


@pytest.mark.parametrize("simulator_config", [wp826()])
async def test_voicemail_shows_16_seconds_later(
    browser: Browser, cti: Cti, simulator: PhoneSimulator
) -> None:
    await browser.login("user", "123")
    assert await cti.control("voicemail", {"account": 1, "leave": 2}) == {
        "unread": 0,
        "pending": 1,
    }
    simulator.clock.advance(15.9)
    assert await values(browser, ":unread_vm_1") == {":unread_vm_1": "0"}
    simulator.clock.advance(0.1)
    assert await values(browser, ":unread_vm_1", ":unread_vm_2") == {
        ":unread_vm_1": "2",
        ":unread_vm_2": "0",
    }
    # Listening to them: none unread.
    assert await cti.control("voicemail", {"account": 1, "listen": True}) == {
        "unread": 0,
        "pending": 0,
    }
    assert await values(browser, ":unread_vm_1") == {":unread_vm_1": "0"}
    # Cleared before it arrives: never shows.
    await cti.control("voicemail", {"account": 1, "leave": 1})
    await cti.control("voicemail", {"account": 1, "clear": True})
    simulator.clock.advance(60)
    assert await values(browser, ":unread_vm_1") == {":unread_vm_1": "0"}
    # Another account, another delay, or a count set at once.
    await cti.control("voicemail", {"account": 2, "leave": 1, "after": 1})
    simulator.clock.advance(1)
    await cti.control("voicemail", {"account": 1, "unread": 3})
    assert (await cti.raw("/sim/voicemail")).json == {
        "1": {"unread": 3, "pending": 0},
        "2": {"unread": 1, "pending": 0},
        "3": {"unread": 0, "pending": 0},
    }
    assert (await cti.state())["accounts"][1]["unread_voicemail"] == 1
    # Read-only through the API.
    assert (await update(browser, {":unread_vm_1": "0"})).json == RIGHT
    assert await values(browser, ":unread_vm_1") == {":unread_vm_1": "3"}
    for body in (
        {"account": 3, "leave": 1},  # not configured
        {"account": 9, "unread": 1},
        {"account": 1, "leave": 0},
        {"account": 1},
        {"account": 1, "unread": -1},
    ):
        await refused(cti, "voicemail", body)


@pytest.mark.parametrize("simulator_config", [wp826()])
async def test_a_change_at_the_handset_is_followed(browser: Browser, cti: Cti) -> None:
    await browser.login("user", "123")
    assert await cti.control("setting", {"key": "8352", "value": "3"}) == {
        "key": "8352",
        "alias": "audio.volume.ring",
        "value": "3",
    }
    assert await values(browser, "8352") == {"8352": "3"}
    by_alias = await cti.control(
        "setting", {"key": "lcd.backlight.timeout", "value": 30}
    )
    assert by_alias["key"] == "1413"
    await cti.control("setting", {"key": "P334", "value": "20"})
    await cti.control("setting", {"key": ":dnd", "value": "1"})
    assert await values(browser, "1413", "334", ":dnd") == {
        "1413": "30",
        "334": "20",
        ":dnd": "1",
    }
    assert (await cti.state())["dnd"] is True
    for body in (
        {"key": "8352", "value": "12"},  # not offered
        {"key": "8304", "value": "http://h/x"},  # no such field on a WP826
        {"key": "phone_model", "value": "X"},  # read-only
        {"key": ":unread_vm_1", "value": "1"},
        {"key": "8352"},
        {"value": "1"},
    ):
        await refused(cti, "setting", body)
    assert await values(browser, "8352") == {"8352": "3"}


async def test_desk_phones_have_no_handset_settings(cti: Cti) -> None:
    error = await refused(cti, "setting", {"key": "8352", "value": "3"})
    assert "no setting" in error
    # But the phone's own settings change at the phone too.
    assert (await cti.control("setting", {"key": "1561", "value": "0"}))["value"] == "0"
    assert cti.sim.config.click_to_dial is False


@pytest.mark.parametrize("simulator_config", [wp826()])
async def test_phone_status_while_dnd(browser: Browser, cti: Cti) -> None:
    await browser.login("user", "123")
    await cti.control("dnd", {"on": True})
    status = await browser.cti(wire.FUNCTION_PHONE_STATUS)
    assert status.json == {"response": "success", "body": "available", "misc": "0"}


@pytest.mark.parametrize("simulator_config", [wp826(firmware="1.0.1.87")])
async def test_old_firmware_battery_and_wifi(browser: Browser) -> None:
    await browser.login()
    battery = await browser.get(wire.FUNCTION_BATTERY, cookies={"sid": browser.sid})
    assert battery.json == {  # no `health` on 1.0.1.87
        "response": "success",
        "battery": {"status": "Discharging", "capacity": 95, "present": True},
    }
    wifi = await browser.get(wire.FUNCTION_WIFI_STATUS, cookies={"sid": browser.sid})
    assert "certNeed" not in wifi.json["status"]
    assert wifi.json["status"]["connection"]["mac"] == "00:0B:82:12:34:56"


@pytest.mark.parametrize("simulator_config", [wp826()])
async def test_make_call_needs_a_registered_account(
    browser: Browser, simulator: PhoneSimulator
) -> None:
    await browser.login()
    invalid = {"response": "error", "body": "Invalid Request"}
    for account in ("1", "2"):  # configured but not registered; not configured
        call = await browser.cti(
            wire.FUNCTION_MAKE_CALL, phonenumber="100", account=account
        )
        assert call.json == invalid
    call = await browser.cti(wire.FUNCTION_MAKE_CALL, phonenumber="100", account="0")
    assert call.json == {"response": "success", "body": True}
