"""The rules of nominations, held by services and database constraints."""

import datetime as dt
import json
import threading

import pytest
import time_machine
from django.db import IntegrityError, close_old_connections, connection, transaction

from competition import services as competition_services
from competition.enums import Phase
from competition.exceptions import Conflict, NotFound, ValidationFailed
from competition.models import AuditEntry
from nominations import services
from nominations.enums import Status
from nominations.models import Nomination, PastWinner
from nominations.validators import normalized_key
from tests.nominations.conftest import attach_required, make_nomination

pytestmark = pytest.mark.django_db


def submit_new(officer, competition, category, **fields):
    nomination = make_nomination(officer, competition, category, **fields)
    attach_required(nomination)
    return services.nomination_submit(actor=officer, nomination=nomination)


def test_submit_lists_every_missing_item(officer, draft):
    services.nomination_update(actor=officer, nomination=draft, data={"leader": "", "pledge": False})

    with pytest.raises(ValidationFailed) as exc:
        services.nomination_submit(actor=officer, nomination=draft)

    fields = exc.value.fields
    assert exc.value.code == "incomplete"
    assert fields["leader"] == ["项目负责人：未填写。"]
    assert "pledge" in fields
    messages = " ".join(fields["attachments"])
    assert "盖章推荐表" in messages and "照片" in messages
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_missing_items_is_empty_for_a_complete_project(complete_draft):
    assert services.missing_items(complete_draft) == []


def test_submit_then_edit_is_refused(officer, submitted):
    with pytest.raises(Conflict) as exc:
        services.nomination_update(actor=officer, nomination=submitted, data={"title": "x"})
    assert exc.value.code == "not_editable"


def test_officer_of_another_unit_cannot_act(other_officer, draft):
    for call in (
        lambda: services.nomination_update(actor=other_officer, nomination=draft, data={"title": "x"}),
        lambda: services.nomination_submit(actor=other_officer, nomination=draft),
        lambda: services.nomination_withdraw(actor=other_officer, nomination=draft),
        lambda: services.nomination_delete(actor=other_officer, nomination=draft),
    ):
        with pytest.raises(NotFound):
            call()
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_quota_counts_submitted_and_accepted_not_drafts(officer, office, competition, project_category):
    # quota for XM is 2 per unit in the fixture
    first = submit_new(officer, competition, project_category, title="项目一", order=1)
    services.nomination_review(actor=office, nomination=first, decision="accept")
    make_nomination(officer, competition, project_category, title="草稿不占名额", order=2)
    submit_new(officer, competition, project_category, title="项目二", order=2)

    third = make_nomination(officer, competition, project_category, title="项目三", order=1)
    attach_required(third)
    with pytest.raises(Conflict) as exc:
        services.nomination_submit(actor=officer, nomination=third)
    assert exc.value.code == "quota_exceeded"
    assert "名额" in exc.value.message


def test_withdrawn_and_returned_free_their_place(officer, office, competition, project_category):
    first = submit_new(officer, competition, project_category, title="项目一", order=1)
    second = submit_new(officer, competition, project_category, title="项目二", order=2)
    services.nomination_withdraw(actor=officer, nomination=first, reason="改报其他项目")
    services.nomination_review(actor=office, nomination=second, decision="return", reason="补充材料")

    third = submit_new(officer, competition, project_category, title="项目三", order=1)
    assert third.status == Status.SUBMITTED


def test_order_outside_quota_is_refused(officer, draft):
    with pytest.raises(ValidationFailed) as exc:
        services.nomination_update(actor=officer, nomination=draft, data={"order": 3})
    assert exc.value.fields["order"][0].startswith("推荐排序：")


def test_withdraw_only_before_acceptance(officer, office, submitted):
    services.nomination_review(actor=office, nomination=submitted, decision="accept")
    with pytest.raises(Conflict):
        services.nomination_withdraw(actor=officer, nomination=submitted)


def test_review_only_a_submitted_nomination(office, draft):
    with pytest.raises(Conflict) as exc:
        services.nomination_review(actor=office, nomination=draft, decision="accept")
    assert exc.value.code == "not_reviewable"


def test_returned_nomination_is_resubmittable_while_window_open(officer, office, submitted, competition):
    services.nomination_review(actor=office, nomination=submitted, decision="return", reason="请补充")
    with (
        time_machine.travel(competition.nominations_close + dt.timedelta(seconds=1), tick=False),
        pytest.raises(Conflict) as exc,
    ):
        services.nomination_submit(actor=officer, nomination=submitted)
    assert exc.value.code == "window_closed"
    resubmitted = services.nomination_submit(actor=officer, nomination=submitted)
    assert resubmitted.status == Status.SUBMITTED


