"""Django admin, in Chinese. Every write goes through a service (checked and audited).

Saves of units, accounts, passwords, competitions, their issuers (and seals),
categories, criteria and rounds call the services of ``services``; nothing
is deleted without a service, and the bulk "delete selected" action is off.
"""

import contextvars

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import Group

from . import services
from .admin_site import RoleAdmin, RoleInline
from .enums import Phase, Role
from .exceptions import ApplicationError
from .models import (
    AuditEntry,
    Category,
    Competition,
    Criterion,
    Issuer,
    JudgeProfile,
    Round,
    Unit,
    User,
)
from .phases import next_phase, rubric_total
from .refusals import issuers_refusal

# Deleting rows in bulk would bypass the services (and the audit trail).
admin.site.disable_action("delete_selected")
# Groups carry Django permissions, which grant nothing here (the role does):
# not offered in the admin.
admin.site.unregister(Group)


def _mark_saved(obj, saved) -> None:
    """Let the admin's own bookkeeping (history, redirect) see the row the service saved."""
    obj.pk = saved.pk
    obj._state.adding = False


@admin.register(Unit)
class UnitAdmin(RoleAdmin):
    list_display = ["order", "code", "name", "short_name", "kind", "active"]
    list_display_links = ["code", "name"]
    search_fields = ["code", "name", "short_name"]
    list_filter = ["kind", "active"]
    # Deactivating is a step of its own (competition.people: 工作台 › 单位与账号 › 推荐单位).
    readonly_fields = ["active"]

    def save_model(self, request, obj, form, change):
        data = {k: form.cleaned_data[k] for k in services.UNIT_FIELDS if k in form.cleaned_data}
        if change:
            services.unit_update(actor=request.user, unit=obj, data=data)
        else:
            _mark_saved(obj, services.unit_create(actor=request.user, data=data))


# The account whose admin request sets a password (the password form has no request).
_password_actor: contextvars.ContextVar = contextvars.ContextVar("password_actor", default=None)


class PasswordSetForm(AdminPasswordChangeForm):
    """The admin's set-password form, saved by ``services.user_password_set``."""

    def save(self, commit=True):
        usable = self.cleaned_data.get("set_usable_password", True)
        services.user_password_set(
            actor=_password_actor.get(),
            user=self.user,
            password=self.cleaned_data["password1"] if usable else None,
        )
        self.user.refresh_from_db()
        return self.user


@admin.register(User)
class UserAdmin(RoleAdmin, BaseUserAdmin):
    list_display = ["username", "display_name", "role", "unit", "is_active"]
    list_filter = ["role", "is_active", "unit"]
    search_fields = ["username", "display_name"]
    # Only the role grants rights: Django's staff, superuser, group and
    # permission flags are not offered (they would grant nothing).
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("first_name", "last_name", "email")}),
        ("角色", {"fields": ("role", "unit", "display_name", "is_active")}),
        ("重要日期", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        ("角色", {"fields": ("role", "unit", "display_name")}),
    )
    readonly_fields = ["last_login", "date_joined"]
    change_password_form = PasswordSetForm

    def save_model(self, request, obj, form, change):
        if change:
            data = {k: form.cleaned_data[k] for k in form.changed_data if k in services.USER_UPDATABLE}
            services.user_update(actor=request.user, user=obj, data=data)
            return
        usable = form.cleaned_data.get("set_usable_password", True)
        user = services.user_create(
            actor=request.user,
            username=form.cleaned_data["username"],
            password=form.cleaned_data.get("password1") if usable else None,
            role=form.cleaned_data["role"],
            unit=form.cleaned_data.get("unit"),
            display_name=form.cleaned_data.get("display_name", ""),
        )
        _mark_saved(obj, user)

    def user_change_password(self, request, id, form_url=""):
        token = _password_actor.set(request.user)
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            _password_actor.reset(token)


