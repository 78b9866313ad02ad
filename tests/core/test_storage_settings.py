"""Where shared files live is chosen by the environment: a folder under var/media, or an S3 bucket."""

import json
import os
import subprocess
import sys

import pytest

ENV = {k: v for k, v in os.environ.items() if not k.startswith(("PEGASUS_", "DATABASE_URL", "DJANGO_", "AWS_"))}
SHOW = "import json; from pegasus import settings; print(json.dumps(settings.STORAGES['default']))"


def storage_with(tmp_path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", SHOW],
        capture_output=True,
        text=True,
        env={**ENV, "PEGASUS_VAR_DIR": str(tmp_path), **env},
        timeout=60,
    )


def test_files_are_kept_under_var_media_by_default(tmp_path):
    result = storage_with(tmp_path)
    assert json.loads(result.stdout) == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_a_bucket_selects_s3_with_its_endpoint_and_region_and_never_overwrites(tmp_path):
    result = storage_with(
        tmp_path,
        PEGASUS_S3_BUCKET="pegasus-files",
        PEGASUS_S3_ENDPOINT_URL="https://s3.example.org",
        PEGASUS_S3_REGION="eu-west-2",
    )
    found = json.loads(result.stdout)
    assert found["BACKEND"] == "storages.backends.s3.S3Storage"
    options = found["OPTIONS"]
    assert (options["bucket_name"], options["endpoint_url"], options["region_name"]) == (
        "pegasus-files",
        "https://s3.example.org",
        "eu-west-2",
    )
    assert options["file_overwrite"] is False and options["default_acl"] is None
    assert options["max_memory_size"] == 2 * 1024 * 1024  # not 0, which would hold a whole file in memory


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PEGASUS_STORAGE": "s3"}, "PEGASUS_S3_BUCKET must be set when PEGASUS_STORAGE=s3"),
        ({"PEGASUS_STORAGE": "ftp"}, "PEGASUS_STORAGE must be filesystem or s3, not 'ftp'"),
    ],
)
def test_a_bad_storage_setting_fails_fast_naming_the_variable(tmp_path, env, message):
    result = storage_with(tmp_path, **env)
    assert result.returncode != 0
    assert message in result.stderr
