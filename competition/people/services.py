"""Every write of the office's units-and-accounts pages (issue #13 items 7–9).

Units are added, renamed, deactivated and reactivated; accounts are created
one by one or from an .xlsx import with a one-time password (or an e-mail
invitation), and their passwords reset to a new one-time password; judges'
profiles are edited and judges activated or deactivated. Each function checks
the role (``require``), runs in a transaction and writes its audit entry; a
refusal changes nothing.

A one-time password is returned to the caller once (the printable sheet) and
stored only hashed; the account carries ``must_change_password`` until its
owner picks their own.
"""

from __future__ import annotations

import re
import secrets
import string
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from .. import services as competition_services
from ..audit import audit_record, snapshot
from ..enums import Role, UnitKind
from ..exceptions import Conflict, ValidationFailed
from ..models import ApiToken, JudgeProfile, Unit, User
from ..rules import is_office, require

UNIT_MESSAGE = "只有组委会办公室可以管理推荐单位。"
ACCOUNT_MESSAGE = "只有组委会办公室可以管理账号。"
UNIT_EDITABLE = ["name", "short_name", "kind", "order"]
ACCOUNT_ROLES = {Role.OFFICER, Role.JUDGE}
PHONE_RE = re.compile(r"^1\d{10}$")
USERNAME_RE = re.compile(r"^[\w.@+-]{3,150}$", re.ASCII)
# Letters and digits without look-alikes (0/O, 1/l/I), so a printed password is typed right.
_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")
_SYMBOLS = "#%+=?@"


# --------------------------------------------------------------------------- units


def _unit_by_pk(unit: Unit) -> Unit:
    return Unit.objects.select_for_update().get(pk=unit.pk)


@transaction.atomic
def unit_add(*, actor: User, code: str, name: str, short_name: str, kind: str, order: int = 0) -> Unit:
    """A new recommending unit (active)."""
    require(is_office, actor, message=UNIT_MESSAGE)
    return competition_services.unit_create(
        actor=actor,
        data={
            "code": (code or "").strip(),
            "name": (name or "").strip(),
            "short_name": (short_name or "").strip(),
            "kind": kind,
            "order": order,
        },
    )


@transaction.atomic
def unit_rename(*, actor: User, unit: Unit, name: str, short_name: str, kind: str, order: int) -> Unit:
    """Change a unit's name, short name, kind or order (its code and history stay)."""
    require(is_office, actor, message=UNIT_MESSAGE)
    if kind not in UnitKind.values:
        raise ValidationFailed(fields={"kind": ["类型：请选择列表中的类型。"]})
    return competition_services.unit_update(
        actor=actor,
        unit=unit,
        data={"name": (name or "").strip(), "short_name": (short_name or "").strip(), "kind": kind, "order": order},
    )


@transaction.atomic
def unit_set_active(*, actor: User, unit: Unit, active: bool, reason: str = "") -> Unit:
    """Deactivate or reactivate a unit. Its nominations and accounts stay as they are."""
    require(is_office, actor, message=UNIT_MESSAGE)
    unit = _unit_by_pk(unit)
    if unit.active == active:
        state = "启用" if active else "停用"
        raise Conflict(f"推荐单位“{unit.name}”已经是{state}状态。", code="unit_unchanged")
    unit.active = active
    unit.save(update_fields=["active"])
    audit_record(
        actor=actor,
        action="unit.activate" if active else "unit.deactivate",
        obj=unit,
        before={"active": not active},
        after={"active": active},
        reason=reason,
    )
    return unit


def unit_refusal(unit: Unit | None) -> str | None:
    """Why an officer of ``unit`` may not start a new nomination, or None."""
    if unit is not None and not unit.active:
        return f"推荐单位“{unit.name}”已停用，不能新建推荐。如有疑问请联系组委会办公室。"
    return None


# --------------------------------------------------------------------------- one-time passwords


def one_time_password(length: int = 14) -> str:
    """A random password people can read off paper: letters, digits and one symbol."""
    while True:
        chars = [secrets.choice(_ALPHABET) for _ in range(length - 1)]
        chars.insert(secrets.randbelow(length), secrets.choice(_SYMBOLS))
        password = "".join(chars)
        if (
            any(c.islower() for c in password)
            and any(c.isupper() for c in password)
            and any(c.isdigit() for c in password)
        ):
            return password


@dataclass
class NewAccount:
    """An account just made (or reset) and its one-time password, shown once."""

    user: User
    password: str


# --------------------------------------------------------------------------- accounts


@dataclass
class AccountData:
    """What the add form and each import row carry."""

    display_name: str
    username: str
    role: str
    unit: Unit | None = None  # an officer's unit; a judge's own unit (JudgeProfile.unit)
    phone: str = ""
    email: str = ""
    organizations: list[str] = field(default_factory=list)
    expertise: str = ""


