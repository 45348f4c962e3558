"""Handset settings that are numbers: ring volume and screen brightness."""

from __future__ import annotations

from homeassistant.components.number import (
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.const import PERCENTAGE
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import GrandstreamConfigEntry
from .cti import SETTING_RANGES, Setting
from .entity import SettingEntity, settings_of

PARALLEL_UPDATES = 1

NUMBERS = tuple(
    NumberEntityDescription(
        key=setting.name.lower(),
        translation_key=setting.name.lower(),
        mode=NumberMode.SLIDER,
        native_min_value=SETTING_RANGES[setting][0],
        native_max_value=SETTING_RANGES[setting][1],
        native_step=SETTING_RANGES[setting][2],
        native_unit_of_measurement=unit,
    )
    for setting, unit in (
        (Setting.RING_VOLUME, None),
        (Setting.LCD_BRIGHTNESS, PERCENTAGE),
    )
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: GrandstreamConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the numbers the phone has."""
    async_add_entities(SettingNumber(entry, d) for d in settings_of(entry, NUMBERS))


class SettingNumber(SettingEntity, NumberEntity):
    """A number the phone keeps under a configuration key."""

    @property
    def native_value(self) -> float | None:
        """Return the setting; a value outside its range reads as unknown."""
        value = self.setting_value
        return value if isinstance(value, int) else None

    async def async_set_native_value(self, value: float) -> None:
        """Write the setting."""
        await self.async_write(value)
