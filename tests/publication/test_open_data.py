"""Open data: each OCDS export is checked against the schema kept with the code, counted, stored and audited, whether
it is valid or not; `pegasus ocds export` goes through that record; the Open data page offers the latest packages of
each kind to anyone, says what they hold, when they were made and what the check found, and publishes nothing the
live endpoints do not; commercial officers and programme directors may generate them again."""

import copy
import hashlib
import json
from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pegasus.core.models import AuditEvent
from pegasus.core.roles import Role
from pegasus.core.storage import shared_storage
from pegasus.estate.models import Contract
from pegasus.publication import ocds, ocds_review, selectors, services
from pegasus.publication.models import NOT_CHECKED, OcdsExport
from tests.commands import pegasus
from tests.publication.notices import termination, variation

pytestmark = pytest.mark.django_db

AS_AT = date(2019, 5, 23)
PUBLISHED = datetime(2019, 5, 23, 9, 30, tzinfo=UTC)
GENERATORS = {Role.COMMERCIAL_OFFICER, Role.PROGRAMME_DIRECTOR}


def export(kind="releases", *, as_at=AS_AT, package=None, via=OcdsExport.Via.COMMAND, by=None, at=PUBLISHED):
    """An export of the current package of `kind` (or of the package given) through the service."""
    package = package if package is not None else selectors.ocds_package(kind=kind, as_at=as_at, published=at)
    return services.ocds_export_create(kind=kind, as_at=as_at, generated_at=at, package=package, via=via, by=by)


def without_ids(package: dict, copies: int = 3) -> dict:
    """The package's releases, each in `copies` processes of their own, and every release without its id."""
    package = copy.deepcopy(package)
    package["releases"] = [{**r, "ocid": f"{r['ocid']}-{n}"} for n in range(copies) for r in package["releases"]]
    for release in package["releases"]:
        del release["id"]
    return package


def corrupted(package: dict) -> dict:
    """The package with three faults: a release without its id, an amount in words, no publishedDate."""
    broken = copy.deepcopy(package)
    del broken["releases"][0]["id"]
    broken["releases"][1]["tender"]["value"] = {"amount": "four million", "currency": "GBP"}
    del broken["publishedDate"]
    return broken


@pytest.fixture
def schemas(shared_data) -> ocds_review.Schemas:
    """The published OCDS 1.1.5 schema and the UK extension, where the tests keep them."""
    return ocds_review.Schemas(shared_data / "ocds-schema-1.1.5", shared_data / "ocds-uk-extension")


@pytest.fixture(autouse=True)
def checked_against_the_published_schema(settings, schemas):
    """Exports here are checked against the published schema (the module is skipped where it is absent)."""
    settings.PEGASUS_OCDS_SCHEMA_DIR, settings.PEGASUS_OCDS_EXTENSION_DIR = schemas.standard, schemas.extension


@pytest.fixture
def with_notices(everything, make_user):
    """Every demo, with a variation and a termination of the estate and the notices the demo publishes of them."""
    from pegasus.publication.demo import notices_demo_load

    officer = make_user(Role.COMMERCIAL_OFFICER, username="demo-officer")
    contracts = list(Contract.objects.filter(tier=2).order_by("reference")[:2])
    variation(contracts[0], "150000", ground="additional", by=officer)
    termination(contracts[1], by=officer, on=date(2019, 3, 31))
    notices_demo_load()


# --- The check and the counts (pure) --------------------------------------------------------------------------


