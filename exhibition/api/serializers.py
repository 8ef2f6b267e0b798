"""The shapes of the exhibition's JSON. The public ones name every field they
send: these lists *are* the whitelist (``tests/exhibition/test_public_api.py``
pins the exact keys)."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from competition.api.base import Serializer
from nominations.enums import ServiceField

from .. import figures as figure_text
from .. import renditions, selectors
from ..enums import ExhibitKind, ExhibitSource, ExhibitStatus
from ..models import Exhibit, ExhibitPhoto


def media_url(name: str) -> str:
    return reverse("exhibition:media", args=[name.removeprefix(renditions.PREFIX)])


class ImageOut(serializers.Serializer):
    url = serializers.CharField(help_text="图片地址（JPEG，内容哈希命名，可长期缓存）")
    width = serializers.IntegerField()
    height = serializers.IntegerField()


def image(request, name: str, width: int, height: int) -> dict:
    url = media_url(name)
    if request is not None:
        url = request.build_absolute_uri(url)
    return {"url": url, "width": width, "height": height}


class UnitOut(serializers.Serializer):
    code = serializers.CharField(source="unit_code", help_text="推荐单位代码（筛选参数 unit 用）")
    name = serializers.CharField(source="unit_name")


class AwardOut(serializers.Serializer):
    code = serializers.CharField(source="award_code", help_text="奖项代码（筛选参数 category 用）")
    name = serializers.CharField(source="award_name")


class PhotoOut(serializers.Serializer):
    caption = serializers.CharField()
    thumbnail = serializers.SerializerMethodField(help_text=f"列表尺寸（长边不超过 {renditions.LIST_MAX} 像素）")
    image = serializers.SerializerMethodField(help_text=f"详情尺寸（长边不超过 {renditions.DETAIL_MAX} 像素）")

    @extend_schema_field(ImageOut)
    def get_thumbnail(self, photo: ExhibitPhoto) -> dict:
        return image(self.context.get("request"), photo.thumb, photo.thumb_width, photo.thumb_height)

    @extend_schema_field(ImageOut)
    def get_image(self, photo: ExhibitPhoto) -> dict:
        return image(self.context.get("request"), photo.image, photo.image_width, photo.image_height)


class FigureOut(serializers.Serializer):
    label = serializers.CharField(help_text="数据名称，如“志愿服务时长”“清理非法小广告”")
    value = serializers.CharField(help_text="数值（十进制字符串，如 \"104100\"）")
    written = serializers.CharField(help_text="数字的写法，如“10.41万”“百万”")
    unit = serializers.CharField(help_text="单位，如“小时”“件”")
    prefix = serializers.CharField(help_text="前缀，如“近”")
    suffix = serializers.CharField(help_text="后缀，如“余”")
    approximate = serializers.BooleanField(help_text="是否约数（带“近”“余”等）")
    display = serializers.CharField(help_text="完整写法，如“10.41万余小时”“近百万件”")
    as_of = serializers.CharField(help_text="截至时间：年（2022）、年月（2022-12）或日期（2022-12-31）")
    as_of_text = serializers.CharField(help_text="截至时间的中文写法，如“截至 2022年12月”")
    source = serializers.CharField(help_text="数据来源，如“太原志愿者”平台记录")


SOURCE_HELP = "展品来源：award 本系统表彰的获奖者；recommended 各区推荐的项目（未获表彰）；historic 本系统建立前的往年获奖者"


def _source_field():
    return serializers.ChoiceField(choices=ExhibitSource.values, help_text=SOURCE_HELP)


def _honour_year_field():
    return serializers.IntegerField(allow_null=True, help_text="获评年度；推荐项目未获表彰，为 null")


class _Figures(serializers.Serializer):
    @extend_schema_field(FigureOut(many=True))
    def get_figures(self, exhibit: Exhibit) -> list[dict]:
        return [figure_text.figure_json(f) for f in selectors.exhibit_figures(exhibit)]


def _figures_field():
    return serializers.SerializerMethodField(help_text="数据及其截至时间、来源、是否约数，按展出顺序")


def _cover_field():
    return serializers.SerializerMethodField(help_text="封面图（第一张展出照片的列表尺寸），无照片时为 null")


def _photos_field():
    return serializers.SerializerMethodField(help_text="展出的照片及说明，按展出顺序")


class _Cover(serializers.Serializer):
    @extend_schema_field(ImageOut(allow_null=True))
    def get_cover(self, exhibit: Exhibit) -> dict | None:
        photos = getattr(exhibit, "shown_photos", None)
        if photos is None:
            photos = selectors.exhibit_photos(exhibit)
        if not photos:
            return None
        first = photos[0]
        return image(self.context.get("request"), first.thumb, first.thumb_width, first.thumb_height)


class ProjectListOut(_Cover):
    slug = serializers.CharField()
    title = serializers.CharField(help_text="项目名称")
    organization = serializers.CharField(help_text="实施单位")
    unit = UnitOut(source="*", help_text="推荐单位")
    field = serializers.CharField(help_text="服务领域")
    award = AwardOut(source="*", help_text="所获表彰（推荐项目为“推荐项目”）")
    year = serializers.IntegerField(help_text="年度")
    cover = _cover_field()
    source = _source_field()
    honour_year = _honour_year_field()


class OrganizationListOut(_Cover):
    slug = serializers.CharField()
    name = serializers.CharField(source="title", help_text="组织名称")
    unit = UnitOut(source="*", help_text="推荐单位")
    award = AwardOut(source="*", help_text="所获表彰（推荐项目为“推荐项目”）")
    year = serializers.IntegerField(help_text="年度")
    cover = _cover_field()
    source = _source_field()
    honour_year = _honour_year_field()


class _Photos(_Figures):
    @extend_schema_field(PhotoOut(many=True))
    def get_photos(self, exhibit: Exhibit) -> list[dict]:
        photos = getattr(exhibit, "shown_photos", None)
        if photos is None:
            photos = selectors.exhibit_photos(exhibit)
        return PhotoOut(photos, many=True, context=self.context).data


class ProjectDetailOut(_Photos):
    slug = serializers.CharField()
    title = serializers.CharField(help_text="项目名称")
    organization = serializers.CharField(help_text="实施单位")
    unit = UnitOut(source="*", help_text="推荐单位")
    field = serializers.CharField(help_text="服务领域")
    years_running = serializers.IntegerField(allow_null=True, help_text="运行年限（年）")
    volunteers = serializers.IntegerField(allow_null=True, help_text="志愿者人数")
    service_hours = serializers.IntegerField(allow_null=True, help_text="累计服务时长（小时）")
    activities = serializers.IntegerField(allow_null=True, help_text="活动次数")
    beneficiaries = serializers.IntegerField(allow_null=True, help_text="受益人数（人次）")
    introduction = serializers.CharField(help_text="项目简介（不超过 300 字）")
    photos = _photos_field()
    award = AwardOut(source="*", help_text="所获表彰（推荐项目为“推荐项目”）")
    year = serializers.IntegerField(help_text="年度")
    source = _source_field()
    honour_year = _honour_year_field()
    figures = _figures_field()
    certificate_url = serializers.SerializerMethodField(help_text="荣誉证书在线查验页的地址，尚未颁发时为 null")

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_certificate_url(self, exhibit: Exhibit) -> str | None:
        certificate = selectors.certificate_of(exhibit)
        return certificate.verify_url if certificate is not None else None


class OrganizationDetailOut(_Photos):
    slug = serializers.CharField()
    name = serializers.CharField(source="title", help_text="组织名称")
    unit = UnitOut(source="*", help_text="推荐单位")
    founded = serializers.DateField(source="founded_on", allow_null=True, help_text="成立时间")
    volunteers = serializers.IntegerField(allow_null=True, help_text="注册志愿者人数")
    service_hours = serializers.IntegerField(allow_null=True, help_text="累计服务时长（小时）")
    activities = serializers.IntegerField(allow_null=True, help_text="活动次数")
    brand_projects = serializers.ListField(child=serializers.CharField(), help_text="品牌项目")
    introduction = serializers.CharField(help_text="组织简介（不超过 300 字）")
    photos = _photos_field()
    award = AwardOut(source="*", help_text="所获表彰（推荐项目为“推荐项目”）")
    year = serializers.IntegerField(help_text="年度")
    source = _source_field()
    honour_year = _honour_year_field()
    figures = _figures_field()


class PersonListOut(_Cover):
    slug = serializers.CharField()
    name = serializers.CharField(source="title", help_text="姓名")
    unit = UnitOut(source="*", help_text="推荐单位")
    award = AwardOut(source="*", help_text="所获表彰")
    year = serializers.IntegerField(help_text="年度")
    cover = _cover_field()
    source = _source_field()
    honour_year = _honour_year_field()


class PersonDetailOut(_Photos):
    slug = serializers.CharField()
    name = serializers.CharField(source="title", help_text="姓名")
    unit = UnitOut(source="*", help_text="推荐单位")
    introduction = serializers.CharField(help_text="事迹简介")
    photos = _photos_field()
    award = AwardOut(source="*", help_text="所获表彰")
    year = serializers.IntegerField(help_text="年度")
    source = _source_field()
    honour_year = _honour_year_field()
    figures = _figures_field()


class CommunityListOut(PersonListOut):
    name = serializers.CharField(source="title", help_text="社区名称")


class CommunityDetailOut(PersonDetailOut):
    name = serializers.CharField(source="title", help_text="社区名称")
    introduction = serializers.CharField(help_text="社区简介")


LIST_OUT = {
    ExhibitKind.PROJECT: ProjectListOut,
    ExhibitKind.ORGANIZATION: OrganizationListOut,
    ExhibitKind.PERSON: PersonListOut,
    ExhibitKind.COMMUNITY: CommunityListOut,
}
DETAIL_OUT = {
    ExhibitKind.PROJECT: ProjectDetailOut,
    ExhibitKind.ORGANIZATION: OrganizationDetailOut,
    ExhibitKind.PERSON: PersonDetailOut,
    ExhibitKind.COMMUNITY: CommunityDetailOut,
}


class YearOut(serializers.Serializer):
    year = serializers.IntegerField()
    projects = serializers.IntegerField(help_text="项目展的展品数")
    organizations = serializers.IntegerField(help_text="组织展的展品数")


class YearsOut(serializers.Serializer):
    years = YearOut(many=True, help_text="有展品的年度，新的在前")


class HallQuery(Serializer):
    """The filters of a hall. Unknown parameters are ignored."""

    year = serializers.IntegerField(required=False, min_value=1900, max_value=9999, label="年度")
    unit = serializers.CharField(required=False, max_length=16, label="推荐单位代码")
    category = serializers.CharField(required=False, max_length=8, label="奖项代码")
    field = serializers.ChoiceField(
        required=False, choices=ServiceField.choices, label="服务领域",
        help_text="服务领域（项目展；组织展的展品没有服务领域）",
    )
    q = serializers.CharField(required=False, max_length=selectors.Q_MAX, label="关键词", help_text="按名称、单位、简介搜索")
    page = serializers.IntegerField(required=False, min_value=1, label="页码")
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100, label="每页条数")


# --------------------------------------------------------------------------- office


class OfficePhotoOut(serializers.ModelSerializer):
    thumbnail = serializers.SerializerMethodField()

    class Meta:
        model = ExhibitPhoto
        fields = ["id", "caption", "order", "shown", "thumbnail"]

    def get_thumbnail(self, photo: ExhibitPhoto) -> str:
        return media_url(photo.thumb)


class OfficeExhibitOut(serializers.ModelSerializer):
    photos = OfficePhotoOut(many=True, read_only=True)
    field = serializers.ChoiceField(choices=ServiceField.choices, allow_blank=True, read_only=True, label="服务领域")
    status = serializers.ChoiceField(choices=ExhibitStatus.choices)
    kind = serializers.ChoiceField(choices=ExhibitKind.choices)

    class Meta:
        model = Exhibit
        fields = [
            "id", "kind", "slug", "status", "withdrawn_reason", "withdrawn_at", "year", "award_code",
            "award_name", "unit_code", "unit_name", "nomination", "title", "organization", "field",
            "years_running", "volunteers", "service_hours", "activities", "beneficiaries",
            "founded_on", "brand_projects", "introduction", "photos", "published_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class ExhibitUpdateIn(Serializer):
    """The office's edit of an exhibit: any of these fields (the service checks which fit the hall)."""

    title = serializers.CharField(required=False, max_length=100, label="名称")
    organization = serializers.CharField(required=False, allow_blank=True, max_length=100, label="实施单位")
    field = serializers.ChoiceField(required=False, allow_blank=True, choices=ServiceField.choices, label="服务领域")
    years_running = serializers.IntegerField(required=False, allow_null=True, min_value=0, label="运行年限")
    volunteers = serializers.IntegerField(required=False, allow_null=True, min_value=0, label="志愿者人数")
    service_hours = serializers.IntegerField(required=False, allow_null=True, min_value=0, label="累计服务时长")
    activities = serializers.IntegerField(required=False, allow_null=True, min_value=0, label="活动次数")
    beneficiaries = serializers.IntegerField(required=False, allow_null=True, min_value=0, label="受益人数")
    founded_on = serializers.DateField(required=False, allow_null=True, label="成立时间")
    brand_projects = serializers.ListField(
        required=False, child=serializers.CharField(max_length=100), label="品牌项目"
    )
    introduction = serializers.CharField(required=False, allow_blank=True, max_length=300, label="简介")


class WithdrawIn(Serializer):
    reason = serializers.CharField(max_length=500, label="撤下理由")


class RestoreIn(Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, label="理由")


class PhotoChoiceIn(Serializer):
    id = serializers.IntegerField(label="照片")
    caption = serializers.CharField(required=False, max_length=200, label="说明")
    shown = serializers.BooleanField(required=False, label="展出")


class PhotosIn(Serializer):
    photos = PhotoChoiceIn(many=True, label="照片")


class PublishOut(serializers.Serializer):
    created = serializers.IntegerField(help_text="本次新发布的展品数")
    kept = serializers.IntegerField(help_text="此前已发布、保持不变的展品数")
    withdrawn = serializers.IntegerField(help_text="已撤下、未重新发布的展品数")
    photos = serializers.IntegerField(help_text="本次生成展示图的照片数")
    warnings = serializers.ListField(child=serializers.CharField())
