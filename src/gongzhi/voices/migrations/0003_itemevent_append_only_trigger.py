from django.db import migrations

# PostgreSQL refuses UPDATE and DELETE on an item's timeline, as it does on the audit log
# (the function comes from the core migrations). SQLite relies on the model guards.
FORWARD = """
CREATE TRIGGER voices_itemevent_append_only BEFORE UPDATE OR DELETE ON voices_itemevent
  FOR EACH ROW EXECUTE FUNCTION gongzhi_append_only();
"""
BACKWARD = "DROP TRIGGER IF EXISTS voices_itemevent_append_only ON voices_itemevent;"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_auditevent_append_only_trigger"),
        ("voices", "0002_item_entrance_number_counter_event_clock"),
    ]
    operations = [migrations.RunPython(forward, backward)]