class TestReview:
    def test_the_server_reads_the_published_schemas_from_where_the_settings_say(self, shared_data, settings):
        """By default the copies beside the project that the tests and libcoveocds read; nothing kept in the code."""
        schemas = ocds_review.Schemas(settings.PEGASUS_OCDS_SCHEMA_DIR, settings.PEGASUS_OCDS_EXTENSION_DIR)
        assert schemas.missing() == []
        assert schemas.standard.resolve() == (shared_data / "ocds-schema-1.1.5").resolve()
        assert schemas.extension.resolve() == (shared_data / "ocds-uk-extension").resolve()

    def test_the_standards_own_examples_are_valid(self, shared_data, schemas):
        examples = shared_data / "ocds-examples-1.1.5"
        for name, kind in [("award.json", "releases"), ("contract.json", "releases"), ("record.json", "records")]:
            package = json.loads((examples / name).read_text(encoding="utf-8"))
            assert ocds_review.package_errors(package, kind, schemas) == [], name

    def test_each_fault_is_found_at_its_json_path_in_document_order(self, schemas):
        # given a package with faults at the top, in the first release and in the second
        package = {
            "uri": "https://example.org/releases.json",
            "version": "1.1",
            "publisher": {"name": "A council"},
            "releases": [
                {"ocid": "ocds-abc-1", "date": "2019-01-01T00:00:00Z", "tag": ["tender"], "initiationType": "tender"},
                {
                    "ocid": "ocds-abc-2",
                    "id": "r2",
                    "date": "2019-01-01T00:00:00Z",
                    "tag": ["tender"],
                    "initiationType": "tender",
                    "tender": {"id": "t", "value": {"amount": "lots", "currency": "GBP"}},
                },
            ],
        }

        # when
        errors = ocds_review.package_errors(package, "releases", schemas)

        # then
        assert [(e.path, e.message) for e in errors] == [
            ("", "'publishedDate' is a required property"),
            ("releases/0", "'id' is a required property"),
            ("releases/1/tender/value/amount", "'lots' is not of type 'number', 'null'"),
        ]

    def test_a_release_package_is_not_a_valid_record_package(self, schemas):
        package = {"uri": "u", "version": "1.1", "publishedDate": "2019-01-01T00:00:00Z", "releases": []}
        assert "'records' is a required property" in [
            e.message for e in ocds_review.package_errors(package, "records", schemas)
        ]

    def test_a_long_message_is_cut_short(self, schemas):
        package = {"uri": "u", "publishedDate": "2019-01-01T00:00:00Z", "releases": "x" * 1000}
        messages = [e.message for e in ocds_review.package_errors(package, "releases", schemas)]
        assert messages and all(len(m) <= ocds_review.MESSAGE_LIMIT for m in messages)
        assert any(m.endswith("…") for m in messages)

    def test_an_unknown_kind_is_refused(self, schemas):
        with pytest.raises(ValueError, match="releases or of records"):
            ocds_review.package_errors({}, "tenders", schemas)


# --- The record of an export (service) -----------------------------------------------------------------------


