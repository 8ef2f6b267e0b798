"""``python manage.py lapse_overdue``: the periodic job that lapses overdue corrections, once.

Celery beat runs the same (``nominations.lapse_overdue``) every ten minutes;
without beat (the embedded default) run this from cron. Running it again
changes nothing more.
"""

from django.core.management.base import BaseCommand

from nominations.corrections import nominations_lapse_due


class Command(BaseCommand):
    help = "将补正截止已过仍未重新提交的退回推荐标记为“已逾期未更正”（重复运行不会重复处理）。"

    def handle(self, *args, **options):
        lapsed = nominations_lapse_due()
        self.stdout.write(f"已标记逾期未更正的推荐 {len(lapsed)} 项。")
        for nomination in lapsed:
            self.stdout.write(f"  #{nomination.pk} {nomination}（补正截止 {nomination.correct_by}）")
