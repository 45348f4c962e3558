"""The brand images follow Home Assistant's brand image specification.

PNG; icon square at 256x256 (@2x: 512x512); logo landscape with its shortest
side 128-256 pixels (@2x: 256-512); every image trimmed: no fully transparent
row or column on any edge. scripts/brand_images.py draws them.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image
import pytest

BRAND = (
    Path(__file__).resolve().parent.parent / "custom_components/grandstream_cti/brand"
)
IMAGES = ("icon.png", "icon@2x.png", "logo.png", "logo@2x.png")


def _open(name: str) -> Image.Image:
    with Image.open(BRAND / name) as image:
        assert image.format == "PNG"
        return image.convert("RGBA")


@pytest.mark.parametrize("name", IMAGES)
def test_trimmed(name: str) -> None:
    """Something is drawn on the first and last row and column."""
    image = _open(name)
    assert image.getchannel("A").getbbox() == (0, 0, image.width, image.height)


@pytest.mark.parametrize(("name", "size"), [("icon.png", 256), ("icon@2x.png", 512)])
def test_icon_size(name: str, size: int) -> None:
    """Icons are square, 256x256 and 512x512."""
    assert _open(name).size == (size, size)


@pytest.mark.parametrize(
    ("name", "shortest"), [("logo.png", (128, 256)), ("logo@2x.png", (256, 512))]
)
def test_logo_size(name: str, shortest: tuple[int, int]) -> None:
    """Logos are landscape with the shortest side in the allowed range."""
    width, height = _open(name).size
    assert width > height
    assert shortest[0] <= height <= shortest[1]


def test_logo_hdpi_is_twice_the_logo() -> None:
    """logo@2x.png is the same logo at twice the size (rounding aside)."""
    width, height = _open("logo.png").size
    width2, height2 = _open("logo@2x.png").size
    assert height2 == 2 * height
    assert abs(width2 - 2 * width) <= 2
