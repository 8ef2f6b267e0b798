"""Every write of the competition app: competitions, phases, accounts, tokens.

Functions are keyword-only, named ``<thing>_<verb>``, run in a transaction and
write the audit entry of each state change.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import context, phases
from .audit import audit_record, snapshot
from .enums import EligibilityRule, Phase, Role
from .exceptions import ApplicationError, Conflict, Forbidden, ValidationFailed
from .models import (
    ApiToken,
    Category,
    Competition,
    Criterion,
    Issuer,
    JudgeProfile,
    Round,
    Unit,
    User,
)
from .refusals import issuers_refusal, refuse, wording_refusal
from .rules import is_office, require

COMPETITION_FIELDS = [
    "year",
    "title",
    "certificate_wording",
    "nominations_open",
    "nominations_close",
    "judging_close",
    "publicity_working_days",
    "holidays",
    "workdays",
    "phase",
]
SCALAR_UPDATABLE = [
    "title",
    "certificate_wording",
    "nominations_open",
    "nominations_close",
    "judging_close",
    "publicity_working_days",
    "holidays",
    "workdays",
]
CATEGORY_FIELDS = [
    "code",
    "name",
    "kind",
    "award_quota",
    "nomination_quota_per_unit",
    "min_years_running",
    "min_volunteers",
    "exclude_past_winners",
    "hard_rules",
]
ROUND_FIELDS = [
    "name",
    "method",
    "trim_min_judges",
    "judges_per_nomination",
    "advance_per_category",
    "weight",
    "blind",
    "comment_required",
]


# --------------------------------------------------------------------------- competitions


def _check_dates(values: dict[str, Any]) -> None:
    opened, closed, judged = (
        values["nominations_open"],
        values["nominations_close"],
        values["judging_close"],
    )
    errors: dict[str, list[str]] = {}
    if not opened < closed:
        errors["nominations_close"] = ["申报截止：必须晚于申报开始时间。"]
    if not closed <= judged:
        errors["judging_close"] = ["评审截止：不得早于申报截止时间。"]
    if errors:
        raise ValidationFailed(fields=errors)


def _holidays(values: list) -> list[str]:
    """Dates (or ISO strings) as sorted, distinct ISO strings: how the JSON lists keep them."""
    out = []
    for value in values or []:
        out.append(value.isoformat() if isinstance(value, date) else str(value))
    return sorted(set(out))


WEEKDAY_NAMES = "一二三四五六日"


def calendar_clean(holidays: list | None, workdays: list | None) -> tuple[list[str], list[str]]:
    """The working-day calendar as stored, or ``ValidationFailed`` naming the field.

    Every entry must be a date; a make-up working day (调休上班日) must be a
    Saturday or a Sunday, and no day may be both a holiday and a make-up day.
    """
    errors: dict[str, list[str]] = {}
    parsed: dict[str, list[date]] = {}
    for field, label, values in (("holidays", "节假日", holidays), ("workdays", "调休上班日", workdays)):
        days = []
        if values is not None and not isinstance(values, list | tuple):
            errors[field] = [f"{label}：应为日期的列表，例如 [\"2023-10-02\"]。"]
            values = []
        for value in values or []:
            if isinstance(value, date):
                days.append(value)
                continue
            try:
                days.append(date.fromisoformat(str(value).strip()))
            except ValueError:
                errors.setdefault(field, []).append(f"{label}：“{value}”不是有效日期（应为 YYYY-MM-DD）。")
        parsed[field] = days
    weekdays = sorted({d for d in parsed["workdays"] if d.weekday() < 5})
    if weekdays:
        listed = "、".join(f"{d.isoformat()}（星期{WEEKDAY_NAMES[d.weekday()]}）" for d in weekdays)
        errors.setdefault("workdays", []).append(f"调休上班日：必须是星期六或星期日，{listed}不是。")
    both = sorted(set(parsed["holidays"]) & set(parsed["workdays"]))
    if both:
        errors.setdefault("workdays", []).append(
            f"调休上班日：{'、'.join(d.isoformat() for d in both)}已设为节假日，同一天不能既放假又调休上班。"
        )
    if errors:
        raise ValidationFailed(fields=errors)
    return _holidays(parsed["holidays"]), _holidays(parsed["workdays"])


def calendar_suggest(year: int) -> tuple[list[date], list[date]]:
    """The State Council's schedule for ``year``: (holidays, make-up working days).

    From the ``chinese-calendar`` package, which carries each year's 国务院办公厅
    notice up to the year of its release. A year it does not know raises
    ``ValidationFailed`` with a message saying to enter the days by hand.
    """
    import chinese_calendar

    holidays = sorted(d for d in chinese_calendar.holidays if d.year == year)
    workdays = sorted(d for d in chinese_calendar.workdays if d.year == year)
    if not holidays:
        known = max(d.year for d in chinese_calendar.holidays)
        raise ValidationFailed(
            f"日历数据包（chinese-calendar {_package_version()}）还没有 {year} 年的国务院办公厅放假安排"
            f"（已知到 {known} 年），请按通知手工填写节假日和调休上班日。",
            fields={"year": [f"年度：日历数据包尚无 {year} 年的放假安排，请手工填写。"]},
        )
    return holidays, workdays


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("chinese-calendar")
    except PackageNotFoundError:  # pragma: no cover - it is a dependency
        return "?"


@transaction.atomic
def competition_calendar_set(
    *, actor: User, competition: Competition, holidays: list, workdays: list
) -> Competition:
    """Replace the year's holidays and make-up working days (the 公示 period counts both)."""
    require(is_office, actor, message="只有组委会办公室可以设置工作日历。")
    clean_holidays, clean_workdays = calendar_clean(holidays, workdays)
    competition = Competition.objects.select_for_update().get(pk=competition.pk)
    before = {"holidays": competition.holidays, "workdays": competition.workdays}
    competition.holidays, competition.workdays = clean_holidays, clean_workdays
    competition.save(update_fields=["holidays", "workdays", "updated_at"])
    audit_record(
        actor=actor,
        action="competition.calendar_set",
        obj=competition,
        before=before,
        after={"holidays": clean_holidays, "workdays": clean_workdays},
    )
    return competition


