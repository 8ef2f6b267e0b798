"""The PDF itself, read back: text, fonts, safety, rare characters, the look (an artefact PNG).

These render with the real WeasyPrint, the real Noto Serif CJK SC and read
the result with pypdf and poppler's pdftotext, pdffonts and pdftoppm.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from certificates import fonts, rendering
from certificates.rendering import CertificateData, Design, IssuerData, Renderer
from tests.certificates.conftest import (
    DANGEROUS,
    ISSUERS,
    embedded_fonts,
    pdf_text,
    seal_png,
    squeeze,
    walk_names,
)

pytestmark = pytest.mark.usefixtures("poppler")

ARTEFACTS = Path(settings.BASE_DIR) / "artifacts" / "certificates"
BODY = "在2022年度太原市学雷锋志愿服务先进典型宣传推选活动中，被评为“太原市学雷锋最佳志愿服务项目”。特发此证，以资鼓励。"


def sample(
    *,
    holder="太原市城市综合管理服务指挥中心 举手之劳·为树木松绑拔刺",
    lines=("太原市城市综合管理服务指挥中心", "“举手之劳·为树木松绑拔刺”项目"),
    salutation="：",
    seals=True,
    number="TY-XLF-2022-XM-0001",
) -> CertificateData:
    return CertificateData(
        number=number,
        holder=holder,
        holder_lines=tuple(lines),
        salutation=salutation,
        body=BODY,
        award="最佳志愿服务项目",
        competition_title="2022年度太原市学雷锋志愿服务先进典型推选",
        year=2022,
        date=dt.date(2022, 12, 5),
        verify_url=f"{settings.SITE_URL}/verify/{'Q' * 43}/",
        issuers=tuple(IssuerData(name=n, seal=seal_png(n) if seals else None) for n in ISSUERS),
        category_code="XM",
    )


def render(data: CertificateData, *, fetch_log=None) -> bytes:
    renderer = Renderer(Design(), chars="".join(data.texts()), fetch_log=fetch_log)
    return renderer.render(data)


def glyph_ids_for(font: DictionaryObject, chars: str) -> dict[str, int]:
    """Glyph ids of ``chars`` in a Type0 font, read from its ToUnicode CMap."""
    cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    mapping = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for gid, uni in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[bytes.fromhex(uni).decode("utf-16-be")] = int(gid, 16)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for lo, hi, uni in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            start = ord(bytes.fromhex(uni).decode("utf-16-be"))
            for offset, gid in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                mapping[chr(start + offset)] = gid
    return {c: mapping[c] for c in chars if c in mapping}


def test_certificate_text_fonts_and_safety_read_back(tmp_path):
    pdf = render(sample())
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (842, 595)  # A4 landscape in points

    text = pdf_text(pdf, tmp_path)
    flat = squeeze(text)
    for expected in (
        "荣誉证书",
        "太原市城市综合管理服务指挥中心",
        "举手之劳·为树木松绑拔刺",
        "TY-XLF-2022-XM-0001",
        "二〇二二年十二月五日",
        "中共太原市委宣传部",
        "太原市精神文明建设委员会办公室",
        "特发此证，以资鼓励。",
    ):
        assert squeeze(expected) in flat, expected
    assert "TY-XLF-2022-XM-0001" in squeeze(reader.pages[0].extract_text())

    fonts_ = embedded_fonts(reader)
    assert len(fonts_) == 2  # regular and bold
    for font in fonts_:
        assert re.fullmatch(r"/[A-Z]{6}\+.+", str(font["/BaseFont"])), font["/BaseFont"]
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    listing = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    rows = [line.split() for line in listing.splitlines()[2:] if line.strip()]
    assert rows and all(r[-5:-3] == ["yes", "yes"] for r in rows), listing  # emb yes, sub yes

    names = walk_names(reader)
    assert not names & set(DANGEROUS), names & set(DANGEROUS)
    assert b"/JavaScript" not in pdf and b"/EmbeddedFiles" not in pdf
    assert len(pdf) < 350_000


def test_user_text_prints_literally_and_fetches_nothing(tmp_path):
    evil = '<img src="file:///etc/passwd">'
    fetched: list[str] = []
    data = sample(
        holder=f"{evil} 项目",
        lines=(evil, "“<script>alert(1)</script>”项目"),
        number="TY-XLF-2022-XM-0002",
    )
    pdf = render(data, fetch_log=fetched)
    text = squeeze(pdf_text(pdf, tmp_path))
    assert squeeze(evil) in text
    assert squeeze("<script>alert(1)</script>") in text
    assert not [u for u in fetched if "passwd" in u]
    # Only our packaged assets, our font subsets, data: URIs and the renderer's in-memory seals.
    allowed = (
        rendering.DEFAULT_DESIGN_DIR.as_uri(),
        fonts.cache_dir().as_uri(),
        "data:",
        f"{rendering.INLINE_SCHEME}:",
    )
    assert fetched and all(u.startswith(allowed) for u in fetched), fetched


def test_rare_characters_outside_gb2312_render_with_their_glyphs(tmp_path):
    name = "王𠮷堃"
    pdf = render(sample(holder=name, lines=(name,), salutation="同志：", number="TY-XLF-2022-ZYZ-0001"))
    assert name in pdf_text(pdf, tmp_path)
    reader = PdfReader(io.BytesIO(pdf))
    checked = 0
    for font in embedded_fonts(reader):
        gids = glyph_ids_for(font, "𠮷堃")
        if not gids:
            continue
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        data = descriptor["/FontFile3"].get_object().get_data()
        embedded = TTFont(io.BytesIO(data))
        glyph_set = embedded.getGlyphSet()
        order = embedded.getGlyphOrder()
        for char, gid in gids.items():
            assert gid != 0, f"{char} mapped to .notdef"
            pen = BoundsPen(glyph_set)
            glyph_set[order[gid]].draw(pen)
            assert pen.bounds is not None, f"{char} has an empty glyph"
            checked += 1
    assert checked == 2


def test_a_character_no_font_has_is_refused_not_boxed():
    data = sample(holder="\U000f0001", lines=("\U000f0001",))  # a private-use plane character
    with pytest.raises(fonts.GlyphMissing) as raised:
        render(data)
    assert "U+F0001" in str(raised.value)


def test_no_cjk_font_means_a_clear_error_and_no_pdf(settings):
    fonts.find_font.cache_clear()
    settings.CERTIFICATES_FONTS = {"regular": "/nonexistent/NotoSerifCJK-Regular.ttc", "bold": None}
    try:
        with pytest.raises(fonts.FontMissing) as raised:
            render(sample())
        assert "fonts-noto-cjk" in str(raised.value)
    finally:
        fonts.find_font.cache_clear()


def test_renderer_is_reused_and_output_is_stable():
    data = sample()
    chars = "".join(data.texts())
    first = rendering.renderer_for(Design(key="default"), chars)
    assert rendering.renderer_for(Design(key="default"), chars) is first
    a, b = first.render(data), first.render(data)
    assert abs(len(a) - len(b)) < 64  # only the creation date and id differ


def test_certificate_artefact_png(tmp_path):
    """The certificate as a person sees it: kept as artifacts/certificates/certificate.png."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    pdf = render(sample())
    (ARTEFACTS / "certificate.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "110", "-png", "-singlefile", str(ARTEFACTS / "certificate.pdf"), str(ARTEFACTS / "certificate")],
        check=True,
    )
    png = ARTEFACTS / "certificate.png"
    from PIL import Image

    with Image.open(png) as image:
        assert image.width > image.height  # landscape
        # The title is red: some strongly red pixels in the top third.
        top = image.convert("RGB").crop((0, 0, image.width, image.height // 3)).resize((200, 60)).tobytes()
        pixels = zip(top[0::3], top[1::3], top[2::3], strict=True)
        assert any(r > 150 and g < 60 and b < 60 for r, g, b in pixels)


def test_rendering_leaves_pillow_strict_about_truncated_images():
    """WeasyPrint turns on LOAD_TRUNCATED_IMAGES for the whole process; the uploads' checks need it off."""
    from PIL import ImageFile

    render(sample(number="TY-XLF-2022-XM-0009"))
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
