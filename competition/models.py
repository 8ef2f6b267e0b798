"""Units, accounts and roles, the year's competition, its rubric and rounds,
the API tokens and the audit trail.

Every later app points at these models; they hold fields and constraints only.
State changes go through ``services.py``.
"""

from __future__ import annotations

from decimal import Decimal

import rules
from django.contrib import auth
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from rules.contrib.models import RulesModelBase, RulesModelMixin

from . import rules as perms
from .enums import AggregationMethod, CategoryKind, Phase, Role, UnitKind


class Unit(models.Model):
    """A recommending unit (推荐单位): a county-level division, a zone or a municipal system."""

    code = models.CharField("代码", max_length=16, unique=True)
    name = models.CharField("名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=50)
    kind = models.CharField("类型", max_length=16, choices=UnitKind.choices)
    order = models.PositiveIntegerField("排序", default=0)
    # A deactivated unit keeps its nominations and accounts; it is no longer
    # offered for new accounts and its officers cannot start new nominations.
    active = models.BooleanField("启用", default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = verbose_name_plural = "推荐单位"

    def __str__(self) -> str:
        return self.name


def _backends_grant(user, perm, obj) -> bool:
    for backend in auth.get_backends():
        if not hasattr(backend, "has_perm"):
            continue
        try:
            if backend.has_perm(user, perm, obj):
                return True
        except PermissionDenied:
            return False
    return False


class UserManager(DjangoUserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        """``createsuperuser`` makes an office account: a role is what grants rights here."""
        extra_fields.setdefault("role", Role.OFFICE)
        if password is not None:
            # The password validators hold here too (``createsuperuser --noinput``
            # and its "bypass validation?" prompt do not check them).
            validate_password(password, self.model(username=username, email=email or ""))
        return super().create_superuser(username, email, password, **extra_fields)


class User(RulesModelMixin, AbstractUser, metaclass=RulesModelBase):
    """An account. Its role decides what it may do; an officer belongs to one unit."""

    role = models.CharField("角色", max_length=16, choices=Role.choices, default=Role.OBSERVER)
    unit = models.ForeignKey(
        Unit,
        verbose_name="推荐单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officers",
    )
    display_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("手机", max_length=20, blank=True)
    # A one-time password (set by the office or an import) must be replaced at
    # the first sign-in: competition.people.middleware holds the user on the
    # password change page, the API refuses a token until it is changed.
    must_change_password = models.BooleanField("首次登录须修改密码", default=False)

    objects = UserManager()

    class Meta:
        verbose_name = verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(
                name="user_officer_has_unit",
                condition=(Q(role=Role.OFFICER) & Q(unit__isnull=False))
                | (~Q(role=Role.OFFICER) & Q(unit__isnull=True)),
                violation_error_message="推荐单位管理员必须且只能属于一个推荐单位，其他角色不属于推荐单位。",
            ),
            models.CheckConstraint(
                name="user_role_valid", condition=Q(role__in=Role.values)
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    # Django answers every permission with yes for a superuser before asking
    # the backends; here the role predicates alone decide, superuser or not.

    def has_perm(self, perm, obj=None) -> bool:
        return self.is_active and _backends_grant(self, perm, obj)

    def has_perms(self, perm_list, obj=None) -> bool:
        return all(self.has_perm(perm, obj) for perm in perm_list)

    def has_module_perms(self, app_label) -> bool:
        return self.is_active and any(
            backend.has_module_perms(self, app_label)
            for backend in auth.get_backends()
            if hasattr(backend, "has_module_perms")
        )

    @property
    def is_office(self) -> bool:
        return self.role == Role.OFFICE

    @property
    def is_officer(self) -> bool:
        return self.role == Role.OFFICER

    @property
    def is_judge(self) -> bool:
        return self.role == Role.JUDGE

    @property
    def is_observer(self) -> bool:
        return self.role == Role.OBSERVER


class JudgeProfile(models.Model):
    """A judge's name, expertise and affiliations (used for 回避)."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="judge_profile", verbose_name="账号"
    )
    name = models.CharField("姓名", max_length=50)
    expertise = models.CharField("专业领域", max_length=200, blank=True)
    unit = models.ForeignKey(
        Unit,
        verbose_name="所属推荐单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="judges",
    )
    organizations = models.JSONField("关联组织", default=list, blank=True)
    active = models.BooleanField("在库", default=True)

    class Meta:
        ordering = ["user__username"]
        verbose_name = verbose_name_plural = "评审专家"

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """An API token. Only its SHA-256 is stored; it expires and can be revoked."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "接口令牌"

    def __str__(self) -> str:
        return f"{self.user} 的令牌（{self.expires_at:%Y-%m-%d %H:%M} 到期）"


class Competition(RulesModelMixin, models.Model, metaclass=RulesModelBase):
    """One year's 推选活动."""

    year = models.PositiveIntegerField("年度", unique=True)
    title = models.CharField("名称", max_length=200)
    certificate_wording = models.TextField("证书正文", blank=True)
    nominations_open = models.DateTimeField("申报开始")
    nominations_close = models.DateTimeField("申报截止")
    judging_close = models.DateTimeField("评审截止")
    publicity_working_days = models.PositiveSmallIntegerField(
        "公示期（工作日）", default=5, validators=[MinValueValidator(1)]
    )
    holidays = models.JSONField("节假日", default=list, blank=True)
    # Make-up working days (调休): Saturdays or Sundays worked in exchange for a
    # holiday; the 公示 period counts them (competition.workdays).
    workdays = models.JSONField("调休上班日", default=list, blank=True)
    phase = models.CharField("阶段", max_length=16, choices=Phase.choices, default=Phase.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = verbose_name_plural = "推选活动"
        constraints = [
            models.CheckConstraint(
                name="competition_dates_ordered",
                condition=Q(nominations_open__lt=models.F("nominations_close"))
                & Q(nominations_close__lte=models.F("judging_close")),
                violation_error_message="日期顺序应为：申报开始 < 申报截止 ≤ 评审截止。",
            ),
            models.CheckConstraint(name="competition_phase_valid", condition=Q(phase__in=Phase.values)),
        ]
        rules_permissions = {
            "view": rules.is_authenticated,
            "add": perms.is_office,
            "change": perms.is_office,
            "delete": perms.is_office,
            "advance": perms.is_office,
        }

    def __str__(self) -> str:
        return self.title


class Issuer(models.Model):
    """An issuing body (颁发单位) of the certificates, in order of rank, with its seal."""

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="issuers")
    name = models.CharField("名称", max_length=100)
    order = models.PositiveSmallIntegerField("排序", default=0)
    seal = models.ImageField("印章图片", upload_to="seals/", blank=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = verbose_name_plural = "颁发单位"
        constraints = [
            models.UniqueConstraint(fields=["competition", "order"], name="issuer_order_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """An award category (奖项) with its quotas and eligibility thresholds."""

    competition = models.ForeignKey(
        Competition, on_delete=models.CASCADE, related_name="categories", verbose_name="推选活动"
    )
    code = models.CharField("代码", max_length=8)
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=16, choices=CategoryKind.choices)
    order = models.PositiveSmallIntegerField("排序", default=0)
    award_quota = models.PositiveIntegerField("表彰名额", validators=[MinValueValidator(1)])
    nomination_quota_per_unit = models.PositiveIntegerField(
        "每单位推荐名额", validators=[MinValueValidator(1)]
    )
    min_years_running = models.PositiveSmallIntegerField("最少运行年限", default=0)
    min_volunteers = models.PositiveIntegerField("最少志愿者人数", default=0)
    exclude_past_winners = models.BooleanField("往年获奖者不得推荐", default=True)
    hard_rules = models.JSONField(
        "硬性资格条件",
        default=list,
        blank=True,
        help_text="不满足即不能提交的资格条件；其余只作为提示给资格审查参考。",
    )

    class Meta:
        ordering = ["competition", "order", "id"]
        verbose_name = verbose_name_plural = "奖项"
        constraints = [
            models.UniqueConstraint(fields=["competition", "code"], name="category_code_unique"),
            models.UniqueConstraint(fields=["competition", "name"], name="category_name_unique"),
            models.CheckConstraint(name="category_award_quota_positive", condition=Q(award_quota__gte=1)),
            models.CheckConstraint(
                name="category_nomination_quota_positive", condition=Q(nomination_quota_per_unit__gte=1)
            ),
            models.CheckConstraint(name="category_kind_valid", condition=Q(kind__in=CategoryKind.values)),
        ]

    def __str__(self) -> str:
        return self.name


class Criterion(models.Model):
    """A line of a category's rubric. It counts ``max_points × weight`` toward 100."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField("名称", max_length=50)
    guidance = models.TextField("评分要点", blank=True)
    max_points = models.DecimalField("满分", max_digits=5, decimal_places=1)
    weight = models.DecimalField("权重", max_digits=5, decimal_places=2, default=Decimal("1"))
    order = models.PositiveSmallIntegerField("排序", default=0)
    tie_break_rank = models.PositiveSmallIntegerField(
        "同分比较顺序", null=True, blank=True, help_text="总分相同时依次比较的评分项，1 为最先。"
    )

    class Meta:
        ordering = ["category", "order", "id"]
        verbose_name = verbose_name_plural = "评分项"
        constraints = [
            models.UniqueConstraint(fields=["category", "name"], name="criterion_name_unique"),
            models.UniqueConstraint(
                fields=["category", "tie_break_rank"], name="criterion_tie_break_unique"
            ),
            models.CheckConstraint(name="criterion_max_points_positive", condition=Q(max_points__gt=0)),
            models.CheckConstraint(name="criterion_weight_positive", condition=Q(weight__gt=0)),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def points(self) -> Decimal:
        return self.max_points * self.weight


class Round(models.Model):
    """A judging round (初评, 终评) and how it is judged and aggregated."""

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="rounds")
    order = models.PositiveSmallIntegerField("轮次")
    name = models.CharField("名称", max_length=50)
    method = models.CharField(
        "计分方法", max_length=16, choices=AggregationMethod.choices, default=AggregationMethod.TRIMMED_MEAN
    )
    trim_min_judges = models.PositiveSmallIntegerField("去高低分最少评委数", default=5)
    judges_per_nomination = models.PositiveSmallIntegerField("每件评委数", default=5)
    advance_per_category = models.PositiveIntegerField("每奖项晋级数", null=True, blank=True)
    weight = models.DecimalField("权重", max_digits=4, decimal_places=3, default=Decimal("1"))
    blind = models.BooleanField("隐去推荐单位", default=False)
    comment_required = models.BooleanField("必须填写评语", default=False)
    deadline = models.DateTimeField(
        "评分截止", null=True, blank=True, help_text="不填则使用推选活动的评审截止时间。"
    )
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        ordering = ["competition", "order"]
        verbose_name = verbose_name_plural = "评审轮次"
        constraints = [
            models.UniqueConstraint(fields=["competition", "order"], name="round_order_unique"),
            models.CheckConstraint(name="round_judges_positive", condition=Q(judges_per_nomination__gte=1)),
            models.CheckConstraint(
                name="round_weight_range", condition=Q(weight__gt=0) & Q(weight__lte=1)
            ),
            models.CheckConstraint(name="round_method_valid", condition=Q(method__in=AggregationMethod.values)),
        ]

    def __str__(self) -> str:
        return f"{self.competition.year} {self.name}"

    @property
    def effective_deadline(self):
        return self.deadline or self.competition.judging_close

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class AuditEntryQuerySet(models.QuerySet):
    """Append-only in bulk too: ``update()``, ``bulk_update()`` and ``delete()`` refuse.

    (On PostgreSQL a trigger refuses them as well; on SQLite this is the guard.)
    """

    def update(self, **kwargs):
        raise PermissionError("操作记录不可修改。")

    def bulk_update(self, objs, fields, batch_size=None):
        raise PermissionError("操作记录不可修改。")

    def delete(self):
        raise PermissionError("操作记录不可删除。")


class AuditEntry(models.Model):
    """One state change, written by the service that made it. Never changed or deleted."""

    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User, verbose_name="操作人", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_role = models.CharField("角色", max_length=16, blank=True)
    action = models.CharField("操作", max_length=64, db_index=True)
    object_type = models.CharField("对象类型", max_length=64)
    object_id = models.CharField("对象编号", max_length=64)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    reason = models.TextField("理由", blank=True)
    request_id = models.CharField("请求编号", max_length=64, blank=True)
    client_address = models.GenericIPAddressField("客户端地址", null=True, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "操作记录"
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}#{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("操作记录不可修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("操作记录不可删除。")


class QuotaOverride(models.Model):
    """A unit's own nomination quota in one category, instead of the category's
    ``nomination_quota_per_unit`` (市直 systems and districts often get different numbers)."""

    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="quota_overrides", verbose_name="奖项"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="quota_overrides", verbose_name="推荐单位"
    )
    nomination_quota = models.PositiveIntegerField("推荐名额", validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["category", "unit__order", "unit__code"]
        verbose_name = verbose_name_plural = "单位推荐名额调整"
        constraints = [
            models.UniqueConstraint(fields=["category", "unit"], name="quota_override_unique"),
            models.CheckConstraint(
                name="quota_override_positive", condition=Q(nomination_quota__gte=1)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit}：{self.category} {self.nomination_quota} 个"
