"""Past winners (issue 13 item 10): the office's list, its services and audit,
the .xlsx import with a dry run by row, and the eligibility check that uses it."""

from __future__ import annotations

import io

import pytest

from competition.exceptions import Conflict, Forbidden, ValidationFailed
from competition.models import AuditEntry
from nominations import past_winner_import, past_winners, services
from nominations.enums import Status
from nominations.models import PastWinner
from tests.nominations.conftest import make_nomination

pytestmark = pytest.mark.django_db

TREES = "举手之劳·为树木松绑拔刺"
CENTRE = "太原市城市综合管理服务指挥中心"


def record(office, **data):
    return past_winners.past_winner_create(
        actor=office,
        data={"year": 2019, "category_code": "XM", "title": TREES, "organization": CENTRE, "unit_name": "市城乡管理局"} | data,
    )


def workbook(rows, header=("年度", "奖项", "名称（项目或组织）", "单位", "推荐单位")) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["往年获奖名单"])
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------- services


def test_create_update_delete_are_audited(office, competition):
    winner = record(office)
    assert (winner.year, winner.category_code, winner.title) == (2019, "XM", TREES)
    assert winner.normalized_key == f"{TREES.replace('·', '')}|{CENTRE}".lower()
    created = AuditEntry.objects.get(action="past_winner.create")
    assert created.actor == office and created.after["title"] == TREES

    past_winners.past_winner_update(actor=office, winner=winner, data={"category_code": "最佳志愿服务项目", "year": "2018年"})
    winner.refresh_from_db()
    assert winner.year == 2018 and winner.category_code == "XM"  # an award given by its name
    updated = AuditEntry.objects.get(action="past_winner.update")
    assert updated.before["year"] == 2019 and updated.after["year"] == 2018

    past_winners.past_winner_delete(actor=office, winner=winner, reason="录入有误")
    assert not PastWinner.objects.exists()
    deleted = AuditEntry.objects.get(action="past_winner.delete")
    assert deleted.before["title"] == TREES and deleted.reason == "录入有误"


@pytest.mark.parametrize(
    ("data", "field", "text"),
    [
        ({"year": "去年"}, "year", "年度："),
        ({"year": 1900}, "year", "年度：应在"),
        ({"category_code": "最美奖"}, "category_code", "奖项：“最美奖”不是已知的奖项"),
        ({"title": "  ！ "}, "title", "名称："),
        ({"organization": "单" * 101}, "organization", "单位：不得超过 100 字"),
    ],
)
def test_a_bad_field_is_refused_by_name_and_nothing_changes(office, competition, data, field, text):
    entries = AuditEntry.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        record(office, **data)
    assert any(text in m for m in exc.value.fields[field])
    assert not PastWinner.objects.exists()
    assert AuditEntry.objects.count() == entries


def test_the_same_winner_twice_is_refused(office, competition):
    record(office)
    with pytest.raises(ValidationFailed) as exc:
        record(office, title=f" {TREES}！")  # normalised: the same
    assert "已记录" in exc.value.fields["title"][0]
    assert PastWinner.objects.count() == 1


def test_only_the_office_writes(officer, observer, office, competition):
    for user in (officer, observer):
        with pytest.raises(Forbidden):
            record(user)
    winner = record(office)
    with pytest.raises(Forbidden):
        past_winners.past_winner_delete(actor=observer, winner=winner)
    assert PastWinner.objects.count() == 1


# --------------------------------------------------------------------------- eligibility


def test_a_recorded_past_winner_is_refused_where_the_rule_is_hard(office, officer, competition, project_category):
    """XM lists past_winner among its hard rules: the nomination cannot be submitted."""
    from tests.nominations.conftest import attach_required

    record(office)
    nomination = make_nomination(officer, competition, project_category)
    attach_required(nomination)
    with pytest.raises(Conflict) as exc:
        services.nomination_submit(actor=officer, nomination=nomination)
    assert "已于 2019 年度获评“最佳志愿服务项目”" in exc.value.message
    nomination.refresh_from_db()
    assert nomination.status == Status.DRAFT


def test_a_recorded_past_winner_gets_the_warning_where_the_rule_is_soft(office, officer, competition, project_category):
    from nominations import eligibility

    project_category.hard_rules = []
    project_category.save()
    record(office, year=2020)
    nomination = make_nomination(officer, competition, project_category)
    warnings = {f.code: f.message for f in eligibility.check(nomination)}
    assert warnings["past_winner"] == "已于 2020 年度获评“最佳志愿服务项目”。"


# --------------------------------------------------------------------------- import


