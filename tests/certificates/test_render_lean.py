"""The cheaper render of stop 13 prints the same certificate.

Two changes, both meant to leave the page untouched:

- the renderer gives WeasyPrint a lean user-agent stylesheet (its own
  ``html5_ua.css`` without the footnote and note pseudo-elements, with
  ``::marker`` scoped to ``li`` and ``@page`` without its margin boxes);
- the default design has fewer boxes (the body is the sheet, no wrapper
  around the holder's lines nor around an issuer's name, no trailing
  whitespace) and fixed widths where a shrink-to-fit width was not needed.

Each test renders the reference in the same test: the default design as it
was before (``reference_design/``, commit ``6e27f01``) with WeasyPrint's own
``HTML`` and its full user-agent stylesheet, and compares the pages pixel
for pixel at 100 dpi, the text read back and the embedded fonts.
"""

from __future__ import annotations

import io
import subprocess
import tomllib
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image, ImageChops
from pypdf import PdfReader

from certificates import rendering
from certificates.rendering import Design, Renderer
from tests.certificates.conftest import embedded_fonts, pdf_text, squeeze
from tests.certificates.test_rendering import sample

pytestmark = pytest.mark.usefixtures("poppler")

REFERENCE = Path(__file__).resolve().parent / "reference_design"
REFERENCE_DESIGN = Design(
    html=(REFERENCE / "certificate.html").read_text(encoding="utf-8"),
    css=(REFERENCE / "certificate.css").read_text(encoding="utf-8"),
    key="reference-6e27f01",
)


def page_image(pdf: bytes, tmp_path, name: str) -> Image.Image:
    subprocess.run(
        ["pdftoppm", "-r", "100", "-png", "-singlefile", "-", str(tmp_path / name)], input=pdf, check=True
    )
    return Image.open(tmp_path / f"{name}.png").convert("RGB")


def full_ua_render(monkeypatch, renderer: Renderer, data) -> bytes:
    """``renderer``'s PDF with WeasyPrint's own ``HTML`` (its full user-agent stylesheet)."""
    weasyprint = rendering._weasyprint()
    with monkeypatch.context() as patch:
        patch.setattr(rendering, "html_class", lambda: weasyprint.HTML)
        return renderer.render(data)


def assert_same_page(pdf: bytes, reference: bytes, tmp_path) -> None:
    new, old = page_image(pdf, tmp_path, "new"), page_image(reference, tmp_path, "old")
    assert new.size == old.size
    difference = ImageChops.difference(new, old)
    assert difference.getbbox() is None, difference.getbbox()
    assert squeeze(pdf_text(pdf, tmp_path, "new.pdf")) == squeeze(pdf_text(reference, tmp_path, "old.pdf"))


def test_the_lean_stylesheet_is_weasyprints_less_what_certificates_do_not_use():
    weasyprint = rendering._weasyprint()
    from weasyprint.html import UA

    # The pin the lean sheet was made for is the project's pin of WeasyPrint.
    pins = tomllib.loads((Path(settings.BASE_DIR) / "pyproject.toml").read_text())["project"]["dependencies"]
    assert f"weasyprint>={rendering.LEAN_UA_FOR.rstrip('.')},<{int(rendering.LEAN_UA_FOR.rstrip('.')) + 1}" in pins
    assert weasyprint.__version__.startswith(rendering.LEAN_UA_FOR)
    html = rendering.html_class()
    assert html is not weasyprint.HTML and issubclass(html, weasyprint.HTML)

    lean = rendering.lean_ua_css(UA)
    full_lines, lean_lines = UA.split("\n"), lean.split("\n")
    removed = [line for line in full_lines if line not in lean_lines]
    added = [line for line in lean_lines if line not in full_lines]
    assert added == ["li::marker { font-variant-numeric: tabular-nums; white-space: pre; text-transform: none }",
                     "@page { margin: 75px }"]
    assert {line.split(" ")[0] for line in removed if line.startswith("::")} == {
        "::marker", "::footnote-call", "::footnote-marker", "::note-call", "::note-marker", "::note-callback"
    }
    # Everything else removed is the @page block's margin boxes.
    rest = [line for line in removed if not line.startswith("::")]
    assert rest[0] == "@page {" and rest[-1] == "}"
    assert all(line.strip().startswith(("@", "margin: 75px;")) for line in rest[1:-1])
    # Every element rule is kept, in order.
    assert [line for line in full_lines if line not in removed] == [line for line in lean_lines if line not in added]
    # A sheet that is not the expected one is not cut: WeasyPrint's own is used.
    assert rendering.lean_ua_css(UA.replace("@page {\n  margin: 75px;", "@page {\n  margin: 70px;")) is None
    assert rendering.lean_ua_css("p { margin: 0 }") is None


