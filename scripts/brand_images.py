#!/usr/bin/env python3
"""Draw the brand images (our own desk-phone glyph, not Grandstream's logo).

Run with the development venv: `.venv/bin/python scripts/brand_images.py`.

Home Assistant's brand guidelines (home-assistant/brands, "Image specification"):
PNG, transparency preferred, trimmed to the minimum of empty space on the edges;
icon square, 256x256 (icon@2x 512x512); logo landscape, shortest side 128-256
pixels (logo@2x 256-512). So the icon's tile fills its square edge to edge and
the logo is cropped to what it draws: no transparent margin on any side.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

BRAND = (
    Path(__file__).resolve().parent.parent / "custom_components/grandstream_cti/brand"
)
TEAL = (19, 94, 120, 255)
WHITE = (255, 255, 255, 255)
# Drawn this many times larger, then scaled down: smooth edges.
SUPERSAMPLE = 4
LOGO_TEXT = "Grandstream CTI"


def _draw_icon(size: int) -> Image.Image:
    """Return the icon drawn at size x size, without anti-aliasing.

    The design is laid out on a 256-unit grid; the tile spans all of it.
    """
    s = size / 256
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)

    def box(x0: float, y0: float, x1: float, y1: float) -> list[float]:
        return [x0 * s, y0 * s, x1 * s - 1, y1 * s - 1]

    # The tile: edge to edge, rounded corners.
    d.rounded_rectangle(box(0, 0, 256, 256), radius=52 * s, fill=TEAL)
    # Phone body.
    d.rounded_rectangle(box(34, 110, 222, 219), radius=21 * s, fill=WHITE)
    # Handset resting on its cradle.
    d.rounded_rectangle(box(47, 47, 209, 90), radius=21 * s, fill=WHITE)
    d.rectangle(box(81, 82, 99, 116), fill=WHITE)
    d.rectangle(box(157, 82, 175, 116), fill=WHITE)
    # Screen.
    d.rounded_rectangle(box(54, 126, 126, 165), radius=6 * s, fill=TEAL)
    # Keypad, 3 x 3.
    for row in range(3):
        for col in range(3):
            x = 147 + col * 23
            y = 128 + row * 26
            d.ellipse(box(x, y, x + 15, y + 15), fill=TEAL)
    return img


def icon(size: int) -> Image.Image:
    """Return the icon at size x size pixels, anti-aliased."""
    big = _draw_icon(size * SUPERSAMPLE)
    return big.resize((size, size), Image.Resampling.LANCZOS)


def logo(height: int) -> Image.Image:
    """Return the icon with the name beside it, `height` pixels high, trimmed."""
    h = height * SUPERSAMPLE
    font = ImageFont.load_default(size=round(h * 0.42))
    gap = round(h * 0.15)
    measure = ImageDraw.Draw(Image.new("RGBA", (1, 1)))
    text_width = round(measure.textlength(LOGO_TEXT, font=font))
    big = Image.new("RGBA", (h + gap + text_width + h // 4, h), (0, 0, 0, 0))
    tile = _draw_icon(h)
    big.paste(tile, (0, 0), tile)
    ImageDraw.Draw(big).text(
        (h + gap, h // 2), LOGO_TEXT, font=font, fill=TEAL, anchor="lm"
    )
    width = round(big.width / SUPERSAMPLE)
    small = big.resize((width, height), Image.Resampling.LANCZOS)
    return trim(small)


def trim(img: Image.Image) -> Image.Image:
    """Crop away fully transparent rows and columns on every side."""
    bbox = img.getchannel("A").getbbox()
    assert bbox is not None, "nothing drawn"
    return img.crop(bbox)


def main() -> None:
    """Write icon.png, icon@2x.png, logo.png and logo@2x.png."""
    for size, name in ((256, "icon.png"), (512, "icon@2x.png")):
        icon(size).save(BRAND / name, optimize=True)
    for height, name in ((128, "logo.png"), (256, "logo@2x.png")):
        logo(height).save(BRAND / name, optimize=True)
    for name in ("icon.png", "icon@2x.png", "logo.png", "logo@2x.png"):
        with Image.open(BRAND / name) as image:
            print(f"{name}: {image.width}x{image.height}")


if __name__ == "__main__":
    main()
