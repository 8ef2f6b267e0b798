"""Attachments of nominations: checked by content, stored under generated names,
served only through the permission-checked download view.

Every test gets its own MEDIA_ROOT, so "no file left behind" is checked by
listing the whole directory before and after.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import struct
import threading
from pathlib import Path

import pytest
import time_machine
from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import close_old_connections, connection
from PIL import Image

from competition.exceptions import Conflict, ValidationFailed
from competition.models import AuditEntry
from nominations import attachments, files
from nominations.enums import AttachmentKind
from nominations.models import Attachment
from tests.nominations import files as samples
from tests.nominations.conftest import api

pytestmark = pytest.mark.django_db

STORED_NAME = re.compile(r"^attachments/\d+/[0-9a-f]{32}\.(pdf|jpg|png|mp4)$")
THUMB_NAME = re.compile(r"^attachments/\d+/thumbs/[0-9a-f]{32}\.jpg$")


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


def stored(root: Path) -> list[str]:
    """Every file under ``root``, relative, sorted."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def url(nomination) -> str:
    return f"/api/v1/nominations/{nomination.pk}/attachments/"


def post(user, nomination, content: bytes, name: str, kind: str, caption: str = "", ctype=None):
    upload = SimpleUploadedFile(name, content, content_type=ctype or "application/octet-stream")
    return api(user).post(
        url(nomination), {"file": upload, "kind": kind, "caption": caption}, format="multipart"
    )


def add(officer, nomination, content: bytes, name: str, kind: str, caption: str = "") -> Attachment:
    return attachments.attachment_add(
        actor=officer,
        nomination=nomination,
        upload=ContentFile(content, name=name),
        kind=kind,
        caption=caption,
    )


def error(response) -> dict:
    return response.json()["error"]


# --------------------------------------------------------------------------- uploads that work

KINDS_OK = [
    ("stamped_form", samples.minimal_pdf, "推荐表（盖章）.pdf", "", "application/pdf", "pdf"),
    ("photo", samples.png_bytes, "现场.png", "为树木拔刺", "image/png", "png"),
    ("photo", samples.jpeg_bytes, "现场.jpg", "志愿者合影", "image/jpeg", "jpg"),
    ("video", lambda: samples.mp4_bytes(4096), "宣传片.mp4", "", "video/mp4", "mp4"),
    ("other", samples.minimal_pdf, "媒体报道.pdf", "", "application/pdf", "pdf"),
]


@pytest.mark.parametrize(("kind", "make", "name", "caption", "ctype", "ext"), KINDS_OK)
def test_upload_each_kind(officer, draft, media, kind, make, name, caption, ctype, ext):
    content = make()

    response = post(officer, draft, content, name, kind, caption, ctype="text/plain")

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["kind"] == kind
    assert data["content_type"] == ctype  # sniffed: the client said text/plain
    assert data["original_name"] == name
    assert data["size"] == len(content)
    assert data["sha256"] == hashlib.sha256(content).hexdigest()
    assert data["caption"] == caption
    assert data["download_url"] == f"/api/v1/attachments/{data['id']}/download/"
    attachment = Attachment.objects.get(pk=data["id"])
    assert STORED_NAME.match(attachment.file.name)
    assert attachment.file.name.endswith(f".{ext}")
    assert (media / attachment.file.name).read_bytes() == content
    assert attachment.uploaded_by == officer
    if kind == "photo":
        assert (data["width"], data["height"]) == (64, 48)
        assert data["thumbnail_url"] == f"/api/v1/attachments/{data['id']}/download/?thumbnail=1"
    else:
        assert data["width"] is None and data["thumbnail_url"] is None
        assert not attachment.thumbnail
    entry = AuditEntry.objects.get(action="attachment.add", object_id=str(attachment.pk))
    assert entry.actor == officer
    assert entry.after["sha256"] == data["sha256"]
    assert entry.after["kind"] == kind


def test_uploads_are_listed_on_the_nomination(officer, draft):
    post(officer, draft, samples.minimal_pdf(), "form.pdf", "stamped_form")
    post(officer, draft, samples.png_bytes(), "a.png", "photo", "现场")

    listed = api(officer).get(url(draft)).json()
    nested = api(officer).get(f"/api/v1/nominations/{draft.pk}/").json()["attachments"]

    assert sorted(a["kind"] for a in listed) == ["photo", "stamped_form"]
    assert [a["id"] for a in nested] == [a["id"] for a in listed]


