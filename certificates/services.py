"""Issuing, rendering, revoking and reissuing certificates.

Every write and state change is here, keyword-only, in a transaction, with
its audit entry.

The holder (what a certificate is made out to, and what the verification
shows) is decided by the category's kind:

- a project (XM): the implementing unit and the project's title,
  ``"太原市城市综合管理服务指挥中心 举手之劳·为树木松绑拔刺"``; printed on two
  lines, the unit and ``“举手之劳·为树木松绑拔刺”项目：``;
- an organisation (ZZ) or a community (SQ): its name;
- a volunteer (ZYZ): the person's name, printed ``张三同志：``.

Issuing (``certificates_issue``) numbers every final award of the
competition that has no certificate yet, in the order of the categories and
the final ranks, and queues a batch; its tasks render each pending
certificate (``item_render``). Issuing again makes no second certificate and
no second number: the same certificates are in the new batch, those already
rendered as done.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
import logging
import secrets
import tempfile
import zipfile
from collections.abc import Callable
from itertools import groupby

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from competition.audit import audit_record
from competition.enums import CategoryKind, Phase
from competition.exceptions import Conflict, ValidationFailed
from competition.models import Category, Competition, Issuer, User
from competition.rules import is_office, require
from judging.enums import AwardStatus
from judging.models import Award
from notifications.enums import Event
from notifications.selectors import unit_officers
from notifications.services import notify

from . import conf, fonts, rendering
from .enums import FINISHED_BATCH_STATUSES, BatchStatus, CertificateStatus, ItemStatus
from .models import (
    BatchItem,
    Certificate,
    CertificateBatch,
    CertificateSequence,
    CertificateTemplate,
    batch_zip_path,
    certificate_pdf_path,
)
from .numbering import format_number

logger = logging.getLogger(__name__)

DEFAULT_WORDING = (
    "在{year}年度太原市学雷锋志愿服务先进典型宣传推选活动中，被评为“太原市学雷锋{award}”。特发此证，以资鼓励。"
)
REASON_MAX = 500
UNFINISHED = (BatchStatus.QUEUED, BatchStatus.RUNNING)


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={"reason": ["理由：必须写明理由。"]})
    if len(reason) > REASON_MAX:
        raise ValidationFailed(fields={"reason": [f"理由：不超过 {REASON_MAX} 字。"]})
    return reason


def new_token() -> str:
    """A verification token: 256 random bits, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


# --------------------------------------------------------------------------- what a certificate says


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
    nomination, category, competition = award.nomination, award.category, award.competition
    holder, lines, salutation = holder_parts(
        kind=category.kind, title=nomination.title, organization=nomination.organization
    )
    return rendering.CertificateData(
        number=certificate.number,
        holder=holder,
        holder_lines=lines,
        salutation=salutation,
        body=wording(competition=competition, award_name=category.name),
        award=category.name,
        competition_title=competition.title,
        year=competition.year,
        date=certificate.date,
        verify_url=certificate.verify_url,
        issuers=issuers if issuers is not None else issuer_data(competition_id=competition.pk),
        category_code=category.code,
    )


_designs: dict[tuple, rendering.Design] = {}


def design_for(*, category_id: int) -> rendering.Design:
    """The category's design (the office's template, or the packaged one), cached per version."""
    template = CertificateTemplate.objects.filter(category_id=category_id).first()
    if template is None:
        return rendering.Design(key="default")
    key = (template.pk, template.updated_at.isoformat())
    design = _designs.get(key)
    if design is None:
        design = rendering.Design(
            html=template.html.strip() or rendering.DEFAULT_HTML,
            css=template.stylesheet.strip() or rendering.DEFAULT_CSS,
            background=stored_bytes(template.background.name) if template.background else None,
            key=f"template-{template.pk}-{template.updated_at.timestamp()}",
        )
        _designs[key] = design
    return design