def account_problems(data: AccountData, *, taken: set[str] | None = None) -> dict[str, list[str]]:
    """Every problem of one account's data, by field, with the field named in Chinese."""
    problems: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        problems.setdefault(name, []).append(message)

    if not data.display_name.strip():
        add("display_name", "姓名：不能为空。")
    elif len(data.display_name.strip()) > 50:
        add("display_name", "姓名：不能超过 50 个字。")
    username = data.username.strip()
    if not username:
        add("username", "用户名：不能为空。")
    elif not USERNAME_RE.match(username):
        add("username", f"用户名：“{username}”只能由 3 至 150 个字母、数字和 @ . + - _ 组成。")
    elif User.objects.filter(username__iexact=username).exists():
        add("username", f"用户名：“{username}”已被使用。")
    elif taken is not None and username.lower() in taken:
        add("username", f"用户名：“{username}”在本表中重复出现。")
    if data.role not in ACCOUNT_ROLES:
        add("role", "角色：只能是“推荐单位管理员”或“评审专家”。")
    if data.role == Role.OFFICER and data.unit is None:
        add("unit", "推荐单位：推荐单位管理员必须填写推荐单位。")
    if data.unit is not None and not Unit.objects.filter(pk=data.unit.pk, active=True).exists():
        add("unit", f"推荐单位：“{data.unit.name}”已停用，不能为其新建账号。")
    if data.phone and not PHONE_RE.match(data.phone):
        add("phone", f"手机：“{data.phone}”不是 11 位手机号码。")
    if data.email:
        try:
            validate_email(data.email)
        except Exception:  # noqa: BLE001 - Django's ValidationError, in Chinese below
            add("email", f"电子邮箱：“{data.email}”格式不正确。")
    if data.role == Role.OFFICER and (data.organizations or data.expertise):
        add("organizations", "关联单位/组织、专业领域：只填写评审专家的，推荐单位管理员请留空。")
    return problems


def _make_account(*, actor: User, data: AccountData, password: str) -> User:
    is_officer = data.role == Role.OFFICER
    user = competition_services.user_create(
        actor=actor,
        username=data.username.strip(),
        password=password,
        role=data.role,
        unit=data.unit if is_officer else None,
        display_name=data.display_name.strip(),
    )
    user.phone = data.phone
    user.email = data.email
    user.must_change_password = True
    user.save(update_fields=["phone", "email", "must_change_password"])
    if data.role == Role.JUDGE:
        competition_services.judge_profile_set(
            actor=actor,
            user=user,
            name=data.display_name.strip(),
            expertise=data.expertise,
            unit=data.unit,
            organizations=data.organizations,
        )
    audit_record(
        actor=actor,
        action="account.create",
        obj=user,
        after={**snapshot(user, ["username", "role", "unit", "display_name", "phone", "email"]), "one_time_password": True},
    )
    return user


@transaction.atomic
def account_create(*, actor: User, data: AccountData) -> NewAccount:
    """One officer or judge account with a one-time password (returned once)."""
    require(is_office, actor, message=ACCOUNT_MESSAGE)
    problems = account_problems(data)
    if problems:
        raise ValidationFailed(fields=problems)
    password = one_time_password()
    user = _make_account(actor=actor, data=data, password=password)
    return NewAccount(user=user, password=password)


@transaction.atomic
def accounts_import(*, actor: User, rows: list[AccountData]) -> list[NewAccount]:
    """Every row's account, or none: a problem in any row refuses the whole import."""
    require(is_office, actor, message=ACCOUNT_MESSAGE)
    if not rows:
        raise ValidationFailed(fields={"file": ["文件：没有可导入的数据行。"]})
    taken: set[str] = set()
    problems: dict[str, list[str]] = {}
    for number, row in enumerate(rows, start=1):
        for messages in account_problems(row, taken=taken).values():
            problems.setdefault(f"row{number}", []).extend(messages)
        taken.add(row.username.strip().lower())
    if problems:
        raise ValidationFailed("导入的数据有误，未建立任何账号。", fields=problems)
    made = []
    for row in rows:
        password = one_time_password()
        made.append(NewAccount(user=_make_account(actor=actor, data=row, password=password), password=password))
    audit_record(
        actor=actor,
        action="account.import",
        object_type="competition.user",
        object_id="",
        after={"created": [n.user.pk for n in made]},
    )
    return made


@transaction.atomic
def account_password_reset(*, actor: User, user: User) -> NewAccount:
    """The office gives an account a new one-time password (its API tokens end)."""
    require(is_office, actor, message=ACCOUNT_MESSAGE)
    if user.pk == actor.pk:
        raise ValidationFailed(fields={"user": ["账号：不能重置自己的密码，请在“修改密码”页面修改。"]})
    if user.role not in ACCOUNT_ROLES:
        raise ValidationFailed(fields={"user": ["账号：这里只能重置推荐单位管理员和评审专家的密码。"]})
    password = one_time_password()
    # Sets must_change_password too: the office set it, so its owner must replace it.
    user = competition_services.user_password_set(actor=actor, user=user, password=password)
    audit_record(actor=actor, action="account.password_reset", obj=user, after={"one_time_password": True})
    return NewAccount(user=user, password=password)


