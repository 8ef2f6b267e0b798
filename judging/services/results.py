"""Rankings, round closing, the 公示 and the final awards.

The maths is in ``judging.aggregation`` (pure); this module loads the
submitted scorecards, writes immutable ranking snapshots, and moves the
competition from closed rounds to the final list of winners.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from competition import ratelimit
from competition.audit import audit_record
from competition.enums import Phase
from competition.exceptions import NotFound, ValidationFailed
from competition.faults import fault_delay
from competition.models import Category, Competition, Round, User
from competition.rules import is_office, require
from competition.services import competition_advance
from nominations.models import Nomination
from nominations.validators import PHONE_RE
from notifications.enums import Event
from notifications.selectors import all_officers, office_users, unit_officers
from notifications.services import notify

from .. import aggregation, aggregation_sql, selectors
from ..enums import AwardStatus, JobStatus, ObjectionStatus, ScorecardStatus
from ..models import (
    AggregationJob,
    Award,
    Objection,
    Publicity,
    RankingEntry,
    RankingSnapshot,
    Score,
    Scorecard,
)
from ..refusals import (  # noqa: F401  (publicity_open_refusal: services.publicity_open_refusal for the page)
    close_refusal,
    finalize_refusal,
    objection_refusal,
    publicity_open_refusal,
    publish_refusal,
    refuse,
)
from ..workdays import publicity_period

Progress = Callable[[int, int], None]
logger = logging.getLogger(__name__)


# --------------------------------------------------------------------------- inputs


def round_scorecards(
    round_: Round, *, excluded: set[int] | None = None
) -> dict[int, list[aggregation.Scorecard]]:
    """The submitted scorecards of a round, per category, as the maths wants them.

    Scorecards whose judge must now 回避 the nomination (``excluded``, by
    default ``selectors.conflicted_scorecards``) are left out: a conflict
    declared or detected after submitting voids the scorecard.
    """
    if excluded is None:
        excluded = excluded_scorecard_ids(round_)
    cards = list(
        Scorecard.objects.filter(assignment__round=round_, status=ScorecardStatus.SUBMITTED)
        .exclude(pk__in=excluded)
        .order_by("id")
        .values_list(
            "id",
            "assignment__nomination_id",
            "assignment__judge_id",
            "total",
            "assignment__nomination__category_id",
        )
    )
    points: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for card_id, criterion_id, half in (
        Score.objects.filter(scorecard__assignment__round=round_, scorecard__status=ScorecardStatus.SUBMITTED)
        .exclude(scorecard_id__in=excluded)
        .values_list("scorecard_id", "criterion_id", "half_points")
    ):
        points[card_id][criterion_id] = Decimal(half) / 2
    out: dict[int, list[aggregation.Scorecard]] = defaultdict(list)
    for card_id, nomination_id, judge_id, total, category_id in cards:
        out[category_id].append(
            aggregation.Scorecard(
                nomination=nomination_id, judge=judge_id, total=total, criteria=points[card_id]
            )
        )
    return dict(out)


def excluded_scorecard_ids(round_: Round) -> set[int]:
    return {row["scorecard"] for row in selectors.conflicted_scorecards(round_=round_)}


def inputs_checksum(
    by_category: dict[int, list[aggregation.Scorecard]], *, method: str, parameters: dict
) -> str:
    """SHA-256 of the method, its parameters and every counted scorecard, in a canonical order.

    After the canonical JSON of the method and its parameters, one line per
    scorecard in (category, nomination, judge) order:
    ``{category}|{nomination}|{judge}|{total}|{criterion}:{points},…`` with the
    points of the category's tie-break criteria (by criterion id): every input
    the ranking and the statistics read (the other criteria count through the
    total). On PostgreSQL the server computes the same digest
    (``aggregation_sql.inputs_checksum``) without loading the scores.
    """
    digest = hashlib.sha256(aggregation_sql.header(method, parameters).encode())
    tie_break = parameters.get("tie_break", {})
    rows = sorted(
        ((category, c.nomination, c.judge, c) for category, cards in by_category.items() for c in cards),
        key=lambda row: row[:3],
    )
    for category, nomination, judge, card in rows:
        wanted = sorted(int(k) for k in tie_break.get(str(category), ()) if int(k) in card.criteria)
        criteria = ",".join(f"{k}:{card.criteria[k]}" for k in wanted)
        digest.update(f"\n{category}|{nomination}|{judge}|{card.total}|{criteria}".encode())
    return digest.hexdigest()


def _parameters(round_: Round, method: str) -> dict:
    categories = Category.objects.filter(competition_id=round_.competition_id).prefetch_related("criteria")
    return {
        "trim_min_judges": round_.trim_min_judges,
        "advance_per_category": round_.advance_per_category,
        "tie_break": {
            str(c.pk): [k.pk for k in sorted(c.criteria.all(), key=lambda k: (k.tie_break_rank or 0, k.pk)) if k.tie_break_rank]
            for c in categories
        },
    }


def _is_last(round_: Round) -> bool:
    return not Round.objects.filter(competition_id=round_.competition_id, order__gt=round_.order).exists()


# --------------------------------------------------------------------------- snapshots


def aggregation_in_database() -> bool:
    """True when rankings are computed by ``judging.aggregation_sql`` (PostgreSQL, unless
    ``JUDGING_AGGREGATION_SQL`` is off); otherwise by the pure-Python reference."""
    return connection.vendor == "postgresql" and settings.JUDGING_AGGREGATION_SQL


def snapshot_compute(
    *, round_: Round, method: str, official: bool = False, progress: Progress | None = None
) -> RankingSnapshot:
    """Rank every category of the round with ``method`` and store the snapshot.

    The same inputs give the same snapshot: an existing one is returned (and,
    for an official computation, marked official) instead of a second one.
    Everything is written in one transaction, so a worker killed half-way
    leaves nothing half-written. On PostgreSQL the per-nomination arithmetic
    runs in the database (``judging.aggregation_sql``); the result is the same.
    """
    if method not in [m.value for m in aggregation.Method]:
        raise ValidationFailed(fields={"method": [f"计分方法：未知的方法“{method}”。"]})
    excluded = excluded_scorecard_ids(round_)
    parameters = _parameters(round_, method)
    if excluded:
        # On record with the snapshot, so its page can say which cards it left out.
        parameters["excluded_scorecards"] = sorted(excluded)
    if aggregation_in_database():
        return _snapshot_compute_sql(
            round_=round_, method=method, official=official, progress=progress, excluded=excluded,
            parameters=parameters,
        )
    by_category = round_scorecards(round_, excluded=excluded)
    checksum = inputs_checksum(by_category, method=method, parameters=parameters)
    existing = _existing_snapshot(round_, method, checksum, official=official, progress=progress)
    if existing is not None:
        return existing

    categories = {c.pk: c for c in Category.objects.filter(competition_id=round_.competition_id)}
    last = _is_last(round_)
    previous = _previous_official_scores(round_) if last else []
    ranked: dict[int, list[aggregation.RankedEntry]] = {}
    stats: dict[str, dict] = {}
    total_steps = max(1, len(by_category))
    for step, category_id in enumerate(sorted(by_category), start=1):
        cards = by_category[category_id]
        ranked[category_id] = aggregation.rank(
            cards,
            method=method,
            trim_min_judges=round_.trim_min_judges,
            tie_break=parameters["tie_break"].get(str(category_id), []),
        )
        stats[str(category_id)] = _statistics_json(aggregation.inter_rater(cards))
        if progress:
            progress(step, total_steps)

    proposed: set[int] = set()
    if last:
        for category_id, entries in ranked.items():
            scores = {e.nomination: e.score for e in entries}
            finals = aggregation.final_ranking([*previous_for(previous, category_id), (round_.weight, scores)])
            quota = categories[category_id].award_quota
            proposed |= {f.nomination for f in finals if f.reached_last and f.rank <= quota}

    def write(snapshot: RankingSnapshot) -> None:
        advance_n = round_.advance_per_category if not last else None
        RankingEntry.objects.bulk_create(
            RankingEntry(
                snapshot=snapshot,
                nomination_id=e.nomination,
                category_id=category_id,
                score=e.score,
                rank=e.rank,
                judges=e.judges,
                tied=e.tied,
                advances=bool(advance_n) and e.rank <= advance_n,
                proposed_winner=e.nomination in proposed,
                details={"tie_break": [[c, None if v is None else str(v)] for c, v in e.tie_break]},
            )
            for category_id, entries in sorted(ranked.items())
            for e in entries
        )

    return _snapshot_write(
        round_=round_, method=method, parameters=parameters, checksum=checksum, official=official,
        stats=stats, write=write,
    )


def _snapshot_compute_sql(
    *, round_: Round, method: str, official: bool, progress: Progress | None, excluded: set[int], parameters: dict
) -> RankingSnapshot:
    """``snapshot_compute`` on PostgreSQL: the counted cards read once into a temporary
    table; checksum, ranking and entries in SQL; the statistics from one narrow
    aggregated query. No score becomes a Python object."""
    tie_break = {int(k): v for k, v in parameters["tie_break"].items()}
    last = _is_last(round_)
    quotas: dict[int, int] = {}
    previous: list[tuple[int, Decimal]] = []
    if last:
        quotas = dict(Category.objects.filter(competition_id=round_.competition_id).values_list("pk", "award_quota"))
        previous = list(
            RankingSnapshot.objects.filter(
                round__competition_id=round_.competition_id, round__order__lt=round_.order, official=True
            ).values_list("pk", "round__weight")
        )
    with transaction.atomic():  # the temporary table lives until the end of the transaction
        cards = aggregation_sql.RoundCards(round_id=round_.pk, excluded=excluded, tie_break=tie_break)
        try:
            checksum = aggregation_sql.inputs_checksum(cards, header=aggregation_sql.header(method, parameters))
            existing = _existing_snapshot(round_, method, checksum, official=official, progress=progress)
            if existing is not None:
                return existing
            rows = aggregation_sql.judge_rows(cards)
            stats: dict[str, dict] = {}
            total_steps = max(1, len(rows))
            for step, category_id in enumerate(sorted(rows), start=1):
                stats[str(category_id)] = _statistics_json(aggregation_sql.statistics(rows=rows[category_id]))
                if progress:
                    progress(step, total_steps)

            def write(snapshot: RankingSnapshot) -> None:
                aggregation_sql.entries_insert(
                    cards,
                    snapshot_id=snapshot.pk,
                    method=method,
                    trim_min_judges=round_.trim_min_judges,
                    advance_n=round_.advance_per_category,
                    last=last,
                    round_weight=round_.weight,
                    previous=previous,
                    quotas=quotas,
                    rows=rows,
                )

            return _snapshot_write(
                round_=round_, method=method, parameters=parameters, checksum=checksum, official=official,
                stats=stats, write=write,
            )
        finally:
            cards.drop()


def _statistics_json(inter: aggregation.InterRaterStats) -> dict:
    return {
        "kendall_w": inter.kendall_w,
        "judges": [
            {
                "judge": j.judge,
                "count": j.count,
                "mean": str(j.mean),
                "spread": str(j.spread),
                "severity": None if j.severity is None else str(j.severity),
                "far_from_consensus": j.far_from_consensus,
            }
            for j in inter.judges
        ],
    }


def _existing_snapshot(
    round_: Round, method: str, checksum: str, *, official: bool, progress: Progress | None
) -> RankingSnapshot | None:
    existing = RankingSnapshot.objects.filter(round=round_, method=method, checksum=checksum).first()
    if existing is not None:
        if official and not existing.official:
            RankingSnapshot.objects.filter(pk=existing.pk).update(official=True)
            existing.official = True
        if progress:
            progress(1, 1)
    return existing


def _snapshot_write(
    *, round_: Round, method: str, parameters: dict, checksum: str, official: bool, stats: dict,
    write: Callable[[RankingSnapshot], None],
) -> RankingSnapshot:
    try:
        with transaction.atomic():
            snapshot = RankingSnapshot.objects.create(
                round=round_,
                method=method,
                parameters=parameters,
                checksum=checksum,
                official=official,
                statistics=stats,
            )
            write(snapshot)
    except IntegrityError:
        # Another delivery of the same task won the race: use its snapshot.
        snapshot = RankingSnapshot.objects.get(round=round_, method=method, checksum=checksum)
        if official and not snapshot.official:
            RankingSnapshot.objects.filter(pk=snapshot.pk).update(official=True)
            snapshot.official = True
    return snapshot


def _previous_official_scores(round_: Round) -> list[tuple[Decimal, dict[int, dict[int, Decimal]]]]:
    """For each earlier round: (weight, {category: {nomination: score}}) from its official snapshot."""
    out = []
    for earlier in Round.objects.filter(competition_id=round_.competition_id, order__lt=round_.order).order_by("order"):
        snapshot = RankingSnapshot.objects.filter(round=earlier, official=True).first()
        per_category: dict[int, dict[int, Decimal]] = defaultdict(dict)
        if snapshot is not None:
            for nomination_id, category_id, score in snapshot.entries.values_list(
                "nomination_id", "category_id", "score"
            ):
                per_category[category_id][nomination_id] = score
        out.append((earlier.weight, per_category))
    return out


def previous_for(previous, category_id: int) -> list[tuple[Decimal, dict[int, Decimal]]]:
    return [(weight, per_category.get(category_id, {})) for weight, per_category in previous]


# --------------------------------------------------------------------------- jobs


@transaction.atomic
def aggregation_request(*, actor: User, round_: Round, method: str | None = None) -> AggregationJob:
    """Queue an aggregation of the round (a trial with another method leaves the round unchanged).

    The job row is the outbox: the task is sent after commit, and a job the
    broker could not take stays ``queued`` until ``drain_outbox`` sends it.
    """
    require(is_office, actor)
    method = method or round_.method
    if method not in [m.value for m in aggregation.Method]:
        raise ValidationFailed(fields={"method": [f"计分方法：未知的方法“{method}”。"]})
    job = AggregationJob.objects.create(round=round_, method=method, requested_by=actor)
    audit_record(actor=actor, action="ranking.aggregate_request", obj=job, after={"round": round_.pk, "method": method})
    transaction.on_commit(lambda: job_send(job_id=job.pk))
    return job


AGGREGATE_TASK = "judging.aggregate_round"


def _task(name: str):
    """The Celery task registered as ``name``. This module never imports ``judging.tasks``
    (the tasks import the services inside their bodies); ``JudgingConfig.ready`` loads it."""
    from celery import current_app

    return current_app.tasks[name]


def job_send(*, job_id: int) -> bool:
    """Hand a queued job to the broker (``aggregation_request`` calls it on commit).
    Returns False (job stays queued) when the broker is down."""
    aggregate_round = _task(AGGREGATE_TASK)
    AggregationJob.objects.filter(pk=job_id).update(attempts=F("attempts") + 1)
    try:
        aggregate_round.delay(job_id=job_id)
    except Exception as exc:  # noqa: BLE001 - kombu raises many kinds when Redis is away
        logger.warning("aggregation job %s stays in the outbox: broker unavailable (%s)", job_id, exc)
        return False
    AggregationJob.objects.filter(pk=job_id, sent_at__isnull=True).update(sent_at=timezone.now())
    return True


def job_run(*, job_id: int) -> AggregationJob | None:
    """Run one aggregation job (idempotent: a finished job is not run again)."""
    job = AggregationJob.objects.select_related("round", "round__competition").filter(pk=job_id).first()
    if job is None or job.status == JobStatus.DONE:
        return job
    AggregationJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, done=0)

    def progress(done: int, total: int) -> None:
        AggregationJob.objects.filter(pk=job.pk).update(done=done, total=total)
        fault_delay("aggregation")

    try:
        snapshot = snapshot_compute(round_=job.round, method=job.method, official=job.official, progress=progress)
    except Exception as exc:
        AggregationJob.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    AggregationJob.objects.filter(pk=job.pk).update(
        status=JobStatus.DONE, snapshot=snapshot, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


def outbox_drain(*, older_than_seconds: int = 30) -> int:
    """Send again every job still queued (e.g. Redis was down when it was requested)."""
    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    sent = 0
    for job_id in AggregationJob.objects.filter(status=JobStatus.QUEUED, created_at__lte=cutoff).values_list(
        "pk", flat=True
    ):
        sent += job_send(job_id=job_id)
    return sent


# --------------------------------------------------------------------------- rounds


@transaction.atomic
def round_close(*, actor: User, round_: Round, now: datetime | None = None) -> RankingSnapshot:
    """Lock the round's scorecards, rank it with its own method and mark who advances."""
    require(is_office, actor)
    round_ = Round.objects.select_for_update().select_related("competition").get(pk=round_.pk)
    now = now or timezone.now()
    refuse(close_refusal(round_, actor, now))
    round_.closed_at = now
    round_.save(update_fields=["closed_at"])
    snapshot = snapshot_compute(round_=round_, method=round_.method, official=True)
    drafts = Scorecard.objects.filter(assignment__round=round_).exclude(status=ScorecardStatus.SUBMITTED).count()
    audit_record(
        actor=actor,
        action="round.close",
        obj=round_,
        after={"snapshot": snapshot.pk, "checksum": snapshot.checksum, "unsubmitted_drafts": drafts},
    )
    return snapshot


