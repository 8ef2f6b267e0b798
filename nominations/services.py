"""Every write of a nomination: create, edit, submit, withdraw, delete, review.

The rules that must never break are held here (and, where they can be, by
database constraints): an officer acts only for their own unit; a unit edits
only a draft or a returned nomination, only while the window is open (server
time, checked inside the transaction); submission checks completeness,
eligibility and the unit's quota under a lock on the unit, so that of two
officers racing for the last place exactly one wins.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from competition.audit import audit_record, snapshot
from competition.enums import CategoryKind
from competition.exceptions import Conflict, ValidationFailed
from competition.models import Category, Competition, Unit, User
from competition.people.services import unit_refusal
from competition.phases import nominations_window_refusal
from competition.rules import require
from competition.selectors import nomination_quota
from notifications.enums import Event
from notifications.selectors import unit_officers
from notifications.services import notify

from . import eligibility, schema, states
from .enums import QUOTA_STATUSES, AttachmentKind, Decision, Status
from .models import Nomination
from .rules import can_add_nomination, can_edit_nomination, can_review_nomination
from .validators import normalized_key

# Fields a unit officer may write (whatever the kind: the schema's union).
EDITABLE_FIELDS = schema.editable_fields()
AUDIT_FIELDS = ["status", "order", "title", "organization", "category", "unit", "review_reason"]


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


# Why units cannot edit or submit now, or None while the window is open.
window_refusal = nominations_window_refusal


def _require_window(competition: Competition, now: datetime) -> None:
    # Re-read inside the transaction: the phase or dates may have changed.
    competition = Competition.objects.get(pk=competition.pk)
    reason = window_refusal(competition, now)
    if reason:
        raise Conflict(reason, code="window_closed")


def _refuse(refusal: states.Refusal | None) -> None:
    """Raise the state rule's refusal as a 409."""
    if refusal:
        raise Conflict(str(refusal), code=refusal.code)


def _require_own_unit(actor: User, nomination: Nomination) -> None:
    # The caller cannot see it: answer exactly like a missing object.
    require(can_edit_nomination, actor, nomination, hidden=True)


def _lock(nomination: Nomination) -> Nomination:
    return (
        Nomination.objects.select_for_update(of=("self",))
        .select_related("competition", "category", "unit")
        .get(pk=nomination.pk)
    )


def _apply(nomination: Nomination, data: dict[str, Any]) -> None:
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(
            fields={name: [f"{name}：不能由推荐单位填写。"] for name in sorted(unknown)}
        )
    for name, value in data.items():
        setattr(nomination, name, value)
    kind = nomination.category.kind
    if kind == CategoryKind.ORGANIZATION:
        nomination.started_on = None
    nomination.normalized_key = normalized_key(nomination.title, nomination.organization)
    if nomination.pledge and nomination.pledged_at is None:
        nomination.pledged_at = timezone.now()
    if not nomination.pledge:
        nomination.pledged_at = None
    _check_values(nomination)


def _check_values(nomination: Nomination) -> None:
    errors: dict[str, list[str]] = {}
    kind = nomination.category.kind
    if (
        nomination.volunteers is not None
        and nomination.active_volunteers is not None
        and nomination.active_volunteers > nomination.volunteers
    ):
        errors["active_volunteers"] = [
            f"{schema.label(kind, 'active_volunteers')}：不能多于{schema.label(kind, 'volunteers')}。"
        ]
    quota = nomination_quota(nomination.category, nomination.unit_id)
    if nomination.order is not None and not 1 <= nomination.order <= quota:
        errors["order"] = [f"{schema.label(kind, 'order')}：应在 1 到 {quota}（本单位该奖项名额）之间。"]
    if nomination.status != Status.DRAFT and not nomination.pledge:
        # A returned nomination was submitted with the pledge; the database holds it (not a 500).
        errors["pledge"] = [f"{schema.label(kind, 'pledge')}：已提交过的推荐须保留诚信承诺。"]
    today = timezone.localdate()
    for name in ("started_on", "founded_on"):
        value = getattr(nomination, name)
        if value is not None and value > today:
            errors[name] = [f"{schema.label(kind, name)}：不能晚于今天。"]
    if errors:
        raise ValidationFailed(fields=errors)


def _refresh_warnings(nomination: Nomination) -> list[eligibility.Finding]:
    findings = eligibility.check(nomination)
    nomination.warnings = [f.as_dict() for f in findings]
    return findings


