from rest_framework import serializers

from competition.api.base import ModelSerializer

from ..models import Notification


class NotificationSerializer(ModelSerializer):
    read = serializers.BooleanField(read_only=True, label="已读")

    class Meta:
        model = Notification
        fields = ["id", "event", "title", "body", "url", "created_at", "read"]
        read_only_fields = fields


class ReadAllSerializer(serializers.Serializer):
    marked = serializers.IntegerField(label="本次标为已读的条数")
    unread = serializers.IntegerField(label="未读条数")