# The phase guards of judging live in ``judging.guards`` (registered by JudgingConfig.ready).


# --------------------------------------------------------------------------- final ranking and awards


def final_standings(competition: Competition) -> dict[int, list[aggregation.FinalEntry]]:
    """Per category: the final ranking across the official snapshots of all rounds."""
    rounds = list(competition.rounds.order_by("order"))
    per_round = []
    for round_ in rounds:
        snapshot = RankingSnapshot.objects.filter(round=round_, official=True).first()
        per_category: dict[int, dict[int, Decimal]] = defaultdict(dict)
        if snapshot is not None:
            for nomination_id, category_id, score in snapshot.entries.values_list(
                "nomination_id", "category_id", "score"
            ):
                per_category[category_id][nomination_id] = score
        per_round.append((round_.weight, per_category))
    categories = sorted({c for _, pc in per_round for c in pc})
    return {
        category_id: aggregation.final_ranking([(w, pc.get(category_id, {})) for w, pc in per_round])
        for category_id in categories
    }


def proposed_awards(competition: Competition) -> list[Award]:
    """The proposed winners (unsaved ``Award`` rows): the top ``award_quota`` of each
    category's final ranking among the nominations that reached the last round."""
    categories = {c.pk: c for c in competition.categories.all()}
    rows = []
    for category_id, finals in final_standings(competition).items():
        quota = categories[category_id].award_quota
        for entry in finals:
            if entry.reached_last and entry.rank <= quota:
                rows.append(
                    Award(
                        competition=competition,
                        category_id=category_id,
                        nomination_id=entry.nomination,
                        final_score=entry.score,
                        final_rank=entry.rank,
                    )
                )
    return rows


