"""The Chinese pages of notifications.

- ``/notifications/``: the inbox of whoever is signed in (their own only),
  unread first in bold, mark one or all read; opening one marks it read and
  goes to the page to act on.
- ``/notifications/settings/``: the user's e-mail address and whether they
  receive e-mail.
- ``/notifications/deliveries/``: the office's (and observers', read-only)
  list of e-mails and 企业微信 posts that failed, with the error and a retry
  button.

Views read through selectors and write through services only; another's
notification answers 404 like a missing one.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from competition.exceptions import ApplicationError
from competition.views import add_service_errors, chinese_error_pages, flash_error

from . import selectors, services
from .enums import Channel, DeliveryStatus
from .forms import PreferenceForm
from .models import Delivery, Preference

chinese_errors = chinese_error_pages("notifications/error.html", not_found="该消息不存在，或您无权查看。")
PAGE_SIZE = 30


def _back(request, fallback: str = "notifications:inbox"):
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


@login_required
@chinese_errors
@require_GET
def inbox(request):
    only_unread = request.GET.get("unread") == "1"
    qs = selectors.notification_list(user=request.user)
    if only_unread:
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    problems = None
    if request.user.has_perm("notifications.view_delivery"):
        problems = selectors.delivery_problems(user=request.user).count()
    return render(
        request,
        "notifications/inbox.html",
        {
            "page": page,
            "only_unread": only_unread,
            "unread": selectors.unread_count(user=request.user),
            "problems": problems,
            "has_email": bool(request.user.email),
        },
    )


@login_required
@chinese_errors
@require_GET
def open_notification(request, pk: int):
    """Mark it read and go to the page it names."""
    notification = get_object_or_404(selectors.notification_list(user=request.user), pk=pk)
    services.notification_read(actor=request.user, notification=notification)
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:inbox")


@login_required
@chinese_errors
@require_POST
def read(request, pk: int):
    notification = get_object_or_404(selectors.notification_list(user=request.user), pk=pk)
    services.notification_read(actor=request.user, notification=notification)
    return _back(request)


@login_required
@chinese_errors
@require_POST
def read_all(request):
    marked = services.notifications_read_all(actor=request.user)
    messages.success(request, f"已将 {marked} 条消息标为已读。" if marked else "没有未读消息。")
    return _back(request)


@login_required
@chinese_errors
@require_http_methods(["GET", "POST"])
def preference(request):
    current = Preference.objects.filter(user=request.user).first()
    initial = {"email": request.user.email, "email_enabled": current.email_enabled if current else True}
    form = PreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.preference_set(
                actor=request.user,
                email=form.cleaned_data["email"],
                email_enabled=form.cleaned_data["email_enabled"],
            )
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "消息设置已保存。")
            return redirect("notifications:settings")
    return render(request, "notifications/settings.html", {"form": form})


@login_required
@chinese_errors
@require_GET
def deliveries(request):
    if not request.user.has_perm("notifications.view_delivery"):
        raise Http404
    page = Paginator(selectors.delivery_problems(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/deliveries.html",
        {
            "page": page,
            "can_retry": request.user.has_perm("notifications.retry_delivery"),
            "channels": dict(Channel.choices),
            "statuses": dict(DeliveryStatus.choices),
        },
    )


@login_required
@chinese_errors
@require_POST
def delivery_retry(request, pk: int):
    if not request.user.has_perm("notifications.view_delivery"):
        raise Http404
    if not request.user.has_perm("notifications.retry_delivery"):
        raise PermissionDenied
    delivery = get_object_or_404(Delivery, pk=pk)
    try:
        delivery = services.delivery_retry(actor=request.user, delivery=delivery)
    except ApplicationError as exc:
        flash_error(request, exc)
    else:
        delivery.refresh_from_db()
        if delivery.status == DeliveryStatus.SENT:
            messages.success(request, f"已重新发送：{delivery.subject}")
        else:
            messages.success(request, f"已提交重新发送：{delivery.subject}（结果见下表）")
    return redirect("notifications:deliveries")