def _create_categories(competition: Competition, categories: list[dict]) -> None:
    errors: dict[str, list[str]] = {}
    codes, names = set(), set()
    for i, data in enumerate(categories):
        if data["code"] in codes:
            errors[f"categories[{i}].code"] = [f"奖项代码：“{data['code']}”重复。"]
        if data["name"] in names:
            errors[f"categories[{i}].name"] = [f"奖项名称：“{data['name']}”重复。"]
        codes.add(data["code"])
        names.add(data["name"])
        criterion_names = [c["name"] for c in data.get("criteria", [])]
        dupes = {n for n in criterion_names if criterion_names.count(n) > 1}
        if dupes:
            errors[f"categories[{i}].criteria"] = [f"评分标准：评分项名称重复（{'、'.join(sorted(dupes))}）。"]
        unknown = [n for n in data.get("tie_break", []) if n not in criterion_names]
        if unknown:
            errors[f"categories[{i}].tie_break"] = [
                f"同分比较项：必须是本奖项的评分项，未找到“{'、'.join(unknown)}”。"
            ]
        tie = data.get("tie_break", [])
        if len(set(tie)) != len(tie):
            errors[f"categories[{i}].tie_break"] = ["同分比较项：不能重复。"]
        bad_rules = [r for r in data.get("hard_rules", []) if r not in EligibilityRule.values]
        if bad_rules:
            errors[f"categories[{i}].hard_rules"] = [f"硬性资格条件：未知的条件“{'、'.join(bad_rules)}”。"]
    if errors:
        raise ValidationFailed(fields=errors)

    for i, data in enumerate(categories):
        category = Category.objects.create(
            competition=competition,
            order=i + 1,
            **{k: data[k] for k in CATEGORY_FIELDS if k in data},
        )
        tie = data.get("tie_break", [])
        Criterion.objects.bulk_create(
            Criterion(
                category=category,
                order=j + 1,
                name=c["name"],
                guidance=c.get("guidance", ""),
                max_points=Decimal(str(c["max_points"])),
                weight=Decimal(str(c.get("weight", 1))),
                tie_break_rank=(tie.index(c["name"]) + 1) if c["name"] in tie else None,
            )
            for j, c in enumerate(data.get("criteria", []))
        )


def _create_rounds(competition: Competition, rounds: list[dict]) -> None:
    Round.objects.bulk_create(
        Round(competition=competition, order=i + 1, **{k: r[k] for k in ROUND_FIELDS if k in r})
        for i, r in enumerate(rounds)
    )


def _create_issuers(
    competition: Competition, issuers: list[dict], seals: dict[str, str] | None = None
) -> None:
    """``seals`` maps an issuer's name to its seal image, kept when the list is replaced."""
    seals = seals or {}
    Issuer.objects.bulk_create(
        Issuer(competition=competition, order=i + 1, name=d["name"], seal=seals.get(d["name"], ""))
        for i, d in enumerate(issuers)
    )


