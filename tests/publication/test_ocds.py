"""Open contracting: the demo's contracts and procurements as OCDS 1.1.5, valid by libcoveocds offline and by the
record package schema, with nothing confidential in them."""

import json
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from jsonschema import Draft4Validator
from referencing import Registry, Resource

from pegasus.core.classification import Classification
from pegasus.estate.models import Contract

pytestmark = pytest.mark.django_db

AS_AT = date(2019, 5, 23)
SCHEMA_URL = "https://standard.open-contracting.org/schema/1__1__5/"


@pytest.fixture
def everything(demo):
    """Every demo the other apps load: decisions with Part 2, procurements, the tender with its bids, scenarios."""
    from pegasus.evaluation.demo import evaluation_demo_load
    from pegasus.governance.demo import decisions_demo_load
    from pegasus.procurement.demo import procurements_demo_load
    from pegasus.sourcing.demo import sourcing_demo_load

    decisions_demo_load()
    procurements_demo_load()
    evaluation_demo_load()
    sourcing_demo_load(optimise=False)


def export(tmp_path: Path, *options: str) -> dict:
    out = tmp_path / "package.json"
    call_command("ocds", "export", "--out", str(out), "--as-at", AS_AT.isoformat(), *options)
    return json.loads(out.read_text(encoding="utf-8"))


def test_the_release_package_passes_libcoveocds_offline(everything, tmp_path, shared_data):
    # given
    package = export(tmp_path)
    path = tmp_path / "package.json"
    libcove = Path(sys.executable).parent / "libcoveocds"

    # when
    run = subprocess.run(
        [
            str(libcove),
            "--standard-zip",
            str(shared_data / "ocds-schema-1.1.5" / "standard-1__1__5-schema.zip"),
            "--exclude-file",
            "--output-dir",
            str(tmp_path / "cove"),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    # then
    assert run.returncode == 0, run.stderr[-2000:]
    report = json.loads(run.stdout)
    assert report["validation_errors"] == []
    assert report["additional_fields"] == []
    assert report["additional_closed_codelist_values"] == {}
    assert report["count"] == len(package["releases"]) == Contract.objects.count() + 2


def test_the_record_package_is_valid_against_the_schema(everything, tmp_path, shared_data):
    schemas = shared_data / "ocds-schema-1.1.5"
    registry = Registry().with_resources(
        (SCHEMA_URL + name, Resource.from_contents(json.loads((schemas / name).read_text(encoding="utf-8"))))
        for name in ("release-schema.json", "versioned-release-validation-schema.json")
    )
    schema = json.loads((schemas / "record-package-schema.json").read_text(encoding="utf-8"))

    package = export(tmp_path, "--records")

    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in Draft4Validator(schema, registry=registry).iter_errors(package)
    ]
    assert errors == []
    assert len(package["records"]) == len({record["ocid"] for record in package["records"]}) == 11
    for record in package["records"]:
        assert record["compiledRelease"]["tag"] == ["compiled"]
        assert record["compiledRelease"]["ocid"] == record["ocid"] == record["releases"][0]["ocid"]


def test_each_contract_and_procurement_is_a_process_under_the_configured_prefix(everything, tmp_path, settings):
    settings.PEGASUS_OCID_PREFIX = "ocds-abc123"

    releases = {release["ocid"]: release for release in export(tmp_path)["releases"]}

    siam = releases["ocds-abc123-MPS-DP-T1-001"]
    assert siam["tag"] == ["contract"]
    assert siam["contracts"][0]["period"] == {"startDate": "2015-04-01T00:00:00Z", "endDate": "2020-03-31T00:00:00Z"}
    assert siam["awards"][0]["suppliers"][0]["name"] == Contract.objects.get(reference="MPS-DP-T1-001").supplier.name
    applications = releases["ocds-abc123-PEG-2020-02"]
    assert applications["tag"] == ["planning", "tender"]
    assert applications["tender"]["procurementMethod"] == "selective"
    assert applications["tender"]["tenderPeriod"]["startDate"] < applications["tender"]["contractPeriod"]["startDate"]
    assert [p["identifier"] for p in applications["relatedProcesses"]] == ["ocds-abc123-MPS-DP-T1-006"]


def test_values_of_commercially_sensitive_contracts_are_left_out(everything, tmp_path):
    releases = {release["ocid"]: release for release in export(tmp_path)["releases"]}

    for contract in Contract.objects.all():
        release = releases[f"ocds-pgss01-{contract.reference}"]
        sensitive = contract.classification == Classification.OFFICIAL_SENSITIVE.value
        assert ("value" in release["contracts"][0]) is not sensitive, contract.reference
        assert ("value" in release["awards"][0]) is not sensitive, contract.reference
        if not sensitive:
            assert Decimal(str(release["contracts"][0]["value"]["amount"])) == contract.total_value
    assert any(c.classification == Classification.OFFICIAL_SENSITIVE.value for c in Contract.objects.all())
    assert any(c.classification == Classification.OFFICIAL.value for c in Contract.objects.all())


def test_nothing_of_a_bid_a_market_price_or_a_part_2_is_published(everything, tmp_path, client):
    from pegasus.evaluation.models import Bid
    from pegasus.governance.models import Decision
    from pegasus.sourcing.models import MarketPrice

    # given the confidential figures and texts the demo holds
    secrets = [str(bid.price) for bid in Bid.objects.all()]
    secrets += [str(price.annual_price) for price in MarketPrice.objects.all()]
    secrets += [decision.part2[:60] for decision in Decision.objects.exclude(part2="")]
    secrets += [str(c.total_value) for c in Contract.objects.filter(classification="OFFICIAL-SENSITIVE")]
    assert len(secrets) > 10

    # when the package is read as a file and from the public register
    export(tmp_path)
    texts = [(tmp_path / "package.json").read_text()]
    response = client.get("/public/ocds/releases.json")
    assert response.status_code == 200
    texts.append(response.content.decode())

    # then
    amounts = {
        str(Decimal(str(release_amount)).quantize(Decimal("0.01")))
        for text in texts
        for release_amount in _amounts(json.loads(text))
    }
    for secret in secrets:
        assert all(secret not in text for text in texts), secret
        assert secret not in amounts, secret


def _amounts(value):
    if isinstance(value, dict):
        if set(value) == {"amount", "currency"}:
            yield value["amount"]
        for item in value.values():
            yield from _amounts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _amounts(item)


def test_an_export_of_the_same_estate_is_the_same_but_for_its_date(everything, tmp_path):
    first = export(tmp_path)
    second = export(tmp_path)
    first.pop("publishedDate")
    second.pop("publishedDate")
    assert first == second


def test_a_bad_as_at_date_exits_2_naming_the_option(tmp_path, capsys, db):
    with pytest.raises(SystemExit) as exit_:
        call_command("ocds", "export", "--out", str(tmp_path / "x.json"), "--as-at", "2019-02-30")
    assert exit_.value.code == 2
    assert "--as-at" in capsys.readouterr().err
    assert not (tmp_path / "x.json").exists()
