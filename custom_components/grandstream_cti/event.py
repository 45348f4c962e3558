"""The call event entity: incoming, answered, missed, ended, outgoing, rejected."""

from __future__ import annotations

import time

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .call_events import CallEvent, CallEventType, RecentEvents, call_events
from .coordinator import GrandstreamConfigEntry
from .entity import GrandstreamEntity
from .push import push_signal

PARALLEL_UPDATES = 0

# Push and polling reporting the same event within this window: one event.
MATCH_SECONDS = 60

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
        # What each source fired, so the other does not fire it again.
        self._from_push = RecentEvents(MATCH_SECONDS)
        self._from_polling = RecentEvents(MATCH_SECONDS)

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
        """Fire a pushed event at once, unless polling already fired it."""
        now = time.monotonic()
        if self._from_polling.take(kind, remote_number, now):
            return
        self._from_push.add(kind, remote_number, now)
        line = next(
            (
                line
                for line in self._lines
                if remote_number and line.remote_number == remote_number
            ),
            None,
        )
        self.fire(
            CallEvent(
                kind,
                None if line is None else line.line,
                remote_number,
                "" if line is None else line.remote_name,
            )
        )

    @callback
    def _handle_coordinator_update(self) -> None:
        """Fire one event per line transition, unless a push already fired it."""
        lines = self.coordinator.data.lines
        now = time.monotonic()
        events = [
            event
            for event in call_events(
                self._lines, lines, rejected=self.coordinator.rejection_pending
            )
            if not self._from_push.take(event.type, event.remote_number, now)
        ]
        self._lines = lines
        for event in events:
            self._from_polling.add(event.type, event.remote_number, now)
            self.fire(event)
        if not events:
            super()._handle_coordinator_update()

    @callback
    def fire(self, event: CallEvent) -> None:
        """Trigger one call event; each gets its own state so none is lost."""
        self._trigger_event(event.type.value, event.as_attributes())
        self.async_write_ha_state()
