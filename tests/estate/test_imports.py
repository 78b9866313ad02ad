"""Importing contracts and spend from XLSX and CSV: every bad row reported, all or nothing, and idempotent."""

import csv
import io
import json
import os
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from pegasus.core import tabular
from pegasus.core.exceptions import ImportRejected, RowError
from pegasus.core.models import AuditEvent
from pegasus.core.roles import Role
from pegasus.estate import imports, selectors, services
from pegasus.estate.imports import contracts_import, spend_import
from pegasus.estate.models import (
    Contract,
    ContractTower,
    ExtensionOption,
    Organisation,
    ServiceTower,
    Spend,
    Supplier,
)
from tests.factories import ContractFactory, OrganisationFactory, SpendFactory, SupplierFactory, TowerFactory

pytestmark = pytest.mark.django_db

HEADER = [c.name for c in imports.CONTRACT_COLUMNS]
SPEND_HEADER = [c.name for c in imports.SPEND_COLUMNS]
REQUIRED = [c.name for c in imports.CONTRACT_COLUMNS if c.required]
# PEGASUS_HYPOTHESIS_EXAMPLES=1000 for a longer hunt than the default run affords.
HYPOTHESIS = settings(
    max_examples=int(os.environ.get("PEGASUS_HYPOTHESIS_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@pytest.fixture
def estate(db):
    """An authority, three towers, one supplier and one contract (EX-001) with a month of spend."""
    authority = OrganisationFactory()
    towers = {
        code: TowerFactory(code=code, name=name)
        for code, name in [("networks", "Networks"), ("telephony", "Telephony"), ("hosting", "Hosting")]
    }
    supplier = SupplierFactory(name="Thamesmead Networks plc")
    contract = ContractFactory(
        reference="EX-001", supplier=supplier, authority=authority, tier=1, towers=[(towers["hosting"], 100)]
    )
    SpendFactory(contract=contract, month=date(2019, 1, 1), amount=Decimal("100000.00"))
    return SimpleNamespace(authority=authority, towers=towers, supplier=supplier, contract=contract)


def contract_row(**changes) -> dict:
    row = {
        "reference": "MPS-NEW-001",
        "title": "Wide Area Network",
        "supplier": "Thamesmead Networks plc",
        "tier": "1",
        "status": "active",
        "start_date": "2019-04-01",
        "initial_end_date": "31/03/2022",
        "notice_period_months": "6",
        "renewal_type": "none",
        "renewal_period_months": "",
        "max_renewals": "",
        "total_value": "£3,600,000",
        "annual_value": "1,200,000.00",
        "vat_basis": "net",
        "classification": "OFFICIAL",
        "classification_descriptor": "",
        "towers": "networks:70; telephony:30",
        "options": "12:exercised; 12:available",
    }
    return {**row, **changes}


def csv_file(rows: list[dict], header: list[str] = HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_text(row.get(name)) for name in header])
    return buffer.getvalue().encode("utf-8")


def _csv_text(value) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)


def xlsx_file(rows: list[dict], header: list[str] = HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(name) for name in header])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def database_state() -> dict:
    """Counts of every table an import can touch (with their history), and the contracts' and spend's values."""
    models = [Contract, ContractTower, ExtensionOption, Spend, Supplier, ServiceTower, Organisation]
    counts = {model.__name__: model.objects.count() for model in models}
    counts |= {f"{model.__name__} history": model.history.count() for model in models}
    counts["AuditEvent"] = AuditEvent.objects.count()
    counts["contracts"] = list(Contract.objects.order_by("pk").values_list())
    counts["spend"] = list(Spend.objects.order_by("pk").values_list())
    counts["shares"] = list(ContractTower.objects.order_by("pk").values_list())
    counts["options"] = list(ExtensionOption.objects.order_by("pk").values_list())
    return counts


def rejected(importer, name: str, data: bytes) -> list[RowError]:
    with pytest.raises(ImportRejected) as caught:
        importer(filename=name, data=data, by=None)
    return caught.value.errors


