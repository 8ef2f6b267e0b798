"""From a certificate's data to its PDF, with WeasyPrint. No database here.

What makes it fast (measured, see ``bench/certificates.py``):

- one ``Renderer`` per worker process and design, reused for every
  certificate: it holds the parsed ``CSS``, the ``FontConfiguration`` (both
  cost tens of milliseconds to build), the compiled template and WeasyPrint's
  image cache, so the background JPEG and the seals are decoded once;
- the Chinese font pre-subset (``fonts.subset_font``: the batch's own
  characters plus ASCII and punctuation, or all of GB2312 as well with
  ``CERTIFICATES_FONT_BASE = "gb2312"``) and loaded through ``@font-face``;
- a JPEG background, which WeasyPrint copies into the PDF as it is (a PNG is
  decoded and re-encoded for every document);
- the QR code as a small 1-bit PNG (``qr_png``: one pixel a module, drawn
  unsmoothed, so crisp at any size) handed over as a ``data:`` URI: nothing
  fetched;
- the seals as short ``xlf-inline:`` URLs served from the renderer's memory
  (``Renderer.seal_url``), not as 40 KB ``data:`` URIs the HTML parser would
  scan in every certificate;
- the cycle collector off during the render (it walked the half-built box
  tree again and again);
- a lean user-agent stylesheet (``html_class``): WeasyPrint's own without
  what every element and page paid for and no certificate uses;
- a default design with as few boxes as the page needs (see its stylesheet);
- the PDF's streams compressed at zlib level 6, not pydyf's 9
  (``pdf_streams_at_level``).

What makes it safe:

- the HTML is made by Django's template engine with autoescaping: names and
  titles are text, never markup; the template engine has no loaders, so an
  edited template cannot include files;
- WeasyPrint fetches through ``SafeFetcher`` only: ``data:`` URIs, and files
  inside the design's packaged asset directory or on an explicit list (the
  font subsets we wrote). Nothing over the network, no ``file://`` elsewhere,
  no redirects. Every URL asked for can be recorded (``fetch_log``).

WeasyPrint is imported only when a renderer is built.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import functools
import gc
import hashlib
import io
import logging
import mimetypes
import re
import threading
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote_to_bytes, urlsplit
from urllib.request import url2pathname

from django.template import Context, Engine

from . import fonts
from .chinese_dates import chinese_date

logger = logging.getLogger(__name__)
# WeasyPrint logs seven INFO lines per document: a worker's log would be nothing else.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

ASSETS_DIR = Path(__file__).resolve().parent / "assets"
DEFAULT_DESIGN_DIR = ASSETS_DIR / "default"
DEFAULT_HTML = (DEFAULT_DESIGN_DIR / "certificate.html").read_text(encoding="utf-8")
DEFAULT_CSS = (DEFAULT_DESIGN_DIR / "certificate.css").read_text(encoding="utf-8")
DEFAULT_BACKGROUND = "background.jpg"
FONT_FAMILY = "XLF Serif"
MAX_DATA_URI = 8 * 1024 * 1024
MAX_CACHED_IMAGES = 300
MAX_INLINE = 64


def _weasyprint():
    """Import WeasyPrint, undoing its one global side effect.

    ``weasyprint.images`` sets Pillow's ``ImageFile.LOAD_TRUNCATED_IMAGES =
    True`` for the whole process, which would let a truncated upload through
    the attachment checks of ``nominations.files`` in any process that has
    rendered a certificate. Our own images are whole, so it goes back to False.
    """
    import weasyprint
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = False
    return weasyprint


PDF_ZLIB_LEVEL = 6
PYDYF_FOR = "0.13."  # the pydyf release whose streams hard-code zlib level 9


class _ZlibAtLevel:
    """``zlib`` as pydyf sees it: ``compressobj`` at a fixed level, everything else zlib's own."""

    def __init__(self, level: int):
        self.level = level

    def compressobj(self, level: int = -1, *args, **kwargs):
        return zlib.compressobj(self.level, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(zlib, name)


@contextlib.contextmanager
def pdf_streams_at_level(level: int):
    """While inside, WeasyPrint's PDF streams are compressed at zlib ``level``, not pydyf's 9.

    pydyf (WeasyPrint's PDF writer) compresses every stream at level 9 and has
    no option for it; most of a certificate's compressed bytes are its two
    font subsets, where level 9 buys about 100 bytes of a 129 KB PDF for about
    1.3 ms of CPU (5 % of a render, measured). Only with the pydyf release
    this was measured with, and only if nobody else replaced its ``zlib``;
    restored on the way out. (A PDF another thread writes meanwhile may get
    either level: valid either way.)
    """
    import pydyf

    if not pydyf.__version__.startswith(PYDYF_FOR) or pydyf.zlib is not zlib:
        yield
        return
    pydyf.zlib = _ZlibAtLevel(level)
    try:
        yield
    finally:
        pydyf.zlib = zlib


class RenderError(Exception):
    """A certificate could not be rendered (a message for the office, in Chinese)."""


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class IssuerData:
    name: str
    seal: bytes | None = None  # the uploaded image: PNG with transparency, or a scan on white

    @property
    def seal_uri(self) -> str | None:
        return seal_svg_uri(self.seal) if self.seal else None


@dataclass(frozen=True)
class CertificateData:
    """Everything a certificate prints. ``holder_lines`` and ``salutation`` lay the holder out."""

    number: str
    holder: str
    holder_lines: tuple[str, ...]
    salutation: str
    body: str
    award: str
    competition_title: str
    year: int
    date: dt.date
    verify_url: str
    issuers: tuple[IssuerData, ...] = ()
    category_code: str = ""

    def texts(self) -> list[str]:
        """Every piece of text the certificate prints (for the font's character set)."""
        return [
            self.number,
            self.holder,
            *self.holder_lines,
            self.salutation,
            self.body,
            self.award,
            self.competition_title,
            chinese_date(self.date),
            *(i.name for i in self.issuers),
        ]


@dataclass(frozen=True)
class Design:
    """A certificate design: the template, its stylesheet and an optional background image.

    ``background`` (JPEG bytes) replaces the packaged ``background.jpg``;
    ``key`` names the version (it keys the per-process renderer cache).
    """

    html: str = DEFAULT_HTML
    css: str = DEFAULT_CSS
    background: bytes | None = None
    background_type: str = "image/jpeg"
    key: str = ""

    @property
    def fingerprint(self) -> str:
        if self.key:
            return self.key
        digest = hashlib.sha256()
        for part in (self.html, self.css):
            digest.update(part.encode())
            digest.update(b"\0")
        digest.update(self.background or b"")
        return digest.hexdigest()[:24]

    def texts(self) -> list[str]:
        """The design's own text (a stylesheet may print some with ``content``)."""
        return [self.html, self.css]


# --------------------------------------------------------------------------- helpers


def data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def qr_matrix(text: str) -> list[list[bool]]:
    """The modules of the QR code of ``text``: error correction M, no quiet zone.

    The mask is fixed (pattern 0, valid by the standard): qrcode's search for
    the best of the eight masks costs 12 ms a certificate, a fifth of a render.
    """
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, box_size=1, mask_pattern=0)
    qr.add_data(text)
    qr.make(fit=True)
    return qr.get_matrix()


