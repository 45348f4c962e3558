"""Handset settings that are choices: backlight timeout and keypad backlight."""

from __future__ import annotations

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import GrandstreamConfigEntry
from .cti import SETTING_CHOICES, Setting
from .entity import SettingEntity, settings_of

PARALLEL_UPDATES = 1

SELECTS = tuple(
    SelectEntityDescription(
        key=setting.name.lower(),
        translation_key=setting.name.lower(),
        options=list(SETTING_CHOICES[setting].values()),
    )
    for setting in (Setting.BACKLIGHT_TIMEOUT, Setting.KEYPAD_BACKLIGHT)
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: GrandstreamConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the selects the phone has."""
    async_add_entities(SettingSelect(entry, d) for d in settings_of(entry, SELECTS))


class SettingSelect(SettingEntity, SelectEntity):
    """A choice the phone keeps under a configuration key."""

    @property
    def current_option(self) -> str | None:
        """Return the option; a value the phone should not have reads as unknown."""
        value = self.setting_value
        return value if isinstance(value, str) else None

    async def async_select_option(self, option: str) -> None:
        """Write the setting."""
        await self.async_write(option)