def test_the_dry_run_lists_every_problem_by_row_and_writes_nothing(office, competition):
    content = workbook(
        [
            (2019, "最佳志愿服务项目", TREES, CENTRE, "市城乡管理局"),
            ("前年", "最佳志愿服务项目", "某项目", "", ""),
            (2019, "优秀奖", "另一个项目", "", ""),
            (2019, "XM", f"{TREES}！", CENTRE, ""),  # the same as row 3
            (2019, "ZZ", "", "", ""),
        ]
    )
    result = past_winner_import.import_past_winners(actor=office, content=content, dry_run=True)
    by_row = {r.row: r.errors for r in result.rows}
    assert by_row[3] == {}
    assert by_row[4]["year"][0].startswith("年度：")
    assert "“优秀奖”不是已知的奖项" in by_row[5]["category_code"][0]
    assert "与第 3 行重复" in by_row[6]["title"][0]
    assert by_row[7]["title"][0].startswith("名称：")
    assert not result.valid
    assert past_winner_import.summary(result) == "共 5 行，其中 4 行有误，未导入任何记录。"
    # A real run of the same file writes nothing either.
    again = past_winner_import.import_past_winners(actor=office, content=content, dry_run=False)
    assert again.created == [] and not PastWinner.objects.exists()
    assert not AuditEntry.objects.filter(action="past_winner.create").exists()


def test_a_good_file_imports_and_skips_what_is_recorded(office, competition):
    record(office)
    content = workbook([(2019, "最佳志愿服务项目", TREES, CENTRE, ""), ("2019", "最佳志愿服务组织", CENTRE, "", "市城乡管理局")])
    dry = past_winner_import.import_past_winners(actor=office, content=content, dry_run=True)
    assert dry.valid and [r.action for r in dry.rows] == ["skip", "create"]
    assert PastWinner.objects.count() == 1
    result = past_winner_import.import_past_winners(actor=office, content=content, dry_run=False)
    assert len(result.created) == 1
    assert PastWinner.objects.filter(category_code="ZZ", title=CENTRE, unit_name="市城乡管理局").exists()
    assert past_winner_import.summary(result) == "已导入 1 条往年获奖记录，1 行已在名单中，已跳过。"


def test_a_file_without_the_header_is_reported(office, competition):
    result = past_winner_import.import_past_winners(actor=office, content=workbook([(1, 2)], header=("甲", "乙")), dry_run=True)
    assert result.errors and "未找到表头行" in result.errors[0]


def test_a_file_that_is_not_xlsx_is_refused(office, competition):
    with pytest.raises(ValidationFailed) as exc:
        past_winner_import.import_past_winners(actor=office, content=b"not a workbook", dry_run=True)
    assert exc.value.fields["file"][0].startswith("文件：")


def test_the_template_has_the_columns(office, client, competition):
    from openpyxl import load_workbook

    client.force_login(office)
    response = client.get("/nominations/past-winners/template.xlsx")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    headers = [c.value for c in ws[3]]
    assert headers == ["年度", "奖项", "名称（项目或组织）", "单位", "推荐单位"]


# --------------------------------------------------------------------------- pages


def test_the_page_lists_filters_and_records(office, observer, officer, client, competition):
    record(office)
    record(office, year=2018, title="另一个项目")
    client.force_login(office)
    page = client.get("/nominations/past-winners/?year=2019").content.decode()
    assert TREES in page and "另一个项目" not in page
    response = client.post(
        "/nominations/past-winners/",
        {"new-year": "2017", "new-category_code": "ZZ", "new-title": CENTRE, "new-organization": "", "new-unit_name": ""},
    )
    assert response.status_code == 302
    assert PastWinner.objects.filter(year=2017, category_code="ZZ").exists()
    bad = client.post("/nominations/past-winners/", {"new-year": "2017", "new-category_code": "ZZ", "new-title": CENTRE})
    assert bad.status_code == 200 and "已记录了“太原市城市综合管理服务指挥中心”" in bad.content.decode()

    client.force_login(observer)
    page = client.get("/nominations/past-winners/").content.decode()
    assert TREES in page and "记录往年获奖者" not in page
    assert client.post("/nominations/past-winners/", {"new-year": "2016"}).status_code == 403
    client.force_login(officer)
    assert client.get("/nominations/past-winners/").status_code == 404


def test_the_import_page_runs_a_dry_run(office, client, competition):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(office)
    content = workbook([(2019, "最佳志愿服务项目", TREES, CENTRE, ""), (2019, "奖", "x", "", "")])
    upload = SimpleUploadedFile("往年.xlsx", content)
    page = client.post("/nominations/past-winners/import/", {"file": upload, "action": "dry_run"}).content.decode()
    assert "第 4 行" in page and "“奖”不是已知的奖项" in page and "未导入任何记录" in page
    assert not PastWinner.objects.exists()
