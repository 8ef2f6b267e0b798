"""Judging in the admin is for inspection: the office reads assignments, scorecards and
snapshots there, and changes nothing."""

import pytest
from django.urls import reverse

from judging import services
from judging.models import Assignment, Scorecard
from tests.judging.conftest import score_all

pytestmark = pytest.mark.django_db


def test_the_office_inspects_but_changes_nothing(client, office, round1, nominations, judges):
    services.assignments_auto(actor=office, round_=round1, seed=7)
    score_all(round1, lambda judge, nomination, c: c.max_points)
    snapshot = services.snapshot_compute(round_=round1, method="mean")
    card = Scorecard.objects.select_related("assignment__nomination").first()
    client.force_login(office)

    for name in ("assignment", "scorecard", "rankingsnapshot", "aggregationjob", "publicity", "objection", "award"):
        assert client.get(reverse(f"admin:judging_{name}_changelist")).status_code == 200, name
    page = client.get(reverse("admin:judging_scorecard_change", args=[card.pk]))
    assert page.status_code == 200
    assert card.assignment.nomination.title in page.content.decode()
    assert client.get(reverse("admin:judging_rankingsnapshot_change", args=[snapshot.pk])).status_code == 200

    before = list(Scorecard.objects.values_list("pk", "status", "total", "version"))
    assert client.post(reverse("admin:judging_scorecard_change", args=[card.pk]), {"status": "draft"}).status_code == 403
    assert client.post(reverse("admin:judging_assignment_add"), {}).status_code == 403
    assert client.post(reverse("admin:judging_assignment_delete", args=[card.assignment_id]), {"post": "yes"}).status_code == 403
    assert list(Scorecard.objects.values_list("pk", "status", "total", "version")) == before
    assert Assignment.objects.filter(pk=card.assignment_id).exists()
