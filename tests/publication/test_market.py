"""The market view: OCDS releases read, checked, imported all or nothing, compiled into processes and shown."""

import copy
import io
import json
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pegasus.core.models import AuditEvent
from pegasus.core.roles import Role
from pegasus.publication import market as m
from pegasus.publication import services
from pegasus.publication.models import MarketAward, MarketImport, MarketProcess, MarketRelease

BLUETAIL = "uk-contracts-finder-bluetail/json_1_1_raw"
KNOWN_BAD = "ocds-b5fd17raw-d72762d9-d49d-413b-9e1f-99e1b3b5430d.json"
CFSERVER = "uk-contracts-finder-cfserver1"


def release(ocid="ocds-abc123-1", rid="r1", when="2024-01-10T09:00:00Z", **fields):
    data = {"ocid": ocid, "id": rid, "date": when, "tag": ["tender"], "initiationType": "tender"}
    data.update(fields)
    return data


def package(*releases, **fields):
    data = {
        "uri": "https://example.org/package.json",
        "publisher": {"name": "A council"},
        "publishedDate": "2024-02-01T00:00:00Z",
        "version": "1.1",
        "releases": list(releases),
    }
    data.update(fields)
    return data


def read(document, name="f.json"):
    raw = document if isinstance(document, bytes) else json.dumps(document).encode()
    return m.read_document(name, raw)


def ict_tender(ocid="ocds-abc123-1", rid="r1", when="2024-01-10T09:00:00Z", title="Service desk", **fields):
    return release(
        ocid,
        rid,
        when,
        buyer={"id": "b", "name": "Borough of Example"},
        tender={
            "title": title,
            "classification": {"scheme": "CPV", "id": "72500000"},
            "value": {"amount": 500000, "currency": "GBP"},
            "contractPeriod": {"startDate": "2024-04-01T00:00:00Z", "endDate": "2027-03-31T00:00:00Z"},
        },
        **fields,
    )


def award(supplier="Acme IT Ltd", amount=450000, status="active", end="2028-03-31T00:00:00Z"):
    return {
        "id": f"a-{supplier}",
        "status": status,
        "suppliers": [{"id": supplier, "name": supplier}],
        "value": {"amount": amount, "currency": "GBP"},
        "contractPeriod": {"startDate": "2024-04-01T00:00:00Z", "endDate": end},
    }


# --- Reading and checking -----------------------------------------------------------------------------------------


class TestReading:
    def test_a_release_package_a_record_package_and_a_bare_release_are_all_read(self):
        one = ict_tender()
        assert read(package(one)).kind == "release package"
        assert [r.id for r in read(package(one)).releases] == ["r1"]
        records = {**package(), "records": [{"ocid": one["ocid"], "compiledRelease": one}]}
        del records["releases"]
        assert read(records).kind == "record package"
        assert [r.ocid for r in read(records).releases] == ["ocds-abc123-1"]
        embedded = copy.deepcopy(records)
        embedded["records"][0]["releases"] = [one, {**one, "id": "r2", "date": "2024-03-01T00:00:00Z"}]
        assert [r.id for r in read(embedded).releases] == ["r1", "r2"]
        assert read(one).kind == "release"

    def test_a_byte_order_mark_is_accepted(self):
        assert not read(b"\xef\xbb\xbf" + json.dumps(ict_tender()).encode()).error

    @pytest.mark.parametrize(
        ("document", "fault"),
        [
            (b"\xff\xfe{}", "not UTF-8 text"),
            (b'{"releases": [', "not JSON: line 1"),
            ([1, 2], "neither a release package, a record package nor a release"),
            (package(ict_tender(), publishedDate=""), "/publishedDate: is empty"),
            (
                package(ict_tender(), publishedDate="2020-05-14T09:55:55"),
                "/publishedDate: '2020-05-14T09:55:55' is not",
            ),
            ({k: v for k, v in package(ict_tender()).items() if k != "uri"}, "/uri: is missing"),
            (package({k: v for k, v in ict_tender().items() if k != "id"}), "/releases/0/id: is missing"),
            (package(ict_tender(), ict_tender(tag=[])), "/releases/1/tag: must be a non-empty list"),
            (package(ict_tender(when="2024-13-01T00:00:00Z")), "/releases/0/date: '2024-13-01T00:00:00Z' is not"),
            (package(ict_tender(awards=[award(end="31/03/2028")])), "/releases/0/awards/0/contractPeriod/endDate"),
            (package(ict_tender(awards=[award(amount=-5)])), "/releases/0/awards/0/value/amount: -5 is not an amount"),
            (
                package(ict_tender(), ict_tender(title="Something else")),
                "/releases/1/id: release r1 of ocds-abc123-1 appears twice, differently",
            ),
        ],
    )
    def test_a_faulty_file_is_rejected_whole_naming_the_path_of_the_fault(self, document, fault):
        result = read(document)
        assert fault in result.error
        assert result.releases == []

    def test_the_same_release_twice_in_one_file_is_read_once(self):
        assert len(read(package(ict_tender(), ict_tender())).releases) == 1

    def test_a_zip_stands_for_the_json_files_in_it(self):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("b.json", json.dumps(package(ict_tender("ocds-abc123-2"))))
            archive.writestr("a.json", json.dumps(package(ict_tender())))
            archive.writestr("notes.txt", "not read")
        results = m.read_upload("upload.zip", buffer.getvalue())
        assert [r.name for r in results] == ["upload.zip/a.json", "upload.zip/b.json"]
        assert not any(r.error for r in results)
        assert "not a readable ZIP" in m.read_upload("x.zip", b"PK\x03\x04broken")[0].error

    def test_folders_stand_for_their_json_files_in_a_stable_order(self, tmp_path):
        (tmp_path / "sub").mkdir()
        for name in ("sub/b.json", "a.json", "c.txt"):
            (tmp_path / name).write_text("{}")
        assert [p.name for p in m.files_under([tmp_path])] == ["a.json", "b.json"]


