"""The client against the phone simulator over loopback.

First the passcode CTI API (the GRP2614 profile speaks both; these clients
say `api=PASSCODE`): every function, the call lifecycle, quirks, faults,
authentication, access denial and reboot. Then detection and the web session
API per firmware profile (test_client_simulator_sessions.py).

The simulator runs on a manual clock: its timers (connect delay, reboot,
latency, offline) fire only when a test advances it, so nothing here depends
on how fast the machine is.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from custom_components.grandstream_cti.cti import (
    ApiKind,
    CommandRefusal,
    GrandstreamCTIAccessDeniedError,
    GrandstreamCTIAuthenticationError,
    GrandstreamCTIClient,
    GrandstreamCTICommandError,
    GrandstreamCTIConnectionError,
    GrandstreamCTIResponseError,
    GrandstreamCTITimeoutError,
    LineState,
    LoginVariant,
    ModelInfo,
    PhoneApi,
    PhoneStatus,
)
from simulator import PhoneSimulator, SimulatorConfig

from .fake_phone import secret_leaks

ADMIN = "admin"
USER = "123"
PASSCODE = PhoneApi(ApiKind.PASSCODE)


@pytest.fixture
def simulator_config() -> SimulatorConfig:
    """Run the default (GRP2614) phone on a manual clock."""
    return SimulatorConfig(manual_clock=True)


def make_client(
    sim: PhoneSimulator,
    session: aiohttp.ClientSession,
    passcode: str = ADMIN,
    **kwargs: Any,
) -> GrandstreamCTIClient:
    kwargs.setdefault("timeout", 10.0)
    kwargs.setdefault("api", PASSCODE)
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


async def test_reads(simulator: PhoneSimulator, client: GrandstreamCTIClient) -> None:
    lines = await client.get_line_status()
    assert [item.line for item in lines] == list(range(1, 9))  # GRP2614: 8 lines
    # Real firmware: acct 0, conf 0, active 0 on idle lines; no account here.
    assert all(item.is_idle and item.account is None for item in lines)
    assert all(item.active is False and item.conference is False for item in lines)
    status = await client.get_phone_status()
    assert status.status is PhoneStatus.AVAILABLE
    accounts = await client.get_accounts()
    assert [account.id for account in accounts] == [1, 2, 3, 4]
    assert accounts[0].registered
    assert accounts[0].sip_id == "1001"
    assert accounts[1].configured
    assert not accounts[1].registered
    assert not accounts[2].configured
    assert all(entry["auth"] == "passcode" for entry in simulator.requests)
    assert simulator.tripwires == []


async def test_no_registered_account_is_not_registered(
    simulator: PhoneSimulator, client: GrandstreamCTIClient
) -> None:
    simulator.phone.set_registered(1, False)
    status = await client.get_phone_status()
    assert status.status is PhoneStatus.NOT_REGISTERED
    assert status.raw == "unavailable"


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
    # Real firmware: nested model.define.js without the MAC or firmware.
    info = await client.get_model_info()
    assert info == ModelInfo(model="GRP2614", num_accounts=4)
    assert not simulator.requests  # no /cgi-bin request, no passcode


async def test_model_info_flat_model_define(
    simulator: PhoneSimulator,
    session: aiohttp.ClientSession,
    client: GrandstreamCTIClient,
) -> None:
    await control(simulator, session, "quirks", {"flat_model_define": True})
    assert await client.get_model_info() == ModelInfo(
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
    assert ringing.remote_name == ""  # empty while ringing on real firmware
    assert ringing.account == 0  # 0-based on this firmware, kept as sent
    assert (await client.get_phone_status()).status is PhoneStatus.RINGING

    await client.accept_call()
    connected = await line(client, number)
    assert connected.state is LineState.CONNECTED
    assert connected.remote_name == "+15555550100"  # the number, once connected
    assert (await client.get_phone_status()).status is PhoneStatus.BUSY

    await client.hold_call()
    assert (await line(client, number)).state is LineState.ONHOLD
    await client.hold_call()  # a toggle: resumes
    assert (await line(client, number)).state is LineState.CONNECTED

    await client.end_call()
    assert (await line(client, number)).is_idle
    assert (await client.get_phone_status()).status is PhoneStatus.AVAILABLE

    with pytest.raises(GrandstreamCTICommandError, match="nothing to act on") as err:
        await client.end_call()
    assert err.value.refusal is CommandRefusal.NOTHING_TO_ACT_ON


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
    # Only a registered account may call ("Invalid Request" otherwise).
    simulator.phone.set_registered(2, True)
    await client.make_call("+15555550100", account=2)
    log = await sim_log(simulator, session)
    assert log[-1]["function"] == "api-make_call"
    assert log[-1]["params"] == {"phonenumber": "+15555550100", "account": "1"}
    assert log[-1]["method"] == "POST"
    outgoing = next(item for item in await client.get_line_status() if not item.is_idle)
    assert outgoing.state in (LineState.DIALING, LineState.CALLING)
    assert outgoing.account == 1  # account 2, 0-based on the wire and the line
    assert outgoing.remote_number == "+15555550100"
    # The far end answers after the connect delay (simulator clock).
    simulator.clock.advance(simulator.config.call_connect_delay)
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
    with pytest.raises(GrandstreamCTICommandError, match="make_call") as err:
        await client.make_call("100", account=4)
    assert err.value.refusal is CommandRefusal.INVALID_REQUEST


async def test_make_call_click_to_dial_off_is_invalid_request(
    simulator: PhoneSimulator, client: GrandstreamCTIClient
) -> None:
    simulator.update_config({"click_to_dial": False})
    with pytest.raises(GrandstreamCTICommandError, match="Invalid Request") as err:
        await client.make_call("100")
    assert err.value.refusal is CommandRefusal.INVALID_REQUEST


async def test_make_call_no_idle_line_is_nothing_to_act_on(
    simulator: PhoneSimulator, client: GrandstreamCTIClient
) -> None:
    for number in range(8):
        simulator.phone.incoming(f"555{number}")
    with pytest.raises(GrandstreamCTICommandError) as err:
        await client.make_call("100")
    assert err.value.refusal is CommandRefusal.NOTHING_TO_ACT_ON


async def test_send_keys_at_most_32(
    simulator: PhoneSimulator, client: GrandstreamCTIClient
) -> None:
    with pytest.raises(ValueError, match="More than 32"):
        await client.send_keys(["1"] * 33)
    await client.send_keys(["1"] * 32)
    assert simulator.requests[-1]["params"] == {"keys": ":".join(["1"] * 32)}


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
        {},
        {"typographic_quotes": True},
        {"text_html": True},
        {"text_plain": True},
        {"string_numbers": True},
        {"acct_one_based": True},
        {"active_flag": True},
        {"caller_names": True},
        {"unknown_fields": True},
        {"status_connected": True},
        {
            "typographic_quotes": True,
            "text_plain": True,
            "string_numbers": True,
            "acct_one_based": True,
            "active_flag": True,
            "caller_names": True,
            "unknown_fields": True,
            "status_connected": True,
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
    # Kept as sent, never shifted: 1-based on older firmware, else 0-based.
    assert ringing.account == (2 if quirks.get("acct_one_based") else 1)
    assert ringing.remote_name == ("Carol" if quirks.get("caller_names") else "")
    assert ringing.conference is False
    assert all(item.account is None for item in lines[1:])
    status = await client.get_phone_status()
    assert status.status is PhoneStatus.RINGING
    accounts = await client.get_accounts()
    assert accounts[0].registered
    assert [account.id for account in accounts] == [1, 2, 3, 4]
    await client.accept_call()
    assert (await client.get_phone_status()).status is PhoneStatus.BUSY
    await client.send_keys("#")
    await client.end_call()
    assert (await client.get_model_info()).model == "GRP2614"


# --- faults ----------------------------------------------------------------


async def test_fault_latency_times_out(
    simulator: PhoneSimulator, session: aiohttp.ClientSession
) -> None:
    # The stall outlasts the client's timeout: the clock is never advanced.
    # (1 s: the last read must succeed within it, on a loaded machine too.)
    client = make_client(simulator, session, timeout=1.0)
    await control(simulator, session, "fault", {"kind": "latency", "seconds": 1.0})
    with pytest.raises(GrandstreamCTITimeoutError):
        await client.get_phone_status()
    # The phone got the passcode: a read that went out is never re-sent.
    assert len(await sim_log(simulator, session)) == 1
    with pytest.raises(GrandstreamCTITimeoutError):
        await client.hold_call()
    assert len(await sim_log(simulator, session)) == 2  # never retried
    await control(simulator, session, "fault", {"kind": "none"})
    assert (await client.get_phone_status()).status is PhoneStatus.AVAILABLE


async def test_fault_latency_session_read_retried_once(
    simulator: PhoneSimulator, session: aiohttp.ClientSession
) -> None:
    """A session read (a sid, no password) keeps its one retry after a timeout."""
    client = make_client(
        simulator,
        session,
        timeout=1.0,
        api=PhoneApi(ApiKind.SESSION, LoginVariant.CHALLENGE),
    )
    await client.login()
    await control(simulator, session, "fault", {"kind": "latency", "seconds": 1.0})
    with pytest.raises(GrandstreamCTITimeoutError):
        await client.get_phone_status()
    reads = [
        entry
        for entry in await sim_log(simulator, session)
        if entry["function"] == "api-get_phone_status"
    ]
    assert len(reads) == 2  # retried once
    # The password went in the login only, never in the re-sent read.
    assert [entry["function"] for entry in simulator.password_requests] == ["dologin"]


async def test_fault_latency_within_the_timeout_is_fine(
    simulator: PhoneSimulator,
    session: aiohttp.ClientSession,
    client: GrandstreamCTIClient,
) -> None:
    await control(simulator, session, "fault", {"kind": "latency", "seconds": 2.0})
    task = asyncio.create_task(client.get_phone_status())
    await simulator.wait_until(lambda: simulator.pausing == 1)
    simulator.clock.advance(2.0)
    assert (await task).status is PhoneStatus.AVAILABLE
    assert len(simulator.requests) == 1


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
        # Passcode reads: dropped after going out, never re-sent (neither by
        # us nor by aiohttp: they are POSTs). (Offline: nothing is logged.)
        assert before == 1
        assert len(await sim_log(simulator, session)) == 2  # not retried
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
    await control(simulator, session, "fault", {"kind": "offline", "seconds": 10})
    with pytest.raises(GrandstreamCTIConnectionError):
        await client.get_phone_status()
    simulator.clock.advance(10)
    assert (await client.get_phone_status()).status is PhoneStatus.AVAILABLE


# --- authentication and access ---------------------------------------------


@pytest.mark.parametrize("passcode", [ADMIN, USER])
async def test_admin_and_user_passcodes(
    simulator: PhoneSimulator, session: aiohttp.ClientSession, passcode: str
) -> None:
    client = make_client(simulator, session, passcode)
    assert len(await client.get_line_status()) == 8
    await client.send_keys("OK")


async def test_wrong_passcode_sent_once(
    simulator: PhoneSimulator, session: aiohttp.ClientSession
) -> None:
    client = make_client(simulator, session, "wrong-s3cret")
    for call in (
        client.get_line_status,
        client.get_phone_status,
        client.get_accounts,
        client.end_call,
        client.reboot,
        client.login,
    ):
        with pytest.raises(GrandstreamCTIAuthenticationError) as err:
            await call()
        assert "admin or user password" in str(err.value)
        assert not secret_leaks(err.value, "wrong-s3cret")
    # One request carried it; then nothing more was sent.
    assert len(simulator.requests) == 1
    assert len(simulator.password_requests) == 1
    assert simulator.auth_failures == 1
    assert client.password_rejected
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
    # style: a CommandError, refusal FAILED.
    if style == "http403":
        with pytest.raises(GrandstreamCTIAccessDeniedError, match="Action URI"):
            await client.hold_call()
    else:
        with pytest.raises(GrandstreamCTICommandError, match="failed") as err:
            await client.hold_call()
        assert err.value.refusal is CommandRefusal.FAILED
    assert simulator.auth_failures == 0
    assert not client.password_rejected


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
    await simulator.wait_until(lambda: simulator.pending_confirmations > 0)
    # Passcode requests go one at a time: a read waits for the command
    # waiting for the pop-up (bounded by the command's timeout).
    read = asyncio.create_task(client.get_phone_status())
    await asyncio.sleep(0)  # the read now waits for its turn
    assert simulator.confirm(True)
    await task
    assert (await read).status is PhoneStatus.BUSY
    assert (await line(client, 1)).state is LineState.CONNECTED
    # Refused on the phone's screen: a command error.
    task = asyncio.create_task(client.end_call())
    await simulator.wait_until(lambda: simulator.pending_confirmations > 0)
    assert simulator.confirm(False)
    with pytest.raises(GrandstreamCTICommandError) as err:
        await task
    assert err.value.refusal is CommandRefusal.FAILED
    # The pop-up times out on the phone (simulator clock).
    task = asyncio.create_task(client.end_call())
    await simulator.wait_until(lambda: simulator.pending_confirmations > 0)
    simulator.clock.advance(5.0)
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
    simulator.clock.advance(simulator.config.reboot_seconds)
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
    await client.reboot()
    log = await sim_log(simulator, session)
    assert all(entry["params"].get("request") != "RESET" for entry in log)
    assert simulator.tripwires == []
