"""Sensors: phone status, lines, accounts, voicemail, battery, Wi-Fi, call history."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

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

from . import cti
from .coordinator import GrandstreamConfigEntry
from .entity import GrandstreamEntity

PARALLEL_UPDATES = 0

type Attributes = dict[str, Any] | None
# States the phone may send that the spec does not list read as "other".
OTHER = "other"


def _enum(value: cti.PhoneStatus | cti.LineState) -> str:
    return OTHER if value.value == "unknown" else value.value


def _of_line[T](
    fn: Callable[[cti.Line], T],
) -> Callable[[cti.PhoneSnapshot, int], T | None]:
    """Return fn applied to line n of a reading (None when the line is gone)."""
    return lambda snapshot, n: None if (line := snapshot.line(n)) is None else fn(line)


def _of_account[T](
    fn: Callable[[cti.Account], T],
) -> Callable[[cti.PhoneSnapshot, int], T | None]:
    """Return fn applied to account n of a reading (None when it is gone)."""
    return lambda snapshot, n: None if (acc := snapshot.account(n)) is None else fn(acc)


@dataclass(frozen=True, kw_only=True)
class GrandstreamSensorEntityDescription(SensorEntityDescription):
    """A sensor of the phone or of each line or account (functions get its number)."""

    part: Literal["phone", "line", "account"] = "phone"
    value_fn: Callable[[cti.PhoneSnapshot, int], StateType]
    attributes_fn: Callable[[cti.PhoneSnapshot, int], Attributes] = lambda _s, _n: None
    # Whether the phone has it (found at setup).
    exists_fn: Callable[[cti.Capabilities, int], bool] = lambda _caps, _number: True


SENSORS = (
    GrandstreamSensorEntityDescription(
        key="phone_status",
        translation_key="phone_status",
        device_class=SensorDeviceClass.ENUM,
        options=[_enum(s) for s in cti.PhoneStatus if s is not cti.PhoneStatus.UNKNOWN]
        + [OTHER],
        value_fn=lambda snapshot, _: _enum(snapshot.status),
    ),
    GrandstreamSensorEntityDescription(
        key="battery",
        device_class=SensorDeviceClass.BATTERY,
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda snapshot, _: (
            snapshot.battery.capacity if snapshot.battery else None
        ),
        exists_fn=lambda caps, _: caps.battery,
    ),
    GrandstreamSensorEntityDescription(
        key="wifi_signal",
        translation_key="wifi_signal",
        entity_category=EntityCategory.DIAGNOSTIC,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda snapshot, _: snapshot.wifi.signal if snapshot.wifi else None,
        exists_fn=lambda caps, _: caps.wifi,
    ),
    GrandstreamSensorEntityDescription(
        key="line_state",
        translation_key="line_state",
        part="line",
        device_class=SensorDeviceClass.ENUM,
        options=[_enum(s) for s in cti.LineState if s is not cti.LineState.UNKNOWN]
        + [OTHER],
        value_fn=_of_line(lambda line: _enum(line.state)),
    ),
    GrandstreamSensorEntityDescription(
        key="line_remote",
        translation_key="line_remote",
        part="line",
        value_fn=_of_line(cti.remote_party),
        attributes_fn=_of_line(
            lambda line: {
                "remote_number": line.remote_number,
                "remote_name": cti.remote_name(line),
            }
        ),
    ),
    GrandstreamSensorEntityDescription(
        key="account_status",
        translation_key="account_status",
        part="account",
        device_class=SensorDeviceClass.ENUM,
        entity_category=EntityCategory.DIAGNOSTIC,
        options=["registered", "not_registered"],
        value_fn=_of_account(
            lambda account: "registered" if account.registered else "not_registered"
        ),
    ),
    GrandstreamSensorEntityDescription(
        key="unread_voicemail",
        translation_key="unread_voicemail",
        part="account",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda snapshot, n: snapshot.count(cti.unread_voicemail_key(n)),
        exists_fn=lambda caps, n: caps.voicemail(n),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: GrandstreamConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the phone's sensors, per line and per configured account."""
    coordinator = entry.runtime_data.coordinator
    snapshot, caps = coordinator.data, coordinator.capabilities
    parts = {
        "phone": [0],
        "line": [line.line for line in snapshot.lines],
        "account": [acc.id for acc in snapshot.accounts if acc.configured],
    }
    entities: list[SensorEntity] = [
        GrandstreamSensor(entry, description, number)
        for description in SENSORS
        for number in parts[description.part]
        if description.exists_fn(caps, number)
    ]
    entities.extend(CallHistorySensor(entry, d) for d in HISTORY_SENSORS)
    async_add_entities(entities)