def email_configured() -> bool:
    """Whether mail leaves the system (any backend but Django's dummy one)."""
    return settings.EMAIL_BACKEND != "django.core.mail.backends.dummy.EmailBackend"


@transaction.atomic
def account_invite(*, actor: User, user: User, base_url: str) -> User:
    """E-mail the account a link to set its own password (Django's reset token).

    The link stays valid for ``PASSWORD_RESET_TIMEOUT`` and only until the
    password changes; the account keeps ``must_change_password`` until then.
    """
    from django.contrib.auth.tokens import default_token_generator
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    require(is_office, actor, message=ACCOUNT_MESSAGE)
    if not email_configured():
        raise Conflict("系统未配置电子邮件发送，无法发送邀请邮件，请打印一次性密码交给本人。", code="email_off")
    if not user.email:
        raise ValidationFailed(fields={"email": [f"电子邮箱：账号“{user.username}”没有填写电子邮箱。"]})
    if not user.has_usable_password():
        user.set_password(one_time_password(24))
        user.save(update_fields=["password"])
    path = reverse(
        "password_reset_confirm",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)},
    )
    context = {"user": user, "link": base_url.rstrip("/") + path, "days": settings.PASSWORD_RESET_TIMEOUT // 86400}
    transaction.on_commit(
        lambda: send_mail(
            subject="太原市学雷锋志愿服务推选系统：请设置您的登录密码",
            message=render_to_string("competition/people/invitation_email.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[user.email],
        )
    )
    audit_record(actor=actor, action="account.invite", obj=user, after={"email": user.email})
    return user


# --------------------------------------------------------------------------- password reset by e-mail


@transaction.atomic
def password_reset_complete(*, user: User, password: str) -> User:
    """The owner of a reset (or invitation) link sets their password: checked by the
    validators, the one-time flag cleared, every API token revoked, audited."""
    competition_services.password_validate(password=password, user=user, field="new_password")
    user = User.objects.select_for_update().get(pk=user.pk)
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit_record(actor=user, action="user.password_reset", obj=user, after={"tokens_revoked": revoked})
    return user


# --------------------------------------------------------------------------- judges


@transaction.atomic
def judge_update(
    *,
    actor: User,
    profile: JudgeProfile,
    name: str,
    expertise: str,
    unit: Unit | None,
    organizations: list[str],
) -> JudgeProfile:
    """Change a judge's profile: name, expertise, own unit, affiliations for 回避."""
    require(is_office, actor, message="只有组委会办公室可以设置评审专家信息。")
    if not (name or "").strip():
        raise ValidationFailed(fields={"name": ["姓名：不能为空。"]})
    if len(expertise) > 200:
        raise ValidationFailed(fields={"expertise": ["专业领域：不能超过 200 个字。"]})
    return competition_services.judge_profile_set(
        actor=actor,
        user=profile.user,
        name=name.strip(),
        expertise=expertise.strip(),
        unit=unit,
        organizations=organizations,
        active=profile.active,
    )


@transaction.atomic
def judge_set_active(*, actor: User, profile: JudgeProfile, active: bool) -> JudgeProfile:
    """Put a judge in or out of the pool used by assignment (existing assignments stay)."""
    require(is_office, actor, message="只有组委会办公室可以设置评审专家信息。")
    profile = JudgeProfile.objects.select_for_update().select_related("user").get(pk=profile.pk)
    if profile.active == active:
        state = "在库" if active else "停用"
        raise Conflict(f"评审专家“{profile.name}”已经是{state}状态。", code="judge_unchanged")
    profile.active = active
    profile.save(update_fields=["active"])
    audit_record(
        actor=actor,
        action="judge.activate" if active else "judge.deactivate",
        obj=profile,
        before={"active": not active},
        after={"active": active},
    )
    return profile


def split_list(text: Any) -> list[str]:
    """Items of a cell or a text area: separated by new lines, commas, 、 or semicolons."""
    if text is None:
        return []
    parts = re.split(r"[\n,，、;；]+", str(text))
    return [p.strip() for p in parts if p.strip()]


# Password reset requests: per address and per e-mail address, in an hour.
RESET_PER_ADDRESS = 10
RESET_PER_EMAIL = 3
RESET_WINDOW = 3600


def password_reset_throttle(*, email: str, address: str | None) -> None:
    """Count one reset request; refuse (``RateLimited``) past the limits, so that the
    form cannot be used to flood a mailbox or probe addresses in bulk."""
    from ..ratelimit import RateLimited, hashed, hit, wait_text

    waits = [
        hit(f"password-reset:address:{address or 'unknown'}", limit=RESET_PER_ADDRESS, window=RESET_WINDOW),
        hit(f"password-reset:email:{hashed(email.strip().lower())}", limit=RESET_PER_EMAIL, window=RESET_WINDOW),
    ]
    wait = max((w for w in waits if w), default=None)
    if wait:
        raise RateLimited(f"重置密码的请求过于频繁，请 {wait_text(wait)}后再试。", retry_after=wait)
