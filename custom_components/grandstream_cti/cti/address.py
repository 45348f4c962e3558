"""Addresses: a phone's MAC (who it is) and its host (where it is).

One spelling each: MACs in lower case with colons; hosts without brackets,
in lower case, IPv4-mapped IPv6 addresses as IPv4.
"""

from __future__ import annotations

import asyncio
from ipaddress import IPv6Address, ip_address
import re
import socket
from typing import Final

_HEX_RE: Final = re.compile(r"[0-9a-f]{12}")
_NO_MACS: Final = frozenset({"000000000000", "ffffffffffff"})
# Grandstream's registered prefixes (the manifest's DHCP matchers). A
# neighbour-table answer with another prefix is a router's or a proxy's.
GRANDSTREAM_OUIS: Final = ("00:0b:82", "c0:74:ad", "ec:74:d7")


def normalize_mac(raw: str | None) -> str | None:
    """Return a MAC as lower-case `aa:bb:cc:dd:ee:ff`, or None for no MAC.

    Colons, dashes, dots or nothing between the digits; zero and broadcast
    addresses and anything else are no MAC.
    """
    if not raw:
        return None
    digits = re.sub(r"[:\-.\s]", "", raw.strip().lower())
    if not _HEX_RE.fullmatch(digits) or digits in _NO_MACS:
        return None
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def is_grandstream(mac: str) -> bool:
    """Return True when a normalized MAC carries one of Grandstream's prefixes."""
    return mac.startswith(GRANDSTREAM_OUIS)


def normalize_host(host: str) -> str:
    """Return one spelling per address: no brackets, lower case, IPv4 unmapped."""
    host = host.strip().strip("[]").strip().lower()
    try:
        address = ip_address(host)
    except ValueError:
        return host
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


def is_loopback(host: str) -> bool:
    """Return True for this machine's own addresses (and `localhost`)."""
    host = normalize_host(host)
    try:
        return host == "localhost" or ip_address(host).is_loopback
    except ValueError:
        return False


async def resolve_host(host: str) -> set[str]:
    """Return the addresses a host stands for, and its name if it has one."""
    host = normalize_host(host)
    try:
        return {str(ip_address(host))}
    except ValueError:
        pass
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            host, None, proto=socket.IPPROTO_TCP
        )
    except Exception:  # noqa: BLE001 - a name that does not resolve has no address
        infos = []
    return {host, *(normalize_host(str(info[4][0]).split("%")[0]) for info in infos)}
