"""Actions: call control, make_call and send_keys on one or more phones.

Everything is validated for every targeted phone before anything is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.helpers import config_validation as cv, device_registry as dr
import voluptuous as vol

from .commands import (
    CALL_COMMANDS,
    CallCommand,
    Command,
    CommandRunner,
    dialable_number,
    invalid_input,
    key_names,
)
from .const import CONF_ACCOUNT, CONF_KEYS, CONF_NUMBER, DOMAIN
from .coordinator import GrandstreamConfigEntry
from .cti import MAX_KEYS
from .explain import quote

SERVICE_MAKE_CALL = "make_call"
SERVICE_SEND_KEYS = "send_keys"
# Longest text accepted for a field (anything longer is a mistake).
MAX_FIELD_LENGTH = 1024


def whole_number(value: Any) -> int:
    """Accept 1, "1" or 1.0 as an account; refuse 1.7, true and words."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise vol.Invalid("must be a whole number")


_TARGET: dict[vol.Marker, Any] = {
    vol.Required(ATTR_DEVICE_ID): vol.All(cv.ensure_list, [cv.string])
}
_TEXT = vol.All(cv.string, vol.Length(max=MAX_FIELD_LENGTH))
SCHEMAS = {
    SERVICE_MAKE_CALL: vol.Schema(
        {
            **_TARGET,
            vol.Required(CONF_NUMBER): _TEXT,
            vol.Optional(CONF_ACCOUNT): vol.All(whole_number, vol.Range(min=1)),
        }
    ),
    SERVICE_SEND_KEYS: vol.Schema(
        {
            **_TARGET,
            vol.Required(CONF_KEYS): vol.Any(
                _TEXT, vol.All(cv.ensure_list, vol.Length(max=MAX_KEYS), [cv.string])
            ),
        }
    ),
}


def _loaded_entry(hass: HomeAssistant, device_id: str) -> GrandstreamConfigEntry:
    """Return the loaded config entry of one targeted phone."""
    device = dr.async_get(hass).async_get(device_id)
    if device is None:
        raise invalid_input("device_not_found", device_id=quote(device_id))
    entries: list[GrandstreamConfigEntry] = [
        candidate
        for entry_id in device.config_entries
        if (candidate := hass.config_entries.async_get_entry(entry_id)) is not None
        and candidate.domain == DOMAIN
    ]
    if len(entries) != 1:
        # None, or (never by us) several phones claiming one device.
        raise invalid_input("device_not_phone", device=device.name or device_id)
    if entries[0].state is not ConfigEntryState.LOADED:
        raise invalid_input("phone_not_loaded", name=entries[0].title)
    return entries[0]


def _runners(call: ServiceCall) -> list[CommandRunner]:
    """Return the command runners of every targeted phone, validating all first."""
    return [
        _loaded_entry(call.hass, device_id).runtime_data.commands
        for device_id in call.data[ATTR_DEVICE_ID]
    ]


type Handler = Callable[[ServiceCall], Coroutine[Any, Any, None]]


def _call_command_handler(command: CallCommand) -> Handler:
    async def handle(call: ServiceCall) -> None:
        for runner in _runners(call):
            await runner.run(
                command.run, command.key, rejects_call=command.rejects_call
            )

    return handle


async def _async_make_call(call: ServiceCall) -> None:
    number = dialable_number(call.data[CONF_NUMBER])
    account: int | None = call.data.get(CONF_ACCOUNT)
    pairs: list[tuple[CommandRunner, Command]] = [
        (runner, runner.make_call_command(number, account)) for runner in _runners(call)
    ]
    for runner, command in pairs:
        await runner.run(command, SERVICE_MAKE_CALL)


async def _async_send_keys(call: ServiceCall) -> None:
    names = key_names(call.data[CONF_KEYS])
    for runner in _runners(call):
        await runner.run(lambda client: client.send_keys(names), SERVICE_SEND_KEYS)


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions."""
    call_schema = vol.Schema(_TARGET)
    for key, command in CALL_COMMANDS.items():
        hass.services.async_register(
            DOMAIN, key, _call_command_handler(command), schema=call_schema
        )
    hass.services.async_register(
        DOMAIN, SERVICE_MAKE_CALL, _async_make_call, schema=SCHEMAS[SERVICE_MAKE_CALL]
    )
    hass.services.async_register(
        DOMAIN, SERVICE_SEND_KEYS, _async_send_keys, schema=SCHEMAS[SERVICE_SEND_KEYS]
    )
