"""The certificate's Chinese font: Noto Serif CJK SC, found, checked and pre-subset.

Finding it: ``settings.CERTIFICATES_FONTS`` (``{"regular": (path, index),
"bold": ...}``) when set, else fontconfig (``fc-match``, accepted only when
the match really is Noto Serif CJK SC), else Debian's known paths of
``fonts-noto-cjk``. Without it rendering stops with ``FontMissing``, a
Chinese and English message naming the package: never a PDF of empty boxes.

Pre-subsetting: the system font is a 25 MB collection of 65,000 glyphs;
handing it to WeasyPrint costs time and memory in every document. Each
batch renders with a subset holding ASCII, common punctuation and every
character the batch prints (names, wording, template, dates), so a rare
character outside GB2312 (𠮷, 堃) keeps its real glyph; ``CERTIFICATES_FONT_BASE
= "gb2312"`` adds all of GB2312 (see ``base_charset`` for why that is not the
default). Subsets are cached on disk (``CERTIFICATES_CACHE_DIR``) under a hash
of their inputs and written atomically, so the worker processes of a machine
share them.

The subsetter is HarfBuzz's (``libharfbuzz-subset0``, the library WeasyPrint
itself needs to be fast), called through cffi: under 0.1 s for a batch's
characters and 0.4 to 0.8 s for GB2312 here, where fontTools takes 19 to
60 s for GB2312. fontTools
is the fallback when the library is missing, and reads the cmaps.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

FAMILY = "Noto Serif CJK SC"
PACKAGE = "fonts-noto-cjk"
DEBIAN_PATHS = {
    "regular": [
        "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
        "/usr/share/fonts/opentype/noto/NotoSerifCJKsc-Regular.otf",
    ],
    "bold": [
        "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
        "/usr/share/fonts/opentype/noto/NotoSerifCJKsc-Bold.otf",
    ],
}
STYLES = {"regular": "Regular", "bold": "Bold"}
# A few characters every certificate may print that GB2312 lacks or maps oddly.
EXTRA_ALWAYS = "〇·•—–“”‘’《》「」『』（）：；，。、！？ "
DIGITS_CN = "〇一二三四五六七八九十年月日"


class FontMissing(RuntimeError):
    """No Noto Serif CJK SC on this machine: install ``fonts-noto-cjk``."""

    def __init__(self, weight: str = "regular") -> None:
        self.weight = weight
        super().__init__(
            f"未找到证书所需的中文字体 {FAMILY}（{STYLES.get(weight, weight)}），无法生成荣誉证书。"
            f"请安装 Debian/Ubuntu 软件包 {PACKAGE}：sudo apt-get install {PACKAGE}。"
            f" / The Chinese font {FAMILY} {STYLES.get(weight, weight)} was not found, so no "
            f"certificate can be rendered: install the Debian package {PACKAGE} "
            f"(apt-get install {PACKAGE})."
        )


class GlyphMissing(ValueError):
    """A character of the certificate has no glyph in the font."""

    def __init__(self, chars: str) -> None:
        self.chars = chars
        shown = "、".join(f"“{c}”(U+{ord(c):04X})" for c in chars)
        super().__init__(f"证书字体中没有以下字符的字形：{shown}。请核对名称或更换字符。")


@dataclass(frozen=True)
class FontFace:
    """One face of a font file (a ``.ttc`` collection holds several)."""

    path: str
    index: int = 0

    @property
    def fingerprint(self) -> str:
        stat = os.stat(self.path)
        return f"{self.path}:{self.index}:{stat.st_size}:{int(stat.st_mtime)}"


# --------------------------------------------------------------------------- finding the font


def _fc_match(weight: str) -> FontFace | None:
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    try:
        out = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [fc_match, "-f", "%{file}\t%{index}\t%{family}", f"{FAMILY}:style={STYLES[weight]}"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    parts = out.split("\t")
    if len(parts) < 3 or not parts[0]:
        return None
    path, index, families = parts[0], parts[1], parts[2]
    # fc-match always answers with *some* font: accept only the real one.
    if FAMILY not in [f.strip() for f in families.split(",")]:
        return None
    if weight == "bold" and "Bold" not in Path(path).name:
        return None
    if not Path(path).is_file():
        return None
    return FontFace(path=path, index=int(index or 0))


def _face_index_by_name(path: str) -> int | None:
    """The index of the Simplified Chinese face in a collection (or 0 in a single font)."""
    from fontTools.ttLib import TTCollection, TTFont

    if not path.endswith((".ttc", ".otc")):
        font = TTFont(path, lazy=True)
        return 0 if FAMILY in (font["name"].getDebugName(1) or "") else None
    collection = TTCollection(path, lazy=True)
    for i, font in enumerate(collection.fonts):
        if (font["name"].getDebugName(1) or "") == FAMILY:
            return i
    return None


def _known_path(weight: str) -> FontFace | None:
    for path in DEBIAN_PATHS[weight]:
        if Path(path).is_file():
            index = _face_index_by_name(path)
            if index is not None:
                return FontFace(path=path, index=index)
    return None


@functools.cache
def find_font(weight: str = "regular") -> FontFace:
    """Noto Serif CJK SC of the given weight (``regular`` or ``bold``), or ``FontMissing``."""
    configured = getattr(settings, "CERTIFICATES_FONTS", None)
    if configured:
        entry = configured.get(weight)
        if not entry:
            raise FontMissing(weight)
        path, index = (entry, 0) if isinstance(entry, str) else entry
        if not Path(path).is_file():
            raise FontMissing(weight)
        return FontFace(path=str(path), index=int(index))
    face = _fc_match(weight) or _known_path(weight)
    if face is None:
        raise FontMissing(weight)
    return face


# --------------------------------------------------------------------------- character sets


@functools.cache
def gb2312_chars() -> frozenset[str]:
    """The 7,445 characters and symbols of GB 2312, printable ASCII and a few punctuation marks."""
    chars = {chr(c) for c in range(0x20, 0x7F)}
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    chars.update(EXTRA_ALWAYS)
    return frozenset(chars)


INVISIBLE = {"Cc", "Cf", "Zs", "Zl", "Zp"}


def printable(text: str) -> set[str]:
    """The characters of ``text`` that need a glyph: all but spaces, controls and format marks.

    Private-use and unassigned characters count: no font of ours draws them,
    and they must be refused rather than printed as boxes.
    """
    return {c for c in text if not c.isspace() and unicodedata.category(c) not in INVISIBLE}


def extra_chars(*texts: str) -> str:
    """The characters of ``texts`` outside the base set, sorted: what a batch adds to it."""
    base = base_charset()
    found: set[str] = set()
    for text in texts:
        found |= printable(text or "")
    return "".join(sorted(found - base))


# --------------------------------------------------------------------------- subsetting


def cache_dir() -> Path:
    configured = getattr(settings, "CERTIFICATES_CACHE_DIR", None)
    path = Path(configured) if configured else Path(settings.BASE_DIR) / "var" / "cache" / "certificates"
    path.mkdir(parents=True, exist_ok=True)
    return path


@functools.cache
def _harfbuzz():
    """cffi bindings of the few HarfBuzz subset functions we call, or None without the library."""
    try:
        from cffi import FFI
    except ImportError:  # pragma: no cover - cffi comes with WeasyPrint
        return None
    ffi = FFI()
    ffi.cdef(
        """
        typedef struct hb_blob_t hb_blob_t;
        typedef struct hb_face_t hb_face_t;
        typedef struct hb_set_t hb_set_t;
        typedef struct hb_subset_input_t hb_subset_input_t;
        typedef uint32_t hb_codepoint_t;
        hb_blob_t * hb_blob_create_from_file_or_fail (const char *file_name);
        void hb_blob_destroy (hb_blob_t *blob);
        const char * hb_blob_get_data (hb_blob_t *blob, unsigned int *length);
        hb_face_t * hb_face_create (hb_blob_t *blob, unsigned int index);
        void hb_face_destroy (hb_face_t *face);
        hb_blob_t * hb_face_reference_blob (hb_face_t *face);
        hb_subset_input_t * hb_subset_input_create_or_fail (void);
        void hb_subset_input_destroy (hb_subset_input_t *input);
        hb_set_t * hb_subset_input_unicode_set (hb_subset_input_t *input);
        void hb_set_add (hb_set_t *set, hb_codepoint_t codepoint);
        void hb_subset_input_set_flags (hb_subset_input_t *input, unsigned value);
        hb_face_t * hb_subset_or_fail (hb_face_t *source, const hb_subset_input_t *input);
        """
    )
    try:
        hb = ffi.dlopen("libharfbuzz.so.0")
        hb_subset = ffi.dlopen("libharfbuzz-subset.so.0")
    except OSError:
        return None
    return ffi, hb, hb_subset


HB_SUBSET_FLAGS_NO_HINTING = 0x1
# Desubroutinized CFF charstrings: WeasyPrint subsets the embedded face again for every
# document with this flag, which is cheaper when our subset is flat already (the same glyphs).
HB_SUBSET_FLAGS_DESUBROUTINIZE = 0x4
SUBSET_VERSION = "2"  # in the cache key: bump when the subset's flags change


def _subset_harfbuzz(face: FontFace, codepoints: list[int]) -> bytes | None:
    bindings = _harfbuzz()
    if bindings is None:
        return None
    ffi, hb, hbs = bindings
    blob = hb.hb_blob_create_from_file_or_fail(face.path.encode())
    if blob == ffi.NULL:
        return None
    source = subset = out_blob = subset_input = ffi.NULL
    try:
        source = hb.hb_face_create(blob, face.index)
        subset_input = hbs.hb_subset_input_create_or_fail()
        if subset_input == ffi.NULL:
            return None
        unicodes = hbs.hb_subset_input_unicode_set(subset_input)
        for cp in codepoints:
            hb.hb_set_add(unicodes, cp)
        hbs.hb_subset_input_set_flags(subset_input, HB_SUBSET_FLAGS_NO_HINTING | HB_SUBSET_FLAGS_DESUBROUTINIZE)
        subset = hbs.hb_subset_or_fail(source, subset_input)
        if subset == ffi.NULL:
            return None
        out_blob = hb.hb_face_reference_blob(subset)
        length = ffi.new("unsigned int *")
        data = hb.hb_blob_get_data(out_blob, length)
        return bytes(ffi.buffer(data, length[0])) if length[0] else None
    finally:
        if out_blob != ffi.NULL:
            hb.hb_blob_destroy(out_blob)
        if subset != ffi.NULL:
            hb.hb_face_destroy(subset)
        if subset_input != ffi.NULL:
            hbs.hb_subset_input_destroy(subset_input)
        if source != ffi.NULL:
            hb.hb_face_destroy(source)
        hb.hb_blob_destroy(blob)


def _subset_fonttools(face: FontFace, codepoints: list[int]) -> bytes:
    import io

    from fontTools import subset
    from fontTools.ttLib import TTFont

    logger.warning("libharfbuzz-subset0 not found: subsetting %s with fontTools (slow)", face.path)
    font = TTFont(face.path, fontNumber=face.index)
    options = subset.Options()
    options.hinting = False
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.desubroutinize = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def base_charset() -> frozenset[str]:
    """What every subset holds besides the batch's own characters (``CERTIFICATES_FONT_BASE``).

    ``"batch"`` (the default): printable ASCII and common punctuation only.
    ``"gb2312"``: all of GB2312 as well. Measured here: the GB2312 subset costs
    about 17 ms more per certificate (WeasyPrint re-subsets the embedded font
    for every document and keeps glyph ids, so a font of 7,500 glyphs is slower
    to cut and about 50 KB larger in every PDF) and gains nothing: the batch's
    set already holds every character the batch prints (names, wording,
    template, date).
    """
    if getattr(settings, "CERTIFICATES_FONT_BASE", "batch") == "gb2312":
        return gb2312_chars()
    return frozenset({chr(c) for c in range(0x20, 0x7F)} | set(EXTRA_ALWAYS) | set(DIGITS_CN))


def subset_font(face: FontFace, chars: str = "") -> Path:
    """A cached file holding ``face`` cut down to the base set and ``chars``."""
    wanted = sorted({ord(c) for c in base_charset() | set(chars)})
    key = hashlib.sha256(
        f"{SUBSET_VERSION}|{face.fingerprint}|{','.join(map(str, wanted))}".encode()
    ).hexdigest()[:24]
    target = cache_dir() / f"font-{key}.otf"
    if target.is_file() and target.stat().st_size > 0:
        return target
    data = _subset_harfbuzz(face, wanted) or _subset_fonttools(face, wanted)
    fd, tmp = tempfile.mkstemp(prefix=".font-", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)  # atomic: a concurrent worker sees the old or the whole file
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


@functools.lru_cache(maxsize=16)
def cmap(path: str, index: int = 0) -> frozenset[int]:
    """The code points a font file (or a face of a collection) has glyphs for."""
    from fontTools.ttLib import TTFont

    font = TTFont(path, lazy=True, fontNumber=index)
    return frozenset(font.getBestCmap())


def missing_glyphs(font: str | Path | FontFace, text: str) -> str:
    """The characters of ``text`` the font has no glyph for ("" when it covers them all)."""
    covered = cmap(font.path, font.index) if isinstance(font, FontFace) else cmap(str(font))
    return "".join(sorted(c for c in printable(text) if ord(c) not in covered))
