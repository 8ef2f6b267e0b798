"""Holding a user with a one-time password on the password change page.

An account made by the office (or given a new one-time password) carries
``must_change_password``. Until its owner sets their own password, every page
sends them to /accounts/password/ (which says why); an API request with the
session answers 403 with a Chinese message. The API token endpoint refuses
such an account on its own (``competition.api.views.TokenView``).
"""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

MESSAGE = "您正在使用组委会办公室发放的一次性密码，请先设置自己的新密码，然后才能继续使用系统。"
API_MESSAGE = "首次登录须先修改一次性密码：请在网页上登录并在“修改密码”页面设置新密码后再使用接口。"


class MustChangePasswordMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            path = request.path
            allowed = (
                reverse("password_change"),
                reverse("logout"),
                "/accounts/reset/",
                "/static/",
                "/healthz/",
            )
            if not path.startswith(allowed):
                if path.startswith("/api/"):
                    return JsonResponse(
                        {"error": {"code": "password_change_required", "message": API_MESSAGE, "fields": {}}},
                        status=403,
                    )
                return redirect(reverse("password_change"))
        return self.get_response(request)
