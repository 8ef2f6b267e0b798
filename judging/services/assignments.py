"""Every write of judging: pledges, conflicts, panels, assignments, scorecards.

Rules that must never break are held here, inside transactions, and by the
database where they can be: one scorecard per assignment, no score above the
criterion's maximum or off the half-point grid, no save on a stale version,
no save after the round's deadline, no scoring across a conflict.
"""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from competition.audit import audit_fields, audit_record
from competition.enums import Role
from competition.exceptions import Conflict, NotFound, ValidationFailed
from competition.models import Category, Competition, JudgeProfile, Round, User
from competition.rules import is_judge, is_office, require
from nominations.models import Nomination
from notifications.enums import Event
from notifications.services import notify

from .. import selectors
from ..conflicts import conflict_reason
from ..enums import AssignmentStatus, ScorecardStatus
from ..models import Assignment, ConflictDeclaration, PanelMember, Pledge, Score, Scorecard
from ..refusals import (  # noqa: F401  (round_refusal: services.round_refusal for the pages)
    assign_refusal,
    locked_refusal,
    refuse,
    remind_refusal,
    round_refusal,
    score_refusal,
    unlock_refusal,
)
from ..rules import can_score_assignment
from ..scoring import CriterionSpec, score_problem, weighted_total
from . import scoring_row, scoring_write


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _round_context(round_: Round, **more) -> dict[str, Any]:
    """What every judging notification names: the year, the round, its scoring deadline."""
    return {"year": round_.competition.year, "round": round_.name, "deadline": round_.effective_deadline, **more}


def _tell_assigned(*, round_: Round, new_pairs, key: str) -> None:
    """Tell each judge who got new assignments in the round: new work, or a change to theirs."""
    added: dict[int, int] = defaultdict(int)
    for judge_id, _nomination_id in new_pairs:
        added[judge_id] += 1
    totals = judge_loads(round_)
    for judge_id, count in sorted(added.items()):
        total = totals.get(judge_id, count)
        had = total > count
        notify(
            event=Event.ASSIGNMENT_CHANGED if had else Event.ASSIGNMENT_MADE,
            recipients=[judge_id],
            obj=round_,
            key=key,
            url=reverse("judging:index"),
            context=_round_context(round_, count=count, detail="", change=f"新增 {count} 项", total=total),
        )


# --------------------------------------------------------------------------- pledge and conflicts


@transaction.atomic
def pledge_accept(*, judge: User, competition: Competition) -> Pledge:
    """The judge signs the integrity pledge of this competition (once; repeating is harmless)."""
    require(is_judge, judge, message="只有评审专家需要签署评审承诺书。")
    pledge, created = Pledge.objects.get_or_create(competition=competition, judge=judge)
    if created:
        audit_record(actor=judge, action="judging.pledge", obj=pledge, after={"competition": competition.pk})
    return pledge


@dataclass
class DeclaredConflict:
    declaration: ConflictDeclaration
    released: int
    excluded: int = 0


@transaction.atomic
def conflict_declare(*, judge: User, nomination: Nomination, reason: str) -> DeclaredConflict:
    """A judge declares a conflict. Their unsubmitted assignments of the nomination are released
    (the office's next automatic assignment staffs it again); submitted ones stay on record but
    their scorecards no longer count (``selectors.conflicted_scorecards``) and the next
    automatic assignment staffs the nomination again as well."""
    require(is_judge, judge, message="只有评审专家可以申明回避。")
    if not Assignment.objects.filter(judge=judge, nomination=nomination).exists():
        # A judge only knows the nominations assigned to them; any other is "not found".
        raise NotFound()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={"reason": ["回避理由：必须填写。"]})
    declaration, created = ConflictDeclaration.objects.get_or_create(
        judge=judge, nomination=nomination, defaults={"reason": reason}
    )
    released = 0
    excluded = []
    for assignment in Assignment.objects.select_for_update().filter(
        judge=judge, nomination=nomination, round__closed_at__isnull=True
    ):
        card = Scorecard.objects.filter(assignment=assignment).first()
        if card is not None and card.status == ScorecardStatus.SUBMITTED:
            # Stays on record, excluded from every aggregation from now on
            # (selectors.conflicted_scorecards); the office assigns another judge.
            excluded.append(card.pk)
            continue
        if card is not None:
            card.delete()
        assignment.delete()
        released += 1
    if created:
        audit_record(
            actor=judge,
            action="judging.conflict_declare",
            obj=declaration,
            after={"nomination": nomination.pk, "released": released, "excluded_scorecards": excluded},
            reason=reason,
        )
    return DeclaredConflict(declaration=declaration, released=released, excluded=len(excluded))


# --------------------------------------------------------------------------- panels and assignment


