"""The admin site: open to the office (full) and observers (read only), by role."""

from django.contrib import admin
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from .enums import Role
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


class RoleAdmin(admin.ModelAdmin):
    """Base of every ModelAdmin: the office may change, observers only look."""

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
        return self._is_office(request)


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
