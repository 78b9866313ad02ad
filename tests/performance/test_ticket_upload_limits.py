"""Ticket files within bounds: a control character in any text field is refused on its line as the estate import
refuses it, an upload over its size is refused with the limit the form states, and a header line is read only so far."""

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile

from pegasus.core import intake
from pegasus.core.roles import Role
from pegasus.performance import duckdb_sql, services, ticket_loading
from pegasus.performance.models import TicketUpload, UploadStatus
from tests.performance.test_tickets import HEADER, rejection, write

pytestmark = pytest.mark.django_db

SUPPLIER = "Kestrel Digital Services Ltd (illustrative)"


class TestControlCharacters:
    def test_a_nul_in_a_supplier_name_rejects_the_upload(self, demo, signed_in, django_capture_on_commit_callbacks):
        """The probe's file: the upload page stored a supplier name holding a NUL byte."""
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        text = HEADER + "T1,Kestrel\x00 Digital,1,2019-03-04T09:00,2019-03-04T10:00\n"
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/performance/uploads/", {"file": SimpleUploadedFile("nul.csv", text.encode())})
        upload = TicketUpload.objects.get(original_name="nul.csv")
        assert upload.status == UploadStatus.REJECTED
        assert upload.bad_lines == [{"line": 2, "reason": "supplier contains a control character (U+0000)"}]
        assert upload.dataset == ""

    @pytest.mark.parametrize(
        ("row", "reason"),
        [
            (f"T\x1b1,{SUPPLIER},1,2019-03-04T09:00,", "ticket_id contains a control character (U+001B)"),
            (f"T1,{SUPPLIER}\x7f,1,2019-03-04T09:00,", "supplier contains a control character (U+007F)"),
            (f"T1,{SUPPLIER},1,2019-03-04T09:00,,Desk\u0085top", "service contains a control character (U+0085)"),
            (f"T1,{SUPPLIER},1,2019-03-04T09:00,,Desk\u2028top", "service contains a control character (U+2028)"),
        ],
    )
    def test_every_text_field_is_checked(self, tmp_path, row, reason):
        path = write(tmp_path, HEADER.rstrip("\n") + ",service\n" + row + ("" if row.count(",") == 5 else ",") + "\n")
        assert [(b.line, b.reason) for b in rejection(path).bad_lines] == [(2, reason)]

    def test_tabs_in_a_field_are_text(self, tmp_path):
        path = write(tmp_path, HEADER + f"T1,{SUPPLIER}\twest,1,2019-03-04T09:00,\n")
        con = duckdb_sql.connect()
        assert ticket_loading.load_tickets(con, path).rows_read == 1

    def test_assignments_are_checked_too(self, tmp_path):
        con = duckdb_sql.connect()
        ticket_loading.load_tickets(con, write(tmp_path, HEADER + f"T1,{SUPPLIER},1,2019-03-04T09:00,\n"))
        assignments = write(
            tmp_path, "ticket_id,assigned_at,supplier\nT1,2019-03-04T09:00,A\x00B\n", name="assignments.csv"
        )
        with pytest.raises(ticket_loading.TicketFileError) as caught:
            ticket_loading.load_assignments(con, assignments)
        assert [(b.line, b.reason) for b in caught.value.bad_lines] == [
            (2, "supplier contains a control character (U+0000)")
        ]


class TestSize:
    def test_a_file_over_the_limit_is_refused_before_it_is_kept(self, demo, make_user, tmp_path):
        # given: a sparse file one byte over the limit (it takes no room on disk)
        path = tmp_path / "huge.csv"
        with path.open("wb") as handle:
            handle.truncate(services.TICKET_UPLOAD_LIMIT.max_bytes + 1)
        # when / then
        with path.open("rb") as handle, pytest.raises(intake.UploadRefused) as caught:
            services.ticket_upload_create(
                file=UploadedFile(handle, name="huge.csv", size=os.path.getsize(path)), by=make_user(Role.FINANCE)
            )
        assert str(caught.value) == services.TICKET_UPLOAD_LIMIT.too_large
        assert not TicketUpload.objects.exists()

    def test_the_page_states_the_limit_and_shows_the_refusal(self, demo, signed_in):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        assert services.TICKET_UPLOAD_LIMIT.hint in client.get("/performance/uploads/").content.decode()

    def test_a_header_line_is_read_only_so_far(self, tmp_path):
        path = write(tmp_path, "ticket_id," + "x" * (3 * intake.MB) + "\nT1\n")
        assert [(b.line, b.reason) for b in rejection(path).bad_lines] == [(1, ticket_loading.HEADER_TOO_LONG)]
