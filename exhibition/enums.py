from django.db import models


class ExhibitKind(models.TextChoices):
    """The two halls of the 云展馆."""

    PROJECT = "project", "项目展"
    ORGANIZATION = "organization", "组织展"


class ExhibitStatus(models.TextChoices):
    PUBLISHED = "published", "已发布"
    WITHDRAWN = "withdrawn", "已撤下"


# The category kinds that have a hall, and the hall of each.
HALL_OF_CATEGORY_KIND = {
    "project": ExhibitKind.PROJECT,
    "organization": ExhibitKind.ORGANIZATION,
}


class SuggestionStatus(models.TextChoices):
    """Where the office stands with a citizen's 意见建议."""

    NEW = "new", "未读"
    READ = "read", "已读"
    HANDLED = "handled", "已处理"
