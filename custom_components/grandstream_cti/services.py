"""Actions: call control, make_call and send_keys on one or more phones.

Everything is validated for every targeted phone before anything is sent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, device_registry as dr
import voluptuous as vol

from .commands import CALL_COMMANDS, CallCommand
from .const import CONF_ACCOUNT, CONF_KEYS, CONF_NUMBER, DOMAIN
from .coordinator import GrandstreamConfigEntry, GrandstreamCoordinator
from .cti import GrandstreamCTIClient
from .cti.client import MAX_KEYS
from .cti.keys import normalize_keys
from .errors import quote
from .numbers import dialable_number

SERVICE_MAKE_CALL = "make_call"
SERVICE_SEND_KEYS = "send_keys"
# Longest text accepted for a field (anything longer is a mistake).
MAX_FIELD_LENGTH = 1024


def whole_number(value: Any) -> int:
    """Accept 1, "1" or 1.0 as an account; refuse 1.7, true and words."""
    if isinstance(value, bool):
        raise vol.Invalid("must be a whole number")
    if isinstance(value, float):
        if not value.is_integer():
            raise vol.Invalid("must be a whole number")
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise vol.Invalid("must be a whole number")


_TARGET: dict[vol.Marker, Any] = {
    vol.Required(ATTR_DEVICE_ID): vol.All(cv.ensure_list, [cv.string])
}
CALL_COMMAND_SCHEMA = vol.Schema(_TARGET)
MAKE_CALL_SCHEMA = vol.Schema(
    {
        **_TARGET,
        vol.Required(CONF_NUMBER): vol.All(cv.string, vol.Length(max=MAX_FIELD_LENGTH)),
        vol.Optional(CONF_ACCOUNT): vol.All(whole_number, vol.Range(min=1)),
    }
)
SEND_KEYS_SCHEMA = vol.Schema(
    {
        **_TARGET,
        vol.Required(CONF_KEYS): vol.Any(
            vol.All(cv.string, vol.Length(max=MAX_FIELD_LENGTH)),
            vol.All(cv.ensure_list, vol.Length(max=MAX_KEYS), [cv.string]),
        ),
    }
)

type Command = Callable[[GrandstreamCTIClient], Awaitable[None]]


def _loaded_entry(hass: HomeAssistant, device_id: str) -> GrandstreamConfigEntry:
    """Return the loaded config entry of one targeted phone."""
    device = dr.async_get(hass).async_get(device_id)
    if device is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="device_not_found",
            translation_placeholders={"device_id": quote(device_id)},
        )
    entries: list[GrandstreamConfigEntry] = [
        candidate
        for entry_id in device.config_entries
        if (candidate := hass.config_entries.async_get_entry(entry_id)) is not None
        and candidate.domain == DOMAIN
    ]
    if len(entries) != 1:
        # None, or (never by us) several phones claiming one device.
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="device_not_phone",
            translation_placeholders={"device": device.name or device_id},
        )
    entry = entries[0]
    if entry.state is not ConfigEntryState.LOADED:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="phone_not_loaded",
            translation_placeholders={"name": entry.title},
        )
    return entry


def _coordinators(call: ServiceCall) -> list[GrandstreamCoordinator]:
    """Return the coordinators of every targeted phone, validating all first."""
    return [
        _loaded_entry(call.hass, device_id).runtime_data.coordinator
        for device_id in call.data[ATTR_DEVICE_ID]
    ]


def _make_call_command(
    coordinator: GrandstreamCoordinator, number: str, account: int | None
) -> Command:
    """Validate the account for one phone and return its command."""
    if account is not None:
        known = coordinator.data.account(account)
        if known is None or not known.configured:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="account_not_configured",
                translation_placeholders={
                    "account": str(account),
                    "name": coordinator.config_entry.title,
                },
            )
    return lambda client: client.make_call(number, account)


def _send_keys_command(keys: str | list[str]) -> Command:
    """Validate key names and return the command that presses them."""
    try:
        names = normalize_keys(keys, limit=MAX_KEYS)
    except ValueError as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_keys",
            translation_placeholders={
                "keys": quote(keys if isinstance(keys, str) else ", ".join(keys)),
                "max": str(MAX_KEYS),
            },
        ) from err
    return lambda client: client.send_keys(names)


async def _async_run(
    pairs: list[tuple[GrandstreamCoordinator, Command]],
    name: str,
    *,
    rejects_call: bool = False,
) -> None:
    """Run validated commands phone by phone (each reads its phone after)."""
    for coordinator, command in pairs:
        await coordinator.async_command(command, name, rejects_call=rejects_call)


type Handler = Callable[[ServiceCall], Coroutine[Any, Any, None]]


def _call_command_handler(command: CallCommand) -> Handler:
    async def handle(call: ServiceCall) -> None:
        await _async_run(
            [(coordinator, command.run) for coordinator in _coordinators(call)],
            command.key,
            rejects_call=command.rejects_call,
        )

    return handle


async def _async_make_call(call: ServiceCall) -> None:
    number = dialable_number(call.data[CONF_NUMBER])
    account: int | None = call.data.get(CONF_ACCOUNT)
    coordinators = _coordinators(call)
    await _async_run(
        [
            (coordinator, _make_call_command(coordinator, number, account))
            for coordinator in coordinators
        ],
        SERVICE_MAKE_CALL,
    )


async def _async_send_keys(call: ServiceCall) -> None:
    command = _send_keys_command(call.data[CONF_KEYS])
    coordinators = _coordinators(call)
    await _async_run([(coord, command) for coord in coordinators], SERVICE_SEND_KEYS)


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions."""
    handlers: list[tuple[str, Handler, vol.Schema]] = [
        (key, _call_command_handler(command), CALL_COMMAND_SCHEMA)
        for key, command in CALL_COMMANDS.items()
    ]
    handlers.append((SERVICE_MAKE_CALL, _async_make_call, MAKE_CALL_SCHEMA))
    handlers.append((SERVICE_SEND_KEYS, _async_send_keys, SEND_KEYS_SCHEMA))
    for name, handler, schema in handlers:
        hass.services.async_register(DOMAIN, name, handler, schema=schema)
