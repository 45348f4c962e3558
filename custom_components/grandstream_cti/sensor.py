"""Sensors: phone status, lines, accounts, voicemail, battery, Wi-Fi, call history."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.sensor import (
    RestoreSensor,
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType
from homeassistant.util import dt as dt_util

from .calls import LastCaller
from .coordinator import GrandstreamConfigEntry
from .cti import (
    Account,
    Capabilities,
    Line,
    LineState,
    PhoneSnapshot,
    PhoneStatus,
    remote_name,
    unread_voicemail_key,
)
from .entity import GrandstreamEntity

PARALLEL_UPDATES = 0

# States the phone may send that the spec does not list read as "other".
OTHER = "other"
PHONE_STATUS_OPTIONS = [s.value for s in PhoneStatus if s is not PhoneStatus.UNKNOWN]
LINE_STATE_OPTIONS = [s.value for s in LineState if s is not LineState.UNKNOWN]
ACCOUNT_STATUS_OPTIONS = ["registered", "not_registered"]


def _phone_status(snapshot: PhoneSnapshot) -> str:
    status = snapshot.status
    return OTHER if status is PhoneStatus.UNKNOWN else status.value


def _line_state(line: Line) -> str:
    return OTHER if line.state is LineState.UNKNOWN else line.state.value


def _remote_party(line: Line) -> str | None:
    """Return "Name (number)", the number alone, or "" while the line is idle.

    A name is shown only when the phone shows a real one (it copies the
    number into the name once connected). None: a caller without a number.
    """
    if line.is_idle:
        return ""
    name, number = remote_name(line), line.remote_number.strip()
    if name and number:
        return f"{name} ({number})"
    return number or name or None


@dataclass(frozen=True, kw_only=True)
class PhoneSensorEntityDescription(SensorEntityDescription):
    """A sensor about the whole phone."""

    value_fn: Callable[[PhoneSnapshot], StateType]
    # Whether this phone has it (found at setup).
    exists_fn: Callable[[Capabilities], bool] = lambda _caps: True


@dataclass(frozen=True, kw_only=True)
class LineSensorEntityDescription(SensorEntityDescription):
    """A sensor about one line appearance."""

    value_fn: Callable[[Line], StateType]
    attributes_fn: Callable[[Line], dict[str, str]] | None = None


@dataclass(frozen=True, kw_only=True)
class AccountSensorEntityDescription(SensorEntityDescription):
    """A sensor about one configured SIP account."""

    value_fn: Callable[[PhoneSnapshot, Account], StateType]
    # Whether this phone has it for that account (found at setup).
    exists_fn: Callable[[Capabilities, int], bool] = lambda _caps, _account: True


PHONE_SENSORS = (
    PhoneSensorEntityDescription(
        key="phone_status",
        translation_key="phone_status",
        device_class=SensorDeviceClass.ENUM,
        options=[*PHONE_STATUS_OPTIONS, OTHER],
        value_fn=_phone_status,
    ),
    PhoneSensorEntityDescription(
        key="battery",
        device_class=SensorDeviceClass.BATTERY,
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda snapshot: (
            None if snapshot.battery is None else snapshot.battery.capacity
        ),
        exists_fn=lambda caps: caps.battery,
    ),
    PhoneSensorEntityDescription(
        key="wifi_signal",
        translation_key="wifi_signal",
        entity_category=EntityCategory.DIAGNOSTIC,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda snapshot: (
            None if snapshot.wifi is None else snapshot.wifi.signal
        ),
        exists_fn=lambda caps: caps.wifi,
    ),
)

LINE_SENSORS = (
    LineSensorEntityDescription(
        key="line_state",
        translation_key="line_state",
        device_class=SensorDeviceClass.ENUM,
        options=[*LINE_STATE_OPTIONS, OTHER],
        value_fn=_line_state,
    ),
    LineSensorEntityDescription(
        key="line_remote",
        translation_key="line_remote",
        value_fn=_remote_party,
        attributes_fn=lambda line: {
            "remote_number": line.remote_number,
            "remote_name": remote_name(line),
        },
    ),
)

ACCOUNT_SENSORS = (
    AccountSensorEntityDescription(
        key="account_status",
        translation_key="account_status",
        device_class=SensorDeviceClass.ENUM,
        entity_category=EntityCategory.DIAGNOSTIC,
        options=ACCOUNT_STATUS_OPTIONS,
        value_fn=lambda _snapshot, account: (
            "registered" if account.registered else "not_registered"
        ),
    ),
    AccountSensorEntityDescription(
        key="unread_voicemail",
        translation_key="unread_voicemail",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda snapshot, account: _count(
            snapshot.config.get(unread_voicemail_key(account.id))
        ),
        exists_fn=lambda caps, account: caps.voicemail(account),
    ),
)


def _count(raw: str | None) -> int | None:
    """Return a count the phone keeps as text, or None."""
    value = (raw or "").strip()
    return int(value) if value.isdigit() else None


async def async_setup_entry(
    hass: HomeAssistant,
    entry: GrandstreamConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up sensors for the lines and accounts this phone has."""
    coordinator = entry.runtime_data.coordinator
    snapshot = coordinator.data
    entities: list[SensorEntity] = [
        PhoneSensor(entry, description)
        for description in PHONE_SENSORS
        if description.exists_fn(coordinator.capabilities)
    ]
    entities.extend(
        LineSensor(entry, description, line.line)
        for line in snapshot.lines
        for description in LINE_SENSORS
    )
    entities.append(LastCallerSensor(entry, LAST_CALLER))
    entities.append(MissedCallsSensor(entry, MISSED_CALLS))
    entities.extend(
        AccountSensor(entry, description, account)
        for account in snapshot.accounts
        if account.configured
        for description in ACCOUNT_SENSORS
        if description.exists_fn(coordinator.capabilities, account.id)
    )
    async_add_entities(entities)


