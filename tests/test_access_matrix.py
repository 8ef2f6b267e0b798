"""The access matrix: every API endpoint × every kind of caller × their own and another's object.

One world is built once for the module (inside a transaction rolled back at
the end; each test runs in a savepoint of it, so a call that changes
something is undone before the next). The expected status of every cell is
written once, in ``MATRIX`` below; ``test_cell`` checks each one, and that a
refused call tells nothing:

- 404: byte for byte the body of a missing object (the same path with the
  object's id replaced by 999999, asked by the same caller);
- 403: the one ``permission_denied`` body, naming nothing of the object;
- 401: the one ``not_authenticated`` body, with ``WWW-Authenticate: Token``;
- never a 5xx.

The callers (columns, in this order): anonymous; the officer of unit A
(``own``: unit A owns the "A" objects); the officer of unit B; judge J1,
assigned to A's nomination in an open round; judge J2, assigned nothing; judge
J3, who declared a conflict with A's nomination; an observer; the office.

Each row is requested for the "A" object (unit A's, J1's) and, where ownership
means something, for the "B" object (unit B's, another judge's): so the
officer of unit A meets their own object in "A" and another unit's in "B".

The world:

- C1 (nominating, window open): nominations ``nom`` of units A and B, both
  submitted with a stamped form and a photo;
- C2 (judging, round open): accepted nominations ``nom2`` of A and B with
  attachments ``att``; assignments ``asg`` J1→A and J4→B; J3 declared a
  conflict with A's (his assignment released);
- C3 (公示): a closed round ranked (official trimmed_mean and a trial mean,
  an aggregation job), the 公示 published, one open objection;
- C4 (final): final awards of A and B with certificates rendered (a finished
  batch with its ZIP), and the winners published to the exhibition.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from urllib.parse import quote

import pytest
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from competition import services as competition_services
from competition.enums import Phase, Role
from competition.models import AuditEntry, Competition, Unit
from judging import services as judging_services
from judging.models import AggregationJob, Assignment
from tests.factories import STRONG_PASSWORD

ANON, OFF_A, OFF_B, J1, J2, J3, OBS, OFFICE = CALLERS = (
    "anonymous",
    "officer_a",
    "officer_b",
    "judge_assigned",
    "judge_unassigned",
    "judge_conflicted",
    "observer",
    "office",
)
MISSING = 999999


# --------------------------------------------------------------------------- the world


@dataclass
class World:
    ids: dict[str, dict[str, object]] = field(default_factory=dict)  # name -> {"A": id, "B": id}
    tokens: dict[str, str] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)  # caller -> user id (the page matrix signs in)
    secrets: list[str] = field(default_factory=list)  # strings a refused body must never contain

    def id(self, name: str, side: str = "A"):
        value = self.ids[name]
        return value[side] if isinstance(value, dict) else value


def _attach(nomination) -> list:
    from tests.nominations.conftest import attach_required

    attach_required(nomination)
    return list(nomination.attachments.order_by("pk"))


def build_world() -> World:
    """Everything the matrix (and the fuzzing) asks about; takes a few seconds."""
    from certificates import services as certificate_services
    from certificates.models import BatchItem
    from exhibition import services as exhibition_services
    from exhibition.models import Exhibit
    from judging.models import Objection
    from nominations import services as nomination_services
    from tests.certificates.conftest import award_for, make_final
    from tests.judging.conftest import accepted, judging_competition, make_judge, score_all
    from tests.nominations.conftest import competition_payload, make_nomination

    w = World()
    unit_a = Unit.objects.get(code="140105")  # 小店区
    unit_b = Unit.objects.get(code="140106")  # 迎泽区
    create = competition_services.user_create
    users = {
        OFFICE: create(actor=None, username="m-office", password=STRONG_PASSWORD, role=Role.OFFICE),
        OBS: create(actor=None, username="m-observer", password=STRONG_PASSWORD, role=Role.OBSERVER),
        OFF_A: create(actor=None, username="m-unit-a", password=STRONG_PASSWORD, role=Role.OFFICER, unit=unit_a),
        OFF_B: create(actor=None, username="m-unit-b", password=STRONG_PASSWORD, role=Role.OFFICER, unit=unit_b),
        J1: make_judge(username="m-judge1"),
        J2: make_judge(username="m-judge2"),
        J3: make_judge(username="m-judge3"),
    }
    j4 = make_judge(username="m-judge4")
    office = users[OFFICE]
    w.tokens = {name: competition_services.token_issue(user=u).raw for name, u in users.items()}
    w.users = {name: u.pk for name, u in users.items()}

    # C1: nominating, a submitted nomination of each unit.
    now = timezone.now()
    c1 = competition_services.competition_create(
        actor=office,
        data=competition_payload(2030, opens=now - dt.timedelta(days=1), closes=now + dt.timedelta(days=10)),
    )
    c1 = competition_services.competition_advance(actor=office, competition=c1, to=Phase.NOMINATING)
    xm1 = c1.categories.get(code="XM")
    noms = {}
    for side, officer in (("A", users[OFF_A]), ("B", users[OFF_B])):
        nomination = make_nomination(officer, c1, xm1, title=f"矩阵推荐{side}-秘密标题")
        _attach(nomination)
        noms[side] = nomination_services.nomination_submit(actor=officer, nomination=nomination)
    w.ids["comp_nom"] = c1.pk
    w.ids["nom"] = {s: n.pk for s, n in noms.items()}
    w.secrets += [n.title for n in noms.values()]

    # C2: judging, round open; J1 on A's, J4 on B's, J3 declared a conflict with A's.
    c2 = judging_competition(office, year=2031, judges_per_nomination=1)
    xm2 = c2.categories.get(code="XM")
    round_open = c2.rounds.get(order=1)
    nom2 = {
        "A": accepted(c2, xm2, unit_a, title="矩阵评审A-秘密标题")[0],
        "B": accepted(c2, xm2, unit_b, title="矩阵评审B-秘密标题")[0],
    }
    atts = {side: _attach(n)[0] for side, n in nom2.items()}
    asg = {
        "A": judging_services.assignment_add(actor=office, round_=round_open, judge=users[J1], nomination=nom2["A"]),
        "B": judging_services.assignment_add(actor=office, round_=round_open, judge=j4, nomination=nom2["B"]),
    }
    judging_services.assignment_add(actor=office, round_=round_open, judge=users[J3], nomination=nom2["A"])
    judging_services.conflict_declare(judge=users[J3], nomination=nom2["A"], reason="曾在该单位任职")
    judging_services.pledge_accept(judge=users[J1], competition=c2)
    w.ids["comp_judge"] = c2.pk
    w.ids["round_open"] = round_open.pk
    w.ids["nom2"] = {s: n.pk for s, n in nom2.items()}
    w.ids["att"] = {s: a.pk for s, a in atts.items()}
    w.ids["asg"] = {s: a.pk for s, a in asg.items()}
    w.ids["judge_assigned"] = users[J1].pk
    w.ids["judge_free"] = users[J2].pk
    w.ids["category"] = xm2.pk
    w.secrets += [n.title for n in nom2.values()]

    # C3: a closed, ranked round, the 公示 published a week ago, one objection.
    c3 = judging_competition(office, year=2032, judges_per_nomination=1)
    xm3 = c3.categories.get(code="XM")
    round_closed = c3.rounds.get(order=1)
    nom3 = accepted(c3, xm3, unit_a, title="矩阵公示A") + accepted(c3, xm3, unit_b, title="矩阵公示B")
    for n in nom3:
        judging_services.assignment_add(actor=office, round_=round_closed, judge=j4, nomination=n)
    score_all(round_closed, lambda judge, nomination, c: c.max_points - (0 if nomination == nom3[0] else 1))
    judging_services.round_close(actor=office, round_=round_closed)
    judging_services.snapshot_compute(round_=round_closed, method="mean")
    job = judging_services.aggregation_request(actor=office, round_=round_closed, method="median")
    judging_services.publicity_publish(
        actor=office, competition=c3, working_days=30, now=timezone.now() - dt.timedelta(days=7)
    )
    objection = judging_services.objection_lodge(
        competition=c3, nomination=nom3[0], name="张三丰", phone="13800001111", content="反映该项目服务时长存在虚报情况"
    )
    assert Objection.objects.filter(pk=objection.pk).exists()
    w.ids["comp_pub"] = c3.pk
    w.ids["round_closed"] = round_closed.pk
    w.ids["nom3"] = nom3[0].pk
    w.ids["job"] = job.pk
    w.ids["objection"] = objection.pk
    w.ids["objection_receipt"] = objection.receipt
    w.secrets += ["张三丰", "13800001111"]

    # C4: final, an award of A and of B, certificates rendered, the exhibition published.
    c4 = make_final(office, year=2022)
    award_for(c4, "XM", unit_a, title="矩阵获奖A", organization="小店区某志愿服务队")
    award_for(c4, "XM", unit_b, title="矩阵获奖B", organization="迎泽区某志愿服务队", rank=2)
    award_for(c4, "ZZ", unit_a, title="矩阵获奖组织A")
    batch = certificate_services.certificates_issue(actor=office, competition=c4, send=False)
    for item in BatchItem.objects.filter(batch=batch):
        certificate_services.item_render(item_id=item.pk)
    certificate_services.batch_finish(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.archive, "the batch's ZIP was not made"
    certs = {
        (c.award.nomination.unit_id, c.category.code): c
        for c in batch.competition.certificates.select_related("award__nomination", "category")
    }
    exhibition_services.exhibition_publish(actor=office, competition=c4)
    exhibits = {
        (e.award.nomination.unit_id, e.award.category.code): e
        for e in Exhibit.objects.select_related("award__nomination", "award__category")
    }
    w.ids["comp_final"] = c4.pk
    w.ids["cert"] = {"A": certs[unit_a.pk, "XM"].pk, "B": certs[unit_b.pk, "XM"].pk}
    w.ids["cert_token"] = certs[unit_a.pk, "XM"].token
    # Lookup by number and holder: "A" is A's number with A's holder (a match),
    # "B" is A's number with B's holder (no match). Values are URL-encoded.
    w.ids["cert_number"] = quote(certs[unit_a.pk, "XM"].number)
    w.ids["cert_holder"] = {"A": quote(certs[unit_a.pk, "XM"].holder), "B": quote(certs[unit_b.pk, "XM"].holder)}
    w.ids["batch"] = batch.pk
    w.ids["exhibit"] = {"A": exhibits[unit_a.pk, "XM"].pk, "B": exhibits[unit_b.pk, "XM"].pk}
    w.ids["exhibit_slug"] = exhibits[unit_a.pk, "XM"].slug
    w.ids["organization_slug"] = exhibits[unit_a.pk, "ZZ"].slug

    w.ids["unit"] = {"A": unit_a.pk, "B": unit_b.pk}
    # Notifications: each officer was told of C3's 公示 (A: officer A's, B: officer B's).
    from notifications.models import Notification

    w.ids["notification"] = {
        side: Notification.objects.get(recipient=users[caller], event="publicity_published").pk
        for side, caller in (("A", OFF_A), ("B", OFF_B))
    }
    w.ids["judge_profile"] = users[J1].judge_profile.pk
    w.ids["audit"] = AuditEntry.objects.order_by("pk").first().pk
    assert Assignment.objects.filter(judge=users[J3]).count() == 0
    assert AggregationJob.objects.filter(pk=job.pk).exists()
    assert Competition.objects.get(pk=c3.pk).phase == Phase.PUBLICITY
    return w


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once in an outer transaction; each test's ``db`` runs in a savepoint of it."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = build_world()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


# --------------------------------------------------------------------------- the table

# Placeholders in paths: {name} is the "A"/"B" object of that name (see World.ids);
# the first placeholder is "the object", replaced by 999999 for the missing-object body.
# Statuses, in CALLERS order:
#   anonymous, officer A, officer B, judge J1 (assigned), J2 (unassigned), J3 (conflicted), observer, office
# Row sides: "AB" = asked for the A object and the B object (two rows of statuses),
# "A" = one object that nobody owns (a competition, a round, ...).

REASON = {"reason": "矩阵测试理由"}
SCORES = {"scores": {}, "comment": "", "version": 0}
OBJECTION = {"name": "李四光", "phone": "13900002222", "content": "反映该项目材料与事实不符，请核实"}

# fmt: off
MATRIX: list[tuple] = [
    # method, path, body, {side: (8 statuses)}
    # --- auth
    ("POST", "/api/v1/auth/token/", {"username": "nobody", "password": "x"},
        {"A": (400, 400, 400, 400, 400, 400, 400, 400)}),
    ("POST", "/api/v1/auth/logout/", None,
        {"A": (401, 204, 204, 204, 204, 204, 204, 204)}),
    # Every caller changes only their own password (the endpoint names no account).
    ("POST", "/api/v1/auth/password/", {"old_password": "not-the-password", "new_password": "Matrix-new-pass-2026"},
        {"A": (401, 400, 400, 400, 400, 400, 400, 400)}),
    ("POST", "/api/v1/auth/password/", {"old_password": STRONG_PASSWORD, "new_password": "Matrix-new-pass-2026"},
        {"A": (401, 204, 204, 204, 204, 204, 204, 204)}),
    # --- units, competitions, judges, audit
    ("GET", "/api/v1/units/", None, {"A": (401, 200, 200, 200, 200, 200, 200, 200)}),
    ("GET", "/api/v1/units/{unit}/", None, {"A": (401, 200, 200, 200, 200, 200, 200, 200)}),
    ("GET", "/api/v1/competitions/", None, {"A": (401, 200, 200, 200, 200, 200, 200, 200)}),
    ("POST", "/api/v1/competitions/", {}, {"A": (401, 403, 403, 403, 403, 403, 403, 400)}),
    ("GET", "/api/v1/competitions/{comp_nom}/", None, {"A": (401, 200, 200, 200, 200, 200, 200, 200)}),
    ("PATCH", "/api/v1/competitions/{comp_nom}/", {"title": "矩阵改名"},
        {"A": (401, 403, 403, 403, 403, 403, 403, 200)}),
    ("POST", "/api/v1/competitions/{comp_nom}/advance/", {"to": "publicity"},
        {"A": (401, 403, 403, 403, 403, 403, 403, 409)}),
    ("GET", "/api/v1/judges/", None, {"A": (401, 403, 403, 403, 403, 403, 200, 200)}),
    ("GET", "/api/v1/judges/{judge_profile}/", None, {"A": (401, 404, 404, 404, 404, 404, 200, 200)}),
    ("GET", "/api/v1/audit/", None, {"A": (401, 403, 403, 403, 403, 403, 200, 200)}),
    ("GET", "/api/v1/audit/{audit}/", None, {"A": (401, 404, 404, 404, 404, 404, 200, 200)}),
    # --- nominations (C1, submitted; A is unit A's, B unit B's)
    ("GET", "/api/v1/nominations/", None, {"A": (401, 200, 200, 403, 403, 403, 200, 200)}),
    ("POST", "/api/v1/nominations/", {}, {"A": (401, 400, 400, 403, 403, 403, 403, 403)}),
    ("GET", "/api/v1/nominations/export/?competition={comp_nom}", None,
        {"A": (401, 200, 200, 403, 403, 403, 200, 200)}),
    ("POST", "/api/v1/nominations/import/", {}, {"A": (401, 400, 400, 403, 403, 403, 403, 403)}),
    ("GET", "/api/v1/nominations/{nom}/", None, {
        "A": (401, 200, 404, 404, 404, 404, 200, 200),
        "B": (401, 404, 200, 404, 404, 404, 200, 200)}),
    ("PATCH", "/api/v1/nominations/{nom}/", {"title": "改名"}, {
        "A": (401, 409, 404, 404, 404, 404, 403, 403),
        "B": (401, 404, 409, 404, 404, 404, 403, 403)}),
    ("DELETE", "/api/v1/nominations/{nom}/", None, {
        "A": (401, 409, 404, 404, 404, 404, 403, 403),
        "B": (401, 404, 409, 404, 404, 404, 403, 403)}),
    ("POST", "/api/v1/nominations/{nom}/submit/", None, {
        "A": (401, 409, 404, 404, 404, 404, 403, 403),
        "B": (401, 404, 409, 404, 404, 404, 403, 403)}),
    ("POST", "/api/v1/nominations/{nom}/withdraw/", REASON, {
        "A": (401, 200, 404, 404, 404, 404, 403, 403),
        "B": (401, 404, 200, 404, 404, 404, 403, 403)}),
    ("POST", "/api/v1/nominations/{nom}/review/", {"decision": "accept", "reason": ""}, {
        "A": (401, 403, 404, 404, 404, 404, 403, 200),
        "B": (401, 404, 403, 404, 404, 404, 403, 200)}),
    ("GET", "/api/v1/nominations/{nom}/attachments/", None, {
        "A": (401, 200, 404, 404, 404, 404, 200, 200),
        "B": (401, 404, 200, 404, 404, 404, 200, 200)}),
    ("POST", "/api/v1/nominations/{nom}/attachments/", {}, {
        "A": (401, 400, 404, 404, 404, 404, 403, 403),
        "B": (401, 404, 400, 404, 404, 404, 403, 403)}),
    # --- attachments (C2: J1 is assigned to A's nomination in a blind round, so J1 reads its
    # attachments only through the assignment, and never the stamped form {att})
    ("GET", "/api/v1/attachments/{att}/", None, {
        "A": (401, 200, 404, 404, 404, 404, 200, 200),
        "B": (401, 404, 200, 404, 404, 404, 200, 200)}),
    ("GET", "/api/v1/attachments/{att}/download/", None, {
        "A": (401, 200, 404, 404, 404, 404, 200, 200),
        "B": (401, 404, 200, 404, 404, 404, 200, 200)}),
    ("DELETE", "/api/v1/attachments/{att}/", None, {
        "A": (401, 409, 404, 404, 404, 404, 403, 403),
        "B": (401, 404, 409, 404, 404, 404, 403, 403)}),
    ("GET", "/api/v1/assignments/{asg}/attachments/{att}/download/", None, {
        "A": (401, 404, 404, 404, 404, 404, 200, 200),
        "B": (401, 404, 404, 404, 404, 404, 200, 200)}),
    # --- judging (C2, round open)
    ("POST", "/api/v1/competitions/{comp_judge}/pledge/", None,
        {"A": (401, 403, 403, 200, 200, 200, 403, 403)}),
    ("POST", "/api/v1/nominations/{nom2}/conflict/", REASON, {
        "A": (401, 403, 403, 201, 404, 404, 403, 403),
        "B": (401, 403, 403, 404, 404, 404, 403, 403)}),
    ("GET", "/api/v1/assignments/", None, {"A": (401, 403, 403, 200, 200, 200, 200, 200)}),
    ("POST", "/api/v1/assignments/", {}, {"A": (401, 403, 403, 403, 403, 403, 403, 400)}),
    ("GET", "/api/v1/assignments/{asg}/", None, {
        "A": (401, 404, 404, 200, 404, 404, 200, 200),
        "B": (401, 404, 404, 404, 404, 404, 200, 200)}),
    ("DELETE", "/api/v1/assignments/{asg}/", None, {
        "A": (401, 404, 404, 403, 404, 404, 403, 204),
        "B": (401, 404, 404, 404, 404, 404, 403, 204)}),
    ("PUT", "/api/v1/assignments/{asg}/scorecard/", SCORES, {
        "A": (401, 404, 404, 200, 404, 404, 403, 403),
        "B": (401, 404, 404, 404, 404, 404, 403, 403)}),
    ("POST", "/api/v1/assignments/{asg}/scorecard/submit/", None, {
        "A": (401, 404, 404, 400, 404, 404, 403, 403),
        "B": (401, 404, 404, 404, 404, 404, 403, 403)}),
    ("POST", "/api/v1/assignments/{asg}/scorecard/unlock/", REASON, {
        "A": (401, 404, 404, 403, 404, 404, 403, 409),
        "B": (401, 404, 404, 404, 404, 404, 403, 409)}),
    ("POST", "/api/v1/rounds/{round_open}/assignments/auto/", {},
        {"A": (401, 403, 403, 403, 403, 403, 403, 200)}),
    ("GET", "/api/v1/rounds/{round_open}/progress/", None, {"A": (401, 403, 403, 403, 403, 403, 200, 200)}),
    ("GET", "/api/v1/rounds/{round_open}/conflicts/", None, {"A": (401, 403, 403, 403, 403, 403, 200, 200)}),
    # --- results (C3: round closed and ranked, 公示, an objection)
    ("POST", "/api/v1/rounds/{round_closed}/aggregate/", {"method": "mean"},
        {"A": (401, 404, 404, 404, 404, 404, 403, 202)}),
    ("POST", "/api/v1/rounds/{round_closed}/close/", None, {"A": (401, 404, 404, 404, 404, 404, 403, 409)}),
    ("GET", "/api/v1/rounds/{round_closed}/ranking/", None, {"A": (401, 404, 404, 404, 404, 404, 200, 200)}),
    ("GET", "/api/v1/rounds/{round_closed}/ranking/judges/", None,
        {"A": (401, 404, 404, 404, 404, 404, 200, 200)}),
    ("GET", "/api/v1/rounds/{round_closed}/ranking/compare/?methods=mean,trimmed_mean", None,
        {"A": (401, 404, 404, 404, 404, 404, 200, 200)}),
    ("GET", "/api/v1/rounds/{round_closed}/ranking/export.xlsx", None,
        {"A": (401, 404, 404, 404, 404, 404, 200, 200)}),
    ("GET", "/api/v1/rounds/{round_closed}/ranking/report.pdf", None,
        {"A": (401, 404, 404, 404, 404, 404, 200, 200)}),
    ("GET", "/api/v1/aggregation-jobs/{job}/", None, {"A": (401, 404, 404, 404, 404, 404, 200, 200)}),
    ("GET", "/api/v1/competitions/{comp_pub}/awards/", None, {"A": (401, 404, 404, 404, 404, 404, 200, 200)}),
    ("POST", "/api/v1/competitions/{comp_pub}/publicity/", {},
        {"A": (401, 404, 404, 404, 404, 404, 403, 409)}),
    ("POST", "/api/v1/competitions/{comp_pub}/finalize/", None,
        {"A": (401, 404, 404, 404, 404, 404, 403, 409)}),
    ("GET", "/api/v1/public/competitions/{comp_pub}/publicity/", None,
        {"A": (200, 200, 200, 200, 200, 200, 200, 200)}),
    ("POST", "/api/v1/public/objections/", {"competition": "{comp_pub}", "nomination": "{nom3}", **OBJECTION},
        {"A": (201, 201, 201, 201, 201, 201, 201, 201)}),
    # Issue 14: the receipt lookup is public with the phone given; a wrong phone answers
    # byte for byte the 404 of an unknown receipt (the matrix compares it with receipt 999999).
    ("GET", "/api/v1/public/objections/{objection_receipt}/?phone=13800001111", None,
        {"A": (200, 200, 200, 200, 200, 200, 200, 200)}),
    ("GET", "/api/v1/public/objections/{objection_receipt}/?phone=13900002222", None,
        {"A": (404, 404, 404, 404, 404, 404, 404, 404)}),
    ("GET", "/api/v1/public/objections/{objection_receipt}/", None,
        {"A": (404, 404, 404, 404, 404, 404, 404, 404)}),
    ("GET", "/api/v1/objections/", None, {"A": (401, 403, 403, 403, 403, 403, 200, 200)}),
    ("GET", "/api/v1/objections/{objection}/", None, {"A": (401, 404, 404, 404, 404, 404, 200, 200)}),
    ("POST", "/api/v1/objections/{objection}/resolve/", {"decision": "dismissed", "reason": "经核实不属实"},
        {"A": (401, 404, 404, 404, 404, 404, 403, 200)}),
    # --- certificates (C4, final)
    ("POST", "/api/v1/competitions/{comp_final}/certificates/issue/", {},
        {"A": (401, 403, 403, 403, 403, 403, 403, 202)}),
    ("GET", "/api/v1/certificates/", None, {"A": (401, 200, 200, 403, 403, 403, 200, 200)}),
    ("GET", "/api/v1/certificates/{cert}/", None, {
        "A": (401, 200, 404, 404, 404, 404, 200, 200),
        "B": (401, 404, 200, 404, 404, 404, 200, 200)}),
    # The PDF is for the office and the winning unit only; anyone else 404 (issue 6's contract).
    ("GET", "/api/v1/certificates/{cert}/pdf/", None, {
        "A": (401, 200, 404, 404, 404, 404, 404, 200),
        "B": (401, 404, 200, 404, 404, 404, 404, 200)}),
    ("POST", "/api/v1/certificates/{cert}/revoke/", REASON, {
        "A": (401, 403, 404, 404, 404, 404, 403, 200),
        "B": (401, 404, 403, 404, 404, 404, 403, 200)}),
    ("POST", "/api/v1/certificates/{cert}/reissue/", REASON, {
        "A": (401, 403, 404, 404, 404, 404, 403, 200),
        "B": (401, 404, 403, 404, 404, 404, 403, 200)}),
    ("GET", "/api/v1/certificate-batches/{batch}/", None, {"A": (401, 404, 404, 404, 404, 404, 200, 200)}),
    # Observers follow batches but download nothing: 403 on the visible batch.
    ("GET", "/api/v1/certificate-batches/{batch}/archive/", None,
        {"A": (401, 404, 404, 404, 404, 404, 403, 200)}),
    ("GET", "/api/v1/public/certificates/{cert_token}/", None, {"A": (200, 200, 200, 200, 200, 200, 200, 200)}),
    # Lookup by 证书编号 and holder: both must match, for everyone alike ("B": another holder's name).
    ("GET", "/api/v1/public/certificates/?number={cert_number}&holder={cert_holder}", None, {
        "A": (200, 200, 200, 200, 200, 200, 200, 200),
        "B": (404, 404, 404, 404, 404, 404, 404, 404)}),
    # --- exhibition (C4 published)
    ("POST", "/api/v1/competitions/{comp_final}/exhibition/publish/", None,
        {"A": (401, 403, 403, 403, 403, 403, 403, 200)}),
    ("GET", "/api/v1/exhibits/", None, {"A": (401, 403, 403, 403, 403, 403, 200, 200)}),
    ("GET", "/api/v1/exhibits/{exhibit}/", None, {
        "A": (401, 404, 404, 404, 404, 404, 200, 200),
        "B": (401, 404, 404, 404, 404, 404, 200, 200)}),
    ("PATCH", "/api/v1/exhibits/{exhibit}/", {"title": "矩阵展品"}, {
        "A": (401, 404, 404, 404, 404, 404, 403, 200),
        "B": (401, 404, 404, 404, 404, 404, 403, 200)}),
    ("POST", "/api/v1/exhibits/{exhibit}/withdraw/", REASON, {
        "A": (401, 404, 404, 404, 404, 404, 403, 200),
        "B": (401, 404, 404, 404, 404, 404, 403, 200)}),
    ("POST", "/api/v1/exhibits/{exhibit}/restore/", {}, {
        "A": (401, 404, 404, 404, 404, 404, 403, 409),
        "B": (401, 404, 404, 404, 404, 404, 403, 409)}),
    ("POST", "/api/v1/exhibits/{exhibit}/photos/", {"photos": []}, {
        "A": (401, 404, 404, 404, 404, 404, 403, 200),
        "B": (401, 404, 404, 404, 404, 404, 403, 200)}),
    ("GET", "/api/v1/public/exhibition/projects/", None, {"A": (200, 200, 200, 200, 200, 200, 200, 200)}),
    ("GET", "/api/v1/public/exhibition/projects/{exhibit_slug}/", None,
        {"A": (200, 200, 200, 200, 200, 200, 200, 200)}),
    ("GET", "/api/v1/public/exhibition/organizations/", None, {"A": (200, 200, 200, 200, 200, 200, 200, 200)}),
    ("GET", "/api/v1/public/exhibition/organizations/{organization_slug}/", None,
        {"A": (200, 200, 200, 200, 200, 200, 200, 200)}),
    ("GET", "/api/v1/public/exhibition/years/", None, {"A": (200, 200, 200, 200, 200, 200, 200, 200)}),
    # issue 16: the 最美志愿者 and 最美志愿服务社区 halls
    ("GET", "/api/v1/public/exhibition/persons/", None, {"A": (200, 200, 200, 200, 200, 200, 200, 200)}),
    ("GET", "/api/v1/public/exhibition/communities/", None, {"A": (200, 200, 200, 200, 200, 200, 200, 200)}),
    # --- issue 11 item 8: the office sets a spam objection aside
    ("POST", "/api/v1/objections/{objection}/spam/", {"reason": "无具体事实的批量提交"},
        {"A": (401, 404, 404, 404, 404, 404, 403, 200)}),
    # --- issue 12: the office console's assignment changes (C2, round open; J1 on A, J4 on B)
    ("POST", "/api/v1/rounds/{round_open}/assignments/auto/preview/", {},
        {"A": (401, 403, 403, 403, 403, 403, 403, 200)}),
    ("POST", "/api/v1/rounds/{round_open}/withdraw-judge/", {"judge": "{judge_assigned}", **REASON},
        {"A": (401, 403, 403, 403, 403, 403, 403, 200)}),
    ("POST", "/api/v1/assignments/{asg}/replace/", {"judge": "{judge_free}", **REASON}, {
        "A": (401, 404, 404, 403, 404, 404, 403, 200),
        "B": (401, 404, 404, 404, 404, 404, 403, 200)}),
    ("POST", "/api/v1/assignments/{asg}/reassign/", REASON, {
        "A": (401, 404, 404, 403, 404, 404, 403, 200),
        "B": (401, 404, 404, 404, 404, 404, 403, 200)}),
    # Not submitted: nothing to exclude (409) for the office.
    ("POST", "/api/v1/assignments/{asg}/scorecard/exclude/", REASON, {
        "A": (401, 404, 404, 403, 404, 404, 403, 409),
        "B": (401, 404, 404, 404, 404, 404, 403, 409)}),
    ("POST", "/api/v1/categories/{category}/panel/", {"judges": []},
        {"A": (401, 404, 404, 404, 404, 404, 403, 200)}),
    # --- issue 12: the office enters an objection received by letter, phone or visit
    ("POST", "/api/v1/objections/", {"competition": "{comp_pub}", "nomination": "{nom3}", "channel": "letter", **OBJECTION},
        {"A": (401, 403, 403, 403, 403, 403, 403, 201)}),
    # --- notifications (A: officer A's, B: officer B's; nobody reads another's)
    ("GET", "/api/v1/notifications/", None, {"A": (401, 200, 200, 200, 200, 200, 200, 200)}),
    ("POST", "/api/v1/notifications/{notification}/read/", None, {
        "A": (401, 200, 404, 404, 404, 404, 404, 404),
        "B": (401, 404, 200, 404, 404, 404, 404, 404)}),
    ("POST", "/api/v1/notifications/read-all/", None, {"A": (401, 200, 200, 200, 200, 200, 200, 200)}),
]
# fmt: on

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _cells():
    for method, path, body, sides in MATRIX:
        for side, statuses in sides.items():
            assert len(statuses) == len(CALLERS), (method, path, side)
            for caller, expected in zip(CALLERS, statuses, strict=True):
                yield pytest.param(
                    method, path, body, side, caller, expected, id=f"{method} {path} [{side}] {caller}"
                )


CELLS = list(_cells())


def _fill(template: str, world: World, side: str, *, missing: bool = False) -> str:
    first = PLACEHOLDER.search(template)

    def sub(match):
        if missing and match.start() == first.start():
            return str(MISSING)
        return str(world.id(match.group(1), side))

    return PLACEHOLDER.sub(sub, template)


def _client(world: World, caller: str) -> APIClient:
    client = APIClient()
    if caller != ANON:
        client.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens[caller]}")
    return client


def _call(client: APIClient, method: str, path: str, body):
    # The uploads take multipart forms; every other body is JSON.
    multipart = path.endswith(("/import/", "/attachments/"))
    kwargs = {} if body is None else {"data": body, "format": "multipart" if multipart else "json"}
    return getattr(client, method.lower())(path, **kwargs)


def _json_body(body, world: World, side: str):
    """Values written as "{name}" in a body become the world's ids (as integers)."""
    if body is None:
        return None
    out = {}
    for key, value in body.items():
        if isinstance(value, str) and PLACEHOLDER.fullmatch(value):
            value = world.id(value[1:-1], side)
        out[key] = value
    return out