def test_a_returned_nomination_keeps_its_pledge(officer, office, submitted):
    """Unticking the pledge of a returned nomination is a clear error, not a database 500."""
    services.nomination_review(actor=office, nomination=submitted, decision="return", reason="请补充。")

    with pytest.raises(ValidationFailed) as raised:
        services.nomination_update(actor=officer, nomination=submitted, data={"pledge": False})

    assert raised.value.fields["pledge"] == ["诚信承诺：已提交过的推荐须保留诚信承诺。"]
    submitted.refresh_from_db()
    assert submitted.pledge is True and submitted.status == Status.RETURNED


def test_submit_before_window_opens_is_refused(officer, draft, competition):
    attach_required(draft)
    with (
        time_machine.travel(competition.nominations_open - dt.timedelta(seconds=1), tick=False),
        pytest.raises(Conflict) as exc,
    ):
        services.nomination_submit(actor=officer, nomination=draft)
    assert "尚未开始" in exc.value.message


# --------------------------------------------------------------------------- eligibility


def test_too_young_and_too_small_project_gets_warnings(officer, complete_draft):
    services.nomination_update(
        actor=officer,
        nomination=complete_draft,
        data={"started_on": dt.date.today() - dt.timedelta(days=400), "volunteers": 10, "active_volunteers": 8},
    )
    submitted = services.nomination_submit(actor=officer, nomination=complete_draft)

    codes = {w["code"] for w in submitted.warnings}
    assert codes == {"min_years_running", "min_volunteers"}
    assert submitted.status == Status.SUBMITTED  # soft rules: the office decides


def test_past_winner_is_refused_when_the_rule_is_hard(officer, complete_draft, competition):
    PastWinner.objects.create(
        year=competition.year - 3,
        category_code="XM",
        title=complete_draft.title,
        organization=complete_draft.organization,
        normalized_key=normalized_key(" " + complete_draft.title + "！", complete_draft.organization),
    )
    with pytest.raises(Conflict) as exc:
        services.nomination_submit(actor=officer, nomination=complete_draft)
    assert exc.value.code == "ineligible"
    assert f"{competition.year - 3} 年度" in exc.value.message
    complete_draft.refresh_from_db()
    assert complete_draft.status == Status.DRAFT


def test_same_project_from_two_units_warns_both(officer, other_officer, competition, project_category):
    mine = submit_new(officer, competition, project_category)
    theirs = submit_new(
        other_officer,
        competition,
        project_category,
        title=" 举手之劳 · 为树木松绑拔刺 ",  # normalised: same project
    )

    assert {w["code"] for w in theirs.warnings} == {"duplicate"}
    mine.refresh_from_db()
    assert {w["code"] for w in mine.warnings} == {"duplicate"}


def test_a_duplicate_warning_names_the_other_unit_to_the_office_only(
    officer, other_officer, office, observer, competition, project_category
):
    """Issue 11 item 7: a unit officer learns that a possible duplicate exists, not
    which unit nominated it; the office and observers see where."""
    from django.test import Client

    from tests.nominations.conftest import api

    mine = submit_new(officer, competition, project_category)  # 小店区
    theirs = submit_new(other_officer, competition, project_category, title=" 举手之劳 · 为树木松绑拔刺 ")

    # Stored (and so in every export and audit entry): no unit named.
    for nomination in (mine, theirs):
        nomination.refresh_from_db()
        assert "小店区" not in str(nomination.warnings) and "迎泽区" not in str(nomination.warnings)

    # The other unit's officer: API, pages and the checklist JSON say "possible duplicate" only.
    body = api(other_officer).get(f"/api/v1/nominations/{theirs.pk}/").json()
    assert [w["code"] for w in body["warnings"]] == ["duplicate"]
    assert "重复" in body["warnings"][0]["message"]
    assert "小店区" not in json.dumps(body, ensure_ascii=False)
    web = Client()
    web.force_login(other_officer)
    for url in (f"/nominations/{theirs.pk}/", f"/nominations/{theirs.pk}/checklist/", "/nominations/"):
        page = web.get(url)
        assert page.status_code == 200, url
        text = page.content.decode()
        if page["Content-Type"].startswith("application/json"):
            text = json.dumps(page.json(), ensure_ascii=False)
        assert "已由小店区推荐" not in text and "重复" in text, url

    # The office and observers: which unit.
    for reader in (office, observer):
        body = api(reader).get(f"/api/v1/nominations/{theirs.pk}/").json()
        assert "已由小店区推荐" in body["warnings"][0]["message"]
        web = Client()
        web.force_login(reader)
        assert "已由小店区推荐" in web.get(f"/nominations/{theirs.pk}/").content.decode()
        queue = web.get(f"/nominations/review/?competition={competition.pk}").content.decode()
        assert "已由小店区推荐" in queue and "已由迎泽区推荐" in queue


