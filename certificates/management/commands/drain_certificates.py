"""``python manage.py drain_certificates``: send again the certificate batches the broker could not take.

The periodic job ``certificates.drain_outbox`` does the same under celery beat.
"""

from django.core.management.base import BaseCommand

from ... import services


class Command(BaseCommand):
    help = "重新发送因消息队列不可用而未发出的证书批次，以及长时间无进展批次中待生成的证书。"

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, default=30, help="只处理创建超过这么多秒的批次")

    def handle(self, *args, older_than, **options):
        sent = services.outbox_drain(older_than_seconds=older_than)
        self.stdout.write(f"已重新发送 {sent} 个证书批次。")