FORBIDDEN = {"error": {"code": "permission_denied", "message": "您无权执行此操作。", "fields": {}}}
UNAUTHENTICATED = {"error": {"code": "not_authenticated", "message": "请先登录。", "fields": {}}}


@pytest.mark.parametrize(("method", "path", "body", "side", "caller", "expected"), CELLS)
def test_cell(world, db, method, path, body, side, caller, expected):
    client = _client(world, caller)
    url = _fill(path, world, side)
    response = _call(client, method, url, _json_body(body, world, side))
    content = response.getvalue() if response.streaming else response.content
    assert response.status_code < 500, content[:500]
    assert response.status_code == expected, (
        f"{method} {url} as {caller}: {response.status_code}, expected {expected}: {content[:300]!r}"
    )
    if expected in (401, 403, 404):
        text = content.decode()
        for secret in world.secrets:
            assert secret not in text, f"refused body names {secret!r}"
    if expected == 401:
        assert response.json() == UNAUTHENTICATED
        assert response["WWW-Authenticate"] == "Token"
    elif expected == 403:
        assert response.json() == FORBIDDEN
    elif expected == 404:
        assert PLACEHOLDER.search(path), "a 404 on a path without an object"
        missing = _call(client, method, _fill(path, world, side, missing=True), _json_body(body, world, side))
        missing_content = missing.getvalue() if missing.streaming else missing.content
        assert missing.status_code == 404
        assert content == missing_content, (content, missing_content)


