"""Every CTI function, its envelope, authentication and the unauthenticated file."""

from __future__ import annotations

import json

import aiohttp
import pytest

from custom_components.grandstream_cti.cti import wire
from simulator import MODELS, PhoneSimulator, SimulatorConfig
from tests.simulator.conftest import Cti


async def test_line_status_lists_every_line_idle(cti: Cti) -> None:
    data = await cti.ok(wire.FUNCTION_LINE_STATUS)
    assert data["response"] == "success"
    body = data["body"]
    assert len(body) == MODELS["GRP2614"].lines == 8
    # As captured on a WP826: acct 0 and conf 0 on idle lines too.
    assert body[0] == {
        "line": 1,
        "conf": 0,
        "state": "idle",
        "acct": 0,
        "active": 0,
        "remotename": "",
        "remotenumber": "",
    }
    assert list(body[0]) == [
        "line",
        "conf",
        "state",
        "acct",
        "active",
        "remotename",
        "remotenumber",
    ]
    assert [line["line"] for line in body] == list(range(1, 9))


async def test_line_status_accepts_line_minus_one(cti: Cti) -> None:
    data = await cti.ok(wire.FUNCTION_LINE_STATUS, line="-1")
    assert len(data["body"]) == 8


async def test_phone_status_has_misc_and_compact_json(cti: Cti) -> None:
    answer = await cti.call(wire.FUNCTION_PHONE_STATUS)
    assert answer.text == '{"response":"success","body":"available","misc":"0"}'
    assert answer.headers["Content-Type"].startswith("application/json")
    assert answer.headers["Server"] == "GRP2614"


async def test_phone_status_derivation(cti: Cti, simulator: PhoneSimulator) -> None:
    # No `dnd` status (no capture or vendor list has one): DND does not show.
    simulator.phone.set_dnd(True)
    assert (await cti.ok(wire.FUNCTION_PHONE_STATUS))["body"] == "available"
    line = simulator.phone.incoming("+15555550100")
    assert (await cti.ok(wire.FUNCTION_PHONE_STATUS))["body"] == "ringing"
    await cti.ok(wire.FUNCTION_PHONE_OPERATION, cmd="acceptcall")
    assert (await cti.ok(wire.FUNCTION_PHONE_STATUS))["body"] == "busy"
    simulator.phone.remote_hangup(line)
    assert (await cti.ok(wire.FUNCTION_PHONE_STATUS))["body"] == "available"
    # The old `dnd` word is an opt-in quirk, and only while idle.
    await cti.control("quirks", {"status_dnd": True})
    assert (await cti.ok(wire.FUNCTION_PHONE_STATUS))["body"] == "dnd"
    simulator.phone.incoming("+15555550100")
    assert (await cti.ok(wire.FUNCTION_PHONE_STATUS))["body"] == "ringing"


async def test_phone_status_unavailable_without_registration(
    cti: Cti, simulator: PhoneSimulator
) -> None:
    simulator.phone.set_registered(1, False)
    assert (await cti.ok(wire.FUNCTION_PHONE_STATUS))["body"] == "unavailable"
    simulator.phone.incoming("100")
    assert (await cti.ok(wire.FUNCTION_PHONE_STATUS))["body"] == "ringing"
    simulator.phone.remote_hangup(1)
    simulator.phone.set_dnd(True)
    assert (await cti.ok(wire.FUNCTION_PHONE_STATUS))["body"] == "unavailable"


async def test_accounts_default(cti: Cti) -> None:
    data = await cti.ok(wire.FUNCTION_ACCOUNTS)
    assert data["response"] == "success"
    empty = {"name": "", "sip_id": "", "sip_server": "", "auto_cfg": "", "reg": 0}
    assert data["body"] == [
        {
            "id": 1,
            "name": "Alice",
            "sip_id": "1001",
            "sip_server": "pbx.example.com",
            "auto_cfg": "",
            "reg": 1,
        },
        {
            "id": 2,
            "name": "Bob",
            "sip_id": "1002",
            "sip_server": "pbx.example.com",
            "auto_cfg": "",
            "reg": 0,
        },
        {"id": 3, **empty},
        {"id": 4, **empty},
    ]