class PhoneSensor(GrandstreamEntity, SensorEntity):
    """A sensor about the whole phone."""

    entity_description: PhoneSensorEntityDescription

    def __init__(
        self, entry: GrandstreamConfigEntry, description: PhoneSensorEntityDescription
    ) -> None:
        """Initialize the sensor."""
        super().__init__(entry, description.key)
        self.entity_description = description

    @property
    def native_value(self) -> StateType:
        """Return the sensor's state."""
        return self.entity_description.value_fn(self.coordinator.data)


class LineSensor(GrandstreamEntity, SensorEntity):
    """A sensor about one line; only line 1 is enabled by default."""

    entity_description: LineSensorEntityDescription

    def __init__(
        self,
        entry: GrandstreamConfigEntry,
        description: LineSensorEntityDescription,
        line_number: int,
    ) -> None:
        """Initialize the sensor for one line."""
        super().__init__(entry, f"line_{line_number}_{description.key}")
        self.entity_description = description
        self._line_number = line_number
        self._attr_translation_placeholders = {"line": str(line_number)}
        self._attr_entity_registry_enabled_default = line_number == 1

    @property
    def _line(self) -> Line | None:
        return self.coordinator.data.line(self._line_number)

    @property
    def available(self) -> bool:
        """Return False when the phone no longer reports this line."""
        return super().available and self._line is not None

    @property
    def native_value(self) -> StateType:
        """Return the sensor's state."""
        line = self._line
        return None if line is None else self.entity_description.value_fn(line)

    @property
    def extra_state_attributes(self) -> dict[str, str] | None:
        """Return the raw remote number and name for automations."""
        line = self._line
        if line is None or self.entity_description.attributes_fn is None:
            return None
        return self.entity_description.attributes_fn(line)


class AccountSensor(GrandstreamEntity, SensorEntity):
    """A sensor about one configured account, named after it."""

    entity_description: AccountSensorEntityDescription

    def __init__(
        self,
        entry: GrandstreamConfigEntry,
        description: AccountSensorEntityDescription,
        account: Account,
    ) -> None:
        """Initialize the sensor for one account."""
        super().__init__(entry, f"account_{account.id}_{description.key}")
        self.entity_description = description
        self._account_id = account.id
        self._attr_translation_placeholders = {
            "account": account.name or account.sip_id or str(account.id)
        }

    @property
    def _account(self) -> Account | None:
        return self.coordinator.data.account(self._account_id)

    @property
    def available(self) -> bool:
        """Return False when the phone no longer reports this account."""
        return super().available and self._account is not None

    @property
    def native_value(self) -> StateType:
        """Return the sensor's state."""
        account = self._account
        if account is None:
            return None
        return self.entity_description.value_fn(self.coordinator.data, account)


LAST_CALLER = SensorEntityDescription(key="last_caller", translation_key="last_caller")
MISSED_CALLS = SensorEntityDescription(
    key="missed_calls",
    translation_key="missed_calls",
    state_class=SensorStateClass.TOTAL,
)


class CallHistorySensor(GrandstreamEntity, RestoreSensor):
    """A sensor showing the phone's call history; it stays when the phone is away."""

    def __init__(
        self, entry: GrandstreamConfigEntry, description: SensorEntityDescription
    ) -> None:
        """Initialize the sensor."""
        super().__init__(entry, description.key)
        self.entity_description = description
        self._history = entry.runtime_data.calls.history

    @property
    def available(self) -> bool:
        """Return True: history is known whether or not the phone answers."""
        return True

    async def async_added_to_hass(self) -> None:
        """Restore what the sensor showed, then follow the history."""
        await super().async_added_to_hass()
        await self._async_restore()
        self.async_on_remove(self._history.listen(self.async_write_ha_state))

    async def _async_restore(self) -> None:
        """Take back the state from before the restart."""


class LastCallerSensor(CallHistorySensor):
    """The remote party of the last incoming call."""

    async def _async_restore(self) -> None:
        state = await self.async_get_last_state()
        if state is not None:
            self._history.restore(
                last_caller=LastCaller.from_attributes(state.attributes)
            )

    @property
    def native_value(self) -> str | None:
        """Return the last caller, as the phone showed them."""
        caller = self._history.last_caller
        return None if caller is None else caller.display

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Return number, name, line, whether answered, and when it started."""
        caller = self._history.last_caller
        return None if caller is None else caller.as_attributes()


class MissedCallsSensor(CallHistorySensor):
    """Missed calls since the last reset."""

    async def _async_restore(self) -> None:
        data = await self.async_get_last_sensor_data()
        state = await self.async_get_last_state()
        if data is None or not isinstance(data.native_value, int | float):
            return
        since = None
        if state is not None and (reset := state.attributes.get("last_reset")):
            since = dt_util.parse_datetime(str(reset))
        self._history.restore(missed=int(data.native_value), missed_since=since)

    @property
    def native_value(self) -> int:
        """Return how many calls were missed since the last reset."""
        return self._history.missed

    @property
    def last_reset(self) -> datetime | None:
        """Return when the count was last reset."""
        return self._history.missed_since
