from django.db import migrations, models

from gongzhi.core.text import grid_number


def fill(apps, schema_editor):
    Grid = apps.get_model("places", "Grid")
    grids = list(Grid.objects.only("pk", "name", "code"))
    for grid in grids:
        grid.sort_key = grid_number(grid.name, grid.code)
    Grid.objects.bulk_update(grids, ["sort_key"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("places", "0006_caretag_name_en"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="grid",
            options={
                "ordering": ["community_id", "sort_key", "code"],
                "verbose_name": "网格",
                "verbose_name_plural": "网格",
            },
        ),
        migrations.AddField(
            model_name="grid",
            name="sort_key",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