class TestReadingFiles:
    """Files that cannot be read at all are refused with one clear message."""

    @pytest.mark.parametrize(
        "name, data, error",
        [
            (
                "contracts.txt",
                b"reference\n",
                RowError(0, "", tabular.UNKNOWN_EXTENSION.format(name="'contracts.txt'")),
            ),
            ("contracts.csv", b"", RowError(0, "", tabular.FILE_EMPTY)),
            ("contracts.csv", b"\n\n,,\n", RowError(0, "", tabular.FILE_EMPTY)),
            ("contracts.xlsx", b"", RowError(0, "", tabular.FILE_EMPTY)),
            ("contracts.csv", ",".join(HEADER).encode() + b"\n", RowError(2, "", tabular.NO_ROWS)),
            ("contracts.xlsx", b"PK\x03\x04 this is not a workbook", RowError(0, "", tabular.UNREADABLE_XLSX)),
            ("contracts.xlsx", b"\x00\x01\x02", RowError(0, "", tabular.UNREADABLE_XLSX)),
        ],
    )
    def test_a_file_that_cannot_be_read_is_refused_with_one_clear_message(self, estate, name, data, error):
        assert rejected(contracts_import, name, data) == [error]

    def test_a_csv_that_is_not_utf8_is_refused_naming_the_first_bad_line(self, estate):
        rows = [contract_row(total_value="3600000"), contract_row(reference="R2", title="Réseau", total_value="1")]
        data = csv_file(rows).decode().encode("latin-1")
        assert rejected(contracts_import, "contracts.csv", data) == [RowError(3, "", tabular.NOT_UTF8)]

    def test_an_xlsx_with_only_a_header_is_refused(self, estate):
        assert rejected(contracts_import, "c.xlsx", xlsx_file([])) == [RowError(2, "", tabular.NO_ROWS)]

    def test_missing_required_columns_are_each_reported_on_line_1(self, estate):
        header = [h for h in HEADER if h not in {"towers", "total_value", "tier"}]
        errors = rejected(contracts_import, "c.csv", csv_file([contract_row()], header))
        assert errors == [
            RowError(1, "total_value", tabular.MISSING_COLUMN.format(column="total_value")),
            RowError(1, "towers", tabular.MISSING_COLUMN.format(column="towers")),
        ]

    def test_unknown_and_repeated_columns_are_reported_on_line_1(self, estate):
        errors = rejected(contracts_import, "c.csv", csv_file([contract_row()], [*HEADER, "Notes", "title"]))
        assert errors == [
            RowError(1, "Notes", tabular.UNKNOWN_COLUMN.format(value="'Notes'", kind="contracts")),
            RowError(1, "title", tabular.DUPLICATE_COLUMN.format(column="title")),
        ]

    def test_headings_are_read_in_any_case_spacing_and_order(self):
        data = b"\xef\xbb\xbfAmount , Month,Contract Reference\n1,2019-01,EX-001\n"
        table = imports.read_table("spend.csv", data, imports.SPEND)
        assert table.columns == ("amount", "month", "contract_reference")
        assert table.rows == ((2, {"amount": "1", "month": "2019-01", "contract_reference": "EX-001"}),)

    def test_blank_rows_are_skipped_and_later_lines_keep_their_numbers(self):
        data = b"contract_reference,month,amount\n\nEX-001,2019-01,1\n,,\n"
        table = imports.read_table("spend.csv", data, imports.SPEND)
        assert [line for line, _ in table.rows] == [3]

    def test_a_csv_that_the_csv_reader_cannot_read_is_refused_with_its_line(self, estate):
        data = csv_file([contract_row()]) + b"MPS-2," + b"x" * 200_000 + b"\n"
        errors = rejected(contracts_import, "c.csv", data)
        assert [(e.line, e.message[:32]) for e in errors] == [(3, "The file cannot be read as CSV: ")]

    def test_a_nul_character_is_reported_in_its_cell(self, estate):
        data = csv_file([contract_row()]) + b"MPS-2,Title\x00,Supplier\n"
        assert rejected(contracts_import, "c.csv", data) == [RowError(3, "title", tabular.CONTAINS_NUL)]

    def test_the_header_must_be_on_line_1(self, estate):
        data = b"\n" + csv_file([contract_row()])
        assert rejected(contracts_import, "c.csv", data) == [RowError(1, "", tabular.NO_HEADER)]

    def test_more_than_10000_rows_are_refused(self):
        data = b"contract_reference,month,amount\n" + b"EX-001,2019-01,1\n" * 10_001
        with pytest.raises(ImportRejected) as caught:
            imports.read_table("spend.csv", data, imports.SPEND)
        assert caught.value.errors == [RowError(10_002, "", tabular.TOO_MANY_ROWS)]

    def test_xlsx_rows_keep_their_sheet_line_numbers_across_gaps(self, estate):
        workbook = Workbook()
        sheet = workbook.active
        sheet.append(SPEND_HEADER)
        sheet["A2"], sheet["B2"], sheet["C2"] = "EX-001", "2019-02", "oops"
        sheet["A7"], sheet["B7"], sheet["C7"] = "EX-001", "2019-03", "1"
        sheet["E9"] = "stray"
        buffer = io.BytesIO()
        workbook.save(buffer)
        assert rejected(spend_import, "s.xlsx", buffer.getvalue()) == [RowError(9, "", tabular.UNNAMED_COLUMN)]
        del sheet["E9"]
        buffer = io.BytesIO()
        workbook.save(buffer)
        assert rejected(spend_import, "s.xlsx", buffer.getvalue()) == [
            RowError(2, "amount", tabular.NOT_MONEY.format(value="'oops'"))
        ]

    def test_a_value_under_no_heading_is_reported(self):
        data = b"contract_reference,month,amount\nEX-001,2019-01,1,surprise\n"
        with pytest.raises(ImportRejected) as caught:
            imports.read_table("spend.csv", data, imports.SPEND)
        assert caught.value.errors == [RowError(2, "", tabular.UNNAMED_COLUMN)]


class TestCellParsers:
    """Dates, months, money, whole numbers, tower shares and options as people type them."""

    @pytest.mark.parametrize(
        "value, expected",
        [
            ("2019-04-01", date(2019, 4, 1)),
            ("01/04/2019", date(2019, 4, 1)),
            ("1/4/2019", date(2019, 4, 1)),
            ("2019-04-01 00:00:00", date(2019, 4, 1)),
            (date(2019, 4, 1), date(2019, 4, 1)),
            (datetime(2019, 4, 1, 0, 0), date(2019, 4, 1)),
        ],
    )
    def test_dates_are_read_as_iso_uk_or_date_cells(self, value, expected):
        assert tabular.parse_date(value) == expected

    @pytest.mark.parametrize(
        "value", ["31/02/2019", "2019-13-01", "04/01/19", "April 2019", "43556", 43556, "0019-01-01"]
    )
    def test_anything_else_is_not_a_date(self, value):
        with pytest.raises(ValueError, match="is not a date"):
            tabular.parse_date(value)

    @pytest.mark.parametrize(
        "value, expected",
        [("2019-05", date(2019, 5, 1)), ("2019-05-23", date(2019, 5, 1)), ("23/05/2019", date(2019, 5, 1))],
    )
    def test_a_month_is_its_first_day(self, value, expected):
        assert tabular.parse_month(value) == expected

    @pytest.mark.parametrize(
        "value, expected",
        [
            ("1,250,000.00", Decimal("1250000.00")),
            ("£1,250,000", Decimal("1250000.00")),
            (1250000, Decimal("1250000.00")),
            (1250000.5, Decimal("1250000.50")),
            ("0", Decimal("0.00")),
        ],
    )
    def test_money_is_read_from_text_or_number_cells(self, value, expected):
        assert tabular.parse_money(value) == expected

    @pytest.mark.parametrize("value", ["12x", "NaN", "1e400", True, date(2019, 1, 1), "£"])
    def test_anything_else_is_not_money(self, value):
        with pytest.raises(ValueError, match="amount"):
            tabular.parse_money(value)

    def test_towers_are_read_by_code_or_name_with_their_shares(self):
        keys = {"networks": "networks", "telephony": "telephony", "wide area network": "networks"}
        assert imports.parse_towers("Wide Area Network: 70%; telephony:30", keys) == (
            ("networks", Decimal(70)),
            ("telephony", Decimal(30)),
        )
        assert imports.parse_towers("telephony", keys) == (("telephony", Decimal(100)),)

    def test_options_are_read_in_order_with_available_as_the_default_state(self):
        assert imports.parse_options("12:exercised; 6") == ((12, "exercised"), (6, "available"))
        assert imports.parse_options("") == ()