def render_certificate_pdf(
    data: rendering.CertificateData, design: rendering.Design, *, chars: str = ""
) -> bytes:
    """Render one certificate with the process's renderer for this design and character set."""
    return rendering.render_pdf(data, design, chars=chars)


# --------------------------------------------------------------------------- issuing


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


def batch_send(*, batch_id: int, after_each: Callable[[], None] | None = None) -> bool:
    """Send a render task for every pending item. False (the batch stays queued) when the broker is down.

    ``after_each`` is called after each task is sent (with eager Celery, after
    each certificate is rendered: the management command's progress bar).
    """
    from .tasks import render_certificate

    CertificateBatch.objects.filter(pk=batch_id).update(attempts=F("attempts") + 1)
    pending = list(
        BatchItem.objects.filter(batch_id=batch_id, status=ItemStatus.PENDING).values_list("pk", flat=True)
    )
    eager = bool(render_certificate.app.conf.task_always_eager)
    # A task renders a chunk of certificates: the reads they share are made once per
    # chunk, and the broker carries a tenth of the messages (eager: one by one, so that
    # the management command's progress bar moves with each certificate).
    size = 1 if eager else conf.render_chunk()
    for start in range(0, len(pending), size):
        chunk = pending[start : start + size]
        try:
            if len(chunk) == 1:
                render_certificate.delay(item_id=chunk[0])
            else:
                render_certificate.delay(item_ids=chunk)
        except Exception:  # noqa: BLE001 - kombu raises many kinds when Redis is away
            if eager:  # not the broker: the task itself failed in process; the others go on
                logger.exception("certificate batch %s: item %s failed in process", batch_id, chunk[0])
                continue
            logger.warning("certificate batch %s: broker unavailable, left queued", batch_id, exc_info=True)
            return False
        if after_each is not None:
            after_each()
    CertificateBatch.objects.filter(pk=batch_id, sent_at__isnull=True).update(sent_at=timezone.now())
    if not pending:
        batch_check_finished(batch_id=batch_id)
    return True


# --------------------------------------------------------------------------- rendering one certificate


def _store_pdf(certificate: Certificate, pdf: bytes) -> str:
    return default_storage.save(certificate_pdf_path(certificate, "certificate.pdf"), ContentFile(pdf))


def _printed_fields(data: rendering.CertificateData) -> dict:
    return {
        "holder": data.holder[:300],
        "award_name": data.award,
        "competition_title": data.competition_title,
        "year": data.year,
    }


def item_attempts(*, item_id: int) -> int:
    return BatchItem.objects.filter(pk=item_id).values_list("attempts", flat=True).first() or 0


def item_render(*, item_id: int) -> str:
    """Render the certificate of one batch item, once: ``"done"``, ``"skipped"`` or ``"gone"``.

    Safe to run twice or after a worker died: an item already finished is
    skipped, and a certificate found issued when the PDF is to be stored
    (another delivery won) keeps its PDF; ours is thrown away. Exceptions
    propagate (the task retries, then calls ``item_fail``).
    """
    item = BatchItem.objects.select_related("batch", "certificate").filter(pk=item_id).first()
    if item is None:
        return "gone"
    if item.status != ItemStatus.PENDING:
        return "skipped"
    BatchItem.objects.filter(pk=item.pk).update(attempts=F("attempts") + 1)
    CertificateBatch.objects.filter(pk=item.batch_id, status=BatchStatus.QUEUED).update(status=BatchStatus.RUNNING)
    certificate = item.certificate
    if certificate.status == CertificateStatus.PENDING:
        award = Award.objects.select_related("nomination", "category", "competition").get(pk=certificate.award_id)
        data = certificate_data(certificate=certificate, award=award)
        pdf = render_certificate_pdf(data, design_for(category_id=certificate.category_id), chars=item.batch.chars)
        _issue(certificate_id=certificate.pk, pdf=pdf, data=data)
    outcome = _item_finish(item_id=item.pk)
    batch_check_finished(batch_id=item.batch_id)
    return outcome


