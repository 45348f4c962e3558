"""How phones are told apart: by MAC, never by address.

A MAC becomes an entry's unique id from, strongest first: the phone itself
(its login answer), DHCP discovery or the ARP/neighbour table (the network
saw it at that address), a push's `$mac` (anyone at the phone's address can
send that: a hint). A stronger source replaces a weaker one; a hint never
moves an entry to another address and never outranks a phone that proves
who it is.
"""

from __future__ import annotations

from enum import IntEnum
from functools import partial
from ipaddress import IPv6Address, ip_address
import re
from typing import Final

from getmac import get_mac_address
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.device_registry import format_mac

from .const import CONF_MAC_SOURCE, DOMAIN, LOGGER

_MAC_RE: Final = re.compile(r"[0-9a-f]{2}(?::[0-9a-f]{2}){5}")
_NO_MACS: Final = frozenset({"00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff"})
# Grandstream's registered prefixes (the manifest's DHCP matchers). An ARP
# answer with another prefix is a router's or a proxy's, not the phone's.
GRANDSTREAM_OUIS: Final = ("00:0b:82", "c0:74:ad", "ec:74:d7")


class MacSource(IntEnum):
    """Where a MAC came from; higher is stronger."""

    PUSH = 1
    ARP = 2
    DHCP = 3
    PHONE = 4

    @property
    def stored(self) -> str:
        """Return the name kept in the entry's data."""
        return self.name.lower()

    @property
    def is_hint(self) -> bool:
        """Return True for a MAC someone else claims (not the network, not the phone)."""
        return self is MacSource.PUSH


def normalize_mac(raw: str | None) -> str | None:
    """Return a MAC in format_mac form, or None for no MAC (zero, broadcast, junk)."""
    if not raw:
        return None
    mac = format_mac(raw.strip())
    if not _MAC_RE.fullmatch(mac) or mac in _NO_MACS:
        return None
    return mac


def is_grandstream(mac: str) -> bool:
    """Return True when a MAC carries one of Grandstream's prefixes."""
    return mac.startswith(GRANDSTREAM_OUIS)


def normalize_host(host: str) -> str:
    """Return the host as stored: stripped, no brackets, lower case."""
    return host.strip().strip("[]").strip().lower()


def mac_source(value: object) -> MacSource | None:
    """Return the MacSource kept in an entry's data, or None."""
    if not isinstance(value, str):
        return None
    return MacSource.__members__.get(value.upper())


def _lookup(host: str) -> str | None:
    """Look the host up in the ARP/neighbour table (blocking)."""
    try:
        address = ip_address(host)
    except ValueError:
        return get_mac_address(hostname=host)  # type: ignore[no-any-return]
    if isinstance(address, IPv6Address):
        return get_mac_address(ip6=str(address))  # type: ignore[no-any-return]
    return get_mac_address(ip=str(address))  # type: ignore[no-any-return]


async def async_mac_from_network(hass: HomeAssistant, host: str) -> str | None:
    """Return the MAC the neighbour table shows for host, if it is a phone's."""
    try:
        raw = await hass.async_add_executor_job(partial(_lookup, normalize_host(host)))
    except Exception:  # noqa: BLE001 - getmac shells out; any failure is "no MAC"
        LOGGER.debug("No MAC from the neighbour table for %s", host, exc_info=True)
        return None
    mac = normalize_mac(raw)
    return mac if mac is not None and is_grandstream(mac) else None


@callback
def adopt_mac(
    hass: HomeAssistant,
    entry: ConfigEntry,
    mac: str,
    source: MacSource,
) -> bool:
    """Make mac the entry's unique id, unless a stronger claim or another entry has it.

    Returns True when the entry is keyed by mac afterwards.
    """
    current = mac_source(entry.data.get(CONF_MAC_SOURCE))
    if entry.unique_id == mac:
        if current is None or source > current:
            hass.config_entries.async_update_entry(
                entry, data={**entry.data, CONF_MAC_SOURCE: source.stored}
            )
        return True
    if entry.unique_id is not None and current is not None and current >= source:
        return False
    other = hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, mac)
    if other is not None and other.entry_id != entry.entry_id:
        other_source = mac_source(other.data.get(CONF_MAC_SOURCE)) or MacSource.PUSH
        if other_source >= source or not other_source.is_hint:
            LOGGER.warning(
                "%s seems to be %s, which %s already is; not keying it so",
                entry.title,
                mac,
                other.title,
            )
            return False
        release_hint(hass, other, entry.title)
    hass.config_entries.async_update_entry(
        entry, unique_id=mac, data={**entry.data, CONF_MAC_SOURCE: source.stored}
    )
    return True


@callback
def release_hint(hass: HomeAssistant, entry: ConfigEntry, claimant: str) -> None:
    """Take a MAC an entry had only on a push's word away from it.

    claimant names who proved the MAC (a phone, an entry) for the log.
    """
    LOGGER.warning(
        "%s was keyed as %s only by a push; %s proves that MAC: %s loses it",
        entry.title,
        entry.unique_id,
        claimant,
        entry.title,
    )
    hass.config_entries.async_update_entry(
        entry,
        unique_id=None,
        data={k: v for k, v in entry.data.items() if k != CONF_MAC_SOURCE},
    )