def test_photo_thumbnail_is_a_small_jpeg_with_exif_orientation_applied(officer, draft, media, office):
    # 1200×800 stored landscape, EXIF says "rotate 90°": it displays portrait.
    content = samples.jpeg_with_orientation((1200, 800), orientation=6)

    response = post(officer, draft, content, "竖拍.jpg", "photo", "竖拍的照片")

    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["width"], data["height"]) == (800, 1200)
    attachment = Attachment.objects.get(pk=data["id"])
    assert THUMB_NAME.match(attachment.thumbnail.name)
    assert (media / attachment.thumbnail.name).exists()

    download = api(office).get(data["thumbnail_url"])

    assert download.status_code == 200
    assert download["Content-Type"] == "image/jpeg"
    thumb = Image.open(io.BytesIO(b"".join(download.streaming_content)))
    assert thumb.format == "JPEG"
    assert max(thumb.size) <= files.THUMBNAIL_MAX
    assert thumb.size == (267, 400)  # portrait: the orientation was applied


def test_png_with_transparency_gets_a_thumbnail(officer, draft, media):
    buf = io.BytesIO()
    Image.new("RGBA", (900, 300), (255, 0, 0, 0)).save(buf, "PNG")

    attachment = add(officer, draft, buf.getvalue(), "透明.png", "photo", "透明背景")

    with Image.open(media / attachment.thumbnail.name) as thumb:
        assert thumb.size == (400, 133)
        assert thumb.mode == "RGB"


# --------------------------------------------------------------------------- bad input: type by content


def test_png_named_pdf_is_refused_as_stamped_form(officer, draft, media):
    response = post(
        officer, draft, samples.png_bytes(), "推荐表.pdf", "stamped_form", ctype="application/pdf"
    )

    assert response.status_code == 400
    err = error(response)
    assert err["code"] == "wrong_type"
    assert "file" in err["fields"]
    assert "PDF" in err["fields"]["file"][0] and "PNG" in err["fields"]["file"][0]
    assert stored(media) == []
    assert not Attachment.objects.exists()


def test_text_named_jpg_is_refused_as_photo(officer, draft, media):
    response = post(
        officer, draft, b"just some text, not an image\n", "photo.jpg", "photo", "说明",
        ctype="image/jpeg",
    )

    assert response.status_code == 400
    assert error(response)["fields"]["file"][0].startswith("文件：")
    assert stored(media) == []
    assert not Attachment.objects.exists()


def test_truncated_jpeg_is_refused(officer, draft, media):
    content = samples.jpeg_bytes((800, 600))[:1500]

    response = post(officer, draft, content, "坏.jpg", "photo", "说明")

    assert response.status_code == 400
    assert error(response)["code"] == "bad_image"
    assert stored(media) == []


def test_pdf_uploaded_as_video_is_refused(officer, draft):
    response = post(officer, draft, samples.minimal_pdf(), "clip.mp4", "video")

    assert response.status_code == 400
    assert "MP4" in error(response)["fields"]["file"][0]


def test_unknown_kind_is_refused_naming_the_field(officer, draft):
    response = post(officer, draft, samples.minimal_pdf(), "a.pdf", "contract")

    assert response.status_code == 400
    assert "kind" in error(response)["fields"]


def test_service_refuses_an_unknown_kind_naming_the_field(officer, draft):
    with pytest.raises(ValidationFailed) as info:
        add(officer, draft, samples.minimal_pdf(), "a.pdf", "contract")
    assert list(info.value.fields) == ["kind"]


def test_empty_file_is_refused(officer, draft, media):
    with pytest.raises(ValidationFailed) as info:
        add(officer, draft, b"", "empty.pdf", "other")
    assert list(info.value.fields) == ["file"]
    assert stored(media) == []


# --------------------------------------------------------------------------- bad input: pixel bombs


