"""What an uploaded attachment really is: content sniffing and safety checks.

Nothing here trusts the file's name or the client's content type. A file is
recognised by its first bytes and then actually parsed: Pillow opens and
verifies images (after checking the pixel count from the header, before any
decoding), pypdf parses PDFs and every object in them is searched for active
content, and an MP4's top-level boxes must be well formed, starting with
``ftyp``, and its duration (read with mutagen) within
``settings.NOMINATIONS_VIDEO_MAX_SECONDS``. A refusal raises ``FileRejected`` with a Chinese message; the
service turns it into a 400 naming the field ``file``.

Pure functions on file objects; no database.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import unicodedata
import warnings
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from PIL import Image, ImageFile, ImageOps

from competition.images import flatten

from .enums import AttachmentKind

MB = 1024 * 1024

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
MP4 = "video/mp4"

# Size limits per content type (bytes).
MAX_PHOTO_BYTES = 10 * MB
MAX_PDF_BYTES = 20 * MB
MAX_VIDEO_BYTES = 20 * MB
SIZE_LIMITS = {PDF: MAX_PDF_BYTES, JPEG: MAX_PHOTO_BYTES, PNG: MAX_PHOTO_BYTES, MP4: MAX_VIDEO_BYTES}

# An image with more pixels than this is refused before it is decoded.
MAX_IMAGE_PIXELS = 40_000_000
# Pillow's own decompression-bomb guard, set explicitly to the same limit
# (Pillow warns above it and raises above twice it; both are refusals here).
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
ImageFile.LOAD_TRUNCATED_IMAGES = False

MAX_PHOTOS = 5
THUMBNAIL_MAX = 400
DISPLAY_NAME_MAX = 100

# Which content types each kind accepts.
KIND_TYPES: dict[str, tuple[str, ...]] = {
    AttachmentKind.STAMPED_FORM: (PDF,),
    AttachmentKind.PHOTO: (JPEG, PNG),
    AttachmentKind.VIDEO: (MP4,),
    AttachmentKind.OTHER: (PDF,),
}
TYPE_LABELS = {PDF: "PDF 文件", JPEG: "JPEG 图片", PNG: "PNG 图片", MP4: "MP4 视频"}
KIND_EXPECTS = {
    AttachmentKind.STAMPED_FORM: "PDF 文件",
    AttachmentKind.PHOTO: "JPEG 或 PNG 图片",
    AttachmentKind.VIDEO: "MP4 视频",
    AttachmentKind.OTHER: "PDF 文件",
}
EXTENSIONS = {PDF: ("pdf",), JPEG: ("jpg", "jpeg"), PNG: ("png",), MP4: ("mp4", "m4v")}

# ISO base media brands that make an MP4 (QuickTime's "qt  " is not one).
MP4_BRANDS = {
    b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"iso7", b"iso8", b"iso9",
    b"mp41", b"mp42", b"mp71", b"avc1", b"M4V ", b"M4VH", b"M4VP", b"f4v ", b"dash",
    b"MSNV", b"NDAS", b"mmp4", b"hvc1", b"av01", b"3gp4", b"3gp5", b"3gp6", b"3g2a",
}

# Names that mark active or embedded content in a PDF. Any of them, as a
# dictionary key or as a name value (/S /JavaScript, /Type /EmbeddedFile,
# /Subtype /FileAttachment ...), is a refusal.
PDF_FORBIDDEN_NAMES = frozenset(
    {
        "JS",
        "JavaScript",
        "Launch",
        "EmbeddedFiles",
        "EmbeddedFile",
        "FileAttachment",
        "RichMedia",
        "RichMediaContent",
        "RichMediaSettings",
        "XFA",
        "AA",
        "GoToE",
        "ImportData",
        "SubmitForm",
        # Links out of the document: a reader's address (and, on Windows, its
        # credentials for a remote file) goes to whoever wrote the link.
        "URI",
        "GoToR",
    }
)
# Action types that may not be the document's /OpenAction.
PDF_FORBIDDEN_ACTIONS = frozenset(
    {"JavaScript", "Launch", "GoToE", "ImportData", "SubmitForm", "RichMediaExecute", "Rendition"}
)
PDF_MAX_OBJECTS = 200_000


class FileRejected(Exception):
    """The upload is not acceptable; ``message`` is Chinese and names the field."""

    def __init__(self, message: str, *, field: str = "file", code: str = "file_rejected") -> None:
        self.message = message
        self.field = field
        self.code = code
        super().__init__(message)


@dataclass(frozen=True)
class Inspected:
    content_type: str
    size: int
    sha256: str
    width: int | None = None
    height: int | None = None


# --- names -------------------------------------------------------------------

_WINDOWS_RESERVED = re.compile(r'[<>:"|?*]')


def display_name(name: str | None, content_type: str | None = None) -> str:
    """The uploaded name as safe display text (never a path on disk).

    Any directory part is dropped (``../../etc/passwd.pdf`` → ``passwd.pdf``,
    ``..\\..\\x.pdf`` → ``x.pdf``), control and format characters (including
    bidi overrides) are removed, characters Windows cannot save are replaced,
    and the length is limited, keeping the extension. When the extension does
    not match the content, the right one is appended (``photo.exe`` holding
    a JPEG is shown as ``photo.exe.jpg``).
    """
    text = unicodedata.normalize("NFC", str(name or ""))
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    text = _WINDOWS_RESERVED.sub("_", text)
    text = text.strip().strip(".").strip()
    if content_type in EXTENSIONS:
        stem, dot, ext = text.rpartition(".")
        if not dot or ext.lower() not in EXTENSIONS[content_type]:
            stem, ext = text, EXTENSIONS[content_type][0]
        stem = stem.strip()
        limit = DISPLAY_NAME_MAX - len(ext) - 1
        text = f"{stem[:limit].rstrip() or '附件'}.{ext}"
    else:
        text = text[:DISPLAY_NAME_MAX]
    return text


# --- sniffing ----------------------------------------------------------------


def sniff(head: bytes) -> str | None:
    """The content type the first bytes declare, or None when unknown."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return MP4
    return None


