"""Export a competition's 推荐汇总表 (.xlsx), as the office would from the API.

    python manage.py export_nominations --competition 2022 --output 推荐汇总表.xlsx
    python manage.py export_nominations --competition 2022 --unit 140105 --include-drafts --output x.xlsx

``--competition`` takes the year (or the id). Run on the server by an
administrator: every unit's nominations, or one unit's with ``--unit``.
Drafts and withdrawn nominations are left out; ``--include-drafts`` adds a
unit's drafts (only with ``--unit``, as in the API).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from competition.models import Competition, Unit
from nominations import spreadsheets
from nominations.models import Nomination


class Command(BaseCommand):
    help = "导出推选活动的推荐汇总表（.xlsx，每个奖项一个工作表）。"

    def add_arguments(self, parser):
        parser.add_argument("--competition", required=True, help="推选活动的年度或编号")
        parser.add_argument("--output", required=True, help="输出文件路径（.xlsx）")
        parser.add_argument("--unit", help="只导出该推荐单位（单位代码）的推荐")
        parser.add_argument(
            "--include-drafts", action="store_true", help="一并导出草稿（须同时指定 --unit）"
        )

    def handle(self, *args, **options):
        try:
            competition = spreadsheets.resolve_competition(options["competition"])
        except Competition.DoesNotExist as exc:
            raise CommandError(f"未找到推选活动“{options['competition']}”。") from exc
        unit = None
        rows = Nomination.objects.all()
        if options["unit"]:
            unit = Unit.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(f"未找到代码为“{options['unit']}”的推荐单位。")
            rows = rows.filter(unit=unit)
        elif options["include_drafts"]:
            raise CommandError("--include-drafts 只能与 --unit 一起使用（草稿只导出本单位的）。")
        rows = list(
            spreadsheets.export_queryset(
                rows, competition=competition, include_drafts=options["include_drafts"]
            )
        )
        content = spreadsheets.export_workbook(competition=competition, nominations=rows, unit=unit)
        output = Path(options["output"])
        try:
            output.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"无法写入文件“{output}”：{exc}") from exc
        sheets = competition.categories.count()
        self.stdout.write(
            self.style.SUCCESS(
                f"已导出 {competition.title}：{len(rows)} 项推荐，{sheets} 个工作表 → {output}"
            )
        )