def competition_structure(competition: Competition) -> dict[str, Any]:
    """The categories, criteria, rounds and issuers as plain data, for the audit trail."""
    return {
        "issuers": [i.name for i in competition.issuers.all()],
        "categories": [
            {
                **snapshot(c, CATEGORY_FIELDS),
                "criteria": [
                    snapshot(k, ["name", "max_points", "weight", "tie_break_rank"])
                    for k in c.criteria.all()
                ],
            }
            for c in competition.categories.prefetch_related("criteria")
        ],
        "rounds": [snapshot(r, ["order", *ROUND_FIELDS]) for r in competition.rounds.all()],
    }


@transaction.atomic
def competition_create(*, actor: User, data: dict[str, Any]) -> Competition:
    """Create a whole competition (categories, criteria, rounds, issuers) in draft."""
    require(is_office, actor, message="只有组委会办公室可以创建推选活动。")
    _check_dates(data)
    holidays, workdays = calendar_clean(data.get("holidays"), data.get("workdays"))
    if Competition.objects.filter(year=data["year"]).exists():
        raise ValidationFailed(fields={"year": [f"年度：{data['year']} 年度的推选活动已存在。"]})
    competition = Competition.objects.create(
        year=data["year"],
        title=data["title"],
        certificate_wording=data.get("certificate_wording", ""),
        nominations_open=data["nominations_open"],
        nominations_close=data["nominations_close"],
        judging_close=data["judging_close"],
        publicity_working_days=data.get("publicity_working_days", 5),
        holidays=holidays,
        workdays=workdays,
        phase=Phase.DRAFT,
    )
    _create_issuers(competition, data.get("issuers", []))
    _create_categories(competition, data.get("categories", []))
    _create_rounds(competition, data.get("rounds", []))
    audit_record(
        actor=actor,
        action="competition.create",
        obj=competition,
        after={**snapshot(competition, COMPETITION_FIELDS), **competition_structure(competition)},
    )
    return competition


@transaction.atomic
def competition_update(*, actor: User, competition: Competition, data: dict[str, Any]) -> Competition:
    """Change dates, wording, issuers; categories, criteria and rounds only in draft; the
    issuers not under issued certificates (``refusals.issuers_refusal``)."""
    require(is_office, actor, message="只有组委会办公室可以修改推选活动。")
    competition = Competition.objects.select_for_update().get(pk=competition.pk)
    structural = [k for k in ("categories", "rounds") if k in data]
    if structural and competition.phase != Phase.DRAFT:
        raise Conflict(
            f"活动已进入“{Phase(competition.phase).label}”阶段，奖项、评分标准和评审轮次只能在筹备阶段修改。",
            code="competition_not_draft",
        )
    before = {**snapshot(competition, COMPETITION_FIELDS), **competition_structure(competition)}
    if "certificate_wording" in data and data["certificate_wording"] != competition.certificate_wording:
        refuse(wording_refusal(competition))
    for key in SCALAR_UPDATABLE:
        if key in data and key not in ("holidays", "workdays"):
            setattr(competition, key, data[key])
    if "holidays" in data or "workdays" in data:
        competition.holidays, competition.workdays = calendar_clean(
            data.get("holidays", competition.holidays), data.get("workdays", competition.workdays)
        )
    _check_dates(
        {
            "nominations_open": competition.nominations_open,
            "nominations_close": competition.nominations_close,
            "judging_close": competition.judging_close,
        }
    )
    issuers_changed = "issuers" in data and [d["name"] for d in data["issuers"]] != list(
        competition.issuers.order_by("order", "id").values_list("name", flat=True)
    )
    if issuers_changed:
        refuse(issuers_refusal(competition, action="edit"))
    competition.save()
    if issuers_changed:
        # The API names issuers only; seals are uploaded in the admin. An
        # issuer that stays (same name) keeps its seal. The same names in the
        # same order change nothing (the rows, and their seals, stay).
        seals = {i.name: i.seal.name for i in competition.issuers.all() if i.seal}
        competition.issuers.all().delete()
        _create_issuers(competition, data["issuers"], seals)
    if "categories" in data:
        competition.categories.all().delete()
        _create_categories(competition, data["categories"])
    if "rounds" in data:
        competition.rounds.all().delete()
        _create_rounds(competition, data["rounds"])
    after = {**snapshot(competition, COMPETITION_FIELDS), **competition_structure(competition)}
    audit_record(actor=actor, action="competition.update", obj=competition, before=before, after=after)
    return competition


