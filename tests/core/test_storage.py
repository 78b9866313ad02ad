"""Shared files: stored through Django's storage (a folder, or an S3 bucket), read through this host's cache."""

import pytest

from pegasus.core import storage


@pytest.fixture
def source(tmp_path):
    def make(text: str, name: str = "source.bin"):
        path = tmp_path / "here" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    return make


class TestOnS3:
    """With an object store, readers get a downloaded copy kept under the object's checksum."""

    def test_a_stored_file_is_read_through_a_cached_copy(self, s3_storage, source, settings):
        storage.save_file("data/a.parquet", source("first"))
        path = storage.local_file("data/a.parquet")
        assert path.read_text() == "first"
        assert str(path).startswith(str(settings.VAR_DIR / "cache"))
        assert not (settings.MEDIA_ROOT / "data").exists()

    def test_a_replaced_object_is_fetched_again_and_the_old_copy_dropped(self, s3_storage, source):
        storage.save_file("data/a.parquet", source("first"))
        old = storage.local_file("data/a.parquet")
        storage.save_file("data/a.parquet", source("second, longer"), replace=True)
        new = storage.local_file("data/a.parquet")
        assert new != old and new.read_text() == "second, longer"
        assert not old.exists()

    def test_an_unchanged_object_is_not_downloaded_again(self, s3_storage, source):
        storage.save_file("data/a.parquet", source("first"))
        path = storage.local_file("data/a.parquet")
        path.write_text("marked")  # were it fetched again, the mark would go
        assert storage.local_file("data/a.parquet").read_text() == "marked"

    def test_another_hosts_cache_fetches_its_own_copy(self, s3_storage, source, settings, tmp_path):
        storage.save_file("data/a.parquet", source("first"))
        storage.local_file("data/a.parquet")
        settings.VAR_DIR = tmp_path / "other-host"
        assert storage.local_file("data/a.parquet").read_text() == "first"
        assert str(storage.local_file("data/a.parquet")).startswith(str(tmp_path / "other-host"))

    def test_a_folder_holds_only_the_files_that_are_stored(self, s3_storage, source):
        storage.save_file("ds/one/tickets.parquet", source("tickets"))
        folder = storage.local_folder("ds/one", ["tickets.parquet", "assignments.parquet"])
        assert sorted(p.name for p in folder.iterdir()) == ["tickets.parquet"]
        storage.save_file("ds/one/assignments.parquet", source("assignments"))
        folder = storage.local_folder("ds/one", ["tickets.parquet", "assignments.parquet"])
        assert sorted(p.name for p in folder.iterdir()) == ["assignments.parquet", "tickets.parquet"]

    def test_a_file_fetched_once_leaves_no_copy(self, s3_storage, source, settings):
        storage.save_file("uploads/t.csv", source("a,b\n"))
        with storage.fetched("uploads/t.csv") as path:
            assert path.read_text() == "a,b\n"
        assert not path.exists()

    def test_a_missing_object_is_not_found(self, s3_storage):
        with pytest.raises(FileNotFoundError):
            storage.local_file("data/none.parquet")

    def test_a_taken_name_is_not_overwritten_unless_replacing(self, s3_storage, source):
        storage.save_file("part2/x.pdf", source("one"))
        with pytest.raises(FileExistsError):
            storage.save_file("part2/x.pdf", source("two"))
        assert storage.local_file("part2/x.pdf").read_text() == "one"
        assert s3_storage.listdir("part2")[1] == ["x.pdf"]


class TestOnTheFilesystem:
    """With the default folder storage, readers use the stored file itself: nothing is copied."""

    def test_the_stored_file_is_read_in_place(self, source, settings):
        storage.save_file("data/a.parquet", source("first"))
        assert storage.local_file("data/a.parquet") == settings.MEDIA_ROOT / "data" / "a.parquet"
        assert not (settings.VAR_DIR / "cache").exists()

    def test_a_taken_name_is_not_overwritten_unless_replacing(self, source):
        storage.save_file("data/a.parquet", source("one"))
        with pytest.raises(FileExistsError):
            storage.save_file("data/a.parquet", source("two"))
        storage.save_file("data/a.parquet", source("three"), replace=True)
        assert storage.local_file("data/a.parquet").read_text() == "three"

    def test_a_missing_file_is_not_found(self):
        with pytest.raises(FileNotFoundError):
            storage.local_file("data/none.parquet")
