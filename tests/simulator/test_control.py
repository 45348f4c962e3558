"""The /sim/ control API: state, accounts, DND, incoming errors, the page."""

from __future__ import annotations

from custom_components.grandstream_cti.cti import wire
from simulator import PhoneSimulator
from tests.simulator.conftest import Cti


async def test_state_shape(cti: Cti, simulator: PhoneSimulator) -> None:
    state = await cti.state()
    assert state["model"] == "GRP2614"
    assert state["mac"] == "00:0B:82:12:34:56"
    assert state["firmware"] == "1.0.13.22"
    assert state["phone_status"] == "available"
    assert state["online"] is True
    assert state["rebooting"] is False
    assert state["dnd"] is False
    assert state["faults"] == {"kind": "none", "seconds": 0.0}
    assert len(state["accounts"]) == 4
    assert len(state["lines"]) == 8
    assert state["url"] == simulator.url
    assert state["config"]["cti_enabled"] is True


async def test_incoming_via_control_and_state(cti: Cti) -> None:
    assert await cti.control(
        "incoming", {"number": "100", "name": "Fay", "line": 2}
    ) == {"line": 2}
    state = await cti.state()
    assert state["phone_status"] == "ringing"
    line = state["lines"][1]
    assert line["state"] == "ringing"
    assert line["remote_name"] == "Fay"
    assert state["events"][-1]["event"] == "incoming_call"


async def test_incoming_errors(cti: Cti) -> None:
    for body in (
        {},
        {"number": ""},
        {"number": "1", "line": 99},
        {"number": "1", "line": "x"},
    ):
        async with cti.session.post(
            f"{cti.sim.url}/sim/incoming", json=body
        ) as response:
            assert response.status == 400
            assert "error" in await response.json()
    async with cti.session.post(
        f"{cti.sim.url}/sim/incoming", data="not json"
    ) as response:
        assert response.status == 400


async def test_account_registration(cti: Cti) -> None:
    assert await cti.control("account", {"account": 2, "registered": True}) == {
        "ok": True
    }
    accounts = (await cti.ok(wire.FUNCTION_ACCOUNTS))["body"]
    assert [account["reg"] for account in accounts] == [1, 1, 0, 0]
    await cti.control("account", {"account": 1, "registered": False})
    accounts = (await cti.ok(wire.FUNCTION_ACCOUNTS))["body"]
    assert accounts[0]["reg"] == 0
    async with cti.session.post(
        f"{cti.sim.url}/sim/account", json={"account": 3, "registered": True}
    ) as response:
        assert response.status == 400


async def test_dnd(cti: Cti) -> None:
    await cti.control("dnd", {"on": True})
    assert (await cti.ok(wire.FUNCTION_PHONE_STATUS))["body"] == "dnd"
    assert (await cti.state())["dnd"] is True
    await cti.control("dnd", {"on": False})
    assert (await cti.ok(wire.FUNCTION_PHONE_STATUS))["body"] == "available"


async def test_control_page(cti: Cti) -> None:
    for path in ("/", "/sim/"):
        answer = await cti.raw(path)
        assert answer.status == 200
        assert "GRP2614 simulator" in answer.text
        assert answer.headers["Server"] == "GRP2614"


async def test_unknown_path_still_names_the_family(cti: Cti) -> None:
    answer = await cti.raw("/nothing/here")
    assert answer.status == 404
    assert answer.headers["Server"] == "GRP2614"
