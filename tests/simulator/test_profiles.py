"""Each profile's detection probes, answered without authentication."""

from __future__ import annotations

import json
from typing import Any

import pytest

from custom_components.grandstream_cti.cti import wire
from simulator import PROFILES, PhoneSimulator, SimulatorConfig
from tests.simulator.conftest import Answer, Browser

NAMES = sorted(PROFILES)


def profile(name: str, **settings: Any) -> SimulatorConfig:
    return SimulatorConfig(profile=name, manual_clock=True, **settings)


async def model_define(browser: Browser) -> Answer:
    url = browser.sim.url + wire.MODEL_DEFINE_PATH
    async with browser.session.get(url, ssl=False) as response:
        return Answer(response.status, await response.text(), response.headers)


@pytest.mark.parametrize(
    "simulator_config", [profile(name) for name in NAMES], ids=NAMES
)
async def test_probes(browser: Browser, simulator: PhoneSimulator) -> None:
    name = simulator.profile.name
    model = PROFILES[name].model
    define = await model_define(browser)
    assert define.headers["Server"] == model
    if name == "gxp1625":
        assert define.status == 404
    else:
        document = json.loads(define.text)
        assert document["model"] == model
        assert document["vendor_name"] == "Grandstream"
        assert "mac" not in document
        assert "firmware" not in document
        assert document["defines"]["num_accounts"] == len(simulator.phone.accounts)
    will = await browser.get(wire.FUNCTION_WILL_LOGIN)
    assert will.status == 200
    lockout = await browser.get(wire.FUNCTION_GET_LOCKOUT)
    assert lockout.json == {"response": "success", "body": "ok"}
    access = await browser.post(wire.FUNCTION_ACCESS, {"access": "00"})
    assert access.status == (404 if name == "gxp1625" else 200)
    model_probe = await browser.get(
        wire.FUNCTION_VALUES_GET, {"request": "phone_model"}
    )
    if name == "gxp1625":
        assert model_probe.json["body"] == {"phone_model": "GXP1625"}
    elif name == "gsc3516":  # has api.values, but only after a login
        assert model_probe.json["body"] == {"status": "session-expired"}
    else:
        assert model_probe.status == 404
    assert simulator.url.startswith("https://" if name == "wp826" else "http://")
    assert simulator.password_requests == []
    assert simulator.failed_logins == {}


@pytest.mark.parametrize("simulator_config", [profile("wp826", firmware="1.0.1.87")])
async def test_wp826_old_firmware(browser: Browser, simulator: PhoneSimulator) -> None:
    document = json.loads((await model_define(browser)).text)
    assert list(document) == ["model", "defines", "pvalue_json_checksum"]
    assert document["defines"] == {
        "num_accounts": 3,
        "support_lcd_backlight": True,
        "support_dnd": True,
        "support_bluetooth": True,
    }
    login = await browser.login()
    assert login.json["body"]["ver"] == "1.0.1.87"
    lines = (await browser.cti(wire.FUNCTION_LINE_STATUS, line="-1")).json["body"]
    assert len(lines) == 3
    assert simulator.config.single_session is False


@pytest.mark.parametrize("simulator_config", [profile("gxp2170")])
async def test_no_session_phone_status_is_401(browser: Browser) -> None:
    # GRP answers "unauthorized" with HTTP 200 (phone status), GSC for every
    # api-* function (test_gsc.py); the others 401.
    assert (await browser.get(wire.FUNCTION_PHONE_STATUS)).status == 401


@pytest.mark.parametrize("simulator_config", [profile("wp826")])
async def test_wp826_model_define_as_captured(browser: Browser) -> None:
    # model_define.json of WP826 1.0.3.35: these keys, in this order.
    document = json.loads((await model_define(browser)).text)
    assert list(document) == [
        "model",
        "oem_id",
        "vendor_name",
        "vendor_fullname",
        "defines",
    ]
    assert document["vendor_fullname"] == "Grandstream Networks, Inc."
    assert document["defines"] == {
        "num_accounts": 3,
        "support_lcd_backlight": True,
        "support_dnd": True,
        "support_bluetooth": True,
    }