def qr_png(text: str) -> bytes:
    """The QR code as a 1-bit PNG of one pixel per module (drawn unsmoothed: crisp at any size)."""
    from PIL import Image

    matrix = qr_matrix(text)
    n = len(matrix)
    image = Image.new("1", (n, n), 1)
    image.putdata([0 if cell else 1 for row in matrix for cell in row])
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


SEAL_MAX_PIXELS = 320  # 38 mm at about 210 dpi
INK_THRESHOLD = 40  # paper tone of a scan, below which nothing is inked


def seal_svg_uri(image: bytes) -> str:
    """A seal image as a ``data:`` SVG (see :func:`seal_svg`)."""
    return data_uri(seal_svg(image), "image/svg+xml")


@functools.lru_cache(maxsize=32)
def seal_svg(image: bytes) -> bytes:
    """A seal image as an SVG: its ink colour painted through its shape as a mask.

    A seal is one ink on paper. Its shape (the alpha of a PNG, times how far
    each pixel is from white, so that a scan on white paper works as well as
    a transparent PNG) becomes a greyscale JPEG mask, and the ink colour (the
    mean colour of the inked pixels) is painted through it. WeasyPrint copies
    the JPEG into the PDF as it is; an RGBA PNG it would decode and re-encode
    twice for every certificate (about 9 ms a seal here).
    """
    from PIL import Image, ImageChops, ImageOps, ImageStat

    with Image.open(io.BytesIO(image)) as opened:
        opened.load()
        picture = ImageOps.exif_transpose(opened)
    rgba = picture.convert("RGBA")
    rgb = rgba.convert("RGB")
    red, green, blue = rgb.split()
    lightest = ImageChops.darker(ImageChops.darker(red, green), blue)
    span = 255 - INK_THRESHOLD
    ink = ImageOps.invert(lightest).point(
        lambda v: 0 if v < INK_THRESHOLD else min(255, round((v - INK_THRESHOLD) * 255 / span))
    )
    alpha = ImageChops.multiply(rgba.getchannel("A"), ink)
    if max(alpha.size) > SEAL_MAX_PIXELS:
        ratio = SEAL_MAX_PIXELS / max(alpha.size)
        size = (max(1, round(alpha.width * ratio)), max(1, round(alpha.height * ratio)))
        alpha = alpha.resize(size, Image.LANCZOS)
        rgb = rgb.resize(size, Image.LANCZOS)
    solid = alpha.point(lambda v: 255 if v >= 128 else 0)
    if solid.getbbox() is None:
        colour = "#c4121e"
    else:
        r, g, b = (round(v) for v in ImageStat.Stat(rgb, mask=solid).mean)
        colour = f"#{r:02x}{g:02x}{b:02x}"
    mask = io.BytesIO()
    alpha.save(mask, format="JPEG", quality=90)
    w, h = alpha.size
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}">'
        f'<defs><mask id="ink" maskUnits="userSpaceOnUse" x="0" y="0" width="{w}" height="{h}">'
        f'<image width="{w}" height="{h}" href="{data_uri(mask.getvalue(), "image/jpeg")}"/>'
        f'</mask></defs><rect width="{w}" height="{h}" fill="{colour}" mask="url(#ink)"/></svg>'
    )
    return svg.encode()


