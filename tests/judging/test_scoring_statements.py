"""A scorecard save through the API runs a handful of SQL statements (issue 17), and stays audited.

Counted with the real token authentication. On PostgreSQL a save is three: the
token lookup, the locked read with every check and the rubric
(``judging.services.scoring_row``), and one write (``scoring_write``: the
versioned card, the scores' upsert and the audit entry as CTEs of one
statement). A submit is five: the token, the round's lock, the locked read,
the card with its scores, one write (card, assignment, audit entry). The ORM's
path (SQLite) writes the card, the scores and the audit entry apart. No timing
here: speed is measured by ``bench/scoring.py``.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from competition.models import AuditEntry
from competition.services import token_issue
from judging import services
from judging.models import Assignment, Score, Scorecard

pytestmark = pytest.mark.django_db

POSTGRESQL = connection.vendor == "postgresql"
SAVE_BUDGET = 3 if POSTGRESQL else 6
SUBMIT_BUDGET = 5 if POSTGRESQL else 9


@pytest.fixture
def own(office, round1, nominations, judges, competition):
    services.assignments_auto(actor=office, round_=round1, seed=7)
    assignment = Assignment.objects.filter(round=round1).exclude(judge__username="judgeA").first()
    services.pledge_accept(judge=assignment.judge, competition=competition)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=assignment.judge).raw}")
    return assignment, client


def scores(category, minus=1):
    return {str(c.pk): float(c.max_points - minus) for c in category.criteria.all()}


def put(client, assignment, body, *, submit=False):
    url = f"/api/v1/assignments/{assignment.pk}/scorecard/"
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url + "submit/") if submit else client.put(url, body, format="json")
    assert response.status_code == 200, response.json()
    # The test's own transaction turns the service's transaction into a savepoint: in
    # production it is BEGIN … COMMIT, which Django does not count as statements.
    return response.json(), [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]


def test_a_submit_runs_at_most_five_statements_and_is_audited(own, category):
    assignment, client = own
    put(client, assignment, {"scores": scores(category), "version": 0, "comment": "初稿"})
    body, statements = put(client, assignment, None, submit=True)
    assert len(statements) <= SUBMIT_BUDGET, "\n".join(statements)
    card = Scorecard.objects.get(assignment=assignment)
    assignment.refresh_from_db()
    assert (body["status"], body["version"], card.status, card.version, assignment.status) == (
        "submitted", 2, "submitted", 2, "submitted",
    )
    entry = AuditEntry.objects.get(action="scorecard.submit", object_id=str(card.pk))
    assert (entry.actor_id, entry.before, entry.after) == (
        assignment.judge_id, {"status": "draft"}, {"status": "submitted", "total": f"{card.total:.2f}"},
    )


def test_a_save_runs_at_most_three_statements_and_is_audited(own, category):
    assignment, client = own
    first, new_card = put(client, assignment, {"scores": scores(category), "version": 0, "comment": "初稿"})
    again, resave = put(client, assignment, {"scores": scores(category, minus=2), "version": 1})
    assert len(new_card) <= SAVE_BUDGET, "\n".join(new_card)
    assert len(resave) <= SAVE_BUDGET, "\n".join(resave)
    # The answer is the saved card, as stored.
    card = Scorecard.objects.get(assignment=assignment)
    assert (again["version"], again["comment"], again["total"]) == (2, "初稿", f"{card.total:.2f}")
    stored = {str(s.criterion_id): float(s.points) for s in Score.objects.filter(scorecard=card)}
    assert again["scores"] == stored == scores(category, minus=2)
    assert first["version"] == 1
    saves = AuditEntry.objects.filter(action="scorecard.save", object_id=str(card.pk))
    assert [e.after["version"] for e in saves.order_by("id")] == [1, 2]


def test_a_partial_save_keeps_the_other_scores_and_clears_an_emptied_one(own, category):
    assignment, client = own
    criteria = list(category.criteria.order_by("order"))
    put(client, assignment, {"scores": scores(category), "version": 0})
    body, _ = put(client, assignment, {"scores": {str(criteria[0].pk): 1, str(criteria[1].pk): None}, "version": 1})
    expected = scores(category)
    expected[str(criteria[0].pk)] = 1.0
    del expected[str(criteria[1].pk)]
    assert body["scores"] == expected
    card = Scorecard.objects.get(assignment=assignment)
    assert {str(s.criterion_id): float(s.points) for s in card.scores.all()} == expected
    total = sum(float(c.weight) * expected[str(c.pk)] for c in criteria if str(c.pk) in expected)
    assert float(body["total"]) == pytest.approx(total)


def test_a_stale_version_is_refused_with_the_current_one_and_changes_nothing(own, category):
    assignment, client = own
    put(client, assignment, {"scores": scores(category), "version": 0})
    response = client.put(
        f"/api/v1/assignments/{assignment.pk}/scorecard/", {"scores": scores(category, 3), "version": 0}, format="json"
    )
    assert response.status_code == 409
    assert "当前版本 1" in response.json()["error"]["message"]
    assert {float(s.points) for s in Score.objects.filter(scorecard__assignment=assignment)} == set(
        scores(category).values()
    )
