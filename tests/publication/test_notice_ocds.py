"""Open contracting of a contract's changes and notices: effective variations and exercised options as amendments,
the current value and end, a termination as the contract's status and end, published notices as documents (a
draft never), a UK9's assessments as milestones, and each notice's own release; all valid with the UK extension,
and the demo export with its notices still valid by libcoveocds."""

import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from pegasus.core import clock
from pegasus.core.classification import Classification
from pegasus.estate.models import Contract, ContractChange
from pegasus.publication import services
from pegasus.publication.demo import notices_demo_load
from pegasus.publication.models import Notice
from pegasus.publication.ocds import notice_release
from pegasus.publication.selectors import ocds_releases
from tests.factories import ContractFactory, OrganisationFactory, SupplierFactory
from tests.publication.notices import published, termination, variation
from tests.publication.test_notices import ASSESSMENTS
from tests.publication.test_ocds import AS_AT, _uk_fields, export, uk_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def officers(make_user):
    return make_user("commercial-officer", username="drafter"), make_user("legal")


@pytest.fixture
def contract(db):
    return ContractFactory(
        reference="MPS-X-002",
        authority=OrganisationFactory(),
        supplier=SupplierFactory(name="Acme Managed Services Ltd", companies_house_number="01234567"),
    )


def release_of(contract, as_at: date = AS_AT) -> dict:
    return next(r for r in ocds_releases(as_at) if r["ocid"].endswith(contract.reference))


class TestAmendments:
    def test_an_effective_variation_is_an_amendment_and_the_value_is_the_current_one(
        self, officers, contract, uk_release_schema
    ):
        # given
        change = variation(contract, "400000", ground="additional", by=officers[0])

        # when
        release = release_of(contract)

        # then
        [agreement] = release["contracts"]
        assert agreement["amendments"] == [
            {
                "id": f"MPS-X-002-change-{change.pk}",
                "date": "2019-02-01T00:00:00Z",
                "rationale": "More service desk hours.",
                "description": "Variation on the ground additional; scope: Service desk open until 22:00.; "
                "value changed by £400,000.00",
                "value": {"amount": 4000000.0, "currency": "GBP"},
            }
        ]
        assert agreement["value"] == {"amount": 4000000.0, "currency": "GBP"}
        assert release["awards"][0]["value"] == {"amount": 3600000.0, "currency": "GBP"}
        assert "contractAmendment" in release["tag"]
        assert uk_errors(uk_release_schema, [release]) == []

    def test_a_proposed_or_approved_change_is_not_an_amendment(self, officers, contract):
        variation(contract, "400000", ground="additional", by=officers[0], state="approved")

        release = release_of(contract)

        assert "amendments" not in release["contracts"][0]
        assert release["contracts"][0]["value"] == {"amount": 3600000.0, "currency": "GBP"}

    def test_an_official_sensitive_contracts_amendment_keeps_its_value_out(self, officers, contract):
        variation(contract, "400000", ground="additional", by=officers[0])
        Contract.objects.filter(pk=contract.pk).update(classification=Classification.OFFICIAL_SENSITIVE.value)

        release = release_of(contract)
        text = json.dumps(release)

        assert "value" not in release["contracts"][0]["amendments"][0]
        assert "400" not in text and "4000000" not in text

    def test_a_termination_is_the_contracts_status_and_end(self, officers, contract, uk_release_schema):
        termination(contract, by=officers[0], on=date(2019, 1, 31), reason="break")

        release = release_of(contract)

        agreement = release["contracts"][0]
        assert agreement["status"] == "terminated"
        assert agreement["period"]["endDate"] == "2019-01-31T00:00:00Z"
        assert "contractTermination" in release["tag"]
        assert uk_errors(uk_release_schema, [release]) == []