class TestSummaries:
    def test_an_award_is_believed_over_the_tender_estimate_and_cancelled_awards_are_not(self):
        data = ict_tender(awards=[award(), award("Gone Ltd", 1, status="cancelled")])
        summary = m.summarise(data)
        assert summary.suppliers == ["Acme IT Ltd"]
        assert (summary.value, summary.value_kind) == (Decimal("450000"), "awarded")
        assert summary.end == date(2028, 3, 31)
        assert summary.stage == "award"

    def test_contracts_are_believed_over_awards(self):
        data = ict_tender(
            awards=[award()],
            contracts=[{"id": "c", "value": {"amount": 470000.5, "currency": "GBP"},
                        "period": {"endDate": "2029-03-31T00:00:00+01:00"}}],
        )  # fmt: skip
        summary = m.summarise(data)
        assert (summary.value, summary.end, summary.stage) == (Decimal("470000.5"), date(2029, 3, 31), "contract")

    def test_a_tender_alone_gives_its_estimate_and_period(self):
        summary = m.summarise(ict_tender())
        assert (summary.value, summary.value_kind, summary.end) == (Decimal("500000"), "estimated", date(2027, 3, 31))
        assert summary.cpv == ["72500000"]
        assert summary.stage == "tender"

    def test_cpv_codes_come_from_items_and_lose_their_check_digit_and_html_is_unescaped(self):
        data = release(
            buyer={"name": "St Mary&#039;s  Trust"},
            tender={
                "title": "Laptops &amp; docks",
                "items": [
                    {"classification": {"scheme": "CPV", "id": "30213100-6"}},
                    {"classification": {"scheme": "CPV", "id": "30213100"}},
                    {"classification": {"scheme": "UNSPSC", "id": "43211503"}},
                ],
            },
        )
        summary = m.summarise(data)
        assert summary.cpv == ["30213100"]
        assert (summary.buyer, summary.title) == ("St Mary's Trust", "Laptops & docks")
        assert m.ict_division(["45000000", "48000000"]) == "48"
        assert m.ict_division(["45000000"]) == ""

    def test_a_process_compiles_its_releases_newest_last_and_never_goes_back_a_stage(self):
        tender = ict_tender(when="2024-01-10T09:00:00Z")
        awarded = release(when="2024-03-01T00:00:00Z", tag=["award"], awards=[award()])
        amended = ict_tender(
            rid="r3", when="2024-04-01T00:00:00Z", title="Service desk (amended)", tag=["tenderAmendment"]
        )
        compiled = m.compile_process([amended, awarded, tender])
        assert compiled.title == "Service desk (amended)"
        assert compiled.suppliers == ["Acme IT Ltd"]
        assert (compiled.value, compiled.value_kind) == (Decimal("450000"), "awarded")
        assert compiled.stage == "award"
        assert compiled.buyer == "Borough of Example"


