"""Shared fixtures: users by role, the demo estate, and the path to the real published data."""

import os
from collections import Counter
from itertools import count
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.test import override_settings
from hypothesis import settings as hypothesis_settings

# Property tests assert results, not speed: on a shared machine, and with the suite running on every core, an example
# may take longer than hypothesis' default 200 ms deadline without anything being wrong.
hypothesis_settings.register_profile("pegasus", deadline=None)
hypothesis_settings.load_profile("pegasus")

os.environ.setdefault("PEGASUS_ENV", "test")

pytest_plugins = ["tests.browser", "tests.s3"]

SHARED_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
# A test that asks for any of these reads or writes the test database.
DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "live_server",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "module_transaction",
}


def pytest_collection_modifyitems(config, items):
    """Every item has a node id of its own. The suite runs whole on SQLite; on PostgreSQL it runs again where the
    database answers.

    On PostgreSQL that is every test that uses the database, except the browser tests: their pages are drawn by the
    same views and queries that the tests without a browser run on both databases.
    """
    from django.conf import settings

    loadgroup = getattr(config.option, "loadgroup", False)
    for item in items:
        # Schemathesis names each API operation's item `test[GET /api/...]` but gives them all the test's node id;
        # pytest-xdist schedules by node id, so all but one operation would silently not run on the workers. The id
        # is made as pytest makes any item's own: its parent's, then its name.
        if not item.nodeid.endswith(f"::{item.name}"):
            item._id = item.parent.id.child(item.name)
        # `--dist loadgroup` sends the tests of one `xdist_group` to one worker by the `@group` ending of their node
        # ids. pytest-xdist writes that ending where pytest 9 no longer reads a node id from, so the group's tests
        # would be spread over the workers and what they share (one built deployment) made once on each.
        groups = sorted(
            {str(mark.args[0] if mark.args else mark.kwargs["name"]) for mark in item.iter_markers("xdist_group")}
        )
        if loadgroup and groups:
            item._id = type(item.id).parse(f"{item.nodeid}@{'_'.join(groups)}")
    shared = [nodeid for nodeid, count in Counter(item.nodeid for item in items).items() if count > 1]
    if shared:
        raise pytest.UsageError(f"tests share a node id, and in parallel only one of each would run: {shared[:5]}")
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return
    kept, left = [], []
    for item in items:
        uses_database = item.get_closest_marker("django_db") or DATABASE_FIXTURES & set(item.fixturenames)
        (kept if uses_database and not item.get_closest_marker("browser") else left).append(item)
    config.hook.pytest_deselected(items=left)
    items[:] = kept


@pytest.fixture(scope="session")
def files_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("files")


_TESTS = count()


@pytest.fixture
def own_files(files_root) -> Path:
    """A folder of the test's own, not yet made: whatever first stores a file there makes it. Most tests store none,
    and a folder made and removed for each test of a run (as `tmp_path` does) costs more than many of them."""
    return files_root / str(next(_TESTS))


@pytest.fixture(autouse=True)
def media_in_tmp(settings, own_files):
    """Uploaded files (Part 2 attachments, ticket files) and stored datasets go to a folder of each test's own."""
    settings.MEDIA_ROOT = own_files / "media"
    settings.VAR_DIR = own_files / "var"


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"the published data is not beside the project at {SHARED_DATA}")
    return SHARED_DATA


def _rolled_back(django_db_blocker, folder: Path):
    """One transaction, rolled back at the end, with the files its data stores in `folder`."""
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=folder / "media", VAR_DIR=folder / "var"):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield django_db_blocker
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def module_transaction(django_db_setup, django_db_blocker, tmp_path_factory):
    """One transaction around a whole module, rolled back when the module ends.

    Data a module-scoped fixture makes inside it is made once and seen by every test of the module; each test still
    runs in a savepoint of its own (pytest-django's `db`), so what one test changes is undone before the next. The
    files that data stores (ticket datasets, attachments) go to a folder of their own each time: a worker that comes
    back to a module after others' tests makes it again, and must not find the files of the rolled-back one.
    """
    yield from _rolled_back(django_db_blocker, tmp_path_factory.mktemp("module"))


@pytest.fixture(scope="class")
def class_transaction(django_db_setup, django_db_blocker, tmp_path_factory):
    """As `module_transaction`, around the tests of one class (around one test, for a test outside a class)."""
    yield from _rolled_back(django_db_blocker, tmp_path_factory.mktemp("class"))


@pytest.fixture
def make_user(db, django_user_model):
    """Make a user with the given role (a Role value or its name); supplier users may be given a supplier, and
    anyone an office of the scheme of delegation (`tests.factories.DELEGATED_OFFICER`)."""

    def make(role: str | None = None, *, username: str | None = None, supplier=None, office: str | None = None):
        from pegasus.estate.models import SupplierMembership
        from pegasus.governance.models import Appointment

        name = username or f"{role or 'nobody'}-user"
        user = django_user_model.objects.create_user(username=name, password="correct-horse-battery")
        if role:
            user.groups.add(Group.objects.get_or_create(name=str(role))[0])  # a flush empties the groups
        if supplier is not None:
            SupplierMembership.objects.create(user=user, supplier=supplier)
        if office is not None:
            Appointment.objects.create(user=user, office=office)
        return user

    return make


@pytest.fixture
def demo(db):
    """The demonstration estate of PCD 579, loaded into the test database."""
    from pegasus.estate.demo import demo_load

    demo_load()


@pytest.fixture
def signed_in(client, make_user):
    """A test client signed in with the given role."""

    def sign_in(role: str, **kwargs):
        user = make_user(role, **kwargs)
        client.force_login(user, backend="pegasus.core.backends.PegasusBackend")
        return client, user

    return sign_in