class TestContractsImport:
    """Contracts are created, or updated where a value differs, keyed by their reference."""

    def test_a_csv_creates_contracts_with_their_towers_options_and_new_suppliers(self, estate, make_user):
        # given
        user = make_user(Role.COMMERCIAL_OFFICER)
        rows = [
            contract_row(),
            contract_row(reference="MPS-NEW-002", supplier="Northbank Hosting Ltd", towers="Hosting", options=""),
        ]
        # when
        result = contracts_import(filename="contracts.csv", data=csv_file(rows), by=user)
        # then
        assert (result.created, result.updated, result.unchanged, result.suppliers_created) == (2, 0, 0, 1)
        first = Contract.objects.get(reference="MPS-NEW-001")
        assert (first.start_date, first.initial_end_date) == (date(2019, 4, 1), date(2022, 3, 31))
        assert (first.total_value, first.annual_value, first.tier, first.notice_period_months) == (
            Decimal("3600000.00"),
            Decimal("1200000.00"),
            1,
            6,
        )
        assert (first.supplier, first.authority) == (estate.supplier, estate.authority)
        assert sorted(first.tower_shares.values_list("tower__code", "share_percent")) == [
            ("networks", Decimal("70.00")),
            ("telephony", Decimal("30.00")),
        ]
        assert list(first.options.values_list("sequence", "length_months", "state")) == [
            (1, 12, "exercised"),
            (2, 12, "available"),
        ]
        second = Contract.objects.get(reference="MPS-NEW-002")
        assert second.supplier.name == "Northbank Hosting Ltd"
        assert list(second.tower_shares.values_list("tower__code", "share_percent")) == [("hosting", Decimal(100))]
        assert AuditEvent.objects.filter(action="contract.create", actor=user).count() == 2
        assert AuditEvent.objects.filter(action="supplier.create").count() == 1
        assert AuditEvent.objects.get(action="contracts.import").data["created"] == 2

    def test_an_xlsx_with_date_and_number_cells_creates_the_contract(self, estate):
        row = contract_row(
            start_date=datetime(2019, 4, 1),
            initial_end_date=date(2022, 3, 31),
            total_value=3600000,
            annual_value=1200000.5,
            tier=2,
            notice_period_months=3.0,
        )
        result = contracts_import(filename="contracts.XLSX", data=xlsx_file([row]), by=None)
        assert result.created == 1
        contract = Contract.objects.get(reference="MPS-NEW-001")
        assert (contract.start_date, contract.initial_end_date) == (date(2019, 4, 1), date(2022, 3, 31))
        assert (contract.total_value, contract.annual_value) == (Decimal("3600000.00"), Decimal("1200000.50"))
        assert (contract.tier, contract.notice_period_months) == (2, 3)

    def test_optional_columns_take_their_defaults(self, estate):
        header = REQUIRED
        row = contract_row(towers="networks:100")
        contracts_import(filename="c.csv", data=csv_file([row], header), by=None)
        contract = Contract.objects.get(reference="MPS-NEW-001")
        assert (contract.tier, contract.status, contract.notice_period_months, contract.renewal_type) == (
            2,
            "active",
            3,
            "none",
        )
        assert (contract.vat_basis, contract.classification, contract.classification_descriptor) == (
            "net",
            "OFFICIAL",
            "",
        )
        # 1 Apr 2019 to 31 Mar 2022 is 1,096 days: £3.6m over 3.0007 years
        assert contract.annual_value == Decimal("1199726.28")
        assert not contract.options.exists()

    def test_reimporting_the_same_file_changes_nothing(self, estate):
        # given
        data = csv_file([contract_row(), contract_row(reference="MPS-NEW-002", supplier="New Supplier Ltd")])
        contracts_import(filename="contracts.csv", data=data, by=None)
        before = database_state()
        # when
        result = contracts_import(filename="contracts.csv", data=data, by=None)
        # then
        assert (result.created, result.updated, result.unchanged, result.suppliers_created) == (0, 0, 2, 0)
        assert database_state() == before

    def test_a_contract_already_held_is_updated_only_where_a_value_differs(self, estate):
        # given
        contracts_import(filename="c.csv", data=csv_file([contract_row(), contract_row(reference="B")]), by=None)
        history = Contract.objects.get(reference="MPS-NEW-001").history.count()
        untouched = Contract.objects.get(reference="B").history.count()
        # when
        rows = [contract_row(title="Wide Area Network and Telephony"), contract_row(reference="B")]
        result = contracts_import(filename="c.csv", data=csv_file(rows), by=None)
        # then
        assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
        contract = Contract.objects.get(reference="MPS-NEW-001")
        assert contract.title == "Wide Area Network and Telephony"
        assert contract.history.count() == history + 1
        assert Contract.objects.get(reference="B").history.count() == untouched
        event = AuditEvent.objects.filter(action="contract.update").get()
        assert event.data["changed"] == {"title": ["Wide Area Network", "Wide Area Network and Telephony"]}

    def test_changed_towers_options_and_supplier_are_replaced(self, estate):
        contracts_import(filename="c.csv", data=csv_file([contract_row()]), by=None)
        row = contract_row(
            towers="networks:100", options="12:exercised; 6:available", supplier="THAMESMEAD NETWORKS PLC"
        )
        result = contracts_import(filename="c.csv", data=csv_file([row]), by=None)
        assert (result.updated, result.suppliers_created) == (1, 0)
        contract = Contract.objects.get(reference="MPS-NEW-001")
        assert list(contract.tower_shares.values_list("tower__code", "share_percent")) == [("networks", 100)]
        assert list(contract.options.values_list("length_months", "state")) == [(12, "exercised"), (6, "available")]
        assert contract.supplier == estate.supplier

    @pytest.mark.parametrize(
        ("changes", "column"),
        [
            ({"options": "12:exercised; 12:exercised"}, "options"),
            ({"options": "12:available; 12:available"}, "options"),
            ({"status": "terminated"}, "status"),
        ],
    )
    def test_an_import_cannot_do_what_only_a_contract_change_may(self, estate, changes, column):
        contracts_import(filename="c.csv", data=csv_file([contract_row()]), by=None)
        errors = rejected(contracts_import, "c.csv", csv_file([contract_row(**changes)]))
        assert [(e.line, e.column) for e in errors] == [(2, column)]
        assert "contract change" in errors[0].message
        contract = Contract.objects.get(reference="MPS-NEW-001")
        assert list(contract.options.values_list("state", flat=True)) == ["exercised", "available"]
        assert contract.status == "active"

    def test_a_column_left_out_leaves_the_held_value_and_an_empty_cell_means_the_default(self, estate):
        header = [h for h in HEADER if h != "tier"]
        row = contract_row(reference="EX-001", towers="hosting:100", options="12:available")
        contracts_import(filename="c.csv", data=csv_file([row], header), by=None)
        assert Contract.objects.get(reference="EX-001").tier == 1
        contracts_import(filename="c.csv", data=csv_file([{**row, "tier": ""}]), by=None)
        assert Contract.objects.get(reference="EX-001").tier == 2

    def test_there_must_be_a_contracting_authority(self, db):
        TowerFactory(code="networks")
        TowerFactory(code="telephony")
        assert rejected(contracts_import, "c.csv", csv_file([contract_row()])) == [
            RowError(0, "", imports.NO_AUTHORITY)
        ]


