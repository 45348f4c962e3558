"""The call event entity: incoming, answered, missed, ended, outgoing, rejected."""

from __future__ import annotations

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import GrandstreamConfigEntry
from .cti import CallEvent, CallEventType
from .entity import GrandstreamEntity

PARALLEL_UPDATES = 0

CALL_EVENT = EventEntityDescription(
    key="call",
    translation_key="call",
    event_types=[kind.value for kind in CallEventType],
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: GrandstreamConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the call event entity."""
    async_add_entities([CallEventEntity(entry, CALL_EVENT)])


class CallEventEntity(GrandstreamEntity, EventEntity):
    """Fires for each call event the phone's line readings show."""

    async def async_added_to_hass(self) -> None:
        """Listen for the phone's call events."""
        await super().async_added_to_hass()
        self.async_on_remove(self.runtime.calls.listen(self._fire))

    @callback
    def _fire(self, events: list[CallEvent]) -> None:
        """Trigger each call event; each gets its own state so none is lost."""
        for event in events:
            self._trigger_event(event.type.value, event.as_attributes())
            self.async_write_ha_state()
