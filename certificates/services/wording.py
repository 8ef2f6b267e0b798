"""What a certificate says: its holder, its wording, its issuers.

The holder (what a certificate is made out to, and what the verification
shows) is decided by the category's kind:

- a project (XM): the implementing unit and the project's title,
  ``"太原市城市综合管理服务指挥中心 举手之劳·为树木松绑拔刺"``; printed on two
  lines, the unit and ``“举手之劳·为树木松绑拔刺”项目：``;
- an organisation (ZZ) or a community (SQ): its name;
- a volunteer (ZYZ): the person's name, printed ``张三同志：``.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging

from django.core.files.storage import default_storage

from competition.enums import CategoryKind
from competition.models import Category, Competition, Issuer
from judging.models import Award

from .. import rendering
from ..models import Certificate

logger = logging.getLogger(__name__)

DEFAULT_WORDING = (
    "在{year}年度太原市学雷锋志愿服务先进典型宣传推选活动中，被评为“太原市学雷锋{award}”。特发此证，以资鼓励。"
)


def holder_parts(*, kind: str, title: str, organization: str) -> tuple[str, tuple[str, ...], str]:
    """(holder, printed lines, salutation) for a nominee of a category kind."""
    title = (title or "").strip()
    organization = (organization or "").strip()
    if kind == CategoryKind.PROJECT:
        holder = f"{organization} {title}" if organization else title
        # Quotes inside quotes become single quotes: “万柏林‘法律明白人’进社区”项目.
        quoted = title.replace("“", "‘").replace("”", "’")
        project = title if title.endswith("项目") else f"“{quoted}”项目"
        lines = (organization, project) if organization else (project,)
        return holder, lines, "："
    if kind == CategoryKind.PERSON:
        return title, (title,), "同志："
    return title, (title,), "："


def wording(*, competition: Competition, award_name: str) -> str:
    """The body: the competition's wording with ``{year}`` and ``{award}`` filled in (nothing else)."""
    text = (competition.certificate_wording or "").strip() or DEFAULT_WORDING
    return text.replace("{year}", str(competition.year)).replace("{award}", award_name)


@functools.lru_cache(maxsize=64)
def _read_file(name: str, size: int) -> bytes:
    with default_storage.open(name, "rb") as fh:
        return fh.read()


def stored_bytes(name: str) -> bytes | None:
    """A stored file's bytes, cached per process by name and size (seals, backgrounds)."""
    if not name:
        return None
    try:
        size = default_storage.size(name)
    except OSError:
        logger.warning("stored file %s is missing", name)
        return None
    return _read_file(name, size)


def issuer_data(*, competition_id: int) -> tuple[rendering.IssuerData, ...]:
    return tuple(
        rendering.IssuerData(name=i.name, seal=stored_bytes(i.seal.name) if i.seal else None)
        for i in Issuer.objects.filter(competition_id=competition_id).order_by("order", "id")
    )


def certificate_data(
    *,
    certificate: Certificate,
    award: Award | None = None,
    issuers: tuple[rendering.IssuerData, ...] | None = None,
) -> rendering.CertificateData:
    """What ``certificate`` prints, from its award's nomination and the competition now.

    ``issuers``: the competition's ``issuer_data``, when the caller already read it.
    """
    award = award or Award.objects.select_related("nomination", "category", "competition").get(
        pk=certificate.award_id
    )
    nomination = award.nomination
    return printed_data(
        category=award.category,
        competition=award.competition,
        title=nomination.title,
        organization=nomination.organization,
        number=certificate.number,
        date=certificate.date,
        verify_url=certificate.verify_url,
        issuers=issuers,
    )


def printed_data(
    *,
    category: Category,
    competition: Competition,
    title: str,
    organization: str,
    number: str,
    date: dt.date,
    verify_url: str,
    issuers: tuple[rendering.IssuerData, ...] | None = None,
) -> rendering.CertificateData:
    """What a certificate of ``category`` made out to ``title`` (of ``organization``) prints:
    the holder as the category's kind wants it, the wording, the issuers (a real
    certificate and a design's sample both; ``issuers`` when the caller already read them)."""
    holder, lines, salutation = holder_parts(kind=category.kind, title=title, organization=organization)
    return rendering.CertificateData(
        number=number,
        holder=holder,
        holder_lines=lines,
        salutation=salutation,
        body=wording(competition=competition, award_name=category.name),
        award=category.name,
        competition_title=competition.title,
        year=competition.year,
        date=date,
        verify_url=verify_url,
        issuers=issuers if issuers is not None else issuer_data(competition_id=competition.pk),
        category_code=category.code,
    )


def printed_fields(data: rendering.CertificateData) -> dict:
    """What was printed, copied onto the certificate row (the verification shows it)."""
    return {
        "holder": data.holder[:300],
        "award_name": data.award,
        "competition_title": data.competition_title,
        "year": data.year,
    }
