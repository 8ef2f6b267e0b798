"""A judge of a blind round learns nothing of the recommending unit or the organisation:
not from the materials (JSON and page), the attachments (names, headers, EXIF, PDF
metadata, the stamped 推荐表), the 回避 messages, nor from the judge codes of exports."""

from __future__ import annotations

import hashlib
import io
import json
from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from competition import services as competition_services
from judging import selectors, services
from judging.models import Assignment
from nominations import files
from nominations.enums import AttachmentKind
from nominations.models import Attachment
from tests.judging.conftest import accepted, api, judging_competition, make_judge

pytestmark = pytest.mark.django_db

ORGANIZATION = "迎泽区青年志愿者协会"
MARK = "YingzeDistrictVolunteers"  # ASCII, so that it can be searched for in raw bytes


def pdf_with_metadata() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(300, 300)
    writer.add_metadata({"/Author": f"{MARK} 迎泽区文明办", "/Creator": MARK, "/Title": ORGANIZATION})
    writer.xmp_metadata = (
        '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        f'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>{MARK}</dc:creator></rdf:Description>'
        '</rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    ).encode()
    writer.pages[0][NameObject("/PieceInfo")] = DictionaryObject(
        {NameObject("/Producer"): TextStringObject(MARK)}
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def photo_with_exif() -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated: the copy must come out upright
    exif[0x013B] = MARK  # Artist
    exif[0x8825] = {1: "N", 2: (37.0, 52.0, 12.0)}  # GPS
    out = io.BytesIO()
    Image.new("RGB", (60, 30), (180, 40, 40)).save(
        out, "JPEG", exif=exif.tobytes(), comment=MARK.encode(), xmp=f"<x>{MARK}</x>".encode()
    )
    return out.getvalue()


def video_with_tags() -> bytes:
    """An MP4 whose moov carries a udta/meta with a title and an author, as phones write them."""
    import struct

    def box(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", 8 + len(body)) + kind + body

    ftyp = box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2avc1mp41")
    udta = box(b"udta", box(b"meta", b"\x00" * 4 + box(b"\xa9nam", MARK.encode()) + box(b"\xa9ART", MARK.encode())))
    trak = box(b"trak", box(b"tkhd", b"\x00" * 84) + box(b"udta", box(b"\xa9xyz", b"+37.8+112.5/")))
    return ftyp + box(b"moov", box(b"mvhd", b"\x00" * 100) + trak + udta) + box(b"mdat", b"\x01" * 64)


def attach(nomination, kind, data, *, name, content_type, caption="", order=1) -> Attachment:
    attachment = Attachment(
        nomination=nomination,
        kind=kind,
        content_type=content_type,
        original_name=name,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        caption=caption,
        order=order,
    )
    attachment.file.save("upload", ContentFile(data), save=False)
    if kind == AttachmentKind.PHOTO:
        attachment.thumbnail.save("t.jpg", ContentFile(files.make_thumbnail(io.BytesIO(data))), save=False)
    attachment.save()
    return attachment


@pytest.fixture
def case(office, round1, nominations, judges, units):
    """A judge's assignment (blind round) of a 迎泽区 nomination with a form, a photo and a PDF."""
    services.assignments_auto(actor=office, round_=round1, seed=7)
    a = (
        Assignment.objects.filter(round=round1, nomination__unit=units[1])
        .exclude(judge__username="judgeA")
        .select_related("judge", "nomination", "nomination__unit")
        .first()
    )
    nomination = a.nomination
    nomination.organization = ORGANIZATION
    nomination.title = "青年助老服务项目"  # the fixtures' titles carry the unit's name
    nomination.save(update_fields=["organization", "title"])
    pdf, photo = pdf_with_metadata(), photo_with_exif()
    form = attach(nomination, AttachmentKind.STAMPED_FORM, pdf, name="迎泽区推荐表（盖章）.pdf", content_type=files.PDF)
    picture = attach(
        nomination, AttachmentKind.PHOTO, photo, name=f"{MARK}-迎泽区活动.jpg", content_type=files.JPEG, caption="社区服务现场"
    )
    other = attach(nomination, AttachmentKind.OTHER, pdf, name=f"{ORGANIZATION}材料.pdf", content_type=files.PDF)
    video = attach(nomination, AttachmentKind.VIDEO, video_with_tags(), name=f"{MARK}.mp4", content_type=files.MP4)
    return {"a": a, "unit": nomination.unit.name, "form": form, "photo": picture, "other": other, "video": video}


def leaks(text: str, case) -> list[str]:
    return [s for s in (case["unit"], ORGANIZATION, MARK, "迎泽区") if s in text]


def test_the_assignment_json_names_neither_unit_nor_organisation(case, office):
    a = case["a"]
    body = api(a.judge).get(f"/api/v1/assignments/{a.pk}/").json()
    assert body["blind"] is True
    assert "unit" not in body["materials"] and "organization" not in body["materials"]
    assert leaks(json.dumps(body, ensure_ascii=False), case) == []
    # The office reads the same assignment with everything.
    office_body = api(office).get(f"/api/v1/assignments/{a.pk}/").json()
    assert office_body["materials"]["unit"] == case["unit"]
    assert office_body["materials"]["organization"] == ORGANIZATION


def test_attachments_have_neutral_names_and_the_stamped_form_is_withheld(case):
    a = case["a"]
    listed = api(a.judge).get(f"/api/v1/assignments/{a.pk}/").json()["materials"]["attachments"]
    assert [(x["id"], x["original_name"]) for x in listed] == [
        (case["other"].pk, "附件1.pdf"),
        (case["photo"].pk, "照片1.jpg"),
        (case["video"].pk, "视频1.mp4"),
    ]
    client = api(a.judge)
    # Not listed, and neither download URL gives it.
    assert client.get(f"/api/v1/assignments/{a.pk}/attachments/{case['form'].pk}/download/").status_code == 404
    assert client.get(f"/api/v1/attachments/{case['form'].pk}/download/").status_code == 404
    # Nor does the nominations endpoint give the originals of the other files to this judge.
    for attachment in (case["photo"], case["other"]):
        assert client.get(f"/api/v1/attachments/{attachment.pk}/download/").status_code == 404


def _download(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response, b"".join(response.streaming_content)


def test_downloads_have_neutral_names_and_no_metadata(case):
    a = case["a"]
    client = api(a.judge)
    listed = {x["id"]: x for x in client.get(f"/api/v1/assignments/{a.pk}/").json()["materials"]["attachments"]}

    response, body = _download(client, listed[case["photo"].pk]["download_url"])
    assert quote("照片1.jpg", safe="") in response["Content-Disposition"]
    assert leaks(response["Content-Disposition"], case) == []
    assert MARK.encode() not in body
    image = Image.open(io.BytesIO(body))
    assert dict(image.getexif()) == {}
    assert "comment" not in image.info and "xmp" not in image.info
    assert image.size == (30, 60)  # upright: the orientation was applied before the tag went

    response, body = _download(client, listed[case["photo"].pk]["thumbnail_url"])
    assert quote("照片1-缩略图.jpg", safe="") in response["Content-Disposition"]
    assert MARK.encode() not in body

    response, body = _download(client, listed[case["other"].pk]["download_url"])
    assert quote("附件1.pdf", safe="") in response["Content-Disposition"]
    assert leaks(response["Content-Disposition"], case) == []
    assert MARK.encode() not in body
    reader = PdfReader(io.BytesIO(body))
    assert reader.metadata is None
    assert reader.xmp_metadata is None
    assert "/PieceInfo" not in reader.pages[0]
    assert len(reader.pages) == 1
    files.check_pdf(io.BytesIO(body))  # still a sound PDF

    original = case["video"].file.open("rb").read()
    response, body = _download(client, listed[case["video"].pk]["download_url"])
    assert quote("视频1.mp4", safe="") in response["Content-Disposition"]
    assert MARK.encode() not in body and b"+37.8+112.5" not in body
    assert len(body) == len(original) and body.endswith(b"\x01" * 64)  # the same boxes, nothing moved
    files.check_mp4(io.BytesIO(body), len(body))


def test_texts_that_name_the_unit_or_the_organisation_are_redacted_for_the_judge(case, office, client):
    """A title or a description that names the unit (full or short name) or the organisation
    reaches a blind round's judge with the name replaced; the office reads it as written."""
    a = case["a"]
    nomination = a.nomination
    unit = nomination.unit
    nomination.title = f"{unit.short_name}青年助老服务项目"
    nomination.summary = f"由{ORGANIZATION}联合{unit.name}开展，覆盖{unit.short_name}12个社区。"
    nomination.save(update_fields=["title", "summary"])
    materials = api(a.judge).get(f"/api/v1/assignments/{a.pk}/").json()["materials"]
    assert materials["title"] == "〔已隐去〕青年助老服务项目"
    assert materials["summary"] == "由〔已隐去〕联合〔已隐去〕开展，覆盖〔已隐去〕12个社区。"
    client.force_login(a.judge)
    page = client.get(f"/judging/assignments/{a.pk}/").content.decode()
    assert leaks(page, case) == [] and unit.short_name not in page
    assert "〔已隐去〕青年助老服务项目" in page
    office_materials = api(office).get(f"/api/v1/assignments/{a.pk}/").json()["materials"]
    assert office_materials["title"] == nomination.title and office_materials["summary"] == nomination.summary


def test_the_scoring_page_names_neither_unit_nor_organisation_nor_file_names(case, client):
    a = case["a"]
    client.force_login(a.judge)
    page = client.get(f"/judging/assignments/{a.pk}/").content.decode()
    assert "照片1.jpg" in page and "附件1.pdf" in page
    assert "推荐表" not in page
    assert leaks(page, case) == []


def test_a_conflict_found_later_is_told_in_neutral_words(case, client, category):
    a = case["a"]
    services.pledge_accept(judge=a.judge, competition=a.round.competition)
    competition_services.judge_profile_set(actor=None, user=a.judge, name="评委", unit=a.nomination.unit, organizations=[])
    scores = {str(c.pk): 1 for c in category.criteria.all()}
    response = api(a.judge).put(f"/api/v1/assignments/{a.pk}/scorecard/", {"scores": scores, "version": 0}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["message"] == "评委与被推荐对象存在利益关联，须回避。"
    client.force_login(a.judge)
    page = client.get(f"/judging/assignments/{a.pk}/").content.decode()
    assert "评委与被推荐对象存在利益关联，须回避。" in page
    assert "推荐单位" not in page.replace("已隐去推荐单位", "")


def test_an_open_round_judge_still_reads_unit_organisation_and_file_names(case, round1):
    round1.blind = False
    round1.save(update_fields=["blind"])
    a = case["a"]
    materials = api(a.judge).get(f"/api/v1/assignments/{a.pk}/").json()["materials"]
    assert materials["unit"] == case["unit"] and materials["organization"] == ORGANIZATION
    names = sorted(x["original_name"] for x in materials["attachments"])
    assert names == sorted(case[k].original_name for k in ("form", "photo", "other", "video"))
    assert api(a.judge).get(f"/api/v1/attachments/{case['form'].pk}/download/").status_code == 200


def test_judge_codes_are_drawn_per_round_not_in_user_id_order(office, units):
    judges = [make_judge(username=f"code{i}") for i in range(8)]
    competition = judging_competition(
        office,
        year=2044,
        rounds=[
            {"name": name, "method": "mean", "judges_per_nomination": 8, "weight": 1, "blind": True}
            for name in ("初评", "复评", "终评")
        ],
    )
    (nomination,) = accepted(competition, competition.categories.get(code="XM"), units[0])
    by_id = sorted(j.pk for j in judges)
    orders = []
    for round_ in competition.rounds.order_by("order"):
        Assignment.objects.bulk_create(Assignment(round=round_, judge=j, nomination=nomination) for j in judges)
        codes = selectors.judge_codes(round_=round_)
        assert sorted(codes.values()) == [f"J{i:02d}" for i in range(1, 9)]
        assert selectors.judge_codes(round_=round_) == codes  # stable: the same for every page and export
        orders.append([j for j, _ in sorted(codes.items(), key=lambda item: item[1])])
    # In user-id order every round was J01 = the first judge created; drawn per round they are not.
    assert any(order != by_id for order in orders)
    assert len({tuple(order) for order in orders}) > 1
