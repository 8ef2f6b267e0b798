"""Reads of judging, scoped to the user."""

from __future__ import annotations

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet

from competition.enums import Role
from competition.models import Round, User
from competition.rules import can_read_all, is_judge
from nominations import schema
from nominations.enums import Status
from nominations.models import Nomination

from . import blind
from .models import Assignment, RankingSnapshot, Score, Scorecard

# The materials of a nomination a judge reads. Contacts never reach judges; the unit and the
# organisation only in an open round (``judging.blind``). See ``assignment_materials``.
JUDGE_FIELDS = schema.judge_fields()


def round_nominations(*, round_: Round) -> QuerySet[Nomination]:
    """The nominations judged in a round: the accepted ones in the first round,
    the ones the previous round's official ranking advanced in later rounds."""
    base = Nomination.objects.filter(competition_id=round_.competition_id, status=Status.ACCEPTED)
    previous = (
        Round.objects.filter(competition_id=round_.competition_id, order__lt=round_.order)
        .order_by("-order")
        .first()
    )
    if previous is None:
        return base
    snapshot = RankingSnapshot.objects.filter(round=previous, official=True).first()
    if snapshot is None:
        return base.none()
    return base.filter(ranking_entries__snapshot=snapshot, ranking_entries__advances=True)


def assignment_list(*, user: User) -> QuerySet[Assignment]:
    qs = Assignment.objects.select_related(
        "round", "round__competition", "nomination", "nomination__category", "nomination__unit", "judge"
    ).prefetch_related(
        Prefetch(
            "scorecard",
            queryset=Scorecard.objects.prefetch_related(Prefetch("scores", queryset=Score.objects.all())),
        )
    )
    if can_read_all(user):
        return qs
    if user.is_authenticated and user.role == Role.JUDGE:
        return qs.filter(judge=user)
    return qs.none()


def assignment_materials(*, assignment: Assignment, viewer) -> dict:
    """The nomination's materials as ``viewer`` may read them on ``assignment``: what the
    scoring page shows and the API's assignment detail answers (without the attachments:
    ``assignment_attachments``).

    ``JUDGE_FIELDS``, dates as ISO strings, ``years_running``, the category and the unit;
    the contacts only for the office and observers; in a blind round a judge gets neither
    the unit nor the organisation (``blind.BLIND_HIDDEN_FIELDS``), and the texts that name
    either have the name replaced (``blind.redact``).
    """
    nomination = assignment.nomination
    data = {name: getattr(nomination, name) for name in JUDGE_FIELDS}
    for key in ("started_on", "founded_on"):
        data[key] = data[key].isoformat() if data[key] else None
    data["years_running"] = nomination.years_running
    data["category"] = nomination.category.name
    data["unit"] = nomination.unit.name
    if not is_judge(viewer):
        data["contact_name"] = nomination.contact_name
        data["contact_phone"] = nomination.contact_phone
    if blind.is_blind_for(viewer, assignment.round):
        for name in blind.BLIND_HIDDEN_FIELDS:
            data.pop(name, None)
        names = blind.identifying_names(nomination)
        data = {key: value if key == "category" else blind.redact(value, names) for key, value in data.items()}
    return data


def assignment_attachments(*, assignment: Assignment, viewer) -> tuple[bool, list[tuple[object, str]]]:
    """The attachments ``viewer`` may open on ``assignment``, and whether they are the blind copies.

    In a blind round a judge gets no 推荐表 and neutral names (``blind.neutral_names``), and
    reads each through the assignment's own download URL as a copy without metadata: the
    answer is ``(True, [(attachment, neutral name), …])``. Otherwise ``(False,
    [(attachment, its own name), …])`` for every attachment of the nomination.
    """
    attachments = list(assignment.nomination.attachments.all())
    if not blind.is_blind_for(viewer, assignment.round):
        return False, [(a, a.original_name) for a in attachments]
    names = blind.neutral_names(attachments)
    return True, [(a, names[a.pk]) for a in attachments if a.pk in names]


