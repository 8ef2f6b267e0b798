"""The competition contract: create in one request, read back the same names, PATCH rules."""

import copy
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from competition.enums import Phase
from competition.models import (
    AuditEntry,
    Category,
    Competition,
    Criterion,
    Issuer,
    Round,
)
from tests.factories import api_client, competition_factory, competition_payload

from .utils import assert_error

pytestmark = pytest.mark.django_db

# Exactly the request of issue 2 ("as clients will send it").
ISSUE_BODY = {
    "year": 2022,
    "title": "2022年度太原市学雷锋志愿服务先进典型推选",
    "nominations_open": "2022-10-08T00:00:00+08:00",
    "nominations_close": "2022-10-31T18:00:00+08:00",
    "judging_close": "2022-11-20T18:00:00+08:00",
    "publicity_working_days": 5,
    "holidays": ["2022-10-03"],
    "issuers": [{"name": "中共太原市委宣传部"}, {"name": "太原市精神文明建设委员会办公室"}],
    "categories": [
        {
            "code": "XM",
            "name": "最佳志愿服务项目",
            "kind": "project",
            "award_quota": 10,
            "nomination_quota_per_unit": 3,
            "min_years_running": 3,
            "min_volunteers": 20,
            "exclude_past_winners": True,
            "criteria": [
                {
                    "name": "项目设计",
                    "max_points": 15,
                    "weight": 1,
                    "guidance": "需求精准，目标清晰",
                },
                {"name": "社会效益", "max_points": 25, "weight": 1, "guidance": "受益面与社会影响"},
            ],
            "tie_break": ["社会效益"],
        }
    ],
    "rounds": [
        {
            "name": "初评",
            "method": "trimmed_mean",
            "trim_min_judges": 5,
            "judges_per_nomination": 5,
            "advance_per_category": 20,
            "weight": 0.4,
            "blind": True,
            "comment_required": False,
        }
    ],
}

MODELS = [Competition, Category, Criterion, Round, Issuer, AuditEntry]


def counts():
    return {m.__name__: m.objects.count() for m in MODELS}


def create(client, body):
    return client.post("/api/v1/competitions/", body, format="json")


def assert_same(sent, got, path="body"):
    """Every name the client sent comes back with the same value (numbers compared as numbers)."""
    if isinstance(sent, dict):
        for key, value in sent.items():
            assert key in got, f"{path}.{key} missing from the response"
            assert_same(value, got[key], f"{path}.{key}")
    elif isinstance(sent, list):
        assert len(sent) == len(got), path
        for i, (a, b) in enumerate(zip(sent, got, strict=True)):
            assert_same(a, b, f"{path}[{i}]")
    elif isinstance(sent, bool) or sent is None or isinstance(sent, str):
        assert got == sent, (path, sent, got)
    else:
        assert float(got) == float(sent), (path, sent, got)


# --------------------------------------------------------------------------- create


def test_create_the_issue_body_returns_201_with_the_same_names(office_api):
    response = create(office_api, copy.deepcopy(ISSUE_BODY))

    assert response.status_code == 201, response.json()
    body = response.json()
    assert_same(ISSUE_BODY, body)
    assert body["phase"] == "draft"
    assert isinstance(body["id"], int)
    for key in ("categories", "rounds", "issuers"):
        assert all(isinstance(item["id"], int) for item in body[key])
    category = body["categories"][0]
    assert all(isinstance(c["id"], int) for c in category["criteria"])
    assert float(category["rubric_total"]) == 40
    assert category["tie_break"] == ["社会效益"]
    assert [i["name"] for i in body["issuers"]] == [
        "中共太原市委宣传部",
        "太原市精神文明建设委员会办公室",
    ]
    # The same document is what GET answers.
    again = office_api.get(f"/api/v1/competitions/{body['id']}/")
    assert again.status_code == 200
    assert again.json() == body