@transaction.atomic
def panel_set(*, actor: User, category, judges: list[User]) -> list[PanelMember]:
    """Narrow a category's panel to ``judges`` (an empty list: every active judge)."""
    require(is_office, actor)
    bad = [j.username for j in judges if j.role != Role.JUDGE]
    if bad:
        raise ValidationFailed(fields={"judges": [f"评审组：{'、'.join(bad)} 不是评审专家。"]})
    before = sorted(PanelMember.objects.filter(category=category).values_list("judge_id", flat=True))
    PanelMember.objects.filter(category=category).delete()
    members = PanelMember.objects.bulk_create(PanelMember(category=category, judge=j) for j in judges)
    audit_record(
        actor=actor,
        action="judging.panel_set",
        obj=category,
        before={"judges": before},
        after={"judges": sorted(j.pk for j in judges)},
    )
    return members


@dataclass
class AutoAssignSummary:
    created: int = 0
    per_judge: dict[str, int] = field(default_factory=dict)
    short: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"created": self.created, "per_judge": self.per_judge, "short": self.short}


@dataclass
class AssignmentPlan:
    """What automatic assignment would do now, computed without writing.

    ``new_pairs``: the (judge, nomination) assignments it would create;
    ``before`` and ``load``: each panel judge's assignments in the round before
    and after; ``avoided``: the panel judges it left out of a nomination
    because they must 回避 (with the reason); ``short``: the nominations it
    cannot fully staff. ``fingerprint`` names the plan: saving with the
    fingerprint of a preview refuses if the plan changed since.
    """

    round_id: int
    seed: int | None
    need: int
    new_pairs: list[tuple[int, int]] = field(default_factory=list)
    before: dict[int, int] = field(default_factory=dict)
    load: dict[int, int] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)
    short: list[dict[str, Any]] = field(default_factory=list)
    avoided: list[dict[str, Any]] = field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        text = f"{self.round_id}|{self.need}|" + ";".join(f"{j}:{n}" for j, n in self.new_pairs)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def per_judge(self) -> dict[str, int]:
        return {self.names[j]: self.load[j] for j in sorted(self.load, key=lambda j: self.names[j])}

    def summary(self) -> AutoAssignSummary:
        return AutoAssignSummary(created=len(self.new_pairs), per_judge=self.per_judge(), short=list(self.short))


def _panel(category, profiles: dict[int, JudgeProfile]) -> list[int]:
    members = [m.judge_id for m in category.panel.all()]
    if members:
        return sorted(j for j in members if j in profiles and profiles[j].active)
    return sorted(j for j, p in profiles.items() if p.active)


