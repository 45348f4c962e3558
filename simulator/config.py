"""Settings of one simulated phone."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from .presets import DEFAULT_MODEL

DenialStyle = Literal["http403", "failed"]
DENIAL_STYLES: tuple[DenialStyle, ...] = ("http403", "failed")


@dataclass
class SimulatorConfig:
    """How the simulated phone is set up (mutable: `/sim/config` changes it)."""

    model: str = DEFAULT_MODEL
    passcode: str = "admin"
    user_passcode: str = "123"
    cti_enabled: bool = True
    allowed_ips: Sequence[str] = ("any",)
    denial_style: DenialStyle = "http403"
    popup_confirmation: bool = False
    popup_timeout: float = 30.0
    call_connect_delay: float = 2.0
    reboot_seconds: float = 5.0
    mac: str = "00:0B:82:12:34:56"
    firmware: str = "1.0.13.22"
    # Override the preset accounts: dicts with name, sip_id, sip_server, registered.
    accounts: Sequence[Mapping[str, Any]] | None = None
    model_define: bool = True
    ssl: bool = False
    action_url: str | None = None
    # Initial quirks (names as in `/sim/quirks`); all off by default.
    quirks: Mapping[str, bool] = field(default_factory=dict)

    def public(self) -> dict[str, Any]:
        """Return the settings as JSON without the passcodes."""
        return {
            "model": self.model,
            "cti_enabled": self.cti_enabled,
            "allowed_ips": list(self.allowed_ips),
            "denial_style": self.denial_style,
            "popup_confirmation": self.popup_confirmation,
            "popup_timeout": self.popup_timeout,
            "call_connect_delay": self.call_connect_delay,
            "reboot_seconds": self.reboot_seconds,
            "mac": self.mac,
            "firmware": self.firmware,
            "model_define": self.model_define,
            "ssl": self.ssl,
            "action_url": self.action_url,
        }
