"""The .xlsx exchange: the 推荐汇总表 export, its import into drafts, the commands."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from urllib.parse import quote

import openpyxl
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from competition.enums import CategoryKind
from competition.models import AuditEntry, Unit
from nominations import spreadsheets
from nominations.enums import Status
from nominations.models import Nomination
from tests.factories import STRONG_PASSWORD
from tests.nominations.conftest import PROJECT, api, attach_required, make_nomination

pytestmark = pytest.mark.django_db

EXPORT = "/api/v1/nominations/export/"
IMPORT = "/api/v1/nominations/import/"
HEADER_ROW = spreadsheets.HEADER_ROW
# Fields a project row carries through the round trip.
PROJECT_FIELDS = [k for k in PROJECT if k != "pledge"] + ["pledge"]
ORGANIZATION = {
    "title": "太原市城市综合管理服务指挥中心志愿服务队",
    "organization": "太原市城市综合管理服务指挥中心",
    "registration": "2016年在太原市民政局备案",
    "founded_on": dt.date(2015, 6, 1),
    "field": "环境保护",
    "leader": "负责人",
    "volunteers": 758,
    "active_volunteers": 600,
    "brand_projects": ["举手之劳·为树木松绑拔刺", "举手之劳·清除城市牛皮癣"],
    "service_hours": 104100,
    "activities": 3412,
    "beneficiaries": 1000000,
    "system_building": "有招募、培训、记录、激励制度",
    "contact_name": "联系人",
    "contact_phone": "0351-4040404",
    "summary": "六年清除小广告近百万处。",
    "introduction": "城市管理志愿服务组织。",
    "honors": "2019年12月获评最佳志愿服务组织",
    "media_links": ["https://example.org/a", "https://example.org/b"],
    "pledge": True,
    "order": 1,
}


# --------------------------------------------------------------------------- helpers


def submitted_nomination(officer, competition, category, **fields) -> Nomination:
    from nominations import services

    nomination = make_nomination(officer, competition, category, **fields)
    attach_required(nomination)
    return services.nomination_submit(actor=officer, nomination=nomination)


def export(user, competition, **params) -> openpyxl.Workbook:
    response = api(user).get(EXPORT, {"competition": competition.pk, **params})
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == spreadsheets.XLSX_CONTENT_TYPE
    return openpyxl.load_workbook(io.BytesIO(response.content))


def header(ws) -> list[str]:
    return [c.value for c in ws[HEADER_ROW] if c.value is not None]


def data_rows(ws) -> list[dict]:
    names = header(ws)
    out = []
    for row in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True):
        if any(v is not None for v in row):
            out.append(dict(zip(names, row, strict=False)))
    return out


def xlsx_bytes(workbook: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(user, competition, content: bytes, dry_run=None, name="推荐汇总表.xlsx"):
    data = {
        "competition": competition.pk,
        "file": SimpleUploadedFile(name, content, content_type=spreadsheets.XLSX_CONTENT_TYPE),
    }
    if dry_run is not None:
        data["dry_run"] = "true" if dry_run else "false"
    return api(user).post(IMPORT, data, format="multipart")


def template(competition, office) -> openpyxl.Workbook:
    """An empty 推荐汇总表 of the competition (the export with no rows)."""
    content = spreadsheets.export_workbook(competition=competition, nominations=[])
    return openpyxl.load_workbook(io.BytesIO(content))


def write_row(ws, row: int, values: dict) -> None:
    names = header(ws)
    for name, value in values.items():
        ws.cell(row, names.index(name) + 1, value)


def counts():
    return Nomination.objects.count(), AuditEntry.objects.count()


@pytest.fixture
def exchange(competition, project_category, organization_category, officer, other_officer):
    """Submitted nominations of two units in both categories, plus drafts and a withdrawn one."""
    from nominations import services

    yingze_second = submitted_nomination(
        other_officer, competition, project_category, title="迎泽区第二项", order=2
    )
    yingze_first = submitted_nomination(
        other_officer, competition, project_category, title="迎泽区第一项", order=1
    )
    xiaodian = submitted_nomination(
        officer, competition, project_category, title="小店区项目", order=1
    )
    organization = submitted_nomination(officer, competition, organization_category, **ORGANIZATION)
    draft = make_nomination(officer, competition, project_category, title="小店区草稿", order=2)
    withdrawn = make_nomination(other_officer, competition, project_category, title="已撤回项目")
    services.nomination_withdraw(actor=other_officer, nomination=withdrawn)
    return {
        "project": [xiaodian, yingze_first, yingze_second],
        "organization": organization,
        "draft": draft,
        "withdrawn": withdrawn,
    }


# --------------------------------------------------------------------------- export


def test_export_has_a_sheet_per_category_with_title_header_and_rows_in_order(
    office, competition, exchange
):
    workbook = export(office, competition)

    assert workbook.sheetnames == ["最佳志愿服务项目", "最佳志愿服务组织"]
    ws = workbook["最佳志愿服务项目"]
    assert ws["A1"].value == f"{competition.title} 最佳志愿服务项目推荐汇总表"
    names = header(ws)
    assert names[:9] == [
        "序号",
        "推荐单位",
        "推荐排序",
        "项目名称",
        "实施单位",
        "服务领域",
        "启动时间",
        "运行年限",
        "志愿者人数",
    ]
    assert names[-4:] == ["联系人", "联系电话", "状态", "资格提示"]

    rows = data_rows(ws)
    # Unit order (小店区 1, 迎泽区 2), then the unit's preference order; no draft, no withdrawn.
    assert [(r["推荐单位"], r["推荐排序"], r["项目名称"]) for r in rows] == [
        ("太原市小店区", 1, "小店区项目"),
        ("太原市迎泽区", 1, "迎泽区第一项"),
        ("太原市迎泽区", 2, "迎泽区第二项"),
    ]
    assert [r["序号"] for r in rows] == [1, 2, 3]
    first = rows[0]
    assert first["启动时间"].date() == PROJECT["started_on"]
    assert first["运行年限"] == exchange["project"][0].years_running
    assert first["志愿者人数"] == 758
    assert first["联系电话"] == "13800000000"
    assert first["媒体报道"] == "https://example.org/report"
    assert first["诚信承诺"] == "是"
    assert first["状态"] == "已提交"

    organization = data_rows(workbook["最佳志愿服务组织"])
    assert [r["组织名称"] for r in organization] == [ORGANIZATION["title"]]
    assert organization[0]["品牌项目"] == "举手之劳·为树木松绑拔刺\n举手之劳·清除城市牛皮癣"
    assert organization[0]["成立时间"].date() == ORGANIZATION["founded_on"]


def test_export_headers_filename_and_observer_access(observer, competition, exchange):
    response = api(observer).get(EXPORT, {"competition": competition.pk})

    assert response.status_code == 200
    assert response["Content-Type"] == spreadsheets.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == (
        f"attachment; filename*=utf-8''{quote(competition.title + '推荐汇总表.xlsx')}"
    )
    assert response["X-Content-Type-Options"] == "nosniff"


def test_officer_export_contains_only_their_unit(officer, competition, exchange):
    workbook = export(officer, competition)

    rows = data_rows(workbook["最佳志愿服务项目"])
    assert [r["项目名称"] for r in rows] == ["小店区项目"]
    assert {r["推荐单位"] for r in rows} == {"太原市小店区"}
    assert "小店区" in workbook["最佳志愿服务项目"]["A2"].value

    with_drafts = data_rows(export(officer, competition, include_drafts=1)["最佳志愿服务项目"])
    assert [(r["项目名称"], r["状态"]) for r in with_drafts] == [
        ("小店区项目", "已提交"),
        ("小店区草稿", "草稿"),
    ]

    response = api(officer).get(EXPORT, {"competition": competition.pk})
    assert "%E5%B0%8F%E5%BA%97%E5%8C%BA" in response["Content-Disposition"]  # 小店区


def test_include_drafts_is_only_for_a_units_own_export(office, competition, exchange):
    response = api(office).get(EXPORT, {"competition": competition.pk, "include_drafts": 1})

    assert response.status_code == 400
    assert "include_drafts" in response.json()["error"]["fields"]


def test_export_refusals_use_the_one_error_shape(office, judge, competition):
    missing = api(office).get(EXPORT)
    assert missing.status_code == 400
    assert missing.json()["error"]["fields"]["competition"][0].startswith("推选活动：")

    assert api(office).get(EXPORT, {"competition": "abc"}).status_code == 400
    unknown = api(office).get(EXPORT, {"competition": 999999})
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "not_found"

    assert api(judge).get(EXPORT, {"competition": competition.pk}).status_code == 403
    assert api().get(EXPORT, {"competition": competition.pk}).status_code == 401


def test_export_errors_are_json_even_when_the_client_asks_for_xlsx(office):
    response = api(office).get(EXPORT, HTTP_ACCEPT=spreadsheets.XLSX_CONTENT_TYPE)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")


def test_export_text_is_never_a_formula(officer, office, competition, project_category):
    nomination = submitted_nomination(
        officer, competition, project_category, title='=HYPERLINK("x")'
    )
    Nomination.objects.filter(pk=nomination.pk).update(honors="#N/A")

    workbook = export(office, competition)
    cell = workbook["最佳志愿服务项目"].cell(HEADER_ROW + 1, 4)

    assert cell.value == '=HYPERLINK("x")'
    assert cell.data_type == "s"


def _many(competition, category, numbers: range) -> None:
    """Submitted nominations number ``numbers`` (two per unit), made directly: this is about reads."""
    units = list(Unit.objects.order_by("order", "code"))
    rows = []
    for i in numbers:
        unit = units[i // 2]
        rows.append(
            Nomination(
                competition=competition,
                category=category,
                unit=unit,
                order=i % 2 + 1,
                status=Status.SUBMITTED,
                submitted_at=timezone.now(),
                warnings=[{"code": "x", "message": "提示"}],
                **{k: v for k, v in PROJECT.items() if k != "order"},
            )
        )
    Nomination.objects.bulk_create(rows)


def test_export_runs_the_same_number_of_queries_for_1_and_for_30(
    office, competition, project_category
):
    client = api(office)
    _many(competition, project_category, range(0, 1))
    with CaptureQueriesContext(connection) as one:
        assert client.get(EXPORT, {"competition": competition.pk}).status_code == 200

    _many(competition, project_category, range(1, 30))
    with CaptureQueriesContext(connection) as thirty:
        response = client.get(EXPORT, {"competition": competition.pk})
        assert response.status_code == 200

    assert (
        len(data_rows(openpyxl.load_workbook(io.BytesIO(response.content))["最佳志愿服务项目"]))
        == 30
    )
    assert len(one) == len(thirty)


def test_officer_export_query_count_does_not_grow_either(officer, competition, project_category):
    client = api(officer)
    make_nomination(officer, competition, project_category)
    with CaptureQueriesContext(connection) as one:
        client.get(EXPORT, {"competition": competition.pk, "include_drafts": 1})
    for _ in range(9):
        make_nomination(officer, competition, project_category)
    with CaptureQueriesContext(connection) as ten:
        client.get(EXPORT, {"competition": competition.pk, "include_drafts": 1})

    assert len(one) == len(ten)


# --------------------------------------------------------------------------- import: round trip


def _same_values(source: Nomination, copy: Nomination, fields) -> None:
    for name in fields:
        assert getattr(copy, name) == getattr(source, name), name


def test_export_then_import_round_trip(office, competition, exchange, third_officer):
    content = api(office).get(EXPORT, {"competition": competition.pk}).content
    before = counts()

    dry = upload(third_officer, competition, content)
    assert dry.status_code == 200, dry.json()
    report = dry.json()
    assert report["dry_run"] is True
    assert report["valid"] is True, report
    assert report["created"] == 0
    assert [(r["sheet"], r["row"], r["action"], r["errors"]) for r in report["rows"]] == [
        ("最佳志愿服务项目", 4, "create", {}),
        ("最佳志愿服务项目", 5, "create", {}),
        ("最佳志愿服务项目", 6, "create", {}),
        ("最佳志愿服务组织", 4, "create", {}),
    ]
    assert report["rows"][0]["title"] == "小店区项目"
    assert counts() == before

    real = upload(third_officer, competition, content, dry_run=False)
    assert real.status_code == 201, real.json()
    assert real.json()["created"] == 4
    ids = real.json()["ids"]
    created = list(Nomination.objects.filter(pk__in=ids).order_by("id"))
    assert {n.unit_id for n in created} == {third_officer.unit_id}
    assert {n.status for n in created} == {Status.DRAFT}
    assert {n.created_by_id for n in created} == {third_officer.pk}

    sources = exchange["project"]
    for source, copy in zip(sources, created[:3], strict=True):
        _same_values(source, copy, PROJECT_FIELDS)
    _same_values(exchange["organization"], created[3], ORGANIZATION)
    assert created[3].category.kind == CategoryKind.ORGANIZATION
    # Each row went through the service: one audit entry per draft.
    assert (
        AuditEntry.objects.filter(
            action="nomination.create", object_id__in=[str(i) for i in ids]
        ).count()
        == 4
    )


@pytest.fixture
def third_officer(db):
    from competition import services as competition_services
    from competition.enums import Role

    return competition_services.user_create(
        actor=None,
        username="unit-140107",
        password=STRONG_PASSWORD,
        role=Role.OFFICER,
        unit=Unit.objects.get(code="140107"),
    )


def test_dry_run_is_the_default_and_writes_nothing(officer, office, competition, exchange):
    content = api(office).get(EXPORT, {"competition": competition.pk}).content
    before = counts()

    response = upload(officer, competition, content)  # no dry_run field at all

    assert response.status_code == 200
    assert response.json()["dry_run"] is True
    assert response.json()["valid"] is True
    assert counts() == before


# --------------------------------------------------------------------------- import: bad rows


def _bad_file(competition, office) -> bytes:
    workbook = template(competition, office)
    ws = workbook["最佳志愿服务项目"]
    good = {
        "推荐排序": 1,
        "项目名称": "好的一行",
        "实施单位": "某单位",
        "服务领域": "为老服务",
        "启动时间": "2018-05-01",
        "志愿者人数": 50,
        "联系电话": "13900000000",
        "项目简介": "简介",
        "诚信承诺": "是",
    }
    write_row(ws, HEADER_ROW + 1, good)
    write_row(
        ws,
        HEADER_ROW + 2,
        {
            **good,
            "推荐排序": 2,
            "项目名称": "坏的一行",
            "联系电话": "12345",
            "项目简介": "长" * 301,
            "服务领域": "火星探索",
        },
    )
    return xlsx_bytes(workbook)


def test_a_bad_row_is_reported_with_chinese_messages_naming_the_column(
    officer, office, competition
):
    content = _bad_file(competition, office)
    before = counts()

    report = upload(officer, competition, content, dry_run=True).json()

    assert report["valid"] is False
    good, bad = report["rows"]
    assert good["errors"] == {} and good["title"] == "好的一行"
    assert bad["row"] == HEADER_ROW + 2 and bad["title"] == "坏的一行"
    assert set(bad["errors"]) == {"contact_phone", "introduction", "field"}
    assert bad["errors"]["contact_phone"] == ["联系电话：请填写 11 位手机号码或带区号的固定电话。"]
    assert bad["errors"]["introduction"][0].startswith("项目简介：")
    assert "300" in bad["errors"]["introduction"][0]
    assert bad["errors"]["field"][0].startswith("服务领域：")
    assert "火星探索" in bad["errors"]["field"][0]
    assert counts() == before

    real = upload(officer, competition, content, dry_run=False)
    assert real.status_code == 400
    error = real.json()["error"]
    assert error["code"] == "import_invalid"
    assert "1 行有误" in error["message"]
    letter = openpyxl.utils.get_column_letter(
        spreadsheets.COLUMNS[CategoryKind.PROJECT].index(
            next(
                c for c in spreadsheets.COLUMNS[CategoryKind.PROJECT] if c.field == "contact_phone"
            )
        )
        + 1
    )
    assert error["fields"][f"最佳志愿服务项目!{letter}{HEADER_ROW + 2}"] == [
        "联系电话：请填写 11 位手机号码或带区号的固定电话。"
    ]
    assert counts() == before  # the good row was not created either


def test_service_rules_are_reported_per_row_too(officer, office, competition):
    workbook = template(competition, office)
    ws = workbook["最佳志愿服务项目"]
    write_row(
        ws,
        HEADER_ROW + 1,
        {"推荐排序": 9, "项目名称": "排序超出名额", "志愿者人数": 5, "经常参与志愿者人数": 10},
    )
    write_row(ws, HEADER_ROW + 2, {"项目名称": "未来的项目", "启动时间": dt.date(2999, 1, 1)})
    write_row(ws, HEADER_ROW + 3, {"推荐排序": 1, "联系人": "没有名称"})

    rows = upload(officer, competition, xlsx_bytes(workbook)).json()["rows"]

    assert rows[0]["errors"]["order"] == ["推荐排序：应在 1 到 2（本单位该奖项名额）之间。"]
    assert rows[0]["errors"]["active_volunteers"] == ["经常参与志愿者人数：不能多于志愿者人数。"]
    assert rows[1]["errors"]["started_on"] == ["启动时间：不能晚于今天。"]
    assert rows[2]["errors"]["title"][0].startswith("项目名称：")


def test_hand_made_sheet_with_other_cell_types(officer, competition, organization_category):
    """Header on row 1, Excel dates and date strings, numbers as text, lists split by 、."""
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = "最佳志愿服务组织"
    ws.append(
        [
            "组织名称",
            "成立时间",
            "注册志愿者数",
            "经常参与志愿者数",
            "品牌项目",
            "联系电话",
            "诚信承诺",
            "媒体报道",
            "备注",
        ]
    )
    ws.append(
        [
            "甲组织",
            dt.datetime(2015, 6, 1),
            "1,200",
            800,
            "甲项目、乙项目",
            13800000000,
            "是",
            "https://a.org/1、https://a.org/2",
            "x",
        ]
    )
    ws.append(
        ["乙组织", "2016年7月2日", 30.0, None, "丙项目\n丁项目", "0351-1234567", "否", None, None]
    )
    ws.append([None] * 9)  # empty rows are skipped
    ws.append(["丙组织", "2016/07/02", 30, 10, "戊项目；己项目", None, None, None, None])

    response = upload(officer, competition, xlsx_bytes(workbook), dry_run=False)

    assert response.status_code == 201, response.json()
    assert response.json()["ignored_columns"] == {"最佳志愿服务组织": ["备注"]}
    first, second, third = Nomination.objects.filter(pk__in=response.json()["ids"]).order_by("id")
    assert first.founded_on == dt.date(2015, 6, 1)
    assert first.volunteers == 1200
    assert first.brand_projects == ["甲项目", "乙项目"]
    assert first.contact_phone == "13800000000"
    assert first.pledge is True and first.pledged_at is not None
    assert first.media_links == ["https://a.org/1", "https://a.org/2"]
    assert second.founded_on == dt.date(2016, 7, 2)
    assert second.volunteers == 30
    assert second.brand_projects == ["丙项目", "丁项目"]
    assert second.pledge is False
    assert third.founded_on == dt.date(2016, 7, 2)
    assert third.brand_projects == ["戊项目", "己项目"]
    assert third.category_id == organization_category.pk


def test_dates_typed_as_numbers(officer, competition, project_category):
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = "最佳志愿服务项目"
    ws.append(["推荐排序", "项目名称", "启动时间", "联系电话"])
    ws.append([1, "序列号日期", 42434, None])  # an Excel serial without a date format
    ws.append([1, "八位数字", 20160305, None])
    ws.append([1, "只有年份", 2016, None])

    rows = upload(officer, competition, xlsx_bytes(workbook), dry_run=True).json()["rows"]

    assert rows[0]["errors"] == {} and rows[1]["errors"] == {}
    assert rows[2]["errors"]["started_on"][0].startswith("启动时间：")
    workbook["最佳志愿服务项目"].delete_rows(4)
    ids = upload(officer, competition, xlsx_bytes(workbook), dry_run=False).json()["ids"]
    assert set(Nomination.objects.filter(pk__in=ids).values_list("started_on", flat=True)) == {
        dt.date(2016, 3, 5)
    }


def test_a_wrong_dimension_in_the_file_does_not_drop_rows(officer, competition, project_category):
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = "最佳志愿服务项目"
    ws.append(["推荐排序", "项目名称", "联系电话"])
    for i in range(3):
        ws.append([1, f"项目{i}", "13800000000"])
    archive = zipfile.ZipFile(io.BytesIO(xlsx_bytes(workbook)))
    members = {n: archive.read(n) for n in archive.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    assert b'<dimension ref="A1:C4" />' in members[sheet]
    members[sheet] = members[sheet].replace(
        b'<dimension ref="A1:C4" />', b'<dimension ref="A1:C2" />'
    )

    rows = upload(officer, competition, _zip(members)).json()["rows"]

    assert [r["title"] for r in rows] == ["项目0", "项目1", "项目2"]


def test_bad_dates_links_and_pledge_name_their_columns(officer, competition, project_category):
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = "最佳志愿服务项目"
    ws.append(
        [
            "推荐排序",
            "项目名称",
            "启动时间",
            "志愿者人数",
            "媒体报道",
            "诚信承诺",
            "受益人数（人次）",
        ]
    )
    ws.append(["一", "甲", "去年春天", 12.5, "不是链接", "也许", 10**20])

    errors = upload(officer, competition, xlsx_bytes(workbook)).json()["rows"][0]["errors"]

    assert errors["order"][0].startswith("推荐排序：")
    assert errors["started_on"][0].startswith("启动时间：")
    assert errors["volunteers"][0].startswith("志愿者人数：")
    assert errors["media_links"][0].startswith("媒体报道：")
    assert errors["pledge"] == ["诚信承诺：应填写“是”或“否”。"]
    assert errors["beneficiaries"][0].startswith("受益人数（人次）：")


def test_unit_and_status_columns_are_ignored(officer, office, competition, exchange):
    """An export of another unit (推荐单位, 状态 filled) imports into the officer's own unit as drafts."""
    content = api(office).get(EXPORT, {"competition": competition.pk}).content

    ids = upload(officer, competition, content, dry_run=False).json()["ids"]

    assert set(Nomination.objects.filter(pk__in=ids).values_list("unit_id", "status")) == {
        (officer.unit_id, Status.DRAFT)
    }


