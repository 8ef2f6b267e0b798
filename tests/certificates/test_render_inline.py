"""The cheaper render (issue 17) prints the same certificate.

Seals reach WeasyPrint as ``xlf-inline:`` URLs the renderer serves from
memory instead of ``data:`` URIs inside the HTML, and the cycle collector is
off during the render. The page must look exactly like a reference render
made in the same test with the seals as ``data:`` URIs (the way before),
keep its Chinese font subsets embedded, and read back the same text.
"""

from __future__ import annotations

import gc
import io
import subprocess

import pytest
from PIL import Image, ImageChops
from pypdf import PdfReader

from certificates import rendering
from certificates.rendering import Design, Renderer
from tests.certificates.conftest import embedded_fonts, pdf_text, squeeze
from tests.certificates.test_rendering import sample

pytestmark = pytest.mark.usefixtures("poppler")


class DataUriSeals(Renderer):
    """The reference: every seal inlined in the HTML as a ``data:`` SVG."""

    def seal_url(self, seal):
        return rendering.seal_svg_uri(seal) if seal else None


def page_image(pdf: bytes, tmp_path, name: str) -> Image.Image:
    subprocess.run(
        ["pdftoppm", "-r", "100", "-png", "-singlefile", "-", str(tmp_path / name)], input=pdf, check=True
    )
    return Image.open(tmp_path / f"{name}.png").convert("RGB")


def test_seals_from_memory_print_the_same_page_as_data_uris(tmp_path):
    holder = {"holder": "龘堃 测试单位", "lines": ("龘堃测试单位",), "number": "TY-XLF-2022-XM-0042"}
    data = sample(**holder)
    chars = "".join(data.texts())
    fetched: list[str] = []
    pdf = Renderer(Design(), chars=chars, fetch_log=fetched).render(data)
    reference = DataUriSeals(Design(), chars=chars).render(data)

    # The seals were fetched from the renderer's memory, not from the HTML.
    seals = [u for u in fetched if u.startswith(f"{rendering.INLINE_SCHEME}:seal-")]
    assert len(set(seals)) == len(data.issuers)

    # The same page, pixel for pixel at 100 dpi (seals, QR code, text, frame).
    new, old = page_image(pdf, tmp_path, "new"), page_image(reference, tmp_path, "old")
    assert new.size == old.size
    difference = ImageChops.difference(new, old)
    assert difference.getbbox() is None, difference.getbbox()
    # ... and the seals are on it: without them the page differs.
    bare = page_image(Renderer(Design(), chars=chars).render(sample(seals=False, **holder)), tmp_path, "bare")
    assert ImageChops.difference(new, bare).getbbox() is not None

    # Still a valid PDF with its Chinese fonts embedded as subsets, and the same text.
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    fonts_ = embedded_fonts(reader)
    assert len(fonts_) == 2
    assert all(str(f["/BaseFont"])[7] == "+" for f in fonts_)
    listing = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    rows = [line.split() for line in listing.splitlines()[2:] if line.strip()]
    assert rows and all(r[-5:-3] == ["yes", "yes"] for r in rows), listing
    text = squeeze(pdf_text(pdf, tmp_path))
    assert text == squeeze(pdf_text(reference, tmp_path))
    for expected in ("龘堃测试单位", "TY-XLF-2022-XM-0042", "中共太原市委宣传部"):
        assert squeeze(expected) in text


def test_an_unknown_inline_url_is_refused():
    log: list[str] = []
    fetcher = rendering.safe_fetcher(roots=[], log=log, inline={"xlf-inline:a.svg": (b"<svg/>", "image/svg+xml")})
    assert fetcher("xlf-inline:a.svg").read() == b"<svg/>"
    with pytest.raises(ValueError):
        fetcher("xlf-inline:b.svg")
    with pytest.raises(ValueError):
        rendering.safe_fetcher(roots=[])("xlf-inline:a.svg")
    assert fetcher.refused == ["xlf-inline:b.svg"]


def test_the_cycle_collector_is_as_it_was_after_a_render():
    data = sample(seals=False)
    renderer = Renderer(Design(), chars="".join(data.texts()))
    assert gc.isenabled()
    renderer.render(data)
    assert gc.isenabled()
    gc.disable()
    try:
        renderer.render(data)
        assert not gc.isenabled()
    finally:
        gc.enable()
