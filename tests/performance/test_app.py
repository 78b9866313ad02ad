"""Supplier performance in the application: pages, supplier isolation, SLAs, uploads, scorecards and exports."""

import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from openpyxl import load_workbook

from pegasus.core.models import AuditEvent
from pegasus.core.roles import Role
from pegasus.estate.demo import SUPPLIER_USER_WORKS_FOR, SUPPLIERS
from pegasus.estate.models import Contract, Organisation, Supplier
from pegasus.performance import rating, selectors, services
from pegasus.performance.models import RatingRules, ServiceLevelAgreement, TicketUpload, UploadStatus
from pegasus.performance.rating import Rating, Thresholds, kpi_rating

pytestmark = pytest.mark.django_db

GOOD_FILE = (
    "ticket_id,supplier,priority,opened_at,resolved_at\n"
    "T1,Kestrel Digital Services Ltd (illustrative),1,2019-03-04T09:00,2019-03-04T10:00\n"
    "T2,Kestrel Digital Services Ltd (illustrative),P1,2019-03-05T09:00,2019-03-05T15:00\n"
)
BAD_FILE = (
    "ticket_id,supplier,priority,opened_at,resolved_at\n"
    "T1,Kestrel Digital Services Ltd (illustrative),1,2019-03-04T09:00,2019-03-04T10:00\n"
    "T2,Kestrel Digital Services Ltd (illustrative),P9,2019-03-05T09:00,2019-03-05T15:00\n"
    "T3,Kestrel Digital Services Ltd (illustrative),2,not a date,\n"
)


def kestrel() -> Supplier:
    return Supplier.objects.get(name=SUPPLIERS[SUPPLIER_USER_WORKS_FOR][0])


class TestRatingRules:
    """Attainment against target maps to the four Procurement Act 2023 ratings at exact boundaries."""

    @pytest.mark.parametrize(
        ("met", "resolved", "expected"),
        [
            (95, 100, Rating.GOOD),  # exactly on target
            (96, 100, Rating.GOOD),
            (94, 100, Rating.APPROACHING),
            (93, 100, Rating.APPROACHING),  # exactly 2 points below
            (929, 1000, Rating.REQUIRES_IMPROVEMENT),  # 2.1 points below
            (90, 100, Rating.REQUIRES_IMPROVEMENT),  # exactly 5 points below
            (899, 1000, Rating.INADEQUATE),  # 5.1 points below
            (0, 10, Rating.INADEQUATE),
        ],
    )
    def test_default_bands(self, met, resolved, expected):
        assert kpi_rating(met, resolved, Decimal("95")) is expected

    def test_nothing_resolved_is_not_rated(self):
        assert kpi_rating(0, 0, Decimal("95")) is None

    def test_a_third_is_compared_exactly(self):
        # 2 of 3 is 66.666...%: just below a 66.67% target, and Good against 66.66%.
        assert kpi_rating(2, 3, Decimal("66.67")) is Rating.APPROACHING
        assert kpi_rating(2, 3, Decimal("66.66")) is Rating.GOOD

    def test_configured_bands(self):
        strict = Thresholds(Decimal("0.5"), Decimal("1"))
        assert kpi_rating(944, 1000, Decimal("95"), strict) is Rating.REQUIRES_IMPROVEMENT
        assert kpi_rating(945, 1000, Decimal("95"), strict) is Rating.APPROACHING
        assert kpi_rating(939, 1000, Decimal("95"), strict) is Rating.INADEQUATE

    def test_bands_out_of_order_are_refused(self):
        with pytest.raises(ValueError):
            Thresholds(Decimal("5"), Decimal("2"))

    def test_overall_is_the_worst(self):
        assert rating.overall_rating([Rating.GOOD, None, Rating.REQUIRES_IMPROVEMENT]) is Rating.REQUIRES_IMPROVEMENT
        assert rating.overall_rating([None]) is None

    def test_rules_saved_for_an_authority_are_used(self, demo, make_user):
        authority = Organisation.objects.get(kind=Organisation.Kind.CONTRACTING_AUTHORITY)
        services.rating_rules_save(
            authority=authority,
            approaching_points=Decimal("1"),
            improvement_points=Decimal("3"),
            by=make_user(Role.COMMERCIAL_OFFICER),
        )
        assert selectors.thresholds_for(authority.pk) == Thresholds(Decimal("1.00"), Decimal("3.00"))
        assert AuditEvent.objects.filter(action="rating-rules.change").count() == 1

    def test_rules_out_of_order_are_refused_and_nothing_kept(self, demo, signed_in):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        authority = Organisation.objects.get(kind=Organisation.Kind.CONTRACTING_AUTHORITY)
        response = client.post(
            f"/performance/rating-rules/{authority.pk}/", {"approaching_points": "4", "improvement_points": "2"}
        )
        assert response.status_code == 200
        assert services.RATING_BANDS_OUT_OF_ORDER in response.content.decode()
        assert not RatingRules.objects.exists()