def publicity_refusal(competition: Competition, now: datetime) -> str | None:
    """Why the 公示 cannot be published now, or None (``refusals.publish_refusal``)."""
    return publish_refusal(competition, None, now)


def publicity_days(competition: Competition, working_days: int | None) -> int:
    days = working_days or competition.publicity_working_days
    if days < 1 or days > 30:
        raise ValidationFailed(fields={"working_days": ["公示期：应为 1 到 30 个工作日。"]})
    return days


def publicity_terms(competition: Competition, working_days: int | None, notice: dict | None, now: datetime):
    """What a 公示 published ``now`` would say: (working days, notice text, first day, last day).

    Publishing and its preview ask the same; bad working days or notice fields raise ``ValidationFailed``.
    """
    from ..notice import notice_clean, notice_defaults

    days = publicity_days(competition, working_days)
    today = timezone.localtime(now).date()
    text = notice_clean(notice or {}, defaults=notice_defaults(competition, today))
    starts, ends = publicity_period(today, days, competition.holidays, competition.workdays)
    return days, text, starts, ends


def on_publicity_list(competition: Competition, nomination: Nomination | None) -> bool:
    """Whether ``nomination`` (None: no such nomination) is a proposed winner on the 公示 list."""
    return nomination is not None and Award.objects.filter(
        competition=competition, nomination=nomination, status=AwardStatus.PROPOSED
    ).exists()


