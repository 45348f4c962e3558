"""Sensors: phone status, account registration, lines, battery and Wi-Fi."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from .call_events import remote_name
from .coordinator import Capabilities, GrandstreamConfigEntry, PhoneSnapshot
from .cti import Account, Line, LineState, PhoneStatus
from .entity import GrandstreamEntity
from .sensor_history import (
    LAST_CALLER,
    MISSED_CALLS,
    LastCallerSensor,
    MissedCallsSensor,
)

PARALLEL_UPDATES = 0

# States the phone may send that the spec does not list read as "other".
OTHER = "other"
PHONE_STATUS_OPTIONS = [s.value for s in PhoneStatus if s is not PhoneStatus.UNKNOWN]
LINE_STATE_OPTIONS = [s.value for s in LineState if s is not LineState.UNKNOWN]
ACCOUNT_STATUS_OPTIONS = ["registered", "not_registered"]


def _phone_status(snapshot: PhoneSnapshot) -> str:
    status = snapshot.phone.status
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

    value_fn: Callable[[Account], StateType]


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
        value_fn=lambda account: (
            "registered" if account.registered else "not_registered"
        ),
    ),
)


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
        return None if account is None else self.entity_description.value_fn(account)