# --- Importing ----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
class TestImport:
    def test_one_bad_file_stops_the_import_and_nothing_is_stored(self):
        files = [read(package(ict_tender()), "good.json"), read(package(ict_tender(), publishedDate=""), "bad.json")]
        with pytest.raises(services.MarketFilesRejected) as rejected:
            services.market_import(files, by=None, source="test")
        assert rejected.value.rejected == [
            {"file": "bad.json", "reason": "/publishedDate: is empty (required of a release package by OCDS)"}
        ]  # noqa: E501
        assert not MarketRelease.objects.exists()
        assert not MarketProcess.objects.exists()
        assert not MarketImport.objects.exists()

    def test_skipping_invalid_files_stores_the_good_and_records_the_bad(self, make_user):
        officer = make_user(Role.COMMERCIAL_OFFICER)
        files = [
            read(package(ict_tender(), ict_tender("ocds-abc123-2", awards=[award("Beta Ltd")])), "good.json"),
            read(package(ict_tender("ocds-abc123-9"), publishedDate=""), "bad.json"),
        ]
        record = services.market_import(files, by=officer, source="test", skip_invalid=True)
        assert (record.releases_new, record.releases_unchanged, record.processes) == (2, 0, 2)
        assert [row["file"] for row in record.rejected] == ["bad.json"]
        assert set(MarketProcess.objects.values_list("ocid", flat=True)) == {"ocds-abc123-1", "ocds-abc123-2"}
        assert list(MarketAward.objects.values_list("supplier", flat=True)) == ["Beta Ltd"]
        event = AuditEvent.objects.get(action="publication.market-import")
        assert event.actor == officer
        assert event.data["rejected"] == record.rejected

    def test_importing_again_adds_nothing(self):
        files = [read(package(ict_tender(), ict_tender("ocds-abc123-2")))]
        services.market_import(files, by=None, source="test")
        before = list(MarketProcess.objects.order_by("ocid").values())
        again = services.market_import([read(package(ict_tender(), ict_tender("ocds-abc123-2")))], by=None, source="t")
        assert (again.releases_new, again.releases_unchanged, again.processes) == (0, 2, 0)
        assert list(MarketProcess.objects.order_by("ocid").values()) == before
        assert MarketRelease.objects.count() == 2

    def test_a_later_release_updates_its_process_and_its_suppliers(self):
        services.market_import([read(package(ict_tender(awards=[award("First Ltd")])))], by=None, source="t")
        later = release(rid="r2", when="2024-06-01T00:00:00Z", tag=["award"], awards=[award("Second Ltd", 460000)])
        services.market_import([read(package(later))], by=None, source="t")
        process = MarketProcess.objects.get()
        assert process.supplier_names == ["Second Ltd"]
        assert process.value == Decimal("460000.00")
        assert process.title == "Service desk"  # the later release did not say it; the earlier one is kept
        assert list(MarketAward.objects.values_list("supplier", flat=True)) == ["Second Ltd"]

    def test_imports_larger_than_a_query_chunk_read_and_rebuild_every_process(self, monkeypatch):
        monkeypatch.setattr(services, "CHUNK", 2)
        releases = [ict_tender(f"ocds-abc123-{i}", awards=[award(f"S{i}")]) for i in range(5)]
        services.market_import([read(package(*releases))], by=None, source="t")
        later = [release(f"ocds-abc123-{i}", "r2", "2024-06-01T00:00:00Z", awards=[award(f"T{i}")]) for i in range(5)]
        again = services.market_import([read(package(*releases)), read(package(*later))], by=None, source="t")
        assert (again.releases_new, again.releases_unchanged, again.processes) == (5, 5, 5)
        assert sorted(MarketAward.objects.values_list("supplier", flat=True)) == [f"T{i}" for i in range(5)]

    def test_a_release_already_held_with_different_content_is_rejected(self):
        services.market_import([read(package(ict_tender()))], by=None, source="t")
        changed = read(package(ict_tender(title="Rewritten")), "changed.json")
        with pytest.raises(services.MarketFilesRejected) as rejected:
            services.market_import([changed], by=None, source="t")
        assert "already held with different content" in rejected.value.rejected[0]["reason"]
        assert MarketProcess.objects.get().title == "Service desk"


# --- The real Contracts Finder data ------------------------------------------------------------------------------


