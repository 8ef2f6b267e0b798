import datetime

from django.contrib.auth import logout as session_logout
from django.contrib.auth import update_session_auth_hash
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors, services
from ..exceptions import Forbidden
from ..middleware import client_address
from ..models import ApiToken, AuditEntry
from .permissions import RulesPermission
from .serializers import (
    AdvanceSerializer,
    AuditEntrySerializer,
    CompetitionPatchSerializer,
    CompetitionSerializer,
    CompetitionWriteSerializer,
    JudgeSerializer,
    PasswordChangeSerializer,
    TokenRequestSerializer,
    TokenResponseSerializer,
    UnitSerializer,
)

ERROR = inline_serializer(
    "Error",
    {
        "error": inline_serializer(
            "ErrorBody",
            {
                "code": serializers.CharField(),
                "message": serializers.CharField(),
                "fields": serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
            },
        )
    },
)


def _not_one_time(user) -> None:
    """An account still on the office's one-time password gets no token: it must
    first set its own password on the web page (competition.people.middleware)."""
    if user.must_change_password:
        raise Forbidden(
            "首次登录须先修改一次性密码：请在网页上登录并在“修改密码”页面设置新密码后再获取令牌。",
            code="password_change_required",
        )


class TokenView(APIView):
    """Exchange a username and password for an API token."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenResponseSerializer, 400: ERROR, 403: ERROR, 429: ERROR},
        auth=[],
        summary="登录并获取令牌",
    )
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.login_check(
            request=request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
            address=client_address(request),
            allowed=_not_one_time,
        )
        issued = services.token_issue(user=user)
        return Response(
            TokenResponseSerializer({"token": issued.raw, "expires_at": issued.token.expires_at}).data
        )


class LogoutView(APIView):
    """Revoke the token this request carries (and end a web session)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None}, summary="注销令牌")
    def post(self, request):
        if isinstance(request.auth, ApiToken):
            services.token_revoke(token=request.auth)
        else:
            session_logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeView(APIView):
    """Change the caller's own password.

    The old password must be right and the new one pass the password rules
    (length, common, numeric, similarity to the account). Every API token of
    the caller is revoked except the one making this request; a web session
    making it stays signed in.
    """

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=PasswordChangeSerializer,
        responses={204: None, 400: ERROR, 401: ERROR, 429: ERROR},
        summary="修改本人密码",
    )
    def post(self, request):
        data = PasswordChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        keep = request.auth if isinstance(request.auth, ApiToken) else None
        user = services.user_password_change(
            actor=request.user,
            old_password=data.validated_data["old_password"],
            new_password=data.validated_data["new_password"],
            keep_token=keep,
        )
        if keep is None:
            update_session_auth_hash(request._request, user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = UnitSerializer
    permission_classes = [RulesPermission]
    permission_rules = {"list": "competition.view_unit", "retrieve": "competition.view_unit"}
    pagination_class = None

    def get_queryset(self):
        return selectors.unit_list()


class CompetitionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CompetitionSerializer
    permission_classes = [RulesPermission]
    permission_rules = {
        "list": "competition.view_competition",
        "retrieve": "competition.view_competition",
        "create": "competition.add_competition",
        "partial_update": "competition.change_competition",
        "advance": "competition.advance_competition",
    }
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.competition_list(user=self.request.user)

    def _out(self, competition, status_code=status.HTTP_200_OK):
        competition = self.get_queryset().get(pk=competition.pk)
        return Response(CompetitionSerializer(competition).data, status=status_code)

    @extend_schema(request=CompetitionWriteSerializer, responses={201: CompetitionSerializer, 400: ERROR})
    def create(self, request, *args, **kwargs):
        data = CompetitionWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        competition = services.competition_create(actor=request.user, data=data.validated_data)
        return self._out(competition, status.HTTP_201_CREATED)

    @extend_schema(
        request=CompetitionPatchSerializer, responses={200: CompetitionSerializer, 400: ERROR, 409: ERROR}
    )
    def partial_update(self, request, *args, **kwargs):
        competition = self.get_object()
        data = CompetitionPatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        competition = services.competition_update(
            actor=request.user, competition=competition, data=data.validated_data
        )
        return self._out(competition)

    @extend_schema(request=AdvanceSerializer, responses={200: CompetitionSerializer, 409: ERROR})
    @action(detail=True, methods=["post"])
    def advance(self, request, pk=None):
        competition = self.get_object()
        data = AdvanceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        competition = services.competition_advance(
            actor=request.user,
            competition=competition,
            to=data.validated_data["to"],
            reason=data.validated_data["reason"],
        )
        return self._out(competition)


class JudgeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = JudgeSerializer
    permission_classes = [RulesPermission]
    permission_rules = {"list": "competition.view_judges", "retrieve": "competition.view_judges"}

    def get_queryset(self):
        return selectors.judge_list(user=self.request.user)


class UtcDateTimeFilter(filters.IsoDateTimeFilter):
    """An ISO date-time compared in UTC. Python reads UTC offsets up to ±23:59 but PostgreSQL
    takes at most ±15:59 (``…-18:25`` answered 500); a time before year 1 or after 9999 in UTC
    is earlier or later than every row."""

    def filter(self, qs, value):
        if value is None:
            return super().filter(qs, value)
        try:
            value = value.astimezone(datetime.UTC)
        except OverflowError:
            earlier_than_all = value.utcoffset() > datetime.timedelta(0)
            matches_all = earlier_than_all == (self.lookup_expr in ("gt", "gte"))
            return qs if matches_all else qs.none()
        return super().filter(qs, value)


class AuditFilter(filters.FilterSet):
    since = UtcDateTimeFilter(field_name="created_at", lookup_expr="gte", label="起始时间")
    until = UtcDateTimeFilter(field_name="created_at", lookup_expr="lt", label="截止时间")
    actor = filters.CharFilter(field_name="actor__username", label="操作人用户名")

    class Meta:
        model = AuditEntry
        fields = ["action", "object_type", "object_id", "actor", "request_id"]


class AuditViewSet(viewsets.ReadOnlyModelViewSet):
    """The audit trail: read only, for the office and observers."""

    serializer_class = AuditEntrySerializer
    permission_classes = [RulesPermission]
    permission_rules = {"list": "competition.view_audit", "retrieve": "competition.view_audit"}
    filterset_class = AuditFilter

    def get_queryset(self):
        return selectors.audit_list(user=self.request.user)