def test_a_hard_duplicate_refusal_does_not_name_the_other_unit(
    officer, other_officer, competition, project_category
):
    project_category.hard_rules = ["duplicate"]
    project_category.save(update_fields=["hard_rules"])
    submit_new(officer, competition, project_category)
    second = make_nomination(other_officer, competition, project_category)
    attach_required(second)
    with pytest.raises(Conflict) as exc:
        services.nomination_submit(actor=other_officer, nomination=second)
    assert exc.value.code == "ineligible"
    assert "重复" in exc.value.message and "小店区" not in exc.value.message


def test_years_running_is_derived_from_the_start_date(draft):
    services_value = draft.years_running
    close = draft.competition.nominations_close.date()
    expected = close.year - 2016 - ((close.month, close.day) < (3, 5))
    assert services_value == expected


# --------------------------------------------------------------------------- database constraints


def test_database_refuses_two_live_nominations_with_one_order(submitted, officer, competition, project_category):
    other = make_nomination(officer, competition, project_category, title="项目二", order=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Nomination.objects.filter(pk=other.pk).update(status=Status.SUBMITTED)


def test_database_refuses_submitted_without_pledge(submitted):
    with pytest.raises(IntegrityError), transaction.atomic():
        Nomination.objects.filter(pk=submitted.pk).update(pledge=False)


def test_database_refuses_return_without_reason(submitted):
    with pytest.raises(IntegrityError), transaction.atomic():
        Nomination.objects.filter(pk=submitted.pk).update(status=Status.RETURNED, review_reason="")


def test_database_refuses_an_introduction_over_300(draft):
    with pytest.raises(IntegrityError), transaction.atomic():
        Nomination.objects.filter(pk=draft.pk).update(introduction="字" * 301)


# --------------------------------------------------------------------------- phase guard


def test_judging_cannot_start_while_nominations_wait_for_review(office, officer, submitted, competition):
    with time_machine.travel(competition.nominations_close + dt.timedelta(hours=1), tick=False):
        competition_services.competition_advance(actor=office, competition=competition, to=Phase.REVIEWING)
        with pytest.raises(Conflict) as exc:
            competition_services.competition_advance(actor=office, competition=competition, to=Phase.JUDGING)
        assert "未完成资格审查" in exc.value.message
        services.nomination_review(actor=office, nomination=submitted, decision="accept")
        competition_services.competition_advance(actor=office, competition=competition, to=Phase.JUDGING)


def test_every_transition_is_audited(officer, office, submitted):
    services.nomination_review(actor=office, nomination=submitted, decision="reject", reason="不符合条件")
    entry = AuditEntry.objects.get(action="nomination.review.reject")
    assert entry.actor == office
    assert entry.actor_role == "office"
    assert entry.before == {"status": "submitted"}
    assert entry.after == {"status": "rejected"}
    assert entry.reason == "不符合条件"


# --------------------------------------------------------------------------- the race for the last place


@pytest.mark.django_db(transaction=True)
def test_two_officers_racing_for_the_last_place_exactly_one_wins(
    postgres, officer, second_officer, competition, project_category
):
    submit_new(officer, competition, project_category, title="已占一个名额", order=1)
    a = make_nomination(officer, competition, project_category, title="甲项目", order=2)
    b = make_nomination(second_officer, competition, project_category, title="乙项目", order=2)
    attach_required(a)
    attach_required(b)

    barrier = threading.Barrier(2)
    results: dict[str, str] = {}

    def race(name, actor, nomination):
        try:
            barrier.wait()
            services.nomination_submit(actor=actor, nomination=nomination)
            results[name] = "won"
        except Conflict as exc:
            results[name] = exc.code
        finally:
            close_old_connections()
            connection.close()

    threads = [
        threading.Thread(target=race, args=("a", officer, a)),
        threading.Thread(target=race, args=("b", second_officer, b)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(results.values()) == ["quota_exceeded", "won"]
    live = Nomination.objects.filter(
        category=project_category, unit=officer.unit, status__in=[Status.SUBMITTED, Status.ACCEPTED]
    )
    assert live.count() == 2