def test_every_api_operation_is_in_the_matrix():
    """A new endpoint must get its row: every operation of the schema is covered."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    covered = {(m, re.sub(r"\?.*$", "", PLACEHOLDER.sub("{}", p))) for m, p, _b, _s in MATRIX}
    missing = []
    for path, operations in schema["paths"].items():
        for method in operations:
            key = (method.upper(), PLACEHOLDER.sub("{}", path))
            if key not in covered:
                missing.append(key)
    assert not missing, missing


# --------------------------------------------------------------------------- the pages (issue 12: the office console)

# The office console's pages and their actions, asked with a signed-in session
# (the pages do not take API tokens). Statuses in CALLERS order. Anonymous
# callers are sent to sign in (302); units and judges get the 404 page of a
# missing object; observers read (200) and every action is refused with the
# 403 page, changing nothing; the office reads and acts (an action redirects
# back to its page, 302, also when the service refuses it with a message).
SIGN_IN, HIDDEN = 302, 404
PAGE = (SIGN_IN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, 200, 200)
ACTION = (SIGN_IN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, 403, 302)

# fmt: off
PAGE_MATRIX: list[tuple] = [
    ("GET", "/judging/office/", None, {"A": (SIGN_IN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, 302, 302)}),
    ("GET", "/judging/office/{comp_judge}/", None, {"A": PAGE}),
    ("GET", "/judging/office/{comp_judge}/panels/", None, {"A": PAGE}),
    ("POST", "/judging/office/{comp_judge}/panels/save/", {"category": "{category}", "judges": "{judge_free}"},
        {"A": ACTION}),
    ("GET", "/judging/office/rounds/{round_open}/assign/", None, {"A": PAGE}),
    # The preview is a page of its own (200), written nowhere.
    ("POST", "/judging/office/rounds/{round_open}/assign/preview/", {"seed": "3"},
        {"A": (SIGN_IN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, 403, 200)}),
    ("POST", "/judging/office/rounds/{round_open}/assign/auto/", {"seed": "3"}, {"A": ACTION}),
    ("POST", "/judging/office/rounds/{round_open}/assign/add/", {"judge": "{judge_free}", "nomination": "{nom2}"},
        {"A": ACTION}),
    ("POST", "/judging/office/rounds/{round_open}/withdraw/", {"judge": "{judge_assigned}", "reason": "矩阵测试理由"},
        {"A": ACTION}),
    ("POST", "/judging/office/rounds/{round_closed}/close/", {"confirm": "on"}, {"A": ACTION}),
    ("POST", "/judging/office/assignments/{asg}/remove/", {"reason": "矩阵测试理由"}, {"A": ACTION, "B": ACTION}),
    ("POST", "/judging/office/assignments/{asg}/replace/", {"judge": "{judge_free}"}, {"A": ACTION, "B": ACTION}),
    ("POST", "/judging/office/assignments/{asg}/reassign/", {}, {"A": ACTION, "B": ACTION}),
    ("POST", "/judging/office/assignments/{asg}/exclude/", {"reason": "矩阵测试理由"}, {"A": ACTION, "B": ACTION}),
    ("POST", "/judging/office/assignments/{asg}/unlock/", {"reason": "矩阵测试理由"}, {"A": ACTION, "B": ACTION}),
    # The round pages the console adds its actions to.
    ("GET", "/judging/rounds/{round_open}/progress/", None, {"A": PAGE}),
    ("GET", "/judging/rounds/{round_open}/conflicts/", None, {"A": PAGE}),
    ("GET", "/judging/rounds/{round_closed}/ranking/", None, {"A": PAGE}),
]
# fmt: on


def _page_cells():
    for method, path, body, sides in PAGE_MATRIX:
        for side, statuses in sides.items():
            for caller, expected in zip(CALLERS, statuses, strict=True):
                yield pytest.param(
                    method, path, body, side, caller, expected, id=f"page {method} {path} [{side}] {caller}"
                )


def _page_state():
    """What a refused action must leave as it was (sign-ins are audited, so they are left out)."""
    from judging.models import PanelMember, RoundWithdrawal, Scorecard, ScorecardExclusion

    return (
        sorted(Assignment.objects.values_list("pk", "judge_id", "nomination_id")),
        sorted(Scorecard.objects.values_list("pk", "status", "version")),
        sorted(PanelMember.objects.values_list("category_id", "judge_id")),
        RoundWithdrawal.objects.count(),
        ScorecardExclusion.objects.count(),
        AuditEntry.objects.exclude(action__startswith="auth.").count(),
    )


@pytest.mark.parametrize(("method", "path", "body", "side", "caller", "expected"), list(_page_cells()))
def test_page_cell(world, db, method, path, body, side, caller, expected):
    from django.test import Client

    from competition.models import User

    client = Client()
    if caller != ANON:
        client.force_login(User.objects.get(pk=world.users[caller]))
    url = _fill(path, world, side)
    data = {k: str(v) for k, v in (_json_body(body, world, side) or {}).items()}
    before = _page_state()
    response = client.post(url, data) if method == "POST" else client.get(url)
    assert response.status_code < 500
    assert response.status_code == expected, f"{method} {url} as {caller}: {response.status_code}, expected {expected}"
    if expected == SIGN_IN and caller == ANON:
        assert response["Location"].startswith("/accounts/login/")
    if expected in (403, 404):
        text = response.content.decode()
        for secret in world.secrets:
            assert secret not in text, f"refused page names {secret!r}"
        assert _page_state() == before, "a refused action changed something"
    if expected == 404:
        missing = client.post(_fill(path, world, side, missing=True), data) if method == "POST" else client.get(
            _fill(path, world, side, missing=True)
        )
        assert missing.status_code == 404
        # The same page, but for the sign-out form's CSRF token (masked afresh on each page).
        token = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')
        assert token.sub(b"", missing.content) == token.sub(b"", response.content)


def test_every_console_page_is_in_the_page_matrix():
    """A new console page or action must get its row."""
    from django.urls import get_resolver

    from judging.console import urls as console_urls

    covered = {PLACEHOLDER.sub("{}", p) for _m, p, _b, _s in PAGE_MATRIX}
    prefix = "/judging/office/"
    routes = {prefix + str(pattern.pattern).replace("<int:pk>", "{}") for pattern in console_urls.urlpatterns}
    assert get_resolver().resolve(prefix).url_name == "home"
    assert routes <= covered, sorted(routes - covered)




# --------------------------------------------------------------------------- the office's results pages (issue 12)
#
# The web pages (session sign-in, CSRF) of the 公示, objections, finalising, the 表彰名单,
# statistics, certificates and the 云展馆, in the same world. Statuses as above, in CALLERS
# order; a page answers 302 to the sign-in page for anonymous callers and 302 after an
# office action (success or the service's refusal, shown on the next page).

USERNAMES = {
    OFFICE: "m-office", OBS: "m-observer", OFF_A: "m-unit-a", OFF_B: "m-unit-b",
    J1: "m-judge1", J2: "m-judge2", J3: "m-judge3",
}
READ = (302, 404, 404, 404, 404, 404, 200, 200)
ACT = (302, 404, 404, 404, 404, 404, 403, 302)
OFFICE_FORM = (302, 404, 404, 404, 404, 404, 403, 200)  # an office form: observers 403, a bad form re-shown
ENTER = {"nomination": "{nom3}", "channel": "letter", "name": "王五", "phone": "13800001234",
         "content": "来信反映该项目活动次数与事实不符。"}
NOTICE_FORM = {"working_days": "5", "phone": "0351-4040123", "action": "publish"}

# fmt: off
PAGES: list[tuple] = [
    ("GET", "/judging/office/competitions/{comp_pub}/results/", None, {"A": READ}),
    ("GET", "/judging/office/competitions/{comp_pub}/publicity/", None, {"A": READ}),
    ("POST", "/judging/office/competitions/{comp_pub}/publicity/", NOTICE_FORM, {"A": ACT}),
    ("POST", "/judging/office/competitions/{comp_judge}/publicity/", NOTICE_FORM, {"A": (302, 404, 404, 404, 404, 404, 403, 200)}),
    ("GET", "/judging/office/competitions/{comp_pub}/objections/", None, {"A": READ}),
    ("GET", "/judging/office/competitions/{comp_pub}/objections/?status=open&channel=online", None, {"A": READ}),
    ("GET", "/judging/office/competitions/{comp_pub}/objections/new/", None, {"A": READ}),
    ("POST", "/judging/office/competitions/{comp_pub}/objections/new/", ENTER, {"A": ACT}),
    ("GET", "/judging/office/objections/{objection}/", None, {"A": READ}),
    ("POST", "/judging/office/objections/{objection}/resolve/", {"decision": "upheld", "reason": "经核实"},
        {"A": (302, 404, 404, 404, 404, 404, 403, 200)}),
    ("POST", "/judging/office/objections/{objection}/resolve/", {"decision": "dismissed", "reason": "经核实", "confirm": "1"},
        {"A": ACT}),
    ("POST", "/judging/office/objections/{objection}/spam/", {"reason": "无具体事实"}, {"A": ACT}),
    ("GET", "/judging/office/competitions/{comp_pub}/finalize/", None, {"A": READ}),
    ("POST", "/judging/office/competitions/{comp_pub}/finalize/", {"confirm": "on"}, {"A": ACT}),
    ("GET", "/judging/office/competitions/{comp_final}/honours/", None, {"A": READ}),
    ("GET", "/judging/office/competitions/{comp_final}/honours.xlsx", None, {"A": READ}),
    ("GET", "/judging/office/competitions/{comp_pub}/statistics/", None, {"A": READ}),
    ("GET", "/judging/office/competitions/{comp_pub}/statistics.xlsx", None, {"A": READ}),
    ("GET", "/certificates/competitions/{comp_pub}/publicity.pdf", None, {"A": READ}),
    ("GET", "/certificates/competitions/{comp_final}/honours.pdf", None, {"A": READ}),
    ("GET", "/certificates/competitions/{comp_final}/", None, {"A": READ}),
    ("GET", "/certificates/competitions/{comp_final}/?status=issued&category=1", None, {"A": READ}),
    ("GET", "/certificates/{cert}/pdf/", None, {
        "A": (302, 200, 404, 404, 404, 404, 404, 200),
        "B": (302, 404, 200, 404, 404, 404, 404, 200)}),
    ("POST", "/certificates/{cert}/revoke/", {"reason": "矩阵测试理由"}, {
        "A": (302, 403, 404, 404, 404, 404, 403, 302),
        "B": (302, 404, 403, 404, 404, 404, 403, 302)}),
    ("POST", "/certificates/{cert}/reissue/", {"reason": "矩阵测试理由"}, {
        "A": (302, 403, 404, 404, 404, 404, 403, 302),
        "B": (302, 404, 403, 404, 404, 404, 403, 302)}),
    ("GET", "/exhibition/office/competitions/{comp_final}/", None, {"A": READ}),
    ("POST", "/exhibition/office/competitions/{comp_final}/", {}, {"A": ACT}),
    # issue 13 item 10: past winners; issue 16: recommended and historic exhibits, figures
    ("GET", "/nominations/past-winners/", None, {"A": READ}),
    ("GET", "/nominations/past-winners/?year=2019&category=XM", None, {"A": READ}),
    ("POST", "/nominations/past-winners/", {}, {"A": OFFICE_FORM}),
    ("GET", "/nominations/past-winners/import/", None, {"A": OFFICE_FORM}),
    ("GET", "/nominations/past-winners/template.xlsx", None, {"A": READ}),
    ("GET", "/exhibition/office/competitions/{comp_final}/recommended/", None, {"A": READ}),
    ("GET", "/exhibition/office/history/", None, {"A": READ}),
    ("POST", "/exhibition/office/history/", {}, {"A": OFFICE_FORM}),
    ("GET", "/exhibition/office/history/import/", None, {"A": OFFICE_FORM}),
    ("GET", "/exhibition/office/history/template.xlsx", None, {"A": READ}),
    ("GET", "/exhibition/office/exhibits/{exhibit}/", None, {"A": READ}),
    ("POST", "/exhibition/office/exhibits/{exhibit}/", {"action": "figures"}, {"A": OFFICE_FORM}),
]
# fmt: on


def _results_page_cells():
    for method, path, body, sides in PAGES:
        for side, statuses in sides.items():
            assert len(statuses) == len(CALLERS), (method, path, side)
            for caller, expected in zip(CALLERS, statuses, strict=True):
                yield pytest.param(method, path, body, side, caller, expected, id=f"page {method} {path} [{side}] {caller}")


def _page_client(caller: str):
    from django.test import Client

    from competition.models import User

    client = Client()
    if caller != ANON:
        client.force_login(User.objects.get(username=USERNAMES[caller]))
    return client


@pytest.mark.parametrize(("method", "path", "body", "side", "caller", "expected"), list(_results_page_cells()))
def test_results_page_cell(world, db, method, path, body, side, caller, expected):
    client = _page_client(caller)
    url = _fill(path, world, side)
    data = {k: (_fill(v, world, side) if isinstance(v, str) else v) for k, v in (body or {}).items()}
    response = getattr(client, method.lower())(url, data) if method == "POST" else client.get(url)
    content = response.getvalue() if response.streaming else response.content
    assert response.status_code < 500, content[:500]
    assert response.status_code == expected, f"{method} {url} as {caller}: {response.status_code}, expected {expected}"
    if caller == ANON:
        assert response["Location"].startswith("/accounts/login/")
    if expected in (403, 404):
        text = content.decode()
        for secret in world.secrets:
            assert secret not in text, f"refused page names {secret!r}"


def test_page_actions_need_the_csrf_token(world, db):
    """Every action of the pages is a POST that Django's CSRF check guards."""
    from django.test import Client

    from competition.models import User

    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(username=USERNAMES[OFFICE]))
    for method, path, body, sides in PAGES:
        if method == "POST":
            url = _fill(path, world, "A")
            assert client.post(url, body or {}).status_code == 403, url