BAD_CONTRACT_CELLS = [
    ("reference", "", tabular.VALUE_REQUIRED.format(column="reference")),
    ("reference", "R" * 51, "Ensure this value has at most 50 characters (it has 51)."),
    ("title", " ", tabular.VALUE_REQUIRED.format(column="title")),
    ("supplier", "S" * 201, "Ensure this value has at most 200 characters (it has 201)."),
    ("tier", "4", tabular.NUMBER_OUT_OF_RANGE.format(value="'4'", low=1, high=3)),
    ("tier", "two", tabular.NOT_A_WHOLE_NUMBER.format(value="'two'")),
    ("status", "paused", tabular.NOT_A_CHOICE.format(value="'paused'", choices="planned, active, ended, terminated")),
    ("start_date", "31/02/2019", tabular.NOT_A_DATE.format(value="'31/02/2019'")),
    ("initial_end_date", "2019-03-31", imports.END_BEFORE_START.format(end="2019-03-31", start="2019-04-01")),
    ("notice_period_months", "-1", tabular.NUMBER_OUT_OF_RANGE.format(value="'-1'", low=0, high=120)),
    ("renewal_type", "sometimes", tabular.NOT_A_CHOICE.format(value="'sometimes'", choices="none, express, tacit")),
    ("total_value", "12x", tabular.NOT_MONEY.format(value="'12x'")),
    ("total_value", "-5", tabular.MONEY_NEGATIVE.format(value="'-5'")),
    ("annual_value", "1e20", tabular.MONEY_TOO_LARGE.format(value="'1e20'")),
    ("vat_basis", "inc", tabular.NOT_A_CHOICE.format(value="'inc'", choices="net, gross")),
    (
        "classification",
        "SECRET",
        tabular.NOT_A_CHOICE.format(value="'SECRET'", choices="OFFICIAL, OFFICIAL-SENSITIVE"),
    ),
    ("towers", "", tabular.VALUE_REQUIRED.format(column="towers")),
    ("towers", "broadband:100", selectors.UNKNOWN_TOWER.format(value="'broadband'")),
    ("towers", "networks:70; telephony:20", services.TOWER_SHARES_MUST_ADD_UP.format(total="90")),
    ("towers", "networks:50; Networks:50", services.TOWER_LISTED_TWICE.format(tower="networks")),
    ("towers", "networks:70; telephony", imports.NOT_A_TOWER_SHARE.format(value="'telephony'")),
    ("towers", "networks:99.999; telephony:0.001", imports.NOT_A_SHARE.format(value="'99.999'")),
    ("options", "12:maybe", imports.NOT_AN_OPTION.format(value="'12:maybe'")),
    ("options", "0:available", imports.NOT_AN_OPTION.format(value="'0:available'")),
]


