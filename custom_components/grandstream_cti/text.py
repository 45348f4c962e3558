"""The dial box: a number to call with the call button, no YAML needed."""

from __future__ import annotations

from homeassistant.components.text import TextEntity, TextEntityDescription, TextMode
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .commands import dialable_number
from .coordinator import GrandstreamConfigEntry
from .entity import GrandstreamEntity

PARALLEL_UPDATES = 0

DIAL_NUMBER = TextEntityDescription(
    key="dial_number",
    translation_key="dial_number",
    mode=TextMode.TEXT,
    native_min=0,
    # Longer than any number, so that our own check (not a raw length or
    # pattern error) explains what is wrong.
    native_max=255,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: GrandstreamConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the dial box."""
    async_add_entities([DialNumberText(entry, DIAL_NUMBER)])


class DialNumberText(GrandstreamEntity, TextEntity):
    """Holds the number the call button dials; kept in memory only."""

    @property
    def native_value(self) -> str:
        """Return the number in the box."""
        return self.runtime.dial_number

    async def async_set_value(self, value: str) -> None:
        """Store a dialable number, or empty the box (never dial a replaced one)."""
        self.runtime.dial_number = ""
        try:
            if value.strip():
                self.runtime.dial_number = dialable_number(value)
        finally:
            self.async_write_ha_state()
