"""One JSON shape for every API error: ``{"error": {"code", "message", "fields"}}``.

``code`` is stable English for programs; ``message`` is Chinese for people;
``fields`` maps a field path (``categories[0].criteria[1].max_points``) to its
Chinese messages.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response

from ..exceptions import ApplicationError, NotFound

logger = logging.getLogger(__name__)

MESSAGES = {
    "not_authenticated": "请先登录。",
    "authentication_failed": "身份认证失败，请重新登录。",
    "permission_denied": "您无权执行此操作。",
    "not_found": NotFound.default_message,
    "method_not_allowed": "不支持该请求方法。",
    "not_acceptable": "无法提供所请求的格式。",
    "unsupported_media_type": "不支持的请求内容类型。",
    "throttled": "请求过于频繁，请稍后再试。",
    "parse_error": "请求内容无法解析。",
    "invalid": "提交的数据有误，请检查标出的字段。",
}


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int) or str(key).isdigit():
                path = f"{prefix}[{key}]"
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            out.update(_flatten(value, path))
    elif isinstance(detail, list):
        if all(not isinstance(v, dict | list) for v in detail):
            out[prefix or "non_field_errors"] = [str(v) for v in detail]
        else:
            for i, value in enumerate(detail):
                if value:
                    out.update(_flatten(value, f"{prefix}[{i}]"))
    else:
        out[prefix or "non_field_errors"] = [str(detail)]
    return out


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def not_found_body() -> dict:
    return error_body("not_found", NotFound.default_message)


def exception_handler(exc, context):
    headers = {}
    if isinstance(exc, ApplicationError):
        retry_after = getattr(exc, "retry_after", None)
        if retry_after:
            headers["Retry-After"] = str(retry_after)
        return Response(
            error_body(exc.code, exc.message, exc.fields), status=exc.status_code, headers=headers
        )
    if isinstance(exc, Http404):
        return Response(not_found_body(), status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, IntegrityError):
        logger.warning("integrity error answered as 409: %s", exc)
        return Response(
            error_body("conflict", "与已有数据冲突，未作任何修改，请刷新后重试。"),
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, OperationalError | InterfaceError) or type(exc) is DatabaseError:
        logger.error("database unavailable: %s", exc)
        return Response(
            error_body("service_unavailable", "数据库暂时不可用，未作任何修改，请稍后重试。"),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "5"},
        )
    if not isinstance(exc, exceptions.APIException):
        return None

    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))

    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        body = error_body("validation_failed", MESSAGES["invalid"], fields)
        first = next(iter(fields.items()), None)
        if first and first[0] == "non_field_errors":
            body["error"]["message"] = first[1][0]
        return Response(body, status=exc.status_code, headers=headers)

    codes = exc.get_codes()
    code = codes if isinstance(codes, str) else exc.default_code
    if isinstance(exc, exceptions.NotFound):
        return Response(not_found_body(), status=404)
    if isinstance(exc, exceptions.Throttled):
        message = MESSAGES["throttled"]
        if exc.wait:
            message = f"请求过于频繁，请 {int(exc.wait)} 秒后再试。"
        return Response(error_body("throttled", message), status=429, headers=headers)
    message = MESSAGES.get(code)
    if code == "authentication_failed" and isinstance(exc.detail, str) and str(exc.detail) != exceptions.AuthenticationFailed.default_detail:
        message = str(exc.detail)  # our own Chinese reason (token expired or revoked)
    if message is None:
        detail = exc.detail
        message = str(detail) if isinstance(detail, str) else MESSAGES["invalid"]
    return Response(error_body(code, message), status=exc.status_code, headers=headers)


def api_not_found(request, exception=None):
    """``handler404``: paths under /api/ answer in the one error shape, pages in HTML."""
    from django.http import JsonResponse
    from django.views.defaults import page_not_found

    if request.path.startswith("/api/"):
        return JsonResponse(not_found_body(), status=404)
    return page_not_found(request, exception)


def api_server_error(request):
    """``handler500``: paths under /api/ answer in the one error shape, pages in HTML."""
    from django.http import JsonResponse
    from django.views.defaults import server_error

    if request.path.startswith("/api/"):
        return JsonResponse(error_body("server_error", "服务器内部错误，请稍后重试。"), status=500)
    return server_error(request)
