"""The client against the phone simulator over loopback: every function, the
call lifecycle, quirks, faults, authentication, access denial and reboot."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from custom_components.grandstream_cti.cti import (
    GrandstreamCTIAccessDeniedError,
    GrandstreamCTIAuthenticationError,
    GrandstreamCTIClient,
    GrandstreamCTICommandError,
    GrandstreamCTIConnectionError,
    GrandstreamCTIResponseError,
    GrandstreamCTITimeoutError,
    LineState,
    ModelInfo,
    PhoneStatus,
)
from simulator import PhoneSimulator

from .fake_phone import secret_leaks

ADMIN = "admin"
USER = "123"


def make_client(
    sim: PhoneSimulator,
    session: aiohttp.ClientSession,
    passcode: str = ADMIN,
    **kwargs: Any,
) -> GrandstreamCTIClient:
    kwargs.setdefault("timeout", 3.0)
    return GrandstreamCTIClient(
        "127.0.0.1", passcode, session=session, port=sim.port, **kwargs
    )


@pytest.fixture
def client(
    simulator: PhoneSimulator, session: aiohttp.ClientSession
) -> GrandstreamCTIClient:
    return make_client(simulator, session)


async def control(
    sim: PhoneSimulator, session: aiohttp.ClientSession, path: str, data: Any
) -> Any:
    async with session.post(f"{sim.url}/sim/{path}", json=data) as response:
        assert response.status == 200, await response.text()
        return await response.json()


async def sim_log(sim: PhoneSimulator, session: aiohttp.ClientSession) -> list[Any]:
    async with session.get(f"{sim.url}/sim/log") as response:
        result: list[Any] = await response.json()
        return result


async def line(client: GrandstreamCTIClient, number: int) -> Any:
    return next(item for item in await client.get_line_status() if item.line == number)


# --- reads -----------------------------------------------------------------


async def test_reads(client: GrandstreamCTIClient) -> None:
    lines = await client.get_line_status()
    assert [item.line for item in lines] == list(range(1, 9))  # GRP2614: 8 lines
    assert all(item.is_idle and item.account is None for item in lines)
    status = await client.get_phone_status()
    assert status.status is PhoneStatus.AVAILABLE
    accounts = await client.get_accounts()
    assert [account.id for account in accounts] == [1, 2, 3, 4]
    assert accounts[0].registered
    assert accounts[0].sip_id == "1001"
    assert accounts[1].configured
    assert not accounts[1].registered
    assert not accounts[2].configured


async def test_concurrent_reads(client: GrandstreamCTIClient) -> None:
    lines, status, accounts = await asyncio.gather(
        client.get_line_status(), client.get_phone_status(), client.get_accounts()
    )
    assert len(lines) == 8
    assert status.status is PhoneStatus.AVAILABLE
    assert len(accounts) == 4


async def test_model_info(
    simulator: PhoneSimulator, client: GrandstreamCTIClient
) -> None:
    info = await client.get_model_info()
    assert info == ModelInfo(
        model="GRP2614",
        firmware=simulator.config.firmware,
        num_accounts=4,
        num_lines=8,
        mac=simulator.config.mac,
    )


async def test_model_info_without_model_define_uses_server_header(
    simulator: PhoneSimulator, client: GrandstreamCTIClient
) -> None:
    simulator.update_config({"model_define": False})
    assert await client.get_model_info() == ModelInfo(model="GRP2614")


# --- call lifecycle --------------------------------------------------------


async def test_incoming_accept_hold_resume_end(
    simulator: PhoneSimulator, client: GrandstreamCTIClient
) -> None:
    number = simulator.phone.incoming("+15555550100", "Carol")
    ringing = await line(client, number)
    assert ringing.state is LineState.RINGING
    assert ringing.remote_number == "+15555550100"
    assert ringing.remote_name == "Carol"
    assert ringing.account == 1
    assert (await client.get_phone_status()).status is PhoneStatus.RINGING

    await client.accept_call()
    assert (await line(client, number)).state is LineState.CONNECTED
    assert (await client.get_phone_status()).status is PhoneStatus.BUSY

    await client.hold_call()
    assert (await line(client, number)).state is LineState.ONHOLD
    await client.hold_call()  # a toggle: resumes
    assert (await line(client, number)).state is LineState.CONNECTED

    await client.end_call()
    assert (await line(client, number)).is_idle
    assert (await client.get_phone_status()).status is PhoneStatus.AVAILABLE

    with pytest.raises(GrandstreamCTICommandError, match="nothing to act on"):
        await client.end_call()


async def test_reject_and_cancel(
    simulator: PhoneSimulator, client: GrandstreamCTIClient
) -> None:
    number = simulator.phone.incoming("5551", line=2)
    assert number == 2
    await client.reject_call()
    assert (await line(client, 2)).is_idle
    simulator.phone.incoming("5552")
    await client.cancel_call()
    assert all(item.is_idle for item in await client.get_line_status())
    with pytest.raises(GrandstreamCTICommandError):
        await client.accept_call()
    with pytest.raises(GrandstreamCTICommandError):
        await client.cancel_call()


async def test_remote_hangup(
    simulator: PhoneSimulator, client: GrandstreamCTIClient
) -> None:
    number = simulator.phone.incoming("5551")
    await client.accept_call()
    simulator.phone.remote_hangup(number)
    assert (await line(client, number)).is_idle


async def test_make_call_lifecycle(
    simulator: PhoneSimulator,
    session: aiohttp.ClientSession,
    client: GrandstreamCTIClient,
) -> None:
    await client.make_call("+15555550100", account=2)
    log = await sim_log(simulator, session)
    assert log[-1]["function"] == "api-make_call"
    assert log[-1]["params"] == {"phonenumber": "+15555550100", "account": "1"}
    assert log[-1].get("method", "POST") == "POST"
    outgoing = next(item for item in await client.get_line_status() if not item.is_idle)
    assert outgoing.state in (LineState.DIALING, LineState.CALLING)
    assert outgoing.account == 2
    assert outgoing.remote_number == "+15555550100"
    simulator.phone.remote_answer(outgoing.line)
    connected = await line(client, outgoing.line)
    assert connected.state is LineState.CONNECTED
    await client.end_call()
    assert (await line(client, outgoing.line)).is_idle


async def test_make_call_default_account_and_cancel(
    simulator: PhoneSimulator,
    session: aiohttp.ClientSession,
    client: GrandstreamCTIClient,
) -> None:
    await client.make_call("*72100")
    log = await sim_log(simulator, session)
    assert log[-1]["params"] == {"phonenumber": "*72100"}
    await client.cancel_call()
    assert all(item.is_idle for item in await client.get_line_status())


async def test_make_call_unconfigured_account_refused(
    client: GrandstreamCTIClient,
) -> None:
    with pytest.raises(GrandstreamCTICommandError, match="make_call"):
        await client.make_call("100", account=4)


async def test_send_keys_hash_arrives(
    simulator: PhoneSimulator,
    session: aiohttp.ClientSession,
    client: GrandstreamCTIClient,
) -> None:
    await client.send_keys(["1", "2", "#", "*", "SEND"])
    log = await sim_log(simulator, session)
    assert log[-1]["function"] == "api-send_key"
    assert log[-1]["params"] == {"keys": "1:2:#:STAR:SEND"}


# --- quirks ----------------------------------------------------------------


@pytest.mark.parametrize(
    "quirks",
    [
        {"typographic_quotes": True},
        {"text_html": True},
        {"string_numbers": True},
        {"extra_fields": True},
        {
            "typographic_quotes": True,
            "text_html": True,
            "string_numbers": True,
            "acct_zero_based": True,
            "extra_fields": True,
            "remote_name_empty_while_ringing": True,
        },
    ],
)
async def test_quirks(
    simulator: PhoneSimulator,
    session: aiohttp.ClientSession,
    client: GrandstreamCTIClient,
    quirks: dict[str, bool],
) -> None:
    await control(simulator, session, "quirks", quirks)
    simulator.phone.incoming("+15555550100", "Carol", account=2)
    lines = await client.get_line_status()
    assert len(lines) == 8
    ringing = lines[0]
    assert ringing.state is LineState.RINGING
    assert ringing.remote_number == "+15555550100"
    expected_account = 1 if quirks.get("acct_zero_based") else 2
    assert ringing.account == expected_account  # kept raw, never shifted
    expected_name = "" if quirks.get("remote_name_empty_while_ringing") else "Carol"
    assert ringing.remote_name == expected_name
    if quirks.get("extra_fields"):
        assert ringing.conference is False
    status = await client.get_phone_status()
    assert status.status is PhoneStatus.RINGING
    accounts = await client.get_accounts()
    assert accounts[0].registered
    assert [account.id for account in accounts] == [1, 2, 3, 4]
    await client.accept_call()
    await client.send_keys("#")
    await client.end_call()
    assert (await client.get_model_info()).model == "GRP2614"


# --- faults ----------------------------------------------------------------


async def test_fault_latency_times_out(
    simulator: PhoneSimulator, session: aiohttp.ClientSession
) -> None:
    client = make_client(simulator, session, timeout=0.2)
    await control(simulator, session, "fault", {"kind": "latency", "seconds": 1.0})
    with pytest.raises(GrandstreamCTITimeoutError):
        await client.get_phone_status()
    assert len(await sim_log(simulator, session)) == 2  # retried once
    with pytest.raises(GrandstreamCTITimeoutError):
        await client.hold_call()
    assert len(await sim_log(simulator, session)) == 3  # never retried
    await control(simulator, session, "fault", {"kind": "none"})
    assert (await client.get_phone_status()).status is PhoneStatus.AVAILABLE


async def test_fault_small_latency_is_fine(
    simulator: PhoneSimulator,
    session: aiohttp.ClientSession,
    client: GrandstreamCTIClient,
) -> None:
    await control(simulator, session, "fault", {"kind": "latency", "seconds": 0.1})
    assert (await client.get_phone_status()).status is PhoneStatus.AVAILABLE


@pytest.mark.parametrize("kind", ["http500", "garbage"])
async def test_fault_bad_answers(
    simulator: PhoneSimulator,
    session: aiohttp.ClientSession,
    client: GrandstreamCTIClient,
    kind: str,
) -> None:
    await control(simulator, session, "fault", {"kind": kind})
    with pytest.raises(GrandstreamCTIResponseError) as err:
        await client.get_line_status()
    assert not secret_leaks(err.value, ADMIN)
    with pytest.raises(GrandstreamCTIResponseError):
        await client.end_call()
    assert len(await sim_log(simulator, session)) == 2  # no retry after an answer


@pytest.mark.parametrize("kind", ["drop", "offline"])
async def test_fault_no_answer(
    simulator: PhoneSimulator,
    session: aiohttp.ClientSession,
    client: GrandstreamCTIClient,
    kind: str,
) -> None:
    await control(simulator, session, "fault", {"kind": kind})
    with pytest.raises(GrandstreamCTIConnectionError) as err:
        await client.get_accounts()
    assert not secret_leaks(err.value, ADMIN)
    assert err.value.__context__ is None
    before = len(await sim_log(simulator, session))
    with pytest.raises(GrandstreamCTIConnectionError):
        await client.hold_call()
    if kind == "drop":
        # Reads: our retry plus aiohttp's own re-send of a dropped GET.
        assert 2 <= before <= 4
        assert len(await sim_log(simulator, session)) == before + 1  # not retried
    await control(simulator, session, "fault", {"kind": "none"})
    assert len(await client.get_accounts()) == 4
    # An offline phone also hides model.define.js: unreachable, not "no facts".
    await control(simulator, session, "fault", {"kind": "offline"})
    with pytest.raises(GrandstreamCTIConnectionError):
        await client.get_model_info()


async def test_offline_fault_clears_itself_and_read_retry_recovers(
    simulator: PhoneSimulator,
    session: aiohttp.ClientSession,
    client: GrandstreamCTIClient,
) -> None:
    await control(simulator, session, "fault", {"kind": "offline", "seconds": 0.2})
    with pytest.raises(GrandstreamCTIConnectionError):
        await client.get_phone_status()
    await asyncio.sleep(0.3)
    assert (await client.get_phone_status()).status is PhoneStatus.AVAILABLE


# --- authentication and access ---------------------------------------------


@pytest.mark.parametrize("passcode", [ADMIN, USER])
async def test_admin_and_user_passcodes(
    simulator: PhoneSimulator, session: aiohttp.ClientSession, passcode: str
) -> None:
    client = make_client(simulator, session, passcode)
    assert len(await client.get_line_status()) == 8
    await client.send_keys("OK")


async def test_wrong_passcode_never_retried(
    simulator: PhoneSimulator, session: aiohttp.ClientSession
) -> None:
    client = make_client(simulator, session, "wrong-s3cret")
    for call in (
        client.get_line_status,
        client.get_phone_status,
        client.get_accounts,
        client.end_call,
        client.reboot,
    ):
        with pytest.raises(GrandstreamCTIAuthenticationError) as err:
            await call()
        assert "admin or user password" in str(err.value)
        assert not secret_leaks(err.value, "wrong-s3cret")
    assert simulator.auth_failures == 5
    assert not simulator.phone.rebooting
    # Model info needs no passcode.
    assert (await client.get_model_info()).model == "GRP2614"


@pytest.mark.parametrize("style", ["http403", "failed"])
@pytest.mark.parametrize(
    "setting", [{"cti_enabled": False}, {"allowed_ips": ["10.1.2.3"]}]
)
async def test_access_denied(
    simulator: PhoneSimulator,
    client: GrandstreamCTIClient,
    style: str,
    setting: dict[str, Any],
) -> None:
    simulator.update_config({"denial_style": style, **setting})
    for call in (client.get_line_status, client.get_phone_status, client.get_accounts):
        with pytest.raises(GrandstreamCTIAccessDeniedError) as err:
            await call()
        message = str(err.value)
        assert "Action URI Support" in message
        assert "Allowed IP List" in message
    # A command's refusal cannot be told from "could not do it" in the failed
    # style: CommandError whose message names both causes.
    expected = (
        GrandstreamCTIAccessDeniedError
        if style == "http403"
        else GrandstreamCTICommandError
    )
    with pytest.raises(expected, match="Action URI"):
        await client.hold_call()
    assert simulator.auth_failures == 0


async def test_allowed_loopback_address(
    simulator: PhoneSimulator, client: GrandstreamCTIClient
) -> None:
    simulator.update_config({"allowed_ips": ["127.0.0.0/8"]})
    assert (await client.get_phone_status()).status is PhoneStatus.AVAILABLE


async def test_popup_confirmation(
    simulator: PhoneSimulator, session: aiohttp.ClientSession
) -> None:
    simulator.update_config({"popup_confirmation": True, "popup_timeout": 5.0})
    client = make_client(simulator, session)
    simulator.phone.incoming("5551")
    task = asyncio.create_task(client.accept_call())
    for _ in range(100):
        if simulator.pending_confirmations:
            break
        await asyncio.sleep(0.01)
    assert simulator.confirm(True)
    await task
    assert (await line(client, 1)).state is LineState.CONNECTED
    # Refused on the phone's screen: a command error.
    task = asyncio.create_task(client.end_call())
    for _ in range(100):
        if simulator.pending_confirmations:
            break
        await asyncio.sleep(0.01)
    assert simulator.confirm(False)
    with pytest.raises(GrandstreamCTICommandError):
        await task


async def test_popup_confirmation_times_out_client_side(
    simulator: PhoneSimulator, session: aiohttp.ClientSession
) -> None:
    simulator.update_config({"popup_confirmation": True, "popup_timeout": 5.0})
    client = make_client(simulator, session, timeout=0.2)
    with pytest.raises(GrandstreamCTITimeoutError):
        await client.end_call()
    assert len(simulator.requests) == 1  # a command is never re-sent


# --- reboot ----------------------------------------------------------------


async def test_reboot(
    simulator: PhoneSimulator,
    session: aiohttp.ClientSession,
    client: GrandstreamCTIClient,
) -> None:
    simulator.update_config({"reboot_seconds": 0.3})
    simulator.phone.incoming("5551")
    await client.reboot()
    log = await sim_log(simulator, session)
    assert log[-1]["function"] == "api-sys_operation"
    assert log[-1]["params"] == {"request": "REBOOT"}
    assert simulator.phone.rebooting
    assert simulator.phone.reboots == 1
    with pytest.raises(GrandstreamCTIConnectionError):
        await client.get_phone_status()
    with pytest.raises(GrandstreamCTIConnectionError):
        await client.reboot()  # the phone is away: no answer, an error
    assert simulator.phone.reboots == 1
    await asyncio.sleep(0.4)
    assert not simulator.phone.rebooting
    lines = await client.get_line_status()
    assert all(item.is_idle for item in lines)


async def test_simulator_has_no_reset_and_client_never_sends_it(
    simulator: PhoneSimulator,
    session: aiohttp.ClientSession,
    client: GrandstreamCTIClient,
) -> None:
    assert not hasattr(client, "reset")
    assert not hasattr(client, "factory_reset")
    await client.get_phone_status()
    log = await sim_log(simulator, session)
    assert all(entry["params"].get("request") != "RESET" for entry in log)