class TestSla:
    """An SLA on a contract converts to the engine's structure."""

    def test_demo_slas_convert_to_the_engine(self, performance_demo):
        sla = ServiceLevelAgreement.objects.get(contract__reference="MPS-DP-T1-005")
        agreement = sla.agreement("X")
        assert agreement.supplier == "X"
        assert [t.priority for t in agreement.targets] == [1, 2, 3, 4]
        assert agreement.service_hours is not None
        assert agreement.credit_cap_percent == Decimal("12.00")

    def test_form_defines_an_sla(self, demo, signed_in):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        contract = Contract.objects.get(reference="MPS-DP-T2-101")
        data = {
            "monthly_charge": "400000",
            "credit_cap_percent": "10",
            "service_days": ["mon", "tue", "wed", "thu", "fri"],
            "service_start": "08:00",
            "service_end": "18:00",
            "exclude_bank_holidays": "on",
            "p1_hours": "4",
            "p1_clock": "24x7",
            "p1_target": "95",
            "p1_credit": "5",
        }
        response = client.post(f"/performance/contracts/{contract.pk}/sla/", data)
        assert response.status_code == 302
        sla = ServiceLevelAgreement.objects.get(contract=contract)
        assert [t.priority for t in sla.targets.all()] == [1]
        assert AuditEvent.objects.filter(action="sla.define", object_id=str(sla.pk)).exists()

    def test_an_incomplete_target_is_refused(self, demo, signed_in):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        contract = Contract.objects.get(reference="MPS-DP-T2-101")
        data = {
            "monthly_charge": "400000",
            "credit_cap_percent": "10",
            "service_days": ["mon"],
            "service_start": "08:00",
            "service_end": "18:00",
            "p2_hours": "8",
        }
        response = client.post(f"/performance/contracts/{contract.pk}/sla/", data)
        assert response.status_code == 200
        assert "Enter every figure of the P2 target" in response.content.decode()
        assert not ServiceLevelAgreement.objects.filter(contract=contract).exists()


