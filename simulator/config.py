"""Settings of one simulated phone."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Literal

from .profiles import DEFAULT_PROFILE

if TYPE_CHECKING:
    from .phone import Phone

DenialStyle = Literal["http403", "failed"]
DENIAL_STYLES: tuple[DenialStyle, ...] = ("http403", "failed")
# What `/sim/config` may change: setting name -> accepted types (a bool is
# never taken for an int). Profile, model, MAC, firmware and TLS are fixed.
SETTABLE: Final[dict[str, tuple[type, ...]]] = {
    "cti_enabled": (bool,),
    "allowed_ips": (list, tuple),
    "popup_confirmation": (bool,),
    "popup_timeout": (int, float),
    "denial_style": (str,),
    "passcode": (str,),
    "user_passcode": (str,),
    "admin_username": (str,),
    "user_username": (str,),
    "call_connect_delay": (int, float),
    "reboot_seconds": (int, float),
    "model_define": (bool,),
    "session_api": (bool,),
    "user_web_access": (bool,),
    "single_session": (bool,),
    "session_idle_seconds": (int, float),
    "lockout_attempts": (int,),
    "lockout_minutes": (int,),
    "click_to_dial": (bool,),
    "strict_session": (bool,),
    "ha_control": (bool,),
}


@dataclass
class SimulatorConfig:
    """How the simulated phone is set up (mutable: `/sim/config` changes it).

    `None` means "as the profile says" (`PhoneSimulator` fills it in on a
    copy, so one config object can serve several phones).
    """

    profile: str = DEFAULT_PROFILE
    model: str | None = None
    # Web passwords: the passcode CTI API and the session logins use the same.
    passcode: str = "admin"
    user_passcode: str = "123"
    admin_username: str = "admin"
    user_username: str = "user"
    cti_enabled: bool = True
    allowed_ips: Sequence[str] = ("any",)
    denial_style: DenialStyle = "http403"
    popup_confirmation: bool = False
    popup_timeout: float = 30.0
    call_connect_delay: float = 2.0
    reboot_seconds: float = 5.0
    mac: str = "00:0B:82:12:34:56"
    firmware: str | None = None
    # Override the preset accounts: dicts with name, sip_id, sip_server, registered.
    accounts: Sequence[Mapping[str, Any]] | None = None
    model_define: bool = True
    ssl: bool | None = None
    action_url: str | None = None
    # The web session API (login, config_get...); off = passcode-only firmware.
    session_api: bool = True
    # The `user` account may log in to the web UI ("user is not allow" if not).
    user_web_access: bool = True
    single_session: bool | None = None
    session_idle_seconds: float = 60.0
    lockout_attempts: int = 5
    lockout_minutes: int = 5
    # P1561 Click-To-Dial: off, make-call answers "Invalid Request".
    click_to_dial: bool = True
    # Strict sessions, as the WP826 integration's capture-built fake checks
    # them: the sid only from the `sid` cookie, and every non-GET web request
    # with Referer exactly `<scheme>://<host>/`. Off: real firmware takes the
    # sid from the query too (a working WP826 client sends `?sid=`).
    strict_session: bool = False
    # GDS/GSC "Home Assistant control" (profiles with that switch): off,
    # logins and session requests answer "user is not allow".
    ha_control: bool = True
    # The simulator clock stands still until `sim.clock.advance()` moves it.
    manual_clock: bool = False
    # Initial quirks (names as in `/sim/quirks`); all off by default.
    quirks: Mapping[str, bool] = field(default_factory=dict)

    def update(self, values: dict[str, Any]) -> None:
        """Change settings at run time; ValueError (nothing changed) on bad input."""
        for name, value in values.items():
            if name not in SETTABLE:
                raise ValueError(f"Unknown or read-only setting {name!r}")
            types = SETTABLE[name]
            if not isinstance(value, types) or (
                isinstance(value, bool) and bool not in types
            ):
                raise ValueError(f"Bad value for {name}: {value!r}")
        if values.get("denial_style", self.denial_style) not in DENIAL_STYLES:
            raise ValueError("denial_style must be http403 or failed")
        for name, value in values.items():
            setattr(
                self,
                name,
                tuple(str(item) for item in value) if name == "allowed_ips" else value,
            )

    def public(self) -> dict[str, Any]:
        """Return the settings as JSON without the passwords."""
        return {
            "profile": self.profile,
            "model": self.model,
            "admin_username": self.admin_username,
            "user_username": self.user_username,
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
            "session_api": self.session_api,
            "user_web_access": self.user_web_access,
            "single_session": self.single_session,
            "session_idle_seconds": self.session_idle_seconds,
            "lockout_attempts": self.lockout_attempts,
            "lockout_minutes": self.lockout_minutes,
            "click_to_dial": self.click_to_dial,
            "strict_session": self.strict_session,
            "ha_control": self.ha_control,
            "manual_clock": self.manual_clock,
        }


def apply_settings(
    config: SimulatorConfig, phone: Phone, values: dict[str, Any]
) -> None:
    """Change settings at run time (`/sim/config`) and let the phone follow."""
    config.update(values)
    phone.call_connect_delay = config.call_connect_delay
    phone.reboot_seconds = config.reboot_seconds
