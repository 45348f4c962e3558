"""Sessions: where the sid may travel per profile, single session, idle expiry
on the driven clock, and what an expired session looks like per endpoint.
"""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.grandstream_cti.cti import wire
from simulator import PhoneSimulator, SimulatorConfig, wire as sim_wire
from tests.simulator.conftest import Answer, Browser, Cti

EXPIRED = {"response": "error", "body": {"status": "session-expired"}}
LINE = wire.FUNCTION_LINE_STATUS


def profile(name: str, **settings: Any) -> SimulatorConfig:
    return SimulatorConfig(profile=name, manual_clock=True, **settings)


async def present(browser: Browser, function: str, placement: str) -> Answer:
    """Send `function` with the sid in one place only."""
    params = {
        wire.FUNCTION_CONFIG_GET: {"pvalues": ":dnd"},
        wire.FUNCTION_VALUES_GET: {"request": "P68"},
    }.get(function, {})
    sid = browser.sid
    if placement == "form":
        return await browser.post(function, {**params, "sid": sid})
    if placement == "query":
        return await browser.get(function, {**params, "sid": sid})
    cookie = {"cookie_sid": "sid", "cookie_identity": "session-identity"}[placement]
    return await browser.get(function, params, cookies={cookie: sid})


def accepted(answer: Answer) -> bool:
    if answer.status != 200:
        return False
    data = answer.json
    return "configs" in data or data.get("response") == "success"


PLACEMENTS = [
    # WP826: Cookie sid suffices; form and query work; not session-identity.
    ("wp826", LINE, "cookie_sid", True),
    ("wp826", LINE, "cookie_identity", False),
    ("wp826", LINE, "form", True),
    ("wp826", LINE, "query", True),
    ("wp826", wire.FUNCTION_CONFIG_GET, "cookie_sid", True),
    # GXP2170: its cookies for api-*, but config_get needs sid in the query.
    ("gxp2170", LINE, "cookie_identity", True),
    ("gxp2170", LINE, "cookie_sid", False),
    ("gxp2170", LINE, "form", True),
    ("gxp2170", wire.FUNCTION_CONFIG_GET, "cookie_identity", False),
    ("gxp2170", wire.FUNCTION_CONFIG_GET, "query", True),
    # GXP1625: api.values.* need the sid field; cookies do for api-*.
    ("gxp1625", wire.FUNCTION_VALUES_GET, "cookie_identity", False),
    ("gxp1625", wire.FUNCTION_VALUES_GET, "form", True),
    ("gxp1625", wire.FUNCTION_VALUES_GET, "query", True),
    ("gxp1625", wire.FUNCTION_PHONE_STATUS, "cookie_identity", True),
    # GRP and GSC: anywhere.
    ("grp2614", LINE, "cookie_sid", True),
    ("grp2614", LINE, "cookie_identity", True),
    ("grp2614", LINE, "form", True),
    ("grp2614", wire.FUNCTION_CONFIG_GET, "query", True),
    ("grp2614", wire.FUNCTION_CONFIG_GET, "cookie_sid", True),
    ("gsc3516", LINE, "cookie_sid", True),
    ("gsc3516", wire.FUNCTION_VALUES_GET, "cookie_identity", True),
]


@pytest.mark.parametrize(
    ("simulator_config", "function", "placement", "ok"),
    [(profile(name), function, place, ok) for name, function, place, ok in PLACEMENTS],
    ids=[f"{n}-{f}-{p}" for n, f, p, _ in PLACEMENTS],
)
async def test_sid_placement(
    browser: Browser, function: str, placement: str, ok: bool
) -> None:
    assert (await browser.login()).json["response"] == "success"
    answer = await present(browser, function, placement)
    assert accepted(answer) is ok, answer.text


@pytest.mark.parametrize("simulator_config", [profile("grp2614")])
async def test_single_session_kicks_out_the_previous_login(
    browser: Browser, simulator: PhoneSimulator
) -> None:
    await browser.login()
    first = browser.sid
    await browser.login("user", "123")
    user = browser.sid
    await browser.login()
    second = browser.sid
    assert (await browser.post(LINE, {"sid": first})).status == 401
    assert (await browser.post(LINE, {"sid": second})).status == 200
    assert (await browser.post(LINE, {"sid": user})).status == 200  # other account
    assert len(simulator.sessions.sessions) == 2


