"""The dial box: a number to call with the call button, no YAML needed."""

from __future__ import annotations

from homeassistant.components.text import TextEntity, TextEntityDescription, TextMode
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import GrandstreamConfigEntry
from .cti.numbers import DIALABLE_PATTERN, MAX_NUMBER_LENGTH
from .entity import GrandstreamEntity

PARALLEL_UPDATES = 0

DIAL_NUMBER = TextEntityDescription(
    key="dial_number",
    translation_key="dial_number",
    mode=TextMode.TEXT,
    native_min=0,
    native_max=MAX_NUMBER_LENGTH,
    # Empty clears the box; otherwise only what the phone can dial.
    pattern=f"^(|{DIALABLE_PATTERN})$",
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: GrandstreamConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the dial box."""
    async_add_entities([DialNumberText(entry)])


class DialNumberText(GrandstreamEntity, TextEntity):
    """Holds the number the call button dials; kept in memory only."""

    entity_description = DIAL_NUMBER

    def __init__(self, entry: GrandstreamConfigEntry) -> None:
        """Initialize the dial box."""
        super().__init__(entry, DIAL_NUMBER.key)
        self._runtime = entry.runtime_data

    @property
    def native_value(self) -> str:
        """Return the number in the box."""
        return self._runtime.dial_number

    async def async_set_value(self, value: str) -> None:
        """Store the number (Home Assistant checked the pattern already)."""
        self._runtime.dial_number = value.strip()
        self.async_write_ha_state()
