"""Base entity of the Grandstream IP Phone integration."""

from __future__ import annotations

from homeassistant.helpers.device_registry import CONNECTION_NETWORK_MAC, DeviceInfo
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import CONF_MAC_SOURCE, DOMAIN, MANUFACTURER
from .coordinator import GrandstreamConfigEntry, GrandstreamCoordinator
from .identity import mac_source


def device_info(entry: GrandstreamConfigEntry) -> DeviceInfo:
    """Return the device of this entry's phone (nothing invented)."""
    coordinator = entry.runtime_data.coordinator
    info = DeviceInfo(
        identifiers={(DOMAIN, entry.entry_id)},
        manufacturer=MANUFACTURER,
        model=coordinator.model_info.model,
        name=entry.title,
        configuration_url=entry.runtime_data.client.base_url,
        sw_version=coordinator.firmware,
    )
    source = mac_source(entry.data.get(CONF_MAC_SOURCE))
    if entry.unique_id is not None and source is not None and not source.is_hint:
        # Only a MAC the phone or the network gave: the device registry
        # merges devices by connection.
        info["connections"] = {(CONNECTION_NETWORK_MAC, entry.unique_id)}
    return info


class GrandstreamEntity(CoordinatorEntity[GrandstreamCoordinator]):
    """An entity of one phone."""

    _attr_has_entity_name = True

    def __init__(self, entry: GrandstreamConfigEntry, key: str) -> None:
        """Initialize the entity with its unique id and device."""
        super().__init__(entry.runtime_data.coordinator)
        # The entry id, not its unique id: the MAC may be learned later,
        # and entity ids must not change when it is.
        self._attr_unique_id = f"{entry.entry_id}_{key}"
        self._attr_device_info = device_info(entry)
