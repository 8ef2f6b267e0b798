"""The admin site: open to the office (full) and observers (read only), by role."""

from django.contrib import admin, messages
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect

from .enums import Role
from .exceptions import ApplicationError
from .forms import ThrottledAuthenticationForm


class RoleAdminAuthenticationForm(ThrottledAuthenticationForm):
    """The admin's sign-in admits by role (office, observer), not by Django's ``is_staff``.

    Observers and office accounts made in the admin are not staff; the
    default form would turn them away although the site lets them in. The
    sign-in is throttled like every other.
    """

    def confirm_login_allowed(self, user):
        AuthenticationForm.confirm_login_allowed(self, user)
        if getattr(user, "role", None) not in (Role.OFFICE, Role.OBSERVER):
            raise ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


class OfficeAdminSite(admin.AdminSite):
    site_header = "太原市学雷锋志愿服务先进典型推选 · 管理后台"
    site_title = "推选管理后台"
    index_title = "管理"
    login_form = RoleAdminAuthenticationForm

    def has_permission(self, request):
        user = request.user
        return bool(user.is_active and user.is_authenticated and user.role in (Role.OFFICE, Role.OBSERVER))


def refusal_text(exc: ApplicationError) -> str:
    details = [m for messages_ in exc.fields.values() for m in messages_]
    return "；".join([exc.message, *details]) if details else exc.message


class RoleAdmin(admin.ModelAdmin):
    """Base of every ModelAdmin: the office may change, observers only look.

    Writes go through services (each ModelAdmin's ``save_model`` and
    ``save_formset``); a refusal of a service is shown as a message and
    nothing is saved. Nothing is deleted here unless a ModelAdmin routes its
    deletes through a service and says so in ``has_delete_permission``.
    """

    def _is_office(self, request) -> bool:
        return request.user.is_active and request.user.role == Role.OFFICE

    def has_module_permission(self, request):
        return self.admin_site.has_permission(request)

    def has_view_permission(self, request, obj=None):
        return self.admin_site.has_permission(request)

    def has_add_permission(self, request, *args):
        return self._is_office(request)

    def has_change_permission(self, request, obj=None):
        return self._is_office(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as exc:  # the transaction was rolled back
            self.message_user(request, refusal_text(exc), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ApplicationError as exc:
            self.message_user(request, refusal_text(exc), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class RoleInline:
    """The same rule for inlines."""

    def has_view_permission(self, request, obj=None):
        return request.user.role in (Role.OFFICE, Role.OBSERVER)

    def has_add_permission(self, request, obj=None):
        return request.user.role == Role.OFFICE

    def has_change_permission(self, request, obj=None):
        return request.user.role == Role.OFFICE

    def has_delete_permission(self, request, obj=None):
        return request.user.role == Role.OFFICE
