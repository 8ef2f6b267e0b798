from django.db import models


class Role(models.TextChoices):
    OFFICE = "office", "组委会办公室"
    OFFICER = "officer", "推荐单位管理员"
    JUDGE = "judge", "评审专家"
    OBSERVER = "observer", "监督员"


class UnitKind(models.TextChoices):
    DISTRICT = "district", "区"
    COUNTY = "county", "县"
    COUNTY_CITY = "county_city", "县级市"
    ZONE = "zone", "开发区"
    MUNICIPAL = "municipal", "市直系统"


class Phase(models.TextChoices):
    DRAFT = "draft", "筹备"
    NOMINATING = "nominating", "申报推荐"
    REVIEWING = "reviewing", "资格审查"
    JUDGING = "judging", "评审"
    PUBLICITY = "publicity", "公示"
    FINAL = "final", "结果确定"
    ARCHIVED = "archived", "归档"


PHASE_ORDER = [p.value for p in Phase]


class CategoryKind(models.TextChoices):
    PROJECT = "project", "志愿服务项目"
    ORGANIZATION = "organization", "志愿服务组织"
    PERSON = "person", "志愿者"
    COMMUNITY = "community", "志愿服务社区"


class AggregationMethod(models.TextChoices):
    MEAN = "mean", "算术平均"
    TRIMMED_MEAN = "trimmed_mean", "去掉一个最高分和一个最低分后平均"
    MEDIAN = "median", "中位数"
    NORMALIZED = "normalized", "按评委标准化"


class EligibilityRule(models.TextChoices):
    """Eligibility checks a category may make hard (refusing submission)."""

    MIN_YEARS_RUNNING = "min_years_running", "运行年限不足"
    MIN_VOLUNTEERS = "min_volunteers", "志愿者人数不足"
    PAST_WINNER = "past_winner", "往年已获同类表彰"
    DUPLICATE = "duplicate", "同一项目重复推荐"
