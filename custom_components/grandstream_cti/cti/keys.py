"""Validation of key names for `api-send_key`."""

from __future__ import annotations

from collections.abc import Iterable

from .parsing import printable, shorten
from .wire import FIXED_KEYS, MPK_MAX, MPK_PREFIX


def normalize_key(key: str) -> str:
    """Return the wire name of one key, or raise ValueError naming it."""
    name = key.strip().upper()
    if name == "*":
        name = "STAR"
    if name in FIXED_KEYS:
        return name
    if name.startswith(MPK_PREFIX):
        suffix = name.removeprefix(MPK_PREFIX)
        if suffix.isdigit() and 1 <= int(suffix) <= MPK_MAX:
            return f"{MPK_PREFIX}{int(suffix)}"
    raise ValueError(f"Unknown key {shorten(printable(key), 20)!r}")


def normalize_keys(keys: str | Iterable[str], *, limit: int | None = None) -> list[str]:
    """Return wire names for keys given as a list or a comma-separated string.

    Raises ValueError for an empty sequence, more than limit keys, or any key
    the phone does not know.
    """
    items = keys.split(",") if isinstance(keys, str) else list(keys)
    stripped = [item for item in items if item.strip()]
    if not stripped:
        raise ValueError("No keys given")
    if limit is not None and len(stripped) > limit:
        raise ValueError(f"More than {limit} keys")
    return [normalize_key(item) for item in stripped]