class TestExportCreate:
    def test_a_valid_export_is_recorded_counted_stored_and_audited(self, demo, make_user):
        # given the demo estate and a commercial officer
        officer = make_user(Role.COMMERCIAL_OFFICER)
        package = selectors.ocds_package(kind="releases", as_at=AS_AT, published=PUBLISHED)

        # when
        record = export(package=package, via=OcdsExport.Via.PAGE, by=officer)

        # then what it holds is counted from the package
        contracts = Contract.objects.count()
        assert (record.kind, record.as_at, record.generated_at) == ("releases", AS_AT, PUBLISHED)
        assert (record.items, record.processes, record.contracts, record.procurements) == (
            contracts,
            contracts,
            contracts,
            0,
        )
        assert (record.publisher, record.license, record.version) == (
            "Mayor's Office for Policing and Crime",
            ocds.LICENSE,
            "1.1",
        )
        assert (record.valid, record.error_count, record.errors) == (True, 0, [])
        assert (record.generated_by, record.via) == (officer, "page")
        # and its file, in the shared storage, is the package as written
        with shared_storage().open(record.file.name, "rb") as stored:
            content = stored.read()
        assert json.loads(content) == package
        assert content == ocds_review.package_bytes(package)
        assert (record.size, record.sha256) == (len(content), hashlib.sha256(content).hexdigest())
        # and it is audited
        event = AuditEvent.objects.get(action="publication.ocds-export")
        assert (event.actor, event.object_id) == (officer, str(record.pk))
        assert (
            event.summary
            == "OCDS release package exported as at 2019-05-23: valid against OCDS 1.1.5 with the UK extension"
        )
        assert event.data["file"] == record.file.name

    def test_a_package_the_schema_refuses_is_recorded_with_its_errors(self, demo):
        # given the demo's package with three faults
        package = corrupted(selectors.ocds_package(kind="releases", as_at=AS_AT, published=PUBLISHED))

        # when
        record = export(package=package)

        # then it is kept, as exported, with each fault where it is
        assert not record.valid
        assert record.error_count == 3
        assert record.errors == [
            {"path": "", "message": "'publishedDate' is a required property"},
            {"path": "releases/0", "message": "'id' is a required property"},
            {"path": "releases/1/tender/value/amount", "message": "'four million' is not of type 'number', 'null'"},
        ]
        with shared_storage().open(record.file.name, "rb") as stored:
            assert json.loads(stored.read()) == package
        event = AuditEvent.objects.get(action="publication.ocds-export")
        assert event.summary.endswith(": 3 schema errors")
        assert event.data["errors"] == 3

    def test_without_the_schema_on_the_server_an_export_is_recorded_as_not_checked(
        self, demo, settings, tmp_path, client, as_at
    ):
        # given a server without the OCDS schema
        settings.PEGASUS_OCDS_SCHEMA_DIR = tmp_path / "nowhere"
        # when a package is exported
        found = export()
        # then it is kept, counted and said to be unchecked, on the record and on the page
        assert (found.checked, found.valid, found.error_count, found.errors) == (False, False, None, [])
        assert found.items > 0 and found.verdict == NOT_CHECKED
        page = client.get(reverse("open-data")).content.decode()
        assert "Not checked" in page and "Schema errors" not in page

    def test_every_error_is_counted_and_the_first_are_kept(self, demo):
        # given more releases without their id than errors are kept
        package = without_ids(selectors.ocds_package(kind="releases", as_at=AS_AT, published=PUBLISHED))

        record = export(package=package)

        assert record.error_count == len(package["releases"]) > services.EXPORT_ERRORS_KEPT
        assert len(record.errors) == services.EXPORT_ERRORS_KEPT
        assert record.errors_not_shown == record.error_count - services.EXPORT_ERRORS_KEPT
        assert record.errors[0] == {"path": "releases/0", "message": "'id' is a required property"}

    def test_a_record_package_is_counted_by_its_records(self, demo):
        record = export("records")

        assert record.valid
        assert record.items == record.processes == Contract.objects.count()

    def test_procurements_notices_and_awards_are_counted(self, with_notices):
        # given every demo, the procurements among them, and the notices published of the estate's changes
        from pegasus.procurement.models import Procurement

        package = selectors.ocds_package(kind="releases", as_at=AS_AT, published=PUBLISHED)

        record = export(package=package)

        assert record.valid, record.errors
        assert record.procurements == Procurement.objects.count() > 0
        assert record.contracts == Contract.objects.count()
        assert record.items == record.contracts + record.procurements
        assert record.notices > 0
        assert record.notices == sum(
            1 for r in package["releases"] for c in r.get("contracts", []) for d in c.get("documents", [])
        )
        assert record.awards == sum(len(r.get("awards", [])) for r in package["releases"] if "award" in r["tag"])
        # and the record package holds the same processes, counted the same way
        records = export("records")
        counts = ("items", "processes", "contracts", "procurements", "notices", "awards")
        assert [getattr(records, name) for name in counts] == [getattr(record, name) for name in counts]

    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"kind": "tenders"}, services.EXPORT_KIND_UNKNOWN),
            ({"via": "email"}, "Value 'email' is not a valid choice."),
        ],
    )
    def test_an_unknown_kind_or_way_is_refused_and_nothing_is_kept(self, demo, fields, message):
        package = selectors.ocds_package(kind="releases", as_at=AS_AT, published=PUBLISHED)
        arguments = {"kind": "releases", "via": OcdsExport.Via.COMMAND, **fields}

        with pytest.raises(ValidationError) as raised:
            services.ocds_export_create(as_at=AS_AT, generated_at=PUBLISHED, package=package, by=None, **arguments)

        assert message in str(raised.value)
        assert not OcdsExport.objects.exists()
        assert not AuditEvent.objects.filter(action="publication.ocds-export").exists()
        assert not shared_storage().exists("publication/ocds") or shared_storage().listdir("publication/ocds")[1] == []

    def test_an_export_that_fails_leaves_no_record_and_no_file(self, demo, monkeypatch):
        # given an audit trail that cannot be written
        def refuse(**kwargs):
            raise RuntimeError("audit trail unavailable")

        monkeypatch.setattr(services, "audit_record", refuse)

        # when
        with pytest.raises(RuntimeError):
            export()

        # then
        assert not OcdsExport.objects.exists()
        assert shared_storage().listdir("publication/ocds")[1] == []


