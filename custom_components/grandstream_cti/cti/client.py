"""Async client for one phone's CTI API."""

from __future__ import annotations

from collections.abc import Iterable

import aiohttp

from .models import Account, Line, ModelInfo, PhoneOperation, PhoneState

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_CONCURRENT_REQUESTS = 2


class GrandstreamCTIClient:
    """Talk to one Grandstream phone over its CTI HTTP API."""

    def __init__(
        self,
        host: str,
        passcode: str,
        *,
        session: aiohttp.ClientSession,
        port: int | None = None,
        use_ssl: bool = False,
        verify_ssl: bool = False,
        timeout: float = DEFAULT_TIMEOUT,
        max_concurrent_requests: int = DEFAULT_MAX_CONCURRENT_REQUESTS,
    ) -> None:
        """Initialize the client (no I/O)."""
        raise NotImplementedError

    @property
    def base_url(self) -> str:
        """Return scheme://host[:port] (never the passcode)."""
        raise NotImplementedError

    async def get_line_status(self) -> list[Line]:
        """Read every line appearance."""
        raise NotImplementedError

    async def get_phone_status(self) -> PhoneState:
        """Read the phone-wide status."""
        raise NotImplementedError

    async def get_accounts(self) -> list[Account]:
        """Read every account the model has."""
        raise NotImplementedError

    async def phone_operation(self, operation: PhoneOperation) -> None:
        """Send one phone operation; raise GrandstreamCTICommandError if refused."""
        raise NotImplementedError

    async def accept_call(self) -> None:
        """Answer the ringing call."""
        await self.phone_operation(PhoneOperation.ACCEPT_CALL)

    async def reject_call(self) -> None:
        """Reject the ringing call."""
        await self.phone_operation(PhoneOperation.REJECT_CALL)

    async def end_call(self) -> None:
        """Hang up the established call."""
        await self.phone_operation(PhoneOperation.END_CALL)

    async def hold_call(self) -> None:
        """Hold the established call, or resume a held one (the phone toggles)."""
        await self.phone_operation(PhoneOperation.HOLD_CALL)

    async def cancel_call(self) -> None:
        """Reject or cancel (abort an outgoing call while it rings)."""
        await self.phone_operation(PhoneOperation.CANCEL)

    async def make_call(self, number: str, account: int | None = None) -> None:
        """Dial number; account is 1-based here (0-based on the wire)."""
        raise NotImplementedError

    async def send_keys(self, keys: str | Iterable[str]) -> None:
        """Press keys in order (names validated by keys.normalize_keys)."""
        raise NotImplementedError

    async def reboot(self) -> None:
        """Reboot the phone (never a factory reset)."""
        raise NotImplementedError

    async def get_model_info(self) -> ModelInfo:
        """Read model facts that need no passcode; fields may be None."""
        raise NotImplementedError
