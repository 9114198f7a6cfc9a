from django.db import migrations

# Uses the function created by core 0002.
TABLES = ("deliberation_mattertransition", "deliberation_objection")
FORWARD = """
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
  FOR EACH ROW EXECUTE FUNCTION gongzhi_append_only();
"""
BACKWARD = "DROP TRIGGER IF EXISTS {table}_append_only ON {table};"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(FORWARD.format(table=table))


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(BACKWARD.format(table=table))


class Migration(migrations.Migration):
    dependencies = [
        ("deliberation", "0001_initial"),
        ("core", "0002_auditevent_append_only_trigger"),
    ]
    operations = [migrations.RunPython(forward, backward)]