def round_progress(*, round_: Round) -> dict:
    """Assigned and submitted counts per judge and per nomination.

    A scorecard the office excluded (``ScorecardExclusion``: a withdrawn judge, an unusable
    card) no longer counts towards a nomination's scores: it is counted apart
    (``excluded``), not as assigned or submitted work still standing, so a nomination whose
    card was excluded shows as short of a score until its replacement is submitted.
    """
    excluded = Q(scorecard__exclusion__isnull=False)
    counts = {
        "assigned": Count("id", filter=~excluded),
        "submitted": Count("id", filter=Q(status="submitted") & ~excluded),
        "excluded": Count("id", filter=excluded),
    }
    rows = Assignment.objects.filter(round=round_)
    per_judge = (
        rows.values("judge_id", "judge__username", "judge__display_name")
        .annotate(**counts)
        .order_by("judge__username")
    )
    per_nomination = (
        rows.values("nomination_id", "nomination__title", "nomination__category__name")
        .annotate(**counts)
        .order_by("nomination__category__order", "nomination_id")
    )
    totals = rows.aggregate(**counts)
    return {
        "round": round_.pk,
        "assigned": totals["assigned"],
        "submitted": totals["submitted"],
        "excluded": totals["excluded"],
        "judges": [
            {
                "judge": r["judge_id"],
                "username": r["judge__username"],
                "name": r["judge__display_name"],
                "assigned": r["assigned"],
                "submitted": r["submitted"],
                "excluded": r["excluded"],
            }
            for r in per_judge
        ],
        "nominations": [
            {
                "nomination": r["nomination_id"],
                "title": r["nomination__title"],
                "category": r["nomination__category__name"],
                "assigned": r["assigned"],
                "submitted": r["submitted"],
                "excluded": r["excluded"],
            }
            for r in per_nomination
        ],
    }


def conflict_report(*, round_: Round | None = None, competition_id: int | None = None) -> list[dict]:
    """Every assignment that breaks a 回避 rule now (however it got there)."""
    from competition.models import JudgeProfile

    from .conflicts import conflict_reason
    from .models import ConflictDeclaration

    qs = Assignment.objects.select_related("judge", "nomination", "nomination__category", "round")
    if round_ is not None:
        qs = qs.filter(round=round_)
    if competition_id is not None:
        qs = qs.filter(round__competition_id=competition_id)
    rows = list(qs)
    profiles = {
        p.user_id: p
        for p in JudgeProfile.objects.filter(user_id__in={a.judge_id for a in rows}).select_related("unit")
    }
    declared: dict[int, set[int]] = {}
    for judge_id, nomination_id in ConflictDeclaration.objects.filter(
        judge_id__in={a.judge_id for a in rows}
    ).values_list("judge_id", "nomination_id"):
        declared.setdefault(judge_id, set()).add(nomination_id)
    report = []
    for a in rows:
        reason = conflict_reason(
            judge=a.judge, nomination=a.nomination, profile=profiles.get(a.judge_id), declared=declared.get(a.judge_id, set())
        )
        if reason:
            report.append(
                {
                    "assignment": a.pk,
                    "round": a.round_id,
                    "judge": a.judge_id,
                    "judge_username": a.judge.username,
                    "nomination": a.nomination_id,
                    "title": a.nomination.title,
                    "reason": reason,
                    "status": a.status,
                }
            )
    return report


def conflicted_scorecards(*, round_) -> list[dict]:
    """The round's submitted scorecards that no longer count: their judge must now 回避
    the nomination, or the office excluded them (``kind`` "conflict" or "office").

    A conflict declared, or detected (the judge's unit or organisations),
    after the judge submitted: the scorecard stays on record but is excluded
    from every aggregation from then on. Candidates are found in SQL (same
    unit, a declaration, or a judge with affiliations); ``conflict_reason``
    decides and words each one, as it does for assigning and scoring. An
    office exclusion (``ScorecardExclusion``) carries the office's reason.
    """
    conflicts = _conflicted_by_rule(round_=round_)
    seen = {row["scorecard"] for row in conflicts}
    office = [row for row in _excluded_by_office(round_=round_) if row["scorecard"] not in seen]
    if not office:
        return conflicts
    return sorted([*conflicts, *office], key=lambda row: (row["nomination"], row["assignment"]))


def _excluded_by_office(*, round_) -> list[dict]:
    from .models import ScorecardExclusion

    return [
        {
            "scorecard": x.scorecard_id,
            "assignment": x.scorecard.assignment_id,
            "nomination": x.scorecard.assignment.nomination_id,
            "title": x.scorecard.assignment.nomination.title,
            "judge": x.scorecard.assignment.judge_id,
            "reason": f"组委会办公室已排除该评分表：{x.reason}",
            "kind": "office",
        }
        for x in ScorecardExclusion.objects.filter(scorecard__assignment__round=round_).select_related(
            "scorecard__assignment__nomination"
        )
    ]