def assignment_plan(
    *,
    round_: Round,
    seed: int | None = None,
    need: int | None = None,
    nomination_ids: set[int] | None = None,
    exclude_judges: set[int] | frozenset[int] = frozenset(),
) -> AssignmentPlan:
    """Plan the automatic assignment of the round (reads only; ``assignments_auto`` saves it).

    Each nomination gets ``need`` judges (the round's ``judges_per_nomination``
    by default) from its category's panel: least-loaded first with seeded
    random tie-breaks, the most constrained nominations first, then moves that
    even out the loads. Existing assignments are kept; one whose judge must
    now 回避, or whose submitted scorecard the office excluded, does not count.
    Judges withdrawn from the round (and ``exclude_judges``) are not picked.
    ``nomination_ids`` limits the plan to those nominations. Deterministic for
    a given seed and database state.
    """
    from ..models import RoundWithdrawal, ScorecardExclusion

    need = need or round_.judges_per_nomination
    rng = random.Random(seed if seed is not None else round_.pk)  # noqa: S311  (a seeded shuffle, not a secret)

    nominations = list(selectors.round_nominations(round_=round_).select_related("category", "unit"))
    if nomination_ids is not None:
        nominations = [n for n in nominations if n.pk in nomination_ids]
    profiles = {
        p.user_id: p for p in JudgeProfile.objects.select_related("unit", "user").filter(user__is_active=True)
    }
    withdrawn = set(RoundWithdrawal.objects.filter(round=round_).values_list("judge_id", flat=True))
    withdrawn |= set(exclude_judges)
    declared: dict[int, set[int]] = defaultdict(set)
    for judge_id, nomination_id in ConflictDeclaration.objects.filter(
        nomination__in=nominations
    ).values_list("judge_id", "nomination_id"):
        declared[judge_id].add(nomination_id)
    category_ids = sorted({n.category_id for n in nominations})
    categories = Category.objects.prefetch_related("panel").in_bulk(category_ids)
    panels = {
        cid: [j for j in _panel(categories[cid], profiles) if j not in withdrawn] for cid in category_ids
    }

    existing = defaultdict(set)
    # An assignment whose judge must now 回避 (declared or detected, even after
    # submitting) does not count towards the nomination's judges: its scorecard
    # is excluded from aggregation, so the nomination gets another judge. The
    # same for a submitted scorecard the office excluded.
    voided: dict[int, int] = defaultdict(int)
    load: dict[int, int] = defaultdict(int)
    by_pk = {n.pk: n for n in nominations}
    excluded_assignments = set(
        ScorecardExclusion.objects.filter(scorecard__assignment__round=round_).values_list(
            "scorecard__assignment_id", flat=True
        )
    )
    for assignment_id, judge_id, nomination_id in Assignment.objects.filter(round=round_).values_list(
        "pk", "judge_id", "nomination_id"
    ):
        existing[nomination_id].add(judge_id)
        load[judge_id] += 1
        nomination = by_pk.get(nomination_id)
        if nomination is None:
            continue
        if assignment_id in excluded_assignments or conflict_reason(
            judge=profiles[judge_id].user if judge_id in profiles else User(pk=judge_id),
            nomination=nomination,
            profile=profiles.get(judge_id),
            declared=declared[judge_id],
        ):
            voided[nomination_id] += 1
    all_judges = sorted({j for p in panels.values() for j in p})
    for j in all_judges:
        load.setdefault(j, 0)
    before = {j: load[j] for j in all_judges}
    tiebreak = {j: rng.random() for j in all_judges}

    avoided: list[dict[str, Any]] = []

    def eligible(nomination: Nomination) -> list[int]:
        out = []
        for j in panels[nomination.category_id]:
            if j in existing[nomination.pk]:
                continue
            reason = conflict_reason(
                judge=profiles[j].user, nomination=nomination, profile=profiles[j], declared=declared[j]
            )
            if reason is None:
                out.append(j)
            else:
                avoided.append({"nomination": nomination.pk, "title": nomination.title, "judge": j, "reason": reason})
        return out

    candidates = {n.pk: eligible(n) for n in nominations}
    order = sorted(nominations, key=lambda n: (len(candidates[n.pk]), rng.random()))
    new_pairs: list[tuple[int, int]] = []
    for nomination in order:
        missing = need - len(existing[nomination.pk]) + voided[nomination.pk]
        if missing <= 0:
            continue
        pool = sorted(candidates[nomination.pk], key=lambda j: (load[j], tiebreak[j]))
        for judge_id in pool[:missing]:
            existing[nomination.pk].add(judge_id)
            load[judge_id] += 1
            new_pairs.append((judge_id, nomination.pk))

    # Even out: move a new assignment from the most to the least loaded judge while allowed.
    new_set = set(new_pairs)
    eligible_sets = {n.pk: set(candidates[n.pk]) for n in nominations}
    for _ in range(len(new_pairs) * 2):
        heavy = max(all_judges, key=lambda j: (load[j], tiebreak[j]), default=None)
        light = min(all_judges, key=lambda j: (load[j], tiebreak[j]), default=None)
        if heavy is None or load[heavy] - load[light] <= 1:
            break
        moved = False
        for judge_id, nomination_id in sorted(new_set):
            if judge_id != heavy:
                continue
            if light in eligible_sets[nomination_id] and light not in existing[nomination_id]:
                new_set.discard((heavy, nomination_id))
                new_set.add((light, nomination_id))
                existing[nomination_id].discard(heavy)
                existing[nomination_id].add(light)
                load[heavy] -= 1
                load[light] += 1
                moved = True
                break
        if not moved:
            break

    plan = AssignmentPlan(round_id=round_.pk, seed=seed, need=need, new_pairs=sorted(new_set))
    plan.names = {j: profiles[j].user.username for j in all_judges}
    plan.before = before
    plan.load = {j: load[j] for j in all_judges}
    for row in avoided:
        row["judge_username"] = plan.names.get(row["judge"], str(row["judge"]))
    plan.avoided = sorted(avoided, key=lambda r: (r["nomination"], r["judge"]))
    for nomination in sorted(nominations, key=lambda n: n.pk):
        have = len(existing[nomination.pk]) - voided[nomination.pk]
        if have < need:
            panel_size = len(panels[nomination.category_id])
            if panel_size < need:
                why = f"评审组只有 {panel_size} 位评委，少于每件所需的 {need} 位。"
            else:
                why = f"评审组 {panel_size} 位评委中有 {panel_size - have} 位须回避或不可用，只能安排 {have} 位。"
            plan.short.append(
                {"nomination": nomination.pk, "title": nomination.title, "assigned": have, "needed": need, "reason": why}
            )
    return plan


def _need(round_: Round, judges_per_nomination: int | None) -> int:
    if judges_per_nomination is None:
        return round_.judges_per_nomination
    if not isinstance(judges_per_nomination, int) or not 1 <= judges_per_nomination <= 50:
        raise ValidationFailed(fields={"judges_per_nomination": ["每件评委数：应为 1 到 50 之间的整数。"]})
    return judges_per_nomination


