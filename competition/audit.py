"""Writing the audit trail. Services call ``audit_record`` inside their transaction."""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from django.db import models

from . import context
from .models import AuditEntry


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if hasattr(value, "name") and hasattr(value, "url"):  # a FieldFile
        return value.name or ""
    return value


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The named fields of ``obj`` as JSON-ready values (foreign keys as ids)."""
    out = {}
    for name in fields:
        field = obj._meta.get_field(name)
        value = getattr(obj, field.attname)
        out[name] = _plain(value)
    return out


def audit_fields(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: Any = None,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
) -> dict[str, Any]:
    """The fields of the audit entry ``audit_record`` writes (for a service that writes
    its entry in its own statement, as the scorecard save does)."""
    ctx = context.current()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id is None else object_id
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return {
        "actor": actor if is_user else None,
        "actor_role": getattr(actor, "role", "") if is_user else "",
        "action": action,
        "object_type": object_type or "",
        "object_id": str(object_id if object_id is not None else ""),
        "before": _plain(before) if before is not None else None,
        "after": _plain(after) if after is not None else None,
        "reason": reason or "",
        "request_id": ctx.request_id,
        "client_address": ctx.client_address,
    }


def audit_record(**fields: Any) -> AuditEntry:
    """Write one audit entry (append-only); takes ``audit_fields``' arguments."""
    return AuditEntry.objects.create(**audit_fields(**fields))