@transaction.atomic
def publicity_publish(
    *,
    actor: User,
    competition: Competition,
    working_days: int | None = None,
    notice: dict | None = None,
    now: datetime | None = None,
) -> Publicity:
    """Publish the proposed winners (the top ``award_quota`` of each category) for 公示.

    ``notice``: the text of the notice (公示文件) printed above the list
    (``judging.notice.FIELDS``); missing or blank fields take the standard wording.
    """
    require(is_office, actor)
    competition = Competition.objects.select_for_update().get(pk=competition.pk)
    now = now or timezone.now()
    refuse(publish_refusal(competition, actor, now))
    days, text, starts, ends = publicity_terms(competition, working_days, notice, now)
    rows = proposed_awards(competition)
    Award.objects.bulk_create(rows)
    publicity = Publicity.objects.create(
        competition=competition,
        working_days=days,
        starts_on=starts,
        ends_on=ends,
        published_by=actor,
        **text.model_fields(),
    )
    competition_advance(actor=actor, competition=competition, to=Phase.PUBLICITY, now=now)
    audit_record(
        actor=actor,
        action="publicity.publish",
        obj=publicity,
        after={
            "starts_on": starts,
            "ends_on": ends,
            "winners": sorted(r.nomination_id for r in rows),
            "notice": text.model_fields(),
        },
    )
    notify(
        event=Event.PUBLICITY_PUBLISHED,
        recipients=all_officers(),
        obj=publicity,
        url=reverse("publicity:detail", args=[competition.pk]),
        context={
            "year": competition.year,
            "competition": competition.title,
            "count": len(rows),
            "starts": starts,
            "ends": ends,
            "days": days,
        },
    )
    return publicity