@transaction.atomic
def nomination_create(
    *, actor: User, competition: Competition, category: Category, data: dict[str, Any], now=None
) -> Nomination:
    """A new draft for the officer's own unit."""
    require(can_add_nomination, actor, message="只有推荐单位管理员可以填报推荐。")
    refusal = unit_refusal(actor.unit)  # a deactivated unit keeps its history, starts nothing new
    if refusal:
        raise Conflict(refusal, code="unit_inactive")
    if category.competition_id != competition.pk:
        raise ValidationFailed(fields={"category": ["奖项：不属于所选推选活动。"]})
    _require_window(competition, _now(now))
    nomination = Nomination(
        competition=competition, category=category, unit_id=actor.unit_id, created_by=actor
    )
    _apply(nomination, data)
    _refresh_warnings(nomination)
    nomination.save()
    audit_record(
        actor=actor, action="nomination.create", obj=nomination, after=snapshot(nomination, AUDIT_FIELDS)
    )
    return nomination


@transaction.atomic
def nomination_update(
    *, actor: User, nomination: Nomination, data: dict[str, Any], version: int | None = None, now=None
) -> Nomination:
    """Edit a draft or a returned nomination while the window is open.

    ``version``, when given, must be the version the edit started from: a
    stale one (another tab or another officer saved meanwhile) is refused.
    """
    _require_own_unit(actor, nomination)
    nomination = _lock(nomination)  # with its competition, read inside the transaction
    _refuse(states.edit_refusal(nomination, _now(now)))
    if version is not None and version != nomination.version:
        raise Conflict(
            "这份推荐已在别处被修改（版本不一致），请刷新后再编辑。", code="stale_version"
        )
    before = snapshot(nomination, [*AUDIT_FIELDS, *EDITABLE_FIELDS])
    _apply(nomination, data)
    after = snapshot(nomination, [*AUDIT_FIELDS, *EDITABLE_FIELDS])
    changed = {k for k in after if after[k] != before.get(k)}
    if not changed:
        return nomination  # nothing to save: no new version, no audit entry
    _refresh_warnings(nomination)
    nomination.version += 1
    nomination.save()
    audit_record(
        actor=actor,
        action="nomination.update",
        obj=nomination,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )
    return nomination


@transaction.atomic
def nomination_delete(*, actor: User, nomination: Nomination) -> None:
    _require_own_unit(actor, nomination)
    nomination = _lock(nomination)
    _refuse(states.delete_refusal(nomination, timezone.now()))
    audit_record(
        actor=actor, action="nomination.delete", obj=nomination, before=snapshot(nomination, AUDIT_FIELDS)
    )
    for attachment in nomination.attachments.all():
        files = [attachment.file, attachment.thumbnail]
        transaction.on_commit(lambda files=files: [f.delete(save=False) for f in files if f], robust=True)
    nomination.delete()


def missing_items(nomination: Nomination) -> list[dict[str, str]]:
    """The completeness checklist: every required field and attachment still missing."""
    missing = []
    for spec in schema.required(nomination.category.kind):
        value = getattr(nomination, spec.name)
        if spec.type == "bool" and not value:
            missing.append({"field": spec.name, "message": f"{spec.label}：提交前须确认所填内容真实。"})
        elif value in (None, "", []):
            missing.append({"field": spec.name, "message": f"{spec.label}：未填写。"})
        elif spec.min_items and len(value) < spec.min_items:
            message = f"{spec.label}：至少填写 {spec.min_items} 个。"
            missing.append({"field": spec.name, "message": message})
    kinds = set(nomination.attachments.values_list("kind", flat=True))
    if AttachmentKind.STAMPED_FORM not in kinds:
        missing.append({"field": "attachments", "message": "盖章推荐表：未上传（PDF）。"})
    if nomination.category.kind == CategoryKind.PROJECT and AttachmentKind.PHOTO not in kinds:
        missing.append({"field": "attachments", "message": "照片：至少上传 1 张。"})
    return missing


