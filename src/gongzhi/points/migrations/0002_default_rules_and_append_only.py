from django.db import migrations

RULES = [
    ("service_hour", "志愿服务", "小时", 10),
    ("activity_attendance", "参加活动", "次", 5),
    ("quiz_correct", "有奖竞答答对", "题", 1),
]

# Uses the function created by core 0002.
FORWARD = """
CREATE TRIGGER points_transaction_append_only BEFORE UPDATE OR DELETE ON points_transaction
  FOR EACH ROW EXECUTE FUNCTION gongzhi_append_only();
CREATE TRIGGER points_entry_append_only BEFORE UPDATE OR DELETE ON points_entry
  FOR EACH ROW EXECUTE FUNCTION gongzhi_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS points_transaction_append_only ON points_transaction;
DROP TRIGGER IF EXISTS points_entry_append_only ON points_entry;
"""


def seed_rules(apps, schema_editor):
    EarningRule = apps.get_model("points", "EarningRule")
    for code, label, unit, points in RULES:
        EarningRule.objects.get_or_create(
            code=code, defaults={"label": label, "unit": unit, "points": points}
        )


def unseed_rules(apps, schema_editor):
    apps.get_model("points", "EarningRule").objects.filter(code__in=[r[0] for r in RULES]).delete()


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("points", "0001_initial"), ("core", "0002_auditevent_append_only_trigger")]
    operations = [
        migrations.RunPython(seed_rules, unseed_rules),
        migrations.RunPython(forward, backward),
    ]
