from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from competition.api.permissions import RulesPermission
from competition.api.views import ERROR

from .. import attachments, selectors, services
from ..enums import Status
from ..models import Nomination
from .serializers import (
    AttachmentSerializer,
    AttachmentUploadSerializer,
    NominationSerializer,
    ReviewSerializer,
    WithdrawSerializer,
)


class NominationFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=Status.choices, label="状态")
    has_warnings = filters.BooleanFilter(method="filter_warnings", label="有资格提示")

    class Meta:
        model = Nomination
        fields = ["competition", "category", "unit", "status"]

    def filter_warnings(self, queryset, name, value):
        return queryset.exclude(warnings=[]) if value else queryset.filter(warnings=[])


class NominationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = NominationSerializer
    permission_classes = [RulesPermission]
    permission_rules = {
        "list": "nominations.view_nomination",
        "retrieve": "nominations.view_nomination",
        "create": "nominations.add_nomination",
        "partial_update": "nominations.change_nomination",
        # Who may ask (403/404); the service answers a state conflict with 409.
        "destroy": "nominations.change_nomination",
        "submit": "nominations.change_nomination",
        "withdraw": "nominations.change_nomination",
        "review": "nominations.review_nominations",
        "attachments": "nominations.view_nomination",
    }
    filterset_class = NominationFilter
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.with_results(selectors.nomination_list(user=self.request.user))

    def _out(self, nomination, code=status.HTTP_200_OK):
        nomination = self.get_queryset().get(pk=nomination.pk)
        return Response(NominationSerializer(nomination).data, status=code)

    @extend_schema(responses={201: NominationSerializer, 400: ERROR, 409: ERROR})
    def create(self, request, *args, **kwargs):
        serializer = NominationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        competition = data.pop("competition")
        category = data.pop("category")
        data.pop("version", None)
        nomination = services.nomination_create(
            actor=request.user, competition=competition, category=category, data=data
        )
        return self._out(nomination, status.HTTP_201_CREATED)

    @extend_schema(responses={200: NominationSerializer, 400: ERROR, 409: ERROR})
    def partial_update(self, request, *args, **kwargs):
        nomination = self.get_object()
        serializer = NominationSerializer(nomination, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("competition", None)
        data.pop("category", None)
        version = data.pop("version", None)
        nomination = services.nomination_update(
            actor=request.user, nomination=nomination, data=data, version=version
        )
        return self._out(nomination)

    @extend_schema(responses={204: None, 409: ERROR})
    def destroy(self, request, *args, **kwargs):
        services.nomination_delete(actor=request.user, nomination=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: NominationSerializer, 400: ERROR, 409: ERROR})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        nomination = services.nomination_submit(actor=request.user, nomination=self.get_object())
        return self._out(nomination)

    @extend_schema(request=WithdrawSerializer, responses={200: NominationSerializer, 409: ERROR})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        data = WithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        nomination = services.nomination_withdraw(
            actor=request.user, nomination=self.get_object(), reason=data.validated_data["reason"]
        )
        return self._out(nomination)

    @extend_schema(request=ReviewSerializer, responses={200: NominationSerializer, 400: ERROR, 409: ERROR})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        data = ReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        nomination = services.nomination_review(
            actor=request.user,
            nomination=self.get_object(),
            decision=data.validated_data["decision"],
            reason=data.validated_data["reason"],
            correct_by=data.validated_data["correct_by"],
        )
        return self._out(nomination)

    @extend_schema(
        methods=["GET"], request=None, responses={200: AttachmentSerializer(many=True)}
    )
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer, 400: ERROR, 409: ERROR},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[MultiPartParser, FormParser],
        pagination_class=None,
        filterset_class=None,
    )
    def attachments(self, request, pk=None):
        nomination = self.get_object()
        if request.method == "GET":
            items = nomination.attachments.all()
            return Response(AttachmentSerializer(items, many=True).data)
        if not request.user.has_perm("nominations.change_nomination", nomination):
            self.permission_denied(request)
        data = AttachmentUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        attachment = attachments.attachment_add(
            actor=request.user,
            nomination=nomination,
            upload=data.validated_data["file"],
            kind=data.validated_data["kind"],
            caption=data.validated_data["caption"],
        )
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)
