"""Base entities of the Grandstream IP Phone integration."""

from __future__ import annotations

from homeassistant.const import EntityCategory
from homeassistant.helpers.device_registry import CONNECTION_NETWORK_MAC, DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN, MANUFACTURER
from .coordinator import GrandstreamConfigEntry, GrandstreamCoordinator
from .cti import Setting, setting_value
from .identity import entry_mac


class GrandstreamEntity(CoordinatorEntity[GrandstreamCoordinator]):
    """An entity of one phone."""

    _attr_has_entity_name = True

    def __init__(
        self,
        entry: GrandstreamConfigEntry,
        description: EntityDescription,
        key: str | None = None,
    ) -> None:
        """Initialize the entity; its unique id ends in key (default: description's)."""
        coordinator = entry.runtime_data.coordinator
        super().__init__(coordinator)
        self.runtime = entry.runtime_data
        self.entity_description = description
        # The entry id, not its unique id: the MAC may be learned later,
        # and entity ids must not change when it is.
        self._attr_unique_id = f"{entry.entry_id}_{key or description.key}"
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


class SettingEntity(GrandstreamEntity):
    """A handset setting (named by its description's key), written and read back."""

    _attr_entity_category = EntityCategory.CONFIG

    @property
    def setting(self) -> Setting:
        """Return the setting this entity shows."""
        return Setting[self.entity_description.key.upper()]

    @property
    def setting_value(self) -> int | str | None:
        """Return the setting's value (None when the phone should not have it)."""
        raw = self.coordinator.data.config.get(self.setting, "")
        return setting_value(self.setting, raw)

    async def async_write(self, value: float | str) -> None:
        """Write the setting, then read the phone."""
        await self.runtime.commands.set_setting(self.setting, value)


def settings_of(
    entry: GrandstreamConfigEntry, descriptions: tuple[EntityDescription, ...]
) -> list[EntityDescription]:
    """Return the descriptions of the settings this phone has."""
    keys = entry.runtime_data.coordinator.capabilities.config_keys
    return [d for d in descriptions if Setting[d.key.upper()] in keys]
