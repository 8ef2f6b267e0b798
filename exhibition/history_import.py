"""Import of historic winners (往年表彰) into the exhibition: an .xlsx with one
winner per row, plus a ZIP of their photos matched by file name.

Columns (the template's): 年度, 奖项, 荣誉名称, 名称, 实施单位, 推荐单位, 简介,
志愿者（人）, 服务时长（小时）, 活动次数（次）, 数据截至, 数据来源, 照片, 照片说明.
A figure cell is written as the source writes it: "758", "10.41万余", "近百万";
近/约/超/逾 before and 余/多 after make it approximate. 照片 names files of the
ZIP, separated by "、", "," or ";".

A dry run checks every row (the same checks as the service, photos decoded)
and lists every problem by row; a real run creates every row through
``exhibit_historic_create`` (audited, recorded as past winners) in one
transaction, or nothing when any row is wrong.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django.db import transaction

from competition.exceptions import ApplicationError, ValidationFailed
from competition.models import User
from competition.rules import is_office, require
from nominations import past_winners
from nominations.spreadsheets.report import ImportResult, RowReport
from nominations.spreadsheets.table import TableColumn, read_table, template_workbook

from . import figures as figure_text
from . import source_services
from .services import OFFICE_ONLY

SHEET = "往年表彰"
TEMPLATE_NAME = "云展馆往年表彰（导入模板）.xlsx"
ZIP_MAX = 60 * 1024 * 1024
ZIP_MEMBERS_MAX = 300
PHOTO_MAX = 10 * 1024 * 1024
PREFIXES = ("超过", "近", "约", "超", "逾")
SUFFIXES = ("余", "多")

COLUMNS = [
    TableColumn("year", "年度", ("获评年度",), 8, 2019),
    TableColumn("award_code", "奖项", ("奖项名称",), 22, "最佳志愿服务组织"),
    TableColumn("award_name", "荣誉名称", ("荣誉",), 22, "最佳志愿服务组织"),
    TableColumn("title", "名称", ("项目名称", "组织名称", "名称（项目或组织）"), 30, "太原市城市综合管理服务指挥中心"),
    TableColumn("organization", "实施单位", ("单位",), 24, ""),
    TableColumn("unit_name", "推荐单位", (), 18, "市城管系统"),
    TableColumn("introduction", "简介", ("事迹", "事迹简介"), 40, "以“举手之劳”系列志愿服务项目服务城市管理。"),
    TableColumn("volunteers", "志愿者（人）", ("志愿者", "志愿者人数"), 12, 758),
    TableColumn("service_hours", "服务时长（小时）", ("服务时长", "志愿服务时长"), 14, "10.41万余"),
    TableColumn("activities", "活动次数（次）", ("活动次数",), 12, 3412),
    TableColumn("as_of", "数据截至", ("截至",), 12, "2022-12"),
    TableColumn("source", "数据来源", ("来源",), 24, "“太原志愿者”平台记录"),
    TableColumn("photos", "照片", ("照片文件",), 24, "centre-1.jpg"),
    TableColumn("caption", "照片说明", (), 24, "志愿者在街头清理小广告"),
]
FIGURE_COLUMNS = [("volunteers", "志愿者", "人"), ("service_hours", "志愿服务时长", "小时"), ("activities", "开展活动", "次")]
SPLIT = re.compile(r"[、,，;；\n]+")


def template() -> bytes:
    return template_workbook(
        SHEET,
        COLUMNS,
        [
            "云展馆往年表彰导入模板：每行一个本系统建立之前获评的项目、组织、志愿者或社区；照片放在另一个 ZIP 文件中，“照片”列写文件名。",
            "数据按来源的写法填写，如“758”“10.41万余”“近百万”；有数据时须填“数据截至”（如 2022-12）和“数据来源”。",
        ],
    )


@dataclass
class Photos:
    """The ZIP's images by lower-case file name (no directories), read lazily."""

    archive: zipfile.ZipFile | None = None
    names: dict[str, zipfile.ZipInfo] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)

    def read(self, name: str) -> bytes | None:
        info = self.names.get(name.lower())
        if info is None or self.archive is None:
            return None
        self.used.add(name.lower())
        return self.archive.read(info)


def open_photos(content: bytes | None) -> Photos:
    if not content:
        return Photos()
    if len(content) > ZIP_MAX:
        raise ValidationFailed(fields={"photos": [f"照片压缩包：不能超过 {ZIP_MAX // (1024 * 1024)} MB。"]})
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ValidationFailed(fields={"photos": ["照片压缩包：不是有效的 ZIP 文件。"]}) from exc
    if len(members) > ZIP_MEMBERS_MAX:
        raise ValidationFailed(fields={"photos": [f"照片压缩包：文件不能超过 {ZIP_MEMBERS_MAX} 个。"]})
    names = {}
    for info in members:
        if info.is_dir() or info.file_size > PHOTO_MAX:
            continue
        base = PurePosixPath(info.filename.replace("\\", "/")).name
        if base and not base.startswith((".", "__")):
            names[base.lower()] = info
    return Photos(archive=archive, names=names)


