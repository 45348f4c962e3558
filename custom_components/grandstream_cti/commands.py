"""Call commands shared by the buttons and the actions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final

from .cti import GrandstreamCTIClient


@dataclass(frozen=True, kw_only=True)
class CallCommand:
    """One phone operation, as a button key and an action name."""

    key: str
    run: Callable[[GrandstreamCTIClient], Awaitable[None]]
    # A ringing call that goes away after this was rejected, not missed.
    rejects_call: bool = False


CALL_COMMANDS: Final = {
    command.key: command
    for command in (
        CallCommand(key="accept_call", run=lambda client: client.accept_call()),
        CallCommand(
            key="reject_call",
            run=lambda client: client.reject_call(),
            rejects_call=True,
        ),
        CallCommand(key="end_call", run=lambda client: client.end_call()),
        CallCommand(key="hold_call", run=lambda client: client.hold_call()),
        CallCommand(
            key="cancel_call",
            run=lambda client: client.cancel_call(),
            rejects_call=True,
        ),
    )
}