def items_render(*, item_ids: list[int], before_each: Callable[[], None] | None = None) -> list[int]:
    """Render the certificates of several batch items (one task's chunk); returns the ids not finished.

    The same outcome per item as :func:`item_render` (skipped when finished,
    safe to run twice), with the reads the items share made once: the items
    with their certificates, awards, nominations, categories and competition
    in one query, the issuers once per competition, the design once per
    category. Each certificate is stored with one conditional ``UPDATE``
    (``status = pending``: a second delivery keeps the first PDF) and its item
    marked done at once. On an exception the item and the rest of the chunk
    are returned unfinished: the caller sends them one by one (with retries).
    """
    items = list(
        BatchItem.objects.select_related(
            "batch", "certificate__award__nomination", "certificate__award__category",
            "certificate__award__competition",
        )
        .filter(pk__in=item_ids, status=ItemStatus.PENDING)
        .order_by("pk")
    )
    if not items:
        return []
    BatchItem.objects.filter(pk__in=[i.pk for i in items]).update(attempts=F("attempts") + 1)
    CertificateBatch.objects.filter(pk__in={i.batch_id for i in items}, status=BatchStatus.QUEUED).update(
        status=BatchStatus.RUNNING
    )
    issuers: dict[int, tuple[rendering.IssuerData, ...]] = {}
    designs: dict[int, rendering.Design] = {}
    for index, item in enumerate(items):
        try:
            if before_each is not None:
                before_each()
            certificate = item.certificate
            if certificate.status == CertificateStatus.PENDING:
                award = certificate.award
                if award.competition_id not in issuers:
                    issuers[award.competition_id] = issuer_data(competition_id=award.competition_id)
                if certificate.category_id not in designs:
                    designs[certificate.category_id] = design_for(category_id=certificate.category_id)
                data = certificate_data(certificate=certificate, award=award, issuers=issuers[award.competition_id])
                pdf = render_certificate_pdf(data, designs[certificate.category_id], chars=item.batch.chars)
                _issue_loaded(certificate=certificate, pdf=pdf, data=data)
                BatchItem.objects.filter(pk=item.pk, status=ItemStatus.PENDING).update(
                    status=ItemStatus.DONE, error="", finished_at=timezone.now()
                )
            else:
                _item_finish(item_id=item.pk)  # issued by another delivery, or revoked meanwhile
        except Exception:  # noqa: BLE001 - the rest goes one by one, with the single task's retries
            logger.warning("certificate item %s failed in a chunk; sent on its own", item.pk, exc_info=True)
            for batch_id in {i.batch_id for i in items[:index]}:
                batch_check_finished(batch_id=batch_id)
            return [i.pk for i in items[index:]]
    for batch_id in {i.batch_id for i in items}:
        batch_check_finished(batch_id=batch_id)
    return []


def _issue_loaded(*, certificate: Certificate, pdf: bytes, data: rendering.CertificateData) -> bool:
    """``_issue`` for a certificate loaded with its award and nomination: one conditional
    ``UPDATE`` instead of a locked read and a save. False when another delivery stored one first."""
    name = None
    try:
        with transaction.atomic():
            name = _store_pdf(certificate, pdf)
            now = timezone.now()
            stored = Certificate.objects.filter(pk=certificate.pk, status=CertificateStatus.PENDING).update(
                **_printed_fields(data),
                pdf=name,
                sha256=hashlib.sha256(pdf).hexdigest(),
                size=len(pdf),
                status=CertificateStatus.ISSUED,
                issued_at=now,
                rendered_at=now,
                version=F("version") + 1,
            )
            if not stored:
                default_storage.delete(name)
                return False
            nomination = certificate.award.nomination
            notify(
                event=Event.CERTIFICATE_READY,
                recipients=unit_officers(unit_ids=[nomination.unit_id]),
                obj=certificate,
                url=reverse("certificate-pdf", args=[certificate.pk]),
                context={
                    "year": certificate.year,
                    "nomination": str(nomination),
                    "award": certificate.award_name,
                    "number": certificate.number,
                },
            )
    except BaseException:
        if name:
            default_storage.delete(name)
        raise
    return True


