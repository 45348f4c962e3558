"""Base entity of the Grandstream IP Phone integration."""

from __future__ import annotations

from homeassistant.helpers.device_registry import CONNECTION_NETWORK_MAC, DeviceInfo
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN, MANUFACTURER
from .coordinator import GrandstreamConfigEntry, GrandstreamCoordinator
from .identity import entry_mac


class GrandstreamEntity(CoordinatorEntity[GrandstreamCoordinator]):
    """An entity of one phone."""

    _attr_has_entity_name = True

    def __init__(self, entry: GrandstreamConfigEntry, key: str) -> None:
        """Initialize the entity with its unique id and device."""
        coordinator = entry.runtime_data.coordinator
        super().__init__(coordinator)
        self.runtime = entry.runtime_data
        # The entry id, not its unique id: the MAC may be learned later,
        # and entity ids must not change when it is.
        self._attr_unique_id = f"{entry.entry_id}_{key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, entry.entry_id)},
            manufacturer=MANUFACTURER,
            model=coordinator.model_info.model,
            name=entry.title,
            configuration_url=coordinator.client.base_url,
            sw_version=coordinator.firmware,
        )
        if (mac := entry_mac(entry)) is not None:
            # The device registry merges devices by connection.
            self._attr_device_info["connections"] = {(CONNECTION_NETWORK_MAC, mac)}
