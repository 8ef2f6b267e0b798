"""Objection.receipt: a random code for the person who lodged it to look the objection up.

Added nullable, filled for the existing rows one by one (each its own random code),
then made unique and required."""

from django.db import migrations, models

import judging.models


def fill_receipts(apps, schema_editor):
    Objection = apps.get_model("judging", "Objection")
    used = set()
    for objection in Objection.objects.filter(receipt__isnull=True).only("pk"):
        code = judging.models.new_receipt()
        while code in used:
            code = judging.models.new_receipt()
        used.add(code)
        Objection.objects.filter(pk=objection.pk).update(receipt=code)


class Migration(migrations.Migration):
    dependencies = [("judging", "0004_publicity_notice_objection_channel")]

    operations = [
        migrations.AddField(
            model_name="objection",
            name="receipt",
            field=models.CharField(editable=False, max_length=12, null=True, verbose_name="回执编号"),
        ),
        migrations.RunPython(fill_receipts, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="objection",
            name="receipt",
            field=models.CharField(
                default=judging.models.new_receipt, editable=False, max_length=12, unique=True, verbose_name="回执编号"
            ),
        ),
    ]