def split_figure(text) -> dict | None:
    """"10.41万余" -> prefix "", written "10.41万", suffix "余"; None when it is not a number."""
    raw = str(text).strip().replace(",", "").replace("，", "")
    prefix = next((p for p in PREFIXES if raw.startswith(p)), "")
    raw = raw[len(prefix):]
    suffix = next((s for s in SUFFIXES if raw.endswith(s)), "")
    raw = raw[: len(raw) - len(suffix)] if suffix else raw
    value = figure_text.parse_written(raw)
    if value is None:
        return None
    written = "" if re.fullmatch(r"\d+(\.\d+)?", raw) else raw
    return {"value": value, "written": written, "prefix": prefix, "suffix": suffix}


def _row_figures(values: dict, report: RowReport) -> list[dict]:
    out = []
    for name, label, unit in FIGURE_COLUMNS:
        raw = values.get(name)
        if raw is None:
            continue
        parts = split_figure(raw)
        if parts is None:
            report.add(name, f"{label}：“{raw}”不是数字（可写“758”“10.41万余”“近百万”）。")
            continue
        out.append({"label": label, "unit": unit, "as_of": values.get("as_of") or "", "source": values.get("source") or "", **parts})
    return out


def summary(result: ImportResult) -> str:
    wrong = len(result.wrong_rows)
    if result.errors or wrong:
        return f"共 {len(result.rows)} 行，其中 {wrong} 行有误" + (
            f"，另有 {len(result.errors)} 处文件问题" if result.errors else ""
        ) + "，未导入任何展品。"
    if not result.rows:
        return "文件中没有可导入的数据行。"
    if result.dry_run:
        return f"试运行：共 {len(result.rows)} 行，全部可以导入为往年展品；未写入任何数据。"
    return f"已导入 {len(result.created)} 个往年展品，并记入往年获奖名单。"


def import_history(*, actor: User, content: bytes, photos: bytes | None = None, dry_run: bool = True) -> ImportResult:
    """Import historic winners, or (dry run) report row by row what it would do."""
    require(is_office, actor, message=OFFICE_ONLY)
    rows, problems, _ignored = read_table(content, COLUMNS, required=("year", "award_code", "title"))
    archive = open_photos(photos)
    result = ImportResult(dry_run=dry_run, errors=list(problems))
    awards = past_winners.known_awards()
    seen: dict[tuple, int] = {}
    with transaction.atomic():
        for parsed in rows:
            values = parsed.values
            if isinstance(values.get("as_of"), dt.datetime):
                values["as_of"] = values["as_of"].date()
            report = RowReport(sheet=SHEET, row=parsed.row, title=str(values.get("title") or ""), cells=parsed.cells)
            result.rows.append(report)
            data = {k: ("" if values.get(k) is None else values[k]) for k in source_services.HISTORIC_FIELDS if k in values}
            try:
                source_services.clean_historic(data, awards=awards)
            except ValidationFailed as exc:
                for name, messages in exc.fields.items():
                    for message in messages:
                        report.add(name, message)
            figures = _row_figures(values, report)
            if figures and not values.get("as_of"):
                report.add("as_of", "数据截至：填写了数据时，请填写截至时间，如 2022-12。")
            elif figures and not isinstance(values["as_of"], dt.date) and figure_text.parse_as_of(str(values["as_of"])) is None:
                report.add("as_of", f"数据截至：“{values['as_of']}”不是年、年月或日期（如 2022-12）。")
            if figures and not values.get("source"):
                report.add("source", "数据来源：填写了数据时，请填写来源，如“太原志愿者”平台记录。")
            images = []
            for name in SPLIT.split(str(values.get("photos") or "")):
                name = name.strip()
                if not name:
                    continue
                data_bytes = archive.read(name)
                if data_bytes is None:
                    report.add("photos", f"照片：压缩包中没有“{name}”。" if archive.archive else f"照片：“{name}”需要随表上传照片压缩包（ZIP）。")
                    continue
                images.append((data_bytes, str(values.get("caption") or values.get("title") or "")))
            if images and not report.errors:
                try:
                    source_services._clean_photos(images, str(values.get("title") or ""))
                except ValidationFailed:
                    report.add("photos", "照片：不是可用的 JPEG 或 PNG 图片。")
            key = (str(values.get("year")), str(values.get("award_code")), str(values.get("title")))
            if key in seen:
                report.add("title", f"名称：与第 {seen[key]} 行重复（同一年度、同一奖项、同一名称）。")
            seen.setdefault(key, parsed.row)
            if report.errors:
                continue
            try:
                exhibit = source_services.exhibit_historic_create(actor=actor, data=data, figures=figures, photos=images)
            except ApplicationError as exc:
                report.add_refusal(exc)
                continue
            report.id = exhibit.pk
            result.created.append(exhibit.pk)
        if dry_run or result.errors or result.wrong_rows:
            transaction.set_rollback(True)  # a dry run, or a wrong row: nothing is written
            result.forget_writes()
    return result
