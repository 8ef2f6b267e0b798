"""Ranking exports: the .xlsx workbook and the PDF report, their contents and who may download them."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from competition import services as competition_services
from judging import aggregation, exports, services
from judging.models import Assignment, RankingEntry, RankingSnapshot, Scorecard
from judging.selectors import judge_codes
from judging.services.results import round_scorecards
from tests.factories import STRONG_PASSWORD
from tests.judging.conftest import accepted, api, judging_competition, make_judge, score_all

pytestmark = pytest.mark.django_db

JUDGE_NAMES = ["pingwei-zhao", "pingwei-qian", "pingwei-sun", "pingwei-li"]
HOSTILE = '=HYPERLINK("http://evil.example/","点我")'
MARKUP = "<b>雷锋</b> & 志愿者"


def xlsx_url(round_):
    return f"/api/v1/rounds/{round_.pk}/ranking/export.xlsx"


def pdf_url(round_):
    return f"/api/v1/rounds/{round_.pk}/ranking/report.pdf"


def points(judge_index: int, rank_of: int, criterion) -> Decimal:
    """Different judges, different points (criterion means are not whole numbers),
    except for the last two nominations: the same points from everyone, a tie."""
    spread = Decimal(judge_index % 3) / 2 if rank_of < 4 else Decimal(0)
    return max(Decimal(0), criterion.max_points - rank_of - spread)


@pytest.fixture
def scored(office, competition, category, units, round1):
    """Six projects (two with hostile titles), four judges, three judges each."""
    nominations = []
    for unit in units[3:6]:
        nominations += accepted(competition, category, unit, n=2)
    nominations[1].title = HOSTILE
    nominations[2].title = MARKUP
    for n in nominations[1:3]:
        n.save(update_fields=["title"])
    judges = [make_judge(username=name) for name in JUDGE_NAMES]
    for judge, display in zip(judges, ["赵评委", "钱评委", "孙评委", "李评委"], strict=True):
        judge.display_name = display
        judge.save(update_fields=["display_name"])
    services.assignments_auto(actor=office, round_=round1, seed=1)
    rank_of = {n.pk: min(i, 4) for i, n in enumerate(nominations)}
    index_of = {j.pk: i for i, j in enumerate(judges)}
    score_all(round1, lambda judge, nomination, c: points(index_of[judge.pk], rank_of[nomination.pk], c))
    return nominations


@pytest.fixture
def official(office, round1, scored):
    return services.round_close(actor=office, round_=round1)


def _workbook(content: bytes):
    return load_workbook(io.BytesIO(content))


def _rows(ws) -> list[list]:
    return [list(r) for r in ws.iter_rows(values_only=True)]


def _table(ws, first_header: str) -> tuple[list, list[list]]:
    """The first table of a sheet: its header row and the data rows under it (to the blank row)."""
    rows = _rows(ws)
    start = next(i for i, r in enumerate(rows) if r[0] == first_header)
    header = [v for v in rows[start] if v is not None]
    data = []
    for r in rows[start + 1 :]:
        if all(v is None for v in r):
            break
        data.append(r)
    return header, data


# --------------------------------------------------------------------------- .xlsx


def test_xlsx_sheets_header_and_ranking(observer, round1, official, category, scored):
    response = api(observer).get(xlsx_url(round1))
    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    wb = _workbook(response.content)
    assert wb.sheetnames == ["排名", "评委明细", "评委一致性"]

    # The header block, on every sheet.
    computed = official.computed_at.astimezone(exports.BEIJING).strftime("%Y-%m-%d %H:%M:%S")
    for ws in wb.worksheets:
        first = [r[0] for r in _rows(ws)[:8]]
        assert first[0] == round1.competition.title
        assert "轮次：初评" in first
        assert "计分方法：去掉一个最高分和一个最低分后平均" in first
        assert "结果性质：正式结果" in first
        assert f"计算时间：{computed}（北京时间）" in first
        assert f"输入校验和：{official.checksum}" in first
        assert exports.STALE_WARNING not in first

    criteria = list(category.criteria.order_by("order", "id"))
    header, data = _table(wb["排名"], "名次")
    assert header == [*exports.RANKING_HEADERS, *(c.name for c in criteria)]
    entries = {
        e.nomination.title: e
        for e in RankingEntry.objects.filter(snapshot=official).select_related("nomination")
    }
    assert len(data) == len(entries) == 6
    cards = round_scorecards(round1)[category.pk]
    means = aggregation.criterion_means(cards)
    col = {name: i for i, name in enumerate(header)}
    for row in data:
        entry = entries[row[col["名称"]]]
        assert row[col["名次"]] == entry.rank
        assert Decimal(str(row[col["得分"]])).quantize(Decimal("0.01")) == entry.score
        assert row[col["有效评分数"]] == entry.judges == 3
        assert row[col["推荐单位"]] == entry.nomination.unit.name
        assert row[col["奖项"]] == category.name
        assert row[col["并列"]] == ("是" if entry.tied else None)
        assert row[col["晋级"]] == ("是" if entry.advances else None)
        assert row[col["拟表彰"]] == ("是" if entry.proposed_winner else None)
        for c in criteria:
            value = row[col[c.name]]
            assert Decimal(str(value)).quantize(Decimal("0.01")) == means[entry.nomination_id][c.pk]
    # ranking order, and the proposed winners of the last round marked
    assert [r[col["名次"]] for r in data] == sorted(r[col["名次"]] for r in data)
    assert sum(1 for r in data if r[col["拟表彰"]] == "是") == category.award_quota
    # some criterion mean is not a whole number: the test means something
    assert any(v % 1 for m in means.values() for v in m.values())

    # the last two tie: same rank, both marked 并列, the next rank skipped
    tied = [r for r in data if r[col["并列"]] == "是"]
    assert len(tied) == 2 and tied[0][col["名次"]] == tied[1][col["名次"]] == 5
    assert sum(1 for e in entries.values() if e.tied) == 2

    # numbers are numbers, shown with two places
    numeric = [
        c
        for row in wb["排名"].iter_rows(min_col=col["得分"] + 1)
        for c in row
        if isinstance(c.value, int | float) and c.column != col["有效评分数"] + 1
    ]
    assert len(numeric) == 6 * (1 + len(criteria))
    assert {c.number_format for c in numeric} == {"0.00"}


def test_xlsx_text_stays_text(observer, round1, official):
    content = api(observer).get(xlsx_url(round1)).content
    ws = _workbook(content)["排名"]
    hostile = [c for row in ws.iter_rows() for c in row if c.value == HOSTILE]
    assert hostile and all(c.data_type == "s" for c in hostile)
    assert any(c.value == MARKUP for row in ws.iter_rows() for c in row)
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in z.read(name).decode(), name


def test_xlsx_judge_breakdown_uses_codes_only(observer, round1, official, category, scored):
    content = api(observer).get(xlsx_url(round1)).content
    wb = _workbook(content)
    criteria = list(category.criteria.order_by("order", "id"))
    header, data = _table(wb["评委明细"], "名次")
    assert header == [*exports.JUDGE_HEADERS, *(c.name for c in criteria)]
    col = {name: i for i, name in enumerate(header)}
    codes = judge_codes(round_=round1)
    submitted = Scorecard.objects.filter(assignment__round=round1, status="submitted").select_related(
        "assignment__nomination", "assignment__judge"
    )
    expected = {
        (s.assignment.nomination.title, codes[s.assignment.judge_id]): s for s in submitted
    }
    assert len(data) == len(expected) == 18
    for row in data:
        card = expected[(row[col["名称"]], row[col["评委"]])]
        assert re.fullmatch(r"J\d{2}", row[col["评委"]])
        assert Decimal(str(row[col["加权总分"]])).quantize(Decimal("0.01")) == card.total
        by_criterion = {s.criterion_id: s.points for s in card.scores.all()}
        for c in criteria:
            assert Decimal(str(row[col[c.name]])) == by_criterion[c.pk]

    # 评委一致性: Kendall's W and the judges, by code
    rows = _rows(wb["评委一致性"])
    w_row = next(r for r in rows if r[0] == "肯德尔和谐系数 W")
    stats = official.statistics[str(category.pk)]
    if stats["kendall_w"] is None:
        assert w_row[1] == "无法计算"
    else:
        assert w_row[1] == pytest.approx(stats["kendall_w"])
    header, data = _table(wb["评委一致性"], "评委")
    assert header == exports.AGREEMENT_HEADERS
    assert len(data) == len(stats["judges"]) == 4
    by_code = {codes[j["judge"]]: j for j in stats["judges"]}
    for row in data:
        j = by_code[row[0]]
        assert row[1] == j["count"]
        assert Decimal(str(row[2])).quantize(Decimal("0.01")) == Decimal(j["mean"])
        assert Decimal(str(row[3])).quantize(Decimal("0.01")) == Decimal(j["spread"])
        if j["severity"] is not None:
            assert Decimal(str(row[4])).quantize(Decimal("0.01")) == Decimal(j["severity"])
        assert row[5] == ("是" if j["far_from_consensus"] else None)

    # No judge's username or name anywhere in the file (every part of the zip).
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        text = "".join(z.read(name).decode("utf-8", "replace") for name in z.namelist())
    for name in [*JUDGE_NAMES, "赵评委", "钱评委", "孙评委", "李评委"]:
        assert name not in text


def test_method_and_snapshot_choice(office, round1, official):
    trial = services.snapshot_compute(round_=round1, method="mean")
    client = api(office)
    wb = _workbook(client.get(xlsx_url(round1), {"method": "mean"}).content)
    first = [r[0] for r in _rows(wb["排名"])[:8]]
    assert "计分方法：算术平均" in first
    assert "结果性质：试算" in first
    assert f"输入校验和：{trial.checksum}" in first

    wb = _workbook(client.get(xlsx_url(round1), {"snapshot": official.pk}).content)
    assert f"输入校验和：{official.checksum}" in [r[0] for r in _rows(wb["排名"])[:8]]

    for params in ({"method": "median"}, {"snapshot": 999999}, {"snapshot": "x"}):
        for url in (xlsx_url(round1), pdf_url(round1)):
            response = client.get(url, params)
            assert response.status_code == 404, (url, params)
            assert response["Content-Type"].startswith("application/json")
            assert "error" in response.json()


def test_changed_scorecards_are_flagged(office, round1, scored):
    snapshot = services.snapshot_compute(round_=round1, method="mean")
    a = Assignment.objects.filter(round=round1).order_by("id").first()
    services.scorecard_unlock(actor=office, assignment=a, reason="评委申请更正")
    wb = _workbook(exports.ranking_xlsx(RankingSnapshot.objects.get(pk=snapshot.pk)))
    assert exports.STALE_WARNING in [r[0] for r in _rows(wb["排名"])[:9]]


def test_round_without_entries_still_exports(office, observer, competition, round1):
    snapshot = services.snapshot_compute(round_=round1, method="mean")
    wb = _workbook(exports.ranking_xlsx(snapshot))
    assert wb.sheetnames == ["排名", "评委明细", "评委一致性"]
    assert "本轮尚无排名条目。" in [r[0] for r in _rows(wb["排名"])]
    assert exports.ranking_pdf(snapshot).startswith(b"%PDF")


# --------------------------------------------------------------------------- PDF


def _pdf_text(content: bytes, tmp_path) -> str:
    if shutil.which("pdftotext"):
        path = tmp_path / "report.pdf"
        path.write_bytes(content)
        return subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
        ).stdout
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_pdf_report(observer, round1, official, scored, tmp_path):
    response = api(observer).get(pdf_url(round1))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith(b"%PDF")

    from pypdf import PdfReader

    page = PdfReader(io.BytesIO(response.content)).pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(width), round(height)) == (595, 842)  # A4 portrait, in points

    text = _pdf_text(response.content, tmp_path)
    flat = re.sub(r"\s+", "", text)
    assert round1.competition.title in flat
    assert "初评排名结果" in flat
    assert "最佳志愿服务项目" in flat
    assert "去掉一个最高分和一个最低分后平均" in flat
    assert "正式结果" in flat
    first = RankingEntry.objects.filter(snapshot=official, rank=1).select_related("nomination").first()
    assert first.nomination.title in flat
    assert f"{first.score:.2f}" in flat
    assert re.sub(r"\s+", "", MARKUP) in flat  # escaped: printed as text, not markup
    assert "第1页" in flat
    assert official.checksum in flat
    for name in JUDGE_NAMES:
        assert name not in text


# --------------------------------------------------------------------------- visibility


def test_judges_and_units_get_404_observers_and_office_200(office, observer, round1, official, units):
    judge = Assignment.objects.filter(round=round1).first().judge
    officer = competition_services.user_create(
        actor=None, username="u1", password=STRONG_PASSWORD, role="officer", unit=units[3]
    )
    missing_body = api(judge).get("/api/v1/rounds/999999/ranking/export.xlsx").json()
    for user in (judge, officer):
        for url in (xlsx_url(round1), pdf_url(round1)):
            response = api(user).get(url, HTTP_ACCEPT=exports.XLSX_CONTENT_TYPE)
            assert response.status_code == 404, (user, url)
            assert response.json() == missing_body
    for user in (observer, office):
        assert api(user).get(xlsx_url(round1)).status_code == 200
        assert api(user).get(pdf_url(round1)).status_code == 200
    assert api().get(xlsx_url(round1)).status_code in (401, 403)


# --------------------------------------------------------------------------- queries


def _competition_with(office, *, year: int, count: int, judges_per_nomination: int = 3):
    competition = judging_competition(office, year=year, judges_per_nomination=judges_per_nomination)
    category = competition.categories.get(code="XM")
    round_ = competition.rounds.get(order=1)
    from competition.models import Unit

    units = list(Unit.objects.order_by("order"))
    for i in range(count):
        accepted(competition, category, units[3 + i % 6])
    services.assignments_auto(actor=office, round_=round_, seed=1)
    score_all(round_, lambda judge, nomination, c: c.max_points - (nomination.pk % 5))
    services.snapshot_compute(round_=round_, method="mean")
    return round_


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_constant_queries(office, observer):
    for i in range(4):
        make_judge(username=f"q{i}")
    small = _competition_with(office, year=2041, count=3)
    assert RankingEntry.objects.filter(snapshot__round=small).count() == 3
    big = _competition_with(office, year=2042, count=12)
    client = api(observer)
    assert RankingEntry.objects.filter(snapshot__round=big).count() == 12
    for url in (xlsx_url, pdf_url):
        counts = _queries(client, url(small)), _queries(client, url(big))
        assert counts[0] == counts[1] <= 12, counts


def test_kendall_w_is_a_number_when_every_judge_scored_everything(office, observer):
    for i in range(3):
        make_judge(username=f"w{i}")
    round_ = _competition_with(office, year=2043, count=4, judges_per_nomination=3)
    snapshot = RankingSnapshot.objects.get(round=round_)
    (stats,) = snapshot.statistics.values()
    assert stats["kendall_w"] is not None
    rows = _rows(_workbook(exports.ranking_xlsx(snapshot))["评委一致性"])
    w_row = next(r for r in rows if r[0] == "肯德尔和谐系数 W")
    assert w_row[1] == pytest.approx(stats["kendall_w"])
    header, data = _table(_workbook(exports.ranking_xlsx(snapshot))["评委一致性"], "评委")
    assert [r[0] for r in data] == ["J01", "J02", "J03"]
