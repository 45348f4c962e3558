"""MAC addresses: how a phone is told apart from every other device."""

from __future__ import annotations

import re
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
