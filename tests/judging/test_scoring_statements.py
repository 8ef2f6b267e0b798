"""A scorecard save through the API runs a handful of SQL statements (issue 17), and stays audited.

Counted with the real token authentication: the token lookup, the locked read
with every check and the rubric (``_scoring_row``: on PostgreSQL one fixed
statement, ``judging.services.scoring_row``), one versioned write of the card,
one upsert of the scores, one audit row. No timing here: speed is measured by
``bench/scoring.py``.
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

# PostgreSQL reads the rubric with the assignment; the ORM's path (SQLite) reads it apart.
SAVE_BUDGET = 5 if connection.vendor == "postgresql" else 6


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


def put(client, assignment, body):
    with CaptureQueriesContext(connection) as queries:
        response = client.put(f"/api/v1/assignments/{assignment.pk}/scorecard/", body, format="json")
    assert response.status_code == 200, response.json()
    # The test's own transaction turns the service's transaction into a savepoint: in
    # production it is BEGIN … COMMIT, which Django does not count as statements.
    return response.json(), [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]


def test_a_save_runs_at_most_five_statements_and_is_audited(own, category):
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