def template_engine() -> Engine:
    """Django's template language with autoescaping and no loaders (no includes, no files)."""
    return Engine(loaders=[], libraries={}, autoescape=True, debug=False, string_if_invalid="")


# --------------------------------------------------------------------------- the URL fetcher


INLINE_SCHEME = "xlf-inline"


def safe_fetcher(
    *,
    roots: list[Path],
    files: list[Path] = (),
    log: list[str] | None = None,
    inline: dict[str, tuple[bytes, str]] | None = None,
):
    """The url_fetcher given to WeasyPrint: ``data:`` URIs and files under ``roots`` or in ``files``.

    ``inline`` maps ``xlf-inline:<name>`` URLs to bytes held in memory (the
    renderer's seals): the same resource a ``data:`` URI would be, without
    putting tens of kilobytes of base64 into every certificate's HTML for
    the HTML parser to scan. A name not in it is refused. Anything else (http, https, ftp, file:// elsewhere, ``..`` or a symlink
    leading out) raises, and WeasyPrint leaves the resource out. ``log``
    receives every URL asked for.
    """
    _weasyprint()
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    allowed_roots = [Path(r).resolve() for r in roots]
    allowed_files = {Path(f).resolve() for f in files}

    class _Fetcher(URLFetcher):
        def __init__(self):
            super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
            self.log = log
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            if self.log is not None:
                self.log.append(url)
            try:
                return self._fetch(url)
            except Exception:
                self.refused.append(url)
                logger.warning("certificate rendering: refused to fetch %.200s", url)
                raise

        def _fetch(self, url):
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                header, sep, payload = url[5:].partition(",")
                if not sep or len(payload) > MAX_DATA_URI:
                    raise ValueError("malformed or oversized data: URI")
                mime = header.split(";")[0] or "text/plain"
                body = base64.b64decode(payload) if header.endswith(";base64") else unquote_to_bytes(payload)
                return URLFetcherResponse(url, body, {"Content-Type": mime})
            if scheme == INLINE_SCHEME:
                found = (inline or {}).get(url)
                if found is None:
                    raise ValueError("unknown inline resource")
                body, mime = found
                return URLFetcherResponse(url, body, {"Content-Type": mime})
            if scheme == "file":
                parts = urlsplit(url)
                if parts.netloc not in ("", "localhost"):
                    raise ValueError("remote file URL refused")
                path = Path(url2pathname(parts.path)).resolve()
                inside = path in allowed_files or any(path.is_relative_to(root) for root in allowed_roots)
                if not inside or not path.is_file():
                    raise ValueError("file outside the certificate assets refused")
                mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(
                    path.as_uri(), path.read_bytes(), {"Content-Type": mime}
                )
            raise ValueError(f"scheme {scheme!r} refused")

        def __call__(self, url):
            return self.fetch(url)

    return _Fetcher()


