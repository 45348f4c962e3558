"""The integration's one rule for what a phone can dial, with its own wording."""

from __future__ import annotations

from homeassistant.exceptions import ServiceValidationError

from .const import DOMAIN
from .cti.numbers import MAX_NUMBER_LENGTH, validate_number
from .errors import quote


def dialable_number(number: str, *, empty_key: str = "invalid_number") -> str:
    """Return number stripped, or raise ServiceValidationError saying why not.

    empty_key: the message for an empty number (the dial box has its own).
    """
    if not number.strip():
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key=empty_key,
            translation_placeholders={"number": "", "max": str(MAX_NUMBER_LENGTH)},
        )
    try:
        return validate_number(number)
    except ValueError as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_number",
            translation_placeholders={
                "number": quote(number),
                "max": str(MAX_NUMBER_LENGTH),
            },
        ) from err