def test_unknown_sheet_and_missing_header_are_reported(officer, competition):
    workbook = openpyxl.Workbook()
    workbook.active.title = "最佳志愿服务组织"
    workbook.active.append(["随便", "什么"])
    workbook.active.append(["甲", "乙"])
    other = workbook.create_sheet("最佳火星项目")
    other.append(["项目名称", "推荐排序", "联系电话"])
    other.append(["甲", 1, "13800000000"])
    workbook.create_sheet("空白")

    report = upload(officer, competition, xlsx_bytes(workbook)).json()

    assert report["valid"] is False
    assert report["rows"] == []
    assert any("最佳火星项目" in e and "最佳志愿服务项目" in e for e in report["errors"])
    assert any("最佳志愿服务组织" in e and "表头" in e for e in report["errors"])
    assert not any("空白" in e for e in report["errors"])


def test_an_empty_file_is_not_valid(officer, office, competition):
    response = upload(
        officer, competition, xlsx_bytes(template(competition, office)), dry_run=False
    )

    assert response.status_code == 400
    assert "没有可导入的数据行" in response.json()["error"]["fields"]["file"][0]


# --------------------------------------------------------------------------- import: hostile files


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content",
    [
        b"\xe5\xba\x8f\xe5\x8f\xb7,\xe9\xa1\xb9\xe7\x9b\xae\xe5\x90\x8d\xe7\xa7\xb0\n1,x\n",  # a CSV
        b"%PDF-1.4\n%%EOF\n",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100,  # an old .xls
        b"PK\x03\x04 truncated",
        pytest.param(None, id="zip-without-workbook"),
        pytest.param("broken", id="xlsx-with-broken-xml"),
    ],
)
def test_non_xlsx_uploads_are_refused_with_400(officer, office, competition, content):
    if content is None:
        content = _zip({"hello.txt": b"hello"})
    elif content == "broken":
        good = zipfile.ZipFile(io.BytesIO(xlsx_bytes(template(competition, office))))
        content = _zip(
            {
                n: (b"<not xml" if n.endswith("sheet1.xml") else good.read(n))
                for n in good.namelist()
            }
        )
    before = counts()

    response = upload(officer, competition, content, dry_run=False)

    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert error["code"] == "invalid_file"
    assert error["fields"]["file"][0].startswith("文件：")
    assert counts() == before


