"""competition.images.flatten: the one transparency flattening of thumbnails, renditions and backgrounds."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from certificates.services import background_jpeg
from competition.images import flatten


def _rgba() -> Image.Image:
    """Left column fully transparent (hiding black), right column half-transparent red."""
    image = Image.new("RGBA", (2, 1))
    image.putpixel((0, 0), (0, 0, 0, 0))
    image.putpixel((1, 0), (255, 0, 0, 128))
    return image


def test_transparency_is_composited_onto_white():
    flat = flatten(_rgba())
    assert flat.mode == "RGB"
    assert flat.getpixel((0, 0)) == (255, 255, 255)  # not the black it hid
    r, g, b = flat.getpixel((1, 0))
    assert r == 255 and 125 <= g <= 129 and g == b  # half red on white


def test_onto_another_background():
    assert flatten(_rgba(), (0, 0, 255)).getpixel((0, 0)) == (0, 0, 255)


@pytest.mark.parametrize("mode", ["LA", "PA"])
def test_grey_and_palette_alpha_modes(mode):
    image = Image.new("RGBA", (1, 1), (0, 0, 0, 0)).convert(mode)
    assert flatten(image).getpixel((0, 0)) == (255, 255, 255)


def test_a_palette_png_with_a_transparent_index():
    image = Image.new("P", (1, 1), 0)
    image.putpalette([0, 0, 0] * 256)
    image.info["transparency"] = 0
    saved = io.BytesIO()
    image.save(saved, "PNG")
    with Image.open(io.BytesIO(saved.getvalue())) as reopened:
        assert flatten(reopened).getpixel((0, 0)) == (255, 255, 255)


def test_opaque_images_keep_their_pixels():
    rgb = Image.new("RGB", (1, 1), (10, 20, 30))
    assert flatten(rgb) is rgb
    grey = flatten(Image.new("L", (1, 1), 77))
    assert grey.mode == "RGB" and grey.getpixel((0, 0)) == (77, 77, 77)


def test_a_certificate_background_with_transparency_becomes_a_white_backed_jpeg():
    png = io.BytesIO()
    Image.new("RGBA", (40, 20), (0, 0, 0, 0)).save(png, "PNG")
    with Image.open(io.BytesIO(background_jpeg(png.getvalue()))) as jpeg:
        assert jpeg.format == "JPEG" and jpeg.mode == "RGB"
        assert min(jpeg.getpixel((20, 10))) > 245