class TestBadContractRows:
    """Every bad row is reported with its line and column, and nothing is written."""

    @pytest.mark.parametrize("fmt", ["csv", "xlsx"])
    @pytest.mark.parametrize("column, value, message", BAD_CONTRACT_CELLS)
    def test_a_bad_cell_is_reported_with_its_line_and_column(self, estate, fmt, column, value, message):
        # given: a good row on line 2 and the bad one on line 3
        rows = [contract_row(), {**contract_row(reference="MPS-NEW-002"), column: value}]
        data = csv_file(rows) if fmt == "csv" else xlsx_file(rows)
        before = database_state()
        # when
        errors = rejected(contracts_import, f"contracts.{fmt}", data)
        # then
        assert errors == [RowError(3, column, message)]
        assert database_state() == before

    def test_a_renewal_without_a_length_is_reported_against_its_length(self, estate):
        row = contract_row(renewal_type="tacit", renewal_period_months="0")
        assert rejected(contracts_import, "c.csv", csv_file([row])) == [
            RowError(2, "renewal_period_months", imports.RENEWAL_NEEDS_LENGTH.format(renewal="tacit"))
        ]

    def test_a_reference_listed_twice_is_reported_on_its_second_line(self, estate):
        rows = [contract_row(), contract_row(reference="OTHER"), contract_row(title="Again")]
        assert rejected(contracts_import, "c.csv", csv_file(rows)) == [
            RowError(4, "reference", imports.DUPLICATE_REFERENCE.format(reference="MPS-NEW-001", line=2))
        ]

    def test_every_bad_row_and_every_bad_cell_is_reported(self, estate):
        rows = [
            contract_row(total_value="lots", start_date="tomorrow"),
            contract_row(reference="OK-1"),
            contract_row(reference="BAD-2", towers="networks:10"),
        ]
        errors = rejected(contracts_import, "c.csv", csv_file(rows))
        assert [(e.line, e.column) for e in errors] == [(2, "start_date"), (2, "total_value"), (4, "towers")]

    def test_one_bad_row_among_good_ones_writes_nothing(self, estate):
        # given: new contracts, a new supplier and a change to a held contract, then one bad row
        rows = [
            contract_row(),
            contract_row(reference="MPS-NEW-002", supplier="Brand New Supplier Ltd"),
            contract_row(reference="EX-001", towers="hosting:100", title="Changed"),
            contract_row(reference="MPS-NEW-003", total_value="n/a"),
        ]
        before = database_state()
        # when
        errors = rejected(contracts_import, "c.csv", csv_file(rows))
        # then
        assert errors == [RowError(5, "total_value", tabular.NOT_MONEY.format(value="'n/a'"))]
        assert database_state() == before

    def test_a_failure_while_writing_rolls_back_every_row_already_written(self, estate):
        # given: the second contract fails when it is saved, after the first is written
        real_create = services.contract_create
        calls = []

        def create_then_fail(**kwargs):
            calls.append(kwargs["reference"])
            if len(calls) == 2:
                raise ValidationError({"title": "Refused by the database"})
            return real_create(**kwargs)

        rows = [contract_row(), contract_row(reference="MPS-NEW-002", supplier="Another Ltd")]
        before = database_state()
        # when
        with mock.patch.object(imports.services, "contract_create", side_effect=create_then_fail):
            errors = rejected(contracts_import, "c.csv", csv_file(rows))
        # then
        assert errors == [RowError(3, "title", "Refused by the database")]
        assert database_state() == before


class TestSpendImport:
    """Spend is recorded per contract and month, and corrected where the amount differs."""

    def test_a_csv_records_spend_on_the_first_of_each_month(self, estate):
        rows = [
            {"contract_reference": "EX-001", "month": "2019-02", "amount": "£101,250.50"},
            {"contract_reference": "EX-001", "month": "15/03/2019", "amount": "99000", "vat_basis": "gross"},
        ]
        result = spend_import(filename="spend.csv", data=csv_file(rows, SPEND_HEADER), by=None)
        assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
        assert list(Spend.objects.filter(month__gte=date(2019, 2, 1)).values_list("month", "amount", "vat_basis")) == [
            (date(2019, 2, 1), Decimal("101250.50"), "net"),
            (date(2019, 3, 1), Decimal("99000.00"), "gross"),
        ]

    def test_an_xlsx_with_date_cells_and_numbers_records_spend(self, estate):
        rows = [{"contract_reference": "EX-001", "month": datetime(2019, 4, 1), "amount": 120000.25}]
        result = spend_import(filename="spend.xlsx", data=xlsx_file(rows, SPEND_HEADER), by=None)
        assert result.created == 1
        assert Spend.objects.get(month=date(2019, 4, 1)).amount == Decimal("120000.25")

    def test_reimporting_changes_nothing_and_a_different_amount_is_a_correction(self, estate):
        rows = [
            {"contract_reference": "EX-001", "month": "2019-01", "amount": "100,000.00"},
            {"contract_reference": "EX-001", "month": "2019-02", "amount": "5"},
        ]
        data = csv_file(rows, SPEND_HEADER)
        assert spend_import(filename="s.csv", data=data, by=None).as_dict() == {
            "kind": "spend",
            "created": 1,
            "updated": 0,
            "unchanged": 1,
            "suppliers_created": 0,
        }
        before = database_state()
        again = spend_import(filename="s.csv", data=data, by=None)
        assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
        assert database_state() == before
        rows[0]["amount"] = "-2,500.00"  # a credit note
        corrected = spend_import(filename="s.csv", data=csv_file(rows, SPEND_HEADER), by=None)
        assert (corrected.created, corrected.updated, corrected.unchanged) == (0, 1, 1)
        assert Spend.objects.get(month=date(2019, 1, 1)).amount == Decimal("-2500.00")

    def test_every_bad_spend_row_is_reported_and_nothing_is_written(self, estate):
        rows = [
            {"contract_reference": "EX-001", "month": "2019-05", "amount": "1"},
            {"contract_reference": "NOPE-9", "month": "2019-05", "amount": "1"},
            {"contract_reference": "EX-001", "month": "2019-13", "amount": "1"},
            {"contract_reference": "EX-001", "month": "2019-06", "amount": "a lot"},
            {"contract_reference": "EX-001", "month": "2019-05-31", "amount": "2"},
            {"contract_reference": "EX-001", "month": "2019-07", "amount": "1", "vat_basis": "inc"},
            {"contract_reference": "", "month": "", "amount": "1"},
        ]
        before = database_state()
        errors = rejected(spend_import, "s.csv", csv_file(rows, SPEND_HEADER))
        assert errors == [
            RowError(3, "contract_reference", imports.UNKNOWN_CONTRACT.format(value="'NOPE-9'")),
            RowError(4, "month", tabular.NOT_A_MONTH.format(value="'2019-13'")),
            RowError(5, "amount", tabular.NOT_MONEY.format(value="'a lot'")),
            RowError(6, "month", imports.DUPLICATE_SPEND.format(reference="EX-001", month="2019-05", line=2)),
            RowError(7, "vat_basis", tabular.NOT_A_CHOICE.format(value="'inc'", choices="net, gross")),
            RowError(8, "contract_reference", tabular.VALUE_REQUIRED.format(column="contract_reference")),
            RowError(8, "month", tabular.VALUE_REQUIRED.format(column="month")),
        ]
        assert database_state() == before


