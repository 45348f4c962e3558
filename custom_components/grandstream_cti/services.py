"""Actions: call control, make_call and send_keys on one or more phones.

Everything is validated for every targeted phone before anything is sent.
"""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.helpers import config_validation as cv, device_registry as dr
import voluptuous as vol

from . import cti
from .commands import (
    CALL_COMMANDS,
    CommandRunner,
    dialable_number,
    invalid_input,
    key_names,
)
from .const import CONF_ACCOUNT, CONF_KEYS, CONF_NUMBER, DOMAIN
from .explain import quote

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
_KEYS = vol.All(cv.ensure_list, vol.Length(max=cti.MAX_KEYS), [cv.string])


def _runners(call: ServiceCall) -> list[CommandRunner]:
    """Return the command runners of every targeted phone, validating all first."""
    runners = []
    for device_id in call.data[ATTR_DEVICE_ID]:
        device = dr.async_get(call.hass).async_get(device_id)
        if device is None:
            raise invalid_input("device_not_found", device_id=quote(device_id))
        entries = [
            entry
            for entry_id in device.config_entries
            if (entry := call.hass.config_entries.async_get_entry(entry_id))
            and entry.domain == DOMAIN
        ]
        if len(entries) != 1:
            # None, or (never by us) several phones claiming one device.
            raise invalid_input("device_not_phone", device=device.name or device_id)
        if entries[0].state is not ConfigEntryState.LOADED:
            raise invalid_input("phone_not_loaded", name=entries[0].title)
        runners.append(entries[0].runtime_data.commands)
    return runners


async def _async_call_command(call: ServiceCall) -> None:
    for runner in _runners(call):
        await runner.operate(call.service)


async def _async_make_call(call: ServiceCall) -> None:
    number = dialable_number(call.data[CONF_NUMBER])
    account: int | None = call.data.get(CONF_ACCOUNT)
    runners = _runners(call)
    commands = [runner.make_call_command(number, account) for runner in runners]
    for runner, command in zip(runners, commands, strict=True):
        await runner.run(command, "make_call")


async def _async_send_keys(call: ServiceCall) -> None:
    names = key_names(call.data[CONF_KEYS])
    for runner in _runners(call):
        await runner.run(lambda client: client.send_keys(names), "send_keys")


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions."""
    for key in CALL_COMMANDS:
        hass.services.async_register(
            DOMAIN, key, _async_call_command, schema=vol.Schema(_TARGET)
        )
    account = vol.All(whole_number, vol.Range(min=1))
    make_call: dict[vol.Marker, Any] = {
        vol.Required(CONF_NUMBER): _TEXT,
        vol.Optional(CONF_ACCOUNT): account,
    }
    hass.services.async_register(
        DOMAIN,
        "make_call",
        _async_make_call,
        schema=vol.Schema({**_TARGET, **make_call}),
    )
    keys: dict[vol.Marker, Any] = {vol.Required(CONF_KEYS): vol.Any(_TEXT, _KEYS)}
    hass.services.async_register(
        DOMAIN, "send_keys", _async_send_keys, schema=vol.Schema({**_TARGET, **keys})
    )
