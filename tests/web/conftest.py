"""A Pegasus deployment made as production makes one, shared by the tests that serve it through real processes."""

import pytest
from benchmarks.deployment import Deployment, deployment_prepare


@pytest.fixture(scope="session")
def deployment(tmp_path_factory) -> Deployment:
    """Front end built, static files collected in production mode, database migrated, demo loaded."""
    return deployment_prepare(tmp_path_factory.mktemp("deployment"))