def competition_advance(
    *, actor: User, competition: Competition, to: str, reason: str = "", now: datetime | None = None
) -> Competition:
    """Move a competition to its next phase when every guard of that step holds.

    The step's preparations (``phases.register_preparation``: work due anyway,
    such as lapsing overdue nominations) run first, in their own transactions,
    so that they stand even when a guard then refuses the step.

    ``now`` lets the demo replay a past year on its own calendar; callers in a
    request never pass it.
    """
    require(is_office, actor, message="只有组委会办公室可以推进推选活动的阶段。")
    # Read afresh: the caller's object may hold an earlier phase.
    phases.prepare(Competition.objects.get(pk=competition.pk), to, actor=actor, now=now)
    return _competition_advance(actor=actor, competition=competition, to=to, reason=reason, now=now)


@transaction.atomic
def _competition_advance(
    *, actor: User, competition: Competition, to: str, reason: str = "", now: datetime | None = None
) -> Competition:
    competition = Competition.objects.select_for_update().get(pk=competition.pk)
    refused = phases.refusal(competition, to, now=now)
    if refused:
        raise Conflict(refused, code="phase_guard_failed")
    before = competition.phase
    competition.phase = to
    competition.save(update_fields=["phase", "updated_at"])
    audit_record(
        actor=actor,
        action="competition.advance",
        obj=competition,
        before={"phase": before},
        after={"phase": to},
        reason=reason,
    )
    return competition


# --------------------------------------------------------------------------- accounts


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str | None,
    role: str,
    unit: Unit | None = None,
    display_name: str = "",
) -> User:
    """A new account. ``actor=None``: a system job (seed_demo, a command) makes it."""
    require(is_office, actor, message="只有组委会办公室可以建立账号。", system=True)
    if role == Role.OFFICER and unit is None:
        raise ValidationFailed(fields={"unit": ["推荐单位：推荐单位管理员必须指定推荐单位。"]})
    if role != Role.OFFICER and unit is not None:
        raise ValidationFailed(fields={"unit": ["推荐单位：只有推荐单位管理员属于推荐单位。"]})
    user = User(
        username=username,
        role=role,
        unit=unit,
        display_name=display_name,
        is_staff=role == Role.OFFICE,
    )
    if password is not None:
        password_validate(password=password, user=user)
    user.set_password(password)  # None: an unusable password (the account signs in once one is set)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise ValidationFailed(fields={"username": [f"用户名：“{username}”已被使用。"]}) from exc
    audit_record(
        actor=actor,
        action="user.create",
        obj=user,
        after=snapshot(user, ["username", "role", "unit", "display_name"]),
    )
    return user


def password_validate(*, password: str, user: User | None = None, field: str = "password") -> None:
    """Django's password validators (``AUTH_PASSWORD_VALIDATORS``), failing as
    ``ValidationFailed`` naming ``field`` in Chinese. ``user`` (saved or not)
    is what the password must not resemble."""
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        label = PASSWORD_FIELD_LABELS.get(field, "密码")
        raise ValidationFailed(fields={field: [f"{label}：{m}" for m in exc.messages]}) from exc


PASSWORD_FIELD_LABELS = {"password": "密码", "new_password": "新密码", "old_password": "原密码"}


class PasswordChangeThrottled(ApplicationError):
    status_code = 429
    default_code = "throttled"

    def __init__(self, retry_after: int) -> None:
        self.retry_after = max(1, int(retry_after))
        super().__init__(
            f"原密码输错次数过多，请 {self.retry_after} 秒后再试。",
            fields={"old_password": [f"原密码：输错次数过多，请 {self.retry_after} 秒后再试。"]},
        )


