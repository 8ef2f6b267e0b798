from django.db import migrations


def load(apps, schema_editor):
    from competition.units_data import load_units

    load_units(apps.get_model("competition", "Unit"))


class Migration(migrations.Migration):
    dependencies = [("competition", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