def test_create_stores_the_structure_in_order(office_api):
    response = create(office_api, copy.deepcopy(ISSUE_BODY))
    competition = Competition.objects.get(pk=response.json()["id"])
    assert competition.year == 2022
    assert competition.holidays == ["2022-10-03"]
    assert competition.nominations_close == dt.datetime(2022, 10, 31, 10, 0, tzinfo=dt.UTC)
    category = competition.categories.get()
    assert (category.code, category.min_years_running, category.min_volunteers) == ("XM", 3, 20)
    assert [(c.name, c.order, c.tie_break_rank) for c in category.criteria.order_by("order")] == [
        ("项目设计", 1, None),
        ("社会效益", 2, 1),
    ]
    round_ = competition.rounds.get()
    assert (round_.order, round_.method, round_.blind, str(round_.weight)) == (
        1,
        "trimmed_mean",
        True,
        "0.400",
    )


def test_create_writes_one_audit_entry_with_the_whole_structure(office, settings):
    settings.TRUSTED_PROXY_COUNT = 1  # the request id is the proxy's
    client = api_client(office, REMOTE_ADDR="198.51.100.4")
    response = client.post(
        "/api/v1/competitions/", ISSUE_BODY, format="json", HTTP_X_REQUEST_ID="create-1"
    )
    assert response.status_code == 201
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.actor_role) == ("competition.create", office, "office")
    assert entry.object_id == str(response.json()["id"])
    assert (entry.request_id, entry.client_address) == ("create-1", "198.51.100.4")
    assert entry.before is None
    assert entry.after["year"] == 2022
    assert entry.after["categories"][0]["code"] == "XM"
    assert entry.after["rounds"][0]["name"] == "初评"


def test_create_tie_break_round_trips_in_order(office_api):
    body = competition_payload()
    body["categories"][0]["tie_break"] = ["社会效益", "执行情况", "项目设计"]
    response = create(office_api, body)
    assert response.status_code == 201, response.json()
    assert response.json()["categories"][0]["tie_break"] == ["社会效益", "执行情况", "项目设计"]
    assert response.json()["categories"][1]["tie_break"] == ["社会效益"]


def test_create_a_valid_payload_can_leave_draft(office_api):
    body = competition_payload(
        nominations_open="2099-10-08T00:00:00+08:00",
        nominations_close="2099-10-31T18:00:00+08:00",
        judging_close="2099-11-20T18:00:00+08:00",
    )
    response = create(office_api, body)
    assert response.status_code == 201
    assert {c["rubric_total"] for c in response.json()["categories"]} == {100}
    advanced = office_api.post(
        f"/api/v1/competitions/{response.json()['id']}/advance/",
        {"to": "nominating"},
        format="json",
    )
    assert advanced.status_code == 200, advanced.json()


def _bad(mutate):
    body = copy.deepcopy(ISSUE_BODY)
    mutate(body)
    return body


def _dupe_category(body):
    body["categories"].append(copy.deepcopy(body["categories"][0]) | {"name": "另一个奖项"})


BAD_INPUT = {
    "unknown_tie_break": (
        lambda b: b["categories"][0].update(tie_break=["创新性"]),
        "categories[0].tie_break",
        "同分比较项",
    ),
    "duplicate_category_code": (_dupe_category, "categories[1].code", "奖项代码"),
    "close_before_open": (
        lambda b: b.update(nominations_close="2022-10-01T00:00:00+08:00"),
        "nominations_close",
        "申报截止",
    ),
    "judging_before_close": (
        lambda b: b.update(judging_close="2022-10-30T00:00:00+08:00"),
        "judging_close",
        "评审截止",
    ),
    "negative_max_points": (
        lambda b: b["categories"][0]["criteria"][1].update(max_points=-5),
        "categories[0].criteria[1].max_points",
        "满分",
    ),
    "missing_categories": (lambda b: b.pop("categories"), "categories", "奖项"),
    "empty_categories": (lambda b: b.update(categories=[]), "categories", "奖项"),
    "empty_rounds": (lambda b: b.update(rounds=[]), "rounds", "评审轮次"),
    "round_weight_above_one": (
        lambda b: b["rounds"][0].update(weight=1.5),
        "rounds[0].weight",
        "权重",
    ),
    "unknown_kind": (
        lambda b: b["categories"][0].update(kind="team"),
        "categories[0].kind",
        "奖项类型",
    ),
    "bad_code": (lambda b: b["categories"][0].update(code="xm!"), "categories[0].code", "奖项代码"),
    "missing_title": (lambda b: b.pop("title"), "title", "活动名称"),
    "bad_date": (lambda b: b.update(nominations_open="下周一"), "nominations_open", "申报开始"),
    "bad_holiday": (lambda b: b.update(holidays=["2022-13-01"]), "holidays[0]", "节假日"),
}


