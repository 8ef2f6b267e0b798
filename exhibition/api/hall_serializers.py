"""The JSON of the six halls and of the content halls' items (public; every field named)."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from competition.api.base import Serializer
from nominations.enums import ServiceField

from .. import hall_services, halls, selectors
from ..models import HallItem, HallItemFile


def file_url(request, name: str) -> str:
    url = reverse("exhibition:hall-file", args=[name.removeprefix(hall_services.PREFIX)])
    return request.build_absolute_uri(url) if request is not None else url


def item_page(request, item: HallItem) -> str:
    url = reverse("exhibition:hall-item", args=[item.hall, item.slug])
    return request.build_absolute_uri(url) if request is not None else url


class HallOut(serializers.Serializer):
    slug = serializers.CharField(help_text="展厅标识：prologue、organizations、projects、culture、policies、themes")
    name = serializers.CharField(help_text="展厅名称：序篇、组织展、项目展、文化展、制度展、主题展")
    intro = serializers.CharField(help_text="展厅简介")
    count = serializers.IntegerField(help_text="展出的展品或内容条数")


class HallsOut(serializers.Serializer):
    results = HallOut(many=True)


class HallItemsQuery(Serializer):
    """The filters of a hall. Unknown parameters are ignored."""

    year = serializers.IntegerField(required=False, min_value=1900, max_value=9999, label="年度")
    unit = serializers.RegexField(r"^[0-9A-Za-z_-]{1,16}$", required=False, label="单位代码")
    field = serializers.ChoiceField(required=False, choices=ServiceField.choices, label="服务领域")
    q = serializers.CharField(required=False, max_length=selectors.Q_MAX, label="关键词", help_text="按标题与正文搜索")
    page = serializers.IntegerField(required=False, min_value=1, label="页码")
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100, label="每页条数")


class PictureOut(serializers.Serializer):
    url = serializers.CharField()
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)


class LinkOut(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.CharField(help_text="http 或 https 网址")


class ItemUnitOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class HallItemListOut(serializers.Serializer):
    slug = serializers.CharField()
    hall = serializers.CharField(help_text="所在展厅的标识")
    title = serializers.CharField()
    summary = serializers.SerializerMethodField(help_text="摘要（未写摘要时取正文开头）")
    year = serializers.IntegerField(allow_null=True)
    unit = serializers.SerializerMethodField()
    field = serializers.CharField(help_text="服务领域，可为空")
    cover = serializers.SerializerMethodField(help_text="封面（第一张图片或视频封面），没有时为 null")
    page = serializers.SerializerMethodField(help_text="公开页面地址")
    published_at = serializers.DateTimeField()

    def get_summary(self, item: HallItem) -> str:
        return item.summary or item.body_text[:120]

    @extend_schema_field(ItemUnitOut(allow_null=True))
    def get_unit(self, item: HallItem) -> dict | None:
        return {"code": item.unit.code, "name": item.unit.name} if item.unit_id else None

    @extend_schema_field(PictureOut(allow_null=True))
    def get_cover(self, item: HallItem) -> dict | None:
        cover = halls.cover_of(item)
        if cover is None:
            return None
        return {"url": file_url(self.context.get("request"), cover.thumb), "width": None, "height": None}

    def get_page(self, item: HallItem) -> str:
        return item_page(self.context.get("request"), item)


class ItemImageOut(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.CharField(help_text="详情尺寸（JPEG，不含元数据）")
    thumbnail = serializers.CharField(help_text="列表尺寸")
    width = serializers.IntegerField()
    height = serializers.IntegerField()


class ItemDocumentOut(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.CharField(help_text="PDF 文件")
    size = serializers.IntegerField(help_text="字节")


class ItemVideoOut(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.CharField(help_text="MP4 视频")
    poster = serializers.CharField(help_text="封面（JPEG）")
    seconds = serializers.FloatField(help_text="时长（秒）")


class HallItemDetailOut(HallItemListOut):
    body_html = serializers.CharField(help_text="正文（由 Markdown 在服务器端生成并清洗过的 HTML）")
    images = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()
    videos = serializers.SerializerMethodField()
    links = LinkOut(many=True)

    def _files(self, item: HallItem, kind: str) -> list[HallItemFile]:
        return halls.item_files(item)[kind]

    @extend_schema_field(ItemImageOut(many=True))
    def get_images(self, item: HallItem) -> list[dict]:
        request = self.context.get("request")
        return [
            {"title": f.title, "url": file_url(request, f.name), "thumbnail": file_url(request, f.thumb),
             "width": f.width, "height": f.height}
            for f in self._files(item, "image")
        ]  # fmt: skip

    @extend_schema_field(ItemDocumentOut(many=True))
    def get_documents(self, item: HallItem) -> list[dict]:
        request = self.context.get("request")
        return [{"title": f.title, "url": file_url(request, f.name), "size": f.size} for f in self._files(item, "document")]

    @extend_schema_field(ItemVideoOut(many=True))
    def get_videos(self, item: HallItem) -> list[dict]:
        request = self.context.get("request")
        return [
            {"title": f.title, "url": file_url(request, f.name), "poster": file_url(request, f.thumb),
             "seconds": f.seconds}
            for f in self._files(item, "video")
        ]  # fmt: skip
