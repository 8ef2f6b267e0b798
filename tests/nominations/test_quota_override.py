"""A unit's own nomination quota (QuotaOverride) is the one every quota check and page reads."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from competition.exceptions import Conflict, ValidationFailed
from competition.models import QuotaOverride
from competition.selectors import nomination_quota
from nominations import services
from tests.nominations.conftest import attach_required, make_nomination

pytestmark = pytest.mark.django_db


def submit_new(officer, competition, category, **fields):
    nomination = make_nomination(officer, competition, category, **fields)
    attach_required(nomination)
    return services.nomination_submit(actor=officer, nomination=nomination)


def test_nomination_quota_reads_the_override_else_the_category(project_category, unit, other_unit):
    QuotaOverride.objects.create(category=project_category, unit=unit, nomination_quota=3)
    assert project_category.nomination_quota_per_unit == 2
    assert nomination_quota(project_category, unit) == 3
    assert nomination_quota(project_category, other_unit) == 2


def test_a_unit_with_a_larger_quota_submits_beyond_the_category_s(officer, competition, project_category, unit):
    QuotaOverride.objects.create(category=project_category, unit=unit, nomination_quota=3)
    for order in (1, 2, 3):
        submit_new(officer, competition, project_category, title=f"项目{order}", order=order)

    fourth = make_nomination(officer, competition, project_category, title="项目四", order=None)
    attach_required(fourth)
    services.nomination_update(actor=officer, nomination=fourth, data={"order": 3})
    with pytest.raises(Conflict) as exc:
        services.nomination_submit(actor=officer, nomination=fourth)
    assert exc.value.code == "quota_exceeded"
    assert "（3 个）已用完" in exc.value.message


def test_a_unit_with_a_smaller_quota_is_refused_at_its_own_number(officer, competition, project_category, unit):
    QuotaOverride.objects.create(category=project_category, unit=unit, nomination_quota=1)
    submit_new(officer, competition, project_category, title="项目一", order=1)

    second = make_nomination(officer, competition, project_category, title="项目二", order=None)
    attach_required(second)
    with pytest.raises(ValidationFailed) as caught:
        services.nomination_update(actor=officer, nomination=second, data={"order": 2})
    assert "1 到 1" in caught.value.fields["order"][0]
    services.nomination_update(actor=officer, nomination=second, data={"order": 1})
    with pytest.raises(Conflict) as exc:
        services.nomination_submit(actor=officer, nomination=second)
    assert "（1 个）已用完" in exc.value.message


def test_other_units_keep_the_category_quota(other_officer, competition, project_category, unit):
    QuotaOverride.objects.create(category=project_category, unit=unit, nomination_quota=1)
    submit_new(other_officer, competition, project_category, title="项目一", order=1)
    submit_new(other_officer, competition, project_category, title="项目二", order=2)


def test_the_officer_s_list_and_form_show_the_unit_s_own_quota(client, officer, competition, project_category, unit):
    QuotaOverride.objects.create(category=project_category, unit=unit, nomination_quota=4)
    client.force_login(officer)
    response = client.get(reverse("nominations:index"))
    quota = {row["name"]: row for row in response.context["blocks"][0]["quota"]}
    assert quota["最佳志愿服务项目"]["quota"] == 4
    assert quota["最佳志愿服务项目"]["left"] == 4
    assert quota["最佳志愿服务组织"]["quota"] == 1

    url = reverse("nominations:new") + f"?competition={competition.pk}&category={project_category.pk}"
    page = client.get(url).content.decode()
    assert "名额 4 个" in page and "第 4 位" in page


def test_the_database_refuses_a_second_or_a_zero_override(project_category, unit):
    QuotaOverride.objects.create(category=project_category, unit=unit, nomination_quota=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        QuotaOverride.objects.create(category=project_category, unit=unit, nomination_quota=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        QuotaOverride.objects.filter(category=project_category).update(nomination_quota=0)