@pytest.mark.parametrize("case", BAD_INPUT, ids=list(BAD_INPUT))
def test_create_bad_input_is_400_naming_the_field_and_creates_nothing(office_api, case):
    mutate, path, label = BAD_INPUT[case]
    before = counts()
    response = create(office_api, _bad(mutate))
    error = assert_error(response, 400, "validation_failed")
    assert path in error["fields"], error["fields"]
    assert all(m.startswith(f"{label}：") for m in error["fields"][path]), error["fields"][path]
    assert counts() == before


def test_create_a_year_twice_is_400_and_keeps_the_first(office_api):
    assert create(office_api, ISSUE_BODY).status_code == 201
    before = counts()
    error = assert_error(create(office_api, ISSUE_BODY), 400, "validation_failed")
    assert error["fields"]["year"][0].startswith("年度：")
    assert counts() == before


def test_create_malformed_json_is_400_in_the_one_shape(office_api):
    response = office_api.post(
        "/api/v1/competitions/", b'{"year": 2022,', content_type="application/json"
    )
    assert_error(response, 400, "parse_error")
    assert Competition.objects.count() == 0


# --------------------------------------------------------------------------- PATCH


def patch(client, competition, body):
    return client.patch(f"/api/v1/competitions/{competition.pk}/", body, format="json")


@pytest.mark.parametrize("phase", [Phase.DRAFT, Phase.JUDGING, Phase.ARCHIVED])
def test_patch_dates_wording_and_issuers_in_any_phase(office_api, phase):
    competition = competition_factory(phase=phase)
    body = {
        "title": "新的活动名称",
        "certificate_wording": "被评为“太原市学雷锋最佳志愿服务项目”。",
        "judging_close": (competition.judging_close + dt.timedelta(days=3)).isoformat(),
        "publicity_working_days": 7,
        "holidays": ["2031-10-01", "2031-10-02"],
        "issuers": [{"name": "太原市精神文明建设委员会办公室"}],
    }
    response = patch(office_api, competition, body)
    assert response.status_code == 200, response.json()
    out = response.json()
    assert out["title"] == "新的活动名称"
    assert out["publicity_working_days"] == 7
    assert out["certificate_wording"] == body["certificate_wording"]
    assert out["holidays"] == ["2031-10-01", "2031-10-02"]
    assert [i["name"] for i in out["issuers"]] == ["太原市精神文明建设委员会办公室"]
    old_close = competition.judging_close
    competition.refresh_from_db()
    assert competition.judging_close == old_close + dt.timedelta(days=3)
    assert dt.datetime.fromisoformat(out["judging_close"]) == competition.judging_close
    assert competition.phase == phase
    assert competition.categories.count() == 4
    entry = AuditEntry.objects.get(action="competition.update")
    assert entry.before["title"] != entry.after["title"] == "新的活动名称"
    assert entry.after["issuers"] == ["太原市精神文明建设委员会办公室"]


def test_patch_categories_and_rounds_in_draft_replaces_them(office_api):
    competition = competition_factory()
    payload = competition_payload()
    body = {"categories": payload["categories"][:2], "rounds": payload["rounds"][:1]}
    body["rounds"][0]["weight"] = "1"
    response = patch(office_api, competition, body)
    assert response.status_code == 200, response.json()
    assert [c["code"] for c in response.json()["categories"]] == ["XM", "ZZ"]
    assert [(r["name"], r["weight"]) for r in response.json()["rounds"]] == [("初评", "1.000")]
    assert competition.categories.count() == 2
    assert Criterion.objects.filter(category__competition=competition).count() == 12


@pytest.mark.parametrize("key", ["categories", "rounds"])
@pytest.mark.parametrize("phase", [Phase.NOMINATING, Phase.JUDGING])
def test_patch_structure_outside_draft_is_409(office_api, key, phase):
    competition = competition_factory(phase=phase)
    before = counts()
    body = {key: competition_payload()[key], "title": "不应生效"}
    error = assert_error(patch(office_api, competition, body), 409, "competition_not_draft")
    assert Phase(phase).label in error["message"]
    assert counts() == before
    competition.refresh_from_db()
    assert competition.title != "不应生效"


