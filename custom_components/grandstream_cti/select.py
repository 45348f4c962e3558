"""Handset settings that are choices: backlight timeout and keypad backlight."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import GrandstreamConfigEntry
from .cti import SETTING_CHOICES, Setting
from .entity import GrandstreamEntity

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class SettingSelectEntityDescription(SelectEntityDescription):
    """A choice the phone keeps under a configuration key."""

    setting: Setting


SELECTS = tuple(
    SettingSelectEntityDescription(
        key=key,
        translation_key=key,
        setting=setting,
        entity_category=EntityCategory.CONFIG,
        options=list(SETTING_CHOICES[setting].values()),
    )
    for key, setting in (
        ("backlight_timeout", Setting.BACKLIGHT_TIMEOUT),
        ("keypad_backlight", Setting.KEYPAD_BACKLIGHT),
    )
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: GrandstreamConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the selects the phone has."""
    keys = entry.runtime_data.coordinator.capabilities.config_keys
    async_add_entities(
        SettingSelect(entry, description)
        for description in SELECTS
        if description.setting in keys
    )


class SettingSelect(GrandstreamEntity, SelectEntity):
    """A handset setting: read with the phone's other data, written and read back."""

    entity_description: SettingSelectEntityDescription

    def __init__(
        self,
        entry: GrandstreamConfigEntry,
        description: SettingSelectEntityDescription,
    ) -> None:
        """Initialize the select."""
        super().__init__(entry, description.key)
        self.entity_description = description

    @property
    def current_option(self) -> str | None:
        """Return the option; a value the phone should not have reads as unknown."""
        setting = self.entity_description.setting
        raw = self.coordinator.data.config.get(setting, "").strip()
        return SETTING_CHOICES[setting].get(raw)

    async def async_select_option(self, option: str) -> None:
        """Write the setting."""
        setting = self.entity_description.setting
        wire = next(k for k, v in SETTING_CHOICES[setting].items() if v == option)
        await self.runtime.commands.set_setting(setting, wire)
