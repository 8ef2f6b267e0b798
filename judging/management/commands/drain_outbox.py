"""Send again the queued jobs the broker could not take (celery beat runs the same every minute)."""

from django.core.management.base import BaseCommand

from judging.services import results


class Command(BaseCommand):
    help = "把消息队列不可用时记录下来的计分任务重新发送。"

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, default=30, help="只发送排队超过该秒数的任务")

    def handle(self, *args, older_than, **options):
        sent = results.outbox_drain(older_than_seconds=older_than)
        self.stdout.write(f"已重新发送 {sent} 个任务。")
