"""Import a unit's 推荐汇总表 (.xlsx) into drafts, with a dry run.

    python manage.py import_nominations --competition 2022 --unit 140105 --file 小店区.xlsx --dry-run
    python manage.py import_nominations --competition 2022 --unit 140105 --file 小店区.xlsx

The rows become drafts of the unit, created through the same service as the
API (window, quota order, audit entries) and acting as the unit's officer
account: nominations belong to a unit and are written by its officer, so the
audit trail names that account (the command's run id goes into the entries'
request id). A unit with several officer accounts needs ``--user``.

Prints the row-by-row report in Chinese; writes nothing with ``--dry-run`` or
when any row is wrong (exit status 1).
"""

from __future__ import annotations

import uuid
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from competition import context
from competition.enums import Role
from competition.exceptions import ApplicationError
from competition.models import Competition, Unit, User
from nominations import spreadsheets


class Command(BaseCommand):
    help = "把推荐单位的推荐汇总表（.xlsx）导入为草稿；--dry-run 只检查并逐行报告。"

    def add_arguments(self, parser):
        parser.add_argument("--competition", required=True, help="推选活动的年度或编号")
        parser.add_argument("--unit", required=True, help="推荐单位代码（如 140105）")
        parser.add_argument("--file", required=True, help="推荐汇总表 .xlsx 文件")
        parser.add_argument("--dry-run", action="store_true", help="试运行：只检查，不写入")
        parser.add_argument("--user", help="以该单位的哪个管理员账号导入（单位有多个账号时必填）")

    def handle(self, *args, **options):
        try:
            competition = spreadsheets.resolve_competition(options["competition"])
        except Competition.DoesNotExist as exc:
            raise CommandError(f"未找到推选活动“{options['competition']}”。") from exc
        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(f"未找到代码为“{options['unit']}”的推荐单位。")
        actor = self._officer(unit, options.get("user"))

        path = Path(options["file"])
        try:
            size = path.stat().st_size
            if size > spreadsheets.MAX_FILE_SIZE:
                raise CommandError(
                    f"文件不能超过 {spreadsheets.MAX_FILE_SIZE // (1024 * 1024)} MB。"
                )
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件“{path}”：{exc}") from exc

        dry_run = options["dry_run"]
        token = context.set_current(
            context.RequestContext(request_id=f"import_nominations-{uuid.uuid4().hex[:12]}")
        )
        try:
            result = spreadsheets.import_workbook(
                actor=actor,
                competition=competition,
                content=content,
                dry_run=dry_run,
                progress=self._progress,
            )
        except ApplicationError as exc:
            details = [m for messages in exc.fields.values() for m in messages]
            raise CommandError("；".join(details) if details else exc.message) from exc
        finally:
            context.reset(token)

        self._report(result, unit, actor)
        if not result.valid:
            raise CommandError(result.summary())
        self.stdout.write(self.style.SUCCESS(result.summary()))

    def _officer(self, unit: Unit, username: str | None) -> User:
        officers = User.objects.filter(unit=unit, role=Role.OFFICER, is_active=True).order_by(
            "username"
        )
        if username:
            actor = officers.filter(username=username).first()
            if actor is None:
                raise CommandError(f"“{username}”不是{unit.name}的推荐单位管理员账号。")
            return actor
        found = list(officers[:10])
        if not found:
            raise CommandError(f"{unit.name}没有可用的推荐单位管理员账号，请先创建。")
        if len(found) > 1:
            names = "、".join(u.username for u in found)
            raise CommandError(f"{unit.name}有多个管理员账号（{names}），请用 --user 指定。")
        return found[0]

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // total if total else width
        bar = "█" * filled + "░" * (width - filled)
        self.stderr.write(f"\r检查并导入 [{bar}] {done}/{total}", ending="")
        if done == total:
            self.stderr.write("")
        if hasattr(self.stderr, "flush"):
            self.stderr.flush()

    def _report(self, result: spreadsheets.ImportResult, unit: Unit, actor: User) -> None:
        mode = "试运行（不写入）" if result.dry_run else "正式导入"
        self.stdout.write(f"{mode}：{unit.name}，操作账号 {actor.username}")
        for message in result.errors:
            self.stdout.write(self.style.ERROR(f"✗ {message}"))
        for sheet, headers in result.ignored_columns.items():
            self.stdout.write(f"· 工作表“{sheet}”中未识别、已忽略的列：{'、'.join(headers)}")
        for row in result.rows:
            where = f"{row.sheet} 第 {row.row} 行“{row.title or '（无名称）'}”"
            if row.errors:
                self.stdout.write(self.style.ERROR(f"✗ {where}："))
                for messages in row.errors.values():
                    for message in messages:
                        self.stdout.write(f"    - {message}")
            elif row.id is not None:
                self.stdout.write(f"✓ {where}：已创建草稿（编号 {row.id}）")
            else:
                self.stdout.write(f"✓ {where}：可以导入为草稿")