class TestUpload:
    """Uploads run as a background task; a bad file is rejected whole and stores nothing."""

    def test_a_good_file_is_stored_and_read_by_the_pages(
        self, performance_demo, signed_in, settings, django_capture_on_commit_callbacks
    ):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/performance/uploads/", {"file": SimpleUploadedFile("march.csv", GOOD_FILE.encode())}
            )
        upload = TicketUpload.objects.get(original_name="march.csv")
        assert response.url == f"/performance/uploads/{upload.pk}/"
        assert (upload.status, upload.progress, upload.rows_read) == (UploadStatus.SUCCEEDED, 100, 2)
        assert default_storage.exists(f"performance/datasets/{upload.dataset}/tickets.parquet")
        assert not (settings.VAR_DIR / "performance").exists()
        assert selectors.current_upload() == upload
        page = client.get(f"/performance/uploads/{upload.pk}/progress/").content.decode()
        assert "Tickets stored" in page and "hx-get" not in page
        # Kestrel's EUC SLA reads the two March P1 tickets: one within 4 hours, one not.
        contract = Contract.objects.get(reference="MPS-DP-T1-005")
        sla = ServiceLevelAgreement.objects.get(contract=contract)
        sla.ticket_service = ""
        sla.save()
        scorecard = client.get(f"/performance/contracts/{contract.pk}/").context["performance"]
        p1 = scorecard.kpis[0]
        assert (p1.resolved, p1.met, p1.rating) == (2, 1, Rating.INADEQUATE)

    def test_a_bad_file_stores_nothing_and_lists_its_bad_lines(
        self, demo, signed_in, django_capture_on_commit_callbacks
    ):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/performance/uploads/", {"file": SimpleUploadedFile("bad.csv", BAD_FILE.encode())})
        upload = TicketUpload.objects.get(original_name="bad.csv")
        assert upload.status == UploadStatus.REJECTED
        assert [b["line"] for b in upload.bad_lines] == [3, 4]
        assert "P9" in upload.bad_lines[0]["reason"]
        assert upload.dataset == "" and not upload.file
        assert not default_storage.exists("performance/datasets")
        assert selectors.current_upload() is None
        page = client.get(f"/performance/uploads/{upload.pk}/").content.decode()
        assert "Line 3:" in page and "nothing was stored" in page

    def test_an_upload_is_shared_through_the_object_store_not_the_disk(
        self, s3_storage, performance_demo, signed_in, settings, tmp_path, django_capture_on_commit_callbacks
    ):
        """The app server that takes the file, the worker that checks it and the one that reports it share no disk."""
        # given an app server
        settings.VAR_DIR = tmp_path / "app-1"
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        contract = Contract.objects.get(reference="MPS-DP-T1-005")
        ServiceLevelAgreement.objects.filter(contract=contract).update(ticket_service="")
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            client.post("/performance/uploads/", {"file": SimpleUploadedFile("march.csv", GOOD_FILE.encode())})
        upload = TicketUpload.objects.get(original_name="march.csv")
        assert s3_storage.exists(upload.file.name)
        # when a worker on another host ingests it
        settings.VAR_DIR = tmp_path / "worker"
        for callback in callbacks:
            callback()
        upload.refresh_from_db()
        assert (upload.status, upload.rows_read) == (UploadStatus.SUCCEEDED, 2), upload.error
        assert s3_storage.exists(f"performance/datasets/{upload.dataset}/tickets.parquet")
        # then a third host reports it from the object store
        settings.VAR_DIR = tmp_path / "app-2"
        p1 = client.get(f"/performance/contracts/{contract.pk}/").context["performance"].kpis[0]
        assert (p1.resolved, p1.met) == (2, 1)
        assert not any((tmp_path / host / "performance").exists() for host in ("app-1", "worker", "app-2"))
        assert not settings.MEDIA_ROOT.exists()

    def test_a_file_that_is_not_csv_is_refused(self, demo, signed_in):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        response = client.post("/performance/uploads/", {"file": SimpleUploadedFile("t.xlsx", b"x")})
        assert services.NOT_A_CSV in response.content.decode()
        assert not TicketUpload.objects.exists()

    def test_an_upload_is_ingested_once(self, demo, make_user, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            upload = services.ticket_upload_create(
                file=SimpleUploadedFile("a.csv", GOOD_FILE.encode()), by=make_user(Role.COMMERCIAL_OFFICER)
            )
        from pegasus.core.exceptions import InvalidTransition

        with pytest.raises(InvalidTransition):
            services.ticket_upload_ingest(upload_id=upload.pk)


class TestServiceHoursDefaults:
    @pytest.mark.parametrize("hour", [8, 18])
    def test_the_system_check_is_quiet_at_the_default_times_of_day(self, hour):
        """Django warns of a fixed time-of-day default (fields.W161) when its check runs within ten seconds of it."""
        with time_machine.travel(datetime(2026, 11, 26, hour, 0, 3, tzinfo=UTC), tick=False):
            warnings = [
                message.id
                for name in ("service_start", "service_end")
                for message in ServiceLevelAgreement._meta.get_field(name).check()
            ]
        assert warnings == []
        assert (ServiceLevelAgreement().service_start.hour, ServiceLevelAgreement().service_end.hour) == (8, 18)


class TestPages:
    """The demo's performance shows on every page, and supplier users see only their own."""

    def test_overview_lists_every_supplier_with_an_sla(self, performance_read, signed_in):
        client, _ = signed_in(Role.PROGRAMME_DIRECTOR)
        response = client.get("/performance/")
        rows = response.context["rows"]
        assert len(rows) == 4
        assert {r.overall for r in rows} - {None}
        assert f"({performance_read['tickets']:,} rows, stored" in response.content.decode()

    def test_demo_shows_the_spread_a_real_estate_has(self, performance_read, signed_in):
        """On target, recovering and failing: the pages have something to tell apart."""
        client, _ = signed_in(Role.PROGRAMME_DIRECTOR)
        rows = client.get("/performance/").context["rows"]
        overall = {row.supplier.name.split(" (")[0]: row.overall for row in rows}
        assert overall["Aldgate Service Integration Ltd"] == Rating.GOOD
        assert overall["Northbank Hosting Ltd"] == Rating.GOOD
        assert overall["Kestrel Digital Services Ltd"] == Rating.INADEQUATE
        by_contract = {c.contract.reference: c for row in rows for c in row.contracts}
        recovering = by_contract["MPS-DP-T1-002"].kpis
        assert all(k.trend == "Improving" for k in recovering)
        failing = by_contract["MPS-DP-T1-005"].kpis
        assert all(k.months_below == k.months == 12 for k in failing)
        slipping = by_contract["MPS-DP-T1-006"]
        assert slipping.overall == Rating.REQUIRES_IMPROVEMENT

    def test_demo_is_deterministic_and_small(self, performance_read):
        assert performance_read["slas"] == 6
        assert 10_000 < performance_read["tickets"] < 40_000

    def test_supplier_page_has_charts_tables_and_credits(self, performance_read, signed_in):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        response = client.get(f"/performance/suppliers/{kestrel().pk}/")
        assert response.status_code == 200
        sections = response.context["sections"]
        assert [s["performance"].contract.reference for s in sections] == ["MPS-DP-T1-005", "MPS-DP-T1-006"]
        assert len(sections[0]["performance"].months) == 12
        assert sections[0]["attainment"].rows
        assert b"monthly attainment against target as a table" in response.content

    def test_supplier_user_sees_only_their_own(self, performance_read, signed_in):
        client, _ = signed_in(Role.SUPPLIER_USER, supplier=kestrel())
        rows = client.get("/performance/").context["rows"]
        assert [r.supplier for r in rows] == [kestrel()]
        other = Supplier.objects.exclude(pk=kestrel().pk).filter(contracts__sla__isnull=False).first()
        assert client.get(f"/performance/suppliers/{other.pk}/").status_code == 404
        assert client.get(f"/performance/suppliers/{other.pk}/export.csv").status_code == 404
        other_contract = Contract.objects.exclude(supplier=kestrel()).filter(sla__isnull=False).first()
        assert client.get(f"/performance/contracts/{other_contract.pk}/").status_code == 404
        handoffs = client.get("/performance/handoffs/").context["handoffs"]
        assert [h["supplier"] for h in handoffs["holding"]] == [kestrel().name]
        assert all(kestrel().name in (p["from"], p["to"]) for p in handoffs["pairs"])

    def test_handoffs_show_the_siam_desk_passing_tickets(self, performance_read, signed_in):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        pairs = client.get("/performance/handoffs/").context["handoffs"]["pairs"]
        assert any(p["from"].startswith("Aldgate") and p["tickets"] > 100 for p in pairs)

    def test_handoffs_show_one_count_of_tickets_and_the_passes_only_where_they_differ(self):
        # given one pair whose tickets each passed once and one whose ticket went back and forth
        pairs = [
            {"from": "Aldgate", "to": "Kestrel", "tickets": 120, "handoffs": 120},
            {"from": "Kestrel", "to": "Harrow", "tickets": 3, "handoffs": 5},
        ]
        # when the page is drawn
        page = render_to_string("performance/handoffs.html", {"handoffs": {"pairs": pairs, "holding": []}})
        # then it has one column of tickets, and the passes beside the pair where they are more
        assert "Tickets passed" in page and ">Hand-offs<" not in page
        assert "(5 passes)" in page and "(120 passes)" not in page

    def test_scorecard_rates_every_kpi(self, performance_read, signed_in):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        contract = Contract.objects.get(reference="MPS-DP-T1-005")
        performance = client.get(f"/performance/contracts/{contract.pk}/").context["performance"]
        assert [k.priority for k in performance.kpis] == [1, 2, 3, 4]
        assert all(k.rating is not None for k in performance.kpis)

    def test_scorecard_states_the_service_hours_in_words(self, performance_read, signed_in):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        contract = Contract.objects.get(reference="MPS-DP-T1-005")
        page = client.get(f"/performance/contracts/{contract.pk}/").content.decode()
        assert "Monday to Friday, 08:00 to 18:00, not on bank holidays" in page
        assert "mon,tue" not in page

    def test_exports_open_in_openpyxl_with_the_marking(self, performance_read, signed_in):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        response = client.get(f"/performance/suppliers/{kestrel().pk}/export.xlsx")
        workbook = load_workbook(io.BytesIO(response.content))
        sheet = workbook["Attainment"]
        marking = Contract.objects.get(reference="MPS-DP-T1-005").marking
        assert sheet["A1"].value == marking
        assert [c.value for c in sheet[3]][:4] == ["Contract", "Supplier", "Month", "Priority"]
        assert sheet.max_row > 3 + 12
        assert workbook["Service credits"]["A1"].value == marking
        csv_body = client.get(f"/performance/suppliers/{kestrel().pk}/export.csv").content.decode()
        assert "MPS-DP-T1-005" in csv_body and "MPS-DP-T1-002" not in csv_body
        assert AuditEvent.objects.filter(action="performance.export").count() == 2

    @pytest.mark.parametrize("path", ["/performance/", "/performance/uploads/"])
    def test_list_pages_take_a_fixed_number_of_queries(
        self, path, performance_read, signed_in, django_assert_max_num_queries
    ):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        with django_assert_max_num_queries(15):
            assert client.get(path).status_code == 200
