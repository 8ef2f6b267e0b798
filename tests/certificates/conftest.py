"""Fixtures of the certificates tests: a competition made final with awards, quickly.

The road to ``final`` (scores, rankings, 公示, objections, ``competition_finalize``)
is tested in ``tests/judging``; here the accepted nominations and their final
awards are written directly and the phase is set, as the judging fixtures do
for the judging phase. The issuers carry generated 样章 seals.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from certificates.artwork import draw_seal
from competition import services as competition_services
from competition.enums import CategoryKind, Phase, Role
from competition.models import Competition, Unit
from judging.enums import AwardStatus
from judging.models import Award
from tests.factories import STRONG_PASSWORD, CategoryFactory, IssuerFactory
from tests.judging.conftest import accepted, api, judging_competition
from tests.judging.factories import AwardFactory

WORDING = "在{year}年度太原市学雷锋志愿服务先进典型宣传推选活动中，被评为“太原市学雷锋{award}”。特发此证，以资鼓励。"
ISSUERS = ["中共太原市委宣传部", "太原市精神文明建设委员会办公室"]
FINALIZED = dt.datetime(2022, 12, 5, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))

__all__ = ["api", "make_final", "award_for", "pdf_text"]


@functools.cache
def seal_png(name: str) -> bytes:
    """A 样章 seal (drawn once per test session)."""
    return draw_seal(name)


def _seals(competition: Competition) -> None:
    competition.issuers.all().delete()
    for order, name in enumerate(ISSUERS):
        IssuerFactory(competition=competition, name=name, order=order, seal=ContentFile(seal_png(name), name="seal.png"))


def make_final(office, *, year: int = 2022, seals: bool = True) -> Competition:
    """A competition in the final phase with categories XM, ZZ and ZYZ and no awards yet."""
    competition = judging_competition(office, year=year)
    Competition.objects.filter(pk=competition.pk).update(
        phase=Phase.FINAL, certificate_wording=WORDING, title=f"{year}年度太原市学雷锋志愿服务先进典型推选"
    )
    competition.refresh_from_db()
    CategoryFactory(
        competition=competition,
        code="ZYZ",
        name="最美志愿者",
        kind=CategoryKind.PERSON,
        order=3,
        award_quota=5,
        nomination_quota_per_unit=2,
    )
    if seals:
        _seals(competition)
    return competition


def award_for(competition, code: str, unit: Unit, *, title: str, organization: str = "", rank: int = 1) -> Award:
    """An accepted nomination of ``unit`` in category ``code`` and its final award."""
    category = competition.categories.get(code=code)
    nomination = accepted(competition, category, unit, title=title, organization=organization)[0]
    return AwardFactory(
        nomination=nomination, final_score="90.00", final_rank=rank, status=AwardStatus.FINAL, finalized_at=FINALIZED
    )


def pdf_text(pdf: bytes, tmp_path: Path, name: str = "certificate.pdf") -> str:
    """The text of a PDF as ``pdftotext`` reads it (poppler-utils)."""
    path = tmp_path / name
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8")


def squeeze(text: str) -> str:
    return "".join(text.split())


DANGEROUS = [
    "/JavaScript", "/JS", "/EmbeddedFiles", "/OpenAction", "/AA", "/Launch", "/URI", "/SubmitForm", "/RichMedia",
]


def walk_names(reader: PdfReader) -> set[str]:
    """Every dictionary key reachable from the trailer (object streams included)."""
    seen: set[tuple[int, int]] = set()
    names: set[str] = set()
    stack = [reader.trailer]
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            for k, v in obj.items():
                names.add(str(k))
                stack.append(v)
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return names


def embedded_fonts(reader: PdfReader) -> list[DictionaryObject]:
    """The descendant (CID) fonts of the page's Type0 fonts."""
    page = reader.pages[0]
    out = []
    for font in page["/Resources"]["/Font"].values():
        font = font.get_object()
        assert font["/Subtype"] == "/Type0"
        out.append(font)
    return out


def assert_safe_subset_fonts(pdf: bytes) -> None:
    """Fonts embedded as subsets (``ABCDEF+`` names, a FontFile), no file attachments, no scripts or actions."""
    reader = PdfReader(io.BytesIO(pdf))
    fonts_ = embedded_fonts(reader)
    assert fonts_
    for font in fonts_:
        assert re.fullmatch(r"/[A-Z]{6}\+.+", str(font["/BaseFont"])), font["/BaseFont"]
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    found = walk_names(reader) & set(DANGEROUS)
    assert not found, found


def qr_image_matrix(pdf: bytes, size: int) -> list[list[bool]]:
    """The modules of the QR code image embedded in the PDF (the image ``size`` pixels wide)."""
    reader = PdfReader(io.BytesIO(pdf))
    for image in reader.pages[0].images:
        picture = image.image
        if picture.width == size and picture.height == size:
            grey = picture.convert("L")
            return [[grey.getpixel((x, y)) < 128 for x in range(size)] for y in range(size)]
    raise AssertionError("no QR code image in the PDF")


@pytest.fixture
def final(office):
    return make_final(office)


@pytest.fixture
def awards(final, units):
    """Four final awards: two projects (two units), an organisation and a volunteer."""
    return [
        award_for(
            final, "XM", units[0], title="举手之劳·为树木松绑拔刺", organization="太原市城市综合管理服务指挥中心"
        ),
        award_for(final, "XM", units[1], title="清除城市牛皮癣", organization="迎泽区某街道办事处", rank=2),
        award_for(final, "ZZ", units[0], title="太原市城市综合管理服务指挥中心志愿服务队"),
        award_for(final, "ZYZ", units[2], title="王𠮷堃"),
    ]


@pytest.fixture
def other_officer(units):
    return competition_services.user_create(
        actor=None, username="unit-d", password=STRONG_PASSWORD, role=Role.OFFICER, unit=units[3]
    )


@pytest.fixture(scope="session")
def poppler():
    missing = [tool for tool in ("pdftotext", "pdftoppm", "pdffonts") if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"poppler-utils is required for the certificate tests (missing {missing})")


@pytest.fixture(autouse=True)
def _fresh_designs():
    """Designs are cached per template row and version; rows are reused between tests."""
    from certificates.services import designs

    designs._designs.clear()
    yield


def now():
    return timezone.now()