def _objection_limit(kind: str, ident: str, limit: int, window: int, message: str) -> None:
    wait = ratelimit.hit(f"objection:{kind}:{ident}", limit=limit, window=window)
    if wait is not None:
        raise ratelimit.RateLimited(message.format(wait=ratelimit.wait_text(wait)), retry_after=wait)


def objection_fields(*, name: str, phone: str, content: str) -> tuple[str, str, str, dict[str, list[str]]]:
    """The real-name fields of an objection, stripped, and their errors (the public form
    and the office's entry of one received offline ask the same)."""
    name, phone, content = (name or "").strip(), (phone or "").strip(), (content or "").strip()
    errors: dict[str, list[str]] = {}
    if not 2 <= len(name) <= 30:
        errors["name"] = ["姓名：请填写真实姓名（2–30 个字）。"]
    if not (PHONE_RE.match(phone) and phone.startswith("1")):
        errors["phone"] = ["手机号码：请填写 11 位手机号码。"]
    if len(content) < 10:
        errors["content"] = ["异议内容：请具体说明异议事实（不少于 10 个字）。"]
    if len(content) > 2000:
        errors["content"] = ["异议内容：不超过 2000 字。"]
    return name, phone, content, errors


@transaction.atomic
def objection_lodge(
    *,
    competition: Competition,
    nomination: Nomination | None,
    name: str,
    phone: str,
    content: str,
    client_address: str | None = None,
    now: datetime | None = None,
) -> Objection:
    """Anyone lodges a real-name objection against a nominee on the 公示 list, during 公示.

    ``nomination`` None (no such id) answers exactly like a nomination that is
    not on the list, so the public endpoint reveals no nomination ids. Limits:
    per client address (every attempt), per phone number and per nomination
    (every objection received); see the ``OBJECTIONS_PER_*`` settings.
    """
    if client_address:
        _objection_limit(
            "address", client_address, settings.OBJECTIONS_PER_ADDRESS_PER_HOUR, 3600,
            "提交过于频繁，请 {wait}后再试。",
        )
    name, phone, content, errors = objection_fields(name=name, phone=phone, content=content)
    if errors:
        raise ValidationFailed(fields=errors)
    competition = Competition.objects.get(pk=competition.pk)
    refuse(publicity_open_refusal(competition, now or timezone.now()))
    if not on_publicity_list(competition, nomination):
        raise NotFound("公示名单中没有该对象。")
    _objection_limit(
        "phone", ratelimit.hashed(phone), settings.OBJECTIONS_PER_PHONE_PER_DAY, 86400,
        "同一手机号码提出的异议已达上限，请 {wait}后再试；如有紧急情况请直接联系组委会办公室。",
    )
    _objection_limit(
        "nomination", str(nomination.pk), settings.OBJECTIONS_PER_NOMINATION_PER_DAY, 86400,
        "该公示对象收到的异议已达上限，请 {wait}后再试，或直接联系组委会办公室。",
    )
    objection = Objection.objects.create(
        competition=competition,
        nomination=nomination,
        name=name,
        phone=phone,
        content=content,
        client_address=client_address,
    )
    audit_record(actor=None, action="objection.lodge", obj=objection, after={"nomination": nomination.pk})
    notify(
        event=Event.OBJECTION_LODGED,
        recipients=office_users(),
        obj=objection,
        url=reverse("publicity:detail", args=[competition.pk]),
        context={
            "year": competition.year,
            "nomination": str(nomination),
            "unit": nomination.unit.name,
            "category": nomination.category.name,
            "content": content,
        },
    )
    return objection


