from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404 as drf_get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from competition.api.permissions import RulesPermission
from competition.api.views import ERROR
from competition.exceptions import NotFound
from competition.models import Competition, Round
from nominations.models import Nomination

from .. import selectors, services
from ..enums import AssignmentStatus
from ..models import Assignment
from .serializers import (
    AssignmentCreateSerializer,
    AssignmentDetailSerializer,
    AssignmentListSerializer,
    AutoAssignSerializer,
    ReasonSerializer,
    ScorecardSaveSerializer,
    ScorecardSerializer,
)

AUTO_SUMMARY = inline_serializer(
    "AutoAssignSummary",
    {
        "created": serializers.IntegerField(),
        "per_judge": serializers.DictField(child=serializers.IntegerField()),
        "short": serializers.ListField(child=serializers.DictField()),
    },
)
SCORECARD = inline_serializer(
    "Scorecard",
    {
        "id": serializers.IntegerField(allow_null=True),
        "status": serializers.CharField(),
        "scores": serializers.DictField(child=serializers.FloatField()),
        "comment": serializers.CharField(),
        "total": serializers.DecimalField(max_digits=6, decimal_places=2),
        "version": serializers.IntegerField(),
        "submitted_at": serializers.DateTimeField(allow_null=True),
        "updated_at": serializers.DateTimeField(allow_null=True),
    },
)


class PledgeView(APIView):
    """A judge signs the competition's integrity pledge (承诺书)."""

    permission_classes = [RulesPermission]
    permission_rules = {"post": "judging.pledge"}

    @extend_schema(
        request=None,
        responses={
            200: inline_serializer(
                "Pledge", {"competition": serializers.IntegerField(), "accepted_at": serializers.DateTimeField()}
            ),
            403: ERROR,
            404: ERROR,
        },
        summary="签署评审承诺书",
    )
    def post(self, request, pk):
        competition = get_object_or_404(Competition, pk=pk)
        pledge = services.pledge_accept(judge=request.user, competition=competition)
        accepted_at = serializers.DateTimeField().to_representation(pledge.accepted_at)
        return Response({"competition": competition.pk, "accepted_at": accepted_at})


class RoundViewSet(viewsets.GenericViewSet):
    queryset = Round.objects.select_related("competition")
    permission_classes = [RulesPermission]
    permission_rules = {
        "auto_assign": "judging.auto_assign",
        "progress": "judging.view_progress",
        "conflicts": "judging.view_conflicts",
    }

    @extend_schema(request=AutoAssignSerializer, responses={200: AUTO_SUMMARY, 409: ERROR}, summary="自动分配评委")
    @action(detail=True, methods=["post"], url_path="assignments/auto")
    def auto_assign(self, request, pk=None):
        round_ = self.get_object()
        data = AutoAssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        summary = services.assignments_auto(actor=request.user, round_=round_, **data.validated_data)
        return Response(summary.as_dict())

    @extend_schema(
        responses={200: inline_serializer("Progress", {"round": serializers.IntegerField()})},
        summary="评审进度",
    )
    @action(detail=True, methods=["get"])
    def progress(self, request, pk=None):
        return Response(selectors.round_progress(round_=self.get_object()))

    @extend_schema(
        responses={200: inline_serializer("ConflictRow", {"assignment": serializers.IntegerField()}, many=True)},
        summary="回避冲突报告",
    )
    @action(detail=True, methods=["get"])
    def conflicts(self, request, pk=None):
        return Response(selectors.conflict_report(round_=self.get_object()))


class AssignmentFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=AssignmentStatus.choices, label="状态")

    class Meta:
        model = Assignment
        fields = ["round", "judge", "nomination", "status"]


class AssignmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [RulesPermission]
    permission_rules = {
        "list": "judging.view_assignment",
        "retrieve": "judging.view_assignment",
        "create": "judging.add_assignment",
        "destroy": "judging.delete_assignment",
        "scorecard": "judging.score_assignment",
        "scorecard_submit": "judging.score_assignment",
        "scorecard_unlock": "judging.unlock_assignment",
    }
    filterset_class = AssignmentFilter

    def get_queryset(self):
        return selectors.assignment_list(user=self.request.user)

    def get_serializer_class(self):
        return AssignmentDetailSerializer if self.action == "retrieve" else AssignmentListSerializer

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "viewer": self.request.user}

    @extend_schema(request=AssignmentCreateSerializer, responses={201: AssignmentListSerializer, 409: ERROR})
    def create(self, request, *args, **kwargs):
        data = AssignmentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = services.assignment_add(
            actor=request.user,
            round_=data.validated_data["round"],
            judge=data.validated_data["judge"],
            nomination=data.validated_data["nomination"],
        )
        assignment = self.get_queryset().get(pk=assignment.pk)
        return Response(
            AssignmentListSerializer(assignment, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(responses={204: None, 409: ERROR})
    def destroy(self, request, *args, **kwargs):
        services.assignment_remove(actor=request.user, assignment=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _for_scoring(self) -> Assignment:
        """The assignment to score, narrow: the same visibility (404) and object permission
        (403) as ``get_object``, without its joins and prefetches; the service reads and
        locks what it needs in one statement."""
        if self.request.user.is_judge:
            # A judge may score only their own assignments: the service's locked read answers
            # 404 for any other (``require(..., hidden=True)``), as this queryset would.
            pk = self.kwargs["pk"]
            if not pk.isascii() or not pk.isdigit() or len(pk) > 18:
                raise NotFound()
            return Assignment(pk=int(pk))
        queryset = self.get_queryset().select_related(None).prefetch_related(None).only("id", "judge_id", "round_id")
        assignment = drf_get_object_or_404(queryset, pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, assignment)
        return assignment

    @extend_schema(request=ScorecardSaveSerializer, responses={200: SCORECARD, 400: ERROR, 409: ERROR}, summary="保存评分草稿")
    @action(detail=True, methods=["put"])
    def scorecard(self, request, pk=None):
        assignment = self._for_scoring()
        data = ScorecardSaveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        card = services.scorecard_save(
            judge=request.user,
            assignment=assignment,
            scores=data.validated_data["scores"],
            comment=data.validated_data["comment"],
            version=data.validated_data["version"],
        )
        # Answer from the card the service saved: no second load of the assignment.
        return Response(ScorecardSerializer(card).data)

    @extend_schema(request=None, responses={200: SCORECARD, 400: ERROR, 409: ERROR}, summary="提交评分")
    @action(detail=True, methods=["post"], url_path="scorecard/submit")
    def scorecard_submit(self, request, pk=None):
        assignment = self._for_scoring()
        card = services.scorecard_submit(judge=request.user, assignment=assignment)
        return Response(ScorecardSerializer(card).data)

    @extend_schema(request=ReasonSerializer, responses={200: SCORECARD, 400: ERROR, 409: ERROR}, summary="解锁评分表")
    @action(detail=True, methods=["post"], url_path="scorecard/unlock")
    def scorecard_unlock(self, request, pk=None):
        assignment = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        card = services.scorecard_unlock(
            actor=request.user, assignment=assignment, reason=data.validated_data["reason"]
        )
        return Response(ScorecardSerializer(card).data)


class ConflictView(APIView):
    """A judge declares a conflict of interest with a nomination assigned to them."""

    permission_classes = [RulesPermission]
    permission_rules = {"post": "judging.declare_conflict"}

    @extend_schema(
        request=ReasonSerializer,
        responses={201: inline_serializer("ConflictDeclared", {"nomination": serializers.IntegerField(), "released": serializers.IntegerField()}), 404: ERROR},
        summary="申明回避",
    )
    def post(self, request, pk):
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        nomination = Nomination.objects.filter(pk=pk).first()  # a pk lookup is safe for any integer
        if nomination is None:
            raise NotFound()
        # The service answers 404 unless the nomination is assigned to this judge.
        result = services.conflict_declare(
            judge=request.user, nomination=nomination, reason=data.validated_data["reason"]
        )
        return Response({"nomination": pk, "released": result.released}, status=status.HTTP_201_CREATED)
