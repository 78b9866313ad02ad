"""The RAID log in and out as a spreadsheet: all or nothing, the same file twice changes nothing, every bad cell named
by line and column, and the export imported again changes nothing."""

import io
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from pegasus.core.exceptions import ImportRejected
from pegasus.core.models import AuditEvent
from pegasus.programme import exports, imports
from pegasus.programme.models import RaidItem
from pegasus.programme.selectors import raid as selectors
from pegasus.programme.services import raid as services
from tests.programme.raid_helpers import programme_make, risk_make

pytestmark = pytest.mark.django_db

HEADER = (
    "reference,kind,title,owner,raised_on,cause,event,effect,inherent_probability,inherent_impact,priority,"
    "resolution,closed_on"
)
GOOD = f"""{HEADER}
R-001,risk,IR35 for consultants,Programme Director,2019-04-01,Consultants,Inside IR35,Tax liability,4,4,,,
I-001,Issue,Backfill not recruited,Programme Director,01/05/2019,,,,,,High,,
A-001,assumption,Funded from the DP budget,CFO,2019-04-01,,,,,,,,
"""


def load(text: str, name: str = "raid.csv"):
    return imports.raid_import(filename=name, data=text.encode(), by=None)


def snapshot() -> list[tuple]:
    return sorted(RaidItem.objects.values_list())


@pytest.fixture(autouse=True)
def programme():
    return programme_make()


class TestImport:
    def test_creates_each_item(self):
        result = load(GOOD)
        assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
        issue = RaidItem.objects.get(reference="I-001")
        assert (issue.kind, issue.priority, issue.raised_on) == ("issue", "high", date(2019, 5, 1))
        assert AuditEvent.objects.filter(action="programme.raid-import").count() == 1

    def test_the_same_file_twice_changes_nothing(self):
        load(GOOD)
        before, events = snapshot(), AuditEvent.objects.count()
        history = RaidItem.history.count()
        result = load(GOOD)
        assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
        assert (snapshot(), AuditEvent.objects.count(), RaidItem.history.count()) == (before, events, history)

    def test_a_row_changed_updates_its_item(self):
        load(GOOD)
        result = load(
            GOOD.replace("Consultants,Inside IR35,Tax liability,4,4", "Consultants,Inside IR35,Tax liability,2,4")
        )
        assert (result.updated, result.unchanged) == (1, 2)
        assert RaidItem.objects.get(reference="R-001").inherent_probability == 2

    def test_one_bad_row_imports_nothing_and_names_its_line_and_column(self):
        bad = GOOD.replace(
            "Backfill not recruited,Programme Director,01/05/2019,,,,,,High",
            "Backfill not recruited,Programme Director,01/05/2019,,,,,,",
        )
        with pytest.raises(ImportRejected) as caught:
            load(bad)
        assert [(e.line, e.column) for e in caught.value.errors] == [(3, "priority")]
        assert not RaidItem.objects.exists()

    def test_every_bad_cell_is_named(self):
        text = f"""{HEADER}
R-001,risk,IR35,PD,2019-04-01,,Inside IR35,Tax,9,4,,,
X-1,thing,Title,PD,not a date,,,,,,,,
R-001,risk,Again,PD,2019-04-01,c,e,f,1,1,,,
"""
        with pytest.raises(ImportRejected) as caught:
            load(text)
        located = {(e.line, e.column) for e in caught.value.errors}
        assert {(2, "inherent_probability"), (3, "kind"), (3, "raised_on"), (4, "reference")} <= located
        assert not RaidItem.objects.exists()

    def test_the_services_refusals_are_named_by_line_and_column(self):
        text = (
            f"{HEADER}\nR-001,risk,IR35,PD,2019-04-01,,Inside IR35,Tax,4,4,,,\n"
            "I-001,issue,X,PD,2019-04-01,,,,,,high,,2019-05-01\n"
        )
        with pytest.raises(ImportRejected) as caught:
            load(text)
        assert {(e.line, e.column) for e in caught.value.errors} == {(2, "cause"), (3, "resolution")}
        assert not RaidItem.objects.exists()

    def test_an_unknown_link_is_refused(self):
        with pytest.raises(ImportRejected) as caught:
            load("reference,kind,title,owner,raised_on,contract\nA-001,assumption,T,O,2019-04-01,NO-SUCH\n")
        assert [(e.line, e.column) for e in caught.value.errors] == [(2, "contract")]

    def test_links_by_reference(self, demo):
        from pegasus.estate.models import Contract

        contract = Contract.objects.order_by("reference").first()
        load(
            f"reference,kind,title,owner,raised_on,contract\nA-001,assumption,T,O,2019-04-01,{contract.reference.lower()}\n"
        )
        assert RaidItem.objects.get().contract == contract

    def test_an_unknown_column_is_refused(self):
        with pytest.raises(ImportRejected) as caught:
            load("reference,kind,title,owner,raised_on,colour\nA-001,assumption,T,O,2019-04-01,red\n")
        assert caught.value.errors[0].line == 1


