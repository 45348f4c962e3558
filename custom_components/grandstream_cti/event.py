"""The call event entity: incoming, answered, missed, ended, outgoing, rejected."""

from __future__ import annotations

import time

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .call_events import CallEvent, CallEventType, call_events
from .coordinator import GrandstreamConfigEntry
from .entity import GrandstreamEntity
from .push import push_signal

PARALLEL_UPDATES = 0

# A polled transition this soon after a push of the same event is that event.
PUSH_MATCH_SECONDS = 60

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
        # Pushed events not yet seen by polling: (type, number, when).
        self._pushed: list[tuple[CallEventType, str, float]] = []

    async def async_added_to_hass(self) -> None:
        """Listen for pushed call events too."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass,
                push_signal(self.coordinator.config_entry.entry_id),
                self._handle_push,
            )
        )

    @callback
    def _handle_push(self, kind: CallEventType, remote_number: str) -> None:
        """Fire a pushed event at once; the refresh that follows won't repeat it."""
        line = next(
            (
                line
                for line in self._lines
                if remote_number and line.remote_number == remote_number
            ),
            None,
        )
        self._pushed.append((kind, remote_number, time.monotonic()))
        self.fire(
            CallEvent(
                kind,
                None if line is None else line.line,
                remote_number,
                "" if line is None else line.remote_name,
            )
        )

    def _already_pushed(self, event: CallEvent) -> bool:
        """Return True (and forget it) when a push announced this event."""
        horizon = time.monotonic() - PUSH_MATCH_SECONDS
        self._pushed = [item for item in self._pushed if item[2] >= horizon]
        for index, (kind, number, _) in enumerate(self._pushed):
            if kind is event.type and (
                not number or not event.remote_number or number == event.remote_number
            ):
                del self._pushed[index]
                return True
        return False

    @callback
    def _handle_coordinator_update(self) -> None:
        """Fire one event per line transition since the last reading."""
        lines = self.coordinator.data.lines
        events = [
            event
            for event in call_events(
                self._lines, lines, rejected=self.coordinator.rejection_pending
            )
            if not self._already_pushed(event)
        ]
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