# --------------------------------------------------------------------------- the user-agent stylesheet


LEAN_UA_FOR = "70."  # the WeasyPrint release the lean sheet is made for (pyproject pins >=70,<71)
# WeasyPrint's html5_ua.css gives every element six pseudo-element styles (``::marker`` and the
# footnote and note calls and markers) and every page sixteen margin-box styles; a certificate has
# no footnotes, its page margin is 0 and its lists (if an edited design has any) keep their markers.
_UA_PAGE = re.compile(r"^@page \{\n  margin: 75px;\n.*?^\}\n", re.S | re.M)
_UA_DROPPED = ("::footnote-call ", "::footnote-marker ", "::note-call ", "::note-marker ", "::note-callback ")


def lean_ua_css(full: str) -> str | None:
    """WeasyPrint's HTML user-agent stylesheet (``full``) without what no certificate uses.

    The same rules for every element, except: ``::marker`` is scoped to
    ``li`` (as written it is matched against every element), the footnote and
    note pseudo-elements are gone, and ``@page`` keeps its margin without the
    margin boxes' alignment. None if ``full`` is not the sheet this was made
    for (then WeasyPrint's own is used).
    """
    lean, pages = _UA_PAGE.subn("@page { margin: 75px }\n", full)
    lines = lean.split("\n")
    markers = [i for i, line in enumerate(lines) if line.startswith("::marker ")]
    dropped = [line for line in lines if line.startswith(_UA_DROPPED)]
    if pages != 1 or len(markers) != 1 or len(dropped) != len(_UA_DROPPED):
        return None
    lines[markers[0]] = "li" + lines[markers[0]]
    return "\n".join(line for line in lines if not line.startswith(_UA_DROPPED))


@functools.cache
def html_class():
    """WeasyPrint's ``HTML`` with the lean user-agent stylesheet (about a tenth of a render).

    ``HTML._ua_stylesheets`` is WeasyPrint's hook for the user-agent sheets
    (underscored, not documented): used only with the release the lean sheet
    was made for and when the sheet is the expected one; otherwise WeasyPrint's
    own ``HTML``, with a warning.
    """
    weasyprint = _weasyprint()
    from weasyprint.css.counters import CounterStyle
    from weasyprint.html import UA  # the text of WeasyPrint's html5_ua.css

    lean = lean_ua_css(UA)
    if not weasyprint.__version__.startswith(LEAN_UA_FOR) or lean is None or not hasattr(
        weasyprint.HTML, "_ua_stylesheets"
    ):
        logger.warning("certificate rendering: WeasyPrint %s, its full user-agent stylesheet", weasyprint.__version__)
        return weasyprint.HTML
    # Its @counter-style rules are WeasyPrint's own (already in UA_COUNTER_STYLE): parsed aside.
    sheet = weasyprint.CSS(string=lean, counter_style=CounterStyle())

    class CertificateHTML(weasyprint.HTML):
        def _ua_stylesheets(self, forms=False):
            # WeasyPrint's list is [UA_STYLESHEET] (+ its form sheet with PDF forms on).
            return [sheet, *super()._ua_stylesheets(forms)[1:]]

    return CertificateHTML


# --------------------------------------------------------------------------- the renderer