@pytest.mark.parametrize(
    "simulator_config",
    [
        SimulatorConfig(
            model="GRP2601",
            accounts=[{"name": "Desk", "sip_id": "200", "sip_server": "sip.local"}],
        )
    ],
)
async def test_model_preset_and_account_override(cti: Cti) -> None:
    accounts = (await cti.ok(wire.FUNCTION_ACCOUNTS))["body"]
    assert accounts == [
        {
            "id": 1,
            "name": "Desk",
            "sip_id": "200",
            "sip_server": "sip.local",
            "auto_cfg": "",
            "reg": 1,
        },
        {"id": 2, "name": "", "sip_id": "", "sip_server": "", "auto_cfg": "", "reg": 0},
    ]
    assert len((await cti.ok(wire.FUNCTION_LINE_STATUS))["body"]) == 2
    answer = await cti.call(wire.FUNCTION_PHONE_STATUS)
    assert answer.headers["Server"] == "GRP2601"


def test_unknown_model_or_profile_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown model"):
        PhoneSimulator(SimulatorConfig(model="GRP9999"))
    with pytest.raises(ValueError, match="Unknown profile"):
        PhoneSimulator(SimulatorConfig(profile="gxp9999"))


@pytest.mark.parametrize("passcode", ["admin", "123"])
async def test_admin_and_user_passcode(cti: Cti, passcode: str) -> None:
    answer = await cti.call(wire.FUNCTION_PHONE_STATUS, passcode=passcode)
    assert answer.status == 200
    assert answer.json["body"] == "available"


@pytest.mark.parametrize("passcode", ["wrong", ""])
async def test_wrong_passcode_is_401_html(
    cti: Cti, simulator: PhoneSimulator, passcode: str
) -> None:
    answer = await cti.call(wire.FUNCTION_PHONE_STATUS, passcode=passcode)
    assert answer.status == 401
    assert answer.headers["Content-Type"].startswith("text/html")
    assert "401" in answer.text
    assert simulator.auth_failures == 1
    assert simulator.failed_logins == {"admin": 1}  # counts toward the lockout
    assert simulator.password_requests == [
        {
            "function": "api-get_phone_status",
            "kind": "passcode",
            "username": "admin",
            "ok": False,
        }
    ]


async def test_no_credentials(cti: Cti, simulator: PhoneSimulator) -> None:
    # GRP: phone status without a session says "unauthorized" (HTTP 200).
    answer = await cti.call(wire.FUNCTION_PHONE_STATUS, passcode=None)
    assert answer.status == 200
    assert answer.json == {"response": "success", "body": "unauthorized"}
    for function in (wire.FUNCTION_LINE_STATUS, wire.FUNCTION_ACCOUNTS):
        assert (await cti.call(function, passcode=None)).status == 401
    assert simulator.auth_failures == 0  # no password, no failed attempt
    assert simulator.password_requests == []


@pytest.mark.parametrize("simulator_config", [SimulatorConfig(session_api=False)])
async def test_passcode_only_firmware(cti: Cti) -> None:
    answer = await cti.call(wire.FUNCTION_PHONE_STATUS, passcode=None)
    assert answer.status == 401
    for function in (wire.FUNCTION_WILL_LOGIN, wire.FUNCTION_ACCESS, "config_get"):
        assert (await cti.call(function, passcode=None)).status == 404
    assert (await cti.ok(wire.FUNCTION_PHONE_STATUS))["body"] == "available"


async def test_password_parameter_is_accepted(cti: Cti) -> None:
    answer = await cti.call(
        wire.FUNCTION_MAKE_CALL, passcode=None, password="admin", phonenumber="100"
    )
    assert answer.json == {"response": "success", "body": True}


async def test_post_with_form_body(cti: Cti) -> None:
    answer = await cti.raw(
        f"/cgi-bin/{wire.FUNCTION_PHONE_STATUS}",
        method="POST",
        data={"passcode": "admin"},
    )
    assert answer.json["body"] == "available"
    answer = await cti.raw(
        f"/cgi-bin/{wire.FUNCTION_PHONE_STATUS}",
        method="POST",
        params={"passcode": "admin"},
    )
    assert answer.json["body"] == "available"


async def test_unknown_function_is_404(cti: Cti) -> None:
    answer = await cti.call("apiget_accounts")
    assert answer.status == 404