def normalize_receipt(value: str) -> str:
    """A receipt code as typed back: case, spaces and dashes do not matter."""
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())


def objection_lookup(*, receipt: str, phone: str, client_address: str | None = None) -> Objection:
    """The person who lodged an objection looks it up by its receipt code and the phone
    number given. An unknown receipt and a wrong phone answer the same NotFound, so the
    lookup reveals neither; every attempt counts against the client address's limit
    (``OBJECTION_LOOKUPS_PER_ADDRESS_PER_HOUR``)."""
    if client_address:
        _objection_limit(
            "lookup", client_address, settings.OBJECTION_LOOKUPS_PER_ADDRESS_PER_HOUR, 3600,
            "查询过于频繁，请 {wait}后再试。",
        )
    code = normalize_receipt(receipt)
    phone = (phone or "").strip()
    objection = (
        Objection.objects.select_related("nomination").filter(receipt=code).first()
        if code and len(code) <= 32 else None
    )
    if objection is None or not phone or not hmac.compare_digest(objection.phone.encode(), phone.encode()):
        raise NotFound("未找到该异议：请核对回执编号和提交时填写的手机号码。")
    return objection


def _objection_close(*, objection: Objection, status: str, actor: User, reason: str):
    """Lock an open objection during the 公示 and record its outcome: the step that
    resolving and marking as spam share. Returns the objection and its locked competition."""
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    competition = Competition.objects.select_for_update().get(pk=objection.competition_id)
    objection.competition = competition
    refuse(objection_refusal(objection, actor, timezone.now()))
    objection.status = status
    objection.resolution = reason
    objection.resolved_at = timezone.now()
    objection.resolved_by = actor
    objection.save()
    return objection, competition


