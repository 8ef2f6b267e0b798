"""``python manage.py send_reminders``: the periodic job of notifications, once.

Celery beat runs the same (``notifications.periodic``) every ten minutes;
without beat (the embedded default) run this from cron. Running it again
sends nothing twice.
"""

from django.core.management.base import BaseCommand

from notifications import services


class Command(BaseCommand):
    help = "发送截止前提醒与企业微信每日概况，并重新发送未发出的消息（重复运行不会重复发送）。"

    def handle(self, *args, **options):
        done = services.periodic_run()
        reminders = sum(v for k, v in done.items() if k not in ("summary", "swept"))
        self.stdout.write(
            f"已发出提醒 {reminders} 条；每日概况 {'已发送' if done['summary'] else '未发送'}；"
            f"重新发送未发出的消息 {done['swept']} 条。"
        )
