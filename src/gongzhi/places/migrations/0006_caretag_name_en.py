from django.db import migrations, models

# English names of the care tags every community starts with.
ENGLISH_NAMES = {
    "alone": "Lives alone",
    "disabled": "Disability",
    "low_income": "Subsistence allowance",
    "key_care": "Priority care",
}


def fill(apps, schema_editor):
    CareTag = apps.get_model("places", "CareTag")
    for code, name_en in ENGLISH_NAMES.items():
        CareTag.objects.filter(code=code, name_en="").update(name_en=name_en)


class Migration(migrations.Migration):
    dependencies = [
        ("places", "0005_contact_log"),
    ]

    operations = [
        migrations.AddField(
            model_name="caretag",
            name="name_en",
            field=models.CharField(blank=True, max_length=80, verbose_name="英文名称"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
