"""200 judges saving and submitting at once, every request sent twice: no scorecard
lost, none duplicated, no server error."""

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection

from judging import services
from judging.models import Assignment, Score, Scorecard
from judging.scoring import CriterionSpec, weighted_total
from tests.judging.conftest import accepted, api, judging_competition, make_judge

pytestmark = pytest.mark.django_db(transaction=True)

JUDGES = 200


def test_200_concurrent_judges_with_duplicated_requests(postgres, office, units):
    competition = judging_competition(office, year=2035, judges_per_nomination=5)
    category = competition.categories.get(code="XM")
    for i in range(40):
        accepted(competition, category, units[i % len(units)], title=f"并发项目{i:02d}")
    judges = [make_judge(username=f"c{i:03d}") for i in range(JUDGES)]
    round_ = competition.rounds.get(order=1)
    services.assignments_auto(actor=office, round_=round_, seed=200)
    for judge in judges:
        services.pledge_accept(judge=judge, competition=competition)
    criteria = list(category.criteria.order_by("order"))
    assignments = {a.judge_id: a.pk for a in Assignment.objects.filter(round=round_)}
    assert len(assignments) == JUDGES

    def points(judge_id, step):
        return {str(c.pk): float(c.max_points - (judge_id + step) % 3) for c in criteria}

    def closing(call):
        try:
            return call()
        finally:
            connection.close()  # each thread has its own connection

    def twice(call):
        with ThreadPoolExecutor(max_workers=2) as pair:
            results = list(pair.map(lambda _: closing(call), range(2)))
        return sorted(r.status_code for r in results)

    def one_judge(judge):
        client = api(judge)
        url = f"/api/v1/assignments/{assignments[judge.pk]}/scorecard/"
        first = twice(lambda: client.put(url, {"scores": points(judge.pk, 0), "version": 0}, format="json"))
        second = twice(lambda: client.put(url, {"scores": points(judge.pk, 1), "comment": "复核", "version": 1}, format="json"))
        submitted = twice(lambda: client.post(f"{url}submit/"))
        return first, second, submitted

    with ThreadPoolExecutor(max_workers=16) as pool:  # 32 requests in flight
        outcomes = list(pool.map(one_judge, judges))

    for first, second, submitted in outcomes:
        assert first == [200, 409]  # the duplicate is refused as stale, never applied twice
        assert second == [200, 409]
        assert submitted == [200, 200]  # submitting twice is harmless
    assert Scorecard.objects.filter(assignment__round=round_).count() == JUDGES
    assert Scorecard.objects.filter(assignment__round=round_, status="submitted").count() == JUDGES
    assert Score.objects.filter(scorecard__assignment__round=round_).count() == JUDGES * len(criteria)
    specs = [CriterionSpec(c.pk, c.max_points, c.weight) for c in criteria]
    for card in Scorecard.objects.filter(assignment__round=round_).select_related("assignment"):
        judge_id = card.assignment.judge_id
        expected = {int(k): Decimal(str(v)) for k, v in points(judge_id, 1).items()}
        assert card.total == weighted_total(expected, specs)
        assert card.comment == "复核"
        assert card.version == 3