@pytest.mark.parametrize(
    "holder",
    [
        {},
        {
            "holder": "龘堃 清徐县青年志愿者协会清徐葡萄产业助农直播团队",
            "lines": ("清徐县青年志愿者协会", "“清徐葡萄产业助农直播·龘堃志愿服务队”项目"),
            "seals": False,
            "number": "TY-XLF-2022-XM-0042",
        },
    ],
    ids=["two-seals", "no-seals"],
)
def test_the_default_design_prints_the_page_it_printed_before(monkeypatch, tmp_path, holder):
    data = sample(**holder)
    chars = "".join(data.texts())
    pdf = Renderer(Design(), chars=chars).render(data)
    reference = full_ua_render(monkeypatch, Renderer(REFERENCE_DESIGN, chars=chars), data)
    assert_same_page(pdf, reference, tmp_path)
    # ... and not because both pages are blank or equal anyway: another holder differs.
    another = sample(lines=("另一个单位",))
    other = Renderer(Design(), chars="".join(another.texts())).render(another)
    assert ImageChops.difference(page_image(pdf, tmp_path, "new"), page_image(other, tmp_path, "other")).getbbox()

    # Still one page with both Chinese faces embedded as subsets.
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    faces = embedded_fonts(reader)
    assert len(faces) == 2 and all(str(f["/BaseFont"])[7] == "+" for f in faces)
    # The metadata and the bookmark (the title's h1) are still there.
    assert reader.metadata.title == f"荣誉证书 {data.number}"
    assert [item.title for item in reader.outline] == ["荣誉证书"]


EDITED = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{{ number }}</title></head>
<body><h2>{{ title }}</h2>
<blockquote><p>{{ holder }}</p></blockquote>
<ul><li>{{ award }}</li><li><strong>{{ year }}</strong> <em>{{ date }}</em></li></ul>
<ol><li>一</li><li>二</li></ol>
<dl><dt>编号</dt><dd>{{ number }}</dd></dl>
<table><tr><th>单位</th><td>{% for issuer in issuers %}{{ issuer.name }}<br>{% endfor %}</td></tr></table>
<p dir="rtl">{{ number }}</p><hr><pre>{{ body }}</pre>
<img src="{{ qr }}" alt="" style="width: 20mm"></body></html>"""


def test_an_edited_design_prints_the_same_with_the_lean_stylesheet(monkeypatch, tmp_path):
    """Lists (their markers), tables, headings, quotes, rules, bidi: what an office may write."""
    data = sample()
    design = Design(html=EDITED, css="body { font-size: 14pt; }", key="edited-lean-test")
    renderer = Renderer(design, chars="".join(data.texts()) + "一二编号单位")
    pdf = renderer.render(data)
    assert_same_page(pdf, full_ua_render(monkeypatch, renderer, data), tmp_path)


def test_pdf_streams_are_compressed_at_level_6_during_a_render_only(monkeypatch):
    """pydyf's hard-coded level 9 is replaced inside ``Renderer.render`` only, and put back."""
    import zlib

    import pydyf

    assert pydyf.__version__.startswith(rendering.PYDYF_FOR)  # the release the level was measured with
    payload = "".join(f"{i} 0 obj << /W [{i} {i * 7 % 1000}] >>\n" for i in range(3000)).encode()
    seen = []
    real_compressobj = zlib.compressobj

    def spy(level=-1, *args, **kwargs):
        seen.append(level)
        return real_compressobj(level, *args, **kwargs)

    with rendering.pdf_streams_at_level(6):
        assert pydyf.zlib is not zlib
        squeezed = pydyf.Stream([payload], compress=True).data
    assert pydyf.zlib is zlib
    assert b"/FlateDecode" in squeezed
    level_6 = real_compressobj(6)
    assert squeezed.endswith(b"stream\n" + level_6.compress(payload) + level_6.flush() + b"\nendstream")

    monkeypatch.setattr(zlib, "compressobj", spy)
    data = sample(seals=False)
    pdf = Renderer(Design(), chars="".join(data.texts())).render(data)
    assert seen and set(seen) == {6}
    assert pydyf.zlib is zlib
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