# --- The command --------------------------------------------------------------------------------------------------


class TestCommand:
    def test_an_export_is_recorded_and_its_file_written(self, demo, tmp_path):
        # given
        out = tmp_path / "releases.json"

        # when
        result = pegasus("ocds", "export", "--out", str(out), "--as-at", "2019-05-23")

        # then the file written is the package kept
        assert result.returncode == 0, result.stderr
        record = OcdsExport.objects.get()
        assert (record.kind, record.as_at, record.via, record.generated_by) == ("releases", AS_AT, "command", None)
        with shared_storage().open(record.file.name, "rb") as stored:
            assert stored.read() == out.read_bytes()
        written = json.loads(out.read_text(encoding="utf-8"))
        assert written["uri"] == ocds.package_uri("releases.json")
        assert (
            result.stderr.strip()
            == f"wrote {record.items} releases to {out}, valid against OCDS 1.1.5 with the UK extension"
        )
        assert AuditEvent.objects.filter(action="publication.ocds-export", object_id=str(record.pk)).exists()

    def test_a_record_package_to_standard_output(self, demo):
        result = pegasus("ocds", "export", "--out", "-", "--records", "--as-at", "2019-05-23")

        assert result.returncode == 0, result.stderr
        record = OcdsExport.objects.get()
        assert record.kind == "records"
        assert json.loads(result.stdout)["records"]
        assert json.loads(result.stdout)["uri"] == ocds.package_uri("records.json")
        assert result.stderr.strip() == f"{record.items} records, valid against OCDS 1.1.5 with the UK extension"

    def test_a_file_that_cannot_be_written_is_bad_input_and_nothing_is_recorded(self, demo, tmp_path):
        result = pegasus("ocds", "export", "--out", str(tmp_path / "missing" / "releases.json"))

        assert result.returncode == 2
        assert result.stderr.startswith(f"error: --out: {tmp_path / 'missing' / 'releases.json'}: ")
        assert not OcdsExport.objects.exists()

    def test_a_folder_in_place_of_the_file_is_bad_input_and_nothing_is_recorded_or_left(self, demo, tmp_path):
        folder = tmp_path / "out"
        (folder / "releases.json").mkdir(parents=True)

        result = pegasus("ocds", "export", "--out", str(folder / "releases.json"))

        assert result.returncode == 2
        assert not OcdsExport.objects.exists()
        assert [p.name for p in folder.iterdir()] == ["releases.json"]


# --- The page -----------------------------------------------------------------------------------------------------


@pytest.fixture
def as_at(settings):
    """The clock's date, which the page and the live endpoints read."""
    settings.PEGASUS_AS_AT = AS_AT
    return AS_AT


