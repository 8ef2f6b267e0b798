"""The fixed SQL of a save's locked read (``judging.services.scoring_row``) gives what the
ORM reference (``assignments._scoring_row_orm``) gives: the same fields of the
assignment and of every related object the checks read, the same ``EXISTS``
answers, the same rubric in the same order. Over a table of cases: no
scorecard yet and a submitted one, a judge with and without a profile, the
pledge signed or not, a declared conflict, an earlier round open."""

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone

from competition.models import JudgeProfile, Round
from judging import services
from judging.models import Assignment, ConflictDeclaration, Scorecard
from judging.services import assignments, scoring_row

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the fixed statement is PostgreSQL's"),
]

FIELDS = {
    "": ("id", "judge_id", "round_id", "nomination_id", "status", "earlier_open", "pledged", "declared"),
    "round": ("id", "name", "order", "closed_at", "deadline", "blind", "comment_required", "competition_id"),
    "round.competition": ("id", "phase", "judging_close"),
    "nomination": ("id", "unit_id", "organization", "title", "category_id"),
    "nomination.category": ("id", "kind"),
    "judge": ("id",),
}
PROFILE = ("id", "user_id", "unit_id", "organizations")
CARD = ("id", "assignment_id", "status", "comment", "total", "version", "created_at", "updated_at", "submitted_at")
CRITERION = ("id", "category_id", "name", "max_points", "weight", "order", "tie_break_rank")


def _follow(obj, path):
    for name in filter(None, path.split(".")):
        obj = getattr(obj, name)
    return obj


def _picture(assignment, rubric):
    """Everything the save and the submit read, as plain values (raises what the ORM raises)."""
    out = {path: tuple(getattr(_follow(assignment, path), f) for f in names) for path, names in FIELDS.items()}
    try:
        profile = assignment.judge.judge_profile
        out["profile"] = tuple(getattr(profile, f) for f in PROFILE)
    except JudgeProfile.DoesNotExist:
        out["profile"] = None
    try:
        card = assignment.scorecard
        out["card"] = tuple(getattr(card, f) for f in CARD)
    except Scorecard.DoesNotExist:
        out["card"] = None
    out["rubric"] = [tuple(getattr(c, f) for f in CRITERION) for c in rubric]
    return out


def _both(pk):
    with transaction.atomic():
        orm = assignments._scoring_row_orm(pk)
        orm_rubric = list(orm.nomination.category.criteria.order_by("order", "id"))
        fast, fast_rubric = scoring_row.load(pk)
    return _picture(orm, orm_rubric), _picture(fast, fast_rubric)


@pytest.fixture
def assigned(office, round1, nominations, judges, competition):
    services.assignments_auto(actor=office, round_=round1, seed=3)
    return list(Assignment.objects.filter(round=round1).order_by("id"))


def test_a_fresh_assignment_reads_the_same(assigned):
    orm, fast = _both(assigned[0].pk)
    assert fast == orm
    assert fast["card"] is None and fast["rubric"] and fast[""][5:] == (False, False, False)


def test_pledge_profile_conflict_and_a_saved_card_read_the_same(assigned, competition, category):
    assignment = assigned[0]
    judge = assignment.judge
    services.pledge_accept(judge=judge, competition=competition)
    JudgeProfile.objects.update_or_create(user=judge, defaults={"name": "评委", "organizations": ["某志愿服务队"]})
    ConflictDeclaration.objects.create(judge=judge, nomination=assignment.nomination, reason="亲属")
    card = Scorecard.objects.create(assignment=assignment, version=3, comment="评语", total=Decimal("87.50"))
    Scorecard.objects.filter(pk=card.pk).update(status="submitted", submitted_at=timezone.now())
    orm, fast = _both(assignment.pk)
    assert fast == orm
    assert fast[""][5:] == (False, True, True)
    assert fast["card"][2:6] == ("submitted", "评语", Decimal("87.50"), 3)
    assert fast["profile"][3] == ["某志愿服务队"]


