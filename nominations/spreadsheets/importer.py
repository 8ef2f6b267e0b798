"""Importing a unit's 推荐汇总表 into drafts.

Every row goes through the nomination schema's validation (``schema.clean``:
types, lengths, formats, choices, the same rules as the form) and the same
service as the pages and the API (``services.nomination_create``: window,
own unit, order within the quota, dates, audit entry). Messages name the
field by its schema label, which is the column's header in the export. A
dry run and a real run execute the same code inside one transaction; the dry
run (and a real run with any wrong row) rolls it back, so nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from competition.exceptions import Conflict, ValidationFailed
from competition.models import Category, Competition, User
from competition.phases import nominations_window_refusal
from competition.rules import is_officer, require

from .. import schema, services
from .cells import convert
from .reader import ParsedRow, read_workbook
from .report import ImportResult, RowReport


def _validate_row(parsed: ParsedRow, report: RowReport) -> dict[str, Any] | None:
    """The row through the schema's validation: typed data for the service, or None with errors."""
    kind = parsed.category.kind
    data: dict[str, Any] = {}
    for name, (_header, _cell, raw) in parsed.values.items():
        value = convert(name, schema.label(kind, name), raw, report)
        if value is not None and value != []:
            data[name] = value
    if not str(data.get("title", "")).strip():
        report.add("title", f"{schema.label(kind, 'title')}：未填写，导入的每一行都必须有名称。")
    cleaned, errors = schema.clean(kind, data)
    for name, messages in errors.items():
        for message in messages:
            report.add(name, message)
    if report.errors:
        return None
    return cleaned


def import_workbook(
    *,
    actor: User,
    competition: Competition,
    content: bytes,
    dry_run: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import a unit's 推荐汇总表 as drafts of the actor's unit, or (dry run) report what it would do.

    Refuses (403) anyone but a unit officer, (409) outside the nomination
    window, (400) a file that is not a reasonable .xlsx. Otherwise returns the
    row-by-row report; when any row is wrong, or on a dry run, nothing is written.
    """
    require(is_officer, actor, message="只有推荐单位管理员可以导入本单位的推荐。")
    reason = nominations_window_refusal(competition, timezone.now())
    if reason:
        raise Conflict(reason, code="window_closed")

    categories = list(Category.objects.filter(competition=competition).order_by("order", "id"))
    parsed_rows, result = read_workbook(content, categories)
    result.dry_run = dry_run
    if not parsed_rows and not result.errors:
        result.errors.append(
            "文件：没有可导入的数据行（工作表名应为奖项名称，表头行之下每行一项推荐）。"
        )
    total = len(parsed_rows)

    with transaction.atomic():
        for done, parsed in enumerate(parsed_rows, start=1):
            title = parsed.values.get("title", (None, None, ""))[2]
            report = RowReport(
                sheet=parsed.sheet,
                row=parsed.row,
                title=str(title or ""),
                cells={name: cell for name, (_, cell, _) in parsed.values.items()},
            )
            result.rows.append(report)
            data = _validate_row(parsed, report)
            if data is not None:
                _create(actor, competition, parsed, data, report)
            if progress:
                progress(done, total)
        if dry_run or not result.valid:
            transaction.set_rollback(True)
            for report in result.rows:
                report.id = None
        else:
            result.created = [r.id for r in result.rows if r.id is not None]
    return result


def _create(
    actor: User, competition: Competition, parsed: ParsedRow, data: dict, report: RowReport
) -> None:
    try:
        with transaction.atomic():
            nomination = services.nomination_create(
                actor=actor, competition=competition, category=parsed.category, data=data
            )
    except ValidationFailed as exc:
        for name, messages in (exc.fields or {"non_field_errors": [exc.message]}).items():
            for message in messages:
                report.add(name, message)
        return
    except IntegrityError:
        report.add("non_field_errors", "与已有数据冲突，无法导入这一行。")
        return
    report.id = nomination.pk
