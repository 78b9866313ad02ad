"""Open contracting: the demo's contracts and procurements as OCDS 1.1.5 with the UK extension, valid by libcoveocds
offline, by the record package schema and by the release schema with the UK extension merged in, with nothing
confidential in them; a tender's award appears only once its decision is published, and then only the winner; a
contract's spend up to the export's date is published as its transactions, unless the contract is OFFICIAL-SENSITIVE."""

import json
import subprocess
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from jsonschema import Draft4Validator
from referencing import Registry, Resource

from pegasus.core.classification import Classification
from pegasus.core.roles import Role
from pegasus.estate.models import Contract, Spend, Supplier
from pegasus.procurement.models import Procurement
from pegasus.publication.ocds import UK_EXTENSION
from pegasus.publication.selectors import ocds_releases
from tests.factories import ContractFactory, OrganisationFactory, SpendFactory, SupplierFactory

pytestmark = pytest.mark.django_db

AS_AT = date(2019, 5, 23)
SCHEMA_URL = "https://standard.open-contracting.org/schema/1__1__5/"


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
    assert report["additional_closed_codelist_values"] == {}
    # Offline, libcoveocds cannot fetch the UK extension: the fields it would have added are reported as additional,
    # and must be exactly fields the extension defines (test_the_release_package_is_valid_with_the_uk_extension).
    assert report["extensions"]["invalid_extension"] == {UK_EXTENSION: "fetching failed"}
    uk = _uk_fields(shared_data)
    assert [(f["path"], f["field"]) for f in report["additional_fields"] if (f["path"], f["field"]) not in uk] == []
    assert report["count"] == len(package["releases"]) == Contract.objects.count() + Procurement.objects.count()
    assert any("implementation" in release["tag"] for release in package["releases"])


def _uk_fields(shared_data: Path) -> set[tuple[str, str]]:
    """(path, field) of the fields the UK extension adds where a release package's releases hold them."""
    patch = json.loads((shared_data / "ocds-uk-extension" / "release-schema.json").read_text(encoding="utf-8"))
    places = {
        "Tender": "/releases/tender",
        "Award": "/releases/awards",
        "Organization": "/releases/parties",
        "Amendment": "/releases/contracts/amendments",
        "Document": "/releases/contracts/documents",
    }
    fields = set()
    for name, path in places.items():
        for field, spec in patch["definitions"][name]["properties"].items():
            fields.add((path, field))
            fields |= {(f"{path}/{field}", sub) for sub in spec.get("properties", {})}
    for field in patch["definitions"]["Period"]["properties"]:
        fields |= {("/releases/tender/contractPeriod", field), ("/releases/awards/contractPeriod", field)}
    for field in patch["definitions"]["Value"]["properties"]:
        fields.add(("/releases/contracts/implementation/transactions/value", field))
        fields.add(("/releases/contracts/amendments/value", field))
    return fields


