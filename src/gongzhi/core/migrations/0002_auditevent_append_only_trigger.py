from django.db import migrations

# PostgreSQL refuses UPDATE and DELETE on the audit log, so that not even a shell session
# can rewrite history. SQLite (the demo) relies on the model and queryset guards.
FORWARD = """
CREATE OR REPLACE FUNCTION gongzhi_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'table %% is append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditevent_append_only BEFORE UPDATE OR DELETE ON core_auditevent
  FOR EACH ROW EXECUTE FUNCTION gongzhi_append_only();
"""
BACKWARD = "DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
