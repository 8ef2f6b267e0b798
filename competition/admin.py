"""Django admin, in Chinese. Writes that carry rules go through services."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from . import services
from .admin_site import RoleAdmin, RoleInline
from .audit import audit_record, snapshot
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


@admin.register(Unit)
class UnitAdmin(RoleAdmin):
    list_display = ["order", "code", "name", "short_name", "kind"]
    list_display_links = ["code", "name"]
    search_fields = ["code", "name", "short_name"]
    list_filter = ["kind"]


@admin.register(User)
class UserAdmin(RoleAdmin, BaseUserAdmin):
    list_display = ["username", "display_name", "role", "unit", "is_active"]
    list_filter = ["role", "is_active", "unit"]
    search_fields = ["username", "display_name"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("角色", {"fields": ("role", "unit", "display_name")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        ("角色", {"fields": ("role", "unit", "display_name")}),
    )
    AUDITED = ["username", "role", "unit", "display_name", "is_active", "is_staff", "is_superuser"]

    def save_model(self, request, obj, form, change):
        before = None
        if change:
            old = User.objects.get(pk=obj.pk)
            before = {k: v for k, v in snapshot(old, self.AUDITED).items()}
        super().save_model(request, obj, form, change)
        after = snapshot(obj, self.AUDITED)
        password_changed = "password" in form.changed_data or not change
        audit_record(
            actor=request.user,
            action="user.admin_change" if change else "user.admin_create",
            obj=obj,
            before=before,
            after={**after, "password_changed": password_changed},
        )


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


class CategoryInline(DraftOnlyInline, RoleInline, admin.TabularInline):
    model = Category
    extra = 0
    show_change_link = True
    fields = ["order", "code", "name", "kind", "award_quota", "nomination_quota_per_unit"]


class RoundInline(DraftOnlyInline, RoleInline, admin.TabularInline):
    model = Round
    extra = 0


@admin.register(Competition)
class CompetitionAdmin(RoleAdmin):
    list_display = ["year", "title", "phase", "nominations_close", "judging_close"]
    readonly_fields = ["phase", "created_at", "updated_at"]
    inlines = [IssuerInline, CategoryInline, RoundInline]
    actions = ["advance_to_next_phase"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="competition.admin_change" if change else "competition.admin_create",
            obj=obj,
            after={"changed": form.changed_data},
        )

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
class CategoryAdmin(RoleAdmin):
    list_display = ["competition", "code", "name", "kind", "award_quota", "rubric"]
    list_filter = ["competition"]
    inlines = [CriterionInline]

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
