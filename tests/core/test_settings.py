"""Settings come from the environment; production refuses to start unsafely and passes `check --deploy`."""

import os
import subprocess
import sys

import pytest

ENV = {k: v for k, v in os.environ.items() if not k.startswith(("PEGASUS_", "DATABASE_URL", "DJANGO_"))}


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pegasus.cli", *args], capture_output=True, text=True, env={**ENV, **env}, timeout=120
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run(
        "check", PEGASUS_ENV="production", PEGASUS_ALLOWED_HOSTS="pegasus.example", PEGASUS_VAR_DIR=str(tmp_path)
    )
    assert result.returncode != 0
    assert "PEGASUS_SECRET_KEY must be set" in result.stderr


def test_production_check_deploy_reports_nothing(tmp_path):
    # collectstatic's manifest (tests/web/test_production.py makes a real one; its absence is an error)
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "staticfiles.json").write_text('{"paths": {}, "version": "1.1", "hash": ""}')
    result = run(
        "check",
        "--deploy",
        "--fail-level",
        "INFO",
        PEGASUS_ENV="production",
        PEGASUS_SECRET_KEY="x" * 30 + "-a-long-random-production-secret-value-0123456789",
        PEGASUS_ALLOWED_HOSTS="pegasus.example",
        PEGASUS_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PEGASUS_ENV", "staging", "PEGASUS_ENV must be development, test or production"),
        ("PEGASUS_AS_AT", "23/05/2019", "PEGASUS_AS_AT must be a date YYYY-MM-DD"),
        ("PEGASUS_DEBUG", "maybe", "PEGASUS_DEBUG must be true or false"),
    ],
)
def test_bad_settings_fail_fast_naming_the_variable(name, value, message, tmp_path):
    result = run("check", PEGASUS_VAR_DIR=str(tmp_path), **{name: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_database_url_selects_postgresql():
    code = "from pegasus import settings; print(settings.DATABASES['default']['ENGINE'])"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env={**ENV, "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/pegasus"},
    )
    assert result.stdout.strip() == "django.db.backends.postgresql"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PEGASUS_TRUSTED_PROXIES", "two"),
        ("PEGASUS_TRUSTED_PROXIES", "-1"),
        ("PEGASUS_LOGIN_RETRY_SECONDS", "1.5"),
        ("PEGASUS_LOGIN_ADDRESS_FAILURE_LIMIT", "0"),
        ("PEGASUS_LOGIN_FAILURE_LIMIT", "none"),
    ],
)
def test_a_sign_in_setting_that_is_not_a_whole_number_in_range_stops_the_start(tmp_path, name, value):
    result = run("check", PEGASUS_VAR_DIR=str(tmp_path), **{name: value})
    assert result.returncode != 0
    assert f"{name} must be a whole number" in result.stderr