def user_password_change(
    *, actor: User, old_password: str, new_password: str, keep_token: ApiToken | None = None
) -> User:
    """A signed-in user changes their own password.

    The old password must be right (wrong guesses are throttled like
    sign-ins, per account and address, and the throttle's lockout is
    audited); the new one passes the password validators. Every API token of
    the user is revoked except ``keep_token`` (the one making an API request;
    the web page keeps none). The caller keeps its web session valid
    (``update_session_auth_hash``); the user's other sessions end, as Django
    ties them to the old password.
    """
    if not (actor and actor.is_authenticated and actor.is_active):
        raise Forbidden()
    address = context.current().client_address
    limits = [
        _Limit(
            f"password-change-fail:{actor.pk}:{address or 'unknown'}",
            settings.LOGIN_FAILURES_PER_ACCOUNT_ADDRESS,
            "password_change",
        )
    ]
    try:
        counted = _count_attempt(limits, username=actor.username, address=address)
    except LoginThrottled as exc:
        raise PasswordChangeThrottled(exc.retry_after) from exc
    if not actor.check_password(old_password):
        raise ValidationFailed(fields={"old_password": ["原密码：原密码不正确。"]})
    _give_back(counted)
    password_validate(password=new_password, user=actor, field="new_password")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        user.set_password(new_password)
        was_one_time = user.must_change_password
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        live = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
        if keep_token is not None:
            live = live.exclude(pk=keep_token.pk)
        revoked = sorted(live.values_list("pk", flat=True))
        live.update(revoked_at=timezone.now())
        audit_record(
            actor=user,
            action="user.password_change",
            obj=user,
            after={
                "tokens_revoked": revoked,
                "token_kept": keep_token.pk if keep_token else None,
                **({"one_time_password_replaced": True} if was_one_time else {}),
            },
        )
    actor.password = user.password
    actor.must_change_password = False  # the caller's object: update_session_auth_hash reads it
    return user


@transaction.atomic
def judge_profile_set(
    *,
    actor: User | None,
    user: User,
    name: str,
    expertise: str = "",
    unit: Unit | None = None,
    organizations: list[str] | None = None,
    active: bool = True,
) -> JudgeProfile:
    """Create or change a judge's profile (their affiliations drive 回避).

    ``actor=None``: a system job (seed_demo, a command) sets it.
    """
    require(is_office, actor, message="只有组委会办公室可以设置评审专家信息。", system=True)
    if user.role != Role.JUDGE:
        raise ValidationFailed(fields={"user": ["账号：只有评审专家账号可以设置专家信息。"]})
    fields = ["name", "expertise", "unit", "organizations", "active"]
    profile = JudgeProfile.objects.select_for_update().filter(user=user).first()
    before = snapshot(profile, fields) if profile else None
    profile = profile or JudgeProfile(user=user)
    profile.name = name
    profile.expertise = expertise
    profile.unit = unit
    profile.organizations = [o.strip() for o in (organizations or []) if o and o.strip()]
    profile.active = active
    profile.save()
    after = snapshot(profile, fields)
    if before != after:
        audit_record(actor=actor, action="judge.profile_set", obj=profile, before=before, after=after)
    return profile


# --------------------------------------------------------------------------- API tokens


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    raw: str
    token: ApiToken


class LoginThrottled(ApplicationError):
    status_code = 429
    default_code = "throttled"

    def __init__(self, retry_after: int) -> None:
        self.retry_after = max(1, int(retry_after))
        super().__init__(f"登录失败次数过多，请 {self.retry_after} 秒后再试。")


class LoginFailed(ApplicationError):
    status_code = 400
    default_code = "invalid_credentials"
    default_message = "用户名或密码不正确。"


logger = logging.getLogger("competition.auth")


@dataclass(frozen=True)
class _Limit:
    """One throttle counter: its cache key, its limit, what it counts (for the lockout record)."""

    key: str
    limit: int
    scope: str


def _failure_keys(username: str, address: str | None) -> list[_Limit]:
    """The counters of a sign-in attempt, narrowest first.

    Per (account, address) the limit is low: one address guessing one
    account's password is stopped after a few tries, without locking the
    account's owner out elsewhere. Per address it is higher (one address
    trying many accounts). Per account there is only a high ceiling, so that
    wrong passwords from anywhere cannot lock ``office`` or a judge out for
    everyone, while a guess spread over many addresses is still bounded.
    """
    account = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    where = address or "unknown"
    return [
        _Limit(
            f"login-fail:account-address:{account}:{where}",
            settings.LOGIN_FAILURES_PER_ACCOUNT_ADDRESS,
            "account_address",
        ),
        _Limit(f"login-fail:address:{where}", settings.LOGIN_FAILURES_PER_ADDRESS, "address"),
        _Limit(f"login-fail:account:{account}", settings.LOGIN_FAILURES_PER_ACCOUNT, "account"),
    ]


