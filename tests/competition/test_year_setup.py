"""The office's year setup (issue 13): copying a year, categories and per-unit quotas,
the rubric and rounds as a whole, issuers and seals. Every refusal changes nothing."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageDraw

from competition.enums import Phase
from competition.exceptions import Conflict, Forbidden, ValidationFailed
from competition.models import AuditEntry, Competition, Criterion, Issuer, QuotaOverride
from competition.setup import services
from competition.setup.seals import seal_problems
from tests.factories import competition_factory

pytestmark = pytest.mark.django_db

TZ = timezone.get_current_timezone()


def png(size=(400, 400), *, mode="RGBA", background=(0, 0, 0, 0), fmt="PNG") -> bytes:
    """A red ring on ``background``: a transparent seal by default."""
    image = Image.new(mode, size, background if mode == "RGBA" else background[:3])
    draw = ImageDraw.Draw(image)
    w, h = size
    draw.ellipse((w * 0.1, h * 0.1, w * 0.9, h * 0.9), outline=(200, 20, 30) + ((255,) if mode == "RGBA" else ()), width=max(4, w // 20))
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


@pytest.fixture
def year2022(office, unit):
    competition = competition_factory(
        year=2022,
        title="2022年度太原市学雷锋志愿服务先进典型推选",
        phase=Phase.ARCHIVED,
        nominations_open=dt.datetime(2022, 9, 1, 9, 0, tzinfo=TZ),
        nominations_close=dt.datetime(2022, 10, 31, 17, 0, tzinfo=TZ),
        judging_close=dt.datetime(2022, 11, 30, 17, 0, tzinfo=TZ),
        holidays=["2022-10-03"],
        workdays=["2022-10-08"],
        certificate_wording="在{year}年度……特发此证。",
    )
    first = competition.issuers.order_by("order").first()
    first.seal.save("seal-a.png", ContentFile(png()), save=True)
    QuotaOverride.objects.create(category=competition.categories.get(code="XM"), unit=unit, nomination_quota=5)
    round1 = competition.rounds.get(order=1)
    round1.deadline = dt.datetime(2022, 11, 15, 17, 0, tzinfo=TZ)
    round1.save()
    return competition


@pytest.fixture
def draft(office):
    return competition_factory(year=2031)


def structure(competition: Competition):
    return (
        [(c.code, c.name, c.kind, c.order, c.award_quota, c.nomination_quota_per_unit, c.min_years_running,
          c.min_volunteers, c.exclude_past_winners, c.hard_rules) for c in competition.categories.order_by("order")],
        [(k.category.code, k.name, k.max_points, k.weight, k.order, k.tie_break_rank, k.guidance)
         for k in Criterion.objects.filter(category__competition=competition).order_by("category__order", "order")],
        [(r.order, r.name, r.method, r.weight, r.judges_per_nomination, r.advance_per_category, r.blind,
          r.comment_required) for r in competition.rounds.order_by("order")],
        [(i.order, i.name) for i in competition.issuers.order_by("order")],
    )


# --------------------------------------------------------------------------- competition_copy


def test_copy_takes_the_structure_shifts_the_dates_and_leaves_the_calendar(office, year2022, unit):
    new = services.competition_copy(actor=office, source=year2022, year=2023)

    assert new.phase == Phase.DRAFT
    assert new.title == "2023年度太原市学雷锋志愿服务先进典型推选"
    assert structure(new) == structure(year2022)
    assert timezone.localtime(new.nominations_open) == dt.datetime(2023, 9, 1, 9, 0, tzinfo=TZ)
    assert timezone.localtime(new.judging_close) == dt.datetime(2023, 11, 30, 17, 0, tzinfo=TZ)
    assert timezone.localtime(new.rounds.get(order=1).deadline) == dt.datetime(2023, 11, 15, 17, 0, tzinfo=TZ)
    assert new.holidays == [] and new.workdays == []
    assert new.certificate_wording == year2022.certificate_wording
    override = QuotaOverride.objects.get(category__competition=new)
    assert (override.unit, override.nomination_quota, override.category.code) == (unit, 5, "XM")
    # The seal is copied into a file of its own, with the same picture.
    old_seal, new_seal = year2022.issuers.order_by("order")[0].seal, new.issuers.order_by("order")[0].seal
    assert new_seal.name != old_seal.name
    assert new_seal.read() == old_seal.read()
    entry = AuditEntry.objects.get(action="competition.copy")
    assert entry.actor == office and entry.after["source"] == 2022 and entry.object_id == str(new.pk)


def test_copy_across_several_years_moves_29_february_to_the_28th(office, year2022):
    year2022.nominations_open = dt.datetime(2020, 2, 29, 9, 0, tzinfo=TZ)
    year2022.save()
    new = services.competition_copy(actor=office, source=year2022, year=2025)
    assert timezone.localtime(new.nominations_open).date() == dt.date(2023, 2, 28)
    assert timezone.localtime(new.nominations_close).year == 2025


def test_copy_from_nothing_makes_an_empty_draft_year(office):
    new = services.competition_copy(actor=office, source=None, year=2040)
    assert new.phase == Phase.DRAFT and new.title.startswith("2040年度")
    assert not new.categories.exists() and not new.rounds.exists() and not new.issuers.exists()
    assert new.nominations_open < new.nominations_close <= new.judging_close


def test_copy_to_an_existing_year_is_refused_in_chinese_and_creates_nothing(office, year2022):
    before = (Competition.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationFailed) as caught:
        services.competition_copy(actor=office, source=year2022, year=2022)
    assert caught.value.fields["year"] == ["年度：2022 年度的推选活动已存在，不能重复创建。"]
    assert (Competition.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.parametrize("year", [1999, 2101, "abc"])
def test_copy_refuses_an_impossible_year(office, year2022, year):
    with pytest.raises(ValidationFailed) as caught:
        services.competition_copy(actor=office, source=year2022, year=year)
    assert caught.value.fields["year"][0].startswith("年度：")
    assert Competition.objects.count() == 1


def test_only_the_office_copies_a_year(observer, officer, year2022):
    for actor in (observer, officer):
        with pytest.raises(Forbidden):
            services.competition_copy(actor=actor, source=year2022, year=2023)
    assert Competition.objects.count() == 1


# --------------------------------------------------------------------------- quotas


def test_quota_overrides_set_clear_and_audit(office, draft, unit, other_unit):
    category = draft.categories.get(code="XM")
    assert services.quota_overrides_set(actor=office, category=category, values={unit.pk: 4, other_unit.pk: None}) == 1
    assert QuotaOverride.objects.get(category=category, unit=unit).nomination_quota == 4
    assert services.quota_overrides_set(actor=office, category=category, values={unit.pk: None}) == 1
    assert not QuotaOverride.objects.filter(category=category).exists()
    actions = list(AuditEntry.objects.filter(action="category.quota_overrides_set").values_list("after", flat=True))
    assert len(actions) == 2


def test_a_bad_quota_is_refused_naming_the_unit_and_changes_nothing(office, draft, unit, other_unit):
    category = draft.categories.get(code="XM")
    QuotaOverride.objects.create(category=category, unit=unit, nomination_quota=2)
    with pytest.raises(ValidationFailed) as caught:
        services.quota_overrides_set(actor=office, category=category, values={unit.pk: 6, other_unit.pk: 0})
    assert caught.value.fields[f"unit_{other_unit.pk}"] == [f"{other_unit.name}的推荐名额：应在 1 到 1000 之间（不单独设置请留空）。"]
    assert QuotaOverride.objects.get(category=category, unit=unit).nomination_quota == 2
    assert not AuditEntry.objects.filter(action="category.quota_overrides_set").exists()


def test_quotas_are_frozen_after_draft(office, unit):
    competition = competition_factory(year=2032, phase=Phase.NOMINATING)
    category = competition.categories.get(code="XM")
    with pytest.raises(Conflict) as caught:
        services.quota_overrides_set(actor=office, category=category, values={unit.pk: 4})
    assert "筹备阶段" in caught.value.message
    with pytest.raises(Conflict):
        services.quota_override_set(actor=office, category=category, unit=unit, nomination_quota=4)
    assert not QuotaOverride.objects.exists()


def test_category_save_adds_and_changes_a_category_in_draft(office, draft):
    data = {"code": "C1", "name": "最佳志愿服务品牌", "kind": "project", "order": 5, "award_quota": 3,
            "nomination_quota_per_unit": 1, "min_years_running": 2, "min_volunteers": 10,
            "exclude_past_winners": False, "hard_rules": ["past_winner"]}
    category = services.category_save(actor=office, competition=draft, data=data)
    assert category.competition == draft and category.hard_rules == ["past_winner"]
    services.category_save(actor=office, competition=draft, category=category, data={**data, "award_quota": 4})
    category.refresh_from_db()
    assert category.award_quota == 4
    with pytest.raises(ValidationFailed) as caught:
        services.category_save(actor=office, competition=draft, data={**data, "name": "另一个"})
    assert "code" in caught.value.fields or "__all__" in caught.value.fields
    assert draft.categories.count() == 5


# --------------------------------------------------------------------------- the rubric


def rows_of(category):
    return [
        {"name": c.name, "max_points": c.max_points, "weight": c.weight, "order": c.order,
         "tie_break_rank": c.tie_break_rank, "guidance": c.guidance}
        for c in category.criteria.order_by("order")
    ]


def test_rubric_set_replaces_the_rubric_when_it_totals_100(office, draft):
    category = draft.categories.get(code="XM")
    rows = rows_of(category)
    rows[0]["max_points"] = Decimal("10")
    rows[1]["max_points"] = Decimal("20")  # 10 + 20 instead of 15 + 15
    rows.append({"name": "宣传推广", "max_points": "5", "weight": "1", "order": None, "tie_break_rank": 2, "guidance": ""})
    rows[2]["max_points"] = Decimal("15")
    services.rubric_set(actor=office, category=category, rows=rows)
    criteria = list(category.criteria.order_by("order"))
    assert [c.name for c in criteria][-1] == "宣传推广"
    assert sum(c.points for c in criteria) == 100
    assert AuditEntry.objects.filter(action="category.rubric_set", object_id=str(category.pk)).count() == 1


def test_rubric_not_totalling_100_is_refused_naming_the_field_and_nothing_changes(office, draft):
    category = draft.categories.get(code="XM")
    before = rows_of(category)
    rows = rows_of(category)
    rows[0]["max_points"] = Decimal("10")
    with pytest.raises(ValidationFailed) as caught:
        services.rubric_set(actor=office, category=category, rows=rows)
    assert caught.value.message.startswith("评分标准合计 95 分，应为 100 分")
    assert "满分" in caught.value.fields["max_points"][0]
    assert rows_of(category) == before
    assert not AuditEntry.objects.filter(action="category.rubric_set").exists()


def test_rubric_weights_count_toward_the_total(office, draft):
    category = draft.categories.get(code="XM")
    rows = [
        {"name": "甲", "max_points": "10", "weight": "5", "tie_break_rank": None},
        {"name": "乙", "max_points": "25", "weight": "2", "tie_break_rank": None},
    ]
    services.rubric_set(actor=office, category=category, rows=rows)
    assert sorted(c.points for c in category.criteria.all()) == [Decimal("50"), Decimal("50")]


@pytest.mark.parametrize(
    ("change", "key", "text"),
    [
        ({1: {"name": "项目设计"}}, "rows[1].name", "第 2 行“名称”：与第 1 行重复。"),
        ({2: {"name": " "}}, "rows[2].name", "第 3 行“名称”：不能为空。"),
        ({0: {"max_points": "-15"}}, "rows[0].max_points", "第 1 行“满分”：必须大于 0。"),
        ({0: {"max_points": "七"}}, "rows[0].max_points", "第 1 行“满分”：请填写数字。"),
        ({0: {"weight": "1.005"}}, "rows[0].weight", "第 1 行“权重”：最多 2 位小数。"),
        ({4: {"tie_break_rank": 1}}, "rows[4].tie_break_rank", "第 5 行“同分比较顺序”：1 已用于第 4 行。"),
    ],
)
def test_rubric_row_errors_name_the_row_and_field(office, draft, change, key, text):
    category = draft.categories.get(code="XM")
    before = rows_of(category)
    rows = rows_of(category)
    for index, values in change.items():
        rows[index].update(values)
    with pytest.raises(ValidationFailed) as caught:
        services.rubric_set(actor=office, category=category, rows=rows)
    assert caught.value.fields[key] == [text]
    assert rows_of(category) == before


def test_rubric_is_frozen_after_draft_and_for_observers(office, observer):
    competition = competition_factory(year=2033, phase=Phase.NOMINATING)
    category = competition.categories.get(code="XM")
    before = rows_of(category)
    with pytest.raises(Conflict) as caught:
        services.rubric_set(actor=office, category=category, rows=before)
    assert "筹备阶段" in caught.value.message
    with pytest.raises(Forbidden):
        services.rubric_set(actor=observer, category=category, rows=before)
    assert rows_of(category) == before


# --------------------------------------------------------------------------- the rounds


def round_rows(competition):
    return [
        {k: getattr(r, k) for k in ("name", "method", "judges_per_nomination", "trim_min_judges",
                                    "advance_per_category", "weight", "blind", "comment_required", "deadline")}
        for r in competition.rounds.order_by("order")
    ]


def test_rounds_set_replaces_the_rounds_when_weights_sum_to_1(office, draft):
    rows = round_rows(draft)
    rows[0]["weight"], rows[1]["weight"] = Decimal("0.3"), Decimal("0.5")
    rows.append({**rows[1], "name": "路演", "weight": "0.2", "advance_per_category": None})
    services.rounds_set(actor=office, competition=draft, rows=rows)
    assert [(r.order, r.name, r.weight) for r in draft.rounds.order_by("order")] == [
        (1, "初评", Decimal("0.300")), (2, "终评", Decimal("0.500")), (3, "路演", Decimal("0.200"))
    ]
    assert AuditEntry.objects.filter(action="competition.rounds_set").count() == 1


def test_rounds_whose_weights_do_not_sum_to_1_are_refused_and_nothing_changes(office, draft):
    before = round_rows(draft)
    rows = round_rows(draft)
    rows[1]["weight"] = Decimal("0.5")
    with pytest.raises(ValidationFailed) as caught:
        services.rounds_set(actor=office, competition=draft, rows=rows)
    assert caught.value.message.startswith("各评审轮次权重合计为 0.9，应为 1")
    assert "weight" in caught.value.fields
    rows = round_rows(draft)
    rows[0]["judges_per_nomination"] = 0
    with pytest.raises(ValidationFailed) as caught:
        services.rounds_set(actor=office, competition=draft, rows=rows)
    assert caught.value.fields["rows[0].judges_per_nomination"] == ["第 1 轮“每件评委数”：应在 1 到 99 之间。"]
    assert round_rows(draft) == before
    assert not AuditEntry.objects.filter(action="competition.rounds_set").exists()


def test_rounds_are_frozen_after_draft(office):
    competition = competition_factory(year=2034, phase=Phase.JUDGING)
    before = round_rows(competition)
    with pytest.raises(Conflict):
        services.rounds_set(actor=office, competition=competition, rows=before)
    assert round_rows(competition) == before


# --------------------------------------------------------------------------- issuers and seals


def test_issuers_set_reorders_renames_adds_and_keeps_seals(office, draft):
    first, second = draft.issuers.order_by("order")
    first.seal.save("a.png", ContentFile(png()), save=True)
    services.issuers_set(
        actor=office,
        competition=draft,
        rows=[{"id": second.pk, "name": second.name}, {"id": first.pk, "name": "中共太原市委宣传部（改）"}, {"name": "共青团太原市委"}],
    )
    issuers = list(draft.issuers.order_by("order"))
    assert [(i.order, i.name) for i in issuers] == [
        (1, "太原市精神文明建设委员会办公室"), (2, "中共太原市委宣传部（改）"), (3, "共青团太原市委")
    ]
    assert issuers[1].seal.name == Issuer.objects.get(pk=first.pk).seal.name and issuers[1].seal


def test_issuers_with_a_repeated_name_are_refused_and_nothing_changes(office, draft):
    before = [(i.order, i.name) for i in draft.issuers.order_by("order")]
    with pytest.raises(ValidationFailed) as caught:
        services.issuers_set(actor=office, competition=draft, rows=[{"name": "甲"}, {"name": "甲"}])
    assert caught.value.fields["rows[1].name"] == ["第 2 个颁发单位“名称”：与第 1 个重复。"]
    assert [(i.order, i.name) for i in draft.issuers.order_by("order")] == before


def test_a_transparent_png_seal_is_fit():
    assert seal_problems(png()) == []


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (lambda: png(fmt="JPEG", mode="RGB", background=(255, 255, 255, 255)), "必须是 PNG 格式（当前为 JPEG 格式）"),
        (lambda: png(mode="RGB", background=(255, 255, 255, 255)), "没有透明通道"),
        (lambda: png(background=(255, 255, 255, 255)), "背景不透明（透明部分只占 0%）"),
        (lambda: png(size=(120, 120)), "宽和高都应在 200 到 2000 像素之间（当前 120×120）"),
        (lambda: png(size=(900, 300)), "应接近正方形"),
        (lambda: b"not an image", "无法识别的图片文件"),
        (lambda: b"", "文件是空的"),
        (lambda: png(background=(0, 0, 0, 0))[:0] + b"\x89PNG" + bytes(3 * 1024 * 1024), "文件不得超过 2.0 MB（当前 3.0 MB）"),
    ],
)
def test_seal_problems_name_each_failure(data, text):
    problems = seal_problems(data())
    assert any(text in p for p in problems), problems
    assert all(p.startswith("印章图片：") for p in problems)


def test_an_invisible_seal_is_refused():
    blank = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    out = io.BytesIO()
    blank.save(out, format="PNG")
    assert seal_problems(out.getvalue()) == ["印章图片：图片几乎完全透明，看不到印章图案。"]


def test_issuer_seal_upload_refuses_a_bad_seal_and_keeps_the_old_one(office, draft):
    issuer = draft.issuers.order_by("order").first()
    services.issuer_seal_upload(actor=office, issuer=issuer, upload=SimpleUploadedFile("s.png", png(), "image/png"))
    issuer.refresh_from_db()
    kept = issuer.seal.name
    assert kept and AuditEntry.objects.filter(action="issuer.seal_set").count() == 1
    with pytest.raises(ValidationFailed) as caught:
        services.issuer_seal_upload(
            actor=office, issuer=issuer,
            upload=SimpleUploadedFile("s.png", png(background=(255, 255, 255, 255)), "image/png"),
        )
    assert caught.value.fields["seal"][0].startswith("印章图片：背景不透明")
    issuer.refresh_from_db()
    assert issuer.seal.name == kept
    assert AuditEntry.objects.filter(action="issuer.seal_set").count() == 1


# --------------------------------------------------------------------------- the pages


def page_urls(competition):
    category = competition.categories.order_by("order").first()
    return [
        reverse("setup:new"),
        reverse("setup:categories", args=[competition.pk]),
        reverse("setup:category", args=[competition.pk, category.pk]),
        reverse("setup:rubric", args=[competition.pk, category.pk]),
        reverse("setup:rounds", args=[competition.pk]),
        reverse("setup:issuers", args=[competition.pk]),
        reverse("setup:dates", args=[competition.pk]),
    ]


def test_the_office_and_observers_read_the_pages_others_get_404(client, office, observer, officer, draft):
    for user, status in ((office, 200), (observer, 200), (officer, 404)):
        client.force_login(user)
        for url in page_urls(draft):
            assert client.get(url).status_code == status, (user, url)
    client.logout()
    assert client.get(page_urls(draft)[1]).status_code == 302


def test_an_observer_s_post_is_refused_with_403_and_changes_nothing(client, observer, draft):
    client.force_login(observer)
    before = structure(draft)
    response = client.post(reverse("setup:new"), {"year": "2050"})
    assert response.status_code == 403
    response = client.post(reverse("setup:rounds", args=[draft.pk]), {"rows-TOTAL_FORMS": "0", "rows-INITIAL_FORMS": "0"})
    assert response.status_code == 403
    assert structure(draft) == before and not Competition.objects.filter(year=2050).exists()


def test_the_pages_are_read_only_outside_draft(client, office):
    competition = competition_factory(year=2035, phase=Phase.NOMINATING)
    client.force_login(office)
    for url in page_urls(competition)[1:5]:
        body = client.get(url).content.decode()
        assert "只能在筹备阶段修改" in body and "本页只读" in body, url
        assert 'id="rubric-save"' not in body and 'id="rounds-save"' not in body


def test_the_rubric_page_shows_the_server_s_refusal(client, office, draft):
    category = draft.categories.get(code="XM")
    before = rows_of(category)
    client.force_login(office)
    data = {"rows-TOTAL_FORMS": str(len(before)), "rows-INITIAL_FORMS": str(len(before))}
    for i, row in enumerate(before):
        for key, value in row.items():
            data[f"rows-{i}-{key}"] = "" if value is None else str(value)
    data["rows-0-max_points"] = "10"
    response = client.post(reverse("setup:rubric", args=[draft.pk, category.pk]), data)
    assert response.status_code == 400
    assert "评分标准合计 95 分，应为 100 分" in response.content.decode()
    assert rows_of(category) == before
    data["rows-1-max_points"] = "20"
    response = client.post(reverse("setup:rubric", args=[draft.pk, category.pk]), data)
    assert response.status_code == 302
    assert category.criteria.get(name="组织管理").max_points == 20


def test_the_new_year_page_copies_and_redirects_to_the_categories(client, office, year2022):
    client.force_login(office)
    response = client.post(reverse("setup:new"), {"source": year2022.pk, "year": "2022"})
    assert response.status_code == 400 and "2022 年度的推选活动已存在" in response.content.decode()
    response = client.post(reverse("setup:new"), {"source": year2022.pk, "year": "2023"})
    new = Competition.objects.get(year=2023)
    assert response.status_code == 302 and response["Location"] == reverse("setup:categories", args=[new.pk])


def test_the_sample_certificate_preview_is_a_pdf(client, office, draft, officer):
    client.force_login(office)
    response = client.get(reverse("certificates:sample-pdf", args=[draft.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    client.force_login(officer)
    assert client.get(reverse("certificates:sample-pdf", args=[draft.pk])).status_code == 404


def test_the_console_lists_the_year_setup_pages_once(client, office, draft):
    client.force_login(office)
    body = client.get(reverse("judging:console:year", args=[draft.pk])).content.decode()
    for label in ("新建年度", "奖项与名额", "评分细则", "评审轮次", "颁发单位与印章"):
        assert label in body
    assert body.count("<h3>年度设置</h3>") == 1
    assert reverse("setup:new") in client.get(reverse("home")).content.decode()
