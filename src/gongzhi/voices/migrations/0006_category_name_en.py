from django.db import migrations, models

# The catalogue's English names when this field came (voices.catalogue.ENGLISH_NAMES),
# for the categories already in a database; later ones get theirs from the catalogue.
ENGLISH_NAMES = {
    "elevator_retrofit": "Lift retrofit",
    "illegal_structure": "Illegal structures",
    "pipeline_relocation": "Pipeline relocation",
    "building_demolition": "Building demolition",
    "parking": "Parking",
    "flying_wires": "Illegal overhead wiring",
    "civility": "Civility reminders",
    "space_beautification": "Public space improvement",
    "sanitation": "Sanitation",
    "neighbour_dispute": "Neighbour disputes",
    "safety_hazard": "Safety hazards",
    "elderly_service": "Help for the elderly",
    "water_supply": "Water supply",
    "power_supply": "Power supply",
    "gas": "Gas",
    "property_service": "Property management",
    "roads": "Roads and paths",
    "noise": "Noise",
    "greening": "Greenery",
    "public_security": "Public security",
    "other": "Other",
}


def fill(apps, schema_editor):
    Category = apps.get_model("voices", "Category")
    for code, name_en in ENGLISH_NAMES.items():
        Category.objects.filter(code=code, name_en="").update(name_en=name_en)


class Migration(migrations.Migration):
    dependencies = [
        ("voices", "0005_attachment_thumbnail"),
    ]

    operations = [
        migrations.AddField(
            model_name="category",
            name="name_en",
            field=models.CharField(blank=True, max_length=80, verbose_name="英文名称"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
