"""Wi-Fi handset extras (WP8x6): battery and Wi-Fi status (session-spec §3).

Their answers put the data beside `response`, not in `body`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from custom_components.grandstream_cti.cti.wire import (
    ENVELOPE_RESPONSE,
    RESPONSE_SUCCESS,
)

from .phone import Phone


@dataclass
class Handset:
    """What a WP8x6 reports besides calls; the battery percent lives in Phone."""

    battery_status: str = "Discharging"
    battery_health: str = "Good"
    signal: int = 4  # bars, 0-4
    connected: bool = True
    ssid: str = "Office"
    bssid: str = "00:0b:82:aa:bb:cc"
    channel: int = 56

    def battery_json(self, phone: Phone) -> dict[str, Any]:
        """Return api-get_battery_status's answer."""
        return {
            ENVELOPE_RESPONSE: RESPONSE_SUCCESS,
            "battery": {
                "status": self.battery_status,
                "capacity": phone.battery if phone.battery is not None else 0,
                "present": phone.battery is not None,
                "health": self.battery_health,
            },
        }

    def wifi_json(self, phone: Phone) -> dict[str, Any]:
        """Return api-wifi_status_get's answer (the phone's MAC, lower case)."""
        return {
            ENVELOPE_RESPONSE: RESPONSE_SUCCESS,
            "reason": "OK",
            "status": {
                "signal": self.signal if self.connected else 0,
                "connected": self.connected,
                "connection": {
                    "ssid": self.ssid,
                    "bssid": self.bssid,
                    "mac": phone.mac.lower(),
                    "channel": self.channel,
                },
            },
        }

    def as_dict(self, phone: Phone) -> dict[str, Any]:
        """Return the handset state for `/sim/state`."""
        return {
            "battery": phone.battery,
            "battery_status": self.battery_status,
            "signal": self.signal,
            "connected": self.connected,
            "ssid": self.ssid,
        }
