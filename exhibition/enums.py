from django.db import models


class ExhibitKind(models.TextChoices):
    """The halls of the 云展馆 that show exhibits (winners and recommended projects)."""

    PROJECT = "project", "项目展"
    ORGANIZATION = "organization", "组织展"
    PERSON = "person", "最美志愿者"
    COMMUNITY = "community", "最美志愿服务社区"


class ExhibitSource(models.TextChoices):
    """Where an exhibit comes from.

    - ``award``: a final award made in this system (fields copied at publication);
    - ``recommended``: a nomination a district recommended, shown by the office's
      choice, labelled 推荐项目 and never as a winner;
    - ``historic``: a winner of a year before this system, entered or imported by the office.
    """

    AWARD = "award", "本系统表彰"
    RECOMMENDED = "recommended", "推荐项目"
    HISTORIC = "historic", "往年表彰"


class AsOfPrecision(models.TextChoices):
    """How much of a figure's as-of date is meant (截至 2022年 / 2022年12月 / 2022年12月31日)."""

    YEAR = "year", "年"
    MONTH = "month", "月"
    DAY = "day", "日"


class ExhibitStatus(models.TextChoices):
    PUBLISHED = "published", "已发布"
    WITHDRAWN = "withdrawn", "已撤下"


# The category kinds that have a hall, and the hall of each.
HALL_OF_CATEGORY_KIND = {
    "project": ExhibitKind.PROJECT,
    "organization": ExhibitKind.ORGANIZATION,
    "person": ExhibitKind.PERSON,
    "community": ExhibitKind.COMMUNITY,
}

# How a recommended (not honoured) exhibit is labelled wherever an award's name would be.
RECOMMENDED_LABEL = "推荐项目"
