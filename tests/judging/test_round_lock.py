"""A submit or an unlock racing the round's close: the round row is locked, so it waits for the close and is refused."""

import threading
import time

import pytest
from django.db import close_old_connections, connection, transaction

from judging import services
from judging.enums import ScorecardStatus
from judging.models import Assignment, Scorecard
from tests.judging.conftest import api


def _prepare(office, round1, category):
    services.assignments_auto(actor=office, round_=round1, seed=3)
    rows = list(Assignment.objects.filter(round=round1).select_related("judge").order_by("pk"))
    scores = {str(c.pk): float(c.max_points - 1) for c in category.criteria.all()}
    for a in rows[:2]:
        services.pledge_accept(judge=a.judge, competition=round1.competition)
        services.scorecard_save(judge=a.judge, assignment=a, scores=scores, comment="认真评审", version=0)
    services.scorecard_submit(judge=rows[0].judge, assignment=rows[0])
    return rows[0], rows[1]  # one submitted, one a complete draft


def _waiting_or_done(done: threading.Event) -> None:
    """Until the other request has finished or is waiting for a row lock (polled, no timing assumed)."""
    for _ in range(600):
        if done.is_set():
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    pytest.fail("the request neither finished nor waited for a lock")


def _race_with_close(office, round1, request):
    """Close the round in an open transaction, run ``request`` in another connection meanwhile, then commit."""
    done = threading.Event()
    answer = {}

    def run():
        try:
            response = request()
            answer["status"] = response.status_code
            answer["body"] = response.json()
        finally:
            done.set()
            close_old_connections()
            connection.close()

    thread = threading.Thread(target=run)
    with transaction.atomic():
        services.round_close(actor=office, round_=round1)
        thread.start()
        _waiting_or_done(done)
    thread.join(timeout=60)
    assert not thread.is_alive()
    return answer


@pytest.mark.django_db(transaction=True)
def test_a_submit_racing_the_close_is_refused_with_409(postgres, office, round1, nominations, judges, category):
    _submitted, draft = _prepare(office, round1, category)

    answer = _race_with_close(
        office, round1, lambda: api(draft.judge).post(f"/api/v1/assignments/{draft.pk}/scorecard/submit/")
    )

    assert answer["status"] == 409, answer
    assert answer["body"]["error"]["code"] == "round_locked"
    assert answer["body"]["error"]["message"] == "“初评”已结束，评分已锁定。"
    assert Scorecard.objects.get(assignment=draft).status == ScorecardStatus.DRAFT


@pytest.mark.django_db(transaction=True)
def test_an_unlock_racing_the_close_is_refused_with_409(postgres, office, round1, nominations, judges, category):
    submitted, _draft = _prepare(office, round1, category)

    answer = _race_with_close(
        office,
        round1,
        lambda: api(office).post(
            f"/api/v1/assignments/{submitted.pk}/scorecard/unlock/", {"reason": "评委要求修改"}, format="json"
        ),
    )

    assert answer["status"] == 409, answer
    assert answer["body"]["error"]["code"] == "round_closed"
    assert answer["body"]["error"]["message"] == "“初评”已结束，评分不能再解锁。"
    assert Scorecard.objects.get(assignment=submitted).status == ScorecardStatus.SUBMITTED
