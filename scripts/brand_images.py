#!/usr/bin/env python3
"""Draw the brand images (our own desk-phone glyph, not Grandstream's logo)."""

from PIL import Image, ImageDraw, ImageFont


def icon(size: int) -> Image.Image:
    """Return the icon at size x size pixels."""
    s = size / 256
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle(
        [8 * s, 8 * s, 248 * s, 248 * s], radius=48 * s, fill=(19, 94, 120, 255)
    )
    white = (255, 255, 255, 255)
    # phone body
    d.rounded_rectangle([40 * s, 110 * s, 216 * s, 212 * s], radius=20 * s, fill=white)
    # handset resting on top
    d.rounded_rectangle([52 * s, 52 * s, 204 * s, 92 * s], radius=20 * s, fill=white)
    d.rectangle([84 * s, 84 * s, 100 * s, 116 * s], fill=white)
    d.rectangle([156 * s, 84 * s, 172 * s, 116 * s], fill=white)
    # screen
    d.rounded_rectangle(
        [58 * s, 126 * s, 126 * s, 162 * s], radius=6 * s, fill=(19, 94, 120, 255)
    )
    # keypad 3x3
    for r in range(3):
        for c in range(3):
            x = 146 * s + c * 22 * s
            y = 128 * s + r * 24 * s
            d.ellipse([x, y, x + 14 * s, y + 14 * s], fill=(19, 94, 120, 255))
    return img


for size, name in ((256, "icon.png"), (512, "icon@2x.png")):
    icon(size).save(f"custom_components/grandstream_cti/brand/{name}", optimize=True)


def logo(h: int, name: str) -> None:
    """Write the icon with the name beside it, h pixels high."""
    ic = icon(h)
    font = ImageFont.load_default(size=int(h * 0.42))
    text = "Grandstream CTI"
    tmp = ImageDraw.Draw(Image.new("RGBA", (1, 1)))
    w = int(tmp.textlength(text, font=font))
    img = Image.new("RGBA", (h + int(h * 0.15) + w + int(h * 0.1), h), (0, 0, 0, 0))
    img.paste(ic, (0, 0), ic)
    ImageDraw.Draw(img).text(
        (h + int(h * 0.15), h // 2),
        text,
        font=font,
        fill=(19, 94, 120, 255),
        anchor="lm",
    )
    img.save(f"custom_components/grandstream_cti/brand/{name}", optimize=True)


logo(128, "logo.png")
logo(256, "logo@2x.png")