def assignments_auto_preview(
    *, actor: User, round_: Round, seed: int | None = None, judges_per_nomination: int | None = None
) -> AssignmentPlan:
    """What ``assignments_auto`` with the same arguments would do now; writes nothing."""
    require(is_office, actor, message="只有组委会办公室可以分配评审任务。")
    round_ = Round.objects.select_related("competition").get(pk=round_.pk)
    refuse(assign_refusal(round_, actor, timezone.now()))
    return assignment_plan(round_=round_, seed=seed, need=_need(round_, judges_per_nomination))


def _plan_apply(*, round_: Round, plan: AssignmentPlan, key: str) -> None:
    """Create the plan's assignments and tell each judge who got new work."""
    Assignment.objects.bulk_create(
        Assignment(round=round_, judge_id=j, nomination_id=n) for j, n in plan.new_pairs
    )
    _tell_assigned(round_=round_, new_pairs=plan.new_pairs, key=key)


@transaction.atomic
def assignments_auto(
    *,
    actor: User,
    round_: Round,
    seed: int | None = None,
    judges_per_nomination: int | None = None,
    expect: str | None = None,
) -> AutoAssignSummary:
    """Give each nomination of the round its number of judges from its category's panel
    (see ``assignment_plan``); existing assignments are kept, so running it again only
    fills what is missing. Nominations that cannot be fully staffed are reported with
    the reason.

    ``judges_per_nomination`` changes the round's number of judges per nomination
    (audited). ``expect``: the fingerprint of a preview; when the plan is no longer
    the one previewed (someone changed the assignments, the panels or the
    conflicts since), nothing is saved and the office is asked to preview again.
    """
    require(is_office, actor, message="只有组委会办公室可以分配评审任务。")
    round_ = Round.objects.select_for_update().select_related("competition").get(pk=round_.pk)
    refuse(assign_refusal(round_, actor, timezone.now()))
    need = _need(round_, judges_per_nomination)
    plan = assignment_plan(round_=round_, seed=seed, need=need)
    if expect is not None and plan.fingerprint != expect:
        raise Conflict("预览之后评审分配情况已有变化，分配未保存。请重新预览后再确认。", code="plan_changed")
    before_need = round_.judges_per_nomination
    if need != before_need:
        round_.judges_per_nomination = need
        round_.save(update_fields=["judges_per_nomination"])
    summary = plan.summary()
    entry = audit_record(
        actor=actor,
        action="judging.assign_auto",
        obj=round_,
        before={"judges_per_nomination": before_need} if need != before_need else None,
        after={
            "created": summary.created,
            "short": len(summary.short),
            "seed": seed,
            **({"judges_per_nomination": need} if need != before_need else {}),
        },
    )
    _plan_apply(round_=round_, plan=plan, key=f"auto:{entry.pk}")
    return summary


@transaction.atomic
def assignment_add(*, actor: User, round_: Round, judge: User, nomination: Nomination) -> Assignment:
    require(is_office, actor)
    if judge.role != Role.JUDGE:
        raise ValidationFailed(fields={"judge": ["评委：该账号不是评审专家。"]})
    if nomination.competition_id != round_.competition_id:
        raise ValidationFailed(fields={"nomination": ["推荐：不属于该轮次的推选活动。"]})
    refuse(assign_refusal(round_, actor, timezone.now()))
    if not selectors.round_nominations(round_=round_).filter(pk=nomination.pk).exists():
        raise Conflict("该推荐不在本轮评审范围内（未通过资格审查或未晋级）。", code="not_in_round")
    reason = conflict_reason(judge=judge, nomination=nomination)
    if reason:
        raise Conflict(reason, code="conflict_of_interest")
    try:
        with transaction.atomic():
            assignment = Assignment.objects.create(round=round_, judge=judge, nomination=nomination)
    except IntegrityError as exc:
        raise Conflict("该评委已分配了这项推荐。", code="already_assigned") from exc
    audit_record(
        actor=actor,
        action="judging.assign",
        obj=assignment,
        after={"round": round_.pk, "judge": judge.pk, "nomination": nomination.pk},
    )
    notify(
        event=Event.ASSIGNMENT_MADE,
        recipients=[judge],
        obj=assignment,
        url=reverse("judging:assignment", args=[assignment.pk]),
        context=_round_context(round_, count=1, detail=f"：“{nomination}”"),
    )
    return assignment


@transaction.atomic
def assignment_remove(*, actor: User, assignment: Assignment, reason: str = "") -> None:
    require(is_office, actor)
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    card = Scorecard.objects.filter(assignment=assignment).first()
    if card is not None and card.status == ScorecardStatus.SUBMITTED:
        raise Conflict("该分配的评分表已提交，不能删除；如需重评请先解锁。", code="scorecard_submitted")
    audit_record(
        actor=actor,
        action="judging.unassign",
        obj=assignment,
        before={"round": assignment.round_id, "judge": assignment.judge_id, "nomination": assignment.nomination_id},
        reason=reason,
    )
    notify(
        event=Event.ASSIGNMENT_REMOVED,
        recipients=[assignment.judge_id],
        obj=assignment,
        url=reverse("judging:index"),
        context=_round_context(
            assignment.round, nomination=str(assignment.nomination), reason_line=f"，理由：{reason}" if reason else ""
        ),
    )
    if card is not None:
        card.delete()
    assignment.delete()