async def test_phone_operation_unknown_and_refused(cti: Cti) -> None:
    assert await cti.ok(wire.FUNCTION_PHONE_OPERATION, cmd="mute") == {
        "response": "error",
        "body": "unknown",
    }
    assert await cti.ok(wire.FUNCTION_PHONE_OPERATION) == {
        "response": "error",
        "body": "unknown",
    }
    for cmd in ("endcall", "holdcall", "acceptcall", "rejectcall", "cancel"):
        assert await cti.ok(wire.FUNCTION_PHONE_OPERATION, cmd=cmd) == {
            "response": "error",
            "body": False,
        }


async def test_make_call_refusals(cti: Cti, simulator: PhoneSimulator) -> None:
    invalid = {"response": "error", "body": "Invalid Request"}
    assert await cti.ok(wire.FUNCTION_MAKE_CALL, phonenumber="") == invalid
    assert await cti.ok(wire.FUNCTION_MAKE_CALL) == invalid
    # Configured but not registered (Bob), unconfigured, missing, nonsense.
    for account in ("1", "2", "9", "-1", "x"):
        answer = await cti.ok(wire.FUNCTION_MAKE_CALL, phonenumber="1", account=account)
        assert answer == invalid
    assert all(line.is_idle for line in simulator.phone.lines)
    simulator.phone.set_registered(2, True)  # registered: dials
    answer = await cti.ok(wire.FUNCTION_MAKE_CALL, phonenumber="1", account="1")
    assert answer == {"response": "success", "body": True}
    simulator.phone.end_call()
    for index in range(8):
        simulator.phone.incoming(f"10{index}")
    # No idle line: a refused operation like the others.
    assert await cti.ok(wire.FUNCTION_MAKE_CALL, phonenumber="1") == {
        "response": "error",
        "body": False,
    }


@pytest.mark.parametrize("simulator_config", [SimulatorConfig(click_to_dial=False)])
async def test_make_call_needs_click_to_dial(
    cti: Cti, simulator: PhoneSimulator
) -> None:
    assert await cti.ok(wire.FUNCTION_MAKE_CALL, phonenumber="100") == {
        "response": "error",
        "body": "Invalid Request",
    }
    assert simulator.phone.lines[0].is_idle
    await cti.control("config", {"click_to_dial": True})
    assert simulator.store.value("P1561") == "1"
    assert (await cti.ok(wire.FUNCTION_MAKE_CALL, phonenumber="100"))["body"] is True


async def test_make_call_account_is_zero_based(
    cti: Cti, simulator: PhoneSimulator
) -> None:
    simulator.phone.set_registered(2, True)
    data = await cti.ok(wire.FUNCTION_MAKE_CALL, phonenumber="*72100", account="1")
    assert data == {"response": "success", "body": True}
    line = (await cti.ok(wire.FUNCTION_LINE_STATUS))["body"][0]
    assert line["state"] == "calling"
    assert line["acct"] == 1  # account 2, 0-based
    assert line["remotenumber"] == "*72100"
    assert line["active"] == 0
    assert simulator.phone.lines[0].account == 2


async def test_sys_operation(cti: Cti, simulator: PhoneSimulator) -> None:
    unknown = {"response": "error", "body": "unknown"}
    assert await cti.ok(wire.FUNCTION_SYS_OPERATION, request="FOO") == unknown
    assert await cti.ok(wire.FUNCTION_SYS_OPERATION) == unknown
    assert not simulator.phone.rebooting
    assert await cti.ok(wire.FUNCTION_SYS_OPERATION, request="REBOOT") == {
        "response": "success",
        "body": "savereboot",
    }
    assert simulator.phone.rebooting


async def test_model_define_without_passcode(cti: Cti) -> None:
    answer = await cti.raw(wire.MODEL_DEFINE_PATH)
    assert answer.status == 200
    assert answer.headers["Server"] == "GRP2614"
    assert answer.headers["Content-Type"].startswith("application/javascript")
    document = json.loads(answer.text)
    # The WP826 1.0.3.35 shape: nested, no MAC or firmware, no checksum.
    assert document == {
        "model": "GRP2614",
        "oem_id": "0",
        "vendor_name": "Grandstream",
        "vendor_fullname": "Grandstream Networks, Inc.",
        "defines": {"num_accounts": 4, "support_dnd": True},
    }


@pytest.mark.parametrize(
    "simulator_config", [SimulatorConfig(quirks={"flat_model_define": True})]
)
async def test_model_define_flat_quirk(cti: Cti) -> None:
    assert json.loads((await cti.raw(wire.MODEL_DEFINE_PATH)).text) == {
        "model": "GRP2614",
        "vendor_name": "Grandstream",
        "num_accounts": 4,
        "num_lines": 8,
        "firmware": "1.0.13.22",
        "mac": "00:0B:82:12:34:56",
    }


