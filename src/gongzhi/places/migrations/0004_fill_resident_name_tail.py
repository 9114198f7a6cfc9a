from django.db import migrations

# SUBSTR counts characters on both SQLite and PostgreSQL.
FORWARD = "UPDATE places_resident SET name_tail = SUBSTR(name_simplified, 2)"


def forward(apps, schema_editor):
    schema_editor.execute(FORWARD)


class Migration(migrations.Migration):
    dependencies = [("places", "0003_resident_name_tail_and_prefix_indexes")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
