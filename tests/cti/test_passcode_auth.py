"""The passcode CTI API's lockout rules (auth.PasscodeAuth): the passcode goes
out in one request at a time, proven or not (a waiting command before waiting
reads), and a rejected one never again."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import json

import pytest

from custom_components.grandstream_cti.cti import (
    GrandstreamCTIAuthenticationError,
    GrandstreamCTIClient,
    GrandstreamCTIConnectionError,
    GrandstreamCTITimeoutError,
    PhoneStatus,
)
from custom_components.grandstream_cti.cti.transport import Lane, OneAtATime

from .fake_phone import SECRET, FakePhone, Reply, envelope

ClientFactory = Callable[..., GrandstreamCTIClient]

PHONE_STATUS = "/cgi-bin/api-get_phone_status"
LINE_STATUS = "/cgi-bin/api-get_line_status"
ACCOUNTS = "/cgi-bin/api-get_accounts"
PHONE_OPERATION = "/cgi-bin/api-phone_operation"
SEND_KEY = "/cgi-bin/api-send_key"
HELD = 600.0
# Only a guard against a hang if the code under test regresses.
GUARD = 60.0


def turns(client: GrandstreamCTIClient) -> OneAtATime:
    """Return the client's one turn for requests that carry the passcode."""
    return client._transport._one_at_a_time


def answered_before_next(phone: FakePhone) -> bool:
    """Return True when each request was answered before the next came."""
    return phone.order == [
        (step, index) for index in range(len(phone.hits)) for step in ("in", "out")
    ]


async def proven(phone: FakePhone, client: GrandstreamCTIClient) -> None:
    """Prove the passcode with one read, then forget that hit."""
    phone.reply(PHONE_STATUS, Reply(envelope("available")))
    await client.get_phone_status()
    phone.routes.clear()
    phone.hits.clear()
    phone.order.clear()
    phone.max_in_flight = 0


async def test_unproven_passcode_goes_out_once_while_others_wait(
    phone: FakePhone, make_client: ClientFactory
) -> None:
    client = make_client(timeout=30)
    phone.reply(
        PHONE_STATUS, Reply(envelope("busy"), delay=HELD), Reply(envelope("busy"))
    )
    tasks = [asyncio.create_task(client.get_phone_status()) for _ in range(3)]
    await phone.wait_until(lambda: phone.in_flight == 1)
    phone.release.set()
    results = await asyncio.gather(*tasks)
    assert all(result.status is PhoneStatus.BUSY for result in results)
    assert len(phone.hits) == 3
    # The first request was answered before any other was sent.
    assert phone.order[:2] == [("in", 0), ("out", 0)]


async def test_proven_passcode_requests_still_go_one_at_a_time(
    phone: FakePhone, make_client: ClientFactory
) -> None:
    """A proven passcode may stop working (changed on the phone) at any time."""
    client = make_client(timeout=GUARD, max_concurrent_requests=4)
    await proven(phone, client)
    phone.set_default(Reply(envelope(True), delay=HELD))
    phone.reply(PHONE_STATUS, Reply(envelope("available"), delay=HELD))
    tasks = [
        asyncio.create_task(call())
        for call in (
            client.get_phone_status,
            client.get_phone_status,
            client.end_call,
            client.get_phone_status,
            client.hold_call,
        )
    ]
    await phone.wait_until(lambda: phone.in_flight == 1)
    assert len(phone.hits) == 1
    phone.release.set()
    await asyncio.gather(*tasks)
    assert len(phone.hits) == 5
    assert phone.max_in_flight == 1
    assert answered_before_next(phone)
    assert not turns(client).busy


@pytest.mark.parametrize(
    "reply",
    [
        Reply("<html>401 Unauthorized</html>", status=401),
        Reply("", status=401),
        Reply("unauthorized"),
        Reply(envelope("unauthorized")),
        Reply(envelope("Unauthorized", response="error")),
    ],
)
async def test_rejected_passcode_latches(
    phone: FakePhone, make_client: ClientFactory, reply: Reply
) -> None:
    client = make_client(timeout=30)
    held = Reply(reply.body, status=reply.status, delay=HELD)
    phone.set_default(held)
    tasks = [asyncio.create_task(client.get_phone_status()) for _ in range(3)]
    await phone.wait_until(lambda: phone.in_flight == 1)
    phone.release.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(isinstance(r, GrandstreamCTIAuthenticationError) for r in results)
    assert len(phone.hits) == 1
    assert client.password_rejected
    # Commands and reads now fail without I/O, each with a fresh error.
    phone.set_default(Reply(envelope(True)))
    errors = []
    for call in (
        client.login,
        client.get_line_status,
        client.get_accounts,
        client.end_call,
        client.hold_call,
        lambda: client.make_call("100"),
        lambda: client.send_keys("1"),
        client.reboot,
    ):
        with pytest.raises(GrandstreamCTIAuthenticationError, match="passcode") as err:
            await call()
        errors.append(err.value)
    assert len({id(error) for error in errors}) == len(errors)
    assert len(phone.hits) == 1


