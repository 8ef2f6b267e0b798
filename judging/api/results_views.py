"""Rankings, aggregation jobs, 公示, objections and awards."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from competition.api.base import Serializer
from competition.api.permissions import RulesPermission, SameOriginBrowser
from competition.api.views import ERROR
from competition.exceptions import NotFound, ValidationFailed
from competition.middleware import client_address
from competition.models import Competition, Round
from nominations.models import Nomination

from .. import selectors
from ..enums import OFFLINE_CHANNELS, ObjectionStatus
from ..models import AggregationJob, Objection, Publicity, RankingSnapshot
from ..services import office, results


class MethodSerializer(Serializer):
    method = serializers.ChoiceField(
        label="计分方法",
        choices=["mean", "trimmed_mean", "median", "normalized"],
        required=False,
        allow_null=True,
        default=None,
    )


class NoticeSerializer(Serializer):
    """The notice printed above the 公示 list; a field left out takes the standard wording."""

    title = serializers.CharField(label="公示标题", required=False, allow_blank=True, max_length=200)
    intro = serializers.CharField(label="公示说明", required=False, allow_blank=True, max_length=2000)
    how_to_object = serializers.CharField(label="异议方式", required=False, allow_blank=True, max_length=2000)
    phone = serializers.CharField(label="联系电话", required=False, allow_blank=True, max_length=40)
    address = serializers.CharField(label="通讯地址", required=False, allow_blank=True, max_length=200)
    email = serializers.CharField(label="电子邮箱", required=False, allow_blank=True, max_length=254)
    issuers = serializers.ListField(
        label="落款单位", child=serializers.CharField(max_length=100), required=False, max_length=5
    )
    date = serializers.DateField(label="落款日期", required=False)


class PublicitySerializer(Serializer):
    working_days = serializers.IntegerField(label="公示期（工作日）", min_value=1, max_value=30, required=False)
    notice = NoticeSerializer(label="公示文件", required=False)


class ObjectionInSerializer(Serializer):
    competition = serializers.IntegerField(label="推选活动")
    nomination = serializers.IntegerField(label="公示对象")
    # Blank values reach the service, which names every missing field at once.
    name = serializers.CharField(label="姓名", max_length=30, allow_blank=True)
    phone = serializers.CharField(label="手机号码", max_length=20, allow_blank=True)
    content = serializers.CharField(label="异议内容", max_length=2000, allow_blank=True)


class ResolveSerializer(Serializer):
    decision = serializers.ChoiceField(
        label="处理结论", choices=[ObjectionStatus.UPHELD.value, ObjectionStatus.DISMISSED.value]
    )
    reason = serializers.CharField(label="处理意见", allow_blank=True)


class SpamSerializer(Serializer):
    reason = serializers.CharField(label="理由", allow_blank=True)


ENTRY_FIELDS = {
    "nomination": serializers.IntegerField(),
    "title": serializers.CharField(),
    "unit": serializers.CharField(),
    "category": serializers.CharField(),
    "score": serializers.CharField(),
    "rank": serializers.IntegerField(),
    "judges": serializers.IntegerField(),
    "tied": serializers.BooleanField(),
    "advances": serializers.BooleanField(),
    "proposed_winner": serializers.BooleanField(),
}
RANKING = inline_serializer(
    "Ranking",
    {
        "round": serializers.IntegerField(),
        "method": serializers.CharField(),
        "status": serializers.CharField(),
        "computed_at": serializers.DateTimeField(),
        "checksum": serializers.CharField(),
        "entries": inline_serializer("RankingEntry", ENTRY_FIELDS, many=True),
        "excluded_scorecards": inline_serializer(
            "ExcludedScorecard",
            {
                "nomination": serializers.IntegerField(),
                "title": serializers.CharField(),
                "judge": serializers.CharField(),
                "reason": serializers.CharField(),
                "in_snapshot": serializers.BooleanField(),
            },
            many=True,
        ),
    },
)
JOB = inline_serializer(
    "AggregationJob",
    {
        "id": serializers.IntegerField(),
        "round": serializers.IntegerField(),
        "method": serializers.CharField(),
        "status": serializers.CharField(),
        "done": serializers.IntegerField(),
        "total": serializers.IntegerField(),
        "snapshot": serializers.IntegerField(allow_null=True),
        "error": serializers.CharField(),
        "status_url": serializers.CharField(),
        "ranking_url": serializers.CharField(allow_null=True),
    },
)


def job_data(job: AggregationJob) -> dict:
    return {
        "id": job.pk,
        "round": job.round_id,
        "method": job.method,
        "status": job.status,
        "done": job.done,
        "total": job.total,
        "snapshot": job.snapshot_id,
        "error": job.error,
        "status_url": f"/api/v1/aggregation-jobs/{job.pk}/",
        "ranking_url": (
            f"/api/v1/rounds/{job.round_id}/ranking/?snapshot={job.snapshot_id}" if job.snapshot_id else None
        ),
    }


def ranking_data(snapshot: RankingSnapshot) -> dict:
    return {
        "round": snapshot.round_id,
        "method": snapshot.method,
        "status": "official" if snapshot.official else "trial",
        "computed_at": snapshot.computed_at,
        "checksum": snapshot.checksum,
        "entries": selectors.ranking_entries(snapshot=snapshot),
        "excluded_scorecards": excluded_data(snapshot),
    }


def excluded_data(snapshot: RankingSnapshot) -> list[dict]:
    """Scorecards voided by a 回避 (judge as the anonymous code); ``in_snapshot``: already left out of it."""
    codes = selectors.judge_codes(round_=snapshot.round)
    left_out = set((snapshot.parameters or {}).get("excluded_scorecards", []))
    return [
        {
            "nomination": row["nomination"],
            "title": row["title"],
            "judge": codes.get(row["judge"], "J??"),
            "reason": row["reason"],
            "in_snapshot": row["scorecard"] in left_out,
        }
        for row in selectors.conflicted_scorecards(round_=snapshot.round)
    ]


class RankingViewSet(viewsets.GenericViewSet):
    """Rankings of a round: for the office and observers only (anyone else: 404)."""

    permission_classes = [RulesPermission]
    permission_rules = {
        "aggregate": "judging.aggregate",
        "close": "judging.close_round",
        "ranking": "judging.view_ranking",
        "ranking_judges": "judging.view_ranking",
        "ranking_compare": "judging.view_ranking",
    }

    def get_queryset(self):
        if not self.request.user.has_perm("judging.view_ranking"):
            return Round.objects.none()
        return Round.objects.select_related("competition")

    @extend_schema(request=MethodSerializer, responses={202: JOB, 400: ERROR}, summary="计算排名（异步）")
    @action(detail=True, methods=["post"])
    def aggregate(self, request, pk=None):
        round_ = self.get_object()
        data = MethodSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = results.aggregation_request(actor=request.user, round_=round_, method=data.validated_data["method"])
        job.refresh_from_db()
        body = job_data(job)
        if job.status == "queued" and job.sent_at is None:
            body["message"] = "任务已记录，消息队列暂不可用，恢复后将自动计算。"
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["status_url"]})

    @extend_schema(request=None, responses={200: RANKING, 409: ERROR}, summary="结束本轮评审")
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        snapshot = results.round_close(actor=request.user, round_=self.get_object())
        return Response(ranking_data(snapshot))

    def _snapshot(self, round_: Round, request) -> RankingSnapshot:
        snapshot = selectors.ranking_snapshot(
            round_=round_,
            snapshot_id=request.query_params.get("snapshot"),
            method=request.query_params.get("method"),
        )
        if snapshot is None:
            raise NotFound("尚无该轮次的排名结果，请先计算。")
        return snapshot

    @extend_schema(
        parameters=[
            OpenApiParameter("method", str, description="某一计分方法的最新结果"),
            OpenApiParameter("snapshot", int, description="指定的排名快照"),
        ],
        responses={200: RANKING, 404: ERROR},
        summary="本轮排名",
    )
    @action(detail=True, methods=["get"])
    def ranking(self, request, pk=None):
        return Response(ranking_data(self._snapshot(self.get_object(), request)))

    @extend_schema(
        parameters=[OpenApiParameter("method", str), OpenApiParameter("snapshot", int)],
        responses={200: inline_serializer("JudgeDetail", {"judges": serializers.ListField()})},
        summary="按匿名评委编号的评分明细",
    )
    @action(detail=True, methods=["get"], url_path="ranking/judges")
    def ranking_judges(self, request, pk=None):
        snapshot = self._snapshot(self.get_object(), request)
        return Response(selectors.judge_breakdown(snapshot=snapshot))

    @extend_schema(
        parameters=[OpenApiParameter("methods", str, description="逗号分隔的两种计分方法，如 mean,normalized")],
        responses={200: inline_serializer("RankingCompare", {"rows": serializers.ListField()})},
        summary="两种计分方法的排名对照",
    )
    @action(detail=True, methods=["get"], url_path="ranking/compare")
    def ranking_compare(self, request, pk=None):
        round_ = self.get_object()
        methods = [m for m in request.query_params.get("methods", "").split(",") if m][:2]
        if len(methods) != 2:
            raise ValidationFailed(fields={"methods": ["计分方法：请给出两种方法，如 mean,normalized。"]})
        snapshots = []
        for method in methods:
            snapshot = (
                RankingSnapshot.objects.filter(round=round_, method=method).order_by("-official", "-computed_at").first()
            )
            if snapshot is None:
                raise NotFound(f"尚无按“{method}”计算的排名，请先计算。")
            snapshots.append(snapshot)
        return Response(selectors.ranking_compare(a=snapshots[0], b=snapshots[1]))


class AggregationJobViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [RulesPermission]
    permission_rules = {"retrieve": "judging.view_ranking"}

    def get_queryset(self):
        if not self.request.user.has_perm("judging.view_ranking"):
            return AggregationJob.objects.none()
        return AggregationJob.objects.all()

    @extend_schema(responses={200: JOB, 404: ERROR}, summary="计分任务进度")
    def retrieve(self, request, *args, **kwargs):
        return Response(job_data(self.get_object()))


class CompetitionResultsViewSet(viewsets.GenericViewSet):
    permission_classes = [RulesPermission]
    permission_rules = {
        "publicity": "judging.publish",
        "finalize": "judging.finalize",
        "awards": "judging.view_ranking",
    }

    def get_queryset(self):
        # Results stay invisible (404) to judges and units.
        if not self.request.user.has_perm("judging.view_ranking"):
            return Competition.objects.none()
        return Competition.objects.all()

    @extend_schema(request=PublicitySerializer, responses={200: inline_serializer("PublicityOut", {"starts_on": serializers.DateField(), "ends_on": serializers.DateField()}), 409: ERROR}, summary="发布公示")
    @action(detail=True, methods=["post"])
    def publicity(self, request, pk=None):
        data = PublicitySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        publicity = results.publicity_publish(
            actor=request.user,
            competition=self.get_object(),
            working_days=data.validated_data.get("working_days"),
            notice=data.validated_data.get("notice"),
        )
        return Response(selectors.publicity_data(publicity=publicity, public=False))

    @extend_schema(request=None, responses={200: inline_serializer("Finalized", {"phase": serializers.CharField()}), 409: ERROR}, summary="确定表彰结果")
    @action(detail=True, methods=["post"])
    def finalize(self, request, pk=None):
        competition = results.competition_finalize(actor=request.user, competition=self.get_object())
        return Response({"phase": competition.phase, "awards": selectors.award_list(competition=competition)})

    @extend_schema(responses={200: inline_serializer("Awards", {"awards": serializers.ListField()})}, summary="表彰名单")
    @action(detail=True, methods=["get"])
    def awards(self, request, pk=None):
        return Response({"awards": selectors.award_list(competition=self.get_object())})


class PublicPublicityView(APIView):
    """The public 公示 list: names, units and categories only."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "public"

    @extend_schema(responses={200: inline_serializer("PublicPublicity", {"competition": serializers.IntegerField()}), 404: ERROR}, auth=[], summary="公示名单（公开）")
    def get(self, request, pk):
        competition = Competition.objects.filter(pk=pk).first()  # a pk lookup is safe for any integer
        publicity = (
            Publicity.objects.filter(competition=competition).select_related("competition").first()
            if competition
            else None
        )
        if publicity is None:
            raise NotFound()
        return Response(selectors.publicity_data(publicity=publicity, public=True))


