"""The passcode CTI API's lockout rules (auth.PasscodeAuth): an unproven
passcode goes out in one request at a time, and a rejected one never again."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import json

import pytest

from custom_components.grandstream_cti.cti import (
    GrandstreamCTIAuthenticationError,
    GrandstreamCTIClient,
    GrandstreamCTIConnectionError,
    PhoneStatus,
)

from .fake_phone import SECRET, FakePhone, Reply, envelope

ClientFactory = Callable[..., GrandstreamCTIClient]

PHONE_STATUS = "/cgi-bin/api-get_phone_status"
HELD = 600.0


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


async def test_proven_passcode_reads_go_concurrently(
    phone: FakePhone, make_client: ClientFactory
) -> None:
    client = make_client(timeout=30)
    phone.set_default(Reply(envelope("available")))
    await client.get_phone_status()
    phone.set_default(Reply(envelope("available"), delay=HELD))
    tasks = [asyncio.create_task(client.get_phone_status()) for _ in range(2)]
    await phone.wait_until(lambda: phone.in_flight == 2)
    phone.release.set()
    await asyncio.gather(*tasks)


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


async def test_concurrent_401s_after_proof_latch_once(
    phone: FakePhone, make_client: ClientFactory
) -> None:
    """Requests already in flight may all come back 401: one rejection."""
    client = make_client(timeout=30)
    phone.set_default(Reply(envelope("available")))
    await client.get_phone_status()
    phone.set_default(Reply("", status=401, delay=HELD))
    tasks = [asyncio.create_task(client.get_phone_status()) for _ in range(2)]
    await phone.wait_until(lambda: phone.in_flight == 2)
    phone.release.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(isinstance(r, GrandstreamCTIAuthenticationError) for r in results)
    assert len(phone.hits) == 3
    with pytest.raises(GrandstreamCTIAuthenticationError):
        await client.end_call()
    assert len(phone.hits) == 3
