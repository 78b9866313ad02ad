"""An S3 API on this machine (moto's server, in a thread) and a fixture that makes it the shared storage.

Loaded for the whole suite from tests/conftest.py; the server starts only when a test asks for it. Each test
gets a bucket of its own, so nothing one test stores is seen by another.
"""

import uuid

import pytest

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "eu-west-2"}


@pytest.fixture(scope="session")
def moto_endpoint():
    """The URL of a moto S3 server on 127.0.0.1 (a free port), for the whole session."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def make_bucket(endpoint: str) -> str:
    import boto3

    name = f"pegasus-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=CREDENTIALS["AWS_DEFAULT_REGION"],
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )
    client.create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": CREDENTIALS["AWS_DEFAULT_REGION"]}
    )
    return name


@pytest.fixture
def s3_storage(settings, monkeypatch, moto_endpoint):
    """Django's default storage is a fresh bucket on the moto server, configured as PEGASUS_S3_* would."""
    from pegasus.settings import s3_storage_options

    for key, value in CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    bucket = make_bucket(moto_endpoint)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": s3_storage_options(bucket=bucket, endpoint_url=moto_endpoint, region="eu-west-2"),
        },
    }
    from django.core.files.storage import storages

    return storages["default"]
