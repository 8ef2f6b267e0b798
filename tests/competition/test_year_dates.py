"""The year's dates page (issue 13): the office moves the copied dates and opens
nominations there; and the calendar page's 公示 period computed from the saved calendar."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from competition.enums import Phase
from competition.exceptions import Conflict, Forbidden, ValidationFailed
from competition.models import AuditEntry, Competition
from competition.setup import services
from tests.factories import competition_factory

pytestmark = pytest.mark.django_db

TZ = timezone.get_current_timezone()
# The State Council's 2023 notice: 9月29日至10月6日放假，10月7日（星期六）、10月8日（星期日）上班.
HOLIDAYS_2023 = [f"2023-09-{d}" for d in (29, 30)] + [f"2023-10-0{d}" for d in range(1, 7)]


@pytest.fixture
def year2023():
    """A year copied from last year's: its dates lie in the past."""
    return competition_factory(
        year=2023,
        nominations_open=dt.datetime(2023, 7, 1, 9, 0, tzinfo=TZ),
        nominations_close=dt.datetime(2023, 8, 31, 17, 0, tzinfo=TZ),
        judging_close=dt.datetime(2023, 9, 27, 17, 0, tzinfo=TZ),
        holidays=HOLIDAYS_2023,
    )


def ahead(days: int, hour: int = 17) -> dt.datetime:
    return timezone.localtime().replace(hour=hour, minute=0, second=0, microsecond=0) + dt.timedelta(days=days)


def dates(**overrides) -> dict:
    values = {
        "nominations_open": ahead(-1, 9),
        "nominations_close": ahead(30),
        "judging_close": ahead(60),
        "publicity_working_days": 7,
    }
    return {**values, **overrides}


def form_data(values: dict) -> dict:
    out = {"action": "dates"}
    for key, value in values.items():
        out[key] = timezone.localtime(value).strftime("%Y-%m-%dT%H:%M") if isinstance(value, dt.datetime) else str(value)
    return out


# --------------------------------------------------------------------------- the service


def test_the_office_sets_the_dates_with_an_audit_entry(office, year2023):
    services.competition_dates_set(actor=office, competition=year2023, **dates())
    year2023.refresh_from_db()
    assert year2023.nominations_close == ahead(30) and year2023.publicity_working_days == 7
    entry = AuditEntry.objects.filter(action="competition.update").latest("id")
    assert entry.before["publicity_working_days"] == 5 and entry.after["publicity_working_days"] == 7


def test_dates_out_of_order_are_refused_naming_the_field_and_change_nothing(office, year2023):
    before = Competition.objects.values().get(pk=year2023.pk)
    with pytest.raises(ValidationFailed) as caught:
        services.competition_dates_set(actor=office, competition=year2023, **dates(nominations_close=ahead(-2)))
    assert caught.value.fields["nominations_close"] == ["申报截止：必须晚于申报开始时间。"]
    with pytest.raises(ValidationFailed) as caught:
        services.competition_dates_set(actor=office, competition=year2023, **dates(publicity_working_days=0))
    assert "公示期（工作日）" in caught.value.fields["publicity_working_days"][0]
    assert Competition.objects.values().get(pk=year2023.pk) == before


def test_only_the_office_sets_dates_and_only_before_review(office, observer, year2023):
    with pytest.raises(Forbidden):
        services.competition_dates_set(actor=observer, competition=year2023, **dates())
    year2023.phase = Phase.NOMINATING
    year2023.save()
    services.competition_dates_set(actor=office, competition=year2023, **dates(nominations_close=ahead(40)))
    year2023.phase = Phase.REVIEWING
    year2023.save()
    with pytest.raises(Conflict) as caught:
        services.competition_dates_set(actor=office, competition=year2023, **dates())
    assert caught.value.message == "活动已进入“资格审查”阶段，申报和评审日期不能再修改。"


# --------------------------------------------------------------------------- the page