def test_a_zip_bomb_is_refused_before_parsing(officer, competition):
    content = _zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b" " * (70 * 1024 * 1024)})
    assert len(content) < spreadsheets.MAX_FILE_SIZE

    response = upload(officer, competition, content)

    assert response.status_code == 400
    assert "过大" in response.json()["error"]["message"]


def test_files_over_5_mb_are_refused(officer, competition):
    response = upload(officer, competition, b"PK\x03\x04" + b"\0" * (5 * 1024 * 1024))

    assert response.status_code == 400
    assert "5 MB" in response.json()["error"]["fields"]["file"][0]


def test_more_than_500_rows_are_refused(officer, office, competition):
    workbook = template(competition, office)
    ws = workbook["最佳志愿服务项目"]
    for i in range(spreadsheets.MAX_ROWS + 1):
        write_row(ws, HEADER_ROW + 1 + i, {"项目名称": f"项目{i}"})

    response = upload(officer, competition, xlsx_bytes(workbook))

    assert response.status_code == 400
    assert "500" in response.json()["error"]["message"]


# --------------------------------------------------------------------------- import: who and when


def test_import_is_for_unit_officers_only(office, judge, observer, competition, exchange):
    content = api(office).get(EXPORT, {"competition": competition.pk}).content

    assert upload(office, competition, content).status_code == 403
    assert upload(observer, competition, content).status_code == 403
    assert upload(judge, competition, content).status_code == 403
    assert upload(None, competition, content).status_code == 401