@pytest.mark.parametrize("simulator_config", [SimulatorConfig(model_define=False)])
async def test_model_define_can_be_missing(cti: Cti) -> None:
    assert (await cti.raw(wire.MODEL_DEFINE_PATH)).status == 404


async def test_requests_are_logged_without_secrets(cti: Cti) -> None:
    await cti.call(wire.FUNCTION_PHONE_OPERATION, cmd="endcall")
    await cti.call(
        wire.FUNCTION_MAKE_CALL, passcode=None, password="admin", phonenumber="5"
    )
    await cti.call(wire.FUNCTION_PHONE_STATUS, method="POST")
    log = (await cti.raw("/sim/log")).json
    assert log == [
        {
            "function": "api-phone_operation",
            "params": {"cmd": "endcall"},
            "method": "GET",
            "auth": "passcode",
        },
        {
            "function": "api-make_call",
            "params": {"phonenumber": "5"},
            "method": "GET",
            "auth": "passcode",
        },
        {
            "function": "api-get_phone_status",
            "params": {},
            "method": "POST",
            "auth": "passcode",
        },
    ]
    assert cti.sim.requests == log
    assert (await cti.raw("/sim/log", method="DELETE")).json == []
    assert (await cti.raw("/sim/log")).json == []


# Every passcode CTI function, reads first, then commands; the reboot last.
PASSCODE_CALLS: list[tuple[str, dict[str, str]]] = [
    (wire.FUNCTION_LINE_STATUS, {}),
    (wire.FUNCTION_PHONE_STATUS, {}),
    (wire.FUNCTION_ACCOUNTS, {}),
    (wire.FUNCTION_PHONE_OPERATION, {"cmd": "acceptcall"}),
    (wire.FUNCTION_LINE_STATUS, {}),
    (wire.FUNCTION_SEND_KEY, {"keys": "1:STAR:#"}),
    (wire.FUNCTION_PHONE_OPERATION, {"cmd": "endcall"}),
    (wire.FUNCTION_MAKE_CALL, {"phonenumber": "100", "account": "0"}),
    (wire.FUNCTION_PHONE_STATUS, {}),
    (wire.FUNCTION_PHONE_OPERATION, {"cmd": "mute"}),
    (wire.FUNCTION_SYS_OPERATION, {"request": "REBOOT"}),
]


@pytest.mark.parametrize(
    "config",
    [
        *(
            SimulatorConfig(profile=name, manual_clock=True)
            for name in ("grp2614", "gxp2170", "gxp1625", "gsc3516")
        ),
        SimulatorConfig(session_api=False, manual_clock=True),
    ],
    ids=["grp2614", "gxp2170", "gxp1625", "gsc3516", "passcode-only"],
)
async def test_passcode_post_answers_as_get(
    http: aiohttp.ClientSession, config: SimulatorConfig
) -> None:
    """POST with the passcode in the query string works like GET (spec §2).

    The client POSTs every passcode request, reads too (aiohttp never re-sends
    a POST by itself): two identical phones, one asked with GET, the other
    with an empty POST without browser headers, answer every function alike.
    """
    phones = {method: PhoneSimulator(config) for method in ("GET", "POST")}
    for sim in phones.values():
        await sim.start(host="127.0.0.1", port=0)
        sim.phone.incoming("+15555550100", "Carol")
    try:
        answers: dict[str, list[tuple[int, str, str]]] = {}
        for method, sim in phones.items():
            cti = Cti(http, sim)
            got = [await cti.call(wire.FUNCTION_PHONE_STATUS, "wrong", method)]
            got += [
                await cti.call(function, "admin", method, **params)
                for function, params in PASSCODE_CALLS
            ]
            answers[method] = [
                (answer.status, answer.headers["Content-Type"], answer.text)
                for answer in got
            ]
            assert [entry["method"] for entry in sim.requests] == [method] * len(got)
            assert [entry["auth"] for entry in sim.requests][1:] == ["passcode"] * (
                len(got) - 1
            )
            assert sim.phone.rebooting
        assert answers["POST"] == answers["GET"]
        statuses = [status for status, _, _ in answers["GET"]]
        assert statuses == [401] + [200] * len(PASSCODE_CALLS)
    finally:
        for sim in phones.values():
            await sim.stop()
