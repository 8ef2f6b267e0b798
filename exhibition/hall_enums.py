"""The choices of the content halls (序篇, 文化展, 制度展, 主题展) and their items."""

from django.db import models


class ContentHall(models.TextChoices):
    """The four halls whose items the office writes (the other two show exhibits)."""

    PROLOGUE = "prologue", "序篇"
    CULTURE = "culture", "文化展"
    POLICIES = "policies", "制度展"
    THEMES = "themes", "主题展"


class ItemStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"


class ItemFileKind(models.TextChoices):
    IMAGE = "image", "图片"
    DOCUMENT = "document", "PDF 文件"
    VIDEO = "video", "视频"