def merge_patch(target, patch):
    """JSON Merge Patch (RFC 7396): objects merge key by key, null deletes, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


def uk_errors(schema: dict, releases: list[dict]) -> list[str]:
    validator = Draft4Validator(schema)
    return [f"{r['ocid']} {list(e.absolute_path)}: {e.message}" for r in releases for e in validator.iter_errors(r)]


def test_the_release_package_is_valid_with_the_uk_extension(everything, tmp_path, shared_data, uk_release_schema):
    # given the release package schema reading the release schema with the UK extension
    registry = Registry().with_resource(SCHEMA_URL + "release-schema.json", Resource.from_contents(uk_release_schema))
    schema = json.loads((shared_data / "ocds-schema-1.1.5" / "release-package-schema.json").read_text(encoding="utf-8"))

    # when
    package = export(tmp_path)

    # then
    assert package["extensions"] == [UK_EXTENSION]
    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in Draft4Validator(schema, registry=registry).iter_errors(package)
    ]
    assert errors + uk_errors(uk_release_schema, package["releases"]) == []
    towers = next(r for r in package["releases"] if r["ocid"].endswith("PEG-2019-01"))
    assert towers["tender"]["aboveThreshold"] is True
    assert towers["tender"]["contractPeriod"]["durationInMonths"] == 60 + 24
    assert towers["tender"]["procurementMethodDetails"].endswith("(Public Contracts Regulations 2015)")
    assert "specialRegime" not in towers["tender"]


def test_a_light_touch_procurement_is_under_the_light_touch_regime(demo, tmp_path):
    from pegasus.procurement.demo import procurements_demo_load

    procurements_demo_load()
    Procurement.objects.filter(reference="PEG-2020-02").update(contract_type="light-touch")

    releases = {release["ocid"]: release for release in export(tmp_path)["releases"]}

    assert releases["ocds-pgss01-PEG-2020-02"]["tender"]["specialRegime"] == ["lightTouch"]
    assert "specialRegime" not in releases["ocds-pgss01-PEG-2019-01"]["tender"]


def _closed(schema: dict) -> dict:
    """The schema with no property left undeclared: what the UK extension does not define is an error here."""
    if isinstance(schema, dict):
        closed = {key: _closed(value) for key, value in schema.items()}
        if "properties" in schema:
            closed["additionalProperties"] = False
        return closed
    if isinstance(schema, list):
        return [_closed(item) for item in schema]
    return schema


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
    assert len(package["records"]) == len({record["ocid"] for record in package["records"]}) == 12
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


def test_every_route_and_contract_status_has_its_ocds_code():
    """OCDS names routes and statuses by the values procurement and the estate store, so none may be missing."""
    from pegasus.estate.models import ContractStatus
    from pegasus.procurement.schedule import Route
    from pegasus.publication.ocds import CONTRACT_STATUS, DIRECT_AWARD, METHODS

    assert set(METHODS) == {route.value for route in Route}
    assert METHODS[DIRECT_AWARD] == "direct" and Route(DIRECT_AWARD) is Route.DIRECT_AWARD
    assert set(CONTRACT_STATUS) == set(ContractStatus.values)


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
    secrets += [str(s.amount) for s in Spend.objects.filter(contract__classification="OFFICIAL-SENSITIVE")]
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


class TestAwards:
    """A tender's award is published with its procurement once its decision is approved and its Part 1 public."""

    WINNER_PRICE = Decimal("21345678.00")
    LOSER_PRICE = Decimal("23456789.00")

    @pytest.fixture
    def approved_award(self, demo, make_user):
        """An award for PEG-2019-01 approved on 1 October 2019, its Part 1 deferred until 1 November 2019."""
        from pegasus.evaluation import services
        from pegasus.evaluation.services import CriterionSpec
        from pegasus.governance import services as governance
        from pegasus.governance.models import Appointment, Declaration
        from pegasus.procurement.demo import procurements_demo_load
        from pegasus.procurement.models import Procurement

        procurements_demo_load()
        officer = make_user(Role.COMMERCIAL_OFFICER, username="ocds-officer")
        evaluator = make_user(Role.EVALUATOR, username="ocds-evaluator")
        tender = services.tender_create(
            reference="PEG-ITT-2019-09",
            title="Service integration",
            lots=["Service integration and management"],
            procurement=Procurement.objects.get(reference="PEG-2019-01"),
            by=officer,
        )
        lot = tender.lots.get()
        services.lot_criteria_set(
            lot=lot,
            criteria=[
                CriterionSpec("tech", "Approach", "quality", Decimal(60)),
                CriterionSpec("price", "Price", "price", Decimal(40), price_method="lowest-price-ratio"),
            ],
            by=officer,
        )
        tech = lot.criteria.get(code="tech")
        services.evaluator_assign(criterion=tech, evaluator=evaluator, by=officer)
        winner = Supplier.objects.create(name="Zephyr Integration Ltd", companies_house_number="12345678", is_sme=True)
        bids = [
            services.bid_add(lot=lot, supplier=winner, price=self.WINNER_PRICE, by=officer),
            services.bid_add(lot=lot, bidder_name="Quasar Networks plc", price=self.LOSER_PRICE, by=officer),
        ]
        services.conflict_declare(tender=tender, has_conflict=False, by=evaluator)
        for bid, points in zip(bids, (75, 50), strict=True):
            services.score_record(
                bid=bid, criterion=tech, score=Decimal(points), rationale="SECRET-RATIONALE", by=evaluator
            )
            services.moderation_record(
                bid=bid, criterion=tech, score=Decimal(points), rationale="SECRET-MODERATION", by=officer
            )
        award = services.award_recommend(
            lot=lot, reference="PCD 650", value=Decimal("22000000"), rationale="Best value", by=officer
        )
        decision = governance.decision_update(
            decision=award.decision,
            by=officer,
            part1_deferred_until=date(2019, 11, 1),
            part1_deferral_reason="Until the standstill period ends",
        )
        for kind in Declaration.Kind.values:
            governance.declaration_confirm(decision=decision, kind=kind, statement="Done.", by=officer)
        decision = governance.decision_submit(decision=decision, by=officer)
        approver = make_user(Role.APPROVER, username="ocds-approver")
        Appointment.objects.create(user=approver, office=decision.approver_office)
        governance.decision_approve(decision=decision, by=approver, signed_at=datetime(2019, 10, 1, 10, 30, tzinfo=UTC))
        return award

    def _export(self, tmp_path: Path, as_at: date) -> tuple[str, dict]:
        out = tmp_path / f"package-{as_at}.json"
        call_command("ocds", "export", "--out", str(out), "--as-at", as_at.isoformat())
        text = out.read_text(encoding="utf-8")
        releases = {r["ocid"]: r for r in json.loads(text)["releases"]}
        return text, releases["ocds-pgss01-PEG-2019-01"]

    def test_an_approved_award_is_not_exported_before_its_part1_is_published(self, approved_award, tmp_path):
        # when
        text, towers = self._export(tmp_path, date(2019, 10, 31))

        # then
        assert towers["tag"] == ["planning", "tender"]
        assert towers["tender"]["status"] == "active"
        assert "awards" not in towers
        for secret in ("Zephyr", "Quasar", "21345678", "23456789", "SECRET-"):
            assert secret not in text, secret

    def test_once_published_only_the_winner_and_its_price_are_exported(self, approved_award, tmp_path):
        from pegasus.governance.models import Decision

        # when
        text, towers = self._export(tmp_path, date(2019, 11, 1))

        # then
        assert towers["tag"] == ["planning", "tender", "award"]
        assert towers["tender"]["status"] == "complete"  # its one lot is awarded
        assert towers["id"] == "ocds-pgss01-PEG-2019-01-award-2019-10-01"
        [award] = towers["awards"]
        assert award["id"] == "PEG-ITT-2019-09-lot-1"
        assert award["title"] == "Service integration and management"
        assert (award["status"], award["date"]) == ("active", "2019-10-01T10:30:00Z")
        assert award["suppliers"] == [{"id": "GB-COH-12345678", "name": "Zephyr Integration Ltd"}]
        assert Decimal(str(award["value"]["amount"])) == self.WINNER_PRICE
        assert award["contractPeriod"]["startDate"] == towers["tender"]["contractPeriod"]["startDate"]
        supplier = next(p for p in towers["parties"] if p["id"] == "GB-COH-12345678")
        assert supplier["roles"] == ["supplier"]
        assert supplier["identifier"] == {"scheme": "GB-COH", "id": "12345678", "legalName": "Zephyr Integration Ltd"}
        part2 = Decision.objects.get(reference="PCD 650").part2
        for secret in ("Quasar", "23456789", "SECRET-", part2[:60], "22000000"):
            assert secret not in text, secret
        assert text.count("Zephyr Integration Ltd") == 3  # the award's supplier, the party and its legal name

    def test_the_tender_stays_active_while_a_lot_has_no_published_award(self, approved_award, tmp_path):
        from pegasus.evaluation.models import Lot

        Lot.objects.create(tender=approved_award.lot.tender, number=2, title="Networks")

        _, towers = self._export(tmp_path, date(2019, 11, 1))

        assert [a["id"] for a in towers["awards"]] == ["PEG-ITT-2019-09-lot-1"]
        assert towers["tender"]["status"] == "active"

    def test_the_award_release_is_valid_with_the_uk_extension(self, approved_award, tmp_path, uk_release_schema):
        _, towers = self._export(tmp_path, date(2019, 11, 1))
        assert towers["awards"][0]["mainProcurementCategory"] == "services"
        assert uk_errors(uk_release_schema, [towers]) == []

    def test_an_award_whose_decision_is_not_approved_is_never_exported(self, approved_award, tmp_path):
        from pegasus.governance.models import Decision

        Decision.objects.filter(pk=approved_award.decision_id).update(status=Decision.Status.REJECTED)

        text, towers = self._export(tmp_path, date(2019, 11, 1))

        assert "awards" not in towers and "Zephyr" not in text