def _issue(*, certificate_id: int, pdf: bytes, data: rendering.CertificateData) -> bool:
    """Store a first PDF for a pending certificate. False when another delivery stored one first."""
    name = None
    try:
        with transaction.atomic():
            certificate = Certificate.objects.select_for_update().get(pk=certificate_id)
            if certificate.status != CertificateStatus.PENDING:
                return False
            name = _store_pdf(certificate, pdf)
            now = timezone.now()
            for key, value in _printed_fields(data).items():
                setattr(certificate, key, value)
            certificate.pdf.name = name
            certificate.sha256 = hashlib.sha256(pdf).hexdigest()
            certificate.size = len(pdf)
            certificate.status = CertificateStatus.ISSUED
            certificate.issued_at = now
            certificate.rendered_at = now
            certificate.version = F("version") + 1
            certificate.save()
            nomination = certificate.award.nomination
            notify(
                event=Event.CERTIFICATE_READY,
                recipients=unit_officers(unit_ids=[nomination.unit_id]),
                obj=certificate,
                url=reverse("certificate-pdf", args=[certificate.pk]),
                context={
                    "year": certificate.year,
                    "nomination": str(nomination),
                    "award": certificate.award_name,
                    "number": certificate.number,
                },
            )
    except BaseException:
        if name:
            default_storage.delete(name)
        raise
    return True


def _item_finish(*, item_id: int) -> str:
    """Mark an item done if its certificate has a PDF now (failed if it was revoked meanwhile)."""
    item = BatchItem.objects.select_related("certificate").get(pk=item_id)
    if item.certificate.status == CertificateStatus.REVOKED:
        BatchItem.objects.filter(pk=item_id, status=ItemStatus.PENDING).update(
            status=ItemStatus.FAILED, error="证书已被撤销，未生成。", finished_at=timezone.now()
        )
        return "failed"
    BatchItem.objects.filter(pk=item_id, status=ItemStatus.PENDING).update(
        status=ItemStatus.DONE, error="", finished_at=timezone.now()
    )
    return "done"


def item_fail(*, item_id: int, error: str) -> None:
    """Give up on one certificate of a batch (after its retries); the rest carry on."""
    updated = BatchItem.objects.filter(pk=item_id, status=ItemStatus.PENDING).update(
        status=ItemStatus.FAILED, error=(error or "生成失败。")[:2000], finished_at=timezone.now()
    )
    batch_id = BatchItem.objects.filter(pk=item_id).values_list("batch_id", flat=True).first()
    if updated and batch_id:
        batch_check_finished(batch_id=batch_id)


def error_message(exc: BaseException) -> str:
    """A message for the office: ours are Chinese already; anything else gets a Chinese prefix."""
    from celery.exceptions import SoftTimeLimitExceeded

    if isinstance(exc, SoftTimeLimitExceeded):
        return f"生成超时（超过 {conf.soft_time_limit()} 秒）。"
    if isinstance(exc, fonts.GlyphMissing | fonts.FontMissing | rendering.RenderError):
        return str(exc)
    return f"生成失败：{type(exc).__name__}: {exc}"[:2000]


# --------------------------------------------------------------------------- finishing a batch


