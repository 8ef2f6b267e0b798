"""The year's working-day calendar: holidays and make-up working days (调休), from the State Council's notice."""

import datetime as dt

import pytest
from django.urls import reverse

from competition import services
from competition.exceptions import Forbidden, ValidationFailed
from competition.models import AuditEntry
from tests.factories import api_client, competition_factory

from .utils import assert_error

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------- calendar_suggest


def test_calendar_suggest_gives_the_state_council_s_2023_schedule():
    holidays, workdays = services.calendar_suggest(2023)
    assert dt.date(2023, 10, 2) in holidays and dt.date(2023, 1, 23) in holidays
    assert workdays == sorted(workdays)
    # 国办发明电〔2022〕16号: 1月28日（星期六）、1月29日（星期日）上班 … 10月7日、8日上班.
    assert {dt.date(2023, 1, 28), dt.date(2023, 1, 29), dt.date(2023, 10, 7), dt.date(2023, 10, 8)} <= set(workdays)
    assert all(d.year == 2023 for d in holidays + workdays)
    assert all(d.weekday() >= 5 for d in workdays)


def test_calendar_suggest_says_in_chinese_when_the_package_does_not_know_the_year():
    with pytest.raises(ValidationFailed) as caught:
        services.calendar_suggest(2099)
    assert "2099" in caught.value.message and "手工" in caught.value.message
    assert "year" in caught.value.fields


# --------------------------------------------------------------------------- competition_calendar_set


def test_the_office_sets_the_calendar_and_it_is_audited(office):
    competition = competition_factory(year=2023, holidays=["2023-05-01"])
    services.competition_calendar_set(
        actor=office,
        competition=competition,
        holidays=["2023-10-03", dt.date(2023, 10, 2), "2023-10-02"],
        workdays=["2023-10-07"],
    )
    competition.refresh_from_db()
    assert competition.holidays == ["2023-10-02", "2023-10-03"]
    assert competition.workdays == ["2023-10-07"]
    entry = AuditEntry.objects.get(action="competition.calendar_set")
    assert entry.actor == office
    assert entry.before == {"holidays": ["2023-05-01"], "workdays": []}
    assert entry.after == {"holidays": ["2023-10-02", "2023-10-03"], "workdays": ["2023-10-07"]}


@pytest.mark.parametrize("who", ["observer", "officer"])
def test_only_the_office_sets_the_calendar(request, who):
    competition = competition_factory(year=2023)
    with pytest.raises(Forbidden):
        services.competition_calendar_set(
            actor=request.getfixturevalue(who), competition=competition, holidays=[], workdays=["2023-10-07"]
        )
    competition.refresh_from_db()
    assert competition.workdays == []
    assert not AuditEntry.objects.filter(action="competition.calendar_set").exists()


@pytest.mark.parametrize(
    ("holidays", "workdays", "field", "words"),
    [
        ([], ["2023-10-09"], "workdays", ["星期六或星期日", "2023-10-09（星期一）"]),
        (["2023-10-07"], ["2023-10-07"], "workdays", ["2023-10-07", "节假日"]),
        (["2023-13-01"], [], "holidays", ["节假日", "2023-13-01"]),
        ([], ["明天"], "workdays", ["调休上班日", "明天"]),
        ("2023-10-02", [], "holidays", ["节假日", "应为日期的列表"]),
    ],
)
def test_bad_calendar_dates_are_refused_naming_the_field_and_nothing_changes(office, holidays, workdays, field, words):
    competition = competition_factory(year=2023, holidays=["2023-05-01"], workdays=["2023-04-23"])
    with pytest.raises(ValidationFailed) as caught:
        services.competition_calendar_set(actor=office, competition=competition, holidays=holidays, workdays=workdays)
    message = " ".join(caught.value.fields[field])
    assert all(w in message for w in words), message
    competition.refresh_from_db()
    assert (competition.holidays, competition.workdays) == (["2023-05-01"], ["2023-04-23"])
    assert not AuditEntry.objects.filter(action="competition.calendar_set").exists()


# --------------------------------------------------------------------------- the API


