"""The call event entity: incoming, answered, missed, ended, outgoing, rejected."""

from __future__ import annotations

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .call_events import CallEvent, CallEventType, call_events
from .coordinator import GrandstreamConfigEntry
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
    async_add_entities([CallEventEntity(entry)])


class CallEventEntity(GrandstreamEntity, EventEntity):
    """Fires when a polled line changes phase (or a push says so)."""

    entity_description = CALL_EVENT

    def __init__(self, entry: GrandstreamConfigEntry) -> None:
        """Initialize; calls in progress at start-up fire nothing."""
        super().__init__(entry, CALL_EVENT.key)
        self._lines = self.coordinator.data.lines

    @callback
    def _handle_coordinator_update(self) -> None:
        """Fire one event per line transition since the last reading."""
        lines = self.coordinator.data.lines
        events = call_events(
            self._lines, lines, rejected=self.coordinator.rejection_pending
        )
        self._lines = lines
        for event in events:
            self.fire(event)
        if not events:
            super()._handle_coordinator_update()

    @callback
    def fire(self, event: CallEvent) -> None:
        """Trigger one call event; each gets its own state so none is lost."""
        self._trigger_event(event.type.value, event.as_attributes())
        self.async_write_ha_state()
