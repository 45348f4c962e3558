"""Firmware quirks switched on through /sim/quirks (the defaults follow captures)."""

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
        "text_plain": False,
        "string_numbers": False,
        "acct_one_based": False,
        "active_flag": False,
        "caller_names": False,
        "unknown_fields": False,
        "status_connected": False,
        "status_dnd": False,
        "flat_model_define": False,
        "expire_after_read": False,
    }


async def test_typographic_quotes(cti: Cti) -> None:
    await cti.control("quirks", {"typographic_quotes": True})
    answer = await cti.call(wire.FUNCTION_PHONE_STATUS)
    assert answer.text == "{“response”:“success”,“body”:“available”,“misc”:“0”}"
    assert '"' not in answer.text


@pytest.mark.parametrize(
    ("quirk", "content_type"),
    [("text_html", "text/html"), ("text_plain", "text/plain")],
)
async def test_content_type_quirks(cti: Cti, quirk: str, content_type: str) -> None:
    await cti.control("quirks", {quirk: True})
    answer = await cti.call(wire.FUNCTION_PHONE_STATUS)
    assert answer.headers["Content-Type"].startswith(content_type)
    assert answer.json["body"] == "available"


async def test_string_numbers(cti: Cti, simulator: PhoneSimulator) -> None:
    simulator.phone.incoming("100", "Dan", account=2)
    await cti.control("quirks", {"string_numbers": True})
    line = (await cti.ok(wire.FUNCTION_LINE_STATUS))["body"][0]
    assert (line["line"], line["acct"], line["active"], line["conf"]) == (
        "1",
        "1",
        "0",
        "0",
    )
    account = (await cti.ok(wire.FUNCTION_ACCOUNTS))["body"][0]
    assert account["id"] == "1"
    assert account["reg"] == "1"
    await cti.control("quirks", {"string_numbers": False})
    assert (await cti.ok(wire.FUNCTION_LINE_STATUS))["body"][0]["acct"] == 1


async def test_acct_one_based_and_active_flag(
    cti: Cti, simulator: PhoneSimulator
) -> None:
    simulator.phone.incoming("100", account=2)
    await cti.control("quirks", {"acct_one_based": True, "active_flag": True})
    lines = (await cti.ok(wire.FUNCTION_LINE_STATUS))["body"]
    assert (lines[0]["acct"], lines[0]["active"]) == (2, 1)
    assert (lines[1]["acct"], lines[1]["active"]) == ("", 0)  # idle


async def test_caller_names(cti: Cti, simulator: PhoneSimulator) -> None:
    await cti.control("quirks", {"caller_names": True})
    simulator.phone.incoming("100", "Erin")
    assert (await cti.ok(wire.FUNCTION_LINE_STATUS))["body"][0]["remotename"] == "Erin"
    await cti.ok(wire.FUNCTION_PHONE_OPERATION, cmd="acceptcall")
    assert (await cti.ok(wire.FUNCTION_LINE_STATUS))["body"][0]["remotename"] == "Erin"
    simulator.phone.incoming("101")  # no name: the number once connected
    assert (await cti.ok(wire.FUNCTION_LINE_STATUS))["body"][1]["remotename"] == ""


async def test_unknown_fields(cti: Cti) -> None:
    await cti.control("quirks", {"unknown_fields": True})
    line = (await cti.ok(wire.FUNCTION_LINE_STATUS))["body"][0]
    assert "ext_flag" in line
    account = (await cti.ok(wire.FUNCTION_ACCOUNTS))["body"][0]
    assert "ext_flag" in account


async def test_status_connected(cti: Cti, simulator: PhoneSimulator) -> None:
    await cti.control("quirks", {"status_connected": True})
    simulator.phone.incoming("100")
    assert (await cti.ok(wire.FUNCTION_PHONE_STATUS))["body"] == "ringing"
    simulator.phone.accept_call()
    assert (await cti.ok(wire.FUNCTION_PHONE_STATUS))["body"] == "connected"


async def test_bad_quirks_are_refused(cti: Cti) -> None:
    # Quirks that became the defaults are gone (acct_zero_based, extra_fields...).
    for body in (
        {"sparkles": True},
        {"text_html": "yes"},
        {"acct_zero_based": True},
        {"extra_fields": True},
        {"remote_name_empty_while_ringing": True},
    ):
        async with cti.session.post(f"{cti.sim.url}/sim/quirks", json=body) as response:
            assert response.status == 400


@pytest.mark.parametrize(
    "simulator_config", [SimulatorConfig(quirks={"typographic_quotes": True})]
)
async def test_quirks_from_config(cti: Cti) -> None:
    answer = await cti.call(wire.FUNCTION_PHONE_STATUS)
    with pytest.raises(json.JSONDecodeError):
        answer.json  # noqa: B018
