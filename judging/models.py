"""Judging: pledges, conflicts (回避), panels, assignments and scorecards.

Fields and constraints only; every write goes through ``services.py``.
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from competition.models import Category, Competition, Criterion, Round
from nominations.models import Nomination

from .enums import (
    AssignmentStatus,
    AwardStatus,
    JobStatus,
    ObjectionChannel,
    ObjectionStatus,
    ScorecardStatus,
)


class Pledge(models.Model):
    """A judge's integrity pledge (承诺书), once per competition."""

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="pledges")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pledges")
    accepted_at = models.DateTimeField("签署时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "评审承诺书"
        constraints = [
            models.UniqueConstraint(fields=["competition", "judge"], name="pledge_once_per_competition")
        ]

    def __str__(self) -> str:
        return f"{self.judge} · {self.competition}"


class ConflictDeclaration(models.Model):
    """A judge's own declaration of a conflict of interest with a nomination."""

    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conflict_declarations"
    )
    nomination = models.ForeignKey(
        Nomination, on_delete=models.CASCADE, related_name="conflict_declarations"
    )
    reason = models.TextField("回避理由")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "回避申明"
        constraints = [
            models.UniqueConstraint(fields=["judge", "nomination"], name="conflict_once"),
            models.CheckConstraint(name="conflict_has_reason", condition=~Q(reason="")),
        ]

    def __str__(self) -> str:
        return f"{self.judge} 回避 {self.nomination}"


