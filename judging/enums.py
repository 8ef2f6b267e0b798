from django.db import models


class AssignmentStatus(models.TextChoices):
    OPEN = "open", "待评"
    SUBMITTED = "submitted", "已提交"


class ScorecardStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "计算中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class ObjectionStatus(models.TextChoices):
    OPEN = "open", "待处理"
    UPHELD = "upheld", "成立"
    DISMISSED = "dismissed", "不成立"
    SPAM = "spam", "无效（垃圾信息）"


class ObjectionChannel(models.TextChoices):
    """How an objection reached the office: the public form, or entered by the office."""

    ONLINE = "online", "网上提交"
    LETTER = "letter", "来信"
    PHONE = "phone", "来电"
    VISIT = "visit", "来访"


# The channels the office enters by hand (the public form is ``online``).
OFFLINE_CHANNELS = (ObjectionChannel.LETTER, ObjectionChannel.PHONE, ObjectionChannel.VISIT)


class AwardStatus(models.TextChoices):
    PROPOSED = "proposed", "拟表彰"
    REMOVED = "removed", "已撤销"
    FINAL = "final", "已确定"