@transaction.atomic
def judge_withdraw(*, actor: User, judge: User, competition: Competition, reason: str) -> dict[str, Any]:
    """A judge leaves: their open assignments move to others; submitted scorecards stay."""
    require(is_office, actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={"reason": ["理由：必须填写。"]})
    profile = JudgeProfile.objects.select_for_update().get(user=judge)
    profile.active = False
    profile.save(update_fields=["active"])
    moved = 0
    rounds = competition.rounds.filter(closed_at__isnull=True).order_by("order")
    summaries = []
    for round_ in rounds:
        open_rows = Assignment.objects.filter(
            round=round_, judge=judge, status=AssignmentStatus.OPEN
        ).exclude(scorecard__status=ScorecardStatus.SUBMITTED)
        for assignment in open_rows:
            Scorecard.objects.filter(assignment=assignment).delete()
            assignment.delete()
            moved += 1
        summaries.append(assignments_auto(actor=actor, round_=round_).as_dict())
    entry = audit_record(
        actor=actor,
        action="judging.judge_withdraw",
        obj=profile,
        after={"moved": moved},
        reason=reason,
    )
    notify(
        event=Event.ASSIGNMENT_CHANGED,
        recipients=[judge],
        obj=profile,
        key=f"withdraw:{entry.pk}",
        url=reverse("judging:index"),
        context={
            "year": competition.year,
            "round": "评审",
            "deadline": competition.judging_close,
            "change": f"您已退出评审（{reason}），{moved} 项尚未提交评分的任务已改由其他评委承担",
            "total": Assignment.objects.filter(judge=judge, round__competition=competition).count(),
        },
    )
    return {"moved": moved, "rounds": summaries}


# --------------------------------------------------------------------------- scorecards


def _lock_round(round_id: int) -> Round:
    """Hold the round row against a concurrent ``round_close`` (which locks it FOR UPDATE).

    Taken before the assignment, so a submit or an unlock either finishes
    before the close, or waits for it and then reads the round as closed.
    """
    return Round.objects.select_for_update(no_key=True).get(pk=round_id)


def _lock_round_of(assignment_id: int) -> None:
    """``_lock_round`` of the assignment's round, found by the assignment's id in the same
    statement (no such assignment: nothing is locked, and the read that follows answers 404)."""
    if scoring_row.available():
        scoring_row.lock_round_of(assignment_id)
        return
    Round.objects.select_for_update(no_key=True, of=("self",)).filter(
        pk=Subquery(Assignment.objects.filter(pk=assignment_id).values("round_id")[:1])
    ).values_list("pk", flat=True).first()


def _lock_assignment(assignment: Assignment) -> Assignment:
    return (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("round", "round__competition", "nomination", "nomination__category", "judge")
        .get(pk=assignment.pk)
    )


# What a save or a submit reads of the assignment (narrow: not the nomination's long texts).
_SCORING_FIELDS = (
    "id", "judge_id", "round_id", "nomination_id", "status",
    "round__id", "round__name", "round__order", "round__closed_at", "round__deadline", "round__blind",
    "round__comment_required", "round__competition_id",
    "round__competition__id", "round__competition__phase", "round__competition__judging_close",
    "nomination__id", "nomination__unit_id", "nomination__organization", "nomination__title",
    "nomination__category_id", "nomination__category__id", "nomination__category__kind",
    "judge__id", "judge__judge_profile__id", "judge__judge_profile__user_id", "judge__judge_profile__unit_id",
    "judge__judge_profile__organizations",
    "scorecard__id", "scorecard__assignment_id", "scorecard__status", "scorecard__comment", "scorecard__total",
    "scorecard__version", "scorecard__created_at", "scorecard__updated_at", "scorecard__submitted_at",
)


def _scoring_row(assignment_id: int) -> Assignment:
    """The assignment, locked, with everything a save or a submit checks, and its
    category's rubric (``_criteria``), in one statement: on PostgreSQL the fixed
    statement of ``scoring_row``, elsewhere the ORM's (``_scoring_row_orm``)."""
    if scoring_row.available():
        loaded = scoring_row.load(assignment_id)
        if loaded is None:
            raise NotFound()
        assignment, assignment.rubric = loaded
        return assignment
    return _scoring_row_orm(assignment_id)


