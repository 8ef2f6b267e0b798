"""意见建议 (issue 14 item 7): the public form on the 云展馆, its JSON twin, and the office's list.

The form works without JavaScript (a plain POST with Django's CSRF check);
a bad field comes back in Chinese under its name with nothing saved; every
attempt counts against the client address's hourly limit; the office marks a
suggestion read or handled with a note (audited); observers read only;
anyone else finds no such page.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from competition.models import AuditEntry
from exhibition import suggestions
from exhibition.enums import SuggestionStatus
from exhibition.models import Suggestion
from tests.factories import OfficerFactory, api_client

FORM = "/exhibition/suggestions/"
OFFICE_LIST = "/exhibition/office/suggestions/"
API = "/api/v1/public/suggestions/"
TEXT = "建议云展馆增加按服务领域浏览的入口，方便市民查找身边的志愿服务项目。"

pytestmark = pytest.mark.django_db


def _send(client: Client, address: str | None = None, **fields):
    data = {"name": "", "contact": "", "content": TEXT}
    data.update(fields)
    extra = {"REMOTE_ADDR": address} if address else {}
    return client.post(FORM, data, **extra)


# --------------------------------------------------------------------------- the public form


def test_the_lobby_and_every_exhibition_page_link_the_form(client):
    lobby = client.get("/exhibition/").content.decode()
    assert f'href="{FORM}"' in lobby
    assert "意见建议" in lobby
    page = client.get(FORM)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="csrfmiddlewaretoken"' in body
    assert "提交意见建议" in body
    assert "no-store" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]


def test_a_visitor_sends_a_suggestion_without_name_or_contact(client):
    response = _send(client)
    assert response.status_code == 201
    assert "意见建议已收到" in response.content.decode()
    suggestion = Suggestion.objects.get()
    assert (suggestion.name, suggestion.contact, suggestion.content) == ("", "", TEXT)
    assert suggestion.status == SuggestionStatus.NEW
    assert suggestion.client_address == "127.0.0.1"
    entry = AuditEntry.objects.get(action="suggestion.submit")
    assert entry.actor is None and entry.object_id == str(suggestion.pk)


@pytest.mark.parametrize("contact", ["13912345678", "0351-4040123", "zhang.san@example.cn"])
def test_the_contact_may_be_a_mobile_a_landline_or_an_email(client, contact):
    assert _send(client, name="张三", contact=contact).status_code == 201
    assert Suggestion.objects.get().contact == contact


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"content": ""}, "content", "意见建议：请填写您的意见或建议。"),
        ({"content": "   "}, "content", "意见建议：请填写您的意见或建议。"),
        ({"content": "好"}, "content", "意见建议：请写得具体一些（不少于 5 个字）。"),
        ({"content": "很" * 1001}, "content", "意见建议：不超过 1000 个字（现有 1001 个字）。"),
        ({"contact": "12345"}, "contact", "联系方式：请填写手机号码、带区号的固定电话或电子邮箱（也可以不填）。"),
        ({"contact": "a@b"}, "contact", "联系方式：请填写手机号码、带区号的固定电话或电子邮箱（也可以不填）。"),
        ({"name": "张" * 31}, "name", "姓名：不超过 30 个字（也可以不填）。"),
    ],
)
def test_a_bad_field_is_named_in_chinese_and_nothing_is_saved(client, fields, field, message):
    response = _send(client, **fields)
    assert response.status_code == 400
    body = response.content.decode()
    assert f'data-errors-for="{field}"' in body
    assert message in body
    assert not Suggestion.objects.exists()
    if fields.get("content", "").strip():
        assert fields["content"][:50] in body  # what was typed is kept


def test_the_form_needs_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    assert _send(client).status_code == 403
    assert not Suggestion.objects.exists()


def test_a_post_from_another_site_is_refused_even_with_a_token():
    client = Client(enforce_csrf_checks=True)
    page = client.get(FORM)
    token = page.context["csrf_token"]
    response = client.post(
        FORM, {"csrfmiddlewaretoken": str(token), "content": TEXT}, HTTP_ORIGIN="https://evil.example", secure=True
    )
    assert response.status_code == 403
    ok = client.post(FORM, {"csrfmiddlewaretoken": str(token), "content": TEXT})
    assert ok.status_code == 201


def test_every_attempt_counts_against_the_address_limit(client, settings):
    settings.SUGGESTIONS_PER_ADDRESS_PER_HOUR = 2
    assert _send(client, content="").status_code == 400  # a refused attempt counts too
    assert _send(client).status_code == 201
    response = _send(client)
    assert response.status_code == 429
    assert "提交过于频繁" in response.content.decode()
    assert int(response["Retry-After"]) > 0
    assert Suggestion.objects.count() == 1
    # Another address is not held back.
    assert _send(client, address="10.1.2.3").status_code == 201


# --------------------------------------------------------------------------- the JSON twin


def test_the_api_takes_a_suggestion_as_json():
    client = api_client()
    response = client.post(API, {"content": TEXT, "contact": "13912345678"}, format="json")
    assert response.status_code == 201, response.content
    assert "意见建议已收到" in response.json()["message"]
    assert Suggestion.objects.get().contact == "13912345678"


def test_the_api_names_a_bad_field_in_chinese():
    response = api_client().post(API, {"content": "", "contact": "abc"}, format="json")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert fields["content"] == ["意见建议：请填写您的意见或建议。"]
    assert fields["contact"][0].startswith("联系方式：")
    assert not Suggestion.objects.exists()


def test_the_api_refuses_forms_and_other_sites():
    client = api_client()
    assert client.post(API, {"content": TEXT}).status_code == 415  # multipart
    cross = client.post(API, {"content": TEXT}, format="json", HTTP_SEC_FETCH_SITE="cross-site")
    assert cross.status_code == 403
    assert not Suggestion.objects.exists()


def test_the_api_is_throttled_per_address(settings):
    settings.SUGGESTIONS_PER_ADDRESS_PER_HOUR = 1
    client = api_client()
    assert client.post(API, {"content": TEXT}, format="json").status_code == 201
    response = client.post(API, {"content": TEXT}, format="json")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert "Retry-After" in response


# --------------------------------------------------------------------------- the office


def test_the_office_reads_the_list_and_marks_one_handled(client, office):
    suggestion = suggestions.suggestion_submit(name="李四", contact="13912345678", content=TEXT)
    client.force_login(office)
    page = client.get(OFFICE_LIST)
    assert page.status_code == 200
    body = page.content.decode()
    assert TEXT in body and "李四" in body and "13912345678" in body and "未读" in body

    response = client.post(
        f"{OFFICE_LIST}{suggestion.pk}/", {"status": "handled", "note": "已转云展馆运维单位，下一版增加该入口。"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#suggestion-{suggestion.pk}")
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.HANDLED
    assert suggestion.handled_by == office and suggestion.handled_at is not None
    entry = AuditEntry.objects.get(action="suggestion.mark")
    assert entry.actor == office
    assert entry.before == {"status": "new", "note": ""}
    assert entry.after == {"status": "handled", "note": "已转云展馆运维单位，下一版增加该入口。"}
    after = client.get(response["Location"].split("#")[0]).content.decode()
    assert "已标记为“已处理”" in after
    assert "已转云展馆运维单位" in after

    # Filtered by status.
    assert TEXT in client.get(f"{OFFICE_LIST}?status=handled").content.decode()
    assert TEXT not in client.get(f"{OFFICE_LIST}?status=new").content.decode()


def test_handled_needs_a_note(client, office):
    suggestion = suggestions.suggestion_submit(content=TEXT)
    client.force_login(office)
    response = client.post(f"{OFFICE_LIST}{suggestion.pk}/", {"status": "handled", "note": " "}, follow=True)
    assert "处理说明：标记为已处理时请写明如何处理。" in response.content.decode()
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.NEW
    assert not AuditEntry.objects.filter(action="suggestion.mark").exists()


def test_marking_read_and_back_to_unread(office):
    suggestion = suggestions.suggestion_submit(content=TEXT)
    suggestions.suggestion_mark(actor=office, suggestion=suggestion, status="read")
    suggestion.refresh_from_db()
    assert suggestion.status == "read" and suggestion.handled_at is not None
    suggestions.suggestion_mark(actor=office, suggestion=suggestion, status="new")
    suggestion.refresh_from_db()
    assert suggestion.status == "new" and suggestion.handled_at is None and suggestion.handled_by is None


def test_observers_read_without_buttons_and_cannot_mark(client, observer):
    suggestion = suggestions.suggestion_submit(content=TEXT)
    client.force_login(observer)
    page = client.get(OFFICE_LIST)
    assert page.status_code == 200
    assert TEXT in page.content.decode()
    assert "mark-form" not in page.content.decode()
    assert client.post(f"{OFFICE_LIST}{suggestion.pk}/", {"status": "read"}).status_code == 403
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.NEW


def test_units_and_visitors_find_no_office_list(client, unit):
    suggestion = suggestions.suggestion_submit(content=TEXT)
    anonymous = client.get(OFFICE_LIST)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    client.force_login(OfficerFactory(unit=unit))
    assert client.get(OFFICE_LIST).status_code == 404
    assert client.post(f"{OFFICE_LIST}{suggestion.pk}/", {"status": "read"}).status_code == 404
    assert TEXT not in client.get(OFFICE_LIST).content.decode()


def test_the_console_navigation_leads_to_the_list(client, office):
    from tests.factories import competition_factory

    competition = competition_factory()
    client.force_login(office)
    page = client.get(reverse("judging:console:year", args=[competition.pk])).content.decode()
    assert f'href="{OFFICE_LIST}"' in page
    assert "意见建议" in page


def test_the_database_refuses_a_handled_suggestion_without_a_note():
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    with pytest.raises(IntegrityError), transaction.atomic():
        Suggestion.objects.create(content=TEXT, status="handled", handled_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        Suggestion.objects.create(content="短")


# --------------------------------------------------------------------------- how the office hears of them

PENDING_LIST = f"{OFFICE_LIST}?status=pending"


def _three_of_which_two_wait(office) -> list[Suggestion]:
    """Three suggestions: one unread, one read, one handled (two wait to be handled)."""
    new, read, handled = (suggestions.suggestion_submit(content=f"{TEXT}（第{i}条）") for i in range(1, 4))
    suggestions.suggestion_mark(actor=office, suggestion=read, status="read")
    suggestions.suggestion_mark(actor=office, suggestion=handled, status="handled", note="已答复。")
    return [new, read, handled]


def test_waiting_counts_unread_and_read_but_not_handled(office):
    assert suggestions.suggestions_waiting() == 0
    new, read, handled = _three_of_which_two_wait(office)
    assert suggestions.suggestions_waiting() == 2
    assert list(suggestions.suggestions_for_office(status="pending")) == [read, new]


def test_the_console_shows_how_many_wait_and_links_to_them(client, office):
    from tests.factories import competition_factory

    competition = competition_factory()
    new, read, handled = _three_of_which_two_wait(office)
    client.force_login(office)
    page = client.get(reverse("judging:console:year", args=[competition.pk])).content.decode()

    # The entry 云展馆 › 意见建议 carries the count and leads to the ones waiting.
    entry = f'<a href="{PENDING_LIST}" data-entry="exhibition:office-suggestions">意见建议'
    assert entry in page
    assert '<span class="count-badge" title="2 条待处理">2</span>' in page
    # And the card "待处理" near the top says it again.
    waiting = page.split('id="waiting"')[1].split("</section>")[0]
    assert "云展馆 › 意见建议" in waiting and f'href="{PENDING_LIST}"' in waiting and "2 条待处理" in waiting
    assert page.index('id="waiting"') < page.index('id="pages"')

    listed = client.get(PENDING_LIST).content.decode()
    assert f'id="suggestion-{new.pk}"' in listed and f'id="suggestion-{read.pk}"' in listed
    assert f'id="suggestion-{handled.pk}"' not in listed
    assert 'id="filter-pending" aria-current="page">待处理（2）</a>' in listed


def test_the_badge_follows_the_handling(client, office):
    from tests.factories import competition_factory

    competition = competition_factory()
    new, read, _ = _three_of_which_two_wait(office)
    client.force_login(office)
    year_page = reverse("judging:console:year", args=[competition.pk])
    response = client.post(f"{OFFICE_LIST}{new.pk}/", {"status": "handled", "note": "已采纳。", "filter": "pending"})
    assert response["Location"] == f"{PENDING_LIST}#suggestion-{new.pk}"
    assert 'title="1 条待处理">1</span>' in client.get(year_page).content.decode()

    suggestions.suggestion_mark(actor=office, suggestion=read, status="handled", note="已答复。")
    page = client.get(year_page).content.decode()
    assert "count-badge" not in page and 'id="waiting"' not in page
    assert f'<a href="{OFFICE_LIST}" data-entry="exhibition:office-suggestions">意见建议</a>' in page
    assert "没有待处理的意见建议。" in client.get(PENDING_LIST).content.decode()


def test_observers_see_the_count_too(client, observer, office):
    from tests.factories import competition_factory

    competition = competition_factory()
    _three_of_which_two_wait(office)
    client.force_login(observer)
    page = client.get(reverse("judging:console:year", args=[competition.pk])).content.decode()
    assert f'href="{PENDING_LIST}"' in page and "2 条待处理" in page


def test_the_console_without_a_year_still_shows_what_waits(client, office):
    suggestions.suggestion_submit(content=TEXT)
    client.force_login(office)
    page = client.get(reverse("judging:console:home")).content.decode()
    assert "暂无推选活动" in page
    assert f'href="{PENDING_LIST}"' in page and "1 条待处理" in page
