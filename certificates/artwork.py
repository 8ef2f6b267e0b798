"""Images drawn with Pillow: the default design's paper background and sample seals.

``draw_background`` made ``assets/default/background.jpg`` (run
``python -m certificates.artwork`` to draw it again): warm paper, a faint
guilloche rosette and gold 回纹 corners; the red and gold frame itself is CSS.

``draw_seal`` draws a red round seal with the issuer's name around a star
and the word 样章 (specimen) across the bottom. It is for the demo and the
tests only, where no real seal image was uploaded: a sample must never pass
for a real seal, hence the 样章.
"""

from __future__ import annotations

import io
import math
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

RED = (196, 18, 30)
GOLD = (201, 161, 59)
PAPER_CENTRE = (255, 251, 240)
PAPER_EDGE = (244, 231, 201)


def _font(size: int, weight: str = "bold") -> ImageFont.FreeTypeFont:
    from .fonts import find_font

    face = find_font(weight)
    return ImageFont.truetype(face.path, size=size, index=face.index)


# --------------------------------------------------------------------------- background


def _gradient(width: int, height: int) -> Image.Image:
    mask = Image.radial_gradient("L").resize((width, height), Image.BICUBIC)
    centre = Image.new("RGB", (width, height), PAPER_CENTRE)
    edge = Image.new("RGB", (width, height), PAPER_EDGE)
    return Image.composite(edge, centre, mask.point(lambda v: min(255, int(v * 1.15))))


def _rosette(draw: ImageDraw.ImageDraw, cx: float, cy: float, radius: float, colour, width: int) -> None:
    """A guilloche rosette: a hypotrochoid traced in thin lines."""
    big, small, pen = 1.0, 0.23, 0.62  # ratios of the radius
    points = []
    steps = 5400
    for i in range(steps + 1):
        t = 2 * math.pi * 23 * i / steps
        x = (big - small) * math.cos(t) + pen * small * math.cos((big - small) / small * t)
        y = (big - small) * math.sin(t) - pen * small * math.sin((big - small) / small * t)
        points.append((cx + x * radius, cy + y * radius))
    draw.line(points, fill=colour, width=width, joint="curve")


def _fret(draw: ImageDraw.ImageDraw, x: float, y: float, unit: float, sx: int, sy: int, colour, width: int) -> None:
    """A 回纹 (key fret) corner: an L of nested squares, mirrored by ``sx``/``sy``."""

    def p(px, py):
        return (x + sx * px * unit, y + sy * py * unit)

    spiral = [(0, 0), (4, 0), (4, 4), (1, 4), (1, 1), (3, 1), (3, 3), (2, 3), (2, 2)]
    for ox, oy in ((0, 0), (5, 0), (0, 5)):
        draw.line([p(px + ox, py + oy) for px, py in spiral], fill=colour, width=width, joint="curve")
    # the L-shaped rule joining the frets along the two edges
    draw.line([p(10, 0), p(18, 0)], fill=colour, width=width)
    draw.line([p(0, 10), p(0, 18)], fill=colour, width=width)
    draw.line([p(10, 2), p(16, 2)], fill=colour, width=max(1, width // 2))
    draw.line([p(2, 10), p(2, 16)], fill=colour, width=max(1, width // 2))


def draw_background(width: int = 1754, height: int = 1240) -> bytes:
    """The A4 landscape paper (150 dpi by default) as JPEG bytes."""
    mm = width / 297
    image = _gradient(width, height).convert("RGBA")
    layer = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    _rosette(draw, width / 2, height * 0.52, 62 * mm, (*GOLD, 34), max(1, round(0.25 * mm)))
    _rosette(draw, width / 2, height * 0.52, 44 * mm, (*GOLD, 26), max(1, round(0.2 * mm)))
    inset = 19 * mm
    unit = 1.25 * mm
    stroke = max(2, round(0.5 * mm))
    for cx, sx in ((inset, 1), (width - inset, -1)):
        for cy, sy in ((inset, 1), (height - inset, -1)):
            _fret(draw, cx, cy, unit, sx, sy, (*GOLD, 235), stroke)
    image = Image.alpha_composite(image, layer).convert("RGB")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=82, optimize=True, progressive=False)
    return out.getvalue()


# --------------------------------------------------------------------------- seals


def _star(cx: float, cy: float, r: float) -> list[tuple[float, float]]:
    points = []
    for i in range(10):
        radius = r if i % 2 == 0 else r * 0.382
        angle = -math.pi / 2 + i * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return points


def draw_seal(name: str, *, size: int = 420, label: str = "样章", seed: int | None = None) -> bytes:
    """A red round seal with ``name`` around the top and ``label`` at the bottom, as RGBA PNG."""
    scale = 3  # draw large, then shrink: smooth edges
    s = size * scale
    image = Image.new("L", (s, s), 0)
    draw = ImageDraw.Draw(image)
    c = s / 2
    ring = s * 0.032
    r = s / 2 - ring
    draw.ellipse([c - r, c - r, c + r, c + r], outline=255, width=round(ring))
    draw.polygon(_star(c, c, s * 0.15), fill=255)

    chars = list(name)
    font_size = round(s * (0.125 if len(chars) <= 12 else 0.105 if len(chars) <= 16 else 0.09))
    font = _font(font_size)
    text_radius = r - ring * 1.5 - font_size * 0.6
    span = min(250.0, max(120.0, len(chars) * 19.0))
    for i, ch in enumerate(chars):
        angle = -span / 2 + (span * (i + 0.5) / len(chars))  # degrees from the top, clockwise
        tile = Image.new("L", (font_size * 2, font_size * 2), 0)
        ImageDraw.Draw(tile).text((font_size, font_size), ch, font=font, fill=255, anchor="mm")
        tile = tile.rotate(-angle, resample=Image.BICUBIC, expand=False)
        a = math.radians(angle)
        x = c + text_radius * math.sin(a)
        y = c - text_radius * math.cos(a)
        image.paste(255, (round(x - font_size), round(y - font_size)), tile)
    if label:
        label_font = _font(round(s * 0.11))
        draw.text((c, c + s * 0.27), label, font=label_font, fill=255, anchor="mm")

    image = image.resize((size, size), Image.LANCZOS)
    # Ink texture: a stamp never inks evenly.
    rng = random.Random(seed if seed is not None else sum(map(ord, name)))  # noqa: S311 - texture, not secrecy
    noise = Image.new("L", (size // 4, size // 4))
    noise.putdata([rng.randint(150, 255) for _ in range(noise.width * noise.height)])
    noise = noise.resize((size, size), Image.BICUBIC).filter(ImageFilter.GaussianBlur(1.2))
    alpha = Image.composite(noise, Image.new("L", (size, size), 0), image)
    alpha = Image.eval(alpha, lambda v: round(v * 0.9))
    seal = Image.new("RGBA", (size, size), (*RED, 0))
    seal.putalpha(alpha)
    out = io.BytesIO()
    seal.save(out, format="PNG", optimize=True)
    return out.getvalue()


if __name__ == "__main__":  # pragma: no cover - redraws the packaged background
    target = Path(__file__).resolve().parent / "assets" / "default" / "background.jpg"
    target.write_bytes(draw_background())
    print(f"wrote {target} ({target.stat().st_size} bytes)")