def _scoring_row_orm(assignment_id: int) -> Assignment:
    """The assignment, locked, with everything a save or a submit checks, in one statement.

    Its round, competition, nomination and category (the fields the checks
    read), the judge's profile (回避 by unit or organisation), the scorecard,
    and as ``EXISTS`` annotations: ``earlier_open`` (an earlier round is still
    open), ``pledged`` (the judge signed this competition's pledge),
    ``declared`` (the judge declared a conflict with the nomination). Only the
    assignment row is locked; the scorecard is written with a versioned update.
    """
    competition = OuterRef("round__competition_id")
    try:
        return (
            Assignment.objects.select_for_update(of=("self",))
            .select_related("round__competition", "nomination__category", "judge__judge_profile", "scorecard")
            .only(*_SCORING_FIELDS)
            .annotate(
                earlier_open=Exists(
                    Round.objects.filter(
                        competition_id=competition, order__lt=OuterRef("round__order"), closed_at__isnull=True
                    )
                ),
                pledged=Exists(Pledge.objects.filter(competition_id=competition, judge_id=OuterRef("judge_id"))),
                declared=Exists(
                    ConflictDeclaration.objects.filter(
                        judge_id=OuterRef("judge_id"), nomination_id=OuterRef("nomination_id")
                    )
                ),
            )
            .get(pk=assignment_id)
        )
    except Assignment.DoesNotExist as exc:
        raise NotFound() from exc


def _card_of(assignment: Assignment) -> Scorecard | None:
    try:
        return assignment.scorecard
    except Scorecard.DoesNotExist:
        return None


def _require_can_score(judge: User, assignment: Assignment, now: datetime) -> None:
    """The judge may score this assignment now. Reads the annotations of ``_scoring_row``
    when the assignment came from it, and queries otherwise."""
    require(can_score_assignment, judge, assignment, hidden=True)
    refuse(score_refusal(assignment, judge, now))


def _criteria(assignment: Assignment) -> list:
    if hasattr(assignment, "rubric"):  # read with the assignment (scoring_row)
        return assignment.rubric
    return list(assignment.nomination.category.criteria.order_by("order", "id"))


def _parse_scores(raw: dict, criteria: list) -> dict[int, Decimal | None]:
    """Points per criterion id; None clears a score the judge emptied."""
    by_id = {c.pk: c for c in criteria}
    errors: dict[str, list[str]] = {}
    parsed: dict[int, Decimal | None] = {}
    for key, value in (raw or {}).items():
        try:
            criterion_id = int(key)
        except (TypeError, ValueError):
            criterion_id = None
        criterion = by_id.get(criterion_id)
        if criterion is None:
            errors[f"scores.{key}"] = [f"评分项 {key}：不是本奖项的评分项。"]
            continue
        if value is None or value == "":
            parsed[criterion.pk] = None
            continue
        try:
            points = Decimal(str(value))
            if not points.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors[f"scores.{key}"] = [f"{criterion.name}：应为数字。"]
            continue
        problem = score_problem(points, CriterionSpec(criterion.pk, criterion.max_points, criterion.weight))
        if problem:
            errors[f"scores.{key}"] = [f"{criterion.name}：{problem}"]
            continue
        parsed[criterion.pk] = points
    if errors:
        raise ValidationFailed(fields=errors)
    return parsed


def _stale(card_id: int | None, version: int) -> Conflict:
    """The conflict to answer when the scorecard moved on: read it again for the message."""
    card = Scorecard.objects.filter(pk=card_id).only("version", "status").first() if card_id else None
    if card is not None and card.status == ScorecardStatus.SUBMITTED:
        return Conflict("评分表已提交并锁定，如需修改请联系组委会办公室解锁。", code="scorecard_locked")
    current = card.version if card is not None else 0
    return Conflict(
        f"评分表已在别处保存（当前版本 {current}，您提交的版本 {version}），请刷新后再修改。",
        code="stale_version",
    )


def _save_with_the_orm(*, judge, assignment, card, current, comment, total, stamp, given, cleared, max_half,
                       version) -> Scorecard:
    """The save's writes through the ORM: the reference, and the path on SQLite."""
    if card is None:
        card = Scorecard(assignment=assignment, version=1, comment=comment or "", total=total)
        try:
            card.save(force_insert=True)
        except IntegrityError as exc:  # created meanwhile by another save of the same assignment
            raise Conflict("评分表已在别处创建，请刷新后再修改。", code="stale_version") from exc
    else:
        changes = {"version": current + 1, "total": total, "updated_at": stamp}
        if comment is not None:
            changes["comment"] = comment
        written = (
            Scorecard.objects.filter(pk=card.pk, version=current)
            .exclude(status=ScorecardStatus.SUBMITTED)
            .update(**changes)
        )
        if not written:
            raise _stale(card.pk, version)
        for name, value in changes.items():
            setattr(card, name, value)
        if cleared:
            Score.objects.filter(scorecard=card, criterion_id__in=cleared).delete()
    rows = [
        Score(scorecard=card, criterion_id=cid, half_points=int(points * 2), max_half_points=max_half[cid])
        for cid, points in given.items()
    ]
    if rows:
        Score.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["scorecard", "criterion"],
            update_fields=["half_points", "max_half_points"],
        )
    audit_record(
        actor=judge, action="scorecard.save", obj=card, after={"version": card.version, "total": card.total}
    )
    return card