def test_a_judge_without_a_profile_reads_the_same(assigned):
    assignment = assigned[1]
    JudgeProfile.objects.filter(user_id=assignment.judge_id).delete()
    orm, fast = _both(assignment.pk)
    assert fast == orm and fast["profile"] is None


def test_an_earlier_open_round_and_tie_breaks_read_the_same(assigned, competition, category):
    later = Round.objects.create(competition=competition, order=9, name="复评", deadline=None)
    category.criteria.update(tie_break_rank=None)
    criterion = category.criteria.order_by("order").last()
    criterion.tie_break_rank = 1
    criterion.save()
    moved = assigned[2]
    Assignment.objects.filter(pk=moved.pk).update(round=later)
    orm, fast = _both(moved.pk)
    assert fast == orm
    assert fast[""][5] is True  # the first round is still open
    assert fast["rubric"][-1][-1] == 1


def test_no_such_assignment_is_none(assigned):
    with transaction.atomic():
        assert scoring_row.load(10**12) is None


def _prepared_reads():
    """The server's prepared statements of this connection that are the save's locked read."""
    sql, _ = scoring_row._statement()
    marker = sql.split(" FROM ")[0][:200]
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [s for (s,) in cursor.fetchall() if s.startswith(marker)]


def test_the_locked_read_is_prepared_once_per_connection_and_still_counted(assigned, settings):
    from django.test.utils import CaptureQueriesContext

    settings.DATABASE_PREPARED_STATEMENTS = True
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        first, _ = scoring_row.load(assigned[0].pk)
        second, _ = scoring_row.load(assigned[1].pk)
    assert (first.pk, second.pk) == (assigned[0].pk, assigned[1].pk)
    assert len(_prepared_reads()) == 1  # prepared by the first save, reused by the second
    # Still Django's cursor around it: the query budget tests see the statement.
    assert sum(1 for q in queries.captured_queries if "FOR UPDATE OF a" in q["sql"]) == 2


def test_a_rolled_back_savepoint_does_not_break_the_prepared_read(assigned, settings):
    """psycopg forgets its prepared statements on a ROLLBACK; the next save prepares again."""
    from django.db import DatabaseError

    settings.DATABASE_PREPARED_STATEMENTS = True
    with transaction.atomic():
        scoring_row.load(assigned[0].pk)
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT 1 / 0")
        again, rubric = scoring_row.load(assigned[0].pk)
    assert again.pk == assigned[0].pk and rubric


@pytest.mark.parametrize("prepared", [True, False])
def test_the_setting_chooses_the_cursor(prepared, assigned, settings):
    """Off (behind a pooler that cannot hold prepared statements): Django's own cursor,
    which binds on the client and never prepares."""
    import psycopg

    settings.DATABASE_PREPARED_STATEMENTS = prepared
    with scoring_row.prepared_cursor() as cursor:
        assert isinstance(cursor.cursor, psycopg.ClientCursor) is not prepared
    with transaction.atomic():
        assignment, _ = scoring_row.load(assigned[0].pk)
    assert assignment.pk == assigned[0].pk



@pytest.mark.parametrize("fixed", [True, False], ids=["fixed-sql", "orm"])
def test_save_and_submit_answer_the_same_on_either_path(fixed, monkeypatch, assigned, competition, category):
    """The API's save and submit, through the fixed statements or the ORM's (SQLite's path)."""
    from rest_framework.test import APIClient

    from competition.services import token_issue

    monkeypatch.setattr(scoring_row, "available", lambda: fixed)
    assignment = assigned[0]
    services.pledge_accept(judge=assignment.judge, competition=competition)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=assignment.judge).raw}")
    url = f"/api/v1/assignments/{assignment.pk}/scorecard/"
    scores = {str(c.pk): float(c.max_points) - 1 for c in category.criteria.all()}
    saved = client.put(url, {"scores": scores, "version": 0, "comment": "好"}, format="json")
    assert saved.status_code == 200, saved.json()
    submitted = client.post(url + "submit/")
    assert submitted.status_code == 200, submitted.json()
    body = submitted.json()
    assert (body["status"], body["version"], body["scores"]) == ("submitted", 2, scores)
    other = next(a for a in assigned if a.judge_id != assignment.judge_id)
    assert client.post(f"/api/v1/assignments/{other.pk}/scorecard/submit/").status_code == 404
    assert client.put(f"/api/v1/assignments/{other.pk}/scorecard/", {"scores": {}, "version": 0}, format="json").status_code == 404
    assert client.post("/api/v1/assignments/999999999/scorecard/submit/").status_code == 404