def test_import_needs_a_known_competition(officer, office, competition):
    content = xlsx_bytes(template(competition, office))
    client = api(officer)

    missing = client.post(
        IMPORT, {"file": SimpleUploadedFile("a.xlsx", content)}, format="multipart"
    )
    assert missing.status_code == 400
    assert "competition" in missing.json()["error"]["fields"]
    unknown = client.post(
        IMPORT,
        {"competition": 999999, "file": SimpleUploadedFile("a.xlsx", content)},
        format="multipart",
    )
    assert unknown.status_code == 404
    no_file = client.post(IMPORT, {"competition": competition.pk}, format="multipart")
    assert no_file.status_code == 400
    assert no_file.json()["error"]["fields"]["file"][0].startswith("文件：")


@pytest.mark.parametrize("dry_run", [True, False])
def test_import_after_the_window_closes_is_409(officer, office, competition, exchange, dry_run):
    content = api(office).get(EXPORT, {"competition": competition.pk}).content
    before = counts()

    with time_machine.travel(competition.nominations_close + dt.timedelta(seconds=1)):
        response = upload(officer, competition, content, dry_run=dry_run)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "window_closed"
    assert "截止" in response.json()["error"]["message"]
    assert counts() == before


# --------------------------------------------------------------------------- commands


def test_export_command_writes_the_workbook(competition, exchange, tmp_path):
    output = tmp_path / "汇总.xlsx"
    out = io.StringIO()

    call_command(
        "export_nominations",
        "--competition",
        str(competition.year),
        "--output",
        str(output),
        stdout=out,
    )

    workbook = openpyxl.load_workbook(output)
    assert workbook.sheetnames == ["最佳志愿服务项目", "最佳志愿服务组织"]
    assert len(data_rows(workbook["最佳志愿服务项目"])) == 3
    assert "4 项推荐" in out.getvalue()

    call_command(
        "export_nominations",
        "--competition",
        str(competition.pk),
        "--unit",
        "140105",
        "--include-drafts",
        "--output",
        str(output),
        stdout=io.StringIO(),
    )
    rows = data_rows(openpyxl.load_workbook(output)["最佳志愿服务项目"])
    assert [r["项目名称"] for r in rows] == ["小店区项目", "小店区草稿"]

    with pytest.raises(CommandError):
        call_command("export_nominations", "--competition", "1999", "--output", str(output))