@pytest.mark.parametrize(
    "simulator_config",
    [
        profile("wp826", firmware="1.0.1.87"),
        profile("grp2614", single_session=False),
    ],
    ids=["wp826-1.0.1.87", "switch"],
)
async def test_parallel_sessions(browser: Browser) -> None:
    await browser.login()
    first = browser.sid
    await browser.login()
    assert (await browser.post(LINE, {"sid": first})).status == 200
    assert (await browser.post(LINE, {"sid": browser.sid})).status == 200


@pytest.mark.parametrize("simulator_config", [profile("wp826")])
async def test_idle_expiry_and_refresh(
    browser: Browser, simulator: PhoneSimulator
) -> None:
    await browser.login()
    for _ in range(3):  # each request refreshes the idle timer
        simulator.clock.advance(59)
        assert (await browser.cti(LINE, line="-1")).status == 200
    # update_session=false reads do not count as activity.
    simulator.clock.advance(40)
    quiet = await browser.cti(LINE, line="-1", update_session="false")
    assert quiet.status == 200
    simulator.clock.advance(21)
    assert (await browser.cti(LINE, line="-1")).status == 401
    assert simulator.sessions.sessions == {}


@pytest.mark.parametrize(
    "simulator_config",
    [profile("gxp2170", session_idle_seconds=10)],
)
async def test_keep_alives_refresh(browser: Browser, simulator: PhoneSimulator) -> None:
    await browser.login()
    simulator.clock.advance(9)
    refresh = await browser.post(sim_wire.FUNCTION_DOREFRESH, {"sid": browser.sid})
    assert refresh.json == {"response": "success", "body": "ok"}
    simulator.clock.advance(9)
    will = await browser.post(wire.FUNCTION_WILL_LOGIN, {"sid": browser.sid})
    assert will.status == 200
    simulator.clock.advance(9)
    assert (await browser.cti(LINE)).status == 200
    simulator.clock.advance(11)
    assert (
        await browser.post(sim_wire.FUNCTION_DOREFRESH, {"sid": browser.sid})
    ).status == 401


@pytest.mark.parametrize("simulator_config", [profile("grp2614")])
async def test_expiry_answers_grp(
    browser: Browser, cti: Cti, simulator: PhoneSimulator
) -> None:
    await browser.login()
    assert (await cti.control("sessions", {"expire": "all"}))["expired"] == 1
    line = await browser.cti(LINE, line="-1")
    assert line.status == 401
    assert line.headers["Content-Type"].startswith("text/html")
    status = await browser.cti(wire.FUNCTION_PHONE_STATUS)
    assert (status.status, status.json) == (
        200,
        {"response": "success", "body": "unauthorized"},
    )
    config = await browser.get(
        wire.FUNCTION_CONFIG_GET, {"pvalues": "1561", "sid": browser.sid}
    )
    assert (config.status, config.json) == (200, EXPIRED)
    update = await browser.request(
        "PUT",
        wire.FUNCTION_CONFIG_UPDATE,
        params={"sid": browser.sid},
        json_body={"alias": {}, "pvalue": {"1561": "0"}},
    )
    assert update.status == 401
    assert simulator.config.click_to_dial is True


@pytest.mark.parametrize("simulator_config", [profile("wp826")])
async def test_expiry_answers_wp826(browser: Browser, cti: Cti) -> None:
    await browser.login()
    async with cti.session.delete(f"{cti.sim.url}/sim/sessions", ssl=False) as response:
        assert (await response.json())["expired"] == 1
    assert (await browser.cti(wire.FUNCTION_PHONE_STATUS)).status == 401
    battery = await browser.get(wire.FUNCTION_BATTERY, cookies={"sid": browser.sid})
    assert battery.status == 401


@pytest.mark.parametrize("simulator_config", [profile("gxp1625")])
async def test_expiry_answers_gxp1625(browser: Browser, cti: Cti) -> None:
    await browser.login()
    await cti.control("sessions", {"expire": "admin"})
    for function in (wire.FUNCTION_VALUES_GET, wire.FUNCTION_VALUES_POST):
        answer = await browser.post(function, {"request": "P68", "sid": browser.sid})
        assert (answer.status, answer.json) == (200, EXPIRED)


