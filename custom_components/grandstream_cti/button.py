"""Buttons: call control, dialling the dial box, restart, resetting missed calls."""

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

from .commands import CALL_COMMANDS, dialable_number
from .coordinator import GrandstreamConfigEntry, GrandstreamRuntimeData
from .entity import GrandstreamEntity

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class GrandstreamButtonEntityDescription(ButtonEntityDescription):
    """A button; press_fn does what it does on the phone's runtime data."""

    press_fn: Callable[[GrandstreamRuntimeData], Awaitable[None]]
    # Pressing it needs no phone (it only changes what Home Assistant keeps).
    local: bool = False


async def _dial(runtime: GrandstreamRuntimeData) -> None:
    """Dial exactly what the dial box shows, or say why not."""
    number = dialable_number(runtime.dial_number, empty_key="dial_number_empty")
    await runtime.commands.run(lambda client: client.make_call(number), "make_call")


async def _reset_missed(runtime: GrandstreamRuntimeData) -> None:
    runtime.calls.history.reset_missed()


def _call_command(key: str) -> GrandstreamButtonEntityDescription:
    return GrandstreamButtonEntityDescription(
        key=key,
        translation_key=key,
        press_fn=lambda runtime: runtime.commands.operate(key),
    )


BUTTONS = (
    *(_call_command(key) for key in CALL_COMMANDS),
    GrandstreamButtonEntityDescription(
        key="call", translation_key="call", press_fn=_dial
    ),
    GrandstreamButtonEntityDescription(
        key="reboot",
        device_class=ButtonDeviceClass.RESTART,
        entity_category=EntityCategory.CONFIG,
        press_fn=lambda runtime: runtime.commands.run(
            lambda client: client.reboot(), "reboot"
        ),
    ),
    GrandstreamButtonEntityDescription(
        key="reset_missed_calls",
        translation_key="reset_missed_calls",
        press_fn=_reset_missed,
        local=True,
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
    """A button of one phone."""

    entity_description: GrandstreamButtonEntityDescription

    @property
    def available(self) -> bool:
        """Return True when pressing it can work now."""
        return self.entity_description.local or super().available

    async def async_press(self) -> None:
        """Do what the button does."""
        await self.entity_description.press_fn(self.runtime)
