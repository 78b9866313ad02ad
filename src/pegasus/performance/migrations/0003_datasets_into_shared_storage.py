"""Stored ticket datasets move from var/performance/datasets/<name>/ into the shared storage.

The pages now read an upload's dataset from Django's default storage (performance/datasets/<name>/), so that every
app server reads what any worker stored. Datasets an earlier release kept on this host's disk are copied there;
one the storage already holds is left as it is. The folders on disk are kept (nothing is deleted): remove
var/performance/datasets once the pages show the data. Reversing copies nothing back: the earlier release still
finds its folders.
"""

from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import migrations

FILES = ("assignments.parquet", "tickets.parquet")  # the tickets last: they make a dataset whole


def datasets_into_shared_storage(apps, schema_editor):
    TicketUpload = apps.get_model("performance", "TicketUpload")
    legacy = Path(settings.VAR_DIR) / "performance" / "datasets"
    names = set(TicketUpload.objects.exclude(dataset="").values_list("dataset", flat=True))
    for name in sorted(names):
        folder = legacy / name
        target = f"performance/datasets/{name}"
        if not (folder / "tickets.parquet").is_file() or default_storage.exists(f"{target}/tickets.parquet"):
            continue
        for part in FILES:
            if (folder / part).is_file():
                default_storage.delete(f"{target}/{part}")
                with (folder / part).open("rb") as handle:
                    default_storage.save(f"{target}/{part}", File(handle, name=part))


class Migration(migrations.Migration):
    dependencies = [
        ("performance", "0002_service_hours_default_callables"),
    ]

    operations = [
        migrations.RunPython(datasets_into_shared_storage, migrations.RunPython.noop, elidable=True),
    ]