@pytest.mark.parametrize(
    ("width", "height"),
    [
        (20000, 20000),  # 400 MP: past Pillow's own decompression-bomb error
        (10000, 5000),  # 50 MP: under Pillow's default limit, over ours (40 MP)
    ],
)
def test_pixel_bomb_is_refused_and_leaves_nothing(officer, draft, media, width, height):
    bomb = samples.png_bomb(width, height)
    assert len(bomb) < 200_000  # tiny on disk

    response = post(officer, draft, bomb, "bomb.png", "photo", "炸弹")

    assert response.status_code == 400
    err = error(response)
    assert err["code"] == "image_too_large"
    assert "像素" in err["fields"]["file"][0]
    assert stored(media) == []
    assert not Attachment.objects.exists()


def test_pixel_limit_is_checked_from_the_header_before_decoding():
    # The header check alone refuses; no decoding is needed to know.
    bomb = samples.png_bomb(40_000_001, 1)
    with pytest.raises(files.FileRejected) as info:
        files.inspect_upload(io.BytesIO(bomb), AttachmentKind.PHOTO)
    assert info.value.code == "image_too_large"


# --------------------------------------------------------------------------- bad input: hostile PDFs

HOSTILE_PDFS = {
    "open_action_javascript": samples.pdf_open_action_js,
    "document_javascript_in_names": samples.pdf_names_js,
    "launch_action": samples.pdf_launch,
    "embedded_file": samples.pdf_embedded_file,
    "hex_escaped_javascript": samples.pdf_hex_escaped_js,
    "page_additional_actions": samples.pdf_page_aa,
    # issue 11: links out and actions run on opening
    "open_action_uri": samples.pdf_open_action_uri,
    "link_to_uri": samples.pdf_link_uri,
    "link_to_remote_file": samples.pdf_gotor,
    "hex_escaped_open_action_uri": samples.pdf_hex_escaped_open_action,
    "indirect_open_action": samples.pdf_indirect_open_action,
}


@pytest.mark.parametrize("kind", ["stamped_form", "other"])
@pytest.mark.parametrize("case", sorted(HOSTILE_PDFS))
def test_pdf_with_active_or_embedded_content_is_refused(officer, draft, media, case, kind):
    response = post(officer, draft, HOSTILE_PDFS[case](), f"{case}.pdf", kind)

    assert response.status_code == 400, response.json()
    err = error(response)
    assert err["code"] == "pdf_active_content"
    assert "安全" in err["fields"]["file"][0]
    assert stored(media) == []
    assert not Attachment.objects.exists()


def test_the_object_walk_alone_finds_javascript_and_embedded_files():
    """The walk through pypdf's objects finds what the raw scan finds (and
    what a raw scan cannot see inside compressed object streams)."""
    from pypdf import PdfReader

    for make in (samples.pdf_open_action_js, samples.pdf_names_js, samples.pdf_embedded_file,
                 samples.pdf_launch, samples.pdf_hex_escaped_js):
        found = files.pdf_forbidden_objects(PdfReader(io.BytesIO(make())))
        assert found, make.__name__
    assert files.pdf_forbidden_objects(PdfReader(io.BytesIO(samples.minimal_pdf()))) == set()


def test_raw_scan_normalises_hex_escaped_names():
    assert files.pdf_raw_forbidden(b"<< /S /J#61vaScript /#4A#53 (x) >>") == {"JavaScript", "JS"}
    assert files.pdf_raw_forbidden(b"<< /Type /Emb#65ddedFile >>") == {"EmbeddedFile"}
    assert files.pdf_raw_forbidden(b"<< /L#61unch >>") == {"Launch"}
    # Longer names that merely start with a forbidden one are not it.
    assert files.pdf_raw_forbidden(b"<< /BaseFont /AAAAAA+SimSun /JSON 1 >>") == set()


def test_raw_scan_finds_an_object_no_xref_points_to():
    clean = samples.pdf_plain_raw()
    smuggled = clean.replace(b"xref", b"9 0 obj << /S /JavaScript /JS (x) >> endobj\nxref", 1)
    with pytest.raises(files.FileRejected) as info:
        files.check_pdf(io.BytesIO(smuggled))
    assert info.value.code == "pdf_active_content"