def batch_check_finished(*, batch_id: int) -> None:
    """When no item is pending any more, send the task that zips the batch."""
    if BatchItem.objects.filter(batch_id=batch_id, status=ItemStatus.PENDING).exists():
        return
    if CertificateBatch.objects.filter(pk=batch_id, status__in=FINISHED_BATCH_STATUSES).exists():
        return
    from .tasks import finish_batch

    try:
        finish_batch.delay(batch_id=batch_id)
    except Exception:  # noqa: BLE001 - the drain finishes it later
        logger.warning("certificate batch %s: could not send finish_batch", batch_id, exc_info=True)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """A cell a spreadsheet will not run: text starting like a formula (``=``,
    ``+``, ``-``, ``@``, tab, carriage return) gets a leading ``'``."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _archive(batch: CertificateBatch) -> File:
    """A ZIP of the batch's PDFs (``<number>.pdf``) and a list ``清单.csv`` of what is in it."""
    items = (
        BatchItem.objects.filter(batch=batch)
        .select_related("certificate")
        .order_by("certificate__category__order", "certificate__category_id", "certificate__serial")
    )
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the caller, who closes it
    listing = io.StringIO()
    writer = csv.writer(listing)
    writer.writerow(["证书编号", "获奖者", "奖项", "状态", "SHA-256", "说明"])
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as archive:
        for item in items:
            c = item.certificate
            if item.status == ItemStatus.DONE and c.status == CertificateStatus.ISSUED and c.pdf:
                with default_storage.open(c.pdf.name, "rb") as fh:
                    archive.writestr(f"{c.number}.pdf", fh.read())
                row = [c.number, c.holder, c.award_name, "有效", c.sha256, ""]
            else:
                row = [c.number, c.holder, c.award_name, ItemStatus(item.status).label, "", item.error]
            writer.writerow([csv_cell(value) for value in row])
        archive.writestr("清单.csv", "\ufeff" + listing.getvalue(), compress_type=zipfile.ZIP_DEFLATED)
    tmp.seek(0)
    return File(tmp, name="batch.zip")


def batch_finish(*, batch_id: int) -> CertificateBatch | None:
    """Zip the batch's PDFs and mark it finished (idempotent: a finished batch is left as it is)."""
    with transaction.atomic():
        batch = CertificateBatch.objects.select_for_update().filter(pk=batch_id).first()
        if batch is None or batch.status in FINISHED_BATCH_STATUSES:
            return batch
        if BatchItem.objects.filter(batch=batch, status=ItemStatus.PENDING).exists():
            return batch
        archive = _archive(batch)
        name = default_storage.save(batch_zip_path(batch, "batch.zip"), archive)
        archive.close()
        failed = BatchItem.objects.filter(batch=batch, status=ItemStatus.FAILED).count()
        batch.archive.name = name
        batch.status = BatchStatus.DONE_WITH_ERRORS if failed else BatchStatus.DONE
        batch.finished_at = timezone.now()
        batch.save(update_fields=["archive", "status", "finished_at"])
        audit_record(
            actor=None,
            action="certificates.batch_finish",
            obj=batch,
            after={"status": batch.status, "total": batch.total, "failed": failed},
        )
    return batch


def outbox_drain(*, older_than_seconds: int = 30, stalled_after: int | None = None) -> int:
    """Send again the batches the broker could not take, and the pending items of stalled batches.

    A batch still ``queued`` and never sent (Redis was down when it was
    requested) is sent; a batch with pending items and nothing finished for
    ``stalled_after`` seconds (a message lost) has them sent again; a batch
    with nothing pending left unfinished is finished. Duplicates are harmless.
    """
    now = timezone.now()
    stalled_after = conf.stalled_after() if stalled_after is None else stalled_after
    sent = 0
    for batch_id in CertificateBatch.objects.filter(
        status=BatchStatus.QUEUED, sent_at__isnull=True, created_at__lte=now - dt.timedelta(seconds=older_than_seconds)
    ).values_list("pk", flat=True):
        sent += batch_send(batch_id=batch_id)
    for batch in CertificateBatch.objects.filter(status__in=UNFINISHED, sent_at__isnull=False):
        last = (
            BatchItem.objects.filter(batch=batch, finished_at__isnull=False)
            .order_by("-finished_at")
            .values_list("finished_at", flat=True)
            .first()
        ) or batch.sent_at
        if last <= now - dt.timedelta(seconds=stalled_after):
            sent += batch_send(batch_id=batch.pk)
    return sent