def _save_in_one_statement(*, judge, assignment, card, current, comment, total, stamp, given, cleared, max_half,
                           version) -> Scorecard:
    """The same writes as ``_save_with_the_orm`` in one statement (``scoring_write``, PostgreSQL)."""
    new = card is None
    if new:
        card = Scorecard(assignment=assignment, version=1, comment=comment or "", total=total)
    else:
        card.total = total
    written = scoring_write.save(
        card=card, current=current, comment=comment, now=stamp,
        given=[(cid, int(points * 2), max_half[cid]) for cid, points in given.items()],
        cleared=cleared,
        audit=audit_fields(
            actor=judge, action="scorecard.save", object_type=Scorecard._meta.label_lower,
            after={"version": 1 if new else current + 1, "total": total},
        ),
    )
    if written is None:
        if new:  # created meanwhile by another save of the same assignment
            raise Conflict("评分表已在别处创建，请刷新后再修改。", code="stale_version")
        raise _stale(card.pk, version)
    card.pk, card.version = written
    if new:
        card._state.adding, card._state.db = False, connection.alias
    else:
        card.updated_at = stamp
        if comment is not None:
            card.comment = comment
    return card


@transaction.atomic
def scorecard_save(
    *,
    judge: User,
    assignment: Assignment,
    scores: dict,
    comment: str | None,
    version: int,
    now: datetime | None = None,
) -> Scorecard:
    """Save a draft. ``version`` is the one the judge started from (0 for a new scorecard).

    Statements: the locked read with every check (``_scoring_row``), the
    rubric, one versioned write of the card (``INSERT``, or ``UPDATE … WHERE
    version = …``), one upsert of the sent scores, one audit row; plus a read
    of the stored scores when the save leaves some criteria out, and a delete
    when it clears some. The returned card has its scores in memory.
    """
    assignment = _scoring_row(assignment.pk)
    _require_can_score(judge, assignment, _now(now))
    criteria = _criteria(assignment)
    parsed = _parse_scores(scores, criteria)
    card = _card_of(assignment)
    current = card.version if card else 0
    refuse(locked_refusal(card))
    if version != current:
        raise _stale(card.pk if card else None, version)
    max_half = {c.pk: int(c.max_points * 2) for c in criteria}
    specs = [CriterionSpec(c.pk, c.max_points, c.weight) for c in criteria]
    given = {cid: points for cid, points in parsed.items() if points is not None}
    cleared = [cid for cid, points in parsed.items() if points is None]
    if card is None or set(parsed) >= set(max_half):
        points_now = dict(given)  # a new card, or every criterion sent: no need to read the stored ones
    else:
        points_now = {s.criterion_id: s.points for s in card.scores.all() if s.criterion_id not in cleared}
        points_now.update(given)
    total = weighted_total(points_now, specs)
    stamp = timezone.now()
    if scoring_write.available():
        card = _save_in_one_statement(
            judge=judge, assignment=assignment, card=card, current=current, comment=comment, total=total,
            stamp=stamp, given=given, cleared=cleared, max_half=max_half, version=version,
        )
    else:
        card = _save_with_the_orm(
            judge=judge, assignment=assignment, card=card, current=current, comment=comment, total=total,
            stamp=stamp, given=given, cleared=cleared, max_half=max_half, version=version,
        )
    # The answer reads the card's scores: hand them over in memory, as saved.
    card._prefetched_objects_cache = {
        "scores": [
            Score(scorecard=card, criterion_id=cid, half_points=int(points * 2), max_half_points=max_half[cid])
            for cid, points in sorted(points_now.items())
        ]
    }
    return card