class TestNotices:
    def test_only_a_published_notice_is_in_the_public_release(self, officers, contract):
        drafter, checker = officers
        draft = services.notice_draft_details(contract=contract, by=drafter)
        assert "documents" not in release_of(contract)["contracts"][0]

        published(draft, checker=checker, publisher=drafter)

        # a notice published today is not in the release as at a day before it, and is in today's
        assert "documents" not in release_of(contract, clock.london_today() - timedelta(days=1))["contracts"][0]
        [document] = release_of(contract, clock.london_today())["contracts"][0]["documents"]
        assert (document["id"], document["documentType"], document["noticeType"]) == (
            f"notice-{draft.pk}",
            "contractNotice",
            "UK7",
        )

    def test_a_published_uk9_is_the_contracts_assessment_milestones(self, officers, contract, uk_release_schema):
        drafter, checker = officers
        notice = services.notice_draft_performance(
            contract=contract,
            period_start=date(2018, 4, 1),
            period_end=date(2019, 3, 31),
            assessments=ASSESSMENTS,
            ratings={"2": "Inadequate"},
            by=drafter,
        )
        published(notice, checker=checker, publisher=drafter)

        release = release_of(contract, clock.london_today())

        milestones = release["contracts"][0]["implementation"]["milestones"]
        assert [(m["title"], m["type"], m["status"]) for m in milestones] == [
            ("P1 resolved in 4 hours", "assessment", "met"),
            ("P2 resolved in 8 hours", "assessment", "notMet"),
        ]
        assert milestones[0]["description"].endswith("Good: 99.10% against a target of 95.00%")
        assert "implementation" in release["tag"]
        assert uk_errors(uk_release_schema, [release]) == []

    def test_a_corrected_uk9s_milestones_are_the_corrections(self, officers, contract):
        drafter, checker = officers
        notice = services.notice_draft_performance(
            contract=contract,
            period_start=date(2018, 4, 1),
            period_end=date(2019, 3, 31),
            assessments=ASSESSMENTS,
            ratings={"2": "Inadequate"},
            by=drafter,
        )
        published(notice, checker=checker, publisher=drafter)
        correction = services.notice_correct(notice=notice, reason="Ratings checked.", by=drafter)
        published(correction, checker=checker, publisher=drafter)

        agreement = release_of(contract, clock.london_today())["contracts"][0]

        assert {m["id"].split("-kpi-")[0] for m in agreement["implementation"]["milestones"]} == {
            f"notice-{correction.pk}"
        }
        assert len(agreement["documents"]) == 2

    @pytest.mark.parametrize(
        ("make", "tag"),
        [
            (lambda contract, by: variation(contract, "400000", ground="additional", by=by), "contractAmendment"),
            (lambda contract, by: termination(contract, by=by), "contractTermination"),
        ],
    )
    def test_each_notice_has_its_own_release(self, officers, contract, uk_release_schema, make, tag):
        change = make(contract, officers[0])
        notice = services.notice_draft_from_change(change=change, by=officers[0])

        release = notice_release(notice)

        assert release["tag"] == [tag]
        assert release["id"].endswith(f"-notice-{notice.pk}")
        assert release["contracts"][0]["documents"][0]["noticeType"] == notice.kind
        assert uk_errors(uk_release_schema, [release]) == []


def test_an_official_sensitive_contracts_notice_release_keeps_values_out(officers, contract):
    change = variation(contract, "400000", ground="additional", by=officers[0])
    Contract.objects.filter(pk=contract.pk).update(classification=Classification.OFFICIAL_SENSITIVE.value)
    contract.refresh_from_db()
    notice = services.notice_draft_from_change(change=change, by=officers[0])

    text = json.dumps(notice_release(notice))

    assert '"value"' not in text and "400000" not in text and "4000000" not in text


@pytest.fixture
def with_notices(everything, make_user):
    """The demo with changes as the estate's demo makes them: an `additional` variation and a termination at the end
    of transition, effective; and the notices the publication demo publishes of them."""
    from pegasus.estate.demo import DEMO_USERS  # noqa: F401 (the demo's users are loaded by `demo`)

    officer = make_user("commercial-officer", username="demo-officer")
    contracts = list(Contract.objects.filter(tier=2).order_by("reference")[:2])
    variation(contracts[0], "150000", ground="additional", by=officer)
    termination(contracts[1], by=officer, on=date(2019, 3, 31))
    notices_demo_load()


def test_the_demo_export_with_its_notices_passes_libcoveocds(with_notices, tmp_path, shared_data, uk_release_schema):
    # given
    assert ContractChange.objects.filter(state="effective").count() >= 2
    package = export(tmp_path)

    # when
    run = subprocess.run(
        [
            str(Path(sys.executable).parent / "libcoveocds"),
            "--standard-zip",
            str(shared_data / "ocds-schema-1.1.5" / "standard-1__1__5-schema.zip"),
            "--exclude-file",
            "--output-dir",
            str(tmp_path / "cove"),
            str(tmp_path / "package.json"),
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
    uk = _uk_fields(shared_data)
    assert [(f["path"], f["field"]) for f in report["additional_fields"] if (f["path"], f["field"]) not in uk] == []
    assert uk_errors(uk_release_schema, package["releases"]) == []
    tags = {tag for release in package["releases"] for tag in release["tag"]}
    assert {"contractAmendment", "contractTermination"} <= tags
    assert any(c.get("documents") for r in package["releases"] for c in r.get("contracts", []))


def test_the_demo_publishes_a_uk9_of_the_largest_contract_from_its_kpis_figures(demo, tmp_path, uk_release_schema):
    """The largest contract's SLA targets are its KPIs (the performance demo); each is rated from the figures."""
    # given
    from pegasus.performance.demo import performance_demo_load

    performance_demo_load()

    # when
    notices_demo_load()

    # then
    largest = Contract.objects.order_by("-total_value").first()
    notice = Notice.objects.get(kind="UK9")
    assert (notice.contract, notice.state) == (largest, "published")
    assert len(notice.body["assessments"]) >= 3
    assert all(a["rating"] and a["rated_by"] == "figures" for a in notice.body["assessments"])
    assert (notice.period_start, notice.period_end) == (date(2018, 5, 1), date(2019, 4, 30))
    release = next(r for r in export(tmp_path)["releases"] if r["ocid"].endswith(largest.reference))
    assert len(release["contracts"][0]["implementation"]["milestones"]) == len(notice.body["assessments"])
    assert uk_errors(uk_release_schema, [release]) == []
    assert notices_demo_load() == {"notices": 0}