@admin.register(JudgeProfile)
class JudgeProfileAdmin(RoleAdmin):
    list_display = ["name", "user", "unit", "expertise", "active"]
    list_filter = ["active", "unit"]
    search_fields = ["name", "user__username", "expertise"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            # Only judge accounts have a profile (the service refuses others).
            kwargs["queryset"] = User.objects.filter(role=Role.JUDGE)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        profile = services.judge_profile_set(
            actor=request.user,
            user=obj.user,
            name=obj.name,
            expertise=obj.expertise,
            unit=obj.unit,
            organizations=obj.organizations,
            active=obj.active,
        )
        obj.pk = profile.pk


class StructureFormsets:
    """Saves the inline rows of a competition's structure through the services, row by row."""

    def save_formset(self, request, form, formset, change):
        if formset.model not in services.STRUCTURE:
            return super().save_formset(request, form, formset, change)
        fields = services.STRUCTURE[formset.model][1]
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.deleted_forms:
            if row.instance.pk:
                services.structure_item_delete(actor=request.user, obj=row.instance)
                formset.deleted_objects.append(row.instance)
        for row in formset.forms:
            if row in formset.deleted_forms or not row.has_changed():
                continue
            new = not row.instance.pk
            if new:
                setattr(row.instance, formset.fk.name, formset.instance)
            names = row.cleaned_data if new else row.changed_data
            data = {k: row.cleaned_data[k] for k in names if k in fields}
            saved = services.structure_item_save(actor=request.user, obj=row.instance, data=data)
            if "seal" in row.changed_data:
                seal = row.cleaned_data.get("seal")
                saved = services.issuer_seal_set(actor=request.user, issuer=saved, seal=seal or None)
            if new:
                formset.new_objects.append(saved)
            else:
                formset.changed_objects.append((saved, row.changed_data))


class DraftOnlyInline:
    """Rubric and rounds change only while the competition is in draft."""

    def _editable(self, obj) -> bool:
        competition = obj if isinstance(obj, Competition) else getattr(obj, "competition", None)
        return competition is None or competition.phase == Phase.DRAFT

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._editable(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._editable(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._editable(obj)


class IssuerInline(RoleInline, admin.TabularInline):
    model = Issuer
    extra = 0
    fields = ["order", "name", "seal"]


class CategoryInline(DraftOnlyInline, RoleInline, admin.TabularInline):
    model = Category
    extra = 0
    show_change_link = True
    fields = ["order", "code", "name", "kind", "award_quota", "nomination_quota_per_unit"]


class RoundInline(DraftOnlyInline, RoleInline, admin.TabularInline):
    model = Round
    extra = 0
    readonly_fields = ["closed_at"]


class CompetitionAdminForm(forms.ModelForm):
    """The working-day calendar is checked here as the service checks it (``services.calendar_clean``),
    so that a bad date is shown on its field rather than failing the save."""

    def clean(self):
        data = super().clean()
        try:
            services.calendar_clean(data.get("holidays"), data.get("workdays"))
        except ApplicationError as exc:
            for name, errors in exc.fields.items():
                self.add_error(name if name in self.fields else None, errors)
        return data


@admin.register(Competition)
class CompetitionAdmin(StructureFormsets, RoleAdmin):
    form = CompetitionAdminForm
    list_display = ["year", "title", "phase", "nominations_close", "judging_close"]
    inlines = [IssuerInline, CategoryInline, RoundInline]
    actions = ["advance_to_next_phase"]

    def get_readonly_fields(self, request, obj=None):
        fixed = ["phase", "created_at", "updated_at"]
        return [*fixed, "year"] if obj is not None else fixed

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The issuers stay editable rows (a save is refused by the services, in Chinese,
        # and nothing changes); the page says beforehand when it would be.
        if request.method == "GET" and self._is_office(request):
            competition = self.get_object(request, object_id)
            refusal = issuers_refusal(competition) if competition is not None else None
            if refusal:
                self.message_user(request, f"颁发单位与印章：{refusal}", messages.WARNING)
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if change:
            data = {k: form.cleaned_data[k] for k in form.changed_data if k in services.SCALAR_UPDATABLE}
            if data:
                services.competition_update(actor=request.user, competition=obj, data=data)
            return
        data = {k: form.cleaned_data[k] for k in services.COMPETITION_FIELDS if k in form.cleaned_data}
        competition = services.competition_create(actor=request.user, data=data)
        _mark_saved(obj, competition)
        obj.phase = competition.phase

    @admin.action(description="推进到下一阶段", permissions=["change"])
    def advance_to_next_phase(self, request, queryset):
        for competition in queryset:
            target = next_phase(competition.phase)
            if target is None:
                self.message_user(request, f"{competition}：已是最后阶段。", messages.WARNING)
                continue
            try:
                services.competition_advance(actor=request.user, competition=competition, to=target)
            except ApplicationError as exc:
                self.message_user(request, f"{competition}：{exc.message}", messages.ERROR)
            else:
                self.message_user(request, f"{competition}：已进入“{Phase(target).label}”。")


class CriterionInline(RoleInline, admin.TabularInline):
    model = Criterion
    extra = 0

    def _editable(self, obj):
        return obj is None or obj.competition.phase == Phase.DRAFT

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._editable(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._editable(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._editable(obj)


@admin.register(Category)
class CategoryAdmin(StructureFormsets, RoleAdmin):
    list_display = ["competition", "code", "name", "kind", "award_quota", "rubric"]
    list_filter = ["competition"]
    inlines = [CriterionInline]

    def get_readonly_fields(self, request, obj=None):
        return ["competition"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        fields = services.STRUCTURE[Category][1]
        names = form.changed_data if change else form.cleaned_data
        data = {k: form.cleaned_data[k] for k in names if k in fields}
        _mark_saved(obj, services.structure_item_save(actor=request.user, obj=obj, data=data))

    def has_delete_permission(self, request, obj=None):
        return self._is_office(request) and (obj is None or obj.competition.phase == Phase.DRAFT)

    def delete_model(self, request, obj):
        services.structure_item_delete(actor=request.user, obj=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.structure_item_delete(actor=request.user, obj=obj)

    @admin.display(description="评分标准合计")
    def rubric(self, obj):
        return rubric_total(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or obj.competition.phase == Phase.DRAFT
        )


@admin.register(AuditEntry)
class AuditEntryAdmin(RoleAdmin):
    list_display = ["created_at", "actor", "actor_role", "action", "object_type", "object_id", "reason"]
    list_filter = ["action", "object_type", "actor_role"]
    search_fields = ["object_id", "reason", "request_id", "actor__username"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
