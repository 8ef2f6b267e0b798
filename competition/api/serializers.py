"""Serializers of the competition API: they validate and shape, services act."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from rest_framework import serializers

from ..enums import AggregationMethod, CategoryKind, EligibilityRule, Phase
from ..models import AuditEntry, Category, Competition, Criterion, Issuer, JudgeProfile, Round, Unit
from ..phases import nominations_window_refusal, rubric_total
from .base import Serializer


class TokenRequestSerializer(Serializer):
    username = serializers.CharField(label="用户名", max_length=150)
    password = serializers.CharField(label="密码", max_length=128, trim_whitespace=False)


class PasswordChangeSerializer(Serializer):
    old_password = serializers.CharField(label="原密码", max_length=128, trim_whitespace=False)
    new_password = serializers.CharField(label="新密码", max_length=128, trim_whitespace=False)


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "code", "name", "short_name", "kind", "order"]


# --------------------------------------------------------------------------- input


class CriterionInSerializer(Serializer):
    name = serializers.CharField(label="评分项名称", max_length=50)
    max_points = serializers.DecimalField(
        label="满分", max_digits=5, decimal_places=1, min_value=Decimal("0.5")
    )
    weight = serializers.DecimalField(
        label="权重", max_digits=5, decimal_places=2, min_value=Decimal("0.01"), default=Decimal("1")
    )
    guidance = serializers.CharField(label="评分要点", allow_blank=True, default="")


class CategoryInSerializer(Serializer):
    code = serializers.RegexField(
        r"^[A-Z][A-Z0-9]{0,7}$",
        label="奖项代码",
        error_messages={"invalid": "奖项代码应为 1–8 位大写字母或数字，以字母开头，如 XM。"},
    )
    name = serializers.CharField(label="奖项名称", max_length=100)
    kind = serializers.ChoiceField(label="奖项类型", choices=CategoryKind.choices)
    award_quota = serializers.IntegerField(label="表彰名额", min_value=1)
    nomination_quota_per_unit = serializers.IntegerField(label="每单位推荐名额", min_value=1)
    min_years_running = serializers.IntegerField(label="最少运行年限", min_value=0, default=0)
    min_volunteers = serializers.IntegerField(label="最少志愿者人数", min_value=0, default=0)
    exclude_past_winners = serializers.BooleanField(label="往年获奖者不得推荐", default=True)
    hard_rules = serializers.ListField(
        label="硬性资格条件",
        child=serializers.ChoiceField(choices=EligibilityRule.choices),
        default=list,
    )
    criteria = CriterionInSerializer(label="评分标准", many=True)
    tie_break = serializers.ListField(
        label="同分比较项", child=serializers.CharField(max_length=50), default=list
    )


class RoundInSerializer(Serializer):
    name = serializers.CharField(label="轮次名称", max_length=50)
    method = serializers.ChoiceField(label="计分方法", choices=AggregationMethod.choices)
    trim_min_judges = serializers.IntegerField(label="去高低分最少评委数", min_value=3, default=5)
    judges_per_nomination = serializers.IntegerField(label="每件评委数", min_value=1, max_value=50)
    advance_per_category = serializers.IntegerField(
        label="每奖项晋级数", min_value=1, required=False, allow_null=True, default=None
    )
    weight = serializers.DecimalField(
        label="权重", max_digits=4, decimal_places=3, min_value=Decimal("0.001"), max_value=Decimal("1")
    )
    blind = serializers.BooleanField(label="隐去推荐单位", default=False)
    comment_required = serializers.BooleanField(label="必须填写评语", default=False)


class IssuerInSerializer(Serializer):
    name = serializers.CharField(label="颁发单位", max_length=100)


class CompetitionWriteSerializer(Serializer):
    year = serializers.IntegerField(label="年度", min_value=2000, max_value=2100)
    title = serializers.CharField(label="活动名称", max_length=200)
    certificate_wording = serializers.CharField(label="证书正文", allow_blank=True, required=False)
    nominations_open = serializers.DateTimeField(label="申报开始")
    nominations_close = serializers.DateTimeField(label="申报截止")
    judging_close = serializers.DateTimeField(label="评审截止")
    publicity_working_days = serializers.IntegerField(
        label="公示期（工作日）", min_value=1, max_value=30, default=5
    )
    holidays = serializers.ListField(label="节假日", child=serializers.DateField(), default=list)
    workdays = serializers.ListField(
        label="调休上班日",
        child=serializers.DateField(),
        default=list,
        help_text="调休上班的星期六或星期日；公示期按工作日计算时计入。",
    )
    issuers = IssuerInSerializer(label="颁发单位", many=True, default=list)
    categories = CategoryInSerializer(label="奖项", many=True)
    rounds = RoundInSerializer(label="评审轮次", many=True)

    def validate_categories(self, value):
        if not value:
            raise serializers.ValidationError("至少设置一个奖项。")
        return value

    def validate_rounds(self, value):
        if not value:
            raise serializers.ValidationError("至少设置一个评审轮次。")
        return value


class CompetitionPatchSerializer(CompetitionWriteSerializer):
    """Every top-level field optional (absent means unchanged); ``year`` cannot change.

    Not ``partial=True``: that would also make the fields *inside* a category,
    criterion or round optional, and a replacement category without its code
    would reach the service half-formed. Categories and rounds sent in a PATCH
    are whole and validated like on create.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("year")
        for field in self.fields.values():
            field.required = False
            field.default = serializers.empty

    def validate(self, attrs):
        unknown = set(self.initial_data) - set(self.fields)
        if "year" in unknown:
            raise serializers.ValidationError({"year": ["年度：创建后不能修改。"]})
        return attrs