def _conflicted_by_rule(*, round_) -> list[dict]:
    from competition.models import JudgeProfile

    from .conflicts import affiliation_keys, conflict_reason
    from .models import ConflictDeclaration

    submitted = Scorecard.objects.filter(assignment__round=round_, status="submitted")
    # Only a judge with a unit, an organisation or a declaration can be in conflict: look at
    # their cards only (two small reads; most rounds then scan nothing).
    profiled = JudgeProfile.objects.filter(Q(unit__isnull=False) | ~Q(organizations=[]))
    affiliated = [p.user_id for p in profiled.exclude(organizations=[]) if affiliation_keys(p)]
    suspects = set(profiled.filter(unit__isnull=False).values_list("user_id", flat=True))
    suspects |= set(affiliated)
    suspects |= set(ConflictDeclaration.objects.values_list("judge_id", flat=True).distinct())
    if not suspects:
        return []
    submitted = submitted.filter(assignment__judge_id__in=sorted(suspects))
    declared = ConflictDeclaration.objects.filter(
        judge_id=OuterRef("assignment__judge_id"), nomination_id=OuterRef("assignment__nomination_id")
    )
    candidates = (
        submitted.filter(
            Q(assignment__judge__judge_profile__unit_id=F("assignment__nomination__unit_id"))
            | Q(Exists(declared))
            | Q(assignment__judge_id__in=affiliated)
        )
        .select_related("assignment__judge", "assignment__nomination__category")
        .order_by("assignment__nomination_id", "assignment_id")
    )
    rows = list(candidates)
    if not rows:
        return []
    judge_ids = {card.assignment.judge_id for card in rows}
    profiles = {p.user_id: p for p in JudgeProfile.objects.filter(user_id__in=judge_ids)}
    declarations: dict[int, set[int]] = {j: set() for j in judge_ids}
    for judge_id, nomination_id in ConflictDeclaration.objects.filter(
        judge_id__in=judge_ids, nomination_id__in={card.assignment.nomination_id for card in rows}
    ).values_list("judge_id", "nomination_id"):
        declarations[judge_id].add(nomination_id)
    out = []
    for card in rows:
        a = card.assignment
        reason = conflict_reason(
            judge=a.judge, nomination=a.nomination, profile=profiles.get(a.judge_id), declared=declarations[a.judge_id]
        )
        if reason:
            out.append(
                {
                    "scorecard": card.pk,
                    "assignment": a.pk,
                    "nomination": a.nomination_id,
                    "title": a.nomination.title,
                    "judge": a.judge_id,
                    "reason": reason,
                    "kind": "conflict",
                }
            )
    return out


def ranking_entries(*, snapshot) -> list[dict]:
    from .models import RankingEntry

    rows = (
        RankingEntry.objects.filter(snapshot=snapshot)
        .select_related("nomination", "nomination__unit", "category")
        .order_by("category__order", "category_id", "rank", "nomination_id")
    )
    return [
        {
            "nomination": e.nomination_id,
            "title": e.nomination.title,
            "unit": e.nomination.unit.name,
            "category": e.category.name,
            "score": f"{e.score:.2f}",
            "rank": e.rank,
            "judges": e.judges,
            "tied": e.tied,
            "advances": e.advances,
            "proposed_winner": e.proposed_winner,
        }
        for e in rows
    ]


def judge_codes(*, round_) -> dict[int, str]:
    """Anonymous codes for the round's judges (J01, J02, …) in an order drawn per round.

    The order is a keyed hash (HMAC with the server's secret key) of the round
    and the judge: stable for the round across pages and exports, different
    from round to round, and unrelated to user ids, names or sign-up order,
    so a code cannot be mapped back to a judge without the key.
    """
    from django.utils.crypto import salted_hmac

    judge_ids = set(Assignment.objects.filter(round=round_).values_list("judge_id", flat=True))

    def draw(judge_id: int) -> str:
        return salted_hmac("judging.judge_codes", f"{round_.pk}:{judge_id}", algorithm="sha256").hexdigest()

    ordered = sorted(judge_ids, key=lambda j: (draw(j), j))
    return {j: f"J{i:02d}" for i, j in enumerate(ordered, start=1)}


def judge_breakdown(*, snapshot) -> dict:
    """Per nomination, each counted scorecard's total under an anonymous judge code,
    and the inter-rater statistics with the same codes."""
    codes = judge_codes(round_=snapshot.round)
    excluded = [row["scorecard"] for row in conflicted_scorecards(round_=snapshot.round)]
    cards = (
        Scorecard.objects.filter(assignment__round=snapshot.round, status="submitted")
        .exclude(pk__in=excluded)
        .values_list("assignment__nomination_id", "assignment__judge_id", "total")
        .order_by("assignment__nomination_id", "assignment__judge_id")
    )
    per_nomination: dict[int, list] = {}
    for nomination_id, judge_id, total in cards:
        per_nomination.setdefault(nomination_id, []).append({"judge": codes.get(judge_id, "J??"), "total": f"{total:.2f}"})
    statistics = {}
    for category_id, stats in (snapshot.statistics or {}).items():
        statistics[category_id] = {
            "kendall_w": stats.get("kendall_w"),
            "judges": [{**j, "judge": codes.get(j["judge"], "J??")} for j in stats.get("judges", [])],
        }
    return {
        "round": snapshot.round_id,
        "method": snapshot.method,
        "nominations": [{"nomination": n, "scores": s} for n, s in sorted(per_nomination.items())],
        "statistics": statistics,
    }