@transaction.atomic
def scorecard_submit(*, judge: User, assignment: Assignment, now: datetime | None = None) -> Scorecard:
    """Check completeness and lock the scorecard. Submitting twice is harmless."""
    if assignment.round_id is None:  # handed over by id only (a judge's own request)
        _lock_round_of(assignment.pk)
    else:
        _lock_round(assignment.round_id)
    assignment = _scoring_row(assignment.pk)
    _require_can_score(judge, assignment, _now(now))
    # Read again under the lock: the card joined into the assignment's row may predate
    # a save that committed while this submit waited for the round.
    one_statement = scoring_write.available()
    if one_statement:  # the card and its scores in one statement
        card, stored = scoring_write.submit_read(assignment.pk) or (None, [])
    else:
        card = Scorecard.objects.select_for_update().filter(assignment=assignment).first()
    if card is None:
        raise ValidationFailed("评分表尚未填写。", code="incomplete", fields={"scores": ["评分：尚未填写任何评分项。"]})
    if card.status == ScorecardStatus.SUBMITTED:
        return card
    criteria = _criteria(assignment)
    if not one_statement:
        stored = list(card.scores.all())
    scored = {s.criterion_id for s in stored}
    errors = {
        f"scores.{c.pk}": [f"{c.name}：尚未评分。"] for c in criteria if c.pk not in scored
    }
    if assignment.round.comment_required and not card.comment.strip():
        errors["comment"] = ["评语：本轮评审必须填写评语。"]
    if errors:
        raise ValidationFailed("评分表不完整，请补齐后再提交。", code="incomplete", fields=errors)
    specs = [CriterionSpec(c.pk, c.max_points, c.weight) for c in criteria]
    card.total = weighted_total({s.criterion_id: s.points for s in stored}, specs)
    card.status = ScorecardStatus.SUBMITTED
    card.submitted_at = timezone.now()
    card.version += 1
    audit = {
        "actor": judge, "action": "scorecard.submit", "obj": card,
        "before": {"status": ScorecardStatus.DRAFT}, "after": {"status": card.status, "total": card.total},
    }
    if one_statement:  # the card, the assignment's status and the audit entry in one statement
        card.updated_at = card.submitted_at
        scoring_write.submit_write(card=card, audit=audit_fields(**audit))
    else:
        card.save(update_fields=["total", "status", "submitted_at", "version", "updated_at"])
        Assignment.objects.filter(pk=assignment.pk).update(status=AssignmentStatus.SUBMITTED)
        audit_record(**audit)
    assignment.status = AssignmentStatus.SUBMITTED
    card._prefetched_objects_cache = {"scores": stored}
    return card


@transaction.atomic
def scorecard_unlock(*, actor: User, assignment: Assignment, reason: str) -> Scorecard:
    """The office reopens a submitted scorecard, with a reason on record."""
    require(is_office, actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={"reason": ["理由：解锁评分表必须写明理由。"]})
    _lock_round(assignment.round_id)
    assignment = _lock_assignment(assignment)
    card = Scorecard.objects.select_for_update().filter(assignment=assignment).first()
    if card is not None:
        assignment.scorecard = card  # the refusal reads the locked row
    refuse(unlock_refusal(assignment, actor, timezone.now()))
    card.status = ScorecardStatus.DRAFT
    card.submitted_at = None
    card.version += 1
    card.save()
    assignment.status = AssignmentStatus.OPEN
    assignment.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="scorecard.unlock",
        obj=card,
        before={"status": ScorecardStatus.SUBMITTED},
        after={"status": ScorecardStatus.DRAFT},
        reason=reason,
    )
    notify(
        event=Event.SCORECARD_UNLOCKED,
        recipients=[assignment.judge_id],
        obj=card,
        key=f"v{card.version}",  # unlocked, resubmitted and unlocked again: told twice
        url=reverse("judging:assignment", args=[assignment.pk]),
        context=_round_context(assignment.round, nomination=str(assignment.nomination), reason=reason),
    )
    return card


@transaction.atomic
def judges_remind(*, actor: User, round_: Round, judge: User | None = None) -> int:
    """The office reminds one judge, or every judge, with unsubmitted scorecards in the round.

    A manual reminder may be repeated (each is its own audit entry and its own
    notification). Returns how many judges were reminded.
    """
    require(is_office, actor, message="只有组委会办公室可以提醒评审专家。")
    round_ = Round.objects.select_related("competition").get(pk=round_.pk)
    refuse(remind_refusal(round_, actor, timezone.now()))
    open_rows = Assignment.objects.filter(round=round_, status=AssignmentStatus.OPEN)
    if judge is not None:
        open_rows = open_rows.filter(judge=judge)
    counts = dict(
        open_rows.values("judge_id").annotate(n=Count("id")).order_by("judge_id").values_list("judge_id", "n")
    )
    if not counts:
        who = "该评委" if judge is not None else "本轮评委"
        raise Conflict(f"{who}没有未提交的评分表，无需提醒。", code="nothing_to_remind")
    entry = audit_record(
        actor=actor,
        action="judging.judges_remind",
        obj=round_,
        after={"judges": sorted(counts), "open": sum(counts.values())},
    )
    for judge_id, n in counts.items():
        notify(
            event=Event.JUDGE_REMINDER,
            recipients=[judge_id],
            obj=round_,
            key=f"manual:{entry.pk}",
            url=reverse("judging:index"),
            context=_round_context(round_, open=n),
        )
    return len(counts)


def judge_loads(round_: Round) -> dict[int, int]:
    return dict(
        Assignment.objects.filter(round=round_)
        .values("judge_id")
        .annotate(n=Count("id"))
        .values_list("judge_id", "n")
    )