class Renderer:
    """Renders certificates of one design with one font subset. Build once, reuse."""

    def __init__(self, design: Design | None = None, *, chars: str = "", fetch_log: list[str] | None = None):
        CSS = _weasyprint().CSS
        from weasyprint.text.fonts import FontConfiguration

        self.design = design or Design()
        self.chars = fonts.extra_chars(chars, *self.design.texts(), DEFAULT_CSS)
        self.regular_face = fonts.find_font("regular")
        self.bold_face = fonts.find_font("bold")
        self.regular = fonts.subset_font(self.regular_face, self.chars)
        self.bold = fonts.subset_font(self.bold_face, self.chars)
        self.base_url = DEFAULT_DESIGN_DIR.as_uri() + "/"
        self.fetch_log = fetch_log
        self.inline: dict[str, tuple[bytes, str]] = {}
        self.fetcher = safe_fetcher(
            roots=[DEFAULT_DESIGN_DIR], files=[self.regular, self.bold], log=fetch_log, inline=self.inline
        )
        self.font_config = FontConfiguration()
        self.css = CSS(
            string=self._stylesheet(),
            base_url=self.base_url,
            url_fetcher=self.fetcher,
            font_config=self.font_config,
        )
        self.template = template_engine().from_string(self.design.html)
        self.image_cache: dict = {}
        self.lock = threading.Lock()

    def _stylesheet(self) -> str:
        if self.design.background:
            background = data_uri(self.design.background, self.design.background_type)
        else:
            background = DEFAULT_BACKGROUND
        generated = f"""
@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{self.regular.as_uri()}"); font-weight: 400; }}
@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{self.bold.as_uri()}"); font-weight: 700; }}
@page {{ size: A4 landscape; margin: 0; background: url("{background}") no-repeat 0 0 / 297mm 210mm; }}
html {{ font-family: "{FONT_FAMILY}", serif; }}
"""
        return generated + self.design.css

    def context(self, data: CertificateData) -> dict:
        return {
            "title": "荣誉证书",
            "number": data.number,
            "holder": data.holder,
            "holder_lines": list(data.holder_lines),
            "salutation": data.salutation,
            "body": data.body,
            "award": data.award,
            "competition_title": data.competition_title,
            "year": data.year,
            "date": chinese_date(data.date),
            "verify_url": data.verify_url,
            "issuers": [{"name": i.name, "seal": self.seal_url(i.seal)} for i in data.issuers],
            "category_code": data.category_code,
            "qr": data_uri(qr_png(data.verify_url), "image/png"),
        }

    def seal_url(self, seal: bytes | None) -> str | None:
        """An ``xlf-inline:`` URL of the seal's SVG (held by this renderer), or None without a seal."""
        if not seal:
            return None
        svg = seal_svg(seal)
        url = f"{INLINE_SCHEME}:seal-{hashlib.sha256(svg).hexdigest()[:32]}.svg"
        if url not in self.inline:
            if len(self.inline) >= MAX_INLINE:
                self.inline.clear()  # the URL names its content: a cached image stays right
            self.inline[url] = (svg, "image/svg+xml")
        return url

    def html(self, data: CertificateData) -> str:
        return self.template.render(Context(self.context(data), autoescape=True))

    def check_glyphs(self, data: CertificateData) -> None:
        """Every character printed has a glyph: never a box or a fallback font's glyph."""
        text = "".join(data.texts())
        missing = fonts.missing_glyphs(self.regular, text)
        if not missing:
            return
        absent = fonts.missing_glyphs(self.regular_face, missing)
        if absent:
            raise fonts.GlyphMissing(absent)
        raise RenderError(f"renderer built without the characters {missing!r}: use renderer_for()")

    def render(self, data: CertificateData) -> bytes:
        """The certificate's PDF (one A4 landscape page)."""
        HTML = html_class()

        self.check_glyphs(data)
        with self.lock:  # Pango objects are not shared between threads (nor is self.inline)
            source = self.html(data)
            if len(self.image_cache) > MAX_CACHED_IMAGES:
                # Each certificate's QR code adds entries; the background and seals come back once.
                self.image_cache = {}
            # The cycle collector would walk the growing box tree again and again
            # during the render (about 5 % of its CPU); the document's garbage is
            # collected afterwards as usual.
            collecting = gc.isenabled()
            gc.disable()
            try:
                with pdf_streams_at_level(PDF_ZLIB_LEVEL):
                    pdf = HTML(string=source, base_url=self.base_url, url_fetcher=self.fetcher).write_pdf(
                        stylesheets=[self.css],
                        font_config=self.font_config,
                        cache=self.image_cache,
                        uncompressed_pdf=False,
                    )
            finally:
                if collecting:
                    gc.enable()
        return pdf


_renderers: OrderedDict[tuple[str, str], Renderer] = OrderedDict()
_renderers_lock = threading.Lock()
MAX_RENDERERS = 4


def renderer_for(design: Design, chars: str = "") -> Renderer:
    """The process's renderer for a design and character set (built on first use, LRU of 4)."""
    key = (design.fingerprint, fonts.extra_chars(chars))
    with _renderers_lock:
        renderer = _renderers.get(key)
        if renderer is not None:
            _renderers.move_to_end(key)
            return renderer
    renderer = Renderer(design, chars=chars)
    with _renderers_lock:
        _renderers[key] = renderer
        while len(_renderers) > MAX_RENDERERS:
            _renderers.popitem(last=False)
    return renderer


def render_pdf(data: CertificateData, design: Design | None = None, *, chars: str = "") -> bytes:
    """Render one certificate with the process's cached renderer."""
    design = design or Design()
    return renderer_for(design, chars + "".join(data.texts())).render(data)
