"""Build the demo year: ``python manage.py seed_demo --password PW``."""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from competition import services
from competition.demo import DemoContext
from competition.exceptions import ValidationFailed
from competition.models import User

# Demo accounts the password must not resemble (the others are unit-<code>, judgeNN).
DEMO_USERNAMES = ("office", "observer", "judge01", "unit-140105")


def _check_password(password: str) -> None:
    """The demo accounts' password passes the password validators like any other."""
    for username in DEMO_USERNAMES:
        try:
            services.password_validate(password=password, user=User(username=username))
        except ValidationFailed as exc:
            reasons = "；".join(m.removeprefix("密码：") for m in exc.fields["password"])
            raise CommandError(
                f"演示密码不符合密码规则：{reasons}请用 --password 另给一个"
                "（至少 8 个字符，不要用常见密码、纯数字或与账号名相似的密码）。"
            ) from exc


class Command(BaseCommand):
    help = "生成 2022 年度演示数据（推荐单位、账号、推选活动……）。重复运行不会改变已有数据。"

    def add_arguments(self, parser):
        parser.add_argument("--password", required=True, help="所有演示账号的密码")
        parser.add_argument(
            "--force", action="store_true", help="在 DEBUG 关闭（生产环境）时仍然生成演示数据"
        )

    def handle(self, *args, password, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG 已关闭（生产环境），拒绝生成演示数据；确需生成请加 --force。")
        _check_password(password)
        ctx = DemoContext(password=password, stdout=self.stdout)
        modules = []
        for config in apps.get_app_configs():
            module = f"{config.name}.demo"
            if config.name.startswith("django") or find_spec(module) is None:
                continue
            modules.append(import_module(module))
            if not hasattr(modules[-1], "seed"):
                continue
            self.stdout.write(f"… {config.verbose_name}")
            # One transaction per app: all of its part of the year, or none of it.
            with transaction.atomic():
                modules[-1].seed(ctx)
        # The years before the system (issue 16): after the year's exhibition is published.
        if apps.is_installed("exhibition"):
            from exhibition import demo_history

            with transaction.atomic():
                demo_history.seed(ctx)
        # Then, once the whole year is there, each app's ``finish`` (e.g. the demo
        # accounts' e-mail addresses, given last so the replayed year mails nobody).
        for module in modules:
            if hasattr(module, "finish"):
                with transaction.atomic():
                    module.finish(ctx)
        self.stdout.write(self.style.SUCCESS("演示数据已就绪。"))
        for note in ctx.notes:
            self.stdout.write(f"  {note}")
        self.stdout.write("\n演示账号（密码均为 --password 所给的值）：")
        for username, role, label in ctx.accounts:
            self.stdout.write(f"  {username:<16} {role:<8} {label}")
