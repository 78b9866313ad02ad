"""Forget procurements' lot numbers that name no sourcing lot, so that 0003 can make the number a foreign key."""

from django.db import migrations


def forget_unknown_lots(apps, schema_editor):
    Procurement = apps.get_model("procurement", "Procurement")
    Lot = apps.get_model("sourcing", "Lot")
    known = Lot.objects.values("pk")
    Procurement.objects.filter(replaces_lot_id__isnull=False).exclude(replaces_lot_id__in=known).update(
        replaces_lot_id=None
    )


class Migration(migrations.Migration):
    dependencies = [
        ("procurement", "0001_initial"),
        ("sourcing", "0001_initial"),
    ]

    operations = [migrations.RunPython(forget_unknown_lots, migrations.RunPython.noop)]