def _without_csrf(content: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", content)


@pytest.mark.parametrize("caller", CALLERS)
def test_objection_lookup_page(world, db, caller):
    """Issue 14: the public lookup page, for anyone signed in or not: the right receipt
    and phone show the objection; a wrong phone answers the very page of an unknown receipt."""
    client = _page_client(caller)
    receipt = world.id("objection_receipt")
    assert client.get("/publicity/objections/").status_code == 200
    found = client.post("/publicity/objections/", {"receipt": receipt, "phone": "13800001111"})
    assert found.status_code == 200
    assert receipt in found.content.decode() and "待处理" in found.content.decode()
    wrong = client.post("/publicity/objections/", {"receipt": receipt, "phone": "13900002222"})
    unknown = client.post("/publicity/objections/", {"receipt": "ABCDEFGHJKMN", "phone": "13900002222"})
    assert wrong.status_code == unknown.status_code == 404
    assert _without_csrf(wrong.content).replace(receipt.encode(), b"ABCDEFGHJKMN") == _without_csrf(unknown.content)
    for secret in world.secrets:
        assert secret not in wrong.content.decode()


def test_public_objection_forms_need_the_csrf_token(world, db):
    """The objection form and the lookup are POST forms that Django's CSRF check guards."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    pub = world.id("comp_pub")
    assert client.post(f"/publicity/{pub}/objection/", {"nomination": world.id("nom3"), **OBJECTION}).status_code == 403
    assert client.post("/publicity/objections/", {"receipt": "X", "phone": "1"}).status_code == 403


__all__ = ["MATRIX", "PAGE_MATRIX", "PAGES", "World", "build_world"]
