"""A procurement's lot becomes a foreign key to the sourcing scenario's lot. The column keeps its name and values:
the plain number is renamed to the field's name, then altered into the key (whose column is `replaces_lot_id`)."""

import django.db.models.deletion
from django.db import migrations, models

HELP = "A lot of the chosen sourcing scenario that this procurement buys."


class Migration(migrations.Migration):
    dependencies = [
        ("procurement", "0002_replaces_lot_ids_checked"),
        ("sourcing", "0001_initial"),
    ]

    operations = [
        migrations.RenameField(model_name="procurement", old_name="replaces_lot_id", new_name="replaces_lot"),
        migrations.RenameField(model_name="historicalprocurement", old_name="replaces_lot_id", new_name="replaces_lot"),
        migrations.AlterField(
            model_name="procurement",
            name="replaces_lot",
            field=models.ForeignKey(
                blank=True,
                help_text=HELP,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="procurements",
                to="sourcing.lot",
                verbose_name="Lot it buys",
            ),
        ),
        migrations.AlterField(
            model_name="historicalprocurement",
            name="replaces_lot",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text=HELP,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="sourcing.lot",
                verbose_name="Lot it buys",
            ),
        ),
    ]
