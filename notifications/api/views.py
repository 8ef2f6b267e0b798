"""The caller's own notifications: list (with the unread count), mark one read, mark all read.

Another's notification answers 404 exactly like a missing one (the queryset
holds only the caller's).
"""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from competition.api.pagination import Pagination
from competition.api.permissions import RulesPermission
from competition.api.views import ERROR

from .. import selectors, services
from ..models import Notification
from .serializers import NotificationSerializer, ReadAllSerializer


class NotificationPagination(Pagination):
    """The project's page, plus ``unread``: the caller's unread notifications in all."""

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["unread"] = selectors.unread_count(user=self.request.user)
        return response

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["unread"] = {"type": "integer", "example": 3, "description": "未读条数"}
        paginated["required"] = [*paginated.get("required", []), "unread"]
        return paginated


class NotificationFilter(filters.FilterSet):
    read = filters.BooleanFilter(method="filter_read", label="已读")

    class Meta:
        model = Notification
        fields = ["event"]

    def filter_read(self, queryset, name, value):
        return queryset.filter(read_at__isnull=not value)


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = NotificationSerializer
    permission_classes = [RulesPermission]
    permission_rules = {
        "list": "notifications.view_notification",
        "read": "notifications.read_notification",
        "read_all": "notifications.view_notification",
    }
    filterset_class = NotificationFilter
    pagination_class = NotificationPagination

    def get_queryset(self):
        return selectors.notification_list(user=self.request.user)

    @extend_schema(summary="我的消息（含未读条数 unread）")
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="标为已读", request=None, responses={200: NotificationSerializer, 404: ERROR})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = services.notification_read(actor=request.user, notification=self.get_object())
        return Response(NotificationSerializer(notification).data)

    @extend_schema(summary="全部标为已读", request=None, responses={200: ReadAllSerializer})
    @action(detail=False, methods=["post"], url_path="read-all", filterset_class=None, pagination_class=None)
    def read_all(self, request):
        marked = services.notifications_read_all(actor=request.user)
        return Response({"marked": marked, "unread": selectors.unread_count(user=request.user)})
