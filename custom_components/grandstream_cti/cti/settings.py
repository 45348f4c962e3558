"""Phone settings read and written through the session API's configuration.

Keys and values as a real WP826 answers them (captured `config_get`); a phone
that lacks a key answers it with an empty alias and value.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final


@dataclass(frozen=True, slots=True)
class ConfigValue:
    """One configuration key as the phone answered it."""

    value: str
    # config_get names each key the phone has ("lcd.backlight.timeout");
    # runtime keys (":dnd") have no alias but a value.
    alias: str = ""
    # api.values.get names no aliases: a key it answers is there.
    answered: bool = False

    @property
    def exists(self) -> bool:
        """Return True when the phone has this key."""
        return bool(self.alias or self.value or self.answered)


class Setting(StrEnum):
    """Handset settings (the value is the configuration key)."""

    RING_VOLUME = "8352"  # audio.volume.ring: 0-10
    LCD_BRIGHTNESS = "334"  # lcd.backlight.brightness.active: 10-100 %, step 10
    BACKLIGHT_TIMEOUT = "1413"  # lcd.backlight.timeout: seconds, 0 = never
    KEYPAD_BACKLIGHT = "22234"  # key.backlight.enable: 0 off, 1 on, 2 auto


# The choices of the settings that are choices, by wire value.
BACKLIGHT_TIMEOUTS: Final = {
    "0": "never",
    "15": "15_s",
    "30": "30_s",
    "60": "1_min",
    "120": "2_min",
    "300": "5_min",
    "600": "10_min",
    "1200": "20_min",
    "1800": "30_min",
}
KEYPAD_BACKLIGHT_MODES: Final = {"0": "off", "1": "on", "2": "auto"}
SETTING_CHOICES: Final[dict[Setting, dict[str, str]]] = {
    Setting.BACKLIGHT_TIMEOUT: BACKLIGHT_TIMEOUTS,
    Setting.KEYPAD_BACKLIGHT: KEYPAD_BACKLIGHT_MODES,
}
# The ranges of the settings that are numbers: (min, max, step).
SETTING_RANGES: Final[dict[Setting, tuple[int, int, int]]] = {
    Setting.RING_VOLUME: (0, 10, 1),
    Setting.LCD_BRIGHTNESS: (10, 100, 10),
}
# Unread voicemail of account n (1-based): a runtime key.
UNREAD_VOICEMAIL: Final = ":unread_vm_{}"


def unread_voicemail_key(account: int) -> str:
    """Return the runtime key of an account's unread voicemail count."""
    return UNREAD_VOICEMAIL.format(account)


def setting_wire(setting: Setting, value: float | str) -> str | None:
    """Return what to write for a value, or None when the setting cannot take it.

    A whole number within range and step, or a choice (its wire value or name).
    """
    if isinstance(value, float):
        if not value.is_integer():
            return None
        value = int(value)
    text = str(value).strip()
    named = {name: wire for wire, name in SETTING_CHOICES.get(setting, {}).items()}
    text = named.get(text, text)
    return text if setting_value(setting, text) is not None else None


def setting_value(setting: Setting, raw: str) -> int | str | None:
    """Return a setting as a number in range, or its choice's name; None if neither.

    A value the phone should not have reads as unknown, not as a wrong choice.
    """
    raw = raw.strip()
    if (choices := SETTING_CHOICES.get(setting)) is not None:
        return choices.get(raw)
    low, high, step = SETTING_RANGES[setting]
    if not raw.isdigit() or not low <= int(raw) <= high or (int(raw) - low) % step:
        return None
    return int(raw)
