"""Handset settings that are numbers: ring volume and screen brightness."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.number import (
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.const import PERCENTAGE, EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import GrandstreamConfigEntry
from .cti import SETTING_RANGES, Setting
from .entity import GrandstreamEntity

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class SettingNumberEntityDescription(NumberEntityDescription):
    """A number the phone keeps under a configuration key."""

    setting: Setting


def _description(
    key: str, setting: Setting, unit: str | None = None
) -> SettingNumberEntityDescription:
    low, high, step = SETTING_RANGES[setting]
    return SettingNumberEntityDescription(
        key=key,
        translation_key=key,
        setting=setting,
        entity_category=EntityCategory.CONFIG,
        mode=NumberMode.SLIDER,
        native_min_value=low,
        native_max_value=high,
        native_step=step,
        native_unit_of_measurement=unit,
    )


NUMBERS = (
    _description("ring_volume", Setting.RING_VOLUME),
    _description("lcd_brightness", Setting.LCD_BRIGHTNESS, PERCENTAGE),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: GrandstreamConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the numbers the phone has."""
    keys = entry.runtime_data.coordinator.capabilities.config_keys
    async_add_entities(
        SettingNumber(entry, description)
        for description in NUMBERS
        if description.setting in keys
    )


class SettingNumber(GrandstreamEntity, NumberEntity):
    """A handset setting: read with the phone's other data, written and read back."""

    entity_description: SettingNumberEntityDescription

    def __init__(
        self,
        entry: GrandstreamConfigEntry,
        description: SettingNumberEntityDescription,
    ) -> None:
        """Initialize the number."""
        super().__init__(entry, description.key)
        self.entity_description = description

    @property
    def native_value(self) -> float | None:
        """Return the setting; a value outside its range reads as unknown."""
        description = self.entity_description
        raw = self.coordinator.data.config.get(description.setting, "").strip()
        low, high, step = SETTING_RANGES[description.setting]
        if not raw.isdigit() or not low <= int(raw) <= high or (int(raw) - low) % step:
            return None
        return int(raw)

    async def async_set_native_value(self, value: float) -> None:
        """Write the setting."""
        await self.runtime.commands.set_setting(
            self.entity_description.setting, round(value)
        )