def cli(*args):
    out = io.StringIO()
    call_command("ocds", "import", *map(str, args), "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
class TestRealData:
    def test_bluetail_imports_but_for_the_one_known_bad_package_which_is_named(self, shared_data, capsys):
        folder = shared_data / BLUETAIL
        with pytest.raises(SystemExit) as exit_:
            call_command("ocds", "import", str(folder))
        assert exit_.value.code == 2
        err = capsys.readouterr().err
        assert f"{KNOWN_BAD}: /publishedDate: is empty" in err
        assert "1 file rejected; nothing was imported" in err
        assert not MarketRelease.objects.exists()

        result = cli(folder, "--skip-invalid")
        assert (result["files"], result["files_rejected"], result["releases_new"]) == (100, 1, 99)
        assert result["rejected"][0]["file"].endswith(KNOWN_BAD)
        assert MarketProcess.objects.count() == 99
        assert MarketProcess.objects.filter(buyer="Mayors Office for Policing and Crime (MOPAC)").exists()

        again = cli(folder, "--skip-invalid")
        assert (again["releases_new"], again["releases_unchanged"], again["processes"]) == (0, 99, 0)

    def test_the_scottish_releases_are_all_rejected_for_their_missing_id(self, shared_data):
        result = cli(shared_data / CFSERVER / "ScotishData", "--skip-invalid")
        assert (result["files"], result["files_rejected"], result["releases_new"]) == (90, 90, 0)
        assert {row["reason"] for row in result["rejected"]} == {"/id: is missing (required by OCDS)"}

    def test_english_ict_processes_match_an_independent_count_of_their_cpv_codes(self, shared_data):
        folder = shared_data / CFSERVER / "EnglishData"
        result = cli(folder, "--skip-invalid")
        # OneRelease.json and Release1.json publish the same release id with different addresses: one is set aside.
        assert [Path(row["file"]).name for row in result["rejected"]] == ["Release1.json"]
        expected = set()
        for path in sorted(folder.glob("*.json")):
            if path.name == "Release1.json":
                continue
            data = json.loads(path.read_text(encoding="utf-8-sig"))
            tender = data["tender"]
            codes = [tender["classification"]["id"]] + [c["id"] for c in tender.get("additionalClassifications", [])]
            if any(code[:2] in {"72", "48", "30", "32", "64"} for code in codes):
                expected.add(data["ocid"])
        assert len(expected) == 35  # 36 releases, two of them of one process
        assert set(MarketProcess.objects.exclude(division="").values_list("ocid", flat=True)) == expected
        assert MarketProcess.objects.filter(buyer="Mayor's Office for Policing and Crime").exists()


# --- Pages --------------------------------------------------------------------------------------------------------


def make_processes(n: int) -> None:
    releases = [
        ict_tender(f"ocds-abc123-{i}", title=f"Process {i}", awards=[award(f"Supplier {i % 4}", 1000 * (i + 1))])
        for i in range(n)
    ]
    services.market_import([read(package(*releases))], by=None, source="test")


@pytest.mark.django_db
class TestPages:
    def test_the_market_view_filters_and_sums(self, signed_in):
        make_processes(6)
        other = release(
            "ocds-abc123-x", buyer={"name": "Roads"}, tender={"classification": {"scheme": "CPV", "id": "45000000"}}
        )
        services.market_import([read(package(other))], by=None, source="test")
        client, _ = signed_in(Role.FINANCE)
        page = client.get("/market/")
        assert page.status_code == 200
        summary = page.context["summary"]
        assert summary.processes == 6  # the road works are not ICT
        assert summary.awarded == sum(Decimal(1000 * (i + 1)) for i in range(6))
        assert summary.suppliers == 4
        assert page.context["suppliers"][0] == {"supplier": "Supplier 1", "processes": 2, "alone": Decimal("8000.00")}
        assert client.get("/market/", {"division": "all"}).context["summary"].processes == 7
        found = client.get("/market/", {"q": "supplier 3"}).context["page"]
        assert [p.title for p in found] == ["Process 3"]
        assert client.get("/market/", {"ends": "ended"}).context["summary"].processes == 0
        assert client.get("/market/", {"ends": "nonsense"}).status_code == 200

    def test_queries_do_not_grow_with_rows(self, signed_in):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        counts = []
        for n in (3, 30):
            MarketProcess.objects.all().delete()
            MarketRelease.objects.all().delete()
            make_processes(n)
            with CaptureQueriesContext(connection) as captured:
                assert client.get("/market/").status_code == 200
            counts.append(len(captured))
        assert counts[0] == counts[1]

    def test_supplier_users_never_see_the_market_view(self, signed_in):
        client, _ = signed_in(Role.SUPPLIER_USER)
        assert client.get("/market/").status_code == 403
        assert client.get("/market/import/").status_code == 403

    def test_a_commercial_officer_imports_a_zip_setting_a_bad_file_aside(self, signed_in):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("good.json", json.dumps(package(ict_tender())))
            archive.writestr("bad.json", json.dumps(package(ict_tender("ocds-abc123-2"), publishedDate="")))
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)

        buffer.seek(0)
        buffer.name = "notices.zip"
        refused = client.post("/market/import/", {"file": buffer})
        assert refused.status_code == 200
        assert "notices.zip/bad.json: /publishedDate: is empty" in refused.content.decode()
        assert not MarketRelease.objects.exists()

        buffer.seek(0)
        done = client.post("/market/import/", {"file": buffer, "skip_invalid": "on"}, follow=True)
        assert done.redirect_chain[-1][0] == "/market/"
        assert MarketProcess.objects.get().ocid == "ocds-abc123-1"
        text = done.content.decode()
        assert "1 new releases" in text
        assert "notices.zip/bad.json" in text  # listed under the files set aside

    def test_an_import_form_without_a_file_names_the_field(self, signed_in):
        page = signed_in(Role.COMMERCIAL_OFFICER)[0].post("/market/import/", {})
        assert page.context["form"].errors["file"] == ["Select an OCDS file (JSON, or a ZIP of JSON files)"]
        assert "Select an OCDS file" in page.content.decode()
