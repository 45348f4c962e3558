"""Model presets: how many lines and accounts each simulated phone has.

GRP26xx figures come from spec §7 (datasheets, approximate); the others are
from the vendors' datasheets too and equally approximate, except the WP826:
four line objects and three accounts as captured on firmware 1.0.3.35
(session-spec §3; 1.0.1.87 lists three lines, see profiles.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class ModelPreset:
    """Facts about one phone model."""

    model: str
    lines: int
    accounts: int
    hardware_version: str = "V1.0A"

    @property
    def family(self) -> str:
        """Return the family named in the `Server` header (the model itself)."""
        return self.model


def _presets(*presets: ModelPreset) -> dict[str, ModelPreset]:
    return {preset.model: preset for preset in presets}


MODELS: Final[dict[str, ModelPreset]] = _presets(
    ModelPreset("GRP2601", lines=2, accounts=2),
    ModelPreset("GRP2602", lines=4, accounts=2),
    ModelPreset("GRP2612", lines=4, accounts=2),
    ModelPreset("GRP2613", lines=6, accounts=3),
    ModelPreset("GRP2614", lines=8, accounts=4),
    ModelPreset("GRP2615", lines=10, accounts=5),
    ModelPreset("GRP2616", lines=12, accounts=6),
    ModelPreset("GRP2624", lines=8, accounts=4),
    ModelPreset("GRP2634", lines=8, accounts=4),
    ModelPreset("GXP2135", lines=8, accounts=4),
    ModelPreset("GXP2160", lines=6, accounts=6),
    ModelPreset("GXP2170", lines=12, accounts=6),
    ModelPreset("GXP1625", lines=2, accounts=2),
    ModelPreset("GXP1628", lines=2, accounts=2),
    ModelPreset("WP826", lines=4, accounts=3),
    ModelPreset("GSC3516", lines=2, accounts=1),
)

DEFAULT_MODEL: Final = "GRP2614"
