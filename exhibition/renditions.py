"""The public renditions of an exhibit's photos: pure image work, no database.

Two JPEGs per photo, made once at publication: a list thumbnail (longer
side ``LIST_MAX``) and a detail size (longer side ``DETAIL_MAX``). Never
enlarged; EXIF orientation applied; transparency flattened on white; no
metadata kept (a phone photo's EXIF can carry the place it was taken).
The source is opened with the nominations app's guards (pixel limit checked
from the header before decoding, any Pillow failure a ``FileRejected``).

Names are content hashes, ``public/exhibition/ab/ab12….jpg``: the same
bytes always get the same name, so a name never changes meaning and may be
cached for a year.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import IO

from PIL import Image, ImageOps

from competition.images import flatten
from nominations.files import FileRejected, _check_pixels, _ImageGuard

LIST_MAX = 480
DETAIL_MAX = 1280
QUALITY = 82
PREFIX = "public/exhibition/"

__all__ = ["DETAIL_MAX", "LIST_MAX", "FileRejected", "Rendition", "render_pair", "storage_name"]


@dataclass(frozen=True)
class Rendition:
    content: bytes
    width: int
    height: int

    @property
    def name(self) -> str:
        return storage_name(self.content)


def storage_name(content: bytes) -> str:
    digest = hashlib.sha256(content).hexdigest()[:40]
    return f"{PREFIX}{digest[:2]}/{digest}.jpg"


def _jpeg(image: Image.Image) -> Rendition:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=QUALITY, optimize=True, progressive=True)
    return Rendition(out.getvalue(), image.width, image.height)


def _fit(image: Image.Image, longest: int) -> Image.Image:
    if max(image.size) <= longest:
        return image
    copy = image.copy()
    copy.thumbnail((longest, longest), Image.Resampling.LANCZOS)
    return copy


def render_pair(fileobj: IO[bytes]) -> tuple[Rendition, Rendition]:
    """The (list, detail) renditions of a JPEG or PNG; ``FileRejected`` when it is not sound."""
    with _ImageGuard():
        fileobj.seek(0)
        with Image.open(fileobj, formats=["JPEG", "PNG"]) as source:
            _check_pixels(source)
            if source.format == "JPEG":
                # Let the decoder scale down by 1/2, 1/4 or 1/8 while decoding.
                source.draft("RGB", (DETAIL_MAX, DETAIL_MAX))
            oriented = flatten(ImageOps.exif_transpose(source))
            detail = _fit(oriented, DETAIL_MAX)
            thumb = _fit(detail, LIST_MAX)
            pair = (_jpeg(thumb), _jpeg(detail))
    fileobj.seek(0)
    return pair