def _size_of(fileobj: IO[bytes]) -> int:
    size = getattr(fileobj, "size", None)
    if isinstance(size, int):
        return size
    position = fileobj.tell()
    fileobj.seek(0, io.SEEK_END)
    end = fileobj.tell()
    fileobj.seek(position)
    return end


def _sha256(fileobj: IO[bytes]) -> str:
    digest = hashlib.sha256()
    fileobj.seek(0)
    for block in iter(lambda: fileobj.read(1024 * 1024), b""):
        digest.update(block)
    fileobj.seek(0)
    return digest.hexdigest()


def _mb(size: int) -> str:
    return f"{size / MB:.0f} MB" if size % MB == 0 else f"{size / MB:.1f} MB"


def client_limits() -> dict:
    """The limits above as the form page shows and pre-checks them (read per request):
    per kind the ``accept`` list of its file chooser and its size limit, the number
    of photos. The server's checks stay the ones that count."""
    kinds = {}
    for kind, types in KIND_TYPES.items():
        limit = max(SIZE_LIMITS[t] for t in types)
        accept = [*types, *(f".{ext}" for t in types for ext in EXTENSIONS[t])]
        kinds[str(kind)] = {"accept": ",".join(accept), "maxBytes": limit, "maxText": _mb(limit)}
    return {
        "kinds": kinds,
        "maxPhotos": MAX_PHOTOS,
        "videoDurationText": _duration(settings.NOMINATIONS_VIDEO_MAX_SECONDS),
    }


def inspect_upload(fileobj: IO[bytes], kind: str) -> Inspected:
    """Check an upload for ``kind`` by its content; raise FileRejected when it does not fit."""
    if kind not in KIND_TYPES:
        raise FileRejected("附件类型：无效的附件类型。", field="kind", code="invalid_kind")
    size = _size_of(fileobj)
    if size == 0:
        raise FileRejected("文件：文件是空的。", code="empty_file")
    fileobj.seek(0)
    head = fileobj.read(64)
    fileobj.seek(0)
    content_type = sniff(head)
    allowed = KIND_TYPES[kind]
    if content_type not in allowed:
        found = (
            f"文件内容是 {TYPE_LABELS[content_type]}"
            if content_type
            else "文件内容不是可识别的格式"
        )
        label = AttachmentKind(kind).label
        raise FileRejected(
            f"文件：{label}须为 {KIND_EXPECTS[kind]}，但{found}（类型按文件内容判断，与文件名无关）。",
            code="wrong_type",
        )
    limit = SIZE_LIMITS[content_type]
    if size > limit:
        raise FileRejected(
            f"文件：{TYPE_LABELS[content_type]}不能超过 {_mb(limit)}（上传的文件 {_mb(size)}）。",
            code="too_large",
        )
    width = height = None
    if content_type in (JPEG, PNG):
        width, height = check_image(fileobj, content_type)
    elif content_type == PDF:
        check_pdf(fileobj)
    elif content_type == MP4:
        check_mp4(fileobj, size)
        check_video_length(fileobj)
    fileobj.seek(0)
    return Inspected(
        content_type=content_type, size=size, sha256=_sha256(fileobj), width=width, height=height
    )


