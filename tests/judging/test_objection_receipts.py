"""Issue 14 item 6: objections from the 公示's publication to the end of its last working
day, a receipt code, the lookup by receipt and phone, and the form without JavaScript."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from competition.exceptions import Conflict, NotFound, ValidationFailed
from competition.models import AuditEntry
from judging import services
from judging.enums import ObjectionChannel
from judging.models import RECEIPT_ALPHABET, RECEIPT_LENGTH, Objection
from tests.judging.conftest import api
from tests.judging.test_results import objection, scored  # noqa: F401

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Saturday 5 December 2026: the 公示 of 5 working days runs Monday 7 to Friday 11 December.
SATURDAY = dt.datetime(2026, 12, 5, 10, 0, tzinfo=SHANGHAI)
PHONE = "13912345678"


def _at(day: int, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute, second, tzinfo=SHANGHAI)


@pytest.fixture
def published(office, round1, scored, competition):  # noqa: F811
    """The 公示 published on a Saturday (before its first working day)."""
    with time_machine.travel(SATURDAY, tick=False):
        services.round_close(actor=office, round_=round1)
        publicity = services.publicity_publish(actor=office, competition=competition, working_days=5)
    assert (publicity.starts_on, publicity.ends_on) == (dt.date(2026, 12, 7), dt.date(2026, 12, 11))
    return publicity


def _lodge(competition, nomination, now, phone=PHONE):
    return services.objection_lodge(
        competition=competition, nomination=nomination, name="张三", phone=phone,
        content="该项目申报的服务时长与实际不符，请核实。", now=now,
    )


def test_objections_are_accepted_from_publication_to_the_end_of_the_last_working_day(
    published, competition, scored  # noqa: F811
):
    # The publication day (a Saturday) and the Sunday before the first working day: accepted.
    _lodge(competition, scored[0], SATURDAY)
    _lodge(competition, scored[1], _at(6, 15), phone="13912345670")
    # The last working day until its end.
    _lodge(competition, scored[2], _at(11, 23, 59, 59), phone="13912345671")
    assert Objection.objects.count() == 3
    # The day after the last working day: refused.
    with pytest.raises(Conflict) as late:
        _lodge(competition, scored[0], _at(12, 0, 0, 1), phone="13912345672")
    assert "2026年12月11日" in late.value.message and "结束" in late.value.message
    assert Objection.objects.count() == 3


def test_the_publicity_page_takes_objections_on_the_weekend_after_publication(published, competition, scored):  # noqa: F811
    with time_machine.travel(_at(6, 9), tick=False):
        page = Client().get(f"/publicity/{competition.pk}/").content.decode()
    assert 'id="objection-form"' in page and "objection-closed" not in page


def test_lodging_answers_a_receipt_and_office_entries_get_one_too(published, competition, scored, office):  # noqa: F811
    with time_machine.travel(_at(7, 9), tick=False):
        body = api().post("/api/v1/public/objections/", objection(competition, scored[0]), format="json").json()
        entered = services.objection_enter(
            actor=office, competition=competition, nomination=scored[1], channel=ObjectionChannel.LETTER,
            name="李四", phone="13700001111", content="来信反映该对象材料与事实不符。",
        )
    lodged = Objection.objects.get(pk=body["id"])
    assert body["receipt"] == lodged.receipt and lodged.receipt in body["message"]
    for receipt in (lodged.receipt, entered.receipt):
        assert len(receipt) == RECEIPT_LENGTH and set(receipt) <= set(RECEIPT_ALPHABET)
    assert lodged.receipt != entered.receipt


def test_lookup_by_receipt_and_phone_shows_the_status_then_the_answer(published, competition, scored, office):  # noqa: F811
    with time_machine.travel(_at(7, 9), tick=False):
        lodged = _lodge(competition, scored[0], _at(7, 9))
        url = f"/api/v1/public/objections/{lodged.receipt}/"
        open_ = api().get(url, {"phone": PHONE})
        assert open_.status_code == 200
        assert open_.json()["status"] == "open" and open_.json()["resolved"] is False
        assert open_.json()["answer"] is None and open_.json()["nomination"] == scored[0].title
        # Typed back in lower case with a dash: the same objection.
        typed = f"{lodged.receipt[:6].lower()}-{lodged.receipt[6:]}"
        assert api().get(f"/api/v1/public/objections/{typed}/", {"phone": PHONE}).status_code == 200

        wrong_phone = api().get(url, {"phone": "13900000000"})
        unknown = api().get("/api/v1/public/objections/ABCDEFGHJKMN/", {"phone": PHONE})
        no_phone = api().get(url)
        assert wrong_phone.status_code == unknown.status_code == no_phone.status_code == 404
        assert wrong_phone.json() == unknown.json() == no_phone.json()
        assert "张三" not in wrong_phone.content.decode()

        services.objection_resolve(actor=office, objection=lodged, decision="dismissed", reason="经核实，服务时长记录属实。")
        done = api().get(url, {"phone": PHONE}).json()
    assert done["status"] == "dismissed" and done["resolved"] is True
    assert done["status_label"] == "已处理：异议不成立"
    assert done["answer"] == "经核实，服务时长记录属实。" and done["resolved_at"]


def test_lookup_is_limited_per_address_counting_every_attempt(published, competition, scored, settings):  # noqa: F811
    settings.OBJECTION_LOOKUPS_PER_ADDRESS_PER_HOUR = 2
    with time_machine.travel(_at(7, 9), tick=False):
        lodged = _lodge(competition, scored[0], _at(7, 9))
        client = Client(REMOTE_ADDR="198.51.100.7")
        url = f"/api/v1/public/objections/{lodged.receipt}/"
        assert client.get(url, {"phone": "13900000000"}).status_code == 404
        assert client.get(url, {"phone": PHONE}).status_code == 200
        refused = client.get(url, {"phone": PHONE})
        assert refused.status_code == 429
        assert "查询过于频繁" in refused.json()["error"]["message"]
        # The page shares the limit; another address is not affected.
        assert client.post("/publicity/objections/", {"receipt": lodged.receipt, "phone": PHONE}).status_code == 429
        assert Client(REMOTE_ADDR="198.51.100.8").get(url, {"phone": PHONE}).status_code == 200


def test_lookup_service_answers_unknown_and_wrong_phone_alike(published, competition, scored):  # noqa: F811
    lodged = _lodge(competition, scored[0], _at(7, 9))
    messages = set()
    for receipt, phone in ((lodged.receipt, "13900000000"), ("ABCDEFGHJKMN", PHONE), ("", PHONE), (lodged.receipt, "")):
        with pytest.raises(NotFound) as caught:
            services.objection_lookup(receipt=receipt, phone=phone)
        messages.add(caught.value.message)
    assert len(messages) == 1
    assert services.objection_lookup(receipt=lodged.receipt, phone=f" {PHONE} ") == lodged


def test_the_form_without_javascript_lodges_and_shows_the_receipt(published, competition, scored):  # noqa: F811
    client = Client(enforce_csrf_checks=True)
    with time_machine.travel(_at(8, 10), tick=False):
        page = client.get(f"/publicity/{competition.pk}/").content.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        url = f"/publicity/{competition.pk}/objection/"
        bad = client.post(url, {"csrfmiddlewaretoken": token, "nomination": "", "name": "张", "phone": "123", "content": "短"})
        assert bad.status_code == 400
        text = bad.content.decode()
        for message in ("异议对象：请选择公示名单中的对象。", "姓名：请填写真实姓名", "手机号码：请填写 11 位手机号码。", "异议内容："):
            assert message in text
        assert 'value="123"' in text  # what was typed stays in the form
        assert not Objection.objects.exists()

        ok = client.post(url, {
            "csrfmiddlewaretoken": token, "nomination": str(scored[0].pk), "name": "张三", "phone": PHONE,
            "content": "该项目申报的服务时长与实际不符，请核实。",
        })
    assert ok.status_code == 201
    lodged = Objection.objects.get()
    assert lodged.nomination == scored[0] and lodged.phone == PHONE
    assert f'id="objection-receipt">{lodged.receipt}<' in ok.content.decode()
    assert AuditEntry.objects.filter(action="objection.lodge").count() == 1


def test_the_lookup_page_shows_the_status_and_answer(published, competition, scored, office):  # noqa: F811
    lodged = _lodge(competition, scored[0], _at(7, 9))
    client = Client()
    shown = client.post("/publicity/objections/", {"receipt": lodged.receipt.lower(), "phone": PHONE})
    assert shown.status_code == 200 and "待处理" in shown.content.decode()
    with time_machine.travel(_at(9, 9), tick=False):
        services.objection_resolve(actor=office, objection=lodged, decision="dismissed", reason="经核实，服务时长记录属实。")
    answered = client.post("/publicity/objections/", {"receipt": lodged.receipt, "phone": PHONE}).content.decode()
    assert "已处理：异议不成立" in answered and "经核实，服务时长记录属实。" in answered
    wrong = client.post("/publicity/objections/", {"receipt": lodged.receipt, "phone": "13900000000"})
    assert wrong.status_code == 404 and "经核实" not in wrong.content.decode()


def test_the_office_enters_objections_received_from_the_publication_day(published, competition, scored, office):  # noqa: F811
    fields = {"name": "李四", "phone": "13700001111", "content": "来信反映该对象材料与事实不符。"}
    with time_machine.travel(_at(7, 9), tick=False):
        on_saturday = services.objection_enter(
            actor=office, competition=competition, nomination=scored[0], channel=ObjectionChannel.LETTER,
            received_on=dt.date(2026, 12, 5), **fields,
        )
        assert on_saturday.received_on == dt.date(2026, 12, 5)
        with pytest.raises(ValidationFailed) as before:
            services.objection_enter(
                actor=office, competition=competition, nomination=scored[1], channel=ObjectionChannel.LETTER,
                received_on=dt.date(2026, 12, 4), **fields,
            )
    assert "2026年12月5日" in before.value.fields["received_on"][0]
