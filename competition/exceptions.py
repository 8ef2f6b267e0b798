"""The one application error type. The API turns it into the one error shape.

Services raise these; ``competition.api.errors`` renders them as
``{"error": {"code", "message", "fields"}}`` with the status below.
"""

from __future__ import annotations


class ApplicationError(Exception):
    status_code = 400
    default_code = "invalid"
    default_message = "请求无效。"

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.code = code or self.default_code
        self.fields = fields or {}
        super().__init__(self.message)


class ValidationFailed(ApplicationError):
    status_code = 400
    default_code = "validation_failed"
    default_message = "提交的数据有误，请检查标出的字段。"


class NotFound(ApplicationError):
    status_code = 404
    default_code = "not_found"
    default_message = "未找到该对象。"


class Forbidden(ApplicationError):
    status_code = 403
    default_code = "permission_denied"
    default_message = "您无权执行此操作。"


class Conflict(ApplicationError):
    """The action does not fit the object's current state (409)."""

    status_code = 409
    default_code = "conflict"
    default_message = "当前状态下不能执行此操作。"


class ServiceUnavailable(ApplicationError):
    status_code = 503
    default_code = "service_unavailable"
    default_message = "服务暂时不可用，请稍后重试。"