# --- images ------------------------------------------------------------------

_PIL_FORMATS = {JPEG: "JPEG", PNG: "PNG"}
_EXIF_ORIENTATION = 0x0112


class _ImageGuard:
    """Decompression-bomb warnings become errors; any Pillow failure becomes a refusal.

    (``warnings.catch_warnings`` is process-wide state; in a threaded server a
    concurrent request could see the filter missing for a moment. That only
    loses the second line of defence: ``_check_pixels`` refuses the same
    images explicitly, from the header, since the limits are equal.)
    """

    def __enter__(self):
        self._warnings = warnings.catch_warnings()
        self._warnings.__enter__()
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        return self

    def __exit__(self, exc_type, exc, tb):
        self._warnings.__exit__(exc_type, exc, tb)
        if exc_type is None or issubclass(exc_type, FileRejected):
            return False
        if issubclass(exc_type, Image.DecompressionBombError | Image.DecompressionBombWarning):
            raise FileRejected(
                f"文件：图片像素过多，上限为 {MAX_IMAGE_PIXELS // 10_000} 万像素。",
                code="image_too_large",
            ) from exc
        if issubclass(exc_type, Exception):
            raise FileRejected("文件：图片已损坏或无法识别。", code="bad_image") from exc
        return False


def _check_pixels(image: Image.Image) -> tuple[int, int]:
    width, height = image.size
    if width <= 0 or height <= 0:
        raise FileRejected("文件：图片尺寸无效。", code="bad_image")
    if width * height > MAX_IMAGE_PIXELS:
        raise FileRejected(
            f"文件：图片像素过多（{width}×{height}），上限为 {MAX_IMAGE_PIXELS // 10_000} 万像素。",
            code="image_too_large",
        )
    return width, height


def check_image(fileobj: IO[bytes], content_type: str) -> tuple[int, int]:
    """Width and height as displayed (EXIF orientation applied) of a sound JPEG or PNG."""
    # Set at every check: importing WeasyPrint turns it on for the whole process.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    with _ImageGuard():
        fileobj.seek(0)
        with Image.open(fileobj, formats=[_PIL_FORMATS[content_type]]) as image:
            width, height = _check_pixels(image)  # from the header, before decoding
            image.verify()
        # verify() leaves the image unusable; decode it for real once, so a
        # truncated or corrupt file is refused now rather than when viewed.
        fileobj.seek(0)
        with Image.open(fileobj, formats=[_PIL_FORMATS[content_type]]) as image:
            _check_pixels(image)
            image.load()
            orientation = image.getexif().get(_EXIF_ORIENTATION, 1)
    fileobj.seek(0)
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    return width, height


def make_thumbnail(fileobj: IO[bytes]) -> bytes:
    """A JPEG no larger than THUMBNAIL_MAX on its longer side, EXIF orientation applied."""
    with _ImageGuard():
        fileobj.seek(0)
        with Image.open(fileobj, formats=["JPEG", "PNG"]) as image:
            _check_pixels(image)
            if image.format == "JPEG":
                # Let the JPEG decoder scale down by 1/2, 1/4 or 1/8 while decoding.
                image.draft("RGB", (THUMBNAIL_MAX, THUMBNAIL_MAX))
            oriented = ImageOps.exif_transpose(image)
            oriented.thumbnail((THUMBNAIL_MAX, THUMBNAIL_MAX), Image.Resampling.LANCZOS)
            oriented = flatten(oriented)
            out = io.BytesIO()
            oriented.save(out, "JPEG", quality=85, optimize=True)
    fileobj.seek(0)
    return out.getvalue()


