"""The WP826 profile: HTTPS, no passcode API, battery and Wi-Fi, its own events."""

from __future__ import annotations

import pytest

from custom_components.grandstream_cti.cti import wire
from simulator import PhoneSimulator, SimulatorConfig
from tests.simulator.conftest import Browser, Cti, Receiver

pytestmark = pytest.mark.parametrize(
    "simulator_config", [SimulatorConfig(profile="wp826", manual_clock=True)]
)


async def test_https_and_no_passcode_api(
    cti: Cti, browser: Browser, simulator: PhoneSimulator
) -> None:
    assert simulator.url.startswith("https://")
    for function in (wire.FUNCTION_PHONE_STATUS, wire.FUNCTION_LINE_STATUS):
        assert (await cti.call(function)).status == 401  # right passcode, still 401
    assert simulator.failed_logins == {}  # not counted: no such API here
    assert len(simulator.password_requests) == 2
    await browser.login()
    lines = (await browser.cti(wire.FUNCTION_LINE_STATUS, line="-1")).json["body"]
    assert len(lines) == 4  # firmware 1.0.3.35


async def test_battery_and_wifi(browser: Browser, simulator: PhoneSimulator) -> None:
    await browser.login()
    battery = await browser.get(wire.FUNCTION_BATTERY, cookies={"sid": browser.sid})
    assert battery.json == {  # battery_status.json, WP826 1.0.3.35
        "response": "success",
        "battery": {
            "status": "Discharging",
            "capacity": 95,
            "present": True,
            "health": "Good",
        },
    }
    wifi = await browser.get(wire.FUNCTION_WIFI_STATUS, cookies={"sid": browser.sid})
    # wifi_status.json, WP826 1.0.3.35: these fields in this order, MAC and
    # BSSID upper case.
    assert wifi.text == (
        '{"response":"success","reason":"OK","status":{"power":true,"signal":4,'
        '"scanning":false,"connecting":false,"connected":true,"connection":'
        '{"ssid":"Office","freq":"5280","mac":"00:0B:82:12:34:56",'
        '"bssid":"00:11:22:33:44:55","keyMgmt":"SAE","pairwiseCipher":"CCMP",'
        '"groupCipher":"CCMP","state":"COMPLETED","netId":1,"channel":56,'
        '"bandwidth":"HT40+"},"certNeed":[]}}'
    )


async def test_battery_is_admin_only(browser: Browser) -> None:
    await browser.login("user", "123")
    battery = await browser.get(wire.FUNCTION_BATTERY, cookies={"sid": browser.sid})
    assert battery.status == 401  # a fresh session: permission, not expiry
    wifi = await browser.get(wire.FUNCTION_WIFI_STATUS, cookies={"sid": browser.sid})
    assert wifi.json["status"]["connected"] is True
    status = await browser.cti(wire.FUNCTION_PHONE_STATUS)
    assert status.json["body"] == "available"


async def test_handset_control_and_events(
    browser: Browser, cti: Cti, simulator: PhoneSimulator, receiver: Receiver
) -> None:
    await browser.login()
    slots = {
        "22568": f"{receiver.url}/low?b=$battery&m=$mac",
        "22570": f"{receiver.url}/ok?b=$battery",
        "22171": f"{receiver.url}/answered?r=$remote",
    }
    answer = await browser.request(
        "PUT",
        wire.FUNCTION_CONFIG_UPDATE,
        cookies={"sid": browser.sid},
        json_body={"alias": {}, "pvalue": slots},
    )
    assert answer.json["body"] == {"status": "right"}
    state = await cti.control(
        "handset",
        {"battery": 12, "signal": 1, "ssid": "Lab", "bssid": "c0:74:ad:01:02:03"},
    )
    assert state == {
        "battery": 12,
        "battery_status": "Discharging",
        "signal": 1,
        "connected": True,
        "ssid": "Lab",
        "bssid": "C0:74:AD:01:02:03",
        "channel": 56,
    }
    (path,) = await receiver.wait_for(1)
    assert path == "/low?b=12&m=000b82123456"
    await cti.control("handset", {"battery": 80, "connected": False})
    assert (await receiver.wait_for(2))[1] == "/ok?b=80"
    wifi = await browser.get(wire.FUNCTION_WIFI_STATUS, cookies={"sid": browser.sid})
    assert wifi.json["status"]["signal"] == 0  # not connected
    assert wifi.json["status"]["connection"]["state"] == "DISCONNECTED"
    assert wifi.json["status"]["connection"]["bssid"] == "C0:74:AD:01:02:03"
    await cti.control("handset", {"battery_status": "Charging", "channel": 100})
    battery = await browser.get(wire.FUNCTION_BATTERY, cookies={"sid": browser.sid})
    assert battery.json["battery"]["status"] == "Charging"
    simulator.phone.incoming("+15555550100")
    await browser.cti(wire.FUNCTION_PHONE_OPERATION, cmd="acceptcall", arg="")
    assert (await receiver.wait_for(3))[2] == "/answered?r=+15555550100"
    for body in (
        {"battery": 101},
        {"signal": 5},
        {"connected": "yes"},
        {"battery_status": "Exploding"},
        {"battery": 3, "channel": "six"},
    ):
        async with cti.session.post(
            f"{simulator.url}/sim/handset", json=body, ssl=False
        ) as response:
            assert response.status == 400
    assert (await cti.state())["handset"]["battery"] == 80
