"""How phones are told apart: by MAC when known, else by normalized host."""

from __future__ import annotations

import re
from typing import Final

_MAC_RE: Final = re.compile(r"[0-9a-f]{2}(?::[0-9a-f]{2}){5}")


def normalize_host(host: str) -> str:
    """Return the host as used in unique ids: lower case, no brackets or spaces."""
    return host.strip().strip("[]").lower()


def is_mac(unique_id: str | None) -> bool:
    """Return True when a unique id is a MAC (not a host, IPv6 ones included)."""
    return unique_id is not None and _MAC_RE.fullmatch(unique_id) is not None
