"""Performance fixtures: stored datasets under each test's own folder, and the demo with its SLAs and tickets, for a
test or once for a class of tests that read it."""

import pytest


@pytest.fixture(autouse=True)
def var_in_tmp(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"


@pytest.fixture
def performance_demo(demo):
    from pegasus.performance.demo import performance_demo_load

    return performance_demo_load()


@pytest.fixture(scope="class")
def performance_loaded(class_transaction):
    """The performance demo made once for the tests of a class, and the folders its dataset is stored under."""
    from django.conf import settings

    from pegasus.estate.demo import demo_load
    from pegasus.performance.demo import performance_demo_load

    demo_load()
    return performance_demo_load(), settings.MEDIA_ROOT, settings.VAR_DIR


@pytest.fixture
def performance_read(performance_loaded, settings):
    """The performance demo for a class whose tests each read it (what a test changes is still undone after it):
    made once for the class (`performance_loaded`), its dataset where the test reads files from."""
    loaded, settings.MEDIA_ROOT, settings.VAR_DIR = performance_loaded
    return loaded