def test_the_api_reads_and_patches_make_up_days_beside_holidays(office):
    competition = competition_factory(year=2023, holidays=["2023-10-02"])
    client = api_client(office)
    url = f"/api/v1/competitions/{competition.pk}/"
    assert client.get(url).json()["workdays"] == []
    response = client.patch(url, {"workdays": ["2023-10-07"]}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["holidays"] == ["2023-10-02"]
    assert response.json()["workdays"] == ["2023-10-07"]

    refused = client.patch(url, {"workdays": ["2023-10-09"]}, format="json")
    error = assert_error(refused, 400)
    assert "星期六或星期日" in " ".join(error["fields"]["workdays"])
    refused = client.patch(url, {"holidays": ["2023-10-07"]}, format="json")
    assert "workdays" in assert_error(refused, 400)["fields"]
    competition.refresh_from_db()
    assert (competition.holidays, competition.workdays) == (["2023-10-02"], ["2023-10-07"])


# --------------------------------------------------------------------------- the office's page


def _url(competition):
    return reverse("competition-calendar", args=[competition.pk])


def test_the_console_year_page_links_to_the_calendar(client, office):
    competition = competition_factory(year=2023)
    client.force_login(office)
    page = client.get(reverse("judging:console:year", args=[competition.pk])).content.decode()
    assert f'href="{_url(competition)}"' in page
    assert "工作日历" in page


def test_the_page_fills_the_state_council_schedule_then_saves_it(client, office):
    competition = competition_factory(year=2023, holidays=["2023-05-01"])
    client.force_login(office)
    page = client.get(_url(competition)).content.decode()
    assert "按国务院办公厅通知填入" in page and "2023-05-01" in page

    filled = client.post(_url(competition), {"action": "suggest"})
    assert filled.status_code == 200
    form = filled.context["form"]
    assert "2023-10-07" in form.initial["workdays"] and "2023-10-02" in form.initial["holidays"]
    assert "已按国务院办公厅通知填入" in filled.content.decode()
    competition.refresh_from_db()
    assert competition.holidays == ["2023-05-01"]  # filling does not save

    saved = client.post(
        _url(competition),
        {"action": "save", "holidays": form.initial["holidays"], "workdays": form.initial["workdays"]},
    )
    assert saved.status_code == 302
    competition.refresh_from_db()
    holidays, workdays = services.calendar_suggest(2023)
    assert competition.holidays == [d.isoformat() for d in holidays]
    assert competition.workdays == [d.isoformat() for d in workdays]
    assert AuditEntry.objects.filter(action="competition.calendar_set", actor=office).count() == 1


def test_the_page_shows_a_refusal_on_the_field_and_saves_nothing(client, office):
    competition = competition_factory(year=2023)
    client.force_login(office)
    response = client.post(
        _url(competition), {"action": "save", "holidays": "2023-10-02", "workdays": "2023-10-07，2023-10-09"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["workdays"]
    assert "2023-10-09（星期一）" in response.content.decode()
    competition.refresh_from_db()
    assert (competition.holidays, competition.workdays) == ([], [])


def test_the_page_says_when_the_package_does_not_know_the_year(client, office):
    competition = competition_factory(year=2099)
    client.force_login(office)
    page = client.get(_url(competition)).content.decode()
    assert 'id="suggestion-unknown"' in page and "2099" in page and "手工" in page
    assert 'id="calendar-suggest"' not in page
    saved = client.post(_url(competition), {"action": "save", "holidays": "2099-10-01", "workdays": "2099-10-03"})
    assert saved.status_code == 302
    competition.refresh_from_db()
    assert (competition.holidays, competition.workdays) == (["2099-10-01"], ["2099-10-03"])


@pytest.mark.parametrize("who", ["observer", "officer"])
def test_the_page_is_the_office_s_alone(client, request, who):
    competition = competition_factory(year=2023)
    client.force_login(request.getfixturevalue(who))
    assert client.get(_url(competition)).status_code == 403
    response = client.post(_url(competition), {"action": "save", "holidays": "", "workdays": "2023-10-07"})
    assert response.status_code == 403
    competition.refresh_from_db()
    assert competition.workdays == []