def _journey(client, assignment, criteria):
    """A judge's save, partial save (one score changed, one emptied), stale save, full save,
    submit, submit again, save after submitting: every answer, then what is stored."""
    url = f"/api/v1/assignments/{assignment.pk}/scorecard/"
    full = {str(c.pk): float(c.max_points) - 1 for c in criteria}
    partial = {str(criteria[0].pk): 1.5, str(criteria[1].pk): None}
    answers = []
    for method, path, body in [
        ("put", url, {"scores": full, "version": 0, "comment": "初评"}),
        ("put", url, {"scores": partial, "version": 1}),
        ("put", url, {"scores": full, "version": 1}),
        ("put", url, {"scores": {**full, str(criteria[2].pk): 2}, "version": 2, "comment": "复评"}),
        ("post", url + "submit/", None),
        ("post", url + "submit/", None),
        ("put", url, {"scores": full, "version": 4}),
    ]:
        response = getattr(client, method)(path, body, format="json")
        payload = response.json()
        for volatile in ("id", "updated_at", "submitted_at", "created_at", "assignment"):
            payload.pop(volatile, None)
        answers.append((response.status_code, payload))
    card = Scorecard.objects.get(assignment=assignment)
    assignment.refresh_from_db()
    from competition.models import AuditEntry

    audit = [
        (e.action, e.actor_id, e.actor_role, e.object_type, e.object_id == str(card.pk), e.before, e.after)
        for e in AuditEntry.objects.filter(action__startswith="scorecard.", object_id=str(card.pk)).order_by("id")
    ]
    stored = {
        "card": (card.status, card.comment, card.total, card.version, card.submitted_at is not None,
                 card.updated_at >= card.created_at),
        "scores": sorted((s.criterion_id, s.half_points, s.max_half_points) for s in card.scores.all()),
        "assignment": assignment.status,
    }
    return answers, stored, audit


def test_every_write_stores_the_same_on_either_path(monkeypatch, assigned, competition, category):
    """The one-statement writes (``scoring_write``) against the ORM's writes, step by step
    over the same journey of one judge on two assignments of the same category."""
    from rest_framework.test import APIClient

    from competition.services import token_issue
    from judging.services import scoring_write

    judge_id = assigned[0].judge_id
    mine = [a for a in assigned if a.judge_id == judge_id][:2]
    assert len(mine) == 2
    services.pledge_accept(judge=mine[0].judge, competition=competition)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=mine[0].judge).raw}")
    criteria = list(category.criteria.order_by("order", "id"))
    results = {}
    for fixed, assignment in zip([True, False], mine, strict=True):
        monkeypatch.setattr(scoring_row, "available", lambda fixed=fixed: fixed)
        monkeypatch.setattr(scoring_write, "available", lambda fixed=fixed: fixed)
        results[fixed] = _journey(client, assignment, criteria)
    answers, stored, audit = results[True]
    assert [status for status, _ in answers] == [200, 200, 409, 200, 200, 200, 409]
    assert stored["card"][0] == "submitted" and stored["assignment"] == "submitted"
    assert [entry[0] for entry in audit] == ["scorecard.save"] * 3 + ["scorecard.submit"]
    assert results[True] == results[False]
