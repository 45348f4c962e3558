"""Which phone an entry is: its MAC, and the API it proved.

The MAC is the phone's word, DHCP's or the neighbour table's (never a push's).
After DHCP moves an entry, the device there proves it is the phone first.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import IntEnum
from functools import partial
from ipaddress import IPv6Address, ip_address
from typing import Any

from getmac import get_mac_address
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_HOST
from homeassistant.core import HomeAssistant, callback

from . import cti
from .const import CONF_MAC_SOURCE, CONF_MOVED, DOMAIN, LOGGER


class MacSource(IntEnum):
    """Where a MAC came from; higher is stronger."""

    ARP = 1
    DHCP = 2
    PHONE = 3

    @property
    def stored(self) -> str:
        """Return the name kept in the entry's data."""
        return self.name.lower()

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> MacSource | None:
        """Return the source kept in an entry's data, or None."""
        value = data.get(CONF_MAC_SOURCE)
        return cls.__members__.get(value.upper()) if isinstance(value, str) else None


def entry_mac(entry: ConfigEntry) -> str | None:
    """Return the MAC an entry is keyed by (None while it has none)."""
    return entry.unique_id if MacSource.of(entry.data) else None


def _lookup(host: str) -> str | None:
    """Look the host up in the ARP/neighbour table (blocking)."""
    try:
        kind = "ip6" if isinstance(ip_address(host), IPv6Address) else "ip"
    except ValueError:
        kind = "hostname"
    return get_mac_address(**{kind: host})  # type: ignore[no-any-return]


async def async_mac_from_network(hass: HomeAssistant, host: str) -> str | None:
    """Return the MAC the neighbour table shows for host, if it is a phone's."""
    try:
        raw = await hass.async_add_executor_job(
            partial(_lookup, cti.normalize_host(host))
        )
    except Exception:  # noqa: BLE001 - getmac shells out; any failure is "no MAC"
        LOGGER.debug("No MAC from the neighbour table for %s", host, exc_info=True)
        return None
    mac = cti.normalize_mac(raw)
    return mac if mac is not None and cti.is_grandstream(mac) else None


async def async_prove_address(
    hass: HomeAssistant, data: Mapping[str, Any], mac: str | None
) -> tuple[bool, str | None]:
    """Return (may the password go to data's host, the MAC the network shows there).

    Another phone's MAC there: never. After a DHCP move: the network's word,
    or a challenge login (it sends a hash, and its answer names the MAC).
    """
    if mac is None and not data.get(CONF_MOVED):
        return True, None
    seen = await async_mac_from_network(hass, data[CONF_HOST])
    if seen is not None and mac is not None:
        return seen == mac, seen
    api = cti.PhoneApi.from_data(data)
    challenge = api is not None and api.login is cti.LoginVariant.CHALLENGE
    return not data.get(CONF_MOVED) or challenge, seen


@callback
def adopt_mac(
    hass: HomeAssistant, entry: ConfigEntry, mac: str, source: MacSource
) -> bool:
    """Key the entry by mac, unless a stronger source or another entry has it."""
    current = MacSource.of(entry.data) if entry.unique_id else None
    if entry.unique_id == mac:
        if current is None or source > current:
            hass.config_entries.async_update_entry(
                entry, data={**entry.data, CONF_MAC_SOURCE: source.stored}
            )
        return True
    if current is not None and current >= source:
        return False
    other = hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, mac)
    if other is not None and other.entry_id != entry.entry_id:
        LOGGER.warning("%s seems to be %s, which %s is", entry.title, mac, other.title)
        return False
    hass.config_entries.async_update_entry(
        entry, unique_id=mac, data={**entry.data, CONF_MAC_SOURCE: source.stored}
    )
    return True
