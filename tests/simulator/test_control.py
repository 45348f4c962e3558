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
    assert state["profile"] == "grp2614"
    assert state["config"]["profile"] == "grp2614"
    assert state["sessions"] == []
    assert state["tripwires"] == []
    assert state["password_requests"] == 0
    assert state["locks"]["admin"] == {
        "failures": 0,
        "locked": False,
        "remaining_seconds": 0.0,
    }
    assert state["config_store"]["1561"] == "1"
    assert state["config_store"][":dnd"] == "0"
    assert "2" not in state["config_store"]  # the admin password key
    assert state["handset"] is None


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
    assert (await cti.ok(wire.FUNCTION_PHONE_STATUS))["body"] == "available"
    state = await cti.state()
    assert (state["dnd"], state["config_store"][":dnd"]) == (True, "1")
    await cti.control("dnd", {"on": False})
    assert (await cti.state())["config_store"][":dnd"] == "0"


async def test_control_page(cti: Cti) -> None:
    await cti.control("action_url", {"url": "http://ha.local/hook?a=1&b=2"})
    await cti.control("action_url", {"urls": {"P8310": "http://ha.local/in?r=$remote"}})
    for path in ("/", "/sim/"):
        answer = await cti.raw(path)
        assert answer.status == 200
        assert "GRP2614 simulator" in answer.text
        assert answer.headers["Server"] == "GRP2614"
        # The Action URL form (scripts/develop points users here) and the slots.
        assert '<form id="action_url"' in answer.text
        assert "post('action_url',{url:v('base')})" in answer.text
        assert 'value="http://ha.local/hook?a=1&amp;b=2"' in answer.text
        assert (
            '<td>P8310</td><td>incoming_call</td><td><input class="slot"'
            ' data-slot="P8310" size="70" value="http://ha.local/in?r=$remote">'
        ) in answer.text
        assert 'data-slot="P8311" size="70" value=""' in answer.text
        assert "P22171" not in answer.text  # a WP8x6 field
        assert "saveSlots()" in answer.text
        assert "post('voicemail',{account:1,leave:1})" in answer.text


async def test_sessions_and_clock_controls(cti: Cti, simulator: PhoneSimulator) -> None:
    assert (await cti.raw("/sim/clock")).json["offset"] == 0
    assert (await cti.control("clock", {"advance": 2.5}))["offset"] == 2.5
    assert (await cti.raw("/sim/sessions")).json["sessions"] == []
    assert (await cti.control("sessions", {"expire": "all"}))["expired"] == 0
    assert (await cti.raw("/sim/sessions", method="DELETE")).json["expired"] == 0
    for path, body in (
        ("sessions", {"expire": 5}),
        ("handset", {"battery": 5}),  # not a handset profile
        ("config", {"lockout_attempts": True}),
        ("config", {"profile": "wp826"}),  # read-only
        ("config", {"strict_session": "yes"}),
        ("config", {"ha_control": 0}),
    ):
        async with cti.session.post(f"{cti.sim.url}/sim/{path}", json=body) as response:
            assert response.status == 400


async def test_config_settings(cti: Cti, simulator: PhoneSimulator) -> None:
    public = await cti.control(
        "config",
        {
            "user_web_access": False,
            "single_session": False,
            "session_idle_seconds": 30,
            "lockout_attempts": 3,
            "lockout_minutes": 10,
            "session_api": True,
            "admin_username": "boss",
        },
    )
    assert public["user_web_access"] is False
    assert public["session_idle_seconds"] == 30
    assert public["admin_username"] == "boss"
    assert simulator.config.lockout_attempts == 3


async def test_unknown_path_still_names_the_family(cti: Cti) -> None:
    answer = await cti.raw("/nothing/here")
    assert answer.status == 404
    assert answer.headers["Server"] == "GRP2614"
