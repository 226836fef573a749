"""Draw the Teams app icons (color.png, outline.png) next to this script. Pillow only.

Run once after changing the design: ``.venv/bin/python manifest/make_icons.py``; the PNGs are
committed, and a test checks they still match what this script draws.

Sizes and colours follow Teams' icon rules: the colour icon is 192x192 with a full-bleed
background (Teams rounds the corners itself) and the symbol inside the central safe area; the
outline icon is 32x32, white on a fully transparent background, no other colour.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
COLOR_SIZE = 192
OUTLINE_SIZE = 32
# Also the manifest's accentColor, so tiles and icon match.
BLUE = (0x1D, 0x4F, 0x91)
WHITE = (255, 255, 255)
# Drawn this many times larger and scaled down, which gives smooth (anti-aliased) edges.
_SUPERSAMPLE = 8


def draw_color_icon() -> Image.Image:
    """The 192x192 colour icon: a white checklist on municipal blue."""
    glyph = _glyph_mask(COLOR_SIZE, margin=44)
    icon = Image.new("RGBA", (COLOR_SIZE, COLOR_SIZE), (*BLUE, 255))
    icon.paste(Image.new("RGBA", icon.size, (*WHITE, 255)), mask=glyph)
    return icon


def draw_outline_icon() -> Image.Image:
    """The 32x32 outline icon: the same checklist, white, on transparency."""
    icon = Image.new("RGBA", (OUTLINE_SIZE, OUTLINE_SIZE), (*WHITE, 0))
    icon.putalpha(_glyph_mask(OUTLINE_SIZE, margin=2))
    return icon


def _glyph_mask(size: int, *, margin: int) -> Image.Image:
    """Three checklist rows, two ticked and one open box: a survey under way."""
    big = size * _SUPERSAMPLE
    mask = Image.new("L", (big, big), 0)
    draw = ImageDraw.Draw(mask)
    origin = margin * _SUPERSAMPLE
    side = big - 2 * origin

    def at(x: float, y: float) -> tuple[float, float]:
        return origin + x * side, origin + y * side

    stroke = round(0.075 * side)
    for row, cy in enumerate((1 / 6, 3 / 6, 5 / 6)):
        if row < 2:
            draw.line(
                [at(0.02, cy), at(0.10, cy + 0.08), at(0.26, cy - 0.09)],
                fill=255,
                width=stroke,
                joint="curve",
            )
        else:
            draw.rounded_rectangle(
                (*at(0.02, cy - 0.11), *at(0.24, cy + 0.11)),
                radius=0.04 * side,
                outline=255,
                width=round(0.06 * side),
            )
        draw.rounded_rectangle(
            (*at(0.36, cy - 0.055), *at(1.0, cy + 0.055)), radius=0.055 * side, fill=255
        )
    return mask.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    draw_color_icon().save(HERE / "color.png", optimize=True)
    draw_outline_icon().save(HERE / "outline.png", optimize=True)


if __name__ == "__main__":
    main()
