"""Nomination API serializers. Field names are a contract with outside clients."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from competition.api.base import ModelSerializer, Serializer
from competition.models import Category, Competition

from .. import selectors
from ..enums import AttachmentKind, Decision, Status
from ..models import Attachment, Nomination
from ..services import EDITABLE_FIELDS
from ..validators import INTRODUCTION_MAX, SUMMARY_MAX

FORBIDDEN_INPUT = {
    "unit": "推荐单位：由系统按您的账号确定，不能在请求中指定。",
    "status": "状态：只能通过提交、撤回、审查等操作改变，不能直接指定。",
    "warnings": "资格提示：由系统生成，不能指定。",
    "years_running": "运行年限：由启动时间计算，不能指定。",
    "correct_by": "补正截止：由组委会办公室退回修改时确定，不能指定。",
}


class AttachmentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "id",
            "kind",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "caption",
            "order",
            "form_version",
            "width",
            "height",
            "created_at",
            "download_url",
            "thumbnail_url",
        ]

    def get_download_url(self, obj) -> str:
        return f"/api/v1/attachments/{obj.pk}/download/"

    def get_thumbnail_url(self, obj) -> str | None:
        return f"/api/v1/attachments/{obj.pk}/download/?thumbnail=1" if obj.thumbnail else None


class NominationResultSerializer(Serializer):
    """A nomination's result after 结果确定 (``null`` before)."""

    awarded = serializers.BooleanField(help_text="获评：true；未获评：false")
    award = serializers.CharField(allow_null=True, help_text="获评的奖项名称；未获评为 null")
    certificate = serializers.IntegerField(
        allow_null=True, help_text="已颁发的荣誉证书编号（id），可下载；尚未颁发或未获评为 null"
    )


class NominationSerializer(ModelSerializer):
    """Input and output of a nomination. ``unit`` and ``status`` are never accepted as input."""

    competition = serializers.PrimaryKeyRelatedField(
        label="推选活动", queryset=Competition.objects.all()
    )
    category = serializers.PrimaryKeyRelatedField(label="奖项", queryset=Category.objects.all())
    unit = serializers.PrimaryKeyRelatedField(read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    status = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    lapsed = serializers.SerializerMethodField(
        help_text="退回修改后未在补正截止前重新提交，已逾期未更正（状态 lapsed）。"
    )
    years_running = serializers.IntegerField(read_only=True, allow_null=True)
    warnings = serializers.JSONField(read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    media_links = serializers.ListField(
        label="媒体报道", child=serializers.URLField(label="媒体报道"), required=False
    )
    brand_projects = serializers.ListField(
        label="品牌项目", child=serializers.CharField(max_length=100), required=False
    )
    introduction = serializers.CharField(
        label="简介", max_length=INTRODUCTION_MAX, allow_blank=True, required=False
    )
    summary = serializers.CharField(
        label="概述", max_length=SUMMARY_MAX, allow_blank=True, required=False
    )
    version = serializers.IntegerField(
        label="版本", required=False, help_text="修改时带上读取到的版本，防止覆盖别处的修改。"
    )
    result = serializers.SerializerMethodField(
        help_text="评选结果：结果确定之前为 null；之后为 {awarded, award, certificate}。"
    )

    class Meta:
        model = Nomination
        fields = [
            "id",
            "competition",
            "category",
            "category_name",
            "unit",
            "unit_name",
            "status",
            "status_display",
            *[f for f in EDITABLE_FIELDS],
            "years_running",
            "warnings",
            "review_reason",
            "reviewed_at",
            "correct_by",
            "lapsed",
            "submitted_at",
            "created_at",
            "updated_at",
            "version",
            "attachments",
            "result",
        ]
        read_only_fields = [
            "review_reason", "reviewed_at", "correct_by", "submitted_at", "created_at", "updated_at"
        ]
        extra_kwargs = {"order": {"min_value": 1}}

    def get_lapsed(self, obj) -> bool:
        return obj.status == Status.LAPSED

    def validate(self, attrs):
        forced = {k: [v] for k, v in FORBIDDEN_INPUT.items() if k in self.initial_data}
        if forced:
            raise serializers.ValidationError(forced)
        if self.instance is not None:
            for name in ("competition", "category"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    label = "推选活动" if name == "competition" else "奖项"
                    raise serializers.ValidationError({name: [f"{label}：创建后不能修改。"]})
        return attrs

    @extend_schema_field(NominationResultSerializer(allow_null=True))
    def get_result(self, obj) -> dict | None:
        return selectors.nomination_result(obj)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if "warnings" in data:
            user = getattr(request, "user", None)
            # Without a reader (no request): the stored, neutral wording.
            data["warnings"] = (
                selectors.warnings_for(user=user, nomination=instance) if user else instance.warnings
            )
        return data


class ReviewSerializer(Serializer):
    decision = serializers.ChoiceField(
        label="审查结论",
        choices=Decision.choices,
        help_text="accept 通过；return 退回修改；reject 不予通过；reopen 撤销审查结论（回到已提交，须写理由，评审开始前）。",
    )
    reason = serializers.CharField(label="理由", allow_blank=True, required=False, default="")
    correct_by = serializers.DateField(
        label="补正截止",
        required=False,
        allow_null=True,
        default=None,
        help_text="仅退回修改时：推荐单位可修改并重新提交到这一天（含）为止；不填则为今天起第五个工作日（按本活动的工作日历）。",
    )


class WithdrawSerializer(Serializer):
    reason = serializers.CharField(label="理由", allow_blank=True, required=False, default="")


class AttachmentUploadSerializer(Serializer):
    file = serializers.FileField(label="文件")
    kind = serializers.ChoiceField(label="附件类型", choices=AttachmentKind.choices)
    caption = serializers.CharField(label="说明", max_length=200, allow_blank=True, required=False, default="")
