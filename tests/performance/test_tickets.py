"""Canonical ticket files: every row checked, bad files rejected whole with line numbers, or bad rows set aside."""

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pegasus.performance import clock, datasets, duckdb_sql, ticket_loading

HEADER = "ticket_id,supplier,priority,opened_at,resolved_at\n"


def write(tmp_path: Path, text: str, name: str = "tickets.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def load(path: Path, **options):
    con = duckdb_sql.connect()
    report = ticket_loading.load_tickets(con, path, **options)
    rows = con.execute(
        "SELECT ticket_id, supplier, priority, opened_us, resolved_us FROM tickets ORDER BY ticket_id"
    ).fetchall()
    return con, report, rows


def utc(*parts) -> int:
    return clock.to_micros(datetime(*parts, tzinfo=UTC))


def rejection(path: Path, **options) -> ticket_loading.TicketFileError:
    con = duckdb_sql.connect()
    with pytest.raises(ticket_loading.TicketFileError) as caught:
        ticket_loading.load_tickets(con, path, **options)
    assert "tickets" not in {r[0] for r in con.execute("SHOW TABLES").fetchall()}
    return caught.value


class TestReading:
    def test_priorities_and_every_timestamp_form(self, tmp_path):
        path = write(
            tmp_path,
            HEADER
            + "T1,Supplier A,P1,2019-06-03T09:00,2019-06-03 10:30:15\n"
            + "T2,Supplier A,p4,2019-06-03T09:00Z,2019-06-03T10:00:00.250+01:00\n"
            + "T3,Supplier B,2,2019-01-10T09:00:00-0500,\n"
            + 'T4," Supplier B ",3,2019-01-10T09:00+01,2019-01-10T09:00+01\n',
        )
        _con, report, rows = load(path)
        assert (report.rows_read, report.rows_rejected) == (4, 0)
        assert rows == [
            ("T1", "Supplier A", 1, utc(2019, 6, 3, 8, 0), utc(2019, 6, 3, 9, 30, 15)),
            ("T2", "Supplier A", 4, utc(2019, 6, 3, 9, 0), utc(2019, 6, 3, 9, 0, 0, 250000)),
            ("T3", "Supplier B", 2, utc(2019, 1, 10, 14, 0), None),
            ("T4", "Supplier B", 3, utc(2019, 1, 10, 8, 0), utc(2019, 1, 10, 8, 0)),
        ]

    def test_local_times_at_the_clock_changes_follow_the_documented_rule(self, tmp_path):
        """The repeated 01:30 is the first (BST); the skipped 01:30 is the moment the clocks went forward."""
        path = write(
            tmp_path,
            HEADER + "T1,S,1,2019-10-27T01:30,2019-10-27T02:00\n" + "T2,S,1,2019-03-31T01:30,2019-03-31T02:30\n",
        )
        _con, _report, rows = load(path)
        assert rows == [
            ("T1", "S", 1, utc(2019, 10, 27, 0, 30), utc(2019, 10, 27, 2, 0)),
            ("T2", "S", 1, utc(2019, 3, 31, 1, 0), utc(2019, 3, 31, 1, 30)),
        ]

    def test_optional_columns_are_typed_and_header_case_is_ignored(self, tmp_path):
        path = write(
            tmp_path,
            "Ticket_ID, SUPPLIER ,priority,opened_at,resolved_at,service,reassignment_count,reopen_count,"
            "first_contact_resolution,satisfaction,notes\n"
            "T1,S,1,2019-06-03T09:00,,Desk,2,0,Yes,4.5,anything\n"
            "T2,S,1,2019-06-03T09:00,,,,,,,\n",
        )
        con, report, _rows = load(path)
        assert report.rows_rejected == 0
        assert con.execute(
            "SELECT service, reassignment_count, reopen_count, first_contact_resolution, satisfaction FROM tickets "
            "ORDER BY ticket_id"
        ).fetchall() == [("Desk", 2, 0, True, 4.5), (None, None, None, None, None)]

    def test_absent_optional_columns_read_as_typed_nulls_and_a_second_load_replaces_the_first(self, tmp_path):
        con = duckdb_sql.connect()
        with_service = write(tmp_path, HEADER.strip() + ",reopen_count\nT1,S,1,2019-06-03T09:00,,3\n", "a.csv")
        bare = write(tmp_path, HEADER + "T2,S,2,2019-06-03T09:00,\nT3,S,9,2019-06-03T09:00,\n", "b.csv")
        optional = "service, reassignment_count, reopen_count, first_contact_resolution, satisfaction"

        # when
        ticket_loading.load_tickets(con, with_service)

        # then
        assert con.execute(f"SELECT ticket_id, {optional} FROM tickets").fetchall() == [
            ("T1", None, None, 3, None, None)
        ]
        types = con.execute(f"SELECT {optional} FROM tickets").description
        assert [t[1] for t in types] == ["VARCHAR", "INTEGER", "INTEGER", "BOOLEAN", "DOUBLE"]

        # when a file with a bad row is loaded on the same connection, its good rows replace the first file's
        report = ticket_loading.load_tickets(con, bare, skip_invalid=True)

        # then
        assert report.rows_rejected == 1
        assert con.execute(f"SELECT ticket_id, priority, {optional} FROM tickets").fetchall() == [
            ("T2", 2, None, None, None, None, None)
        ]

    def test_unicode_spaces_around_fields_are_trimmed_as_ascii_ones(self, tmp_path):
        path = write(
            tmp_path,
            HEADER + "\u00a0T1\u3000,\u2003Supplier A\u00a0, P1 ,\u00a02019-06-03T09:00\u00a0, 2019-06-03T10:00:00\n",
        )
        assert load(path)[2] == [("T1", "Supplier A", 1, utc(2019, 6, 3, 8, 0), utc(2019, 6, 3, 9, 0))]

    def test_a_byte_order_mark_is_allowed(self, tmp_path):
        path = write(tmp_path, "\ufeff" + HEADER + "T1,S,1,2019-06-03T09:00,\n")
        assert load(path)[1].rows_read == 1

    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        names=st.lists(st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1), max_size=6),
    )
    def test_any_supplier_and_id_text_round_trips(self, tmp_path, names):
        """Commas, quotes and any Unicode survive the CSV reader and come back as written (trimmed)."""
        path = tmp_path / "any.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["ticket_id", "supplier", "priority", "opened_at", "resolved_at"])
            for n, name in enumerate(names):
                writer.writerow([f"{n}-{name}", name, "1", "2019-06-03T09:00", ""])
        con = duckdb_sql.connect()
        report = ticket_loading.load_tickets(con, path, skip_invalid=True)
        kept = con.execute("SELECT ticket_id, supplier FROM tickets ORDER BY ticket_id").fetchall()
        expected = sorted((f"{n}-{name}".strip(), name.strip()) for n, name in enumerate(names) if name.strip())
        assert sorted(kept) == expected
        assert report.rows_rejected == len(names) - len(expected)


