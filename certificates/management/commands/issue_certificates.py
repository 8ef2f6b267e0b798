"""``python manage.py issue_certificates <year>``: issue a competition's certificates with a progress bar.

The same work as the office's "颁发荣誉证书": a batch is queued through the
service; with workers (``REDIS_URL`` set) the command follows its progress,
without them (eager Celery) the renders run in this process. Either way the
terminal shows a progress bar, then where the PDFs and the ZIP are.
"""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from competition.enums import Role
from competition.exceptions import ApplicationError
from competition.models import Competition, User

from ... import selectors, services
from ...enums import FINISHED_BATCH_STATUSES
from ...models import CertificateBatch


def bar(done: int, failed: int, total: int, width: int = 30) -> str:
    finished = done + failed
    filled = width if not total else round(width * finished / total)
    percent = 100 if not total else round(100 * finished / total)
    return f"[{'#' * filled}{'.' * (width - filled)}] {finished}/{total} {percent:3d}%" + (
        f"（失败 {failed}）" if failed else ""
    )


class Command(BaseCommand):
    help = "为某年度推选活动全部已确定的表彰颁发荣誉证书（显示进度）。"

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="推选活动的年度，如 2022")
        parser.add_argument("--date", help="证书落款日期 YYYY-MM-DD（默认为结果确定之日）")
        parser.add_argument("--office", help="以哪个组委会办公室账号的名义颁发（默认第一个）")
        parser.add_argument("--timeout", type=int, default=3600, help="等待批次完成的最长秒数")
        parser.add_argument("--no-wait", action="store_true", help="只创建批次，不等待完成")

    def handle(self, *args, year, date, office, timeout, no_wait, **options):
        competition = Competition.objects.filter(year=year).first()
        if competition is None:
            raise CommandError(f"没有 {year} 年度的推选活动。")
        actors = User.objects.filter(role=Role.OFFICE, is_active=True).order_by("pk")
        actor = actors.filter(username=office).first() if office else actors.first()
        if actor is None:
            raise CommandError("没有可用的组委会办公室账号。")
        day = None
        if date:
            try:
                day = dt.date.fromisoformat(date)
            except ValueError as exc:
                raise CommandError("日期格式应为 YYYY-MM-DD。") from exc

        from ...tasks import render_certificate

        eager = bool(render_certificate.app.conf.task_always_eager)
        self.stdout.write(f"{competition.title}：正在颁发荣誉证书" + ("（本进程内生成）" if eager else "（由后台任务生成）"))
        started = time.monotonic()
        self._last = ""
        try:
            batch = services.certificates_issue(actor=actor, competition=competition, date=day, send=False)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc

        def show() -> None:
            progress = selectors.batch_progress(batch=batch)
            self._draw(bar(progress.done, progress.failed, progress.total))

        show()
        # Eagerly, each "send" renders one certificate: the bar moves with them.
        services.batch_send(batch_id=batch.pk, after_each=show if eager else None)
        if no_wait:
            self.stdout.write(f"已创建批次 #{batch.pk}，进度：/certificates/batches/{batch.pk}/")
            return
        deadline = started + timeout
        while True:
            batch = CertificateBatch.objects.get(pk=batch.pk)
            progress = selectors.batch_progress(batch=batch)
            self._draw(bar(progress.done, progress.failed, progress.total))
            if batch.status in FINISHED_BATCH_STATUSES:
                break
            if time.monotonic() > deadline:
                self.stdout.write("")
                raise CommandError(f"等待超时：批次 #{batch.pk} 仍在生成，可在 /certificates/batches/{batch.pk}/ 查看进度。")
            time.sleep(0.5)
        self.stdout.write("")
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"批次 #{batch.pk}：{progress.done} 份已生成，{progress.failed} 份失败，用时 {seconds:.1f} 秒。"
            )
        )
        for item in selectors.batch_failures(batch=batch):
            self.stdout.write(self.style.WARNING(f"  失败 {item.certificate.number} {item.certificate.holder}：{item.error}"))
        if batch.archive:
            self.stdout.write(f"全部证书（ZIP）：{settings.MEDIA_ROOT / batch.archive.name}")
        self.stdout.write(f"单份证书 PDF 目录：{settings.MEDIA_ROOT / 'certificates' / str(competition.pk)}")

    def _draw(self, line: str) -> None:
        if line == self._last:
            return
        self._last = line
        if self.stdout.isatty():
            self.stdout.write("\r" + line, ending="")
        else:
            self.stdout.write(line)
        self.stdout.flush()
