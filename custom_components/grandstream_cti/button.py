"""Buttons: call control, dialling the dial box, and restart."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from homeassistant.components.button import (
    ButtonDeviceClass,
    ButtonEntity,
    ButtonEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .commands import CALL_COMMANDS
from .coordinator import GrandstreamConfigEntry
from .cti import GrandstreamCTIClient
from .entity import GrandstreamEntity
from .numbers import dialable_number

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class GrandstreamButtonEntityDescription(ButtonEntityDescription):
    """A button that runs one command on the phone."""

    press_fn: Callable[[GrandstreamCTIClient], Awaitable[None]]
    rejects_call: bool = False


BUTTONS = (
    *(
        GrandstreamButtonEntityDescription(
            key=command.key,
            translation_key=command.key,
            press_fn=command.run,
            rejects_call=command.rejects_call,
        )
        for command in CALL_COMMANDS.values()
    ),
    GrandstreamButtonEntityDescription(
        key="reboot",
        device_class=ButtonDeviceClass.RESTART,
        entity_category=EntityCategory.CONFIG,
        press_fn=lambda client: client.reboot(),
    ),
)
CALL_BUTTON = ButtonEntityDescription(key="call", translation_key="call")
RESET_MISSED_CALLS = ButtonEntityDescription(
    key="reset_missed_calls", translation_key="reset_missed_calls"
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: GrandstreamConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the buttons."""
    buttons: list[ButtonEntity] = [
        GrandstreamButton(entry, description) for description in BUTTONS
    ]
    buttons.append(DialButton(entry))
    buttons.append(ResetMissedCallsButton(entry))
    async_add_entities(buttons)


class GrandstreamButton(GrandstreamEntity, ButtonEntity):
    """A button on one phone."""

    entity_description: GrandstreamButtonEntityDescription

    def __init__(
        self,
        entry: GrandstreamConfigEntry,
        description: GrandstreamButtonEntityDescription,
    ) -> None:
        """Initialize the button."""
        super().__init__(entry, description.key)
        self.entity_description = description

    async def async_press(self) -> None:
        """Run the button's command, then read the phone."""
        description = self.entity_description
        await self.coordinator.async_command(
            description.press_fn,
            description.key,
            rejects_call=description.rejects_call,
        )


class DialButton(GrandstreamEntity, ButtonEntity):
    """Dials exactly what the dial box shows, or says why it cannot."""

    entity_description = CALL_BUTTON

    def __init__(self, entry: GrandstreamConfigEntry) -> None:
        """Initialize the button."""
        super().__init__(entry, CALL_BUTTON.key)
        self._runtime = entry.runtime_data

    async def async_press(self) -> None:
        """Dial the dial box's number."""
        number = dialable_number(
            self._runtime.dial_number, empty_key="dial_number_empty"
        )
        await self.coordinator.async_command(
            lambda client: client.make_call(number), "make_call"
        )


class ResetMissedCallsButton(GrandstreamEntity, ButtonEntity):
    """Sets the missed calls back to 0 (nothing is sent to the phone)."""

    entity_description = RESET_MISSED_CALLS

    def __init__(self, entry: GrandstreamConfigEntry) -> None:
        """Initialize the button."""
        super().__init__(entry, RESET_MISSED_CALLS.key)
        self._history = entry.runtime_data.history

    @property
    def available(self) -> bool:
        """Return True: resetting needs no phone."""
        return True

    async def async_press(self) -> None:
        """Reset the missed calls."""
        self._history.reset_missed()