# --- PDF ---------------------------------------------------------------------

# A PDF name token: a solidus and the regular characters after it.
_PDF_NAME = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]+)")
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


def _normalise_name(raw: bytes) -> str:
    decoded = _HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw)
    return decoded.decode("latin-1")


_STREAM_BODY = re.compile(rb"(?<![A-Za-z])stream(?:\r\n|\n|\r)(.*?)endstream", re.DOTALL)
# Names short enough to occur by chance in compressed binary data (about one
# 20 MB scan in ten would find "/JS" or "/AA" followed by a delimiter); they
# are searched for outside stream bodies only, the longer ones everywhere.
_SHORT_NAMES = frozenset(n for n in PDF_FORBIDDEN_NAMES if len(n) <= 3)
# An /OpenAction that is an action dictionary (not a plain destination such as
# [3 0 R /Fit]); the names are #xx-decoded first.
_OPEN_ACTION_DICT = re.compile(rb"/OpenAction\s*<<")


def _names_in(data: bytes, candidates: frozenset[str]) -> set[str]:
    found = set()
    for match in _PDF_NAME.finditer(data):
        name = _normalise_name(match.group(1))
        if name in candidates:
            found.add(name)
    return found


def pdf_raw_forbidden(data: bytes) -> set[str]:
    """Forbidden names found in the raw bytes, #xx escapes decoded (/J#61vaScript).

    A belt-and-braces scan next to the object walk: it also sees objects no
    cross-reference table points to, which a lenient reader might still
    recover. (Names inside compressed object streams are found by the walk.)
    """
    found = _names_in(data, PDF_FORBIDDEN_NAMES - _SHORT_NAMES)
    outside_streams = _STREAM_BODY.sub(b"stream endstream", data)
    decoded = _PDF_NAME.sub(lambda m: b"/" + _normalise_name(m.group(1)).encode("latin-1"), outside_streams)
    if _OPEN_ACTION_DICT.search(decoded):
        found.add("OpenAction")
    return found | _names_in(outside_streams, _SHORT_NAMES)


def _name(value) -> str:
    text = str(value)
    return text[1:] if text.startswith("/") else text