async def test_a_later_401_latches_too(
    phone: FakePhone, make_client: ClientFactory
) -> None:
    """The password was changed on the phone: stop sending the old one."""
    client = make_client()
    phone.reply(PHONE_STATUS, Reply(envelope("busy")), Reply("", status=401))
    await client.get_phone_status()
    with pytest.raises(GrandstreamCTIAuthenticationError):
        await client.get_phone_status()
    with pytest.raises(GrandstreamCTIAuthenticationError):
        await client.end_call()
    assert len(phone.hits) == 2


async def test_a_transport_failure_proves_nothing(
    phone: FakePhone, make_client: ClientFactory
) -> None:
    client = make_client(timeout=30)
    phone.reply("/cgi-bin/api-phone_operation", Reply(drop=True))
    with pytest.raises(GrandstreamCTIConnectionError):
        await client.end_call()
    assert not client.password_rejected
    # Still unproven: the next request goes alone, and then it is proven.
    phone.reply(PHONE_STATUS, Reply(envelope("busy"), delay=HELD))
    tasks = [asyncio.create_task(client.get_phone_status()) for _ in range(2)]
    await phone.wait_until(lambda: phone.in_flight == 1)
    phone.release.set()
    await asyncio.gather(*tasks)
    assert len(phone.hits_for("/cgi-bin/api-phone_operation")) == 1  # never retried
    status_hits = [i for i, hit in enumerate(phone.hits) if hit.path == PHONE_STATUS]
    assert phone.order.index(("out", status_hits[0])) < phone.order.index(
        ("in", status_hits[1])
    )


async def test_an_http_error_proves_nothing(
    phone: FakePhone, make_client: ClientFactory
) -> None:
    client = make_client()
    phone.reply(PHONE_STATUS, Reply("", status=500))
    with pytest.raises(Exception, match="HTTP 500"):
        await client.get_phone_status()
    assert not client.password_rejected


async def test_passcode_login_does_no_io(
    phone: FakePhone, make_client: ClientFactory
) -> None:
    client = make_client()
    assert await client.login() is None
    assert client.session_info is None
    assert not phone.hits


async def test_last_answers_keep_the_decoded_answer_per_function(
    phone: FakePhone, make_client: ClientFactory
) -> None:
    client = make_client()
    lines = [{"line": 1, "state": "idle", "acct": 0}]
    phone.reply("/cgi-bin/api-get_line_status", Reply(envelope(lines)))
    phone.reply(PHONE_STATUS, Reply(envelope("busy", misc="0")))
    phone.reply("/cgi-bin/api-get_accounts", Reply("x" * 2000))
    await client.get_line_status()
    await client.get_phone_status()
    with pytest.raises(Exception, match="not JSON"):
        await client.get_accounts()
    await client.make_call("100")
    await client.send_keys("OK")
    await client.end_call()
    phone.reply(PHONE_STATUS, Reply(envelope("ringing")))
    await client.get_phone_status()
    assert client.last_answers == {
        "api-get_line_status": {"response": "success", "body": lines},
        "api-get_phone_status": {"response": "success", "body": "ringing"},
        # Not JSON: the text, cut to 500 characters.
        "api-get_accounts": "x" * 500,
        "api-make_call": {"response": "success", "body": True},
        "api-send_key": {"response": "success", "body": True},
        "api-phone_operation": {"response": "success", "body": True},
    }
    # Decoded values, not text.
    json.dumps(client.last_answers)
    assert SECRET not in repr(client.last_answers)


async def test_a_password_changed_after_proof_costs_one_request(
    phone: FakePhone, make_client: ClientFactory
) -> None:
    """However many reads and commands race, one request meets the new password."""
    client = make_client(timeout=GUARD, max_concurrent_requests=4)
    await proven(phone, client)
    phone.set_default(Reply("", status=401, delay=HELD))
    calls = [
        client.get_phone_status,
        client.end_call,
        client.get_line_status,
        lambda: client.send_keys("1"),
        client.get_accounts,
        lambda: client.make_call("100"),
        client.hold_call,
        client.get_phone_status,
    ]
    tasks = [asyncio.create_task(call()) for call in calls]
    await phone.wait_until(lambda: phone.in_flight == 1)
    phone.release.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(isinstance(r, GrandstreamCTIAuthenticationError) for r in results)
    assert len(phone.hits) == 1
    assert client.password_rejected
    with pytest.raises(GrandstreamCTIAuthenticationError):
        await client.end_call()
    assert len(phone.hits) == 1
    assert not turns(client).busy