class GrandstreamSensor(GrandstreamEntity, SensorEntity):
    """A sensor of the phone, or of one line (only line 1 enabled) or account."""

    entity_description: GrandstreamSensorEntityDescription

    def __init__(
        self,
        entry: GrandstreamConfigEntry,
        description: GrandstreamSensorEntityDescription,
        number: int,
    ) -> None:
        """Initialize the sensor (number: the line's or account's, 0 the phone's)."""
        part, key = description.part, description.key
        unique = key if part == "phone" else f"{part}_{number}_{key}"
        super().__init__(entry, description, unique)
        self._number = number
        if part == "line":
            self._attr_translation_placeholders = {"line": str(number)}
            self._attr_entity_registry_enabled_default = number == 1
        elif part == "account":
            account = entry.runtime_data.coordinator.data.account(number)
            label = account.name or account.sip_id if account else None
            self._attr_translation_placeholders = {"account": label or str(number)}

    @property
    def available(self) -> bool:
        """Return False when the phone no longer reports this line or account."""
        part, data = self.entity_description.part, self.coordinator.data
        present = part == "phone" or getattr(data, part)(self._number) is not None
        return super().available and present

    @property
    def native_value(self) -> StateType:
        """Return the sensor's state."""
        return self.entity_description.value_fn(self.coordinator.data, self._number)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Return the raw remote number and name (line sensors), for automations."""
        return self.entity_description.attributes_fn(
            self.coordinator.data, self._number
        )


@dataclass(frozen=True, kw_only=True)
class CallHistorySensorEntityDescription(SensorEntityDescription):
    """A sensor of the phone's call history (restored after a restart)."""

    value_fn: Callable[[cti.CallHistory], StateType]
    attributes_fn: Callable[[cti.CallHistory], Attributes] = lambda _history: None


HISTORY_SENSORS = (
    CallHistorySensorEntityDescription(
        key="last_caller",
        translation_key="last_caller",
        value_fn=lambda h: None if h.last_caller is None else h.last_caller.display,
        attributes_fn=lambda h: (
            h.last_caller.as_attributes() if h.last_caller else None
        ),
    ),
    CallHistorySensorEntityDescription(
        key="missed_calls",
        translation_key="missed_calls",
        state_class=SensorStateClass.TOTAL,
        value_fn=lambda h: h.missed,
    ),
)


class CallHistorySensor(GrandstreamEntity, RestoreSensor):
    """A sensor of the phone's call history; it stays when the phone is away."""

    entity_description: CallHistorySensorEntityDescription

    @property
    def available(self) -> bool:
        """Return True: history is known whether or not the phone answers."""
        return True

    async def async_added_to_hass(self) -> None:
        """Restore what the sensor showed, then follow the history."""
        await super().async_added_to_hass()
        if (state := await self.async_get_last_state()) is not None:
            key = self.entity_description.key
            self.runtime.calls.history.restore_shown(key, state.state, state.attributes)
        self.async_on_remove(
            self.runtime.calls.history.listen(self.async_write_ha_state)
        )

    @property
    def native_value(self) -> StateType:
        """Return the last caller, or the calls missed since the last reset."""
        return self.entity_description.value_fn(self.runtime.calls.history)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Return the last caller's number, name, line, answered and start."""
        return self.entity_description.attributes_fn(self.runtime.calls.history)

    @property
    def last_reset(self) -> datetime | None:
        """Return when the missed calls were last reset."""
        total = self.entity_description.state_class is SensorStateClass.TOTAL
        return self.runtime.calls.history.missed_since if total else None