class TestPage:
    def test_before_any_export_it_says_so_and_offers_the_live_packages(self, client, demo, as_at):
        response = client.get(reverse("open-data"))

        assert response.status_code == 200
        assert "No package has been generated yet" in response.text
        assert "No release package has been generated yet" in response.text
        assert "No record package has been generated yet" in response.text
        assert reverse("public-ocds-releases") in response.text
        assert reverse("public-ocds-records") in response.text
        assert client.get(reverse("open-data-releases")).status_code == 404
        assert client.get(reverse("open-data-records")).status_code == 404

    def test_it_says_what_each_package_holds_when_and_how_it_was_made_and_that_it_is_valid(self, client, demo, as_at):
        # given both packages exported
        releases, records = export("releases"), export("records", via=OcdsExport.Via.PAGE)

        # when
        response = client.get(reverse("open-data"))

        # then
        text = response.text
        contracts = Contract.objects.count()
        assert f"{contracts} releases of {contracts} contracting processes" in text
        assert f"{contracts} records of {contracts} contracting processes" in text
        assert f"{contracts} contracts of the estate, with 0 published notices" in text
        assert "0 procurements, with 0 published awards" in text
        assert "23 May 2019 at 10:30" in text  # 09:30 UTC, in London
        assert "by the export command" in text and "by staff, on this page" in text
        assert "Mayor&#x27;s Office for Policing and Crime" in text
        assert f'href="{ocds.LICENSE}">Open Government Licence v3.0' in text
        assert text.count("Valid against OCDS 1.1.5 with the UK extension.") == 2
        assert releases.sha256 in text and records.sha256 in text
        assert "No package has been generated yet" not in text

    def test_the_downloads_are_the_packages_exactly_as_exported(self, client, demo, as_at):
        releases, records = export("releases"), export("records")

        for name, record in [("open-data-releases", releases), ("open-data-records", records)]:
            response = client.get(reverse(name))
            assert response.status_code == 200
            assert response["Content-Type"] == "application/json; charset=utf-8"
            assert f'filename="pegasus-ocds-{record.kind}-2019-05-23.json"' in response["Content-Disposition"]
            assert b"".join(response.streaming_content) == shared_storage().open(record.file.name).read()

    def test_the_latest_export_of_each_kind_is_served(self, client, demo, as_at):
        export("releases", at=PUBLISHED)
        later = export("releases", at=PUBLISHED.replace(hour=11))

        response = client.get(reverse("open-data-releases"))

        assert b"".join(response.streaming_content) == shared_storage().open(later.file.name).read()
        text = client.get(reverse("open-data")).text
        assert "23 May 2019 at 12:30" in text

    def test_a_package_whose_file_is_gone_is_not_found(self, client, demo, as_at):
        record = export("releases")
        shared_storage().delete(record.file.name)

        assert client.get(reverse("open-data-releases")).status_code == 404

    def test_an_export_ahead_of_the_date_is_not_public_until_its_date(self, client, demo, as_at, settings):
        # given an export as at a day after the clock's
        export("releases", as_at=date(2019, 5, 24))

        # then it is neither offered nor listed
        assert client.get(reverse("open-data-releases")).status_code == 404
        assert "No package has been generated yet" in client.get(reverse("open-data")).text

        # until its day comes
        settings.PEGASUS_AS_AT = date(2019, 5, 24)
        assert client.get(reverse("open-data-releases")).status_code == 200

    def test_a_package_the_schema_refused_shows_its_errors_with_their_paths(self, client, demo, as_at):
        export(package=corrupted(selectors.ocds_package(kind="releases", as_at=AS_AT, published=PUBLISHED)))

        response = client.get(reverse("open-data"))

        text = response.text
        assert "3 schema errors against OCDS 1.1.5 with the UK extension." in text
        assert "(the package itself)" in text
        assert "releases/0</code>" in text
        assert "releases/1/tender/value/amount</code>" in text
        assert "&#x27;four million&#x27; is not of type" in text

    def test_only_the_first_errors_are_listed_and_the_rest_counted(self, client, demo, as_at):
        record = export(package=without_ids(selectors.ocds_package(kind="releases", as_at=AS_AT, published=PUBLISHED)))

        text = client.get(reverse("open-data")).text

        assert f"The first {services.EXPORT_ERRORS_KEPT} of {record.error_count} schema errors" in text

    def test_the_stored_packages_publish_what_the_live_endpoints_publish_and_no_more(self, client, everything, as_at):
        # given every demo (decisions with Part 2, a tender with its bids, scenarios with market prices), exported
        releases, records = export("releases"), export("records")

        # when the public reads the stored packages and the live ones
        stored = json.loads(b"".join(client.get(reverse("open-data-releases")).streaming_content))
        stored_records = json.loads(b"".join(client.get(reverse("open-data-records")).streaming_content))
        live = client.get(reverse("public-ocds-releases")).json()
        live_records = client.get(reverse("public-ocds-records")).json()

        # then they differ only in when and where they were published
        assert releases.valid and records.valid
        assert stored["releases"] == live["releases"]
        assert stored_records["records"] == live_records["records"]
        for key in ("version", "publisher", "license", "extensions"):
            assert stored[key] == live[key] and stored_records[key] == live_records[key]

    def test_the_live_record_package_is_valid_and_holds_the_live_releases(self, client, demo, as_at, schemas):
        package = client.get(reverse("public-ocds-records")).json()
        releases = client.get(reverse("public-ocds-releases")).json()["releases"]

        assert ocds_review.package_errors(package, "records", schemas) == []
        assert [r["releases"][0] for r in package["records"]] == releases
        assert package["uri"] == "http://testserver/public/ocds/records.json"

    def test_recent_exports_are_listed_newest_first(self, client, demo, as_at):
        export("releases", at=PUBLISHED)
        export(
            package=corrupted(selectors.ocds_package(kind="releases", as_at=AS_AT, published=PUBLISHED)),
            at=PUBLISHED.replace(hour=10),
        )

        response = client.get(reverse("open-data"))

        rows = [(e.generated_at.hour, e.valid) for e in response.context["recent"]]
        assert rows == [(10, False), (9, True)]
        assert "3 errors" in response.text

    def test_it_is_linked_from_every_pages_footer_and_the_register(self, client, demo):
        for name in ("public-register", "login"):
            assert f'href="{reverse("open-data")}"' in client.get(reverse(name)).text

    def test_the_page_costs_the_same_queries_however_many_exports(self, client, demo, as_at):
        # given one export of each kind
        export("releases")
        export("records")
        with CaptureQueriesContext(connection) as one:
            client.get(reverse("open-data"))

        # when there are many more
        for hour in range(10, 22):
            export("releases", at=PUBLISHED.replace(hour=hour))
        with CaptureQueriesContext(connection) as many:
            response = client.get(reverse("open-data"))

        # then: the latest of each kind, and the recent ones
        assert len(response.context["recent"]) == 10
        assert len(one) == len(many) == 3, [q["sql"] for q in many.captured_queries]