@transaction.atomic
def objection_resolve(*, actor: User, objection: Objection, decision: str, reason: str) -> Objection:
    """Upheld: the nominee leaves the list and the next ranked of the category enters. Dismissed: recorded."""
    require(is_office, actor)
    reason = (reason or "").strip()
    if decision not in (ObjectionStatus.UPHELD, ObjectionStatus.DISMISSED):
        raise ValidationFailed(fields={"decision": ["处理结论：应为 upheld 或 dismissed。"]})
    if not reason:
        raise ValidationFailed(fields={"reason": ["处理意见：必须写明理由。"]})
    objection, competition = _objection_close(objection=objection, status=decision, actor=actor, reason=reason)
    entered = None
    if decision == ObjectionStatus.UPHELD:
        award = Award.objects.select_for_update().filter(
            competition=competition, nomination_id=objection.nomination_id, status=AwardStatus.PROPOSED
        ).first()
        if award is not None:
            award.status = AwardStatus.REMOVED
            award.removed_reason = reason
            award.save(update_fields=["status", "removed_reason"])
            entered = _next_ranked(competition, award.category_id)
    audit_record(
        actor=actor,
        action=f"objection.{decision}",
        obj=objection,
        before={"status": ObjectionStatus.OPEN},
        after={"status": decision, "entered": entered.nomination_id if entered else None},
        reason=reason,
    )
    nomination = objection.nomination
    notify(
        event=Event.OBJECTION_RESOLVED,
        recipients=unit_officers(unit_ids=[nomination.unit_id]),
        obj=objection,
        url=reverse("publicity:detail", args=[competition.pk]),
        context={
            "year": competition.year,
            "nomination": str(nomination),
            "category": nomination.category.name,
            "decision": "异议成立，该推荐已移出拟表彰名单" if decision == ObjectionStatus.UPHELD else "异议不成立",
            "reason": reason,
        },
    )
    return objection


