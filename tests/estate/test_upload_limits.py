"""Estate and market-price imports within bounds: a small file that unpacks to hundreds of MB, or holds one huge
value, is refused by its unpacked size, cheaply, and no message echoes more than a short prefix of a value."""

import time
import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pegasus.core import intake, tabular
from pegasus.core.exceptions import ImportRejected
from pegasus.core.roles import Role
from pegasus.estate.imports import contracts_import, spend_import
from pegasus.sourcing.imports import market_prices_import
from tests import hostile_files
from tests.estate.test_imports import HEADER, SPEND_HEADER, contract_row, csv_file, estate  # noqa: F401

pytestmark = pytest.mark.django_db

MB = hostile_files.MB


def refused(importer, name: str, data: bytes) -> list[str]:
    with pytest.raises(ImportRejected) as caught:
        importer(filename=name, data=data, by=None)
    return [tabular.error_text(e) for e in caught.value.errors]


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


class TestUnpackedSize:
    def test_a_workbook_that_unpacks_to_300_mb_is_refused_by_its_unpacked_size(self):
        # given: a 300 KB workbook whose padding unpacks to 300 MB
        data = hostile_files.bomb({"[Content_Types].xml": 10, "xl/media/padding.bin": 300 * MB})
        assert len(data) < tabular.UPLOAD_LIMIT.max_bytes
        # when
        started = time.monotonic()
        messages = refused(contracts_import, "contracts.xlsx", data)
        # then
        assert messages == [tabular.FILE_UNPACKS_TOO_LARGE]
        assert "unpacked size" in messages[0] and "50 MB" in messages[0] and "larger than 5 MB" not in messages[0]
        assert time.monotonic() - started < 5

    def test_a_huge_column_name_is_refused_without_reading_it(self):
        """The probe's file: about 100 KB holding a 95 MB column name."""
        data = hostile_files.xlsx_with_header(HEADER, huge=95 * MB)
        assert len(data) < 200_000
        tracemalloc.start()
        try:
            messages = refused(contracts_import, "contracts.xlsx", data)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert messages == [tabular.FILE_UNPACKS_TOO_LARGE]
        assert peak < 60 * MB

    def test_an_archive_that_declares_less_than_it_holds_is_refused(self):
        data = hostile_files.lying(hostile_files.bomb({"xl/worksheets/sheet1.xml": 200 * MB}), declared=1_000)
        assert refused(spend_import, "spend.xlsx", data) == [tabular.UNREADABLE_XLSX]

    def test_an_archive_of_too_many_members_is_refused(self):
        data = hostile_files.many_members(tabular.UPLOAD_LIMIT.max_members + 1)
        assert refused(spend_import, "spend.xlsx", data) == [tabular.UPLOAD_LIMIT.too_many_members]

    def test_market_prices_are_read_within_the_same_bounds(self):
        data = hostile_files.bomb({"xl/media/padding.bin": 60 * MB})
        assert refused(market_prices_import, "prices.xlsx", data) == [tabular.FILE_UNPACKS_TOO_LARGE]


class TestEchoedValues:
    @pytest.mark.parametrize("fmt", ["csv", "xlsx"])
    def test_an_unknown_column_is_quoted_by_a_short_prefix(self, fmt):
        name = "x" * 100_000  # the CSV reader refuses a field over 128 KB by itself
        if fmt == "csv":
            data = csv_file([contract_row()], header=[*HEADER, name])
        else:
            data = hostile_files.xlsx_with_header([*HEADER, name], [[contract_row()[h] for h in HEADER]])
        (message,) = refused(contracts_import, f"contracts.{fmt}", data)
        assert len(message) < 200
        prefix = "x" * 40
        assert message == (
            f"Line 1, column {prefix}…: '{prefix}…' is not a column of a contracts file: "
            "the template lists the columns."
        )

    def test_the_page_answers_the_probe_briefly(self, signed_in):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        name = "contracts-" + "y" * 200 + ".csv"
        data = csv_file([contract_row()], header=[*HEADER, "z" * 1_000_000])
        response = client.post("/import/", {"kind": "contracts", "contracts-file": upload(name, data)})
        assert response.status_code == 200
        assert len(response.content) < 100_000
        assert "y" * 60 not in response.content.decode() and "z" * 60 not in response.content.decode()


class TestControlCharacters:
    @pytest.mark.parametrize("character", ["\x00", "\x1b", "\x7f", "\x85", "\u2028"])
    def test_a_control_character_in_any_text_cell_is_refused_with_its_cell(self, character):
        data = csv_file([{"contract_reference": "EX-001", "month": f"2019-0{character}2", "amount": "5"}], SPEND_HEADER)
        (message,) = refused(spend_import, "spend.csv", data)
        assert message == (
            f"Line 2, column month: This cell contains a control character (U+{ord(character):04X}), "
            "which cannot be stored."
        )

    def test_tabs_and_line_breaks_in_a_cell_are_text(self):
        assert intake.control_character("Wide\tArea\r\nNetwork") is None


class TestForm:
    def test_the_hint_states_both_limits(self, signed_in):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        html = client.get("/import/").content.decode()
        assert "smaller than 5 MB, and no more than 50 MB unpacked" in html

    def test_a_file_over_the_size_limit_is_refused_on_the_form(self, signed_in):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        data = b"contract_reference,month,amount\n" + b"EX-001,2019-01,1\n" * (5 * MB // 17 + 1)
        response = client.post("/import/", {"kind": "spend", "spend-file": upload("spend.csv", data)})
        assert response.status_code == 200
        assert tabular.FILE_TOO_LARGE in response.content.decode()


class TestEchoedRows:
    def test_a_repeated_reference_is_quoted_by_a_short_prefix(self, estate):  # noqa: F811
        reference = "R" * 100_000
        data = csv_file([contract_row(reference=reference), contract_row(reference=reference)])
        messages = refused(contracts_import, "contracts.csv", data)
        assert all(len(m) < 300 for m in messages)
        assert f"Contract {'R' * 40}… is also on line 2" in " ".join(messages)

    def test_a_header_naming_a_column_twice_is_quoted_briefly(self, tmp_path):
        from pegasus.performance import duckdb_sql, ticket_loading

        name = "n" * 30_000
        path = tmp_path / "tickets.csv"
        path.write_text(f"ticket_id,supplier,priority,opened_at,resolved_at,{name},{name}\n", encoding="utf-8")
        with pytest.raises(ticket_loading.TicketFileError) as caught:
            ticket_loading.load_tickets(duckdb_sql.connect(), path)
        assert len(str(caught.value)) < 300