def _window() -> tuple[int, int]:
    """(index of the current fixed window, seconds left in it)."""
    length = int(settings.LOGIN_FAILURE_WINDOW.total_seconds())
    now = timezone.now().timestamp()
    index = int(now // length)
    return index, max(1, int((index + 1) * length - now))


def _lockout_record(limit: _Limit, *, username: str, address: str | None, retry_after: int) -> None:
    """Log and audit a lockout once, when it starts (the first attempt over the limit)."""
    details = {
        "scope": limit.scope,
        "username": username[:150],
        "address": address,
        "limit": limit.limit,
        "window_seconds": int(settings.LOGIN_FAILURE_WINDOW.total_seconds()),
        "retry_after": retry_after,
    }
    logger.warning(
        "Sign-in locked out (%s): username=%r address=%s after %d failures; %d s left in the window",
        limit.scope,
        details["username"],
        address,
        limit.limit,
        retry_after,
    )
    user = None
    if limit.scope != "address":
        user = User.objects.filter(username__iexact=username.strip()).first()
    audit_record(
        actor=None,
        action="auth.lockout",
        obj=user,
        object_type=None if user else "auth.sign_in",
        object_id=None if user else "",
        after=details,
    )


def _count_attempt(limits: list[_Limit], *, username: str, address: str | None) -> list[str]:
    """Count this attempt against every counter *before* the password is checked.

    Counting first and atomically (``add`` then ``incr``) means a burst of
    parallel guesses cannot all slip past the limit. A successful sign-in
    gives its count back. The counters are taken narrowest first and the
    first one over its limit stops the attempt, so an address that is
    already throttled does not use up the account's ceiling any further.
    """
    index, left = _window()
    counted = []
    for limit in limits:
        key = f"{limit.key}:{index}"
        cache.add(key, 0, left + 5)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, left + 5)
            count = 1
        counted.append(key)
        if count > limit.limit:
            if count == limit.limit + 1:  # exactly one request sees this: the lockout starts
                _lockout_record(limit, username=username, address=address, retry_after=left)
            raise LoginThrottled(left)
    return counted


def _give_back(counted: list[str]) -> None:
    for key in counted:
        with contextlib.suppress(ValueError):
            cache.decr(key)


def _login_failed_record(*, request, username: str, address: str | None, reason: str, user=None) -> None:
    """Audit a failed sign-in: no actor (nobody signed in), the name tried and the address."""
    audit_record(
        actor=None,
        action="auth.login_failed",
        obj=user,
        object_type=None if user else "auth.sign_in",
        object_id=None if user else "",
        after={
            "username": username[:150],
            "address": address,
            "reason": reason,
            "via": getattr(request, "path", "") or "",
        },
    )


def login_check(
    *,
    request,
    username: str,
    password: str,
    address: str | None,
    allowed: Callable[[User], None] | None = None,
) -> User:
    """Authenticate, with one generic error and a throttle on repeated failures.

    Used by the API token endpoint, the web sign-in form and the admin's
    sign-in form alike. ``allowed(user)`` may refuse a right password (the
    admin admits only some roles) by raising; the refusal is audited as a
    failed sign-in and the exception passes on. Success and failure are both
    audited (``auth.login``, ``auth.login_failed``); the password never is.
    """
    counted = _count_attempt(_failure_keys(username, address), username=username, address=address)
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        known = User.objects.filter(username=username).first()
        _login_failed_record(
            request=request, username=username, address=address, reason="invalid_credentials", user=known
        )
        raise LoginFailed()
    _give_back(counted)
    if allowed is not None:
        try:
            allowed(user)
        except Exception:
            _login_failed_record(
                request=request, username=username, address=address, reason="not_allowed", user=user
            )
            raise
    audit_record(
        actor=user,
        action="auth.login",
        obj=user,
        after={"address": address, "via": getattr(request, "path", "") or ""},
    )
    return user


@transaction.atomic
def token_issue(*, user: User) -> IssuedToken:
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, key_hash=_hash(raw), expires_at=timezone.now() + settings.API_TOKEN_TTL
    )
    audit_record(actor=user, action="token.issue", obj=token, after={"expires_at": token.expires_at})
    return IssuedToken(raw=raw, token=token)