class PanelMember(models.Model):
    """A judge on a category's panel. A category without members uses every active judge."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="panel")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="panels")

    class Meta:
        verbose_name = verbose_name_plural = "评审组成员"
        constraints = [models.UniqueConstraint(fields=["category", "judge"], name="panel_member_once")]

    def __str__(self) -> str:
        return f"{self.category} · {self.judge}"


class Assignment(models.Model):
    """One judge scores one nomination in one round. Who may do what with it: ``rules.py``."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="assignments")
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments"
    )
    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="assignments")
    status = models.CharField(
        "状态", max_length=16, choices=AssignmentStatus.choices, default=AssignmentStatus.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["round", "nomination", "judge"]
        verbose_name = verbose_name_plural = "评审分配"
        constraints = [
            models.UniqueConstraint(
                fields=["round", "judge", "nomination"], name="assignment_once"
            ),
            models.CheckConstraint(
                name="assignment_status_valid", condition=Q(status__in=AssignmentStatus.values)
            ),
        ]
        indexes = [models.Index(fields=["round", "judge"], name="assignment_round_judge_idx")]

    def __str__(self) -> str:
        return f"{self.round} · {self.judge} · {self.nomination}"


class Scorecard(models.Model):
    """The scores of one assignment. The database refuses a second one."""

    assignment = models.OneToOneField(Assignment, on_delete=models.PROTECT, related_name="scorecard")
    status = models.CharField(
        "状态", max_length=16, choices=ScorecardStatus.choices, default=ScorecardStatus.DRAFT
    )
    comment = models.TextField("评语", blank=True)
    total = models.DecimalField("加权总分", max_digits=6, decimal_places=2, default=Decimal("0"))
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "评分表"
        constraints = [
            models.CheckConstraint(
                name="scorecard_total_range", condition=Q(total__gte=0) & Q(total__lte=100)
            ),
            models.CheckConstraint(
                name="scorecard_submitted_has_time",
                condition=~Q(status=ScorecardStatus.SUBMITTED) | Q(submitted_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"评分表 #{self.pk}"


class Score(models.Model):
    """One criterion's score, kept as whole half points so the grid is a database fact.

    ``max_half_points`` is the criterion's maximum copied at save time: the
    database itself refuses a score above it.
    """

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    half_points = models.PositiveSmallIntegerField("得分（半分单位）")
    max_half_points = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = verbose_name_plural = "单项得分"
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "criterion"], name="score_once"),
            models.CheckConstraint(
                name="score_within_max", condition=Q(half_points__lte=F("max_half_points"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.points}"

    @property
    def points(self) -> Decimal:
        return Decimal(self.half_points) / 2


class RankingSnapshot(models.Model):
    """An immutable ranking of one round: every category, computed by one method.

    The same inputs (method, parameters, submitted scorecards) give the same
    checksum, and the snapshot is reused instead of written twice. The
    snapshot the office closes the round with is the official one.
    """

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="snapshots")
    method = models.CharField("计分方法", max_length=16)
    parameters = models.JSONField("参数", default=dict)
    checksum = models.CharField("输入校验和", max_length=64)
    computed_at = models.DateTimeField("计算时间", auto_now_add=True)
    official = models.BooleanField("正式结果", default=False)
    statistics = models.JSONField("评委一致性统计", default=dict)

    class Meta:
        ordering = ["-computed_at", "-id"]
        verbose_name = verbose_name_plural = "排名快照"
        constraints = [
            models.UniqueConstraint(
                fields=["round", "method", "checksum"], name="snapshot_same_inputs_once"
            ),
            models.UniqueConstraint(
                fields=["round"], condition=Q(official=True), name="snapshot_one_official_per_round"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.method} · {self.checksum[:8]}"


class RankingEntry(models.Model):
    snapshot = models.ForeignKey(RankingSnapshot, on_delete=models.CASCADE, related_name="entries")
    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="ranking_entries")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField("得分", max_digits=6, decimal_places=2)
    rank = models.PositiveIntegerField("名次")
    judges = models.PositiveSmallIntegerField("有效评分数")
    tied = models.BooleanField("并列", default=False)
    advances = models.BooleanField("晋级", default=False)
    proposed_winner = models.BooleanField("拟表彰", default=False)
    details = models.JSONField("明细", default=dict)

    class Meta:
        ordering = ["snapshot", "category", "rank", "nomination"]
        verbose_name = verbose_name_plural = "排名条目"
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "nomination"], name="ranking_entry_once"),
            models.CheckConstraint(name="ranking_rank_positive", condition=Q(rank__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.nomination}"


class AggregationJob(models.Model):
    """One request to aggregate a round: the outbox row, the progress and the result.

    The row is written in the request's transaction and the task is sent
    after commit; a job still ``queued`` (the broker was down) is sent again
    by ``drain_outbox``. The task may run twice: the snapshot it writes is
    unique by its inputs, so the second run finds the first one's.
    """

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="aggregation_jobs")
    method = models.CharField("计分方法", max_length=16)
    official = models.BooleanField("关闭轮次时的正式计算", default=False)
    status = models.CharField("状态", max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    total = models.PositiveIntegerField("总步数", default=0)
    done = models.PositiveIntegerField("已完成", default=0)
    snapshot = models.ForeignKey(
        RankingSnapshot, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    error = models.TextField("错误", blank=True)
    attempts = models.PositiveSmallIntegerField("发送次数", default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "计分任务"

    def __str__(self) -> str:
        return f"{self.round} · {self.method} · {self.get_status_display()}"


class Publicity(models.Model):
    """The 公示 of a competition's proposed winners."""

    competition = models.OneToOneField(Competition, on_delete=models.PROTECT, related_name="publicity")
    working_days = models.PositiveSmallIntegerField("公示期（工作日）")
    starts_on = models.DateField("公示开始")
    ends_on = models.DateField("公示结束")
    published_at = models.DateTimeField("发布时间", auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    # The notice (公示文件) printed above the list, on the public page and in its PDF.
    # Blank fields fall back to the standard wording (``judging.notice``).
    notice_title = models.CharField("公示标题", max_length=200, blank=True)
    notice_intro = models.TextField("公示说明", blank=True)
    notice_how_to_object = models.TextField("异议方式", blank=True)
    contact_phone = models.CharField("联系电话", max_length=40, blank=True)
    contact_address = models.CharField("通讯地址", max_length=200, blank=True)
    contact_email = models.EmailField("电子邮箱", blank=True)
    notice_issuers = models.TextField("落款单位", blank=True, help_text="每行一个单位。")
    notice_date = models.DateField("落款日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "公示"
        constraints = [
            models.CheckConstraint(name="publicity_dates_ordered", condition=Q(starts_on__lte=F("ends_on")))
        ]

    def __str__(self) -> str:
        return f"{self.competition} 公示"


class Award(models.Model):
    """A nominee on the list of (proposed, then final) winners of a category."""

    competition = models.ForeignKey(Competition, on_delete=models.PROTECT, related_name="awards")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="awards")
    nomination = models.OneToOneField(Nomination, on_delete=models.PROTECT, related_name="award")
    final_score = models.DecimalField("最终得分", max_digits=6, decimal_places=2)
    final_rank = models.PositiveIntegerField("最终名次")
    status = models.CharField("状态", max_length=16, choices=AwardStatus.choices, default=AwardStatus.PROPOSED)
    removed_reason = models.TextField("撤销理由", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finalized_at = models.DateTimeField("确定时间", null=True, blank=True)

    class Meta:
        ordering = ["competition", "category__order", "final_rank", "nomination"]
        verbose_name = verbose_name_plural = "表彰名单"
        constraints = [
            models.CheckConstraint(
                name="award_removed_has_reason",
                condition=~Q(status=AwardStatus.REMOVED) | ~Q(removed_reason=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} · {self.nomination}"


RECEIPT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed back
RECEIPT_LENGTH = 12


def new_receipt() -> str:
    """A random, unguessable receipt code for an objection (about 59 bits)."""
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))


class Objection(models.Model):
    """A real-name objection (异议) lodged during 公示.

    ``receipt`` is the code the person who lodged it keeps: with the phone number
    given, it looks the objection's status and the office's answer up.
    """

    competition = models.ForeignKey(Competition, on_delete=models.PROTECT, related_name="objections")
    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="objections")
    name = models.CharField("姓名", max_length=50)
    phone = models.CharField("手机号码", max_length=20)
    receipt = models.CharField("回执编号", max_length=RECEIPT_LENGTH, unique=True, default=new_receipt, editable=False)
    content = models.TextField("异议内容")
    status = models.CharField(
        "状态", max_length=16, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN
    )
    client_address = models.GenericIPAddressField(null=True, blank=True)
    channel = models.CharField(
        "提出方式", max_length=16, choices=ObjectionChannel.choices, default=ObjectionChannel.ONLINE
    )
    received_on = models.DateField("收到日期", null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )
    created_at = models.DateTimeField("提出时间", auto_now_add=True)
    resolution = models.TextField("处理意见", blank=True)
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "异议"
        constraints = [
            models.CheckConstraint(
                name="objection_resolved_has_reason",
                condition=Q(status=ObjectionStatus.OPEN) | ~Q(resolution=""),
            ),
            models.CheckConstraint(
                name="objection_channel_valid", condition=Q(channel__in=ObjectionChannel.values)
            ),
            # An objection received by letter, phone or visit is entered by the office, with its date.
            models.CheckConstraint(
                name="objection_offline_entered",
                condition=Q(channel=ObjectionChannel.ONLINE)
                | (Q(entered_by__isnull=False) & Q(received_on__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nomination} 的异议（{self.get_status_display()}）"


class ScorecardExclusion(models.Model):
    """The office's decision that a submitted scorecard no longer counts (a judge withdrawn
    from a round, a card found unusable), with the reason. The card stays on record; every
    aggregation from then on leaves it out and automatic assignment staffs the nomination again."""

    scorecard = models.OneToOneField(Scorecard, on_delete=models.PROTECT, related_name="exclusion")
    reason = models.TextField("排除理由")
    excluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField("排除时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "已排除的评分表"
        constraints = [
            models.CheckConstraint(name="scorecard_exclusion_has_reason", condition=~Q(reason="")),
        ]

    def __str__(self) -> str:
        return f"评分表 #{self.scorecard_id} 已排除"


class RoundWithdrawal(models.Model):
    """A judge withdrawn from one round: automatic assignment no longer picks them in it."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="withdrawals")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField("退出理由")
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField("退出时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "评委退出轮次"
        constraints = [
            models.UniqueConstraint(fields=["round", "judge"], name="round_withdrawal_once"),
            models.CheckConstraint(name="round_withdrawal_has_reason", condition=~Q(reason="")),
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.judge} 退出"
