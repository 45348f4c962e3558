"""Binary sensors: a call is ringing, a call is established."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import GrandstreamConfigEntry
from .cti import PhoneSnapshot
from .entity import GrandstreamEntity

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class GrandstreamBinarySensorEntityDescription(BinarySensorEntityDescription):
    """A binary sensor computed from one reading."""

    is_on_fn: Callable[[PhoneSnapshot], bool]


BINARY_SENSORS = (
    GrandstreamBinarySensorEntityDescription(
        key="ringing", translation_key="ringing", is_on_fn=lambda s: s.ringing
    ),
    GrandstreamBinarySensorEntityDescription(
        key="in_call", translation_key="in_call", is_on_fn=lambda s: s.in_call
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: GrandstreamConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the binary sensors."""
    async_add_entities(GrandstreamBinarySensor(entry, d) for d in BINARY_SENSORS)


class GrandstreamBinarySensor(GrandstreamEntity, BinarySensorEntity):
    """A binary sensor of one phone."""

    entity_description: GrandstreamBinarySensorEntityDescription

    @property
    def is_on(self) -> bool:
        """Return the state."""
        return self.entity_description.is_on_fn(self.coordinator.data)
