"""A tender's procurement becomes a foreign key. The column keeps its name and its values: the plain number is
renamed to the field's name, then altered into the key (whose column is `procurement_id` again)."""

import django.db.models.deletion
from django.db import migrations, models

HELP = "The procurement of the pipeline this competition runs."


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0002_tender_procurement_ids_checked"),
        ("procurement", "0001_initial"),
    ]

    operations = [
        migrations.RenameField(model_name="tender", old_name="procurement_id", new_name="procurement"),
        migrations.RenameField(model_name="historicaltender", old_name="procurement_id", new_name="procurement"),
        migrations.AlterField(
            model_name="tender",
            name="procurement",
            field=models.ForeignKey(
                blank=True,
                help_text=HELP,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="tenders",
                to="procurement.procurement",
            ),
        ),
        migrations.AlterField(
            model_name="historicaltender",
            name="procurement",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text=HELP,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="procurement.procurement",
            ),
        ),
    ]