class PublicObjectionView(APIView):
    """Anyone lodges a real-name objection during 公示.

    JSON only: a browser can send JSON to another site only after a CORS
    preflight, which this site never grants, so a cross-site page cannot post
    here (form-encoded, multipart and text/plain bodies answer 415). A request
    that says it comes from another site (Origin, Referer, Sec-Fetch-Site)
    answers 403. The service limits objections per address, phone and nomination.
    """

    authentication_classes: list = []
    permission_classes = [SameOriginBrowser]
    parser_classes = [JSONParser]
    throttle_classes: list = []

    @extend_schema(request=ObjectionInSerializer, responses={201: inline_serializer("ObjectionReceived", {"id": serializers.IntegerField(), "receipt": serializers.CharField(), "message": serializers.CharField()}), 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR, 415: ERROR, 429: ERROR}, auth=[], summary="提出异议（公开）")
    def post(self, request):
        data = ObjectionInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        competition = Competition.objects.filter(pk=data.validated_data["competition"]).first()
        if competition is None:
            raise NotFound("公示名单中没有该对象。")
        # A nomination id that does not exist is passed on as None: the service
        # answers it exactly like one that is not on the 公示 list.
        nomination = Nomination.objects.filter(
            pk=data.validated_data["nomination"], competition=competition
        ).first()
        objection = results.objection_lodge(
            competition=competition,
            nomination=nomination,
            name=data.validated_data["name"],
            phone=data.validated_data["phone"],
            content=data.validated_data["content"],
            client_address=client_address(request),
        )
        return Response(
            {
                "id": objection.pk,
                "receipt": objection.receipt,
                "message": f"异议已收到，组委会办公室将依规核实处理。回执编号：{objection.receipt}（请妥善保存，凭回执编号和手机号码可查询处理结果）。",
            },
            status=status.HTTP_201_CREATED,
        )


