"""The API of the office console's assignment changes (the same services as its pages).

``POST /api/v1/rounds/{id}/assignments/auto/preview/``: what automatic assignment would do (writes nothing);
``POST /api/v1/rounds/{id}/withdraw-judge/``: withdraw a judge from the round;
``POST /api/v1/assignments/{id}/replace/``: another judge takes over one assignment;
``POST /api/v1/assignments/{id}/reassign/``: move a nomination away from a judge (移出并另行安排评委);
``POST /api/v1/assignments/{id}/scorecard/exclude/``: a submitted scorecard no longer counts;
``POST /api/v1/categories/{id}/panel/``: set a category's panel (评审组).
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from competition.api.base import Serializer
from competition.api.permissions import RulesPermission
from competition.api.views import ERROR
from competition.enums import Role
from competition.models import Category, Round, User
from competition.rules import can_read_all

from .. import selectors, services
from .serializers import AssignmentListSerializer


def _judges():
    return User.objects.filter(role=Role.JUDGE)


def _validated(serializer_class, request) -> dict:
    """The request's body checked by ``serializer_class`` (400 with the fields' Chinese errors)."""
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data


class PreviewSerializer(Serializer):
    seed = serializers.IntegerField(label="随机种子", required=False, allow_null=True, default=None)
    judges_per_nomination = serializers.IntegerField(
        label="每件评委数", required=False, allow_null=True, default=None, min_value=1, max_value=50
    )


class JudgeReasonSerializer(Serializer):
    judge = serializers.PrimaryKeyRelatedField(label="评委", queryset=_judges())
    reason = serializers.CharField(label="理由", allow_blank=True, required=False, default="")


class RoundWithdrawSerializer(JudgeReasonSerializer):
    exclude_submitted = serializers.BooleanField(label="排除已提交的评分表", required=False, default=False)


class OptionalReasonSerializer(Serializer):
    reason = serializers.CharField(label="理由", allow_blank=True, required=False, default="")


class PanelSerializer(Serializer):
    judges = serializers.PrimaryKeyRelatedField(label="评审组", queryset=_judges(), many=True)


REFILLED = inline_serializer(
    "Refilled",
    {
        "removed": serializers.IntegerField(),
        "excluded": serializers.IntegerField(),
        "kept": serializers.IntegerField(),
        "added": serializers.ListField(child=serializers.DictField()),
        "short": serializers.ListField(child=serializers.DictField()),
    },
)
PLAN = inline_serializer(
    "AssignmentPlan",
    {
        "seed": serializers.IntegerField(allow_null=True),
        "judges_per_nomination": serializers.IntegerField(),
        "fingerprint": serializers.CharField(),
        "created": serializers.IntegerField(),
        "per_judge": serializers.ListField(child=serializers.DictField()),
        "avoided": serializers.ListField(child=serializers.DictField()),
        "short": serializers.ListField(child=serializers.DictField()),
    },
)


def plan_data(plan) -> dict:
    new: dict[int, int] = {}
    for judge_id, _nomination in plan.new_pairs:
        new[judge_id] = new.get(judge_id, 0) + 1
    return {
        "seed": plan.seed,
        "judges_per_nomination": plan.need,
        "fingerprint": plan.fingerprint,
        "created": len(plan.new_pairs),
        "per_judge": [
            {"judge": j, "username": plan.names[j], "before": plan.before[j], "new": new.get(j, 0), "after": plan.load[j]}
            for j in sorted(plan.load, key=lambda j: plan.names[j])
        ],
        "avoided": [{k: v for k, v in row.items()} for row in plan.avoided],
        "short": plan.short,
    }


class RoundConsoleViewSet(viewsets.GenericViewSet):
    queryset = Round.objects.select_related("competition")
    permission_classes = [RulesPermission]
    permission_rules = {"preview": "judging.manage_assignments", "withdraw_judge": "judging.manage_assignments"}

    @extend_schema(request=PreviewSerializer, responses={200: PLAN, 409: ERROR}, summary="预览自动分配（不保存）")
    @action(detail=True, methods=["post"], url_path="assignments/auto/preview")
    def preview(self, request, pk=None):
        data = _validated(PreviewSerializer, request)
        plan = services.assignments_auto_preview(actor=request.user, round_=self.get_object(), **data)
        return Response(plan_data(plan))

    @extend_schema(request=RoundWithdrawSerializer, responses={200: REFILLED, 400: ERROR, 409: ERROR}, summary="评委退出本轮评审")
    @action(detail=True, methods=["post"], url_path="withdraw-judge")
    def withdraw_judge(self, request, pk=None):
        data = _validated(RoundWithdrawSerializer, request)
        result = services.judge_withdraw_round(actor=request.user, round_=self.get_object(), **data)
        return Response(result.as_dict())


class AssignmentConsoleViewSet(viewsets.GenericViewSet):
    permission_classes = [RulesPermission]
    permission_rules = {
        "replace": "judging.manage_assignments",
        "reassign": "judging.manage_assignments",
        "exclude": "judging.manage_assignments",
    }

    def get_queryset(self):
        return selectors.assignment_list(user=self.request.user)

    @extend_schema(
        request=JudgeReasonSerializer, responses={200: AssignmentListSerializer, 400: ERROR, 409: ERROR}, summary="替换评委"
    )
    @action(detail=True, methods=["post"])
    def replace(self, request, pk=None):
        data = _validated(JudgeReasonSerializer, request)
        new = services.assignment_replace(actor=request.user, assignment=self.get_object(), **data)
        new = self.get_queryset().get(pk=new.pk)
        return Response(AssignmentListSerializer(new, context={"request": request, "viewer": request.user}).data)

    @extend_schema(request=OptionalReasonSerializer, responses={200: REFILLED, 409: ERROR}, summary="移出并另行安排评委")
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        data = _validated(OptionalReasonSerializer, request)
        result = services.assignment_reassign(actor=request.user, assignment=self.get_object(), **data)
        return Response(result.as_dict())

    @extend_schema(request=OptionalReasonSerializer, responses={200: REFILLED, 400: ERROR, 409: ERROR}, summary="排除已提交的评分表")
    @action(detail=True, methods=["post"], url_path="scorecard/exclude")
    def exclude(self, request, pk=None):
        data = _validated(OptionalReasonSerializer, request)
        result = services.scorecard_exclude(actor=request.user, assignment=self.get_object(), **data)
        return Response(result.as_dict())


class CategoryPanelViewSet(viewsets.GenericViewSet):
    permission_classes = [RulesPermission]
    permission_rules = {"panel": "judging.set_panels"}

    def get_queryset(self):
        if not can_read_all(self.request.user):
            return Category.objects.none()
        return Category.objects.all()

    @extend_schema(
        request=PanelSerializer,
        responses={200: inline_serializer("Panel", {"judges": serializers.ListField(child=serializers.IntegerField())})},
        summary="设置评审组（空列表：全部在库评委）",
    )
    @action(detail=True, methods=["post"])
    def panel(self, request, pk=None):
        data = _validated(PanelSerializer, request)
        members = services.panel_set(actor=request.user, category=self.get_object(), judges=data["judges"])
        return Response({"judges": sorted(m.judge_id for m in members)})
