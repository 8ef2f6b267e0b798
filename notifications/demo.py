"""Demo data of notifications: every demo account gets the address ``<username>@demo.invalid``.

``.invalid`` is reserved (RFC 2606): nothing can be delivered there, so with
``EMAIL_URL=consolemail://`` (the demo's default) the mails are printed and
with a real SMTP server they fail visibly on the office's failed-delivery
page. Given in ``finish``, after every app replayed its part of the 2022 year,
so that the replay fills the inbox (read it as ``unit-140105``) without
sending a mail for each past event. Idempotent: an address someone set is kept.
"""

from __future__ import annotations

from django.db.models import Value
from django.db.models.functions import Concat

from competition.models import User


def finish(ctx) -> None:
    usernames = [username for username, _role, _label in ctx.accounts]
    updated = User.objects.filter(username__in=usernames, email="").update(
        email=Concat("username", Value("@demo.invalid"))
    )
    if updated:
        ctx.notes.append(f"已为 {updated} 个演示账号设置电子邮箱 <用户名>@demo.invalid")
