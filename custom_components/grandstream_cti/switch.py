"""The do-not-disturb switch, where the phone has the `:dnd` runtime key."""

from __future__ import annotations

from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import GrandstreamConfigEntry
from .entity import GrandstreamEntity

PARALLEL_UPDATES = 1

DND = SwitchEntityDescription(key="dnd", translation_key="dnd")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: GrandstreamConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the DND switch on phones that have it."""
    if entry.runtime_data.coordinator.capabilities.dnd:
        async_add_entities([DndSwitch(entry, DND)])


class DndSwitch(GrandstreamEntity, SwitchEntity):
    """Do not disturb: read with the phone's other data, written and read back."""

    @property
    def is_on(self) -> bool | None:
        """Return whether do-not-disturb is on."""
        return self.coordinator.data.dnd

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Turn do-not-disturb on."""
        await self.runtime.commands.set_dnd(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Turn do-not-disturb off."""
        await self.runtime.commands.set_dnd(False)
