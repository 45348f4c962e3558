"""Firmware quirks switched on through /sim/quirks."""

from __future__ import annotations

import json

import pytest

from custom_components.grandstream_cti.cti import wire
from simulator import PhoneSimulator, SimulatorConfig
from tests.simulator.conftest import Cti


async def test_quirks_default_off_and_listed(cti: Cti) -> None:
    quirks = (await cti.state())["quirks"]
    assert quirks == {
        "typographic_quotes": False,
        "text_html": False,
        "string_numbers": False,
        "acct_zero_based": False,
        "extra_fields": False,
        "remote_name_empty_while_ringing": False,
    }


async def test_typographic_quotes(cti: Cti) -> None:
    await cti.control("quirks", {"typographic_quotes": True})
    answer = await cti.call(wire.FUNCTION_PHONE_STATUS)
    assert answer.text == "{“response”:“success”,“body”:“available”,“misc”:“0”}"
    assert '"' not in answer.text


async def test_text_html_content_type(cti: Cti) -> None:
    await cti.control("quirks", {"text_html": True})
    answer = await cti.call(wire.FUNCTION_PHONE_STATUS)
    assert answer.headers["Content-Type"].startswith("text/html")
    assert answer.json["body"] == "available"


async def test_string_numbers_and_zero_based_acct(
    cti: Cti, simulator: PhoneSimulator
) -> None:
    simulator.phone.incoming("100", "Dan")
    await cti.control("quirks", {"string_numbers": True, "acct_zero_based": True})
    line = (await cti.ok(wire.FUNCTION_LINE_STATUS))["body"][0]
    assert line["line"] == "1"
    assert line["acct"] == "0"
    assert line["active"] == "1"
    account = (await cti.ok(wire.FUNCTION_ACCOUNTS))["body"][0]
    assert account["id"] == "1"
    assert account["reg"] == "1"
    await cti.control("quirks", {"string_numbers": False})
    assert (await cti.ok(wire.FUNCTION_LINE_STATUS))["body"][0]["acct"] == 0


async def test_extra_fields(cti: Cti) -> None:
    await cti.control("quirks", {"extra_fields": True})
    line = (await cti.ok(wire.FUNCTION_LINE_STATUS))["body"][0]
    assert line["conf"] == 0
    assert "ext_flag" in line
    account = (await cti.ok(wire.FUNCTION_ACCOUNTS))["body"][0]
    assert account["auto_cfg"] == ""


async def test_remote_name_empty_while_ringing(
    cti: Cti, simulator: PhoneSimulator
) -> None:
    await cti.control("quirks", {"remote_name_empty_while_ringing": True})
    simulator.phone.incoming("100", "Erin")
    assert (await cti.ok(wire.FUNCTION_LINE_STATUS))["body"][0]["remotename"] == ""
    await cti.ok(wire.FUNCTION_PHONE_OPERATION, cmd="acceptcall")
    assert (await cti.ok(wire.FUNCTION_LINE_STATUS))["body"][0]["remotename"] == "Erin"


async def test_bad_quirks_are_refused(cti: Cti) -> None:
    for body in ({"sparkles": True}, {"text_html": "yes"}):
        async with cti.session.post(f"{cti.sim.url}/sim/quirks", json=body) as response:
            assert response.status == 400


@pytest.mark.parametrize(
    "simulator_config", [SimulatorConfig(quirks={"typographic_quotes": True})]
)
async def test_quirks_from_config(cti: Cti) -> None:
    answer = await cti.call(wire.FUNCTION_PHONE_STATUS)
    with pytest.raises(json.JSONDecodeError):
        answer.json  # noqa: B018