def test_patch_year_is_refused(office_api):
    competition = competition_factory()
    error = assert_error(patch(office_api, competition, {"year": 2099}), 400, "validation_failed")
    assert error["fields"]["year"] == ["年度：创建后不能修改。"]
    assert Competition.objects.get(pk=competition.pk).year == competition.year
    assert not AuditEntry.objects.exists()


def test_patch_dates_out_of_order_is_400_and_changes_nothing(office_api):
    competition = competition_factory()
    body = {"judging_close": (competition.nominations_close - dt.timedelta(days=1)).isoformat()}
    error = assert_error(patch(office_api, competition, body), 400, "validation_failed")
    assert error["fields"]["judging_close"][0].startswith("评审截止：")
    stored = Competition.objects.get(pk=competition.pk)
    assert stored.judging_close == competition.judging_close
    assert not AuditEntry.objects.exists()


def test_patch_a_category_missing_required_fields_is_400(office_api):
    competition = competition_factory()
    before = counts()
    body = {"categories": [{"name": "最佳志愿服务项目", "criteria": [{"name": "项目设计"}]}]}
    error = assert_error(patch(office_api, competition, body), 400, "validation_failed")
    assert error["fields"]["categories[0].code"] == ["奖项代码：该字段是必填项。"]
    assert error["fields"]["categories[0].criteria[0].max_points"] == ["满分：该字段是必填项。"]
    assert counts() == before


@pytest.mark.parametrize("body", [{}, {"title": "只改名称"}])
def test_patch_leaves_fields_it_does_not_name_unchanged(office_api, body):
    competition = competition_factory(holidays=["2031-10-01"], publicity_working_days=7)
    response = patch(office_api, competition, body)
    assert response.status_code == 200, response.json()
    out = response.json()
    assert out["id"] == competition.pk
    assert out["holidays"] == ["2031-10-01"]
    assert out["publicity_working_days"] == 7
    assert [i["name"] for i in out["issuers"]] == [
        "中共太原市委宣传部",
        "太原市精神文明建设委员会办公室",
    ]
    assert len(out["categories"]) == 4 and len(out["rounds"]) == 2
    assert out["title"] == body.get("title", competition.title)


def test_competition_list_queries_do_not_grow_with_competitions(office_api):
    def queries():
        with CaptureQueriesContext(connection) as ctx:
            response = office_api.get("/api/v1/competitions/")
        assert response.status_code == 200
        return len(response.json()["results"]), len(ctx)

    competition_factory()
    one = queries()
    competition_factory()
    competition_factory()
    three = queries()
    assert (one[0], three[0]) == (1, 3)
    assert one[1] == three[1]


def test_patch_issuers_keeps_the_seal_of_an_issuer_kept_by_name(office_api):
    competition = competition_factory()
    propaganda = competition.issuers.get(name="中共太原市委宣传部")
    propaganda.seal = "seals/xcb.png"
    propaganda.save()
    body = {
        "issuers": [
            {"name": "太原市精神文明建设委员会办公室"},
            {"name": "中共太原市委宣传部"},
            {"name": "共青团太原市委员会"},
        ]
    }
    response = patch(office_api, competition, body)
    assert response.status_code == 200, response.json()
    issuers = response.json()["issuers"]
    assert [(i["name"], i["order"]) for i in issuers] == [
        ("太原市精神文明建设委员会办公室", 1),
        ("中共太原市委宣传部", 2),
        ("共青团太原市委员会", 3),
    ]
    assert [bool(i["seal"]) for i in issuers] == [False, True, False]
    assert competition.issuers.get(name="中共太原市委宣传部").seal.name == "seals/xcb.png"


def test_patch_phase_is_ignored_the_phase_changes_only_by_advance(office_api):
    competition = competition_factory()
    response = patch(office_api, competition, {"phase": "archived", "title": "新名称"})
    assert response.status_code == 200
    assert response.json()["phase"] == "draft"
    assert Competition.objects.get(pk=competition.pk).phase == Phase.DRAFT


def test_create_ignores_a_phase_in_the_body(office_api):
    response = create(office_api, competition_payload(phase="judging"))
    assert response.status_code == 201
    assert response.json()["phase"] == "draft"