def pdf_forbidden_objects(reader) -> set[str]:
    """Walk every object of a parsed PDF (from the trailer and from the
    cross-reference tables) and collect the forbidden names it uses."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    found: set[str] = set()
    seen: set[tuple[int, int]] = set()
    stack: list = [reader.trailer]
    for generation, entries in reader.xref.items():
        stack.extend(IndirectObject(idnum, generation, reader) for idnum in entries)
    stack.extend(IndirectObject(idnum, 0, reader) for idnum in reader.xref_objStm)
    visited = 0
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            try:
                item = item.get_object()
            except Exception as exc:  # an unreadable object: the file is not trusted
                raise FileRejected("文件：PDF 文件已损坏，无法解析。", code="bad_pdf") from exc
        visited += 1
        if visited > PDF_MAX_OBJECTS:
            raise FileRejected("文件：PDF 文件结构过于复杂，无法检查。", code="bad_pdf")
        if isinstance(item, DictionaryObject):  # includes stream dictionaries
            for key in item:
                if _name(key) in PDF_FORBIDDEN_NAMES:
                    found.add(_name(key))
                stack.append(item.raw_get(key))
            open_action = item.raw_get("/OpenAction") if "/OpenAction" in item else None
            if open_action is not None:
                action = open_action.get_object() if isinstance(open_action, IndirectObject) else open_action
                if isinstance(action, DictionaryObject):
                    # Any action run on opening (a plain destination array only sets the view).
                    kind = _name(action.get("/S", ""))
                    found.add(f"OpenAction/{kind}" if kind in PDF_FORBIDDEN_ACTIONS else "OpenAction")
        elif isinstance(item, ArrayObject):
            stack.extend(item)
        elif isinstance(item, NameObject) and _name(item) in PDF_FORBIDDEN_NAMES:
            found.add(_name(item))
    return found


def check_pdf(fileobj: IO[bytes]) -> None:
    """A PDF that parses, is not encrypted, has pages and carries no active or embedded content."""
    from pypdf import PdfReader

    fileobj.seek(0)
    data = fileobj.read()
    fileobj.seek(0)
    raw = pdf_raw_forbidden(data)
    if raw:
        raise FileRejected(_pdf_active_message(raw), code="pdf_active_content")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise FileRejected("文件：PDF 文件已加密或设有密码，请上传未加密的文件。", code="pdf_encrypted")
        pages = len(reader.pages)
        found = pdf_forbidden_objects(reader)
    except FileRejected:
        raise
    except Exception as exc:
        raise FileRejected("文件：PDF 文件已损坏，无法解析。", code="bad_pdf") from exc
    if pages < 1:
        raise FileRejected("文件：PDF 文件没有页面。", code="bad_pdf")
    if found:
        raise FileRejected(_pdf_active_message(found), code="pdf_active_content")


def _pdf_active_message(names: set[str]) -> str:
    what = []
    joined = " ".join(sorted(names))
    if "JS" in names or "JavaScript" in joined:
        what.append("脚本（JavaScript）")
    if "Launch" in joined:
        what.append("启动外部程序的动作")
    if names & {"EmbeddedFiles", "EmbeddedFile", "FileAttachment", "GoToE"}:
        what.append("内嵌文件")
    if names & {"URI", "GoToR"}:
        what.append("指向网址或外部文件的链接")
    if "OpenAction" in names:
        what.append("打开时自动执行的动作")
    if not what:
        what.append("自动执行的动作或交互内容")
    return (
        f"文件：该 PDF 含有{'、'.join(what)}，出于安全原因不予接收；"
        "请用“打印为 PDF”或扫描重新生成后上传。"
    )


# --- MP4 ---------------------------------------------------------------------


def check_mp4(fileobj: IO[bytes], size: int) -> None:
    """An ISO base media file: ``ftyp`` first with an MP4 brand, well-formed top-level boxes, a ``moov``."""
    bad = FileRejected("文件：MP4 视频已损坏或不是有效的 MP4 文件。", code="bad_video")
    fileobj.seek(0)
    offset = 0
    boxes: list[bytes] = []
    while offset < size:
        fileobj.seek(offset)
        header = fileobj.read(16)
        if len(header) < 8:
            raise bad
        box_size = int.from_bytes(header[0:4], "big")
        box_type = header[4:8]
        if not all(0x20 <= b < 0x7F for b in box_type):
            raise bad
        if box_size == 1:
            if len(header) < 16:
                raise bad
            box_size = int.from_bytes(header[8:16], "big")
            header_size = 16
        elif box_size == 0:
            box_size = size - offset  # to the end of the file
            header_size = 8
        else:
            header_size = 8
        if box_size < header_size or offset + box_size > size:
            raise bad
        if not boxes:
            if box_type != b"ftyp" or box_size < 16 or box_size > 4096:
                raise bad
            fileobj.seek(offset + 8)
            body = fileobj.read(box_size - 8)
            brands = {body[0:4]} | {body[i : i + 4] for i in range(8, len(body) - 3, 4)}
            if not brands & MP4_BRANDS:
                raise FileRejected(
                    "文件：视频须为 MP4 格式（按文件内容识别为其他格式，例如 MOV）。",
                    code="wrong_type",
                )
        boxes.append(box_type)
        if len(boxes) > 10_000:
            raise bad
        offset += box_size
    if b"moov" not in boxes:
        raise bad
    fileobj.seek(0)


def video_seconds(fileobj: IO[bytes]) -> float:
    """An MP4's duration in seconds as mutagen reads it: its sound track's, else the movie header's."""
    from mutagen.mp4 import MP4

    fileobj.seek(0)
    try:
        return float(MP4(fileobj).info.length)
    except Exception as exc:  # noqa: BLE001 - mutagen, struct and zero-timescale errors alike
        raise FileRejected("文件：无法读取 MP4 视频的时长，文件可能已损坏。", code="bad_video") from exc
    finally:
        fileobj.seek(0)


def _duration(seconds: int) -> str:
    """180 -> "3 分钟", 200 -> "3 分 20 秒", 45 -> "45 秒"."""
    minutes, rest = divmod(seconds, 60)
    if not minutes:
        return f"{rest} 秒"
    return f"{minutes} 分钟" if not rest else f"{minutes} 分 {rest} 秒"


