"""The web stack's header rules: same origin (403), Content-Length (411),
PUT-only config_update (501). GETs and passcode requests are lenient.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from custom_components.grandstream_cti.cti import wire
from simulator import PhoneSimulator, SimulatorConfig
from tests.simulator.conftest import Browser, Cti

LOGIN = {"username": "admin", "password": "admin"}


def profile(name: str, **settings: Any) -> SimulatorConfig:
    return SimulatorConfig(profile=name, manual_clock=True, **settings)


async def test_post_needs_same_origin(
    browser: Browser, simulator: PhoneSimulator
) -> None:
    url = simulator.url
    port = simulator.port
    refused = [
        {},  # neither header
        {"Referer": "http://192.0.2.1/"},
        {"Origin": f"http://127.0.0.1:{port + 1}"},
        {"Origin": url, "Referer": "http://evil.example/"},  # one is foreign
        {"Origin": "null"},
    ]
    for headers in refused:
        answer = await browser.post(
            wire.FUNCTION_DOLOGIN, LOGIN, headers=headers, origin=False
        )
        assert answer.status == 403, headers
        assert answer.headers["Content-Type"].startswith("text/html")
    assert simulator.password_requests == []  # refused before the password
    for headers in ({"Referer": url + "/login"}, {"Origin": url}):
        answer = await browser.post(
            wire.FUNCTION_ACCESS, {"access": "x"}, headers=headers, origin=False
        )
        assert answer.json["response"] == "success", headers


async def test_gets_and_passcode_posts_are_lenient(browser: Browser, cti: Cti) -> None:
    assert (await browser.get(wire.FUNCTION_GET_LOCKOUT, origin=False)).status == 200
    await browser.login()
    config = await browser.get(
        wire.FUNCTION_CONFIG_GET, {"pvalues": "1561", "sid": browser.sid}, origin=False
    )
    assert config.json["configs"][0]["value"] == "1"
    # A passcode CTI POST without Referer (cti-spec clients do that).
    answer = await cti.raw(
        f"/cgi-bin/{wire.FUNCTION_PHONE_STATUS}",
        method="POST",
        data={"passcode": "admin"},
    )
    assert answer.json["body"] == "available"
    # A session POST without Referer is a web request: refused.
    refused = await browser.post(
        wire.FUNCTION_LINE_STATUS, {"sid": browser.sid}, origin=False
    )
    assert refused.status == 403
    # The passcode plus a sid: a web request too.
    refused = await browser.post(
        wire.FUNCTION_MAKE_CALL,
        {"sid": browser.sid, "password": "admin", "phonenumber": "1"},
        origin=False,
    )
    assert refused.status == 403


async def _chunks() -> AsyncIterator[bytes]:
    yield b""


@pytest.mark.parametrize("simulator_config", [profile("wp826")])
async def test_wp826_wants_content_length(browser: Browser) -> None:
    # A streamed body goes chunked: no Content-Length header at all.
    answer = await browser.request("POST", wire.FUNCTION_DOLOGOUT, data=_chunks())
    assert answer.status == 411
    # An empty form with Content-Length: 0 is fine.
    assert (await browser.post(wire.FUNCTION_DOLOGOUT)).json["body"] == "logout"


async def test_grp_takes_chunked_posts(browser: Browser) -> None:
    answer = await browser.request("POST", wire.FUNCTION_DOLOGOUT, data=_chunks())
    assert answer.status == 200


@pytest.mark.parametrize("simulator_config", [profile("gxp2170")])
async def test_gxp2170_config_update_is_put_only(
    browser: Browser, simulator: PhoneSimulator
) -> None:
    await browser.login()
    body = {"alias": {}, "pvalue": {"1561": "0"}}
    answer = await browser.request(
        "POST", wire.FUNCTION_CONFIG_UPDATE, params={"sid": browser.sid}, json_body=body
    )
    assert answer.status == 501
    answer = await browser.request(
        "PUT", wire.FUNCTION_CONFIG_UPDATE, params={"sid": browser.sid}, json_body=body
    )
    assert answer.json == {"response": "success", "body": {"status": "right"}}
    assert simulator.store.value("1561") == "0"


async def test_put_elsewhere_is_501(browser: Browser) -> None:
    answer = await browser.request("PUT", wire.FUNCTION_LINE_STATUS, data="x")
    assert answer.status == 501
