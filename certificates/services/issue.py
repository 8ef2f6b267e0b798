"""Numbering and issuing.

Issuing (``certificates_issue``) numbers every final award of the
competition that has no certificate yet, in the order of the categories and
the final ranks, and queues a batch; on commit ``dispatch.batch_send`` sends
one render task per pending certificate. Issuing again makes no second
certificate and no second number: the same certificates are in the new
batch, those already rendered as done.
"""

from __future__ import annotations

import datetime as dt
import secrets
from itertools import groupby

from django.db import IntegrityError, transaction
from django.utils import timezone

from competition.audit import audit_record
from competition.enums import Phase
from competition.exceptions import Conflict
from competition.models import Category, Competition, Issuer, User
from competition.rules import is_office, require
from judging.enums import AwardStatus
from judging.models import Award

from .. import conf, fonts
from ..enums import CertificateStatus, ItemStatus
from ..models import (
    BatchItem,
    Certificate,
    CertificateBatch,
    CertificateSequence,
    CertificateTemplate,
)
from ..numbering import format_number
from .dispatch import UNFINISHED, batch_send
from .wording import DEFAULT_WORDING, holder_parts


def new_token() -> str:
    """A verification token: 256 random bits, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


def _award_date(award: Award, date: dt.date | None) -> dt.date:
    if date is not None:
        return date
    if award.finalized_at is not None:
        return timezone.localtime(award.finalized_at).date()
    return timezone.localdate()


def _number_new(competition: Competition, awards: list[Award], date: dt.date | None) -> list[Certificate]:
    """Certificates for ``awards`` (none has one yet), numbered under the sequence rows' locks."""
    created = []
    for category_id, group in groupby(awards, key=lambda a: a.category_id):
        group = list(group)
        CertificateSequence.objects.get_or_create(competition=competition, category_id=category_id)
        sequence = CertificateSequence.objects.select_for_update().get(
            competition=competition, category_id=category_id
        )
        category = group[0].category
        for award in group:
            sequence.last += 1
            holder, _, _ = holder_parts(
                kind=category.kind, title=award.nomination.title, organization=award.nomination.organization
            )
            created.append(
                Certificate(
                    award=award,
                    competition=competition,
                    category_id=category_id,
                    serial=sequence.last,
                    number=format_number(
                        year=competition.year, code=category.code, serial=sequence.last, prefix=conf.number_prefix()
                    ),
                    token=new_token(),
                    holder=holder,
                    award_name=category.name,
                    competition_title=competition.title,
                    year=competition.year,
                    date=_award_date(award, date),
                )
            )
        sequence.save(update_fields=["last"])
    return Certificate.objects.bulk_create(created)


def batch_chars(*, competition: Competition, certificates: list[Certificate]) -> str:
    """The characters of the batch outside the font's base set (holders, wording, issuers, designs)."""
    texts = [competition.title, competition.certificate_wording or DEFAULT_WORDING]
    texts += [i.name for i in Issuer.objects.filter(competition=competition)]
    for category in Category.objects.filter(competition=competition):
        texts.append(category.name)
        template = CertificateTemplate.objects.filter(category=category).first()
        if template is not None:
            texts += [template.html, template.stylesheet]
    awards = Award.objects.filter(pk__in=[c.award_id for c in certificates]).select_related(
        "nomination", "category"
    )
    for award in awards:
        holder, lines, salutation = holder_parts(
            kind=award.category.kind, title=award.nomination.title, organization=award.nomination.organization
        )
        texts += [holder, *lines, salutation]
    return fonts.extra_chars(*texts)


@transaction.atomic
def certificates_issue(
    *, actor: User, competition: Competition, date: dt.date | None = None, send: bool = True
) -> CertificateBatch:
    """Queue a batch issuing the certificates of every final award of a final competition.

    409 unless the competition is final, or while another batch of it is
    still running. ``date`` (the date printed) applies to new certificates;
    by default it is the day the results were made final. With ``send=False``
    the caller sends the batch itself (``batch_send``) after commit.
    """
    require(is_office, actor)
    competition = Competition.objects.select_for_update().get(pk=competition.pk)
    if competition.phase != Phase.FINAL:
        raise Conflict(
            f"推选活动处于“{Phase(competition.phase).label}”阶段，结果确定后才能颁发荣誉证书。",
            code="wrong_phase",
        )
    running = CertificateBatch.objects.filter(competition=competition, status__in=UNFINISHED).first()
    if running is not None:
        raise Conflict(f"证书批次 #{running.pk} 正在生成，请等待其完成后再颁发。", code="batch_running")
    awards = list(
        Award.objects.filter(competition=competition, status=AwardStatus.FINAL)
        .select_related("category", "nomination")
        .order_by("category__order", "category_id", "final_rank", "nomination_id")
    )
    if not awards:
        raise Conflict("没有已确定的表彰名单，无需颁发证书。", code="no_awards")
    have = set(Certificate.objects.filter(competition=competition).values_list("award_id", flat=True))
    try:
        with transaction.atomic():
            created = _number_new(competition, [a for a in awards if a.pk not in have], date)
    except IntegrityError as exc:  # a concurrent issue numbered them first
        raise Conflict("证书正在由另一请求编号，请稍后刷新。", code="batch_running") from exc

    certificates = list(
        Certificate.objects.filter(competition=competition, award__status=AwardStatus.FINAL)
        .exclude(status=CertificateStatus.REVOKED)
        .order_by("category__order", "category_id", "serial")
    )
    batch = CertificateBatch.objects.create(
        competition=competition,
        requested_by=actor,
        total=len(certificates),
        chars=batch_chars(competition=competition, certificates=certificates),
    )
    now = timezone.now()
    BatchItem.objects.bulk_create(
        BatchItem(
            batch=batch,
            certificate=c,
            status=ItemStatus.DONE if c.status == CertificateStatus.ISSUED else ItemStatus.PENDING,
            finished_at=now if c.status == CertificateStatus.ISSUED else None,
        )
        for c in certificates
    )
    audit_record(
        actor=actor,
        action="certificates.issue",
        obj=batch,
        after={
            "competition": competition.pk,
            "certificates": len(certificates),
            "numbered": [c.number for c in created],
        },
    )
    if send:
        transaction.on_commit(lambda: batch_send(batch_id=batch.pk))
    return batch
