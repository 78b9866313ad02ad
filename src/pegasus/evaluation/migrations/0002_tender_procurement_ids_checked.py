"""Forget tenders' procurement numbers that name no procurement, so that 0003 can make the number a foreign key.

The number was typed in freely before; one naming no procurement linked the tender to nothing."""

from django.db import migrations


def forget_unknown_procurements(apps, schema_editor):
    Tender = apps.get_model("evaluation", "Tender")
    Procurement = apps.get_model("procurement", "Procurement")
    known = Procurement.objects.values("pk")
    Tender.objects.filter(procurement_id__isnull=False).exclude(procurement_id__in=known).update(procurement_id=None)


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0001_initial"),
        ("procurement", "0001_initial"),
    ]

    operations = [migrations.RunPython(forget_unknown_procurements, migrations.RunPython.noop)]