class TestRejection:
    def test_each_kind_of_bad_row_gives_its_line_and_reason(self, tmp_path):
        path = write(
            tmp_path,
            HEADER
            + "T1,S,1,2019-06-03T09:00,\n"  # line 2: good
            + "T2,S,P5,2019-06-03T09:00,\n"  # line 3
            + "T3,S,1,03/06/2019 09:00,\n"  # line 4
            + "T4,S,1,2019-02-30T09:00,\n"  # line 5
            + "T5,S,1,2019-06-03T09:00,2019-06-03T08:00\n"  # line 6
            + "T1,S,1,2019-06-03T09:00,\n"  # line 7
            + ",,1,,\n"  # line 8
            + "T8,S,1,2019-06-03T09:00\n",  # line 9
        )
        error = rejection(path)
        assert error.bad_count == 7
        assert [(b.line, b.reason) for b in error.bad_lines] == [
            (3, "priority 'P5' is not 1-4 or P1-P4"),
            (4, "opened_at '03/06/2019 09:00' is not an ISO 8601 date and time"),
            (5, "opened_at '2019-02-30T09:00' is not a real date and time"),
            (6, "resolved_at is before opened_at"),
            (7, "duplicate ticket_id 'T1' (first on line 2)"),
            (8, "ticket_id is empty; supplier is empty; opened_at is empty"),
            (9, "wrong number of fields (Expected Number of Columns: 5 Found: 4)"),
        ]
        assert str(error).startswith("tickets.csv: rejected: 7 bad rows: line 3: priority 'P5'")

    def test_bad_optional_fields_and_times_out_of_range_give_their_reasons(self, tmp_path):
        path = write(
            tmp_path,
            "ticket_id,supplier,priority,opened_at,resolved_at,reassignment_count,reopen_count,"
            "first_contact_resolution,satisfaction\n"
            "T1,S,1,2019-06-03T09:00,2019-06-03T10:00,0,0,yes,4.5\n"  # line 2: good
            "T2,S,1,2019-06-03T09:00,,-1,,,\n"  # line 3
            "T3,S,1,2019-06-03T09:00,,,two,,\n"  # line 4
            "T4,S,1,2019-06-03T09:00,,,,maybe,\n"  # line 5
            "T5,S,1,2019-06-03T09:00,,,,,NaN\n"  # line 6
            "T6,S,1,1969-12-31T23:00Z,,,,,\n"  # line 7
            "T7,S,1,2019-06-03T09:00,2100-01-01T00:00,,,,\n"  # line 8
            "T8,S,1,2019-06-03T09:00,3 June 2019,,,,\n"  # line 9
            "T9,S,1,2019-06-03T09:00,2019-06-31T09:00,,,,\n",  # line 10
        )
        error = rejection(path)
        assert [(b.line, b.reason) for b in error.bad_lines] == [
            (3, "reassignment_count '-1' is not a whole number of 0 or more"),
            (4, "reopen_count 'two' is not a whole number of 0 or more"),
            (5, "first_contact_resolution 'maybe' is not true or false"),
            (6, "satisfaction 'NaN' is not a number"),
            (7, "opened_at '1969-12-31T23:00Z' is outside 1970-2099"),
            (8, "resolved_at '2100-01-01T00:00' is outside 1970-2099"),
            (9, "resolved_at '3 June 2019' is not an ISO 8601 date and time"),
            (10, "resolved_at '2019-06-31T09:00' is not a real date and time"),
        ]

    def test_look_alikes_of_the_common_shapes_are_read_strictly(self, tmp_path):
        """Times shaped like the common forms but not ISO 8601 fail as the regular expression fails them, and the
        common forms with spaces around them are read as without."""
        path = write(
            tmp_path,
            HEADER
            + "T1,S,1, 2019-06-03T09:00:00 ,2019-06-03 10:00 \n"  # line 2: good
            + "T2,S,1,2019-06-03T 9:00:00,\n"  # line 3
            + "T3,S,1,2019-06-03T24:00:00,\n"  # line 4
            + "T4,S,1,2019-06-03 09:00:60,\n"  # line 5
            + "T5,S,1,2019-06-03T09:00:0Z,\n"  # line 6
            + "T6,S,1,+019-06-03T09:00:00,\n"  # line 7
            + "T7,S,1,2019-06-03T09:0a,\n"  # line 8
            + "T8,S,1,2019-02-29 09:00,\n",  # line 9
        )
        error = rejection(path)
        assert [(b.line, b.reason) for b in error.bad_lines] == [
            (3, "opened_at '2019-06-03T 9:00:00' is not an ISO 8601 date and time"),
            (4, "opened_at '2019-06-03T24:00:00' is not an ISO 8601 date and time"),
            (5, "opened_at '2019-06-03 09:00:60' is not an ISO 8601 date and time"),
            (6, "opened_at '2019-06-03T09:00:0Z' is not an ISO 8601 date and time"),
            (7, "opened_at '+019-06-03T09:00:00' is not an ISO 8601 date and time"),
            (8, "opened_at '2019-06-03T09:0a' is not an ISO 8601 date and time"),
            (9, "opened_at '2019-02-29 09:00' is not a real date and time"),
        ]
        _con, _report, rows = load(path, skip_invalid=True)
        assert rows == [("T1", "S", 1, utc(2019, 6, 3, 8, 0), utc(2019, 6, 3, 9, 0))]

    @pytest.mark.parametrize(
        ("ids", "expected"),
        [
            (["A1", "A2", "A3", "A4"], []),  # rising: no hash table needed
            (["A4", "A2", "A3", "A1"], []),  # not rising, and still no duplicates
            (["A1", "A2", "A2", "A3"], [(4, "duplicate ticket_id 'A2' (first on line 3)")]),
            (["A1", "", "A1", "A2"], [(3, "ticket_id is empty"), (4, "duplicate ticket_id 'A1' (first on line 2)")]),
            (["A3", "A1", "A2", "A1"], [(5, "duplicate ticket_id 'A1' (first on line 3)")]),
        ],
    )
    def test_duplicate_ids_are_found_in_any_order(self, tmp_path, ids, expected):
        path = write(tmp_path, HEADER + "".join(f"{i},S,1,2019-06-03T09:00,\n" for i in ids))
        if not expected:
            assert load(path)[1].rows_read == len(ids)
            return
        assert [(b.line, b.reason) for b in rejection(path).bad_lines] == expected

    def test_missing_columns_are_named_on_line_1(self, tmp_path):
        error = rejection(write(tmp_path, "ticket_id,supplier,opened_at\nT1,S,2019-06-03T09:00\n"))
        assert [(b.line, b.reason) for b in error.bad_lines] == [(1, "missing column(s): priority, resolved_at")]

    def test_wrong_encoding_names_the_line(self, tmp_path):
        path = write(
            tmp_path, HEADER + "T1,S,1,2019-06-03T09:00,\nT2,Société,1,2019-06-03T09:00,\n", encoding="latin-1"
        )
        error = rejection(path)
        assert [(b.line, b.reason) for b in error.bad_lines] == [(3, ticket_loading.NOT_UTF8)]

    def test_only_the_first_20_bad_lines_are_listed(self, tmp_path):
        path = write(tmp_path, HEADER + "".join(f"T{n},S,9,2019-06-03T09:00,\n" for n in range(30)))
        error = rejection(path)
        assert (error.bad_count, len(error.bad_lines), error.bad_lines[-1].line) == (30, 20, 21)
        assert "30 bad rows, the first 20" in str(error)

    def test_line_numbers_count_lines_of_the_file_when_a_field_spans_lines(self, tmp_path):
        path = write(
            tmp_path,
            "ticket_id,supplier,priority,opened_at,resolved_at,service\n"
            'T1,S,1,2019-06-03T09:00,,"two\nlines"\n'
            "T2,S,7,2019-06-03T09:00,,\n",
        )
        assert [b.line for b in rejection(path).bad_lines] == [4]

    def test_an_empty_file_has_no_header(self, tmp_path):
        assert rejection(write(tmp_path, "")).bad_lines == [ticket_loading.BadLine(1, "no header row")]


