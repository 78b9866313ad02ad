"""A dataset stored before datasets could be chosen was chosen when it was stored: the reports keep reading the one
they read."""

from django.db import migrations
from django.db.models import F


def chosen_when_stored(apps, schema_editor):
    TicketUpload = apps.get_model("performance", "TicketUpload")
    TicketUpload.objects.filter(status="succeeded", chosen_at__isnull=True).exclude(dataset="").update(
        chosen_at=F("finished_at")
    )


class Migration(migrations.Migration):
    dependencies = [("performance", "0005_raw_exports_and_datasets")]

    operations = [migrations.RunPython(chosen_when_stored, migrations.RunPython.noop)]