class PublicObjectionStatusView(APIView):
    """The person who lodged an objection looks up its status and, once resolved, the
    office's answer: by the receipt code and the phone number given. An unknown receipt
    and a wrong phone answer the same 404. Throttled (the ``public`` scope, and the
    service's per-address limit on every attempt)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "public"

    @extend_schema(
        parameters=[OpenApiParameter("phone", str, required=True, description="提出异议时填写的手机号码")],
        responses={
            200: inline_serializer(
                "ObjectionStatus",
                {
                    "receipt": serializers.CharField(),
                    "nomination": serializers.CharField(),
                    "lodged_at": serializers.DateTimeField(),
                    "status": serializers.CharField(),
                    "status_label": serializers.CharField(),
                    "resolved": serializers.BooleanField(),
                    "answer": serializers.CharField(allow_null=True),
                    "resolved_at": serializers.DateTimeField(allow_null=True),
                },
            ),
            404: ERROR,
            429: ERROR,
        },
        auth=[],
        summary="查询异议处理结果（公开）",
    )
    def get(self, request, receipt):
        objection = results.objection_lookup(
            receipt=receipt, phone=request.query_params.get("phone", ""), client_address=client_address(request)
        )
        return Response(selectors.objection_receipt_data(objection))


class ObjectionSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="nomination.title", read_only=True)

    class Meta:
        model = Objection
        fields = ["id", "receipt", "competition", "nomination", "title", "name", "phone", "content", "channel", "received_on", "status", "created_at", "resolution", "resolved_at"]


class ObjectionEnterSerializer(Serializer):
    """An objection the office received by letter, phone or visit."""

    competition = serializers.IntegerField(label="推选活动")
    nomination = serializers.IntegerField(label="公示对象")
    channel = serializers.ChoiceField(label="提出方式", choices=[c.value for c in OFFLINE_CHANNELS])
    received_on = serializers.DateField(label="收到日期", required=False)
    name = serializers.CharField(label="姓名", max_length=30, allow_blank=True)
    phone = serializers.CharField(label="手机号码", max_length=20, allow_blank=True)
    content = serializers.CharField(label="异议内容", max_length=2000, allow_blank=True)


class ObjectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ObjectionSerializer
    permission_classes = [RulesPermission]
    permission_rules = {"list": "judging.view_objections", "retrieve": "judging.view_objections", "create": "judging.enter_objection", "resolve": "judging.resolve_objection", "spam": "judging.mark_objection_spam"}
    filterset_fields = ["competition", "status", "nomination", "channel"]

    def get_queryset(self):
        if not self.request.user.has_perm("judging.view_objections"):
            return Objection.objects.none()
        return Objection.objects.select_related("nomination")

    @extend_schema(request=ObjectionEnterSerializer, responses={201: ObjectionSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR}, summary="登记来信、来电或来访提出的异议")
    def create(self, request):
        data = ObjectionEnterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        competition = Competition.objects.filter(pk=data.validated_data["competition"]).first()
        if competition is None:
            raise NotFound("未找到该推选活动。")
        nomination = Nomination.objects.filter(
            pk=data.validated_data["nomination"], competition=competition
        ).first()
        objection = office.objection_enter(
            actor=request.user,
            competition=competition,
            nomination=nomination,
            channel=data.validated_data["channel"],
            name=data.validated_data["name"],
            phone=data.validated_data["phone"],
            content=data.validated_data["content"],
            received_on=data.validated_data.get("received_on"),
        )
        return Response(ObjectionSerializer(objection).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ResolveSerializer, responses={200: ObjectionSerializer, 400: ERROR, 409: ERROR}, summary="处理异议")
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        data = ResolveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        objection = results.objection_resolve(
            actor=request.user,
            objection=self.get_object(),
            decision=data.validated_data["decision"],
            reason=data.validated_data["reason"],
        )
        return Response(ObjectionSerializer(objection).data)

    @extend_schema(request=SpamSerializer, responses={200: ObjectionSerializer, 400: ERROR, 409: ERROR}, summary="标记为无效异议（垃圾信息）")
    @action(detail=True, methods=["post"])
    def spam(self, request, pk=None):
        data = SpamSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        objection = results.objection_mark_spam(
            actor=request.user, objection=self.get_object(), reason=data.validated_data["reason"]
        )
        return Response(ObjectionSerializer(objection).data)
