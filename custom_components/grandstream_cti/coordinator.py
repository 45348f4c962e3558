"""One coordinator per phone: reads it, runs commands on it, derives call events.

* Reads are serialized (one at a time per phone) and coalesce: whatever asks
  (a push, a command, the timer), one read runs and at most one waits; a read
  that starts after someone asked answers them all.
* The lines are read first and alone: a password not yet known to work costs
  one request per attempt. The rest follows only when that read worked.
* Call events come only from comparing two line readings (`call_events.py`):
  a push or a command just triggers a reading.
* Commands go straight to the phone (the client's command lane), never behind
  queued reads; the phone is read once the command was accepted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.const import CONF_HOST
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    ConfigEntryError,
    HomeAssistantError,
)
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .call_events import CallEvent, CallEventType, call_events
from .call_history import CallHistory
from .const import (
    COMMAND_READ_WAIT,
    CONF_MAC_SOURCE,
    DOMAIN,
    FULL_READ_EVERY_POLLS,
    ISSUE_CLICK_TO_DIAL_OFF,
    ISSUE_CTI_DISABLED,
    ISSUE_POPUP_CONFIRMATION,
    LOGGER,
    MAX_BACKOFF_INTERVAL,
    SCAN_INTERVAL,
)
from .cti import (
    Account,
    ApiKind,
    Battery,
    CommandRefusal,
    GrandstreamCTIAccessDeniedError,
    GrandstreamCTIAuthenticationError,
    GrandstreamCTIClient,
    GrandstreamCTICommandError,
    GrandstreamCTIError,
    GrandstreamCTIPermissionError,
    GrandstreamCTIResponseError,
    GrandstreamCTITimeoutError,
    GrandstreamCTIUnsupportedError,
    Line,
    ModelInfo,
    PhoneState,
    WifiStatus,
)
from .domain_data import domain_data
from .errors import command_failed, update_failed
from .identity import (
    MacSource,
    adopt_mac,
    async_mac_from_network,
    mac_source,
    normalize_mac,
)
from .issues import async_clear_issue, async_set_issue

type GrandstreamConfigEntry = ConfigEntry[GrandstreamRuntimeData]
type Command = Callable[[GrandstreamCTIClient], Awaitable[None]]

# A command that times out while reads answer within this share of the
# timeout blames the phone's pop-up confirmation, not a slow phone.
POPUP_READ_SHARE = 0.25
# Failures that only mean "this phone lacks that": the feature stays off.
_LACKS = (
    GrandstreamCTIPermissionError,
    GrandstreamCTIResponseError,
    GrandstreamCTIUnsupportedError,
)


@dataclass(frozen=True, slots=True)
class PhoneSnapshot:
    """Everything one refresh reads from the phone."""

    accounts: tuple[Account, ...]
    lines: tuple[Line, ...]
    phone: PhoneState
    # Session phones only; None where the phone does not tell.
    dnd: bool | None = None
    battery: Battery | None = None
    wifi: WifiStatus | None = None

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
class Capabilities:
    """What this phone offers beyond calls (found at setup)."""

    dnd: bool = False
    battery: bool = False
    wifi: bool = False


@dataclass(slots=True)
class GrandstreamRuntimeData:
    """What a loaded config entry holds."""

    client: GrandstreamCTIClient
    coordinator: GrandstreamCoordinator
    # Push as set up; an options change to it reloads the entry.
    push_enabled: bool = False
    # Number typed into the dial box, dialled by the call button.
    dial_number: str = ""
    # Action URL slots this entry wrote.
    push_slots: dict[str, str] = field(default_factory=dict)
    # The last caller and missed calls, from the call events.
    history: CallHistory = field(default_factory=CallHistory)


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


async def _optional[T](read: Coroutine[Any, Any, T]) -> T | None:
    """Return a read's result, or None when the phone lacks it."""
    try:
        return await read
    except _LACKS:
        return None


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
            update_interval=SCAN_INTERVAL,
            # The snapshot compares by value: entities write only on change.
            always_update=False,
        )
        self.client = client
        self.model_info = ModelInfo()
        self.capabilities = Capabilities()
        self.firmware: str | None = None
        # When the phone last pushed an event (diagnostics: is push working?).
        self.last_push: datetime | None = None
        # Failed refreshes in a row; polls back off while it is not zero.
        self._failures = 0
        # Polls since everything was last read, and whether it must be now.
        self._polls_since_full_read = 0
        self._full_read_needed = True
        # Reads: one at a time; reads_started tells a waiter someone read
        # after it asked. The queued read is shared by everyone who asks
        # while it waits.
        self._read_lock = asyncio.Lock()
        self._reads_started = 0
        self._last_read_ok = False
        self._queue_gate = asyncio.Lock()
        self._queued: asyncio.Future[None] | None = None
        # We rejected a call, or the phone pushed "rejected": the ringing
        # call that goes away next reads as rejected, not missed.
        self._rejection_hint = False
        self._lines_seen: tuple[Line, ...] | None = None
        self._event_listeners: list[Callable[[CallEvent], None]] = []
        # How long the last successful line read took (pop-up heuristic).
        self._last_read_seconds: float | None = None

    # ------------------------------------------------------------------
    # Setup

    async def _async_setup(self) -> None:
        """Find the phone's API, log in once, learn what it is and can do."""
        entry = self.config_entry
        if domain_data(self.hass).setup_must_not_try(entry.entry_id, entry.data):
            # Our own reload after the phone rejected the password: nothing
            # is sent; the entry waits in setup-error for the user.
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="invalid_auth"
            )
        try:
            self.model_info = await self.client.get_model_info()
            await self.client.login()
            if self._session:
                await self._async_find_capabilities()
        except GrandstreamCTIError as err:
            raise self._read_failed(err) from err
        self.firmware = self._firmware()
        await self._async_learn_identity()

    async def _async_find_capabilities(self) -> None:
        """Probe DND, battery and Wi-Fi once (missing ones stay off)."""
        client = self.client
        caps = Capabilities()
        caps.dnd = await _optional(client.get_dnd()) is not None
        model = (self.model_info.model or "").upper()
        if not model or model.startswith("WP"):
            caps.battery = await _optional(client.get_battery()) is not None
            caps.wifi = await _optional(client.get_wifi_status()) is not None
        self.capabilities = caps

    def _firmware(self) -> str | None:
        session = self.client.session_info
        return (session.firmware if session else None) or self.model_info.firmware

    async def _async_learn_identity(self) -> None:
        """Key the entry by the phone's MAC: its own word, else the network's."""
        entry = self.config_entry
        session = self.client.session_info
        told = normalize_mac(session.mac if session else None) or normalize_mac(
            self.model_info.mac
        )
        if told is not None:
            self._check_same_phone(told)
            adopt_mac(self.hass, entry, told, MacSource.PHONE)
            return
        current = mac_source(entry.data.get(CONF_MAC_SOURCE))
        if entry.unique_id is None or current is None or current.is_hint:
            seen = await async_mac_from_network(self.hass, entry.data[CONF_HOST])
            if seen is not None:
                adopt_mac(self.hass, entry, seen, MacSource.ARP)

    def _check_same_phone(self, told: str) -> None:
        """Refuse a different phone at the entry's address (a MAC it trusts)."""
        entry = self.config_entry
        current = mac_source(entry.data.get(CONF_MAC_SOURCE))
        if (
            entry.unique_id is not None
            and entry.unique_id != told
            and current is not None
            and not current.is_hint
        ):
            raise ConfigEntryError(
                translation_domain=DOMAIN,
                translation_key="wrong_device",
                translation_placeholders={"mac": told},
            )

    # ------------------------------------------------------------------
    # Reading

    def add_call_event_listener(
        self, listener: Callable[[CallEvent], None]
    ) -> Callable[[], None]:
        """Call listener with every call event; return the function that stops it."""
        self._event_listeners.append(listener)
        return lambda: self._event_listeners.remove(listener)

    def note_push(self, *, rejected: bool = False) -> None:
        """Record a push; it may be about registration or DND: read everything."""
        self.last_push = dt_util.utcnow()
        self._full_read_needed = True
        if rejected:
            self._rejection_hint = True

    async def async_read_now(self) -> None:
        """Read the phone now: one read runs, at most one waits, shared by all."""
        waiter = self._queued
        if waiter is None:
            waiter = self._queued = self.hass.loop.create_future()
            self.hass.async_create_background_task(
                self._async_run_queued(waiter),
                f"{DOMAIN} read {self.config_entry.entry_id}",
                eager_start=True,
            )
        await asyncio.shield(waiter)

    async def _async_run_queued(self, waiter: asyncio.Future[None]) -> None:
        try:
            async with self._queue_gate:
                # From now on, whoever asks waits for the next read.
                if self._queued is waiter:
                    self._queued = None
                await self.async_refresh()
        finally:
            if self._queued is waiter:
                self._queued = None
            if not waiter.done():
                waiter.set_result(None)

    async def _async_update_data(self) -> PhoneSnapshot:
        """Read the phone (serialized); back off while it does not answer."""
        ticket = self._reads_started
        async with self._read_lock:
            if self._reads_started > ticket and self._last_read_ok and self.data:
                # A read started after this one was asked for: it answers.
                return self.data
            self._reads_started += 1
            try:
                snapshot = await self._async_read_phone()
            except UpdateFailed:
                self._last_read_ok = False
                self._failures += 1
                self._full_read_needed = True
                # The coordinator schedules the next poll from this.
                self.update_interval = max(
                    SCAN_INTERVAL,
                    min(SCAN_INTERVAL * 2**self._failures, MAX_BACKOFF_INTERVAL),
                )
                raise
            except ConfigEntryAuthFailed:
                self._last_read_ok = False
                raise
            recovered = self._failures > 0
            self._failures = 0
            self._last_read_ok = True
            self.update_interval = SCAN_INTERVAL
            if recovered:
                await self._async_reread_model()
            self._note_firmware()
            self._fire_events(snapshot.lines)
            return snapshot

    def _full_read_due(self) -> bool:
        """Return True when this refresh reads everything, not just the lines."""
        if self._full_read_needed or self.data is None:
            return True
        return self._polls_since_full_read + 1 >= FULL_READ_EVERY_POLLS

    async def _async_read_phone(self) -> PhoneSnapshot:
        """Read the lines alone, then the rest when due or when they changed."""
        full = self._full_read_due()
        if full:
            # Cleared now, not after: a push during this read asks for the next.
            self._full_read_needed = False
        previous = self.data
        try:
            started = self.hass.loop.time()
            lines = tuple(await self.client.get_line_status())
            self._last_read_seconds = self.hass.loop.time() - started
            if full or previous is None:
                snapshot = await self._async_read_rest(lines)
            else:
                phone = previous.phone
                if lines != previous.lines:
                    phone = await self.client.get_phone_status()
                snapshot = replace(previous, lines=lines, phone=phone)
        except GrandstreamCTIError as err:
            raise self._read_failed(err) from err
        self._set_issue(ISSUE_CTI_DISABLED, active=False)
        if full:
            self._polls_since_full_read = 0
        else:
            self._polls_since_full_read += 1
        return snapshot

    async def _async_read_rest(self, lines: tuple[Line, ...]) -> PhoneSnapshot:
        """Read phone status, accounts and what else the phone has, concurrently."""
        caps, client = self.capabilities, self.client
        reads: list[Coroutine[Any, Any, object]] = [
            client.get_phone_status(),
            client.get_accounts(),
            _optional(client.get_dnd()) if caps.dnd else _none(),
            _optional(client.get_battery()) if caps.battery else _none(),
            _optional(client.get_wifi_status()) if caps.wifi else _none(),
        ]
        # All finish before we look: no read is left running unobserved.
        results = await asyncio.gather(*reads, return_exceptions=True)
        _raise_most_telling(*results)
        phone, accounts, dnd, battery, wifi = results
        assert isinstance(phone, PhoneState)
        assert isinstance(accounts, list)
        return PhoneSnapshot(
            tuple(accounts),
            lines,
            phone,
            dnd if isinstance(dnd, bool) else None,
            battery if isinstance(battery, Battery) else None,
            wifi if isinstance(wifi, WifiStatus) else None,
        )

    async def _async_reread_model(self) -> None:
        """Read the model facts again after an outage (a reboot may upgrade)."""
        try:
            self.model_info = await self.client.get_model_info()
        except GrandstreamCTIError:
            LOGGER.debug("%s: model facts unreadable after an outage", self.name)

    def _note_firmware(self) -> None:
        """Update the device when the firmware changed (after a restart, say)."""
        firmware = self._firmware()
        if firmware is None or firmware == self.firmware:
            return
        self.firmware = firmware
        registry = dr.async_get(self.hass)
        device = registry.async_get_device(
            identifiers={(DOMAIN, self.config_entry.entry_id)}
        )
        if device is not None:
            registry.async_update_device(device.id, sw_version=firmware)

    def _fire_events(self, lines: tuple[Line, ...]) -> None:
        """Fire the call events between the previous reading and this one."""
        previous, self._lines_seen = self._lines_seen, lines
        if previous is None:
            # Calls in progress when we start fire nothing.
            return
        rejected = self._rejection_hint
        events = call_events(previous, lines, rejected=rejected)
        if rejected and (
            any(event.type is CallEventType.REJECTED for event in events)
            or not any(line.is_ringing for line in (*previous, *lines))
        ):
            self._rejection_hint = False
        for event in events:
            for listener in list(self._event_listeners):
                listener(event)

    # ------------------------------------------------------------------
    # Failures

    def _read_failed(self, err: GrandstreamCTIError) -> Exception:
        """Return what a failed read raises; act on auth and access failures."""
        if isinstance(err, GrandstreamCTIAuthenticationError):
            self._password_rejected()
        elif isinstance(err, GrandstreamCTIAccessDeniedError):
            self._set_issue(ISSUE_CTI_DISABLED, active=True)
        return update_failed(err)

    @callback
    def _password_rejected(self) -> None:
        """Send nothing more with this password; put the entry in setup-error.

        While loaded, the entry is reloaded (as core's peblar does) and that
        reload sends nothing; the setup raises and Home Assistant asks the
        user for the password.
        """
        entry = self.config_entry
        loaded = entry.state is ConfigEntryState.LOADED
        domain_data(self.hass).reject(entry.entry_id, entry.data, own_reload=loaded)
        if loaded:
            self.hass.config_entries.async_schedule_reload(entry.entry_id)

    # ------------------------------------------------------------------
    # Commands

    async def async_command(
        self,
        command: Command,
        name: str,
        *,
        rejects_call: bool = False,
        full_read: bool = False,
    ) -> None:
        """Run one command on the phone, then read it so states follow at once.

        Buttons, switches and actions all come through here; name is the
        command's key (for its error messages). rejects_call marks a
        reject/cancel, so a ringing line going idle reads as "rejected";
        full_read reads everything after it (DND is not in the lines).
        """
        if rejects_call:
            self._rejection_hint = True
        try:
            await command(self.client)
        except GrandstreamCTICommandError as err:
            if (
                err.refusal is CommandRefusal.INVALID_REQUEST
                and await self._async_click_to_dial_off()
            ):
                raise HomeAssistantError(
                    translation_domain=DOMAIN,
                    translation_key="click_to_dial_off",
                ) from err
            raise self._command_failed(err, name) from err
        except GrandstreamCTIError as err:
            raise self._command_failed(err, name) from err
        self._set_issue(ISSUE_POPUP_CONFIRMATION, active=False)
        if full_read:
            self._full_read_needed = True
        # Not the debounced request: the next command must not wait. The
        # action does not wait behind a slow phone's reads either: the read
        # goes on (shielded) and states follow when it ends.
        with suppress(TimeoutError):
            async with asyncio.timeout(COMMAND_READ_WAIT):
                await self.async_read_now()

    async def async_set_dnd(self, on: bool) -> None:
        """Turn do-not-disturb on or off (written, read back, then read)."""
        await self.async_command(
            lambda client: client.set_dnd(on), "set_dnd", full_read=True
        )

    def _command_failed(
        self, err: GrandstreamCTIError, name: str
    ) -> HomeAssistantError:
        """Return the error a failed command raises; act on what it tells."""
        if isinstance(err, GrandstreamCTIAuthenticationError):
            self._password_rejected()
        elif isinstance(err, GrandstreamCTIAccessDeniedError):
            self._set_issue(ISSUE_CTI_DISABLED, active=True)
        elif isinstance(err, GrandstreamCTITimeoutError) and self._reads_are_quick():
            # Reads answer quickly but the command hangs: the phone is
            # waiting for a press on its pop-up confirmation window.
            self._set_issue(ISSUE_POPUP_CONFIRMATION, active=True)
            return HomeAssistantError(
                translation_domain=DOMAIN, translation_key="command_timeout_popup"
            )
        return command_failed(err, name)

    async def _async_click_to_dial_off(self) -> bool:
        """Return True (and offer the fix) when Click-To-Dial turns out off.

        A refused make-call ("Invalid Request") has other causes too (no
        usable account, a locked keypad); only a session can read P1561.
        """
        if not self._session:
            return False
        try:
            enabled = await self.client.get_click_to_dial()
        except GrandstreamCTIError:
            return False
        if enabled is not False:
            return False
        async_set_issue(
            self.hass, self.config_entry, ISSUE_CLICK_TO_DIAL_OFF, fixable=True
        )
        return True

    @property
    def _session(self) -> bool:
        api = self.client.api
        return api is not None and api.kind is ApiKind.SESSION

    def _reads_are_quick(self) -> bool:
        seconds = self._last_read_seconds
        return (
            self.last_update_success
            and seconds is not None
            and seconds < POPUP_READ_SHARE * self.client.timeout
        )

    def _set_issue(self, issue: str, *, active: bool) -> None:
        """Raise or clear one of this phone's repair issues."""
        if active:
            async_set_issue(
                self.hass, self.config_entry, issue, severity=ir.IssueSeverity.ERROR
            )
        else:
            async_clear_issue(self.hass, self.config_entry, issue)


async def _none() -> None:
    """Return None (a read this phone does not have)."""
    return
