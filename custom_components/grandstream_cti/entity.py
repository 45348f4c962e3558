"""Base entity of the Grandstream IP Phone (CTI) integration."""

from __future__ import annotations

from homeassistant.helpers.device_registry import (
    CONNECTION_NETWORK_MAC,
    DeviceInfo,
    format_mac,
)
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN, MANUFACTURER
from .coordinator import GrandstreamConfigEntry, GrandstreamCoordinator


def device_info(entry: GrandstreamConfigEntry) -> DeviceInfo:
    """Return the device of this entry's phone."""
    runtime = entry.runtime_data
    model = runtime.model_info
    info = DeviceInfo(
        identifiers={(DOMAIN, entry.entry_id)},
        manufacturer=MANUFACTURER,
        model=model.model or "GRP26xx",
        name=entry.title,
        configuration_url=runtime.client.base_url,
    )
    if model.firmware:
        info["sw_version"] = str(model.firmware)
    if model.mac:
        info["connections"] = {(CONNECTION_NETWORK_MAC, format_mac(model.mac))}
    return info


class GrandstreamEntity(CoordinatorEntity[GrandstreamCoordinator]):
    """An entity of one phone."""

    _attr_has_entity_name = True

    def __init__(self, entry: GrandstreamConfigEntry, key: str) -> None:
        """Initialize the entity with its unique id and device."""
        super().__init__(entry.runtime_data.coordinator)
        # The entry id, not its unique id: a host-based unique id changes
        # when the phone moves, and entity ids must not.
        self._attr_unique_id = f"{entry.entry_id}_{key}"
        self._attr_device_info = device_info(entry)
