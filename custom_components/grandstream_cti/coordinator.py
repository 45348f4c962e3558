"""One coordinator per phone: reads accounts, lines and status together."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_SCAN_INTERVAL
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .const import (
    DEFAULT_SCAN_INTERVAL,
    DOMAIN,
    FULL_READ_EVERY_POLLS,
    ISSUE_CTI_DISABLED,
    ISSUE_POPUP_CONFIRMATION,
    LOGGER,
    MAX_BACKOFF_INTERVAL,
)
from .cti import (
    Account,
    GrandstreamCTIAccessDeniedError,
    GrandstreamCTIAuthenticationError,
    GrandstreamCTIClient,
    GrandstreamCTICommandError,
    GrandstreamCTIError,
    GrandstreamCTITimeoutError,
    Line,
    ModelInfo,
    PhoneState,
)

type GrandstreamConfigEntry = ConfigEntry[GrandstreamRuntimeData]


@dataclass(frozen=True, slots=True)
class PhoneSnapshot:
    """Everything one refresh reads from the phone."""

    accounts: tuple[Account, ...]
    lines: tuple[Line, ...]
    phone: PhoneState

    @property
    def ringing(self) -> bool:
        """Return True when a call rings on any line."""
        return any(line.is_ringing for line in self.lines)

    @property
    def in_call(self) -> bool:
        """Return True when any line carries an established call."""
        return any(line.in_call for line in self.lines)

    def line(self, number: int) -> Line | None:
        """Return the line with this 1-based number, if the phone has it."""
        return next((line for line in self.lines if line.line == number), None)

    def account(self, number: int) -> Account | None:
        """Return the account with this 1-based id, if the phone has it."""
        return next((acc for acc in self.accounts if acc.id == number), None)


@dataclass(slots=True)
class GrandstreamRuntimeData:
    """What a loaded config entry holds."""

    client: GrandstreamCTIClient
    coordinator: GrandstreamCoordinator
    model_info: ModelInfo
    # Push as set up; an options change to it needs a reload.
    push_enabled: bool = False
    # Number typed into the dial box, dialled by the call button.
    dial_number: str = ""


def _raise_most_telling(*results: object) -> None:
    """Raise the error that best explains failed reads: auth, access, then any."""
    errors = [result for result in results if isinstance(result, BaseException)]
    for kind in (
        GrandstreamCTIAuthenticationError,
        GrandstreamCTIAccessDeniedError,
        BaseException,
    ):
        for error in errors:
            if isinstance(error, kind):
                raise error


class GrandstreamCoordinator(DataUpdateCoordinator[PhoneSnapshot]):
    """Poll one phone and run commands on it."""

    config_entry: GrandstreamConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: GrandstreamConfigEntry,
        client: GrandstreamCTIClient,
    ) -> None:
        """Initialize the coordinator."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {entry.title}",
            update_interval=timedelta(
                seconds=entry.options.get(CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL)
            ),
            # The snapshot compares by value: entities write only on change.
            always_update=False,
        )
        self.client = client
        # Failed refreshes in a row; polls back off while it is not zero.
        self._failures = 0
        # Polls since everything was last read, and whether it must be now.
        self._polls_since_full_read = 0
        self._full_read_needed = True
        # Set when we rejected or cancelled a ringing call, so that the line
        # going idle reads as "rejected" rather than "missed".
        self.rejection_pending = False
        # When the phone last pushed an event (diagnostics: is push working?).
        self.last_push: datetime | None = None

    def note_push(self) -> None:
        """Record a push; it may be about registration or DND: read everything."""
        self.last_push = dt_util.utcnow()
        self._full_read_needed = True

    @property
    def base_interval(self) -> timedelta:
        """Return the polling interval the user chose."""
        return timedelta(
            seconds=self.config_entry.options.get(
                CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL
            )
        )

    async def _async_update_data(self) -> PhoneSnapshot:
        """Read the phone; back off while it does not answer."""
        try:
            snapshot = await self._async_read_phone()
        except UpdateFailed:
            self._failures += 1
            self._full_read_needed = True
            # The coordinator schedules the next poll from this, after we return.
            self.update_interval = max(
                self.base_interval,
                min(self.base_interval * 2**self._failures, MAX_BACKOFF_INTERVAL),
            )
            raise
        if self._failures:
            self._failures = 0
            self.update_interval = self.base_interval
        return snapshot

    def _full_read_due(self) -> bool:
        """Return True when this refresh reads everything, not just the lines."""
        if self._full_read_needed or self.data is None:
            return True
        return self._polls_since_full_read + 1 >= FULL_READ_EVERY_POLLS

    async def _async_read_phone(self) -> PhoneSnapshot:
        """Read the lines, and the rest when due or when the lines changed."""
        full = self._full_read_due()
        try:
            if self._failures:
                # Known to be down: one read, not three, tells if it is back.
                await self.client.get_phone_status()
            if full or self.data is None:
                lines, phone, accounts = await self._async_read_all()
            else:
                lines, phone, accounts = await self._async_read_lines(self.data)
        except GrandstreamCTIAuthenticationError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="invalid_auth"
            ) from err
        except GrandstreamCTIAccessDeniedError as err:
            self._set_issue(ISSUE_CTI_DISABLED, active=True)
            raise UpdateFailed(
                translation_domain=DOMAIN, translation_key="cti_disabled"
            ) from err
        except GrandstreamCTIError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="update_failed",
                translation_placeholders={"error": str(err)},
            ) from err
        self._set_issue(ISSUE_CTI_DISABLED, active=False)
        if full:
            self._polls_since_full_read = 0
            self._full_read_needed = False
        else:
            self._polls_since_full_read += 1
        return PhoneSnapshot(accounts=tuple(accounts), lines=tuple(lines), phone=phone)

    async def _async_read_all(self) -> tuple[list[Line], PhoneState, list[Account]]:
        """Read lines, phone status and accounts concurrently."""
        # All finish before we look: no read is left running unobserved.
        lines, phone, accounts = await asyncio.gather(
            self.client.get_line_status(),
            self.client.get_phone_status(),
            self.client.get_accounts(),
            return_exceptions=True,
        )
        _raise_most_telling(lines, phone, accounts)
        assert isinstance(lines, list)
        assert isinstance(phone, PhoneState)
        assert isinstance(accounts, list)
        return lines, phone, accounts

    async def _async_read_lines(
        self, previous: PhoneSnapshot
    ) -> tuple[list[Line], PhoneState, list[Account]]:
        """Read the lines; the phone status too, but only if they changed.

        The phone status follows from the lines but for do-not-disturb, which
        the next full read (or a push) brings.
        """
        lines = await self.client.get_line_status()
        phone = previous.phone
        if tuple(lines) != previous.lines:
            phone = await self.client.get_phone_status()
        return lines, phone, list(previous.accounts)

    async def async_command(
        self,
        command: Callable[[GrandstreamCTIClient], Awaitable[None]],
        *,
        rejects_call: bool = False,
    ) -> None:
        """Run one command on the phone, then refresh so states follow at once.

        Buttons and actions both come through here. rejects_call marks a
        reject/cancel, so a ringing line going idle reads as "rejected".
        """
        self.rejection_pending = rejects_call
        try:
            await command(self.client)
        except GrandstreamCTICommandError as err:
            await self.async_refresh()
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="command_refused",
                translation_placeholders={"error": str(err)},
            ) from err
        except GrandstreamCTIAuthenticationError as err:
            self.config_entry.async_start_reauth(self.hass)
            raise HomeAssistantError(
                translation_domain=DOMAIN, translation_key="invalid_auth"
            ) from err
        except GrandstreamCTIAccessDeniedError as err:
            self._set_issue(ISSUE_CTI_DISABLED, active=True)
            raise HomeAssistantError(
                translation_domain=DOMAIN, translation_key="cti_disabled"
            ) from err
        except GrandstreamCTITimeoutError as err:
            # Reads answer but a command hangs: the phone is waiting for a
            # press on its pop-up confirmation window.
            if self.last_update_success:
                self._set_issue(ISSUE_POPUP_CONFIRMATION, active=True)
            raise HomeAssistantError(
                translation_domain=DOMAIN, translation_key="command_timeout"
            ) from err
        except GrandstreamCTIError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="communication_error",
                translation_placeholders={"error": str(err)},
            ) from err
        else:
            self._set_issue(ISSUE_POPUP_CONFIRMATION, active=False)
            # Not the debounced request: the next command must not wait.
            await self.async_refresh()
        finally:
            self.rejection_pending = False

    def _set_issue(self, issue: str, *, active: bool) -> None:
        """Raise or clear one of this phone's repair issues."""
        issue_id = f"{issue}_{self.config_entry.entry_id}"
        if not active:
            ir.async_delete_issue(self.hass, DOMAIN, issue_id)
            return
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key=issue,
            translation_placeholders={"name": self.config_entry.title},
            learn_more_url="https://github.com/grandstream-cti/grandstream-cti#enable-cti-on-the-phone",
        )