@transaction.atomic
def nomination_submit(*, actor: User, nomination: Nomination, now=None) -> Nomination:
    _require_own_unit(actor, nomination)
    # Lock the unit first: every submission of this unit is serialised here,
    # so the quota count below cannot be raced.
    Unit.objects.select_for_update().get(pk=nomination.unit_id)
    nomination = _lock(nomination)
    _refuse(states.submit_refusal(nomination, _now(now)))

    missing = missing_items(nomination)
    if missing:
        fields: dict[str, list[str]] = {}
        for item in missing:
            fields.setdefault(item["field"], []).append(item["message"])
        raise ValidationFailed("推荐材料不完整，请补齐后再提交。", code="incomplete", fields=fields)

    findings = _refresh_warnings(nomination)
    hard = eligibility.hard_failures(nomination, findings)
    if hard:
        raise Conflict(
            "不符合本奖项的资格条件：" + "；".join(f.message for f in hard), code="ineligible"
        )

    category = nomination.category
    live = Nomination.objects.filter(
        category=category, unit_id=nomination.unit_id, status__in=QUOTA_STATUSES
    ).exclude(pk=nomination.pk)
    quota = nomination_quota(category, nomination.unit_id)
    if live.count() >= quota:
        raise Conflict(
            f"本单位“{category.name}”的推荐名额（{quota} 个）已用完。",
            code="quota_exceeded",
        )
    if live.filter(order=nomination.order).exists():
        raise Conflict(
            f"推荐排序 {nomination.order} 已被本单位的另一项推荐占用，请调整排序。",
            code="order_taken",
        )

    before = nomination.status
    nomination.status = Status.SUBMITTED
    nomination.submitted_at = timezone.now()
    nomination.version += 1
    try:
        with transaction.atomic():
            nomination.save()
    except IntegrityError as exc:
        raise Conflict("推荐排序已被占用或名额已满，请刷新后重试。", code="quota_exceeded") from exc
    audit_record(
        actor=actor,
        action="nomination.submit",
        obj=nomination,
        before={"status": before},
        after={"status": nomination.status, "warnings": nomination.warnings},
    )
    # A duplicate is a fact about both nominations: refresh the others' warnings.
    for twin in Nomination.objects.filter(
        competition=nomination.competition, normalized_key=nomination.normalized_key
    ).exclude(pk=nomination.pk).exclude(status=Status.DRAFT):
        _refresh_warnings(twin)
        Nomination.objects.filter(pk=twin.pk).update(warnings=twin.warnings)
    return nomination


@transaction.atomic
def nomination_withdraw(*, actor: User, nomination: Nomination, reason: str = "") -> Nomination:
    """The unit takes back a nomination before the office accepts it."""
    _require_own_unit(actor, nomination)
    nomination = _lock(nomination)
    _refuse(states.withdraw_refusal(nomination, timezone.now()))
    before = nomination.status
    nomination.status = Status.WITHDRAWN
    nomination.version += 1
    nomination.save(update_fields=["status", "version", "updated_at"])
    audit_record(
        actor=actor,
        action="nomination.withdraw",
        obj=nomination,
        before={"status": before},
        after={"status": nomination.status},
        reason=reason,
    )
    return nomination


REVIEW_TARGET = {
    Decision.ACCEPT: Status.ACCEPTED,
    Decision.RETURN: Status.RETURNED,
    Decision.REJECT: Status.REJECTED,
}
REVIEW_EVENT = {
    Decision.ACCEPT: Event.NOMINATION_ACCEPTED,
    Decision.RETURN: Event.NOMINATION_RETURNED,
    Decision.REJECT: Event.NOMINATION_REJECTED,
}


@transaction.atomic
def nomination_review(
    *, actor: User, nomination: Nomination, decision: str, reason: str = ""
) -> Nomination:
    """The office's 资格审查: accept, return for correction (with a reason) or reject (with a reason)."""
    require(can_review_nomination, actor, nomination, message="只有组委会办公室可以进行资格审查。")
    if decision not in REVIEW_TARGET:
        raise ValidationFailed(fields={"decision": ["审查结论：应为 accept、return 或 reject。"]})
    reason = (reason or "").strip()
    if decision in (Decision.RETURN, Decision.REJECT) and not reason:
        raise ValidationFailed(fields={"reason": ["理由：退回或不予通过必须写明理由。"]})
    nomination = _lock(nomination)
    _refuse(states.review_refusal(nomination, timezone.now()))
    before = nomination.status
    nomination.status = REVIEW_TARGET[decision]
    nomination.review_reason = reason
    nomination.reviewed_at = timezone.now()
    nomination.reviewed_by = actor
    nomination.version += 1
    nomination.save()
    audit_record(
        actor=actor,
        action=f"nomination.review.{decision}",
        obj=nomination,
        before={"status": before},
        after={"status": nomination.status},
        reason=reason,
    )
    notify(
        event=REVIEW_EVENT[decision],
        recipients=unit_officers(unit_ids=[nomination.unit_id]),
        obj=nomination,
        key=f"v{nomination.version}",  # returned, resubmitted and returned again: told twice
        url=reverse("nominations:detail", args=[nomination.pk]),
        context={
            "year": nomination.competition.year,
            "category": nomination.category.name,
            "nomination": str(nomination),
            "reason": reason,
            # A returned nomination may be corrected and resubmitted until the window closes.
            "deadline": nomination.competition.nominations_close,
        },
    )
    return nomination
