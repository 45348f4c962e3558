"""What a phone can dial (`api-make_call`)."""

from __future__ import annotations

import re
from typing import Final

# Digits, * # + and the characters of a SIP URI; no spaces or controls.
DIALABLE_PATTERN: Final = r"[0-9A-Za-z*#+@._:\-]+"
MAX_NUMBER_LENGTH: Final = 64
_DIALABLE_RE: Final = re.compile(DIALABLE_PATTERN, re.ASCII)


def validate_number(number: str) -> str:
    """Return number stripped, or raise ValueError if a phone cannot dial it."""
    if not isinstance(number, str):
        raise TypeError("The number must be a string")
    dial = number.strip()
    if not dial:
        raise ValueError("No number given")
    if len(dial) > MAX_NUMBER_LENGTH:
        raise ValueError(f"The number is longer than {MAX_NUMBER_LENGTH} characters")
    if not _DIALABLE_RE.fullmatch(dial):
        raise ValueError(
            "The number may contain only digits, * # + and, for SIP URIs, "
            "letters and @ . _ - :"
        )
    return dial