def ranking_compare(*, a, b) -> dict:
    left = {e["nomination"]: e for e in ranking_entries(snapshot=a)}
    right = {e["nomination"]: e for e in ranking_entries(snapshot=b)}
    rows = []
    category_order = {e["category"]: i for i, e in enumerate([*left.values(), *right.values()])}
    for nomination_id in sorted(
        set(left) | set(right),
        key=lambda n: (category_order[(left.get(n) or right[n])["category"]], (left.get(n) or right[n])["rank"], n),
    ):
        x, y = left.get(nomination_id), right.get(nomination_id)
        base = x or y
        rows.append(
            {
                "nomination": nomination_id,
                "title": base["title"],
                "category": base["category"],
                a.method: {"score": x["score"], "rank": x["rank"]} if x else None,
                b.method: {"score": y["score"], "rank": y["rank"]} if y else None,
                "rank_change": (y["rank"] - x["rank"]) if x and y else None,
            }
        )
    return {"round": a.round_id, "methods": [a.method, b.method], "rows": rows}


def publicity_data(*, publicity, public: bool) -> dict:
    from .models import Award

    awards = (
        Award.objects.filter(competition=publicity.competition_id)
        .exclude(status="removed")
        .select_related("nomination", "nomination__unit", "category")
        .order_by("category__order", "final_rank", "nomination_id")
    )
    from .notice import notice_of

    notice = notice_of(publicity)
    return {
        "competition": publicity.competition_id,
        "title": publicity.competition.title,
        "starts_on": publicity.starts_on,
        "ends_on": publicity.ends_on,
        "working_days": publicity.working_days,
        "notice": {**notice.form_initial(), "issuers": list(notice.issuers)},
        "entries": [
            {
                "nomination": a.nomination_id,
                "name": a.nomination.title,
                "organization": a.nomination.organization,
                "unit": a.nomination.unit.name,
                "category": a.category.name,
                **({} if public else {"final_score": f"{a.final_score:.2f}", "final_rank": a.final_rank}),
            }
            for a in awards
        ],
    }


def award_list(*, competition) -> list[dict]:
    from .models import Award

    return [
        {
            "nomination": a.nomination_id,
            "title": a.nomination.title,
            "unit": a.nomination.unit.name,
            "category": a.category.name,
            "category_code": a.category.code,
            "final_score": f"{a.final_score:.2f}",
            "final_rank": a.final_rank,
            "status": a.status,
            "removed_reason": a.removed_reason,
        }
        for a in Award.objects.filter(competition=competition)
        .select_related("nomination", "nomination__unit", "category")
        .order_by("category__order", "final_rank", "nomination_id")
    ]


def ranking_snapshot(*, round_, snapshot_id: str | None = None, method: str | None = None):
    """The snapshot a ranking request means: a given id, else the latest of a method,
    else the official one (or the latest trial before the round is closed)."""
    qs = RankingSnapshot.objects.filter(round=round_)
    if snapshot_id:
        return qs.filter(pk=snapshot_id).first() if str(snapshot_id).isdigit() else None
    if method:
        qs = qs.filter(method=method)
    return qs.order_by("-official", "-computed_at", "-id").first()


# What the person who lodged an objection sees of each status when looking it up.
OBJECTION_PUBLIC_STATUS = {
    "open": "待处理",
    "upheld": "已处理：异议成立",
    "dismissed": "已处理：异议不成立",
    "spam": "已处理：不予受理",
}


def objection_receipt_data(objection) -> dict:
    """An objection as its receipt lookup shows it: status and, once resolved, the office's answer."""
    resolved = objection.status != "open"
    return {
        "receipt": objection.receipt,
        "nomination": objection.nomination.title,
        "lodged_at": objection.created_at,
        "status": objection.status,
        "status_label": OBJECTION_PUBLIC_STATUS.get(objection.status, objection.get_status_display()),
        "resolved": resolved,
        "answer": objection.resolution if resolved else None,
        "resolved_at": objection.resolved_at if resolved else None,
    }
