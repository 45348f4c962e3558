"""A fake Grandstream GRP26xx desk phone speaking the CTI HTTP API (aiohttp)."""

from .config import SimulatorConfig
from .phone import Phone, PhoneError, PhoneEvent, SimAccount, SimLine
from .presets import MODELS, ModelPreset
from .server import PhoneSimulator

__all__ = [
    "MODELS",
    "ModelPreset",
    "Phone",
    "PhoneError",
    "PhoneEvent",
    "PhoneSimulator",
    "SimAccount",
    "SimLine",
    "SimulatorConfig",
]