# --------------------------------------------------------------------------- revoke and reissue


@transaction.atomic
def certificate_revoke(*, actor: User, certificate: Certificate, reason: str) -> Certificate:
    """Revoke an issued certificate: verification shows it as revoked, with the date and reason."""
    require(is_office, actor)
    reason = _reason(reason)
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.status == CertificateStatus.REVOKED:
        raise Conflict("该证书已撤销。", code="already_revoked")
    if certificate.status != CertificateStatus.ISSUED:
        raise Conflict("该证书尚未生成，不能撤销。", code="not_issued")
    certificate.status = CertificateStatus.REVOKED
    certificate.revoked_at = timezone.now()
    certificate.revoked_reason = reason
    certificate.save(update_fields=["status", "revoked_at", "revoked_reason"])
    audit_record(
        actor=actor,
        action="certificate.revoke",
        obj=certificate,
        before={"status": CertificateStatus.ISSUED, "number": certificate.number},
        after={"status": CertificateStatus.REVOKED, "revoked_at": certificate.revoked_at},
        reason=reason,
    )
    return certificate


def certificate_reissue(*, actor: User, certificate: Certificate, reason: str) -> Certificate:
    """Render a new PDF for an issued (or revoked) certificate: same number and token, new SHA-256.

    It prints the nomination as it is now (a corrected name, say) and makes
    a revoked certificate valid again. The old PDF is deleted.
    """
    require(is_office, actor)
    reason = _reason(reason)
    certificate = Certificate.objects.get(pk=certificate.pk)
    if certificate.status == CertificateStatus.PENDING:
        raise Conflict("该证书尚未生成，请通过颁发批次生成。", code="not_issued")
    award = Award.objects.select_related("nomination", "category", "competition").get(pk=certificate.award_id)
    if award.status != AwardStatus.FINAL:
        raise Conflict("该表彰已不在确定的表彰名单中，不能重新颁发。", code="award_not_final")
    data = certificate_data(certificate=certificate, award=award)
    pdf = render_certificate_pdf(data, design_for(category_id=certificate.category_id))
    name = None
    try:
        with transaction.atomic():
            locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
            if locked.version != certificate.version or locked.status == CertificateStatus.PENDING:
                raise Conflict("该证书刚被他人修改，请刷新后重试。", code="stale")
            before = {"status": locked.status, "sha256": locked.sha256, "version": locked.version, "pdf": locked.pdf.name}
            old_name = locked.pdf.name
            name = _store_pdf(locked, pdf)
            for key, value in _printed_fields(data).items():
                setattr(locked, key, value)
            locked.pdf.name = name
            locked.sha256 = hashlib.sha256(pdf).hexdigest()
            locked.size = len(pdf)
            locked.status = CertificateStatus.ISSUED
            locked.rendered_at = timezone.now()
            locked.version = locked.version + 1
            locked.revoked_at = None
            locked.revoked_reason = ""
            locked.save()
            audit_record(
                actor=actor,
                action="certificate.reissue",
                obj=locked,
                before=before,
                after={"status": locked.status, "sha256": locked.sha256, "version": locked.version, "pdf": name},
                reason=reason,
            )
            if old_name:
                transaction.on_commit(lambda: default_storage.delete(old_name))
    except BaseException:
        if name:
            default_storage.delete(name)
        raise
    return locked


# --------------------------------------------------------------------------- designs