# --- Property-based: malformed files are refused cleanly, and a refusal leaves the database as it was ------

PRINTABLE = st.characters(blacklist_categories=("Cs", "Cc"))
TRICKY = st.sampled_from(
    [
        "31/02/2019",
        "2019-13",
        "£-1",
        "1e400",
        "NaN",
        "-0",
        "networks:50",
        "networks:100; networks:0",
        "12:lapsed",
        "tacit",
        "OFFICIAL-SENSITIVE [COMMERCIAL]",
        "EX-001",
        "MPS-NEW-002",
        "\x00",
        "=1+1",
        "9" * 40,
    ]
)
CELLS = st.one_of(
    st.none(),
    st.text(PRINTABLE, max_size=25),
    st.integers(-(10**16), 10**16),
    st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-(10**15), max_value=10**15),
    st.dates(min_value=date(1980, 1, 1), max_value=date(2110, 12, 31)),
    TRICKY,
)


def attempt(importer, name: str, data: bytes):
    """Import, and on a refusal check that it names lines and left the database as it was; None if refused."""
    before = database_state()
    try:
        return importer(filename=name, data=data, by=None)
    except ImportRejected as exc:
        assert exc.errors
        assert all(e.line >= 0 and e.message for e in exc.errors)
        assert database_state() == before
        return None


# Built once: a workbook records when it was saved, and the damage drawn must apply to the same bytes each time.
GOOD_WORKBOOK = xlsx_file([contract_row()])


def file_of(rows: list[dict], header: list[str], fmt: str) -> bytes:
    if fmt == "csv":
        return csv_file(rows, header)
    # XML cannot hold NUL; the CSV examples cover it
    rows = [{k: v.replace("\x00", "") if isinstance(v, str) else v for k, v in row.items()} for row in rows]
    return xlsx_file(rows, header)


class TestMalformedFiles:
    """Whatever arrives, an import either succeeds or is refused with row errors, never half-done."""

    @HYPOTHESIS
    @given(
        data=st.binary(max_size=3000),
        name=st.sampled_from(["f.csv", "f.xlsx", "f.CSV", "f.xls", "f"]),
        kind=st.sampled_from(imports.KINDS),
    )
    def test_random_bytes_are_refused_cleanly(self, estate, data, name, kind):
        attempt(imports.IMPORTERS[kind], name, data)

    @HYPOTHESIS
    @given(data=st.data())
    def test_a_damaged_workbook_is_refused_cleanly(self, estate, data):
        # given: a good workbook, cut short or with some of its bytes overwritten
        file = bytearray(GOOD_WORKBOOK)
        if data.draw(st.booleans(), label="truncate"):
            file = file[: data.draw(st.integers(0, len(file) - 1), label="length")]
        else:
            for _ in range(data.draw(st.integers(1, 8), label="flips")):
                file[data.draw(st.integers(0, len(file) - 1))] = data.draw(st.integers(0, 255))
        # when / then
        attempt(contracts_import, "contracts.xlsx", bytes(file))

    @HYPOTHESIS
    @given(data=st.data(), fmt=st.sampled_from(["csv", "xlsx"]))
    def test_random_cells_in_valid_contract_rows_are_imported_or_refused_whole(self, estate, data, fmt):
        # given: two valid rows with some cells replaced by anything
        rows = [contract_row(), contract_row(reference="MPS-NEW-002", towers="hosting")]
        changes = data.draw(st.dictionaries(st.tuples(st.sampled_from([0, 1]), st.sampled_from(HEADER)), CELLS))
        for (index, column), value in changes.items():
            rows[index][column] = value
        file = file_of(rows, HEADER, fmt)
        # when
        result = attempt(contracts_import, f"contracts.{fmt}", file)
        # then: a success covers both rows and importing it again changes nothing
        if result is not None:
            assert result.created + result.updated + result.unchanged == 2
            before = database_state()
            again = contracts_import(filename=f"contracts.{fmt}", data=file, by=None)
            assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
            assert database_state() == before

    @HYPOTHESIS
    @given(data=st.data(), fmt=st.sampled_from(["csv", "xlsx"]))
    def test_random_cells_in_valid_spend_rows_are_imported_or_refused_whole(self, estate, data, fmt):
        rows = [
            {"contract_reference": "EX-001", "month": "2019-02", "amount": "1.00", "vat_basis": "net"},
            {"contract_reference": "EX-001", "month": "2019-03", "amount": "2.00", "vat_basis": "gross"},
        ]
        changes = data.draw(st.dictionaries(st.tuples(st.sampled_from([0, 1]), st.sampled_from(SPEND_HEADER)), CELLS))
        for (index, column), value in changes.items():
            rows[index][column] = value
        file = file_of(rows, SPEND_HEADER, fmt)
        result = attempt(spend_import, f"spend.{fmt}", file)
        if result is not None:
            assert result.created + result.updated + result.unchanged == 2
            again = spend_import(filename=f"spend.{fmt}", data=file, by=None)
            assert (again.created, again.updated, again.unchanged) == (0, 0, 2)

    @HYPOTHESIS
    @given(
        order=st.permutations(HEADER), dropped=st.sets(st.sampled_from(HEADER)), fmt=st.sampled_from(["csv", "xlsx"])
    )
    def test_shuffled_or_missing_headings_import_or_name_each_missing_column(self, estate, order, dropped, fmt):
        header = [h for h in order if h not in dropped]
        rows = [contract_row(), contract_row(reference="MPS-NEW-002", title="Second")]
        if not header:
            data = b"" if fmt == "csv" else xlsx_file([], [])
            assert attempt(contracts_import, f"c.{fmt}", data) is None
            return
        result = attempt(contracts_import, f"c.{fmt}", file_of(rows, header, fmt))
        missing = [c for c in REQUIRED if c in dropped]
        if missing:
            assert result is None
            with pytest.raises(ImportRejected) as caught:
                contracts_import(filename=f"c.{fmt}", data=file_of(rows, header, fmt), by=None)
            assert sorted((e.line, e.column) for e in caught.value.errors) == sorted((1, c) for c in missing)
        else:
            assert result is not None
            assert result.created + result.updated + result.unchanged == 2
            assert Contract.objects.get(reference="MPS-NEW-002").title == "Second"