class TestExport:
    def test_round_trip_changes_nothing(self, demo):
        from pegasus.estate.models import Contract

        item = risk_make(
            reference="R-001",
            description="Line one\nLine two",
            residual_probability=2,
            residual_impact=3,
            proximity=date(2019, 9, 1),
            contract=Contract.objects.order_by("pk").first(),
        )
        services.mitigation_save(item=item, action="Bloom", owner="PD", due_on=date(2019, 6, 1), by=None)
        services.raid_item_save(
            programme=item.programme,
            kind="issue",
            reference="I-001",
            title="Closed one",
            owner="PD",
            raised_on=date(2019, 4, 1),
            priority="critical",
            closed_on=date(2019, 5, 1),
            resolution="Done",
            by=None,
        )
        services.raid_item_save(
            programme=item.programme,
            kind="dependency",
            title="DMPC approves the FBC",
            owner="PD",
            raised_on=date(2019, 4, 1),
            by=None,
        )
        rows = [selectors.RaidRow(i, date(2019, 5, 23)) for i in selectors.raid_items().order_by("reference")]
        data = exports.raid_xlsx(rows, title="RAID")
        sheet = load_workbook(io.BytesIO(data)).worksheets[0]
        header = [c.value for c in sheet[1]]
        first = dict(zip(header, [c.value for c in sheet[4]], strict=True))
        assert (first["reference"], first["current_score"], first["band"], first["inherent_score"]) == (
            "R-001",
            6,
            "Medium",
            16,
        )
        before = snapshot()
        result = imports.raid_import(filename="export.xlsx", data=data, by=None)
        assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
        assert snapshot() == before

    def test_the_export_imports_into_an_empty_log(self):
        risk_make(reference="R-001", proximity=date(2019, 9, 1))
        rows = [selectors.RaidRow(i, date(2019, 5, 23)) for i in selectors.raid_items()]
        data = exports.raid_xlsx(rows, title="RAID")
        before = [
            (r[1:]) for r in RaidItem.objects.values_list("id", "reference", "title", "proximity", "inherent_impact")
        ]
        RaidItem.objects.all().delete()
        assert imports.raid_import(filename="export.xlsx", data=data, by=None).created == 1
        after = [
            (r[1:]) for r in RaidItem.objects.values_list("id", "reference", "title", "proximity", "inherent_impact")
        ]
        assert after == before


class TestTemplate:
    @pytest.mark.parametrize("fmt", ["xlsx", "csv"])
    def test_the_template_imports(self, fmt, demo):
        from pegasus.governance.demo import decisions_demo_load

        decisions_demo_load()  # the example names PCD 579
        data = imports.template(fmt)
        assert imports.raid_import(filename=f"template.{fmt}", data=data, by=None).created == 1
        assert RaidItem.objects.get().reference == "R-001"


texts = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=40
).filter(lambda t: t.strip())
ratings = st.one_of(st.none(), st.integers(min_value=1, max_value=5))


@given(
    title=texts,
    owner=texts,
    probability=st.integers(min_value=1, max_value=5),
    impact=st.integers(min_value=1, max_value=5),
    residual=st.one_of(st.none(), st.tuples(st.integers(1, 5), st.integers(1, 5))),
    raised=st.dates(min_value=date(2015, 1, 1), max_value=date(2025, 12, 31)),
)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_valid_risk_survives_export_and_import_unchanged(title, owner, probability, impact, residual, raised):
    """Property: a risk exported and imported again is the same risk, scored the same; the import changes nothing."""
    RaidItem.objects.all().delete()
    item = risk_make(
        reference="R-001",
        title=title,
        owner=owner,
        raised_on=raised,
        inherent_probability=probability,
        inherent_impact=impact,
        residual_probability=residual[0] if residual else None,
        residual_impact=residual[1] if residual else None,
    )
    before = snapshot()
    data = exports.raid_xlsx([selectors.RaidRow(item, raised)], title="RAID")
    result = imports.raid_import(filename="raid.xlsx", data=data, by=None)
    assert (result.unchanged, snapshot()) == (1, before)
    row = load_workbook(io.BytesIO(data)).worksheets[0]
    header = [c.value for c in row[1]]
    cells = dict(zip(header, [c.value for c in row[2]], strict=True))
    expected = residual[0] * residual[1] if residual else probability * impact
    assert cells["current_score"] == expected