async def test_a_waiting_command_goes_before_waiting_reads(
    phone: FakePhone, make_client: ClientFactory
) -> None:
    """Commands go first and in order; reads keep their order behind them."""
    client = make_client(timeout=GUARD)
    await proven(phone, client)
    phone.reply(PHONE_STATUS, Reply(envelope("available"), delay=HELD))
    phone.reply(LINE_STATUS, Reply(envelope([])))
    phone.reply(ACCOUNTS, Reply(envelope([])))
    first = asyncio.create_task(client.get_phone_status())
    await phone.wait_until(lambda: phone.in_flight == 1)
    waiting = [
        asyncio.create_task(call())
        for call in (
            client.get_line_status,
            client.end_call,
            client.get_accounts,
            lambda: client.send_keys("1"),
        )
    ]
    await asyncio.sleep(0)  # all four wait for the turn, in this order
    assert len(phone.hits) == 1
    phone.release.set()
    await asyncio.gather(first, *waiting)
    assert [hit.path for hit in phone.hits] == [
        PHONE_STATUS,
        PHONE_OPERATION,
        SEND_KEY,
        LINE_STATUS,
        ACCOUNTS,
    ]
    assert answered_before_next(phone)


async def test_a_cancelled_request_frees_its_turn_and_no_other(
    phone: FakePhone, make_client: ClientFactory
) -> None:
    client = make_client(timeout=GUARD)
    await proven(phone, client)
    phone.reply(PHONE_STATUS, Reply(envelope("available"), delay=HELD))
    phone.reply(LINE_STATUS, Reply(envelope([]), delay=HELD))
    phone.reply(ACCOUNTS, Reply(envelope([])))
    first = asyncio.create_task(client.get_phone_status())
    await phone.wait_until(lambda: phone.in_flight == 1)
    command = asyncio.create_task(client.end_call())
    read = asyncio.create_task(client.get_line_status())
    last = asyncio.create_task(client.get_accounts())
    await asyncio.sleep(0)
    # A waiting command cancelled: it is never sent, nobody gets its place.
    command.cancel()
    with pytest.raises(asyncio.CancelledError):
        await command
    assert phone.in_flight == 1
    # The request out cancelled: the next waiting one goes, alone.
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    await phone.wait_until(lambda: len(phone.hits) == 2)
    assert phone.hits[1].path == LINE_STATUS
    assert phone.in_flight == 1
    assert not last.done()
    phone.release.set()
    await asyncio.gather(read, last)
    assert not phone.hits_for(PHONE_OPERATION)
    assert [hit.path for hit in phone.hits] == [PHONE_STATUS, LINE_STATUS, ACCOUNTS]
    assert not turns(client).busy
    # Nothing was wedged: the next request goes at once.
    await client.end_call()
    assert phone.hits[-1].path == PHONE_OPERATION


async def test_the_wait_for_the_turn_counts_toward_a_commands_timeout(
    phone: FakePhone, make_client: ClientFactory
) -> None:
    client = make_client(timeout=0.2)
    async with asyncio.timeout(GUARD):
        # The turn is taken for longer than the command's whole timeout.
        async with turns(client).turn(Lane.READ):
            with pytest.raises(GrandstreamCTITimeoutError):
                await client.end_call()
    assert not phone.hits  # it gave up waiting, within its own timeout
    assert not turns(client).busy
    await client.end_call()
    assert len(phone.hits) == 1


async def _take(one: OneAtATime, lane: Lane, got: list[Lane]) -> None:
    async with one.turn(lane):
        got.append(lane)


@pytest.mark.parametrize("handed_over", [True, False])
async def test_a_waiter_cancelled_at_the_handover_passes_the_turn_on(
    handed_over: bool,
) -> None:
    """Cancelled just as the turn frees: the next waiter gets it, exactly once."""
    one = OneAtATime()
    holder = one.turn(Lane.READ)
    await holder.__aenter__()
    got: list[Lane] = []
    command = asyncio.create_task(_take(one, Lane.COMMAND, got))
    read = asyncio.create_task(_take(one, Lane.READ, got))
    await asyncio.sleep(0)  # both wait; the command comes first
    if handed_over:
        # The turn goes to the command, cancelled before it could run.
        await holder.__aexit__(None, None, None)
        command.cancel()
    else:
        # The command is cancelled, then the turn frees before it could leave.
        command.cancel()
        await holder.__aexit__(None, None, None)
    with pytest.raises(asyncio.CancelledError):
        await command
    await read
    assert got == [Lane.READ]
    assert not one.busy
    await _take(one, Lane.COMMAND, got)  # free for whoever comes next
    assert got == [Lane.READ, Lane.COMMAND]
