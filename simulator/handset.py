"""Wi-Fi handset extras (WP8x6): battery and Wi-Fi status (session-spec §3).

Their answers put the data beside `response`, not in `body`. The fields,
their order and their spelling follow the WP826 captures (1.0.3.35 and
1.0.1.87): the MAC and the BSSID are upper case; 1.0.1.87 has no battery
`health` and no Wi-Fi `certNeed`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from custom_components.grandstream_cti.cti.wire import (
    ENVELOPE_RESPONSE,
    RESPONSE_SUCCESS,
)

from .phone import Phone

BATTERY_STATUSES = frozenset({"Charging", "Discharging", "Full", "Not charging"})


@dataclass
class Handset:
    """What a WP8x6 reports besides calls; the battery percent lives in Phone."""

    # Firmware differences (profiles.py): 1.0.3.35 has both.
    battery_health_field: bool = True
    cert_need_field: bool = True
    battery_status: str = "Discharging"
    battery_health: str = "Good"
    signal: int = 4  # bars, 0-4
    connected: bool = True
    ssid: str = "Office"
    bssid: str = "00:11:22:33:44:55"
    channel: int = 56
    freq: str = "5280"  # MHz, a string as captured

    def battery_json(self, phone: Phone) -> dict[str, Any]:
        """Return api-get_battery_status's answer."""
        battery: dict[str, Any] = {
            "status": self.battery_status,
            "capacity": phone.battery if phone.battery is not None else 0,
            "present": phone.battery is not None,
        }
        if self.battery_health_field:
            battery["health"] = self.battery_health
        return {ENVELOPE_RESPONSE: RESPONSE_SUCCESS, "battery": battery}

    def wifi_json(self, phone: Phone) -> dict[str, Any]:
        """Return api-wifi_status_get's answer, in the captured key order.

        Disconnected (no capture shows it): signal 0, `connected` false,
        `state` "DISCONNECTED", the last connection's details kept.
        """
        status: dict[str, Any] = {
            "power": True,
            "signal": self.signal if self.connected else 0,
            "scanning": False,
            "connecting": False,
            "connected": self.connected,
            "connection": {
                "ssid": self.ssid,
                "freq": self.freq,
                "mac": phone.mac.upper(),
                "bssid": self.bssid.upper(),
                "keyMgmt": "SAE",
                "pairwiseCipher": "CCMP",
                "groupCipher": "CCMP",
                "state": "COMPLETED" if self.connected else "DISCONNECTED",
                "netId": 1,
                "channel": self.channel,
                "bandwidth": "HT40+",
            },
        }
        if self.cert_need_field:
            status["certNeed"] = []
        return {ENVELOPE_RESPONSE: RESPONSE_SUCCESS, "reason": "OK", "status": status}

    def as_dict(self, phone: Phone) -> dict[str, Any]:
        """Return the handset state for `/sim/state`."""
        return {
            "battery": phone.battery,
            "battery_status": self.battery_status,
            "signal": self.signal,
            "connected": self.connected,
            "ssid": self.ssid,
            "bssid": self.bssid.upper(),
            "channel": self.channel,
        }