@pytest.mark.parametrize(
    "simulator_config", [profile("gxp1625", quirks={"expire_after_read": True})]
)
async def test_session_expired_right_after_a_read(
    browser: Browser, simulator: PhoneSimulator
) -> None:
    await browser.login()
    read = await browser.post(
        wire.FUNCTION_VALUES_GET, {"request": "P8310", "sid": browser.sid}
    )
    assert read.json == {"response": "success", "body": {"P8310": ""}}
    write = await browser.post(
        wire.FUNCTION_VALUES_POST, {"P8310": "http://ha/x", "sid": browser.sid}
    )
    assert write.json == EXPIRED
    assert simulator.store.value("P8310") == ""
    await browser.login()  # a fresh session writes fine (until it reads)
    write = await browser.post(
        wire.FUNCTION_VALUES_POST, {"P8310": "http://ha/x", "sid": browser.sid}
    )
    assert write.json == {"response": "success", "body": {"status": "right"}}
    assert simulator.store.value("P8310") == "http://ha/x"


@pytest.mark.parametrize(
    "simulator_config", [SimulatorConfig(passcode="Pa55word!", manual_clock=True)]
)
async def test_state_never_shows_full_sids_or_passwords(
    browser: Browser, cti: Cti
) -> None:
    await browser.login("admin", "Pa55word!")
    await cti.call(wire.FUNCTION_PHONE_STATUS, passcode="Pa55word!")
    state = await cti.state()
    (session,) = state["sessions"]
    assert session["username"] == "admin"
    assert session["role"] == "admin"
    assert session["sid"] == browser.sid[:6] + "…"
    assert state["password_requests"] == 2
    for path in ("/sim/state", "/sim/log", "/sim/sessions", "/sim/"):
        text = (await cti.raw(path)).text
        assert browser.sid not in text
        assert "Pa55word!" not in text
    sessions = (await cti.raw("/sim/sessions")).json
    assert sessions["sessions"] == state["sessions"]
    log = (await cti.raw("/sim/log")).json
    assert [entry["function"] for entry in log] == [
        "access",
        "dologin",
        "api-get_phone_status",
    ]
    assert log[0]["params"] == {}  # the access hash is removed
    assert log[1]["params"] == {"username": "admin"}
    assert [entry["auth"] for entry in log] == ["none", "password", "passcode"]


@pytest.mark.parametrize(
    "simulator_config", [profile("wp826", strict_session=True)], ids=["strict"]
)
async def test_strict_sessions(browser: Browser, cti: Cti) -> None:
    # As the WP826 integration's capture-built fake checks: the sid cookie only,
    # and every non-GET web request with Referer exactly `<scheme>://<host>/`.
    url = browser.sim.url
    exact = {"Referer": url + "/"}
    for headers in ({"Origin": url}, {"Referer": url + "/login"}, {}):
        answer = await browser.post(
            wire.FUNCTION_ACCESS, {"access": "x"}, headers=headers, origin=False
        )
        assert answer.status == 403, headers
    assert (await browser.login()).json["response"] == "success"  # sends both
    cookie = {"sid": browser.sid}
    line = await browser.post(LINE, {"line": "-1"}, cookies=cookie, origin=False)
    assert line.status == 403  # no Referer
    line = await browser.post(
        LINE, {"line": "-1"}, cookies=cookie, headers=exact, origin=False
    )
    assert line.status == 200
    for placement in ("form", "query"):
        assert (await present(browser, LINE, placement)).status == 401, placement
    config = await present(browser, wire.FUNCTION_CONFIG_GET, "query")
    assert config.json == EXPIRED
    config = await present(browser, wire.FUNCTION_CONFIG_GET, "cookie_sid")
    assert config.json["configs"][0]["value"] == "0"
    # Switched off at run time: the query sid works again.
    settings = await cti.control("config", {"strict_session": False})
    assert settings["strict_session"] is False
    assert (await present(browser, LINE, "query")).status == 200
