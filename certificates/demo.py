"""Demo certificates: once the demo year's results are final, the office issues its
honour certificates (the issuers get drawn seals marked 样章, since the demo has
no real ones), and ``make demo`` prints where the PDFs are. Idempotent: a second
run renders nothing already rendered."""

from __future__ import annotations

from django.conf import settings

from competition.enums import Phase
from competition.models import User

from . import selectors, services
from .enums import CertificateStatus
from .models import Certificate, CertificateBatch


def seed(ctx) -> None:
    competition = ctx.competition
    if competition is None or competition.phase != Phase.FINAL:
        return
    office = User.objects.get(username="office")
    services.sample_seals_attach(actor=office, competition=competition)
    certificates = Certificate.objects.filter(competition=competition)
    last = CertificateBatch.objects.filter(competition=competition).order_by("-created_at").first()
    if not certificates.exists() or certificates.filter(status=CertificateStatus.PENDING).exists() or last is None:
        batch = services.certificates_issue(actor=office, competition=competition, send=False)
        services.batch_send(batch_id=batch.pk)
        last = CertificateBatch.objects.get(pk=batch.pk)
    progress = selectors.batch_progress(batch=last)
    folder = settings.MEDIA_ROOT / "certificates" / str(competition.pk)
    example = certificates.filter(status=CertificateStatus.ISSUED).order_by("category__order", "serial").first()
    note = f"荣誉证书：{progress.done} 份已生成（{progress.failed} 份失败），PDF 在 {folder}/"
    if last.archive:
        note += f"，全部打包为 {settings.MEDIA_ROOT / last.archive.name}"
    else:
        note += f"（后台生成中，进度见 /certificates/batches/{last.pk}/）"
    if example is not None:
        note += f"；查验示例：{settings.SITE_URL.rstrip('/')}{example.verify_path}"
    ctx.notes.append(note + "。")