class TestSkipInvalid:
    def test_good_rows_are_kept_and_bad_ones_set_aside_with_reasons(self, tmp_path):
        path = write(
            tmp_path,
            HEADER
            + "T1,S,1,2019-06-03T09:00,\nT2,S,9,2019-06-03T09:00,\nT3,S,1,2019-06-03T09:00\nT4,S,2,2019-06-03T09:00,\n",
        )
        con, report, rows = load(path, skip_invalid=True)
        assert (report.rows_read, report.rows_rejected) == (4, 2)
        assert [r[0] for r in rows] == ["T1", "T4"]
        target = tmp_path / "out" / "tickets.rejected.csv"
        datasets.write_rejected(con, report, target)
        with target.open(encoding="utf-8") as handle:
            written = list(csv.DictReader(handle))
        assert [(r["line"], r["reason"], r["ticket_id"], r["priority"], r["raw_line"]) for r in written] == [
            ("3", "priority '9' is not 1-4 or P1-P4", "T2", "9", ""),
            ("4", "wrong number of fields (Expected Number of Columns: 5 Found: 4)", "", "", "T3,S,1,2019-06-03T09:00"),
        ]


class TestAssignments:
    def test_assignments_are_checked_against_the_tickets(self, tmp_path):
        ticket_file = write(tmp_path, HEADER + "T1,S,1,2019-06-03T09:00,\n")
        assignment_file = write(
            tmp_path,
            "ticket_id,assigned_at,supplier\nT1,2019-06-03T09:00,A\nT9,2019-06-03T09:00,B\nT1,2019-06-03T09:00,C\n"
            "T1,soon,D\n",
            name="assignments.csv",
        )
        con = duckdb_sql.connect()
        ticket_loading.load_tickets(con, ticket_file)
        with pytest.raises(ticket_loading.TicketFileError) as caught:
            ticket_loading.load_assignments(con, assignment_file)
        assert [(b.line, b.reason) for b in caught.value.bad_lines] == [
            (3, "ticket_id 'T9' is not among the tickets"),
            (4, "a second assignment at the same time of ticket_id 'T1' (first on line 2)"),
            (5, "assigned_at 'soon' is not an ISO 8601 date and time"),
        ]
        report = ticket_loading.load_assignments(con, assignment_file, skip_invalid=True)
        assert (report.rows_read, report.rows_rejected) == (4, 3)
        assert con.execute("SELECT ticket_id, supplier FROM assignments").fetchall() == [("T1", "A")]


class TestStore:
    def test_a_dataset_round_trips_through_parquet(self, tmp_path):
        path = write(tmp_path, HEADER + "T1,S,1,2019-10-27T01:30,2019-10-27T03:00\nT2,S,2,2019-06-03T09:00,\n")
        con, _report, rows = load(path)
        datasets.store_dataset(con, tmp_path / "ds")
        again = duckdb_sql.connect()
        datasets.open_dataset(again, tmp_path / "ds")
        assert (
            again.execute(
                "SELECT ticket_id, supplier, priority, opened_us, resolved_us FROM tickets ORDER BY ticket_id"
            ).fetchall()
            == rows
        )
        parquet_type = again.execute(
            f"SELECT typeof(opened_at) FROM read_parquet('{tmp_path / 'ds' / 'tickets.parquet'}') LIMIT 1"
        ).fetchone()
        assert parquet_type == ("TIMESTAMP",)
