"""The admin shows deliveries for inspection (read-only); the office retries failed ones
from ``/notifications/deliveries/`` or with the action here, both through ``delivery_retry``.
Notifications are personal and not shown."""

from django.contrib import admin, messages

from competition.admin_site import RoleAdmin
from competition.exceptions import ApplicationError

from . import services
from .models import Delivery


@admin.register(Delivery)
class DeliveryAdmin(RoleAdmin):
    list_display = ["created_at", "channel", "recipient", "address", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "channel", "event"]
    search_fields = ["subject", "address", "recipient__username", "last_error"]
    date_hierarchy = "created_at"
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_retry_permission(self, request) -> bool:
        """Only the office retries (observers look); ``delivery_retry`` checks the role as well."""
        return self._is_office(request)

    @admin.action(description="重新发送所选的失败消息", permissions=["retry"])
    def retry(self, request, queryset):
        done = 0
        for delivery in queryset:
            try:
                services.delivery_retry(actor=request.user, delivery=delivery)
                done += 1
            except ApplicationError as exc:
                self.message_user(request, f"{delivery.subject}：{exc.message}", messages.WARNING)
        if done:
            self.message_user(request, f"已提交重新发送 {done} 条消息。")
