"""The call history sensors: last caller and missed calls (restored on restart)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from homeassistant.components.sensor import (
    RestoreSensor,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.util import dt as dt_util

from .call_history import CallHistory, LastCaller
from .coordinator import GrandstreamConfigEntry
from .entity import GrandstreamEntity

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
        self._history: CallHistory = entry.runtime_data.history

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
