"""The open data API: the OCDS release and record packages, as the public file and `pegasus ocds` build them, for any
caller with a token (public data), and for no caller without one."""

import json
from datetime import date

import pytest
from django.core.management import call_command

from pegasus.core.roles import Role

pytestmark = pytest.mark.django_db

AS_AT = date(2019, 5, 23)


def exported(tmp_path, *options: str) -> dict:
    out = tmp_path / "package.json"
    call_command("ocds", "export", "--out", str(out), "--as-at", AS_AT.isoformat(), *options)
    return json.loads(out.read_text(encoding="utf-8"))


def test_the_release_package_is_what_the_export_writes(everything, api_as, tmp_path):
    # given
    api, _ = api_as(Role.AUDITOR)
    expected = exported(tmp_path)

    # when
    body = api.get("/ocds/releases", as_at=AS_AT.isoformat()).json()

    # then
    assert body["releases"] and body["releases"] == expected["releases"]
    assert (body["uri"], body["version"], body["license"]) == (expected["uri"], "1.1", expected["license"])
    assert body["uri"].endswith("/public/ocds/releases.json")


def test_the_record_package_has_a_record_per_process_with_its_compiled_release(everything, api_as, tmp_path):
    api, _ = api_as(Role.COMMERCIAL_OFFICER)
    expected = exported(tmp_path, "--records")

    body = api.get("/ocds/records", as_at=AS_AT.isoformat()).json()

    assert body["records"] == expected["records"]
    first = body["records"][0]
    assert first["compiledRelease"]["tag"] == ["compiled"] and first["releases"][0]["ocid"] == first["ocid"]
    assert body["uri"].endswith("/public/ocds/records.json")


def test_a_supplier_user_reads_the_public_packages_too(everything, api_as):
    api, _ = api_as(Role.SUPPLIER_USER)
    assert api.get("/ocds/releases").status_code == 200
    assert api.get("/ocds/records").status_code == 200


def test_without_a_token_the_packages_are_refused(client, db):
    assert client.get("/api/ocds/releases").status_code == 401
    assert client.get("/api/ocds/records").status_code == 401


def test_a_date_out_of_range_is_refused_naming_it(api_as, db):
    api, _ = api_as(Role.AUDITOR)
    response = api.get("/ocds/releases", as_at="1066-10-14")
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "as_at"
