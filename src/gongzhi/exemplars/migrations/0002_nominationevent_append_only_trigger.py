from django.db import migrations

# Uses the function created by core 0002.
FORWARD = """
CREATE TRIGGER exemplars_nominationevent_append_only BEFORE UPDATE OR DELETE ON exemplars_nominationevent
  FOR EACH ROW EXECUTE FUNCTION gongzhi_append_only();
"""
BACKWARD = "DROP TRIGGER IF EXISTS exemplars_nominationevent_append_only ON exemplars_nominationevent;"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("exemplars", "0001_initial"), ("core", "0002_auditevent_append_only_trigger")]
    operations = [migrations.RunPython(forward, backward)]
