"""Admin of the certificates: the designs per category (with a preview), certificates and batches.

Designs are saved through ``services.template_save`` (background converted
to JPEG, template syntax checked, audited). Certificates and batches are
read only here: issuing, revoking and reissuing go through the services
(the API and the pages), never a bare admin edit.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import content_disposition_header

from competition.admin_site import RoleAdmin
from competition.exceptions import ApplicationError
from competition.models import Category

from . import fonts, rendering, services
from .models import Certificate, CertificateBatch, CertificateTemplate


class CertificateTemplateForm(forms.ModelForm):
    class Meta:
        model = CertificateTemplate
        fields = ["category", "html", "stylesheet", "background"]
        widgets = {
            "html": forms.Textarea(attrs={"rows": 24, "cols": 110, "style": "font-family: monospace"}),
            "stylesheet": forms.Textarea(attrs={"rows": 24, "cols": 110, "style": "font-family: monospace"}),
        }

    def clean_html(self):
        html = self.cleaned_data.get("html", "")
        try:
            services.template_check(html=html)
        except ApplicationError as exc:
            raise forms.ValidationError(exc.fields.get("html", [exc.message])) from exc
        return html


@admin.register(CertificateTemplate)
class CertificateTemplateAdmin(RoleAdmin):
    form = CertificateTemplateForm
    list_display = ["category", "competition", "has_html", "has_stylesheet", "background", "updated_at", "preview"]
    list_select_related = ["category", "category__competition"]

    @admin.display(description="推选活动")
    def competition(self, obj):
        return obj.category.competition

    @admin.display(description="自定义模板", boolean=True)
    def has_html(self, obj):
        return bool(obj.html.strip())

    @admin.display(description="自定义样式", boolean=True)
    def has_stylesheet(self, obj):
        return bool(obj.stylesheet.strip())

    @admin.display(description="预览")
    def preview(self, obj):
        url = reverse("admin:certificates_certificatetemplate_preview", args=[obj.category_id])
        return format_html('<a href="{}" target="_blank">示例数据预览（PDF）</a>', url)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("html", rendering.DEFAULT_HTML)
        initial.setdefault("stylesheet", rendering.DEFAULT_CSS)
        return initial

    def get_urls(self):
        return [
            path(
                "preview/<int:category_id>/",
                self.admin_site.admin_view(self.preview_view),
                name="certificates_certificatetemplate_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request, category_id: int):
        """The category's current design filled with sample data, as a PDF in the browser."""
        if not self.has_view_permission(request):
            raise Http404
        category = get_object_or_404(Category.objects.select_related("competition"), pk=category_id)
        try:
            pdf = services.template_preview(category=category)
        except (fonts.FontMissing, fonts.GlyphMissing, rendering.RenderError) as exc:
            return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(False, f"preview-{category.code}.pdf")
        return response

    def save_model(self, request, obj, form, change):
        upload = form.cleaned_data.get("background")
        new_background = None
        if "background" in form.changed_data and upload and hasattr(upload, "read"):
            upload.seek(0)
            new_background = upload.read()
            # The service stores the upload converted to JPEG; keep the old file until then.
            obj.background = form.initial.get("background") or ""
        services.template_save(actor=request.user, template=obj, background=new_background)


@admin.register(Certificate)
class CertificateAdmin(RoleAdmin):
    list_display = ["number", "holder", "award_name", "status", "issued_at", "revoked_at", "verify"]
    list_filter = ["competition", "category", "status"]
    search_fields = ["number", "holder"]
    readonly_fields = [f.name for f in Certificate._meta.fields]
    list_select_related = ["competition", "category"]

    @admin.display(description="查验页")
    def verify(self, obj):
        if obj.status == "pending":
            return "—"
        return format_html('<a href="{}" target="_blank">查验</a>', obj.verify_path)

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CertificateBatch)
class CertificateBatchAdmin(RoleAdmin):
    list_display = ["id", "competition", "status", "total", "created_at", "finished_at", "page"]
    list_filter = ["competition", "status"]
    readonly_fields = [f.name for f in CertificateBatch._meta.fields]

    @admin.display(description="进度页")
    def page(self, obj):
        return format_html('<a href="{}">查看进度</a>', reverse("certificates:batch", args=[obj.pk]))

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
