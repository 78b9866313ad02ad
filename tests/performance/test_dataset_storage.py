"""Stored ticket datasets in the shared storage, including those an earlier release kept under var/performance."""

from importlib import import_module

import pytest
from django.apps import apps
from django.core.files.storage import default_storage

from pegasus.performance import datasets, duckdb_sql, selectors, services, ticket_loading
from pegasus.performance.models import TicketUpload, UploadStatus
from tests.performance.test_app import GOOD_FILE

pytestmark = pytest.mark.django_db

MIGRATION = "pegasus.performance.migrations.0003_datasets_into_shared_storage"


@pytest.fixture
def legacy_dataset(settings, tmp_path):
    """A dataset where the earlier release kept it: var/performance/datasets/<name>, and its upload."""
    source = tmp_path / "march.csv"
    source.write_text(GOOD_FILE)
    con = duckdb_sql.connect()
    ticket_loading.load_tickets(con, source)
    datasets.store_dataset(con, settings.VAR_DIR / "performance" / "datasets" / "upload-1")
    con.close()
    return TicketUpload.objects.create(original_name="march.csv", dataset="upload-1", status=UploadStatus.SUCCEEDED)


class TestDatasetsOfAnEarlierRelease:
    def test_the_migration_moves_them_into_the_shared_storage(self, legacy_dataset):
        # when
        import_module(MIGRATION).datasets_into_shared_storage(apps, None)
        # then
        assert default_storage.exists("performance/datasets/upload-1/tickets.parquet")
        con = duckdb_sql.connect()
        datasets.open_dataset(con, selectors.dataset_path(legacy_dataset))
        assert duckdb_sql.count_rows(con, "tickets") == 2

    def test_a_dataset_already_in_the_storage_is_left_alone(self, legacy_dataset, tmp_path):
        # given the storage already holds a (different) dataset of that name
        other = tmp_path / "other.csv"
        other.write_text(GOOD_FILE + "T3,Kestrel Digital Services Ltd (illustrative),2,2019-03-06T09:00,\n")
        con = duckdb_sql.connect()
        ticket_loading.load_tickets(con, other)
        services.dataset_store(con, "upload-1")
        # when
        import_module(MIGRATION).datasets_into_shared_storage(apps, None)
        # then
        datasets.open_dataset(con, selectors.dataset_path(legacy_dataset))
        assert duckdb_sql.count_rows(con, "tickets") == 3

    def test_the_storage_replaces_a_dataset_whole(self, tmp_path):
        """Storing a dataset again (the demo) leaves no file of the one it replaced."""
        con = duckdb_sql.connect()
        ticket_loading.load_tickets(con, _write(tmp_path / "a.csv", GOOD_FILE))
        ticket_loading.load_assignments(
            con, _write(tmp_path / "b.csv", "ticket_id,assigned_at,supplier\nT1,2019-03-04T09:00,X\n")
        )
        services.dataset_store(con, "demo", assignments="assignments")
        assert default_storage.exists("performance/datasets/demo/assignments.parquet")
        services.dataset_store(con, "demo")
        assert default_storage.listdir("performance/datasets/demo")[1] == ["tickets.parquet"]


def _write(path, text):
    path.write_text(text)
    return path