def token_lookup(*, raw: str) -> ApiToken | None:
    """The live token for ``raw``: not expired, not revoked, its user active."""
    token = (
        ApiToken.objects.select_related("user", "user__unit")
        .filter(key_hash=_hash(raw), revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    return token


@transaction.atomic
def token_revoke(*, token: ApiToken, actor: User | None = None) -> None:
    """Revoke one token (sign-out); ``actor`` defaults to its owner. Audited when it was live."""
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if revoked:
        audit_record(actor=actor or token.user, action="token.revoke", obj=token, after={"reason": "logout"})


# --------------------------------------------------------------------------- admin writes
#
# What the office changes in the admin goes through these (checked and
# audited), like everything else: units, accounts, passwords, the pieces of a
# competition's structure and the issuers' seals.

UNIT_FIELDS = ["code", "name", "short_name", "kind", "order"]
USER_UPDATABLE = ["username", "first_name", "last_name", "email", "is_active", "role", "unit", "display_name"]
# The pieces of a competition edited one by one in the admin: their parent,
# the fields that may change, and whether they change only in draft.
STRUCTURE = {
    Issuer: ("competition", ["order", "name"], False),
    Category: ("competition", ["order", *CATEGORY_FIELDS], True),
    Criterion: ("category", ["order", "name", "guidance", "max_points", "weight", "tie_break_rank"], True),
    Round: ("competition", ["order", *ROUND_FIELDS, "deadline"], True),
}


def _full_clean(obj, exclude: list[str] | None = None) -> None:
    """The model's own checks (choices, uniqueness, constraints) as one ValidationFailed."""
    from django.core.exceptions import ValidationError

    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise ValidationFailed(fields={k: list(v) for k, v in exc.message_dict.items()}) from exc


@transaction.atomic
def unit_create(*, actor: User, data: dict[str, Any]) -> Unit:
    require(is_office, actor, message="只有组委会办公室可以管理推荐单位。")
    unit = Unit(**{k: data[k] for k in UNIT_FIELDS if k in data})
    _full_clean(unit)
    unit.save()
    audit_record(actor=actor, action="unit.create", obj=unit, after=snapshot(unit, UNIT_FIELDS))
    return unit


@transaction.atomic
def unit_update(*, actor: User, unit: Unit, data: dict[str, Any]) -> Unit:
    require(is_office, actor, message="只有组委会办公室可以管理推荐单位。")
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    before = snapshot(unit, UNIT_FIELDS)
    for key in UNIT_FIELDS:
        if key in data:
            setattr(unit, key, data[key])
    _full_clean(unit)
    after = snapshot(unit, UNIT_FIELDS)
    changed = [k for k in UNIT_FIELDS if after[k] != before[k]]
    if changed:
        unit.save()
        audit_record(
            actor=actor,
            action="unit.update",
            obj=unit,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    return unit


@transaction.atomic
def user_update(*, actor: User, user: User, data: dict[str, Any]) -> User:
    """Change an account's name, contact, role, unit or whether it is active (not its password)."""
    require(is_office, actor, message="只有组委会办公室可以修改账号。")
    user = User.objects.select_for_update().get(pk=user.pk)
    before = snapshot(user, USER_UPDATABLE)
    for key in USER_UPDATABLE:
        if key in data:
            setattr(user, key, data[key])
    if user.pk == actor.pk and (user.role != Role.OFFICE or not user.is_active):
        raise ValidationFailed(fields={"role": ["角色：不能停用自己的账号，也不能取消自己的办公室角色。"]})
    if user.role == Role.OFFICER and user.unit_id is None:
        raise ValidationFailed(fields={"unit": ["推荐单位：推荐单位管理员必须指定推荐单位。"]})
    if user.role != Role.OFFICER and user.unit_id is not None:
        raise ValidationFailed(fields={"unit": ["推荐单位：只有推荐单位管理员属于推荐单位。"]})
    user.is_staff = user.role == Role.OFFICE
    _full_clean(user, exclude=["password"])
    after = snapshot(user, USER_UPDATABLE)
    changed = [k for k in USER_UPDATABLE if after[k] != before[k]]
    if changed:
        user.save()
        audit_record(
            actor=actor,
            action="user.update",
            obj=user,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    return user


@transaction.atomic
def user_password_set(*, actor: User, user: User, password: str | None) -> User:
    """The office sets another account's password (``None``: no password sign-in).

    Django's password validators apply; the account's API tokens are revoked.
    A password the office set for someone else is one the office knows: its owner
    must replace it at the next sign-in (``must_change_password``), as with a
    one-time password. The audit entry records that it changed, never the password.
    """
    require(is_office, actor, message="只有组委会办公室可以设置账号的密码。")
    user = User.objects.select_for_update().get(pk=user.pk)
    if password is not None:
        password_validate(password=password, user=user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.must_change_password = password is not None and user.pk != actor.pk
    user.save(update_fields=["password", "must_change_password"])
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit_record(
        actor=actor,
        action="user.password_set",
        obj=user,
        after={
            "usable": password is not None, "tokens_revoked": revoked,
            "must_change_password": user.must_change_password,
        },
    )
    return user


def _structure_competition(obj) -> Competition:
    competition_id = obj.category.competition_id if isinstance(obj, Criterion) else obj.competition_id
    return Competition.objects.select_for_update().get(pk=competition_id)


def _lock_structure_row(model, pk) -> tuple[Competition, Any]:
    """The competition, then the row, locked in that order: the order every service that
    changes a competition's records takes (the setup pages lock the competition first), so
    two of them never wait on each other."""
    competition = _structure_competition(model.objects.get(pk=pk))
    return competition, model.objects.select_for_update().get(pk=pk)


def _refuse_unless_draft(obj, competition: Competition) -> None:
    if STRUCTURE[type(obj)][2] and competition.phase != Phase.DRAFT:
        raise Conflict(
            f"活动已进入“{Phase(competition.phase).label}”阶段，奖项、评分标准和评审轮次只能在筹备阶段修改。",
            code="competition_not_draft",
        )


@transaction.atomic
def structure_item_save(*, actor: User, obj: Issuer | Category | Criterion | Round, data: dict[str, Any]):
    """Add or change one issuer, category, criterion or round (the admin's inline rows).

    ``obj`` is the row to change, or a new one with only its parent set.
    Categories, criteria and rounds change only in draft; issuers in any
    phase, but not under issued certificates (``refusals.issuers_refusal``).
    """
    require(is_office, actor, message="只有组委会办公室可以修改推选活动。")
    model = type(obj)
    parent, fields, _ = STRUCTURE[model]
    if obj.pk:
        competition, obj = _lock_structure_row(model, obj.pk)
        before = snapshot(obj, fields)
    else:
        obj = model(**{f"{parent}_id": getattr(obj, f"{parent}_id")})
        before = None
        competition = _structure_competition(obj)
    _refuse_unless_draft(obj, competition)
    for key in fields:
        if key in data:
            setattr(obj, key, data[key])
    if model is Category:
        bad = [r for r in obj.hard_rules or [] if r not in EligibilityRule.values]
        if bad:
            raise ValidationFailed(fields={"hard_rules": [f"硬性资格条件：未知的条件“{'、'.join(map(str, bad))}”。"]})
    _full_clean(obj)
    after = snapshot(obj, fields)
    if before == after:
        return obj
    if model is Issuer:
        refuse(issuers_refusal(competition, action="add" if before is None else "edit"))
    obj.save()
    changed = [k for k in fields if before is None or after[k] != before[k]]
    audit_record(
        actor=actor,
        action=f"{model._meta.model_name}.{'create' if before is None else 'update'}",
        obj=obj,
        before={k: before[k] for k in changed} if before is not None else None,
        after={"competition": competition.pk, **{k: after[k] for k in changed}},
    )
    return obj


@transaction.atomic
def structure_item_delete(*, actor: User, obj: Issuer | Category | Criterion | Round) -> None:
    """Remove one issuer (not under issued certificates), category (with its criteria),
    criterion or round."""
    require(is_office, actor, message="只有组委会办公室可以修改推选活动。")
    model = type(obj)
    _, fields, _ = STRUCTURE[model]
    competition, obj = _lock_structure_row(model, obj.pk)
    _refuse_unless_draft(obj, competition)
    if model is Issuer:
        refuse(issuers_refusal(competition, action="remove"))
    before = {"competition": competition.pk, **snapshot(obj, fields)}
    if model is Category:
        before["criteria"] = [snapshot(c, STRUCTURE[Criterion][1]) for c in obj.criteria.all()]
    audit_record(actor=actor, action=f"{model._meta.model_name}.delete", obj=obj, before=before)
    obj.delete()


@transaction.atomic
def issuer_seal_set(*, actor: User, issuer: Issuer, seal) -> Issuer:
    """Upload (a file) or remove (``None``) an issuer's seal image, printed on the certificates.

    Refused while the competition's certificates print it (``refusals.issuers_refusal``).
    """
    require(is_office, actor, message="只有组委会办公室可以设置颁发单位印章。")
    # The competition's row: issuing certificates locks it too, so no batch starts
    # between this check and the commit.
    competition = Competition.objects.select_for_update().get(pk=issuer.competition_id)
    issuer = Issuer.objects.select_for_update().get(pk=issuer.pk)
    refuse(issuers_refusal(competition, action="seal"))
    before = issuer.seal.name or ""
    if seal is None:
        issuer.seal = ""
        digest = None
    else:
        seal.seek(0)
        digest = hashlib.sha256(seal.read()).hexdigest()
        seal.seek(0)
        issuer.seal.save(getattr(seal, "name", None) or "seal.png", seal, save=False)
    issuer.save(update_fields=["seal"])
    audit_record(
        actor=actor,
        action="issuer.seal_set",
        obj=issuer,
        before={"seal": before},
        after={"seal": issuer.seal.name or "", "sha256": digest},
    )
    return issuer
