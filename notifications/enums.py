from django.db import models


class Event(models.TextChoices):
    """What happened. Each has its Chinese wording in ``texts.py``."""

    NOMINATION_RETURNED = "nomination_returned", "推荐被退回修改"
    NOMINATION_ACCEPTED = "nomination_accepted", "推荐通过资格审查"
    NOMINATION_REJECTED = "nomination_rejected", "推荐未通过资格审查"
    NOMINATION_LAPSED = "nomination_lapsed", "推荐逾期失效"
    NOMINATIONS_CLOSING = "nominations_closing", "申报即将截止"
    ASSIGNMENT_MADE = "assignment_made", "新的评审任务"
    ASSIGNMENT_CHANGED = "assignment_changed", "评审任务调整"
    ASSIGNMENT_REMOVED = "assignment_removed", "评审任务撤销"
    SCORECARD_UNLOCKED = "scorecard_unlocked", "评分表已解锁"
    SCORING_CLOSING = "scoring_closing", "评分即将截止"
    JUDGE_REMINDER = "judge_reminder", "评分提醒"
    OBJECTION_LODGED = "objection_lodged", "收到异议"
    OBJECTION_RESOLVED = "objection_resolved", "异议处理结果"
    PUBLICITY_PUBLISHED = "publicity_published", "公示发布"
    PUBLICITY_ENDING = "publicity_ending", "公示即将结束"
    RESULTS_FINAL = "results_final", "表彰结果确定"
    CERTIFICATE_READY = "certificate_ready", "荣誉证书已生成"
    DAILY_SUMMARY = "daily_summary", "每日概况"
    SUGGESTIONS_RECEIVED = "suggestions_received", "收到意见建议"


class Channel(models.TextChoices):
    EMAIL = "email", "电子邮件"
    WECOM = "wecom", "企业微信群"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    RETRYING = "retrying", "发送失败，等待重试"
    FAILED = "failed", "发送失败"


# Deliveries the office looks at: the last attempt failed.
UNSENT_FAILED = (DeliveryStatus.RETRYING, DeliveryStatus.FAILED)
