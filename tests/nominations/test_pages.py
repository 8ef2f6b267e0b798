"""The Chinese web pages of the nominations app, through Django's test client."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from competition.models import AuditEntry
from nominations import services
from nominations.enums import Status
from nominations.models import Nomination
from tests.nominations.conftest import PROJECT, attach_required, make_nomination

pytestmark = pytest.mark.django_db

ORGANIZATION = {
    "title": "太原市城市综合管理服务指挥中心志愿服务队",
    "organization": "太原市城市综合管理服务指挥中心",
    "registration": "太原市民政局登记",
    "founded_on": dt.date(2015, 6, 1),
    "leader": "负责人",
    "volunteers": 758,
    "active_volunteers": 700,
    "brand_projects": ["举手之劳·为树木松绑拔刺", "举手之劳·清除城市牛皮癣"],
    "service_hours": 104100,
    "contact_name": "联系人",
    "contact_phone": "13800000000",
    "summary": "六年来清除违法小广告近百万处。",
    "introduction": "城市综合管理志愿服务队。",
    "pledge": True,
    "order": 1,
}


def submit_new(officer, competition, category, **fields):
    nomination = make_nomination(officer, competition, category, **fields)
    attach_required(nomination)
    return services.nomination_submit(actor=officer, nomination=nomination)


def text(response) -> str:
    return response.content.decode()


def login(client, user):
    client.force_login(user)
    return client


# --------------------------------------------------------------------------- the officer's list


def test_officer_list_shows_only_their_units_nominations(
    client, officer, other_officer, competition, project_category
):
    make_nomination(officer, competition, project_category, title="本单位的项目", order=None)
    submit_new(other_officer, competition, project_category, title="别的单位的项目")

    response = login(client, officer).get(reverse("nominations:index"))

    assert response.status_code == 200
    body = text(response)
    assert "本单位的项目" in body
    assert "别的单位的项目" not in body
    assert "草稿" in body
    assert "小店区" in body
    # The quota left per category: the other unit's submission does not count here.
    assert "最佳志愿服务项目" in body and "最佳志愿服务组织" in body
    assert "新建推荐" in body


def test_officer_list_shows_quota_used_and_left(client, officer, competition, project_category):
    submit_new(officer, competition, project_category, title="已提交的项目")

    response = login(client, officer).get(reverse("nominations:index"))

    blocks = response.context["blocks"]
    quota = {row["name"]: row for row in blocks[0]["quota"]}
    assert quota["最佳志愿服务项目"]["used"] == 1
    assert quota["最佳志愿服务项目"]["left"] == 1
    assert "已提交" in text(response)


def test_list_needs_login_and_the_officer_role(client, office, judge, competition):
    response = client.get(reverse("nominations:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))

    response = login(client, office).get(reverse("nominations:index"))
    assert response.status_code == 302
    assert response["Location"] == reverse("nominations:review")

    response = login(client, judge).get(reverse("nominations:index"))
    assert response.status_code == 403
    assert "无权" in text(response)


def test_officer_list_has_no_n_plus_one(
    client, officer, competition, project_category, django_assert_max_num_queries
):
    login(client, officer)
    make_nomination(officer, competition, project_category, title="项目0", order=None)
    with django_assert_max_num_queries(30) as one:
        client.get(reverse("nominations:index"))
    for i in range(1, 8):
        make_nomination(officer, competition, project_category, title=f"项目{i}", order=None)
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(reverse("nominations:index"))


# --------------------------------------------------------------------------- who sees a nomination


def test_another_units_nomination_page_is_404_like_a_missing_one(
    client, officer, other_officer, competition, project_category
):
    theirs = make_nomination(other_officer, competition, project_category, title="别的单位的项目")
    login(client, officer)

    for name in ("nominations:detail", "nominations:edit", "nominations:checklist"):
        hidden = client.get(reverse(name, args=[theirs.pk]))
        missing = client.get(reverse(name, args=[theirs.pk + 10_000]))
        assert hidden.status_code == missing.status_code == 404
        assert "别的单位的项目" not in text(hidden)
        assert "该推荐不存在，或您无权查看。" in text(hidden)
        assert "该推荐不存在，或您无权查看。" in text(missing)

    response = client.post(reverse("nominations:submit", args=[theirs.pk]))
    assert response.status_code == 404
    response = client.post(reverse("nominations:withdraw", args=[theirs.pk]), {"reason": "x"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Status.DRAFT


def test_judge_cannot_see_a_nomination_page(client, judge, draft):
    response = login(client, judge).get(reverse("nominations:detail", args=[draft.pk]))
    assert response.status_code == 404


def test_officer_sees_their_nomination_page_read_only_with_their_actions(client, officer, submitted):
    response = login(client, officer).get(reverse("nominations:detail", args=[submitted.pk]))

    body = text(response)
    assert response.status_code == 200
    assert "举手之劳·为树木松绑拔刺" in body
    assert "已提交" in body
    assert "撤回推荐" in body
    assert "审查通过" not in body
    assert "退回修改的理由" not in body
    assert "提交推荐" in body  # the unit's timeline


# --------------------------------------------------------------------------- the nomination form


def test_new_form_shows_the_fields_of_a_project_in_chinese(client, officer, competition, project_category):
    url = reverse("nominations:new") + f"?competition={competition.pk}&category={project_category.pk}"

    response = login(client, officer).get(url)

    body = text(response)
    assert response.status_code == 200
    for label in ("项目名称", "实施单位", "服务领域", "启动时间", "经常参与志愿者人数", "项目简介",
                  "项目概述及亮点成效", "创新点", "媒体报道", "诚信承诺"):
        assert label in body, label
    assert "不超过 300 字" in body
    assert "不超过 1000 字" in body
    assert "品牌项目" not in body
    assert 'data-type="int"' in body and 'data-type="date"' in body


def test_new_form_of_an_organization_has_its_own_fields(
    client, officer, competition, organization_category
):
    url = reverse("nominations:new") + f"?competition={competition.pk}&category={organization_category.pk}"

    body = text(login(client, officer).get(url))

    for label in ("组织名称", "登记/备案情况", "成立时间", "品牌项目", "注册志愿者数", "事迹材料"):
        assert label in body, label
    assert "启动时间" not in body


def test_new_form_with_a_wrong_category_is_404(client, officer, competition):
    url = reverse("nominations:new") + f"?competition={competition.pk}&category=999999"
    assert login(client, officer).get(url).status_code == 404
    assert client.get(reverse("nominations:new") + "?competition=x").status_code == 404


def test_office_cannot_open_the_form(client, office, draft, competition, project_category):
    login(client, office)
    assert client.get(reverse("nominations:edit", args=[draft.pk])).status_code == 403
    url = reverse("nominations:new") + f"?competition={competition.pk}&category={project_category.pk}"
    assert client.get(url).status_code == 403


def test_posting_the_new_form_creates_a_draft_of_the_officers_unit(
    client, officer, competition, project_category
):
    url = reverse("nominations:new")
    data = {
        "competition": competition.pk,
        "category": project_category.pk,
        "title": "新项目",
        "organization": "小店区志愿者协会",
        "volunteers": "30",
        "started_on": "2018-04-01",
        "media_links": "https://example.org/a\r\n\r\nhttps://example.org/b",
        "introduction": "第一行\r\n第二行",
    }

    response = login(client, officer).post(url, data)

    nomination = Nomination.objects.get(title="新项目")
    assert response.status_code == 302
    assert response["Location"] == reverse("nominations:edit", args=[nomination.pk])
    assert nomination.unit == officer.unit
    assert nomination.status == Status.DRAFT
    assert nomination.volunteers == 30
    assert nomination.media_links == ["https://example.org/a", "https://example.org/b"]
    assert nomination.introduction == "第一行\n第二行"


def test_edit_form_shows_chinese_errors_per_field_and_saves_nothing(client, officer, draft):
    url = reverse("nominations:edit", args=[draft.pk])
    data = {
        "version": draft.version,
        "title": "改了名字",
        "contact_phone": "12345",
        "media_links": "ftp://example.org/x",
        "introduction": "字" * 301,
    }

    response = login(client, officer).post(url, data)

    assert response.status_code == 400
    form = response.context["form"]
    assert "11 位手机号码" in form.errors["contact_phone"][0]
    assert "不是有效的网址" in form.errors["media_links"][0]
    assert "300" in form.errors["introduction"][0]
    draft.refresh_from_db()
    assert draft.title == PROJECT["title"]


def test_edit_form_reports_the_services_errors_next_to_the_field(client, officer, draft):
    url = reverse("nominations:edit", args=[draft.pk])
    data = {"version": draft.version, "volunteers": "10", "active_volunteers": "20"}

    response = login(client, officer).post(url, data)

    assert response.status_code == 400
    assert "不能多于志愿者人数" in response.context["form"].errors["active_volunteers"][0]


def test_edit_form_with_a_stale_version_is_refused_in_chinese(client, officer, second_officer, draft):
    services.nomination_update(actor=second_officer, nomination=draft, data={"title": "别处改的"})
    url = reverse("nominations:edit", args=[draft.pk])

    response = login(client, officer).post(url, {"version": draft.version, "title": "我改的"}, follow=True)

    assert "版本不一致" in text(response)
    draft.refresh_from_db()
    assert draft.title == "别处改的"


def test_edit_form_saves_and_redirects(client, officer, draft):
    url = reverse("nominations:edit", args=[draft.pk])
    response = login(client, officer).get(url)
    data = {
        name: value
        for name, value in response.context["form"].initial.items()
        if value is not None
    }
    data["media_links"] = "\n".join(data["media_links"])
    data["started_on"] = data["started_on"].isoformat()
    data["title"] = "改过的名称"

    response = client.post(url, data, follow=True)

    assert "草稿已保存" in text(response)
    draft.refresh_from_db()
    assert draft.title == "改过的名称"
    assert draft.volunteers == PROJECT["volunteers"]
    assert draft.pledge is True


def test_form_page_shows_the_checklist(client, officer, draft):
    response = login(client, officer).get(reverse("nominations:edit", args=[draft.pk]))

    body = text(response)
    assert "提交前检查" in body
    assert "盖章推荐表：未上传（PDF）。" in body
    assert "照片：至少上传 1 张。" in body


def test_checklist_endpoint(client, officer, draft):
    login(client, officer)
    data = client.get(reverse("nominations:checklist", args=[draft.pk])).json()
    assert data["complete"] is False
    assert {m["message"] for m in data["missing"]} >= {"盖章推荐表：未上传（PDF）。"}

    attach_required(draft)
    data = client.get(reverse("nominations:checklist", args=[draft.pk])).json()
    assert data == {**data, "complete": True, "missing": [], "status": "draft", "status_display": "草稿"}


def test_submitted_nomination_cannot_be_edited_from_the_form(client, officer, submitted):
    response = login(client, officer).get(reverse("nominations:edit", args=[submitted.pk]), follow=True)
    assert "不能修改" in text(response)
    assert response.redirect_chain[-1][0] == reverse("nominations:detail", args=[submitted.pk])


# --------------------------------------------------------------------------- submit and withdraw


def test_submit_an_incomplete_nomination_lists_what_is_missing(client, officer, draft):
    response = login(client, officer).post(reverse("nominations:submit", args=[draft.pk]), follow=True)

    body = text(response)
    assert "推荐材料不完整" in body
    assert "盖章推荐表" in body
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_submit_a_complete_nomination(client, officer, complete_draft):
    response = login(client, officer).post(
        reverse("nominations:submit", args=[complete_draft.pk]), follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("nominations:detail", args=[complete_draft.pk])
    assert "推荐已提交" in text(response)
    complete_draft.refresh_from_db()
    assert complete_draft.status == Status.SUBMITTED


def test_submit_over_the_quota_shows_the_reason_in_chinese(client, officer, competition, project_category):
    submit_new(officer, competition, project_category, title="甲", order=1)
    submit_new(officer, competition, project_category, title="乙", order=2)
    third = make_nomination(officer, competition, project_category, title="丙", order=2)
    attach_required(third)

    response = login(client, officer).post(reverse("nominations:submit", args=[third.pk]), follow=True)

    assert "推荐名额（2 个）已用完" in text(response)
    third.refresh_from_db()
    assert third.status == Status.DRAFT


def test_submit_after_the_window_closed_shows_the_reason(client, officer, complete_draft, competition):
    competition.nominations_close = timezone.now() - dt.timedelta(minutes=1)
    competition.nominations_open = timezone.now() - dt.timedelta(days=2)
    competition.save()

    response = login(client, officer).post(
        reverse("nominations:submit", args=[complete_draft.pk]), follow=True
    )

    assert "截止" in text(response)
    complete_draft.refresh_from_db()
    assert complete_draft.status == Status.DRAFT


def test_withdraw_needs_a_reason(client, officer, submitted):
    login(client, officer)
    url = reverse("nominations:withdraw", args=[submitted.pk])

    response = client.post(url, {"reason": "  "}, follow=True)
    assert "请填写撤回理由" in text(response)
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED

    response = client.post(url, {"reason": "项目负责人调整，暂不推荐"}, follow=True)
    assert "推荐已撤回" in text(response)
    submitted.refresh_from_db()
    assert submitted.status == Status.WITHDRAWN
    entry = AuditEntry.objects.get(action="nomination.withdraw", object_id=str(submitted.pk))
    assert entry.reason == "项目负责人调整，暂不推荐"


def test_delete_a_draft(client, officer, draft):
    response = login(client, officer).post(reverse("nominations:delete", args=[draft.pk]), follow=True)
    assert "草稿已删除" in text(response)
    assert not Nomination.objects.filter(pk=draft.pk).exists()


# --------------------------------------------------------------------------- the review queue


@pytest.fixture
def queue(officer, other_officer, office, competition, project_category, organization_category):
    """A: accepted (小店区, project); B: submitted with a warning (迎泽区, project);
    C: submitted (小店区, organisation); D: a draft (never in the queue)."""
    a = submit_new(officer, competition, project_category, title="甲项目", order=1)
    services.nomination_review(actor=office, nomination=a, decision="accept")
    young = timezone.localdate() - dt.timedelta(days=400)
    b = submit_new(other_officer, competition, project_category, title="乙项目", started_on=young)
    c = make_nomination(officer, competition, organization_category, **ORGANIZATION)
    attach_required(c)
    c = services.nomination_submit(actor=officer, nomination=c)
    d = make_nomination(officer, competition, project_category, title="丁草稿", order=None)
    return {"a": a, "b": b, "c": c, "d": d}


def titles(response) -> set[str]:
    return {n.title for n in response.context["page"].object_list}


def test_review_queue_lists_everything_but_drafts(client, office, queue):
    response = login(client, office).get(reverse("nominations:review"))

    assert response.status_code == 200
    assert titles(response) == {"甲项目", "乙项目", queue["c"].title}
    body = text(response)
    assert "审查通过" in body and "已提交" in body
    assert "少于本奖项要求的 3 年" in body


def test_review_queue_filters(client, office, queue, project_category, organization_category, other_unit):
    login(client, office)
    url = reverse("nominations:review")

    assert titles(client.get(url, {"category": project_category.pk})) == {"甲项目", "乙项目"}
    assert titles(client.get(url, {"category": organization_category.pk})) == {queue["c"].title}
    assert titles(client.get(url, {"unit": other_unit.pk})) == {"乙项目"}
    assert titles(client.get(url, {"status": "submitted"})) == {"乙项目", queue["c"].title}
    assert titles(client.get(url, {"status": "accepted"})) == {"甲项目"}
    assert titles(client.get(url, {"has_warnings": "yes"})) == {"乙项目"}
    assert titles(client.get(url, {"has_warnings": "no"})) == {"甲项目", queue["c"].title}
    combined = client.get(url, {"category": project_category.pk, "status": "submitted", "has_warnings": "yes"})
    assert titles(combined) == {"乙项目"}


def test_review_queue_with_a_bad_filter_shows_a_chinese_error(client, office, queue):
    response = login(client, office).get(reverse("nominations:review"), {"status": "nonsense"})
    assert response.status_code == 200
    assert "所选状态无效" in text(response)
    assert titles(response) == set()


def test_review_queue_is_for_the_office_and_observers(client, officer, observer, queue):
    assert login(client, officer).get(reverse("nominations:review")).status_code == 403
    response = login(client, observer).get(reverse("nominations:review"))
    assert response.status_code == 200
    assert "监督员只能查看" in text(response)


def test_review_queue_has_no_n_plus_one(
    client, office, officer, competition, project_category, organization_category, django_assert_max_num_queries
):
    login(client, office)
    submit_new(officer, competition, project_category, title="项目一", order=1)
    with django_assert_max_num_queries(30) as one:
        client.get(reverse("nominations:review"))
    submit_new(officer, competition, project_category, title="项目二", order=2)
    c = make_nomination(officer, competition, organization_category, **ORGANIZATION)
    attach_required(c)
    services.nomination_submit(actor=officer, nomination=c)
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(reverse("nominations:review"))


# --------------------------------------------------------------------------- the office's decision


def review(client, nomination, decision, reason=""):
    return client.post(
        reverse("nominations:review-decision", args=[nomination.pk]),
        {"decision": decision, "reason": reason},
        follow=True,
    )


def test_office_page_shows_fields_attachments_warnings_and_history(client, office, submitted):
    response = login(client, office).get(reverse("nominations:detail", args=[submitted.pk]))

    body = text(response)
    assert response.status_code == 200
    for expected in ("项目名称", "举手之劳·为树木松绑拔刺", "太原市六城区", "104,100", "环境保护",
                     "截至申报截止满", "盖章推荐表", "活动现场",
                     f"/api/v1/attachments/{submitted.attachments.first().pk}/download/",
                     "资格提示", "操作记录", "创建草稿", "提交推荐", "状态：草稿 → 已提交",
                     "审查通过", "退回修改", "不予通过"):
        assert expected in body, expected


@pytest.mark.parametrize(
    ("decision", "reason", "status", "label"),
    [
        ("accept", "", Status.ACCEPTED, "通过"),
        ("return", "请补充盖章推荐表的原件扫描件。", Status.RETURNED, "退回修改"),
        ("reject", "项目运行不满三年。", Status.REJECTED, "不予通过"),
    ],
)
def test_review_forms_change_the_status_and_write_an_audit_entry(
    client, office, submitted, decision, reason, status, label
):
    response = review(login(client, office), submitted, decision, reason)

    assert f"审查结论已记录：{label}" in text(response)
    submitted.refresh_from_db()
    assert submitted.status == status
    assert submitted.review_reason == reason
    entry = AuditEntry.objects.get(
        action=f"nomination.review.{decision}",
        object_type="nominations.nomination",
        object_id=str(submitted.pk),
    )
    assert entry.actor == office
    assert entry.reason == reason
    assert entry.after["status"] == status
    # A return also records its 补正截止 (issue 14); the other decisions only the status.
    assert set(entry.after) == ({"status", "correct_by"} if decision == "return" else {"status"})
    # The decision is in the page's history.
    assert "资格审查" in text(response)


def test_return_without_a_reason_shows_a_chinese_error_and_changes_nothing(client, office, submitted):
    version = submitted.version
    response = login(client, office).post(
        reverse("nominations:review-decision", args=[submitted.pk]), {"decision": "return", "reason": "  "}
    )

    assert response.status_code == 400
    assert "请填写退回修改的理由" in text(response)
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    assert submitted.version == version
    assert not AuditEntry.objects.filter(action__startswith="nomination.review").exists()


def test_reject_without_a_reason_is_refused(client, office, submitted):
    response = login(client, office).post(
        reverse("nominations:review-decision", args=[submitted.pk]), {"decision": "reject"}
    )
    assert response.status_code == 400
    assert "请填写不予通过的理由" in text(response)
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_reviewing_twice_shows_the_conflict_in_chinese(client, office, submitted):
    login(client, office)
    review(client, submitted, "accept")
    response = review(client, submitted, "reject", "不符合条件")
    assert "只有已提交的推荐可以审查" in text(response)
    submitted.refresh_from_db()
    assert submitted.status == Status.ACCEPTED


def test_observer_can_view_but_not_act(client, observer, submitted):
    login(client, observer)
    response = client.get(reverse("nominations:detail", args=[submitted.pk]))

    body = text(response)
    assert response.status_code == 200
    assert "举手之劳·为树木松绑拔刺" in body
    assert "操作记录" in body
    assert 'name="decision"' not in body
    assert "监督员可以查看，不能操作" in body

    response = client.post(
        reverse("nominations:review-decision", args=[submitted.pk]), {"decision": "accept"}
    )
    assert response.status_code == 403
    assert "无权" in text(response)
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    assert not AuditEntry.objects.filter(action__startswith="nomination.review").exists()
    assert client.post(reverse("nominations:withdraw", args=[submitted.pk]), {"reason": "x"}).status_code == 403


def test_officer_cannot_review_their_own_nomination(client, officer, submitted):
    response = login(client, officer).post(
        reverse("nominations:review-decision", args=[submitted.pk]), {"decision": "accept"}
    )
    assert response.status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_returned_nomination_shows_the_reason_to_the_unit(client, office, officer, submitted):
    services.nomination_review(actor=office, nomination=submitted, decision="return", reason="请补充照片说明。")

    login(client, officer)
    detail = text(client.get(reverse("nominations:detail", args=[submitted.pk])))
    form = text(client.get(reverse("nominations:edit", args=[submitted.pk])))

    assert "请补充照片说明。" in detail
    assert "修改并重新提交" in detail
    assert "退回修改，理由：请补充照片说明。" in form


@pytest.mark.parametrize(
    ("kind", "labels", "absent"),
    [
        ("person", ("姓名", "所在单位", "个人简介", "主要事迹"), ("服务领域", "品牌项目", "社区负责人")),
        ("community", ("社区名称", "所属街道/单位", "社区负责人", "主要事迹"), ("服务领域", "品牌项目")),
    ],
)
def test_person_and_community_forms_use_the_general_fields(
    client, officer, competition, kind, labels, absent
):
    from tests.factories import CategoryFactory

    category = CategoryFactory(competition=competition, kind=kind, nomination_quota_per_unit=2)
    login(client, officer)
    url = reverse("nominations:new") + f"?competition={competition.pk}&category={category.pk}"

    body = text(client.get(url))
    for label in labels:
        assert label in body, label
    for label in absent:
        assert label not in body, label

    response = client.post(
        reverse("nominations:new"),
        {"competition": competition.pk, "category": category.pk, "title": "张三", "order": "2"},
    )
    nomination = Nomination.objects.get(title="张三")
    assert response["Location"] == reverse("nominations:edit", args=[nomination.pk])
    assert nomination.order == 2
    detail = text(client.get(reverse("nominations:detail", args=[nomination.pk])))
    assert "张三" in detail and "第 2 位" in detail
