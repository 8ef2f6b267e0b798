"""The 云展馆: the winners of a final competition as public exhibits.

Fields and constraints only; every write goes through ``services.py``.

- ``Exhibit``: one per final award of a project or organisation category. At
  publication the whitelisted fields are *copied* from the nomination (and
  the unit's and category's names from theirs): the exhibition never reads
  the nomination again, so the office edits an exhibit without touching the
  nomination, and nothing else of the nomination (drafts, scores, judges,
  contacts, phone numbers) can reach the public by accident. The slug is
  made once and never changes.
- ``ExhibitPhoto``: one photo of the nomination, with its caption and place,
  shown or not (the office chooses), and its two renditions (a list
  thumbnail and a detail size, JPEG, no metadata) made once at publication
  and stored under content-hashed names below ``MEDIA_ROOT/public/exhibition/``.
- ``source`` says where an exhibit comes from (``ExhibitSource``): an award made
  here (award and nomination set), a district's recommended project the office
  chose to show (nomination, no award, never labelled a winner), or a winner of
  a year before this system (neither; ``honour_year`` the year it was honoured).
  Check constraints keep each source honest.
- ``ExhibitFigure``: a figure of an exhibit with its context: the number, how it
  is written (近百万, 10.41万余), its unit, whether it is approximate, the date it
  is as of and its source.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length

from competition.models import Category, Competition, Unit
from judging.models import Award
from nominations.enums import ServiceField
from nominations.models import Attachment, Nomination
from nominations.validators import INTRODUCTION_MAX, validate_name_list

from .enums import AsOfPrecision, ExhibitKind, ExhibitSource, ExhibitStatus

models.CharField.register_lookup(Length)
models.TextField.register_lookup(Length)


class Exhibit(models.Model):
    """A winner (or a recommended project) on show in a hall of the 云展馆."""

    kind = models.CharField("展厅", max_length=16, choices=ExhibitKind.choices)
    source = models.CharField(
        "来源", max_length=16, choices=ExhibitSource.choices, default=ExhibitSource.AWARD
    )
    slug = models.SlugField("展品标识", max_length=40, unique=True, editable=False)
    competition = models.ForeignKey(
        Competition,
        on_delete=models.PROTECT,
        related_name="exhibits",
        verbose_name="推选活动",
        null=True,
        blank=True,
    )
    nomination = models.OneToOneField(
        Nomination,
        on_delete=models.PROTECT,
        related_name="exhibit",
        verbose_name="推荐",
        null=True,
        blank=True,
    )
    award = models.OneToOneField(
        Award, on_delete=models.PROTECT, related_name="exhibit", verbose_name="表彰", null=True, blank=True
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="+", verbose_name="奖项", null=True, blank=True
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name="推荐单位", null=True, blank=True
    )
    # The year the exhibit was honoured (an award's year, a historic winner's);
    # empty for a recommended project, which was not honoured.
    honour_year = models.PositiveIntegerField("获评年度", null=True, blank=True)

    # Copied at publication so that a public read needs no join.
    year = models.PositiveIntegerField("年度", db_index=True)
    award_code = models.CharField("奖项代码", max_length=8)
    award_name = models.CharField("奖项名称", max_length=100)
    unit_code = models.CharField("推荐单位代码", max_length=16)
    unit_name = models.CharField("推荐单位名称", max_length=100)
    category_order = models.PositiveSmallIntegerField(default=0, editable=False)
    unit_order = models.PositiveIntegerField(default=0, editable=False)

    # The whitelisted texts, copied from the nomination, edited by the office.
    title = models.CharField("名称", max_length=100)
    organization = models.CharField("实施单位", max_length=100, blank=True)
    field = models.CharField("服务领域", max_length=20, choices=ServiceField.choices, blank=True)
    years_running = models.PositiveSmallIntegerField("运行年限（年）", null=True, blank=True)
    volunteers = models.PositiveIntegerField("志愿者人数", null=True, blank=True)
    service_hours = models.PositiveIntegerField("累计服务时长（小时）", null=True, blank=True)
    activities = models.PositiveIntegerField("活动次数", null=True, blank=True)
    beneficiaries = models.PositiveBigIntegerField("受益人数（人次）", null=True, blank=True)
    founded_on = models.DateField("成立时间", null=True, blank=True)
    brand_projects = models.JSONField(
        "品牌项目", default=list, blank=True, validators=[validate_name_list]
    )
    introduction = models.TextField(f"简介（≤{INTRODUCTION_MAX}字）", blank=True)

    status = models.CharField(
        "状态", max_length=16, choices=ExhibitStatus.choices, default=ExhibitStatus.PUBLISHED
    )
    withdrawn_reason = models.TextField("撤下理由", blank=True)
    withdrawn_at = models.DateTimeField("撤下时间", null=True, blank=True)
    published_at = models.DateTimeField("发布时间")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Every change of an exhibit or of its photos moves this (the services save
    # the exhibit): it is the Last-Modified of the public responses.
    updated_at = models.DateTimeField("更新时间", auto_now=True, db_index=True)

    class Meta:
        ordering = ["-year", "category_order", "unit_order", "id"]
        verbose_name = verbose_name_plural = "展品"
        indexes = [
            models.Index(fields=["kind", "status", "year"], name="exhibit_hall_idx"),
        ]
        constraints = [
            models.CheckConstraint(name="exhibit_kind_valid", condition=Q(kind__in=ExhibitKind.values)),
            models.CheckConstraint(
                name="exhibit_status_valid", condition=Q(status__in=ExhibitStatus.values)
            ),
            models.CheckConstraint(
                name="exhibit_withdrawn_has_reason",
                condition=~Q(status=ExhibitStatus.WITHDRAWN)
                | (~Q(withdrawn_reason="") & Q(withdrawn_at__isnull=False)),
                violation_error_message="撤下展品必须写明理由。",
            ),
            models.CheckConstraint(
                name="exhibit_introduction_length",
                condition=Q(introduction__length__lte=INTRODUCTION_MAX),
                violation_error_message=f"简介不得超过 {INTRODUCTION_MAX} 字。",
            ),
            models.CheckConstraint(name="exhibit_title_present", condition=~Q(title="")),
            models.CheckConstraint(
                name="exhibit_source_valid", condition=Q(source__in=ExhibitSource.values)
            ),
            # Each source keeps its links honest.
            models.CheckConstraint(
                name="exhibit_source_links",
                condition=(
                    Q(
                        source=ExhibitSource.AWARD,
                        award__isnull=False,
                        nomination__isnull=False,
                        competition__isnull=False,
                        honour_year__isnull=False,
                    )
                    | Q(
                        source=ExhibitSource.RECOMMENDED,
                        award__isnull=True,
                        nomination__isnull=False,
                        competition__isnull=False,
                        honour_year__isnull=True,
                    )
                    | Q(
                        source=ExhibitSource.HISTORIC,
                        award__isnull=True,
                        nomination__isnull=True,
                        competition__isnull=True,
                        honour_year__isnull=False,
                    )
                ),
                violation_error_message=(
                    "展品来源与关联不符：本系统表彰须有表彰与推荐，推荐项目须有推荐且无表彰，往年表彰两者皆无。"
                ),
            ),
            models.CheckConstraint(
                name="exhibit_historic_year",
                condition=~Q(source=ExhibitSource.HISTORIC) | Q(honour_year=models.F("year")),
                violation_error_message="往年表彰的展品：获评年度即展出年度。",
            ),
            models.CheckConstraint(
                name="exhibit_year_range", condition=Q(year__gte=1949) & Q(year__lte=9999)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"

    @property
    def is_recommended(self) -> bool:
        return self.source == ExhibitSource.RECOMMENDED

    @property
    def is_historic(self) -> bool:
        return self.source == ExhibitSource.HISTORIC

    @property
    def is_published(self) -> bool:
        return self.status == ExhibitStatus.PUBLISHED


class ExhibitPhoto(models.Model):
    """A photo of an exhibit: caption, place, shown or not, and its two renditions."""

    exhibit = models.ForeignKey(
        Exhibit, on_delete=models.CASCADE, related_name="photos", verbose_name="展品"
    )
    source = models.ForeignKey(
        Attachment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="来源附件",
    )
    caption = models.CharField("说明", max_length=200)
    order = models.PositiveSmallIntegerField("排序", default=0)
    shown = models.BooleanField("展出", default=True)
    # Storage names below MEDIA_ROOT ("public/exhibition/ab/ab….jpg").
    thumb = models.CharField("列表图", max_length=200, db_index=True, editable=False)
    thumb_width = models.PositiveIntegerField(editable=False)
    thumb_height = models.PositiveIntegerField(editable=False)
    image = models.CharField("详情图", max_length=200, db_index=True, editable=False)
    image_width = models.PositiveIntegerField(editable=False)
    image_height = models.PositiveIntegerField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["exhibit", "order", "id"]
        verbose_name = verbose_name_plural = "展品照片"
        constraints = [
            models.UniqueConstraint(
                fields=["exhibit", "source"],
                condition=Q(source__isnull=False),
                name="exhibit_photo_source_once",
            ),
            models.CheckConstraint(name="exhibit_photo_has_caption", condition=~Q(caption="")),
        ]

    def __str__(self) -> str:
        return self.caption


class ExhibitFigure(models.Model):
    """A figure of an exhibit with its context (as of when, from which source, how exact).

    Shown as ``prefix + written + suffix + unit`` (近 + 百万 + 件; 10.41万 + 余 + 小时),
    where ``written`` is the number as the source writes it, or else ``value``
    formatted; ``value`` is the number itself, for machines.
    """

    exhibit = models.ForeignKey(
        Exhibit, on_delete=models.CASCADE, related_name="figures", verbose_name="展品"
    )
    order = models.PositiveSmallIntegerField("排序", default=0)
    label = models.CharField("名称", max_length=40)
    value = models.DecimalField("数值", max_digits=14, decimal_places=2)
    written = models.CharField("写法", max_length=20, blank=True, help_text="数字的写法，如“百万”“10.41万”；空则按数值显示")
    unit = models.CharField("单位", max_length=10, blank=True)
    prefix = models.CharField("前缀", max_length=4, blank=True, help_text="如“近”“约”“超”")
    suffix = models.CharField("后缀", max_length=4, blank=True, help_text="如“余”“多”")
    approximate = models.BooleanField("约数", default=False)
    as_of = models.DateField("截至")
    as_of_precision = models.CharField(
        "截至精度", max_length=8, choices=AsOfPrecision.choices, default=AsOfPrecision.MONTH
    )
    source = models.CharField("来源", max_length=100)

    class Meta:
        ordering = ["exhibit", "order", "id"]
        verbose_name = verbose_name_plural = "展品数据"
        constraints = [
            models.CheckConstraint(name="figure_label_present", condition=~Q(label="")),
            models.CheckConstraint(name="figure_source_present", condition=~Q(source="")),
            models.CheckConstraint(name="figure_value_not_negative", condition=Q(value__gte=0)),
            models.CheckConstraint(
                name="figure_precision_valid", condition=Q(as_of_precision__in=AsOfPrecision.values)
            ),
            # 近 / 余 mean the number is not exact: the flag must say so.
            models.CheckConstraint(
                name="figure_hedged_is_approximate",
                condition=(Q(prefix="") & Q(suffix="")) | Q(approximate=True),
                violation_error_message="带“近”“余”等字样的数据必须标为约数。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.display}"

    @property
    def number_text(self) -> str:
        from .figures import format_number

        return self.written or format_number(self.value)

    @property
    def display(self) -> str:
        return f"{self.prefix}{self.number_text}{self.suffix}{self.unit}"

    @property
    def as_of_text(self) -> str:
        from .figures import as_of_text

        return as_of_text(self.as_of, self.as_of_precision)