# --- The page, the templates and the command line -----------------------------------------------------------


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


class TestImportPage:
    """/import/: commercial officers import both kinds, finance only spend, everyone else is refused."""

    def test_a_commercial_officer_sees_both_upload_forms_with_their_templates(self, signed_in):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        response = client.get("/import/")
        assert response.status_code == 200
        html = response.content.decode()
        assert html.count('enctype="multipart/form-data"') == 2
        for kind in ("contracts", "spend"):
            assert f'<label class="govuk-label" for="id_{kind}-file">Upload a {kind} file</label>' in html
            assert f'id="id_{kind}-file"' in html and "govuk-file-upload" in html
            assert f'href="/import/template/{kind}.xlsx"' in html and f'href="/import/template/{kind}.csv"' in html

    def test_finance_sees_only_the_spend_form(self, signed_in):
        client, _ = signed_in(Role.FINANCE)
        html = client.get("/import/").content.decode()
        assert 'id="id_spend-file"' in html
        assert 'id="id_contracts-file"' not in html and "/import/template/contracts" not in html

    @pytest.mark.parametrize("role", sorted(set(Role) - {Role.COMMERCIAL_OFFICER, Role.FINANCE}))
    def test_other_roles_are_refused(self, signed_in, role):
        client, _ = signed_in(role)
        assert client.get("/import/").status_code == 403
        assert client.get("/import/template/spend.csv").status_code == 403
        assert client.post("/import/", {"kind": "spend"}).status_code == 403

    def test_anonymous_users_are_sent_to_sign_in(self, client):
        response = client.get("/import/")
        assert response.status_code == 302 and response.url.startswith("/sign-in/")

    def test_finance_cannot_import_contracts_or_download_their_template(self, signed_in, estate):
        client, _ = signed_in(Role.FINANCE)
        response = client.post(
            "/import/", {"kind": "contracts", "contracts-file": upload("c.csv", csv_file([contract_row()]))}
        )
        assert response.status_code == 403
        assert not Contract.objects.filter(reference="MPS-NEW-001").exists()
        assert client.get("/import/template/contracts.xlsx").status_code == 403

    def test_a_good_contracts_file_shows_a_banner_with_the_counts(self, signed_in, estate):
        client, user = signed_in(Role.COMMERCIAL_OFFICER)
        response = client.post(
            "/import/",
            {"kind": "contracts", "contracts-file": upload("contracts.csv", csv_file([contract_row()]))},
            follow=True,
        )
        assert response.redirect_chain == [("/import/", 302)]
        assert "Contracts imported from contracts.csv: 1 created, 0 updated, 0 unchanged." in response.content.decode()
        assert Contract.objects.get(reference="MPS-NEW-001").history.get().history_user == user

    def test_finance_imports_spend(self, signed_in, estate):
        client, _ = signed_in(Role.FINANCE)
        data = xlsx_file([{"contract_reference": "EX-001", "month": "2019-02", "amount": 5}], SPEND_HEADER)
        response = client.post("/import/", {"kind": "spend", "spend-file": upload("spend.xlsx", data)}, follow=True)
        assert "Spend imported from spend.xlsx: 1 created, 0 updated, 0 unchanged." in response.content.decode()

    def test_a_bad_file_lists_every_bad_row_in_the_error_summary(self, signed_in, estate):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        rows = [contract_row(), contract_row(reference="X2", total_value="12x", towers="nowhere:100")]
        response = client.post("/import/", {"kind": "contracts", "contracts-file": upload("c.csv", csv_file(rows))})
        html = response.content.decode()
        assert response.status_code == 200
        assert "<title>Error: Import" in html and "govuk-error-summary" in html
        assert '<a href="#id_contracts-file">c.csv has 2 problems. Nothing was imported.</a>' in html
        assert '<a href="#id_contracts-file">Line 3, column total_value: &#x27;12x&#x27; is not an amount' in html
        assert '<a href="#id_contracts-file">Line 3, column towers: &#x27;nowhere&#x27; is not the code' in html
        assert "govuk-form-group--error" in html
        assert not Contract.objects.filter(reference="MPS-NEW-001").exists()

    def test_the_summary_shows_the_first_100_problems_and_counts_the_rest(self, signed_in, estate):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        rows = [contract_row(reference=f"R{n}", total_value="?") for n in range(150)]
        response = client.post("/import/", {"kind": "contracts", "contracts-file": upload("c.csv", csv_file(rows))})
        html = response.content.decode()
        assert html.count("column total_value:") == 100
        assert "Line 101, column total_value" in html and "Line 102, column" not in html
        assert "And 50 more problems" in html

    @pytest.mark.parametrize(
        "files, message",
        [({}, "Select a spend file to import"), ({"spend-file": upload("s.csv", b"")}, "The selected file is empty")],
    )
    def test_no_file_or_an_empty_file_is_an_error_on_the_field(self, signed_in, files, message):
        client, _ = signed_in(Role.FINANCE)
        html = client.post("/import/", {"kind": "spend", **files}).content.decode()
        assert f'<a href="#id_spend-file">{message}</a>' in html

    def test_an_unknown_kind_is_a_bad_request(self, signed_in):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        assert client.post("/import/", {"kind": "suppliers"}).status_code == 400

    def test_the_page_takes_a_fixed_number_of_queries(self, signed_in, django_assert_max_num_queries):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        with django_assert_max_num_queries(4):
            client.get("/import/")

    def test_the_nav_links_to_the_page_for_finance(self, signed_in):
        client, _ = signed_in(Role.FINANCE)
        assert 'href="/import/"' in client.get("/import/").content.decode()


