"""Buttons: call control, dialling the dial box, and reboot."""

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
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .commands import CALL_COMMANDS
from .const import DOMAIN
from .coordinator import GrandstreamConfigEntry, GrandstreamRuntimeData
from .cti import GrandstreamCTIClient
from .cti.numbers import is_dialable
from .entity import GrandstreamEntity

PARALLEL_UPDATES = 1


def _dial(
    runtime: GrandstreamRuntimeData,
) -> Callable[[GrandstreamCTIClient], Awaitable[None]]:
    """Return the command that dials what the dial box holds."""
    number = runtime.dial_number
    if not number:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="dial_number_empty"
        )
    if not is_dialable(number):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_number",
            translation_placeholders={"number": number},
        )
    return lambda client: client.make_call(number)


def _fixed(
    run: Callable[[GrandstreamCTIClient], Awaitable[None]],
) -> Callable[
    [GrandstreamRuntimeData], Callable[[GrandstreamCTIClient], Awaitable[None]]
]:
    """Return a command_fn that always runs the same command."""
    return lambda _runtime: run


@dataclass(frozen=True, kw_only=True)
class GrandstreamButtonEntityDescription(ButtonEntityDescription):
    """A button that runs one command on the phone."""

    command_fn: Callable[
        [GrandstreamRuntimeData], Callable[[GrandstreamCTIClient], Awaitable[None]]
    ]
    rejects_call: bool = False


BUTTONS = (
    *(
        GrandstreamButtonEntityDescription(
            key=command.key,
            translation_key=command.key,
            command_fn=_fixed(command.run),
            rejects_call=command.rejects_call,
        )
        for command in CALL_COMMANDS.values()
    ),
    GrandstreamButtonEntityDescription(
        key="call",
        translation_key="call",
        command_fn=_dial,
    ),
    GrandstreamButtonEntityDescription(
        key="reboot",
        device_class=ButtonDeviceClass.RESTART,
        entity_category=EntityCategory.CONFIG,
        command_fn=lambda _runtime: lambda client: client.reboot(),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: GrandstreamConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the buttons."""
    async_add_entities(GrandstreamButton(entry, description) for description in BUTTONS)


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
        self._runtime = entry.runtime_data

    async def async_press(self) -> None:
        """Run the button's command, then refresh."""
        command = self.entity_description.command_fn(self._runtime)
        await self.coordinator.async_command(
            command, rejects_call=self.entity_description.rejects_call
        )
