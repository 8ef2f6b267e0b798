"""The public renditions of a photo, and the exhibition's number format: pure functions."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from exhibition import renditions
from exhibition.templatetags.exhibition_tags import num
from tests.nominations.files import jpeg_with_orientation, png_bomb


def _png(size, mode="RGBA") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, (200, 30, 30, 0) if mode == "RGBA" else (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def _open(rendition):
    return Image.open(io.BytesIO(rendition.content))


def test_a_large_landscape_photo_gets_both_sizes():
    thumb, detail = renditions.render_pair(io.BytesIO(_png((3000, 2000), "RGB")))
    assert (thumb.width, thumb.height) == (480, 320)
    assert (detail.width, detail.height) == (1280, 853)
    for r in (thumb, detail):
        with _open(r) as img:
            assert img.format == "JPEG" and img.mode == "RGB" and (img.width, img.height) == (r.width, r.height)


def test_a_small_photo_is_never_enlarged():
    thumb, detail = renditions.render_pair(io.BytesIO(_png((300, 200), "RGB")))
    assert (thumb.width, thumb.height) == (300, 200) == (detail.width, detail.height)


def test_exif_orientation_is_applied_and_dropped():
    thumb, detail = renditions.render_pair(io.BytesIO(jpeg_with_orientation((1200, 800), orientation=6)))
    assert detail.height > detail.width  # displayed portrait
    assert (thumb.width, thumb.height) == (320, 480)
    with _open(detail) as img:
        assert not img.getexif()


def test_transparency_is_flattened_on_white():
    _, detail = renditions.render_pair(io.BytesIO(_png((100, 100))))
    with _open(detail) as img:
        r, g, b = img.getpixel((50, 50))
        assert min(r, g, b) > 240


def test_names_are_content_hashes():
    a, _ = renditions.render_pair(io.BytesIO(_png((600, 400), "RGB")))
    b, _ = renditions.render_pair(io.BytesIO(_png((600, 400), "RGB")))
    assert a.name == b.name
    assert a.name.startswith("public/exhibition/") and a.name.endswith(".jpg")
    digest = a.name.rsplit("/", 1)[1].removesuffix(".jpg")
    assert len(digest) == 40 and a.name.split("/")[2] == digest[:2]


def test_bombs_and_garbage_are_refused():
    with pytest.raises(renditions.FileRejected):
        renditions.render_pair(io.BytesIO(png_bomb(20000, 20000)))
    with pytest.raises(renditions.FileRejected):
        renditions.render_pair(io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"0" * 100))


@pytest.mark.parametrize(
    "value, text",
    [(None, "—"), (0, "0"), (758, "758"), (3412, "3,412"), (10_000, "1万"), (104_100, "10.41万"),
     (1_000_000, "100万"), (1_234_567, "123.46万"), (250_000_000, "2.5亿")],
)  # fmt: skip
def test_numbers_read_as_a_chinese_reader_expects(value, text):
    assert num(value) == text