class TestTemplates:
    """The templates: a bold header row, one example row from the demonstration estate, and it imports."""

    def test_the_xlsx_template_has_a_bold_header_an_example_row_and_widths(self, signed_in):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        response = client.get("/import/template/contracts.xlsx")
        assert response.status_code == 200
        assert response["Content-Disposition"] == 'attachment; filename="pegasus-contracts-template.xlsx"'
        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        assert [c.value for c in sheet[1]] == HEADER
        assert all(c.font.bold for c in sheet[1])
        assert sheet["A2"].value == "MPS-DP-T2-102"
        assert sheet["F2"].value == datetime(2016, 9, 1) and sheet["F2"].number_format == "dd/mm/yyyy"
        assert sheet.column_dimensions["B"].width > 20
        assert sheet.max_row == 2

    def test_the_csv_template_has_the_header_and_one_example_row(self, signed_in):
        client, _ = signed_in(Role.FINANCE)
        response = client.get("/import/template/spend.csv")
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0] == SPEND_HEADER
        assert rows[1][:2] == ["MPS-DP-T2-102", "2019-04"]
        assert len(rows) == 2

    @pytest.mark.parametrize("fmt", ["xlsx", "csv"])
    def test_each_template_imports_into_the_demo_estate_unchanged(self, demo, fmt):
        # the example row is a demonstration contract exactly as held, and its last month of spend
        make = imports.template_xlsx if fmt == "xlsx" else imports.template_csv
        contracts = contracts_import(filename=f"t.{fmt}", data=make("contracts"), by=None)
        spend = spend_import(filename=f"t.{fmt}", data=make("spend"), by=None)
        assert (contracts.created, contracts.updated, contracts.unchanged) == (0, 0, 1)
        assert (spend.created, spend.updated, spend.unchanged) == (0, 0, 1)

    def test_an_unknown_kind_or_format_is_not_found(self, signed_in):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        assert client.get("/import/template/suppliers.csv").status_code == 404
        assert client.get("/import/template/spend.ods").status_code == 404


class TestImportCommand:
    """`pegasus import_estate contracts FILE --json`: counts on success, exit 2 and one line when the file is bad."""

    def test_a_good_file_prints_the_counts_as_json(self, estate, tmp_path):
        path = tmp_path / "contracts.csv"
        path.write_bytes(csv_file([contract_row()]))
        out = io.StringIO()
        call_command("import_estate", "contracts", str(path), "--json", stdout=out)
        assert json.loads(out.getvalue()) == {
            "kind": "contracts",
            "created": 1,
            "updated": 0,
            "unchanged": 0,
            "suppliers_created": 0,
        }
        assert AuditEvent.objects.filter(action="contract.create", actor=None).count() == 1

    def test_a_bad_file_exits_2_with_one_line_naming_the_line_and_column(self, estate, tmp_path, capsys):
        path = tmp_path / "spend.csv"
        rows = [
            {"contract_reference": "EX-001", "month": "2019-02", "amount": "oops"},
            {"contract_reference": "EX-001", "month": "never", "amount": "1"},
        ]
        path.write_bytes(csv_file(rows, SPEND_HEADER))
        before = database_state()
        with pytest.raises(SystemExit) as exit_:
            call_command("import_estate", "spend", str(path), "--json")
        assert exit_.value.code == 2
        err = capsys.readouterr().err
        assert err == (
            "error: spend.csv: Line 2, column amount: 'oops' is not an amount of money, such as 1,250,000.00. "
            "Nothing was imported; 1 more problem in the file.\n"
        )
        assert database_state() == before

    def test_a_missing_file_exits_2(self, estate, tmp_path, capsys):
        with pytest.raises(SystemExit) as exit_:
            call_command("import_estate", "spend", str(tmp_path / "nope.csv"))
        assert exit_.value.code == 2
        assert "nope.csv" in capsys.readouterr().err


class TestImportKeepsTheSharedBounds:
    """An import refuses what the services refuse (pegasus.core.bounds), row by row, and writes nothing."""

    @pytest.mark.parametrize(
        ("changes", "column", "message"),
        [
            ({"start_date": "1950-04-01"}, "start_date", tabular.DATE_OUT_OF_RANGE.format(value="'1950-04-01'")),
            ({"options": "; ".join(["12"] * 21)}, "options", services.TOO_MANY_OPTIONS.format(most=20, count=21)),
        ],
    )
    def test_a_value_out_of_bounds_is_reported_with_its_line_and_column(self, estate, changes, column, message):
        before = database_state()

        errors = rejected(contracts_import, "contracts.csv", csv_file([contract_row(**changes)]))

        assert errors == [RowError(2, column, message)]
        assert database_state() == before

    def test_a_control_character_is_reported_in_its_cell(self, estate):
        errors = rejected(contracts_import, "contracts.csv", csv_file([contract_row(title="Wide\x07Area")]))

        assert [(e.line, e.column) for e in errors] == [(2, "title")]
        assert "control character" in errors[0].message