def test_import_command_dry_run_then_real_run(office, officer, competition, exchange, tmp_path):
    path = tmp_path / "import.xlsx"
    path.write_bytes(api(office).get(EXPORT, {"competition": competition.pk}).content)
    before = counts()
    out, err = io.StringIO(), io.StringIO()

    call_command(
        "import_nominations",
        "--competition",
        str(competition.year),
        "--unit",
        "140105",
        "--file",
        str(path),
        "--dry-run",
        stdout=out,
        stderr=err,
    )

    assert counts() == before
    text = out.getvalue()
    assert "试运行" in text
    assert "最佳志愿服务项目 第 4 行“小店区项目”：可以导入为草稿" in text
    assert "4/4" in err.getvalue()  # the progress bar

    out = io.StringIO()
    call_command(
        "import_nominations",
        "--competition",
        str(competition.year),
        "--unit",
        "140105",
        "--file",
        str(path),
        stdout=out,
        stderr=io.StringIO(),
    )
    assert "已导入 4 项推荐" in out.getvalue()
    entries = AuditEntry.objects.filter(action="nomination.create").order_by("-id")[:4]
    assert {e.actor_id for e in entries} == {officer.pk}
    assert all(e.request_id.startswith("import_nominations-") for e in entries)


def test_import_command_reports_bad_rows_and_fails(officer, office, competition, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(_bad_file(competition, office))
    before = counts()
    out = io.StringIO()

    with pytest.raises(CommandError, match="1 行有误"):
        call_command(
            "import_nominations",
            "--competition",
            str(competition.year),
            "--unit",
            "140105",
            "--file",
            str(path),
            stdout=out,
            stderr=io.StringIO(),
        )

    assert "联系电话：请填写 11 位手机号码或带区号的固定电话。" in out.getvalue()
    assert counts() == before


def test_import_command_needs_one_officer_account(officer, second_officer, competition, tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"not used")

    with pytest.raises(CommandError, match="--user"):
        call_command(
            "import_nominations",
            "--competition",
            str(competition.year),
            "--unit",
            "140105",
            "--file",
            str(path),
        )
    with pytest.raises(CommandError, match="没有可用的推荐单位管理员"):
        call_command(
            "import_nominations",
            "--competition",
            str(competition.year),
            "--unit",
            "140110",
            "--file",
            str(path),
        )
    with pytest.raises(CommandError, match="不是 .xlsx"):
        call_command(
            "import_nominations",
            "--competition",
            str(competition.year),
            "--unit",
            "140105",
            "--user",
            officer.username,
            "--file",
            str(path),
        )