def check_video_length(fileobj: IO[bytes]) -> None:
    """Refuse a video longer than ``settings.NOMINATIONS_VIDEO_MAX_SECONDS`` (what the form promises)."""
    limit = settings.NOMINATIONS_VIDEO_MAX_SECONDS
    seconds = video_seconds(fileobj)
    if seconds > limit:
        raise FileRejected(
            f"文件：视频时长不能超过 {_duration(limit)}（上传的视频 {_duration(math.ceil(seconds))}）。",
            code="video_too_long",
        )


# --- copies without metadata (served to judges of a blind round) ------------


def image_without_metadata(fileobj: IO[bytes], content_type: str) -> bytes:
    """The picture re-encoded from its pixels alone: no EXIF (GPS, camera owner), XMP,
    comments, text chunks or ICC profile; the EXIF orientation is applied first."""
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    with _ImageGuard():
        fileobj.seek(0)
        with Image.open(fileobj, formats=[_PIL_FORMATS[content_type]]) as image:
            _check_pixels(image)
            oriented = ImageOps.exif_transpose(image)
            transparent = oriented.mode in ("RGBA", "LA", "PA") or "transparency" in oriented.info
            if content_type == PNG and transparent:
                mode = "RGBA"
            elif oriented.mode in ("L", "1"):
                mode = "L"
            else:
                mode = "RGB"
            pixels = oriented.convert(mode) if oriented.mode != mode else oriented
            # A new image from the raw pixels: nothing of the original's ``info`` survives.
            clean = Image.frombytes(mode, pixels.size, pixels.tobytes())
            out = io.BytesIO()
            if content_type == JPEG:
                clean.save(out, "JPEG", quality=90, optimize=True)
            else:
                clean.save(out, "PNG")
    fileobj.seek(0)
    return out.getvalue()


_PDF_METADATA_KEYS = ("/Metadata", "/PieceInfo")


def pdf_without_metadata(fileobj: IO[bytes]) -> bytes:
    """The PDF's pages in a new document: no document information (author, creator,
    producer, title …), no XMP, and no page or image level metadata streams."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DictionaryObject

    fileobj.seek(0)
    reader = PdfReader(io.BytesIO(fileobj.read()), strict=False)
    fileobj.seek(0)
    writer = PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    writer.metadata = None  # no /Info at all (not even pypdf's /Producer)
    writer.xmp_metadata = None
    for obj in writer._objects:  # every object the pages brought with them
        if isinstance(obj, DictionaryObject):  # includes streams (images, forms)
            for key in _PDF_METADATA_KEYS:
                if key in obj:
                    del obj[key]
    # Drop the metadata streams nothing refers to any more.
    writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# Boxes of an MP4 that hold tags (title, author, location, encoder …) and the
# containers they sit in.
_MP4_TAG_BOXES = frozenset({b"udta", b"meta", b"Xtra", b"XMP_", b"uuid"})
_MP4_CONTAINERS = frozenset({b"moov", b"trak", b"mdia", b"minf", b"edts", b"dinf", b"stbl"})


def mp4_without_metadata(data: bytes) -> bytes:
    """The video with every tag box blanked into a ``free`` box of the same size
    (so no sample offset moves): no title, author, location or XMP."""
    out = bytearray(data)

    def walk(start: int, end: int) -> None:
        offset = start
        while offset + 8 <= end:
            size = int.from_bytes(out[offset : offset + 4], "big")
            kind = bytes(out[offset + 4 : offset + 8])
            header = 8
            if size == 1 and offset + 16 <= end:
                size, header = int.from_bytes(out[offset + 8 : offset + 16], "big"), 16
            elif size == 0:
                size = end - offset
            if size < header or offset + size > end:
                return  # not well formed from here on: leave the rest as it is
            if kind in _MP4_TAG_BOXES:
                out[offset + 4 : offset + 8] = b"free"
                out[offset + header : offset + size] = bytes(size - header)
            elif kind in _MP4_CONTAINERS:
                walk(offset + header, offset + size)
            offset += size

    walk(0, len(out))
    return bytes(out)