def background_jpeg(data: bytes) -> bytes:
    """An uploaded background as an A4-landscape-sized RGB JPEG (WeasyPrint copies a JPEG as it is)."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as opened:
        opened.load()
        image = ImageOps.exif_transpose(opened)
    if image.mode in ("RGBA", "LA", "P"):
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, (255, 255, 255))
        image.paste(rgba, mask=rgba.getchannel("A"))
    image = image.convert("RGB")
    if image.width > 2480:  # 300 dpi across 297 mm is 3508; 2480 (about 212 dpi) is plenty on paper
        image = image.resize((2480, round(image.height * 2480 / image.width)), Image.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()


def template_check(*, html: str) -> None:
    """Refuse a template Django cannot compile (the office sees the error in the admin)."""
    from django.template import TemplateSyntaxError

    if not html.strip():
        return
    try:
        rendering.template_engine().from_string(html)
    except TemplateSyntaxError as exc:
        raise ValidationFailed(fields={"html": [f"证书模板：模板语法错误：{exc}"]}) from exc


@transaction.atomic
def template_save(
    *,
    actor: User,
    template: CertificateTemplate,
    background: bytes | None = None,
    clear_background: bool = False,
) -> CertificateTemplate:
    """Save a category's design (a new background is converted to JPEG), audited."""
    require(is_office, actor)
    template_check(html=template.html)
    before = None
    if template.pk:
        old = CertificateTemplate.objects.filter(pk=template.pk).first()
        if old is not None:
            before = {
                "html_sha256": hashlib.sha256(old.html.encode()).hexdigest(),
                "stylesheet_sha256": hashlib.sha256(old.stylesheet.encode()).hexdigest(),
                "background": old.background.name,
            }
    if clear_background:
        template.background = ""
    if background is not None:
        template.background.save("background.jpg", ContentFile(background_jpeg(background)), save=False)
    template.save()
    audit_record(
        actor=actor,
        action="certificate_template.save",
        obj=template,
        before=before,
        after={
            "category": template.category_id,
            "html_sha256": hashlib.sha256(template.html.encode()).hexdigest(),
            "stylesheet_sha256": hashlib.sha256(template.stylesheet.encode()).hexdigest(),
            "background": template.background.name,
        },
    )
    return template


SAMPLE_HOLDERS = {
    CategoryKind.PROJECT: ("举手之劳·为树木松绑拔刺", "太原市城市综合管理服务指挥中心"),
    CategoryKind.ORGANIZATION: ("太原市城市综合管理服务指挥中心志愿服务队", ""),
    CategoryKind.PERSON: ("张三", ""),
    CategoryKind.COMMUNITY: ("迎泽区柳巷街道某某社区", ""),
}


def sample_data(*, category: Category) -> rendering.CertificateData:
    """Sample content for a design preview: the category's wording and issuers, a sample holder."""
    competition = category.competition
    title, organization = SAMPLE_HOLDERS.get(category.kind, SAMPLE_HOLDERS[CategoryKind.PROJECT])
    holder, lines, salutation = holder_parts(kind=category.kind, title=title, organization=organization)
    return rendering.CertificateData(
        number=format_number(year=competition.year, code=category.code, serial=1, prefix=conf.number_prefix()),
        holder=holder,
        holder_lines=lines,
        salutation=salutation,
        body=wording(competition=competition, award_name=category.name),
        award=category.name,
        competition_title=competition.title,
        year=competition.year,
        date=timezone.localdate(),
        verify_url=f"{settings.SITE_URL.rstrip('/')}/verify/sample/",
        issuers=issuer_data(competition_id=competition.pk),
        category_code=category.code,
    )


def template_preview(*, category: Category) -> bytes:
    """A PDF of the category's current design with sample data (for the admin)."""
    data = sample_data(category=category)
    return render_certificate_pdf(data, design_for(category_id=category.pk))


@transaction.atomic
def sample_seals_attach(*, actor: User, competition: Competition) -> int:
    """Give every issuer without a seal a drawn specimen seal marked 样章 (the demo only)."""
    from .artwork import draw_seal

    require(is_office, actor)
    attached = 0
    for issuer in Issuer.objects.select_for_update().filter(competition=competition):
        if issuer.seal:
            continue
        issuer.seal.save(f"sample-seal-{issuer.pk}.png", ContentFile(draw_seal(issuer.name)), save=True)
        audit_record(actor=actor, action="issuer.sample_seal", obj=issuer, after={"seal": issuer.seal.name})
        attached += 1
    return attached
