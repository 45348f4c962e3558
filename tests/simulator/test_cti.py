"""Every CTI function, its envelope, authentication and the unauthenticated file."""

from __future__ import annotations

import json

import pytest

from custom_components.grandstream_cti.cti import wire
from simulator import MODELS, PhoneSimulator, SimulatorConfig
from tests.simulator.conftest import Cti


async def test_line_status_lists_every_line_idle(cti: Cti) -> None:
    data = await cti.ok(wire.FUNCTION_LINE_STATUS)
    assert data["response"] == "success"
    body = data["body"]
    assert len(body) == MODELS["GRP2614"].lines == 8
    assert body[0] == {
        "line": 1,
        "state": "idle",
        "acct": "",
        "remotename": "",
        "remotenumber": "",
        "active": 0,
    }
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
    simulator.phone.set_dnd(True)
    assert (await cti.ok(wire.FUNCTION_PHONE_STATUS))["body"] == "dnd"
    line = simulator.phone.incoming("+15555550100")
    assert (await cti.ok(wire.FUNCTION_PHONE_STATUS))["body"] == "ringing"
    await cti.ok(wire.FUNCTION_PHONE_OPERATION, cmd="acceptcall")
    assert (await cti.ok(wire.FUNCTION_PHONE_STATUS))["body"] == "busy"
    simulator.phone.remote_hangup(line)
    assert (await cti.ok(wire.FUNCTION_PHONE_STATUS))["body"] == "dnd"
    simulator.phone.set_dnd(False)
    assert (await cti.ok(wire.FUNCTION_PHONE_STATUS))["body"] == "available"


async def test_accounts_default(cti: Cti) -> None:
    data = await cti.ok(wire.FUNCTION_ACCOUNTS)
    assert data["response"] == "success"
    assert data["body"] == [
        {
            "id": 1,
            "name": "Alice",
            "sip_id": "1001",
            "sip_server": "pbx.example.com",
            "reg": 1,
        },
        {
            "id": 2,
            "name": "Bob",
            "sip_id": "1002",
            "sip_server": "pbx.example.com",
            "reg": 0,
        },
        {"id": 3, "name": "", "sip_id": "", "sip_server": "", "reg": 0},
        {"id": 4, "name": "", "sip_id": "", "sip_server": "", "reg": 0},
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
        {"id": 1, "name": "Desk", "sip_id": "200", "sip_server": "sip.local", "reg": 1},
        {"id": 2, "name": "", "sip_id": "", "sip_server": "", "reg": 0},
    ]
    assert len((await cti.ok(wire.FUNCTION_LINE_STATUS))["body"]) == 2
    answer = await cti.call(wire.FUNCTION_PHONE_STATUS)
    assert answer.headers["Server"] == "GRP2601"


def test_unknown_model_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown model"):
        PhoneSimulator(SimulatorConfig(model="GRP9999"))


@pytest.mark.parametrize("passcode", ["admin", "123"])
async def test_admin_and_user_passcode(cti: Cti, passcode: str) -> None:
    answer = await cti.call(wire.FUNCTION_PHONE_STATUS, passcode=passcode)
    assert answer.status == 200
    assert answer.json["body"] == "available"


@pytest.mark.parametrize("passcode", ["wrong", "", None])
async def test_wrong_or_missing_passcode_is_401_html(
    cti: Cti, simulator: PhoneSimulator, passcode: str | None
) -> None:
    answer = await cti.call(wire.FUNCTION_PHONE_STATUS, passcode=passcode)
    assert answer.status == 401
    assert answer.headers["Content-Type"].startswith("text/html")
    assert "401" in answer.text
    assert simulator.auth_failures == 1


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
    refused = {"response": "error", "body": False}
    assert await cti.ok(wire.FUNCTION_MAKE_CALL, phonenumber="") == refused
    assert (
        await cti.ok(wire.FUNCTION_MAKE_CALL, phonenumber="1", account="2") == refused
    )
    assert (
        await cti.ok(wire.FUNCTION_MAKE_CALL, phonenumber="1", account="9") == refused
    )
    assert (
        await cti.ok(wire.FUNCTION_MAKE_CALL, phonenumber="1", account="x") == refused
    )
    for index in range(8):
        simulator.phone.incoming(f"10{index}")
    assert await cti.ok(wire.FUNCTION_MAKE_CALL, phonenumber="1") == refused


async def test_make_call_account_is_zero_based(
    cti: Cti, simulator: PhoneSimulator
) -> None:
    data = await cti.ok(wire.FUNCTION_MAKE_CALL, phonenumber="*72100", account="1")
    assert data == {"response": "success", "body": True}
    line = (await cti.ok(wire.FUNCTION_LINE_STATUS))["body"][0]
    assert line["state"] == "calling"
    assert line["acct"] == 2
    assert line["remotenumber"] == "*72100"
    assert line["active"] == 1


async def test_sys_operation(cti: Cti, simulator: PhoneSimulator) -> None:
    unknown = {"response": "error", "body": "unknown"}
    assert await cti.ok(wire.FUNCTION_SYS_OPERATION, request="RESET") == unknown
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
    assert json.loads(answer.text) == {
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
        },
        {"function": "api-make_call", "params": {"phonenumber": "5"}, "method": "GET"},
        {"function": "api-get_phone_status", "params": {}, "method": "POST"},
    ]
    assert cti.sim.requests == log
    assert (await cti.raw("/sim/log", method="DELETE")).json == []
    assert (await cti.raw("/sim/log")).json == []