# --- Generate now -------------------------------------------------------------------------------------------------


class TestGenerateNow:
    @pytest.mark.parametrize("role", sorted(Role))
    def test_commercial_officers_and_programme_directors_generate_both_packages(self, signed_in, demo, as_at, role):
        # given
        client, user = signed_in(role)

        # when
        response = client.post(reverse("open-data-generate"), follow=True)

        # then
        if role in GENERATORS:
            assert response.redirect_chain == [(reverse("open-data"), 302)]
            made = OcdsExport.objects.order_by("kind")
            assert [(e.kind, e.as_at, e.via, e.generated_by, e.valid) for e in made] == [
                ("records", AS_AT, "page", user, True),
                ("releases", AS_AT, "page", user, True),
            ]
            assert made[0].generated_at == made[1].generated_at
            assert "Release and record packages generated as at 23 May 2019: both valid against OCDS 1.1.5." in (
                response.text
            )
        else:
            assert response.status_code == 403
            assert not OcdsExport.objects.exists()

    @pytest.mark.parametrize("role", sorted(Role))
    def test_the_button_is_shown_only_to_those_who_may_press_it(self, signed_in, demo, as_at, role):
        client, _ = signed_in(role)

        text = client.get(reverse("open-data")).text

        assert ("Generate now" in text) == (role in GENERATORS)

    def test_the_public_may_not_generate(self, client, demo):
        response = client.post(reverse("open-data-generate"))

        assert response.status_code == 302
        assert response.url.startswith("/sign-in/?next=")
        assert "Generate now" not in client.get(reverse("open-data")).text
        assert not OcdsExport.objects.exists()

    def test_generating_is_a_post(self, signed_in, demo):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)

        assert client.get(reverse("open-data-generate")).status_code == 405
        assert not OcdsExport.objects.exists()

    def test_a_package_that_fails_the_check_is_said_so(self, signed_in, demo, as_at, monkeypatch):
        # given a release package that has lost its publisher's date
        original = selectors.ocds_package

        def undated(**options):
            package = original(**options)
            del package["publishedDate"]
            return package

        monkeypatch.setattr(selectors, "ocds_package", undated)
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)

        response = client.post(reverse("open-data-generate"), follow=True)

        assert "Release and record packages generated as at 23 May 2019: 2 schema errors." in response.text
        assert response.text.count("Not valid") == 2
