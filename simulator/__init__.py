"""Simulated Grandstream phones (aiohttp): passcode CTI and web session APIs."""

from .clock import SimClock
from .config import SimulatorConfig
from .config_store import ConfigStore
from .phone import Phone, PhoneError, PhoneEvent, SimAccount, SimLine
from .presets import MODELS, ModelPreset
from .profiles import DEFAULT_PROFILE, PROFILES, Profile
from .server import PhoneSimulator
from .session import SessionManager, sha256_hex

__all__ = [
    "DEFAULT_PROFILE",
    "MODELS",
    "PROFILES",
    "ConfigStore",
    "ModelPreset",
    "Phone",
    "PhoneError",
    "PhoneEvent",
    "PhoneSimulator",
    "Profile",
    "SessionManager",
    "SimAccount",
    "SimClock",
    "SimLine",
    "SimulatorConfig",
    "sha256_hex",
]