def test_past_dates_keep_nominations_closed_until_the_office_moves_them(client, office, year2023):
    client.force_login(office)
    url = reverse("setup:dates", args=[year2023.pk])
    body = client.get(url).content.decode()
    assert "还不能开放申报：申报截止时间已过，请先修改申报时间再开始申报。" in body
    assert 'value="2023-08-31T17:00"' in body

    response = client.post(url, {"action": "open"}, follow=True)
    assert "申报截止时间已过" in response.content.decode()
    year2023.refresh_from_db()
    assert year2023.phase == Phase.DRAFT

    response = client.post(url, form_data(dates(nominations_close=ahead(-2))))
    assert response.status_code == 400 and "申报截止：必须晚于申报开始时间。" in response.content.decode()

    response = client.post(url, form_data(dates()))
    assert response.status_code == 302
    body = client.get(url).content.decode()
    assert "还不能开放申报" not in body and 'id="open-button"' in body

    response = client.post(url, {"action": "open"}, follow=True)
    assert "已开放申报：各推荐单位可在" in response.content.decode()
    year2023.refresh_from_db()
    assert year2023.phase == Phase.NOMINATING
    assert AuditEntry.objects.filter(action="competition.advance", object_id=str(year2023.pk)).count() == 1


def test_the_console_s_next_step_leads_to_the_dates_page(client, office, year2023):
    client.force_login(office)
    body = client.get(reverse("judging:console:year", args=[year2023.pk])).content.decode()
    assert "下一步：完成年度设置并开放申报" in body
    assert f'href="{reverse("setup:dates", args=[year2023.pk])}" id="next-step-button"' in body


def test_observers_read_the_dates_page_and_cannot_post(client, observer, officer, year2023):
    client.force_login(observer)
    url = reverse("setup:dates", args=[year2023.pk])
    body = client.get(url).content.decode()
    assert 'id="open-button"' not in body and 'id="dates-save"' not in body
    assert client.post(url, {"action": "open"}).status_code == 403
    assert client.post(url, form_data(dates())).status_code == 403
    year2023.refresh_from_db()
    assert year2023.phase == Phase.DRAFT and year2023.nominations_open.year == 2023
    client.force_login(officer)
    assert client.get(url).status_code == 404


# --------------------------------------------------------------------------- the 公示 period on the calendar page


def test_the_calendar_page_shows_the_publicity_period_of_the_saved_calendar(client, office, year2023):
    client.force_login(office)
    url = reverse("competition-calendar", args=[year2023.pk])
    # By default published the day after 评审截止 (Thursday 2023-09-28): the holiday pushes
    # five working days to Thursday 10-12.
    body = client.get(url).content.decode()
    assert 'id="publicity-ends">2023年10月12日<' in body
    response = client.post(
        url, {"action": "save", "holidays": "\n".join(HOLIDAYS_2023), "workdays": "2023-10-07"}
    )
    assert response.status_code == 302
    # The make-up Saturday counts: Wednesday 10-11.
    assert 'id="publicity-ends">2023年10月11日<' in client.get(url).content.decode()
    # Another publication day, typed in the trial form; a bad one is named and the default used.
    body = client.get(url, {"published": "2023-10-03"}).content.decode()
    assert 'id="publicity-starts">2023年10月7日<' in body and 'id="publicity-ends">2023年10月12日<' in body
    body = client.get(url, {"published": "10月3日"}).content.decode()
    assert "公示发布日期：“10月3日”不是日期" in body and 'id="publicity-ends">2023年10月11日<' in body


def test_saving_the_calendar_keeps_the_trial_date(client, office, year2023):
    client.force_login(office)
    url = reverse("competition-calendar", args=[year2023.pk])
    response = client.post(url, {"action": "save", "holidays": "", "workdays": "", "published": "2023-10-03"})
    assert response.status_code == 302 and response["Location"] == f"{url}?published=2023-10-03"