@transaction.atomic
def objection_mark_spam(*, actor: User, objection: Objection, reason: str) -> Objection:
    """The office marks an open objection as spam (fake, abusive, no facts): it no
    longer blocks finalisation and changes nothing on the list. Audited."""
    require(is_office, actor, message="只有组委会办公室可以处理异议。")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={"reason": ["理由：标记为无效异议必须写明理由。"]})
    objection, _competition = _objection_close(
        objection=objection, status=ObjectionStatus.SPAM, actor=actor, reason=reason
    )
    audit_record(
        actor=actor,
        action="objection.spam",
        obj=objection,
        before={"status": ObjectionStatus.OPEN},
        after={"status": ObjectionStatus.SPAM},
        reason=reason,
    )
    return objection


def next_ranked_entry(competition: Competition, category_id: int) -> aggregation.FinalEntry | None:
    """The best-ranked finalist of the category who is not on the list (nor was removed from it)."""
    taken = set(Award.objects.filter(competition=competition).values_list("nomination_id", flat=True))
    for entry in final_standings(competition).get(category_id, []):
        if entry.nomination in taken or not entry.reached_last:
            continue
        return entry
    return None


def _next_ranked(competition: Competition, category_id: int) -> Award | None:
    entry = next_ranked_entry(competition, category_id)
    if entry is not None:
        award = Award.objects.create(
            competition=competition,
            category_id=category_id,
            nomination_id=entry.nomination,
            final_score=entry.score,
            final_rank=entry.rank,
        )
        audit_record(
            actor=None,
            action="award.enter_next_ranked",
            obj=award,
            after={"nomination": entry.nomination, "rank": entry.rank},
        )
        return award
    return None


@transaction.atomic
def competition_finalize(*, actor: User, competition: Competition, now: datetime | None = None) -> Competition:
    """Fix the awards: refused while an objection is open or before the 公示 ends."""
    require(is_office, actor)
    now = now or timezone.now()
    competition = Competition.objects.select_for_update().get(pk=competition.pk)
    refuse(finalize_refusal(competition, actor, now))
    awards = Award.objects.filter(competition=competition, status=AwardStatus.PROPOSED)
    ids = list(awards.values_list("nomination_id", flat=True))
    awards.update(status=AwardStatus.FINAL, finalized_at=now)
    Nomination.objects.filter(pk__in=ids).update(awarded_at=now)
    # After the awards (so that _awards_fixed holds); a refused step rolls them back.
    competition = competition_advance(actor=actor, competition=competition, to=Phase.FINAL, now=now)
    audit_record(actor=actor, action="competition.finalize", obj=competition, after={"awards": sorted(ids)})
    notify(
        event=Event.RESULTS_FINAL,
        recipients=all_officers(),
        obj=competition,
        url=reverse("publicity:detail", args=[competition.pk]),
        context={"year": competition.year, "competition": competition.title, "count": len(ids)},
    )
    return competition