class TestImplementation:
    """A contract's monthly spend up to the export's date is published as transactions from the buyer to the
    supplier; an OFFICIAL-SENSITIVE contract's spend never is."""

    SENSITIVE_SPEND = Decimal("98765.43")

    @pytest.fixture
    def contract(self, db):
        """A contract with spend in March, April and June 2019, the last after the export's date (23 May 2019)."""
        contract = ContractFactory(
            reference="MPS-X-001",
            authority=OrganisationFactory(),
            supplier=SupplierFactory(name="Acme Managed Services Ltd", companies_house_number="01234567"),
        )
        for month, amount in (
            (date(2019, 3, 1), Decimal("100250.10")),
            (date(2019, 4, 1), Decimal("99500.00")),
            (date(2019, 6, 1), Decimal("101000.00")),
        ):
            SpendFactory(contract=contract, month=month, amount=amount)
        return contract

    def test_spend_up_to_the_as_at_date_is_published_month_by_month(self, contract, tmp_path):
        # when
        [release] = export(tmp_path)["releases"]

        # then
        buyer = {"id": f"pegasus-org-{contract.authority.pk}", "name": contract.authority.name}
        supplier = {"id": "GB-COH-01234567", "name": "Acme Managed Services Ltd"}
        assert release["contracts"][0]["implementation"]["transactions"] == [
            {
                "id": "MPS-X-001-2019-03",
                "date": "2019-03-01T00:00:00Z",
                "value": {"amount": 100250.10, "currency": "GBP"},
                "payer": buyer,
                "payee": supplier,
            },
            {
                "id": "MPS-X-001-2019-04",
                "date": "2019-04-01T00:00:00Z",
                "value": {"amount": 99500.00, "currency": "GBP"},
                "payer": buyer,
                "payee": supplier,
            },
        ]
        assert release["tag"] == ["contract", "implementation"]
        assert release["id"] == "ocds-pgss01-MPS-X-001-implementation-2019-04"
        assert release["date"] == "2019-04-01T00:00:00Z"
        assert release["buyer"] == buyer
        roles = {party["id"]: party["roles"] for party in release["parties"]}
        assert roles == {buyer["id"]: ["buyer", "procuringEntity", "payer"], supplier["id"]: ["supplier", "payee"]}

    def test_the_june_spend_is_published_once_the_export_is_as_at_june(self, contract, tmp_path):
        # when
        out = tmp_path / "june.json"
        call_command("ocds", "export", "--out", str(out), "--as-at", "2019-06-01")
        [release] = json.loads(out.read_text(encoding="utf-8"))["releases"]

        # then
        transactions = release["contracts"][0]["implementation"]["transactions"]
        assert [t["id"] for t in transactions] == ["MPS-X-001-2019-03", "MPS-X-001-2019-04", "MPS-X-001-2019-06"]
        assert release["id"] == "ocds-pgss01-MPS-X-001-implementation-2019-06"

    def test_an_official_sensitive_contract_publishes_no_spend(self, contract, tmp_path):
        # given
        Contract.objects.filter(pk=contract.pk).update(classification=Classification.OFFICIAL_SENSITIVE.value)
        SpendFactory(contract=contract, month=date(2019, 5, 1), amount=self.SENSITIVE_SPEND)

        # when
        [release] = export(tmp_path)["releases"]
        text = (tmp_path / "package.json").read_text(encoding="utf-8")

        # then
        assert release["tag"] == ["contract"]
        assert "implementation" not in release["contracts"][0]
        assert release["id"] == "ocds-pgss01-MPS-X-001-contract-2016-04-01"
        for secret in ("98765", "100250", "99500", "101000"):
            assert secret not in text, secret

    def test_a_contract_with_no_spend_by_the_as_at_date_is_not_tagged_implementation(self, contract, tmp_path):
        # given only the June spend, after the export's date
        Spend.objects.filter(contract=contract, month__lt=date(2019, 6, 1)).delete()

        # when
        [release] = export(tmp_path)["releases"]

        # then
        assert release["tag"] == ["contract"]
        assert "implementation" not in release["contracts"][0]
        assert [party["roles"] for party in release["parties"]] == [["buyer", "procuringEntity"], ["supplier"]]

    def test_the_implementation_tag_marks_exactly_the_releases_with_transactions(self, everything, tmp_path):
        # when
        package = export(tmp_path)

        # then
        tagged = {r["ocid"] for r in package["releases"] if "implementation" in r["tag"]}
        paid = {
            r["ocid"]
            for r in package["releases"]
            if any(c.get("implementation", {}).get("transactions") for c in r.get("contracts", []))
        }
        assert tagged == paid
        assert tagged == {
            f"ocds-pgss01-{c.reference}"
            for c in Contract.objects.exclude(classification=Classification.OFFICIAL_SENSITIVE.value)
            if c.spend.filter(month__lte=AS_AT).exists()
        }
        assert 0 < len(tagged) < Contract.objects.count()

    def test_gross_spend_is_published_as_the_gross_amount_of_the_uk_extension(
        self, contract, tmp_path, uk_release_schema
    ):
        # given
        Spend.objects.filter(contract=contract, month=date(2019, 4, 1)).update(vat_basis="gross")

        # when
        [release] = export(tmp_path)["releases"]

        # then
        values = [t["value"] for t in release["contracts"][0]["implementation"]["transactions"]]
        assert values == [
            {"amount": 100250.10, "currency": "GBP"},
            {"amountGross": 99500.00, "currency": "GBP"},
        ]
        assert uk_errors(uk_release_schema, [release]) == []

    def test_a_contract_value_held_gross_is_published_as_the_gross_amount(self, contract, tmp_path, uk_release_schema):
        # given
        Contract.objects.filter(pk=contract.pk).update(vat_basis="gross")

        # when
        [release] = export(tmp_path)["releases"]

        # then
        gross = {"amountGross": float(contract.total_value), "currency": "GBP"}
        assert release["contracts"][0]["value"] == release["awards"][0]["value"] == gross
        assert uk_errors(uk_release_schema, [release]) == []

    def test_the_number_of_queries_does_not_grow_with_the_number_of_contracts(self, contract):
        # given
        with CaptureQueriesContext(connection) as one:
            ocds_releases(AS_AT)
        for _ in range(3):
            SpendFactory(contract=ContractFactory(authority=contract.authority), month=date(2019, 2, 1))

        # when
        with CaptureQueriesContext(connection) as four:
            assert len(ocds_releases(AS_AT)) == 4

        # then
        assert len(four) == len(one)
