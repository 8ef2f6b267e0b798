"""Image helpers shared by the apps (Pillow): pure functions, no database."""

from __future__ import annotations

from PIL import Image

WHITE = (255, 255, 255)

# Modes that carry an alpha channel (a palette image may carry one as its "transparency").
_ALPHA_MODES = ("RGBA", "LA", "PA")


def flatten(image: Image.Image, background: tuple[int, int, int] = WHITE) -> Image.Image:
    """``image`` as RGB, any transparency composited onto ``background`` (white by default).

    For JPEG output: a transparent pixel would otherwise come out as whatever
    colour it hides (often black). An RGB image is returned as it is.
    """
    if image.mode in _ALPHA_MODES or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, background)
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image if image.mode == "RGB" else image.convert("RGB")
