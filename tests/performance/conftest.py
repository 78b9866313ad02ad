"""Performance fixtures: stored datasets under each test's own folder, and the demo with its SLAs and tickets."""

import pytest


@pytest.fixture(autouse=True)
def var_in_tmp(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"


@pytest.fixture
def performance_demo(demo):
    from pegasus.performance.demo import performance_demo_load

    return performance_demo_load()
