"""The office's exhibition admin: publish a final year's winners, edit an
exhibit's texts, choose and order its photos, withdraw and restore exhibits.
Every write goes through ``services`` (so it is checked and audited);
exhibits are never added or deleted here."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from competition.admin_site import RoleAdmin, RoleInline
from competition.enums import Phase
from competition.exceptions import ApplicationError
from competition.models import Competition

from . import services
from .enums import ExhibitKind, ExhibitStatus
from .models import Exhibit, ExhibitPhoto
from .templatetags.exhibition_tags import media

FIXED = ["slug", "kind", "source", "year", "honour_year", "award_name", "unit_name", "status", "withdrawn_reason", "withdrawn_at", "published_at", "public_page"]


class ExhibitPhotoInline(RoleInline, admin.TabularInline):
    model = ExhibitPhoto
    extra = 0
    fields = ["preview", "caption", "order", "shown"]
    readonly_fields = ["preview"]
    ordering = ["order", "id"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="照片")
    def preview(self, photo):
        if not photo.thumb:
            return "—"
        return format_html('<img src="{}" alt="" style="max-height:80px;border-radius:4px">', media(photo.thumb))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="撤下理由", max_length=services.REASON_MAX, widget=forms.Textarea(attrs={"rows": 3}))


class PublishForm(forms.Form):
    competition = forms.ModelChoiceField(
        label="推选活动",
        queryset=Competition.objects.filter(phase__in=services.FINAL_PHASES),
        empty_label=None,
        help_text="只列出表彰结果已确定的推选活动。",
    )


@admin.register(Exhibit)
class ExhibitAdmin(RoleAdmin):
    list_display = ["year", "kind", "title", "unit_name", "award_name", "status", "updated_at"]
    list_display_links = ["title"]
    list_filter = ["year", "kind", "source", "status"]
    search_fields = ["title", "organization", "unit_name", "slug"]
    inlines = [ExhibitPhotoInline]
    actions = ["withdraw", "restore"]
    change_list_template = "admin/exhibition/exhibit/change_list.html"

    def has_add_permission(self, request, *args):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fields(self, request, obj=None):
        editable = services.EDITABLE[obj.kind] if obj else []
        return [*editable, *FIXED]

    def get_readonly_fields(self, request, obj=None):
        if not self.has_change_permission(request, obj):
            return self.get_fields(request, obj)
        return FIXED

    @admin.display(description="公开页面")
    def public_page(self, obj):
        if not obj.pk or obj.status != ExhibitStatus.PUBLISHED:
            return "—（未展出）"
        name = {ExhibitKind.PROJECT: "exhibition:project", ExhibitKind.ORGANIZATION: "exhibition:organization"}.get(
            obj.kind
        )
        if name is None:
            return "—（该展厅的页面尚未建成）"
        url = reverse(name, args=[obj.slug])
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, url)

    # -- writes through the services -------------------------------------------------

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in form.changed_data if name in services.EDITABLE[obj.kind]}
        if data:
            services.exhibit_update(actor=request.user, exhibit=obj, data=data)

    def save_formset(self, request, form, formset, change):
        if formset.model is not ExhibitPhoto:
            return super().save_formset(request, form, formset, change)
        rows = []
        for photo_form in formset.forms:
            photo = photo_form.instance
            data = photo_form.cleaned_data or {}
            rows.append(
                (
                    data.get("order", photo.order),
                    photo.pk,
                    {"id": photo.pk, "caption": data.get("caption", photo.caption), "shown": data.get("shown", photo.shown)},
                )
            )
        rows.sort(key=lambda r: (r[0], r[1]))
        services.exhibit_photos_set(actor=request.user, exhibit=form.instance, photos=[r[2] for r in rows])
        # What the admin's change message reads (the formset itself saved nothing).
        formset.new_objects, formset.deleted_objects = [], []
        formset.changed_objects = [(f.instance, f.changed_data) for f in formset.forms if f.has_changed()]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.path)

    @admin.action(description="撤下所选展品（需填写理由）", permissions=["change"])
    def withdraw(self, request, queryset):
        form = WithdrawForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            done = 0
            for exhibit in queryset:
                try:
                    services.exhibit_withdraw(actor=request.user, exhibit=exhibit, reason=form.cleaned_data["reason"])
                    done += 1
                except ApplicationError as exc:
                    self.message_user(request, f"{exhibit}：{exc.message}", messages.WARNING)
            if done:
                self.message_user(request, f"已撤下 {done} 个展品。")
            return None
        return TemplateResponse(
            request,
            "admin/exhibition/exhibit/withdraw.html",
            {
                **self.admin_site.each_context(request),
                "title": "撤下展品",
                "exhibits": queryset,
                "form": form,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description="恢复展出所选展品", permissions=["change"])
    def restore(self, request, queryset):
        done = 0
        for exhibit in queryset:
            try:
                services.exhibit_restore(actor=request.user, exhibit=exhibit)
                done += 1
            except ApplicationError as exc:
                self.message_user(request, f"{exhibit}：{exc.message}", messages.WARNING)
        if done:
            self.message_user(request, f"已恢复展出 {done} 个展品。")

    # -- publish -----------------------------------------------------------------------

    def get_urls(self):
        return [
            path("publish/", self.admin_site.admin_view(self.publish_view), name="exhibition_exhibit_publish"),
            *super().get_urls(),
        ]

    def publish_view(self, request):
        if not self._is_office(request):
            return HttpResponseRedirect(reverse("admin:exhibition_exhibit_changelist"))
        form = PublishForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                result = services.exhibition_publish(actor=request.user, competition=form.cleaned_data["competition"])
            except ApplicationError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"已发布到云展馆：新增 {len(result.created)} 个展品，已在展 {result.kept} 个，"
                    f"已撤下未恢复 {result.withdrawn} 个。",
                )
                for warning in result.photo_failures:
                    self.message_user(request, warning, messages.WARNING)
                return HttpResponseRedirect(reverse("admin:exhibition_exhibit_changelist"))
        return TemplateResponse(
            request,
            "admin/exhibition/exhibit/publish.html",
            {
                **self.admin_site.each_context(request),
                "title": "发布到云展馆",
                "form": form,
                "opts": self.model._meta,
                "final_phase": Phase.FINAL.label,
            },
        )