class AdvanceSerializer(Serializer):
    to = serializers.ChoiceField(label="目标阶段", choices=Phase.choices)
    reason = serializers.CharField(label="说明", allow_blank=True, required=False, default="")


# --------------------------------------------------------------------------- output


class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Criterion
        fields = ["id", "name", "max_points", "weight", "guidance", "order"]


class CategorySerializer(serializers.ModelSerializer):
    criteria = CriterionSerializer(many=True, read_only=True)
    tie_break = serializers.SerializerMethodField()
    rubric_total = serializers.SerializerMethodField()

    class Meta:
        model = Category
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "order",
            "award_quota",
            "nomination_quota_per_unit",
            "min_years_running",
            "min_volunteers",
            "exclude_past_winners",
            "hard_rules",
            "criteria",
            "tie_break",
            "rubric_total",
        ]

    def get_tie_break(self, obj) -> list[str]:
        ranked = [c for c in obj.criteria.all() if c.tie_break_rank is not None]
        return [c.name for c in sorted(ranked, key=lambda c: c.tie_break_rank)]

    def get_rubric_total(self, obj) -> Decimal:
        return rubric_total(obj).quantize(Decimal("0.01"))


class RoundSerializer(serializers.ModelSerializer):
    class Meta:
        model = Round
        fields = [
            "id",
            "order",
            "name",
            "method",
            "trim_min_judges",
            "judges_per_nomination",
            "advance_per_category",
            "weight",
            "blind",
            "comment_required",
        ]


class IssuerSerializer(serializers.ModelSerializer):
    seal = serializers.SerializerMethodField()

    class Meta:
        model = Issuer
        fields = ["id", "name", "order", "seal"]

    def get_seal(self, obj) -> str | None:
        return obj.seal.url if obj.seal else None


class CompetitionSerializer(serializers.ModelSerializer):
    issuers = IssuerSerializer(many=True, read_only=True)
    categories = CategorySerializer(many=True, read_only=True)
    rounds = RoundSerializer(many=True, read_only=True)
    nominations_window_open = serializers.SerializerMethodField()

    class Meta:
        model = Competition
        fields = [
            "id",
            "year",
            "title",
            "phase",
            "certificate_wording",
            "nominations_open",
            "nominations_close",
            "judging_close",
            "nominations_window_open",
            "publicity_working_days",
            "holidays",
            "workdays",
            "issuers",
            "categories",
            "rounds",
        ]

    def get_nominations_window_open(self, obj) -> bool:
        return nominations_window_refusal(obj, timezone.now()) is None


class JudgeSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    unit = UnitSerializer(read_only=True, allow_null=True)

    class Meta:
        model = JudgeProfile
        fields = ["id", "user", "username", "name", "expertise", "unit", "organizations", "active"]


class AuditEntrySerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None, read_only=True, allow_null=True)

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "created_at",
            "actor",
            "actor_role",
            "action",
            "object_type",
            "object_id",
            "before",
            "after",
            "reason",
            "request_id",
            "client_address",
        ]