def test_short_names_inside_stream_data_are_not_false_alarms():
    # Compressed data may contain "/JS " by chance; it is not a name there.
    body = b"<< /Length 8 >>\nstream\n\x00/JS \x00/AA\nendstream"
    assert files.pdf_raw_forbidden(body) == set()
    assert files.pdf_raw_forbidden(b"<< /AA << >> >>") == {"AA"}


def test_clean_pdf_with_a_view_open_action_is_accepted(officer, draft):
    attachment = add(officer, draft, samples.pdf_plain_raw(), "表.pdf", "stamped_form")
    assert attachment.content_type == "application/pdf"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (samples.pdf_encrypted(), "pdf_encrypted"),
        (b"%PDF-1.7\nthis is not really a pdf at all\n", "bad_pdf"),
    ],
    ids=["encrypted", "unparsable"],
)
def test_encrypted_or_unparsable_pdf_is_refused(officer, draft, media, content, code):
    response = post(officer, draft, content, "x.pdf", "other")

    assert response.status_code == 400
    assert error(response)["code"] == code
    assert stored(media) == []


# --------------------------------------------------------------------------- names and storage


@pytest.mark.parametrize(
    ("sent", "shown"),
    [("../../etc/passwd.pdf", "passwd.pdf"), ("..\\..\\x.pdf", "x.pdf")],
)
def test_path_traversal_name_is_stored_under_a_generated_name(
    officer, draft, media, tmp_path, sent, shown
):
    body, content_type = samples.multipart(
        {"kind": "other", "caption": ""}, "file", sent, samples.minimal_pdf(), "application/pdf"
    )

    response = api(officer).generic("POST", url(draft), body, content_type=content_type)

    assert response.status_code == 201, response.json()
    assert response.json()["original_name"] == shown
    attachment = Attachment.objects.get()
    assert STORED_NAME.match(attachment.file.name)
    assert stored(media) == [attachment.file.name]
    # Nothing was written beside MEDIA_ROOT (tmp_path holds only it).
    assert [p.name for p in tmp_path.iterdir()] == ["media"]
    assert Path(attachment.file.path).resolve().is_relative_to(media.resolve())


def test_service_sanitizes_a_traversal_name_it_is_given_directly(officer, draft, media, tmp_path):
    attachment = add(officer, draft, samples.minimal_pdf(), "../../../../tmp/evil\x00\u202e.pdf", "other")

    assert attachment.original_name == "evil.pdf"
    assert STORED_NAME.match(attachment.file.name)
    assert stored(media) == [attachment.file.name]
    assert [p.name for p in tmp_path.iterdir()] == ["media"]


@pytest.mark.parametrize(
    ("name", "content_type", "shown"),
    [
        ("../../etc/passwd.pdf", files.PDF, "passwd.pdf"),
        ("..\\..\\x.pdf", files.PDF, "x.pdf"),
        ("C:\\Users\\张三\\推荐表.PDF", files.PDF, "推荐表.PDF"),
        ("a\x00b\x1f\u202egnp.exe", files.PNG, "abgnp.exe.png"),
        ("photo.exe", files.JPEG, "photo.exe.jpg"),
        ("现场.jpeg", files.JPEG, "现场.jpeg"),
        ("..", files.PDF, "附件.pdf"),
        ("", files.MP4, "附件.mp4"),
        ('a<b>:"c|?.pdf', files.PDF, "a_b___c__.pdf"),
    ],
)
def test_display_name(name, content_type, shown):
    assert files.display_name(name, content_type) == shown


def test_display_name_is_limited_keeping_the_extension():
    shown = files.display_name("很长" * 200 + ".pdf", files.PDF)
    assert len(shown) == files.DISPLAY_NAME_MAX
    assert shown.endswith(".pdf")


