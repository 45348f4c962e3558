"""One coordinator per phone: it reads the phone, and nothing else.

Setup proves the phone is the entry's (its MAC) before any password goes out,
logs in once and learns what the phone offers. Reads are serialized and shared
(`cti.ReadQueue`), when and how much as `cti.ReadSchedule` says: the lines
first and alone (a password not yet known to work costs one request).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_HOST
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from . import const, cti, identity
from .explain import message, read_failed
from .issues import async_note_failure, async_note_success

if TYPE_CHECKING:
    from .calls import CallTracker
    from .commands import CommandRunner
    from .push import PushManager

type GrandstreamConfigEntry = ConfigEntry[GrandstreamRuntimeData]


@dataclass(slots=True)
class GrandstreamRuntimeData:
    """What a loaded config entry holds."""

    client: cti.GrandstreamCTIClient
    coordinator: GrandstreamCoordinator
    calls: CallTracker
    commands: CommandRunner
    push: PushManager
    # Number typed into the dial box, dialled by the call button.
    dial_number: str = ""


class GrandstreamCoordinator(DataUpdateCoordinator[cti.PhoneSnapshot]):
    """Read one phone."""

    config_entry: GrandstreamConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: GrandstreamConfigEntry,
        client: cti.GrandstreamCTIClient,
    ) -> None:
        """Initialize the coordinator."""
        super().__init__(
            hass,
            const.LOGGER,
            config_entry=entry,
            name=f"{const.DOMAIN} {entry.title}",
            update_interval=const.SCAN_INTERVAL,
            # The snapshot compares by value: entities write only on change.
            always_update=False,
        )
        self.client = client
        self.model_info = cti.ModelInfo()
        self.capabilities = cti.Capabilities()
        self.firmware: str | None = None
        self.reads = cti.ReadQueue(
            lambda read: entry.async_create_background_task(
                hass, read, f"{const.DOMAIN} read {entry.entry_id}"
            )
        )
        self.schedule = cti.ReadSchedule.for_phone(entry.entry_id)
        # Set by the push manager: pushes arrive, a heartbeat is enough.
        self.push_trusted = False
        # The last read was the timer's, not asked for by a push or command.
        self.timer_read = False
        # How long the last line read took (the pop-up heuristic).
        self.line_read_seconds: float | None = None
        self._asked = False

    async def _async_setup(self) -> None:
        """Prove the phone, log in once, learn what it is and offers."""
        entry = self.config_entry
        try:
            await self._async_prove_address()
            self.model_info = await self.client.get_model_info()
            session = await self.client.login()
            self.capabilities = await self.client.probe_capabilities(self.model_info)
        except cti.GrandstreamCTIError as err:
            async_note_failure(self.hass, entry, err)
            raise read_failed(err, setup=True) from err
        # Proven: remember the API, and that the address is the phone's.
        assert self.client.api is not None
        data = {**entry.data, **self.client.api.as_data()}
        data.pop(const.CONF_MOVED, None)
        data.pop(const.CONF_REJECTED, None)
        self.hass.config_entries.async_update_entry(entry, data=data)
        told = cti.normalize_mac(session.mac if session else None)
        if told is not None:
            identity.adopt_mac(self.hass, entry, told, identity.MacSource.PHONE)
        elif identity.entry_mac(entry) is None:
            host = entry.data[CONF_HOST]
            if seen := await identity.async_mac_from_network(self.hass, host):
                identity.adopt_mac(self.hass, entry, seen, identity.MacSource.ARP)
        self.firmware = self._firmware()

    async def _async_prove_address(self) -> None:
        """Send no password to a device that is not the phone (a move, a swap)."""
        entry = self.config_entry
        mac = identity.entry_mac(entry)
        proven, seen = await identity.async_prove_address(self.hass, entry.data, mac)
        if proven:
            return
        if seen is not None:
            raise cti.GrandstreamCTIWrongDeviceError(
                f"A different phone ({seen}) answers at {entry.data[CONF_HOST]}",
                mac=seen,
            )
        raise message(UpdateFailed, "address_unproven", host=entry.data[CONF_HOST])

    def _firmware(self) -> str | None:
        session = self.client.session_info
        return (session.firmware if session else None) or self.model_info.firmware

    def distrust_push(self) -> None:
        """Read at the full rate again from now on: a read found calls no push told."""
        self.push_trusted = False
        wait = self.schedule.next_wait(dt_util.utcnow().timestamp(), push=False)
        self.update_interval = timedelta(seconds=wait)
        self._schedule_refresh()

    def request_full_read(self) -> None:
        """Have the next read read everything (registration, DND, settings)."""
        self.schedule.full_needed = True

    async def async_read_now(self) -> None:
        """Read the phone now: one read runs, at most one waits, shared by all."""
        await self.reads.ask(self._async_asked_refresh)

    async def _async_asked_refresh(self) -> None:
        self._asked = True
        await self.async_refresh()

    async def _async_update_data(self) -> cti.PhoneSnapshot:
        """Read the phone (serialized, per the schedule); back off on failures."""
        asked, self._asked = self._asked, False
        schedule = self.schedule
        async with self.reads.turn() as mine:
            if not mine and self.last_update_success and self.data is not None:
                return self.data
            self.timer_read = not asked
            push = self.push_trusted
            full = schedule.full_due(asked=asked, push=push) or self.data is None
            try:
                snapshot = await self._async_read(full=full)
            except cti.GrandstreamCTIError as err:
                minutes = getattr(err, "minutes", None)
                wait = schedule.failed(lock_minutes=minutes)
                self.update_interval = timedelta(seconds=wait)
                async_note_failure(self.hass, self.config_entry, err)
                raise read_failed(err) from err
        if schedule.succeeded(full=full):
            await self._async_reread_model()
        self._note_firmware()
        contested = self.client.session_contested
        async_note_success(self.hass, self.config_entry, contested=contested)
        now = dt_util.utcnow().timestamp()
        self.update_interval = timedelta(seconds=schedule.next_wait(now, push=push))
        return snapshot

    async def _async_read(self, *, full: bool) -> cti.PhoneSnapshot:
        """Read the lines alone, then the rest when full."""
        started = self.hass.loop.time()
        lines = tuple(await self.client.get_line_status())
        self.line_read_seconds = self.hass.loop.time() - started
        previous = self.data
        if full and previous and self.last_update_success and lines != previous.lines:
            # Calls first: their events do not wait for the rest of the read.
            self.data = replace(previous, lines=lines)
            self.async_update_listeners()
        if full or self.data is None:
            return await self.client.read_snapshot(lines, self.capabilities)
        return replace(self.data, lines=lines)

    async def _async_reread_model(self) -> None:
        """Read the model facts again after an outage (a reboot may upgrade)."""
        try:
            self.model_info = await self.client.get_model_info()
        except cti.GrandstreamCTIError:
            const.LOGGER.debug("%s: model facts unreadable after an outage", self.name)

    def _note_firmware(self) -> None:
        """Update the device when the firmware changed (after a restart, say)."""
        firmware = self._firmware()
        if firmware is None or firmware == self.firmware:
            return
        self.firmware = firmware
        registry = dr.async_get(self.hass)
        device = registry.async_get_device(
            identifiers={(const.DOMAIN, self.config_entry.entry_id)}
        )
        if device is not None:
            registry.async_update_device(device.id, sw_version=firmware)
