"""Commands: the one way anything is done on a phone.

Buttons, switches, numbers, selects and actions go through `CommandRunner.run`:
straight to the phone (never behind queued reads), a failure handled once and
said in one sentence, then the phone read at once so states follow.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Final

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from . import cti
from .calls import CallTracker
from .const import COMMAND_READ_WAIT
from .coordinator import GrandstreamCoordinator
from .explain import command_failed, message, quote
from .issues import Issue, async_clear_issue, async_note_failure, async_set_issue

type Command = Callable[[cti.GrandstreamCTIClient], Awaitable[None]]

# A command that times out while a read right after it answers within this
# share of the timeout blames the phone's pop-up confirmation.
POPUP_READ_SHARE: Final = 0.25


# Call control: button key and action name → the phone's operation.
CALL_COMMANDS: Final = {
    "accept_call": cti.PhoneOperation.ACCEPT_CALL,
    "reject_call": cti.PhoneOperation.REJECT_CALL,
    "end_call": cti.PhoneOperation.END_CALL,
    "hold_call": cti.PhoneOperation.HOLD_CALL,
    "cancel_call": cti.PhoneOperation.CANCEL,
}
# A ringing call that goes away after these was rejected, not missed.
REJECTING: Final = frozenset({"reject_call", "cancel_call"})


def invalid_input(key: str, **placeholders: str) -> HomeAssistantError:
    """Return the error for input refused before anything is sent."""
    return message(ServiceValidationError, key, **placeholders)


def dialable_number(number: str, *, empty_key: str = "invalid_number") -> str:
    """Return number stripped, or raise ServiceValidationError saying why not."""
    limit = str(cti.MAX_NUMBER_LENGTH)
    if not number.strip():
        raise invalid_input(empty_key, number="", max=limit)
    try:
        return cti.validate_number(number)
    except ValueError as err:
        raise invalid_input("invalid_number", number=quote(number), max=limit) from err


def key_names(keys: str | list[str]) -> list[str]:
    """Return the wire names of keys, or raise ServiceValidationError."""
    try:
        return cti.normalize_keys(keys, limit=cti.MAX_KEYS)
    except ValueError as err:
        shown = quote(keys if isinstance(keys, str) else ", ".join(keys))
        raise invalid_input("invalid_keys", keys=shown, max=str(cti.MAX_KEYS)) from err


class CommandRunner:
    """Runs commands on one phone."""

    def __init__(self, coordinator: GrandstreamCoordinator, calls: CallTracker) -> None:
        """Initialize the runner."""
        self._hass, self._entry = coordinator.hass, coordinator.config_entry
        self._coordinator, self._calls = coordinator, calls

    async def run(
        self,
        command: Command,
        name: str,
        *,
        rejects_call: bool = False,
        full_read: bool = False,
    ) -> None:
        """Run one command, then read the phone so states follow at once.

        rejects_call: a ringing line going idle reads as "rejected"; full_read:
        read everything after it (DND and settings are not in the lines).
        """
        if rejects_call:
            self._calls.expect_rejection()
        try:
            await command(self._coordinator.client)
        except cti.GrandstreamCTIError as err:
            raise await self._failed(err, name) from err
        async_clear_issue(self._hass, self._entry, Issue.POPUP_CONFIRMATION)
        if full_read:
            self._coordinator.request_full_read()
        # Not the debounced request: the next command must not wait. The
        # action does not wait behind a slow phone's reads either: the read
        # goes on (shielded) and states follow when it ends.
        with suppress(TimeoutError):
            async with asyncio.timeout(COMMAND_READ_WAIT):
                await self._coordinator.async_read_now()

    async def operate(self, key: str) -> None:
        """Run one call control command (a CALL_COMMANDS key)."""
        operation = CALL_COMMANDS[key]
        await self.run(
            lambda client: client.phone_operation(operation),
            key,
            rejects_call=key in REJECTING,
        )

    async def set_dnd(self, on: bool) -> None:
        """Turn do-not-disturb on or off (written, read back, then read)."""
        await self.run(lambda client: client.set_dnd(on), "set_dnd", full_read=True)

    async def set_setting(self, setting: cti.Setting, value: float | str) -> None:
        """Write one handset setting (read back, then read); refuse bad values."""
        if cti.setting_wire(setting, value) is None:
            raise invalid_input("invalid_setting", value=quote(str(value)))
        await self.run(
            lambda client: client.set_setting(setting, value),
            "set_setting",
            full_read=True,
        )

    def make_call_command(self, number: str, account: int | None) -> Command:
        """Validate the account for this phone and return the command that dials."""
        if account is not None:
            known = self._coordinator.data.account(account)
            if known is None or not known.configured:
                raise invalid_input(
                    "account_not_configured",
                    account=str(account),
                    name=self._entry.title,
                )
        return lambda client: client.make_call(number, account)

    async def _failed(
        self, err: cti.GrandstreamCTIError, name: str
    ) -> HomeAssistantError:
        """Act on a failed command once; return what to tell the user."""
        async_note_failure(self._hass, self._entry, err)
        if (
            isinstance(err, cti.GrandstreamCTICommandError)
            and err.refusal is cti.CommandRefusal.INVALID_REQUEST
            and await self._click_to_dial_off()
        ):
            return message(HomeAssistantError, "click_to_dial_off")
        if (
            isinstance(err, cti.GrandstreamCTITimeoutError)
            and await self._reads_quick()
        ):
            # Reads answer quickly but the command hangs: the phone is
            # waiting for a press on its pop-up confirmation window.
            async_set_issue(self._hass, self._entry, Issue.POPUP_CONFIRMATION)
            return message(HomeAssistantError, "command_timeout_popup")
        return command_failed(err)

    async def _reads_quick(self) -> bool:
        """Read the phone now: True when it answers quickly (not a slow phone)."""
        coordinator = self._coordinator
        timeout = coordinator.client.timeout
        try:
            async with asyncio.timeout(timeout):
                await coordinator.async_read_now()
        except TimeoutError:
            return False
        seconds = coordinator.line_read_seconds
        return (
            coordinator.last_update_success
            and seconds is not None
            and seconds < POPUP_READ_SHARE * timeout
        )

    async def _click_to_dial_off(self) -> bool:
        """Return True (and offer the fix) when Click-To-Dial (P1561) is off."""
        client = self._coordinator.client
        if client.api is None or client.api.kind is not cti.ApiKind.SESSION:
            return False
        try:
            if await client.get_click_to_dial() is not False:
                return False
        except cti.GrandstreamCTIError:
            return False
        async_set_issue(self._hass, self._entry, Issue.CLICK_TO_DIAL_OFF, fixable=True)
        return True