def test_failed_storage_write_leaves_no_file_and_no_row(officer, draft, media, monkeypatch):
    """The photo is written, then the disk fails on its thumbnail: both go."""
    real_save = FileSystemStorage._save

    def failing_save(self, name, content):
        if "/thumbs/" in name:
            raise OSError(28, "No space left on device")
        return real_save(self, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", failing_save)

    with pytest.raises(OSError):
        add(officer, draft, samples.png_bytes(), "a.png", "photo", "说明")

    assert stored(media) == []
    assert not Attachment.objects.exists()
    assert not AuditEntry.objects.filter(action="attachment.add").exists()


# --------------------------------------------------------------------------- photos: caption and limit


def test_photo_without_caption_is_refused_naming_the_caption(officer, draft, media):
    response = post(officer, draft, samples.png_bytes(), "a.png", "photo", "   ")

    assert response.status_code == 400
    err = error(response)
    assert list(err["fields"]) == ["caption"]
    assert "说明" in err["fields"]["caption"][0]
    assert stored(media) == []


def test_sixth_photo_is_refused(officer, draft, media):
    for i in range(files.MAX_PHOTOS):
        response = post(officer, draft, samples.png_bytes(color=(i, 0, 0)), f"{i}.png", "photo", f"第{i}张")
        assert response.status_code == 201, response.json()
    before = stored(media)

    response = post(officer, draft, samples.png_bytes(), "6.png", "photo", "第六张")

    assert response.status_code == 409
    err = error(response)
    assert err["code"] == "too_many_photos"
    assert "最多上传 5 张" in err["message"]
    assert stored(media) == before
    assert draft.attachments.filter(kind="photo").count() == 5
    assert sorted(draft.attachments.values_list("order", flat=True)) == [1, 2, 3, 4, 5]


@pytest.mark.django_db(transaction=True)
def test_two_uploads_racing_for_the_last_photo_place_exactly_one_wins(
    postgres, officer, second_officer, draft, media
):
    for i in range(files.MAX_PHOTOS - 1):
        add(officer, draft, samples.png_bytes(color=(i, 1, 1)), f"{i}.png", "photo", "已有")

    barrier = threading.Barrier(2)
    results: dict[str, str] = {}

    def race(name, actor):
        try:
            barrier.wait()
            add(actor, draft, samples.png_bytes(color=(200, 0, 0)), f"{name}.png", "photo", name)
            results[name] = "won"
        except Conflict as exc:
            results[name] = exc.code
        finally:
            close_old_connections()
            connection.close()

    threads = [
        threading.Thread(target=race, args=("a", officer)),
        threading.Thread(target=race, args=("b", second_officer)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(results.values()) == ["too_many_photos", "won"]
    assert draft.attachments.filter(kind="photo").count() == files.MAX_PHOTOS
    # The loser's file was never kept: one photo file (and thumbnail) per row.
    names = set(stored(media))
    rows = Attachment.objects.filter(nomination=draft)
    assert names == {a.file.name for a in rows} | {a.thumbnail.name for a in rows}


# --------------------------------------------------------------------------- video size


def test_video_over_20_mb_is_refused(officer, draft, media, tmp_path):
    path = tmp_path / "big.mp4"
    samples.mp4_file(path, files.MAX_VIDEO_BYTES + 1)

    with open(path, "rb") as fh:
        response = api(officer).post(
            url(draft), {"file": fh, "kind": "video", "caption": ""}, format="multipart"
        )

    assert response.status_code == 400
    err = error(response)
    assert err["code"] == "too_large"
    assert "20 MB" in err["fields"]["file"][0]
    assert stored(media) == []


def test_video_of_exactly_20_mb_is_accepted(officer, draft, media, tmp_path):
    path = tmp_path / "ok.mp4"
    samples.mp4_file(path, files.MAX_VIDEO_BYTES)

    with open(path, "rb") as fh:
        attachment = attachments.attachment_add(
            actor=officer, nomination=draft, upload=File(fh, name="ok.mp4"), kind="video"
        )

    assert attachment.size == files.MAX_VIDEO_BYTES
    assert attachment.content_type == "video/mp4"


# --------------------------------------------------------------------------- video length


def test_video_longer_than_three_minutes_is_refused(officer, draft, media):
    response = post(officer, draft, samples.mp4_bytes(4096, seconds=180.4), "宣传片.mp4", "video")

    assert response.status_code == 400
    err = error(response)
    assert err["code"] == "video_too_long"
    assert err["fields"]["file"] == ["文件：视频时长不能超过 3 分钟（上传的视频 3 分 1 秒）。"]
    assert stored(media) == []
    assert not draft.attachments.exists()


@pytest.mark.parametrize("seconds", [95.0, 180.0], ids=["short", "exactly_the_limit"])
def test_video_within_three_minutes_is_accepted(officer, draft, seconds):
    response = post(officer, draft, samples.mp4_bytes(4096, seconds=seconds, sound_seconds=seconds), "宣传片.mp4", "video")

    assert response.status_code == 201, response.content
    assert draft.attachments.get().content_type == "video/mp4"


def test_a_long_sound_track_counts(officer, draft):
    """mutagen reads the sound track's length when there is one (a phone's video has one)."""
    content = samples.mp4_bytes(64, seconds=60, sound_seconds=200)

    response = post(officer, draft, content, "宣传片.mp4", "video")

    assert response.status_code == 400
    assert error(response)["fields"]["file"] == ["文件：视频时长不能超过 3 分钟（上传的视频 3 分 20 秒）。"]


def test_the_video_limit_is_a_setting(settings):
    settings.NOMINATIONS_VIDEO_MAX_SECONDS = 45
    files.inspect_upload(io.BytesIO(samples.mp4_bytes(64, seconds=45)), AttachmentKind.VIDEO)
    with pytest.raises(files.FileRejected) as refused:
        files.inspect_upload(io.BytesIO(samples.mp4_bytes(64, seconds=46)), AttachmentKind.VIDEO)
    assert refused.value.message == "文件：视频时长不能超过 45 秒（上传的视频 46 秒）。"


def test_a_video_whose_length_cannot_be_read_is_refused():
    """A movie header with a zero timescale: well-formed boxes, but no duration to check."""
    content = samples.mp4_bytes(64)
    mvhd = content.index(b"mvhd")
    timescale = mvhd + 4 + 4 + 8  # after the type, version/flags, creation and modification times
    broken = content[:timescale] + b"\x00" * 4 + content[timescale + 4 :]

    with pytest.raises(files.FileRejected) as refused:
        files.inspect_upload(io.BytesIO(broken), AttachmentKind.VIDEO)
    assert refused.value.code == "bad_video"


def box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", 8 + len(body)) + kind + body


@pytest.mark.parametrize(
    "content",
    [
        box(b"ftyp", b"qt  \x00\x00\x02\x00qt  ") + box(b"moov", b"\x00" * 8) + box(b"mdat", b""),
        samples.mp4_bytes(64)[:-10],  # the mdat box runs past the end
        samples.mp4_bytes(0)[:32] + b"\x00\x00\x00\x10mdat" + b"\x00" * 8,  # no moov
    ],
    ids=["quicktime", "truncated", "no_moov"],
)
def test_not_quite_mp4_is_refused(content):
    with pytest.raises(files.FileRejected):
        files.inspect_upload(io.BytesIO(content), AttachmentKind.VIDEO)


def test_oversized_photo_is_refused_before_parsing(officer, draft):
    content = samples.png_bytes() + b"\x00" * files.MAX_PHOTO_BYTES
    response = post(officer, draft, content, "big.png", "photo", "大图")

    assert response.status_code == 400
    assert error(response)["code"] == "too_large"
    assert "10 MB" in error(response)["fields"]["file"][0]


# --------------------------------------------------------------------------- one stamped form


def test_second_stamped_form_replaces_the_first(
    officer, draft, media, django_capture_on_commit_callbacks
):
    first = add(officer, draft, samples.minimal_pdf("第一版"), "v1.pdf", "stamped_form")
    first_name = first.file.name

    with django_capture_on_commit_callbacks(execute=True):
        response = post(officer, draft, samples.minimal_pdf("第二版"), "v2.pdf", "stamped_form")

    assert response.status_code == 201, response.json()
    forms = draft.attachments.filter(kind="stamped_form")
    assert [a.original_name for a in forms] == ["v2.pdf"]
    assert stored(media) == [forms.get().file.name]
    assert first_name not in stored(media)
    replaced = AuditEntry.objects.get(action="attachment.delete", object_id=str(first.pk))
    assert "替换" in replaced.reason


# --------------------------------------------------------------------------- state and who


def test_upload_to_a_submitted_nomination_is_a_conflict(officer, submitted, media):
    before = stored(media)

    response = post(officer, submitted, samples.minimal_pdf(), "a.pdf", "other")

    assert response.status_code == 409
    assert error(response)["code"] == "not_editable"
    assert "已提交" in error(response)["message"]
    assert stored(media) == before


def test_upload_one_second_after_the_window_closes_is_a_conflict(officer, draft, competition, media):
    with time_machine.travel(competition.nominations_close + dt.timedelta(seconds=1), tick=False):
        response = post(officer, draft, samples.minimal_pdf(), "a.pdf", "other")

    assert response.status_code == 409
    assert error(response)["code"] == "window_closed"
    assert "截止" in error(response)["message"]
    assert stored(media) == []
    assert not Attachment.objects.exists()


def test_upload_one_second_before_the_window_closes_works(officer, draft, competition):
    with time_machine.travel(competition.nominations_close - dt.timedelta(seconds=1), tick=False):
        response = post(officer, draft, samples.minimal_pdf(), "a.pdf", "other")

    assert response.status_code == 201


def test_upload_to_another_units_nomination_answers_404(other_officer, draft, media):
    response = post(other_officer, draft, samples.minimal_pdf(), "a.pdf", "other")
    missing = api(other_officer).post(
        "/api/v1/nominations/999999/attachments/",
        {"file": SimpleUploadedFile("a.pdf", samples.minimal_pdf()), "kind": "other"},
        format="multipart",
    )

    assert response.status_code == 404
    assert response.json() == missing.json()
    assert stored(media) == []


@pytest.mark.parametrize("role", ["office", "observer"])
def test_office_and_observer_cannot_upload(request, role, draft, media):
    user = request.getfixturevalue(role)

    response = post(user, draft, samples.minimal_pdf(), "a.pdf", "other")

    assert response.status_code == 403
    assert stored(media) == []


def test_service_refuses_another_units_officer(other_officer, draft):
    from competition.exceptions import NotFound

    with pytest.raises(NotFound):
        add(other_officer, draft, samples.minimal_pdf(), "a.pdf", "other")


def test_anonymous_upload_is_401(draft):
    response = post(None, draft, samples.minimal_pdf(), "a.pdf", "other")
    assert response.status_code == 401


# --------------------------------------------------------------------------- download


@pytest.fixture
def form(officer, draft) -> Attachment:
    return add(officer, draft, samples.minimal_pdf(), "../推荐表（盖章）.pdf", "stamped_form")


@pytest.mark.parametrize("role", ["officer", "office", "observer"])
def test_download_by_those_who_may_see_it(request, role, form):
    user = request.getfixturevalue(role)

    response = api(user).get(f"/api/v1/attachments/{form.pk}/download/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == samples.minimal_pdf()
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    # The Chinese name (推荐表（盖章）.pdf, the path stripped) percent-encoded as RFC 6266's filename*.
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E6%8E%A8%E8%8D%90%E8%A1%A8%EF%BC%88%E7%9B%96%E7%AB%A0%EF%BC%89.pdf"
    )


def test_download_ignores_the_accept_header(officer, form):
    response = api(officer).get(
        f"/api/v1/attachments/{form.pk}/download/", HTTP_ACCEPT="application/pdf"
    )
    assert response.status_code == 200


def test_an_ascii_name_is_sent_as_a_quoted_filename(officer, draft):
    attachment = add(officer, draft, samples.minimal_pdf(), 'report "final".pdf', "other")

    response = api(officer).get(f"/api/v1/attachments/{attachment.pk}/download/")

    # The stored name has its quotes replaced already; an ASCII name needs no filename*.
    assert response["Content-Disposition"] == 'attachment; filename="report _final_.pdf"'


@pytest.mark.parametrize("role", ["other_officer", "judge"])
def test_download_by_those_who_may_not_see_it_is_the_same_404_as_a_missing_id(
    request, role, form
):
    user = request.getfixturevalue(role)
    client = api(user)

    response = client.get(f"/api/v1/attachments/{form.pk}/download/")
    thumb = client.get(f"/api/v1/attachments/{form.pk}/download/?thumbnail=1")
    missing = client.get("/api/v1/attachments/999999/download/")
    malformed = client.get("/api/v1/attachments/abc/download/")

    assert response.status_code == thumb.status_code == missing.status_code == 404
    assert malformed.status_code == 404
    assert response.content == thumb.content == missing.content == malformed.content
    assert response.json() == {"error": {"code": "not_found", "message": "未找到该对象。", "fields": {}}}


def test_anonymous_download_is_401(form):
    response = api().get(f"/api/v1/attachments/{form.pk}/download/")
    assert response.status_code == 401


def test_thumbnail_of_a_pdf_is_404(officer, form):
    response = api(officer).get(f"/api/v1/attachments/{form.pk}/download/?thumbnail=1")
    assert response.status_code == 404


def test_attachment_detail_is_readable_by_those_who_see_it(officer, other_officer, form):
    assert api(officer).get(f"/api/v1/attachments/{form.pk}/").json()["id"] == form.pk
    assert api(other_officer).get(f"/api/v1/attachments/{form.pk}/").status_code == 404


# --------------------------------------------------------------------------- delete


def test_delete_from_a_draft_removes_row_and_files(
    officer, draft, media, django_capture_on_commit_callbacks
):
    photo = add(officer, draft, samples.png_bytes(), "a.png", "photo", "现场")
    assert len(stored(media)) == 2  # the photo and its thumbnail

    with django_capture_on_commit_callbacks(execute=True):
        response = api(officer).delete(f"/api/v1/attachments/{photo.pk}/")

    assert response.status_code == 204
    assert not Attachment.objects.filter(pk=photo.pk).exists()
    assert stored(media) == []
    entry = AuditEntry.objects.get(action="attachment.delete", object_id=str(photo.pk))
    assert entry.actor == officer
    assert entry.before["sha256"] == photo.sha256


def test_files_stay_until_the_delete_commits(officer, draft, media, django_capture_on_commit_callbacks):
    photo = add(officer, draft, samples.png_bytes(), "a.png", "photo", "现场")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        attachments.attachment_delete(actor=officer, attachment=photo)
        assert len(stored(media)) == 2  # not yet: a rollback must not lose them

    assert len(callbacks) == 1


def test_delete_on_a_submitted_nomination_is_a_conflict(officer, submitted, media):
    attachment = submitted.attachments.first()

    response = api(officer).delete(f"/api/v1/attachments/{attachment.pk}/")

    assert response.status_code == 409
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_delete_after_the_window_closed_is_a_conflict(officer, form, competition):
    with time_machine.travel(competition.nominations_close + dt.timedelta(seconds=1), tick=False):
        response = api(officer).delete(f"/api/v1/attachments/{form.pk}/")

    assert response.status_code == 409
    assert Attachment.objects.filter(pk=form.pk).exists()


def test_delete_by_another_unit_is_404_and_by_the_office_403(other_officer, office, judge, form):
    other = api(other_officer).delete(f"/api/v1/attachments/{form.pk}/")
    missing = api(other_officer).delete("/api/v1/attachments/999999/")
    by_judge = api(judge).delete(f"/api/v1/attachments/{form.pk}/")
    by_office = api(office).delete(f"/api/v1/attachments/{form.pk}/")

    assert other.status_code == missing.status_code == by_judge.status_code == 404
    assert other.json() == missing.json() == by_judge.json()
    assert by_office.status_code == 403
    assert Attachment.objects.filter(pk=form.pk).exists()


def test_links_and_open_actions_are_named_in_the_refusal():
    for make, words in (
        (samples.pdf_link_uri, "链接"),
        (samples.pdf_gotor, "链接"),
        (samples.pdf_indirect_open_action, "打开时自动执行"),
        (samples.pdf_hex_escaped_open_action, "打开时自动执行"),
    ):
        with pytest.raises(files.FileRejected) as info:
            files.check_pdf(io.BytesIO(make()))
        assert info.value.code == "pdf_active_content"
        assert words in info.value.message and info.value.message.startswith("文件："), make.__name__
    # The raw scan alone sees the escaped forms.
    assert files.pdf_raw_forbidden(b"<< /Open#41ction << /S /#55RI >> >>") >= {"OpenAction", "URI"}
    assert files.pdf_raw_forbidden(b"<< /S /G#6FToR /F (x.pdf) >>") == {"GoToR"}
    # A destination that only sets the first view is not an action.
    files.check_pdf(io.BytesIO(samples.pdf_plain_raw()))
