"""The market view's figures and page: the value awarded by buyer, by supplier and by year, each adding up to the
awarded total to the penny; the buyers and suppliers ranked; every list paged with the filters kept."""

import re
from datetime import date
from decimal import Decimal
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pegasus.core.roles import Role
from pegasus.publication import selectors
from pegasus.publication.charts import market_charts
from pegasus.publication.models import MarketAward, MarketProcess
from pegasus.publication.selectors import MarketFilters, MarketShare

pytestmark = pytest.mark.django_db

TODAY = date(2024, 6, 1)


def process(ocid, *, buyer="Borough", value=None, kind="awarded", currency="GBP", suppliers=(), start=None, **kw):
    made = MarketProcess.objects.create(
        ocid=ocid,
        title=kw.pop("title", f"Process {ocid}"),
        buyer=buyer,
        cpv=[f"{kw.get('division', '72')}000000"],
        division=kw.pop("division", "72"),
        suppliers="\n".join(suppliers),
        supplier_count=len(suppliers),
        value=None if value is None else Decimal(value),
        currency=currency if value is not None else "",
        value_kind=kind if value is not None else "",
        start=start,
        end=kw.pop("end", date(2027, 3, 31)),
        stage="award",
        last_release=timezone.now(),
    )
    MarketAward.objects.bulk_create(MarketAward(process=made, supplier=name) for name in suppliers)
    return made


@pytest.fixture
def market():
    """Seven ICT processes and a road scheme: sole winners, a framework shared by three, an award naming no
    supplier, an estimate, an award in euros, and starts in 2020, 2021 and unpublished."""
    process("p1", buyer="Alpha Council", value="100.10", suppliers=["X Ltd"], start=date(2020, 4, 1))
    process("p2", buyer="Alpha Council", value="50.05", suppliers=["Y Ltd"], start=date(2021, 1, 1))
    process("p3", buyer="Beta Trust", value="300.00", suppliers=["X Ltd", "Y Ltd", "Z Ltd"], start=date(2021, 6, 1))
    process("p4", buyer="Gamma Police", value="20.00", suppliers=["Z Ltd"])
    process("p5", buyer="Delta College", value="999.00", kind="estimated", start=date(2020, 1, 1))
    process("p6", buyer="Gamma Police", value="7.00", start=date(2021, 2, 1))
    process("p7", buyer="Epsilon Board", value="1000.00", currency="EUR", suppliers=["W GmbH"])
    process("p8", buyer="Roads Agency", value="5000.00", suppliers=["Tarmac Ltd"], division="", start=date(2020, 5, 1))


def summary(**filters):
    return selectors.market_summary(selectors.market_processes(MarketFilters(**filters), TODAY))


def shares(rows: list[MarketShare]) -> list[tuple[str, int, Decimal]]:
    return [(row.label, row.processes, row.awarded) for row in rows]


class TestSummary:
    def test_value_by_buyer_is_the_largest_buyers_then_the_rest_adding_up_to_the_total(self, market, monkeypatch):
        # given charts of the two largest
        monkeypatch.setattr(selectors, "MARKET_TOP", 2)

        # when
        result = summary()

        # then estimates and euros are counted among the other buyers' processes, not valued
        assert result.awarded == Decimal("477.15")
        assert shares(result.by_buyer) == [
            ("Beta Trust", 1, Decimal("300.00")),
            ("Alpha Council", 2, Decimal("150.15")),
            ("Other buyers", 4, Decimal("27.00")),
        ]
        assert [row.rest for row in result.by_buyer] == [False, False, True]
        assert sum(row.awarded for row in result.by_buyer) == result.awarded

    def test_value_by_supplier_is_what_each_won_alone_then_other_sole_winners_shared_and_unnamed(
        self, market, monkeypatch
    ):
        # given
        monkeypatch.setattr(selectors, "MARKET_TOP", 2)

        # when
        result = summary()

        # then the framework shared by three is valued once, as shared, and the euros not at all
        assert shares(result.by_supplier) == [
            ("X Ltd", 1, Decimal("100.10")),
            ("Y Ltd", 1, Decimal("50.05")),
            ("Other suppliers, each alone", 1, Decimal("20.00")),
            ("Shared by several suppliers", 1, Decimal("300.00")),
            ("No supplier named", 1, Decimal("7.00")),
        ]
        assert sum(row.awarded for row in result.by_supplier) == result.awarded

    def test_value_by_year_is_by_the_year_the_contract_starts_earliest_first_unpublished_last(self, market):
        result = summary()

        assert shares(result.by_year) == [
            ("2020", 2, Decimal("100.10")),
            ("2021", 3, Decimal("357.05")),
            ("Start not published", 2, Decimal("20.00")),
        ]
        assert sum(row.awarded for row in result.by_year) == result.awarded

    def test_the_rest_is_only_what_has_no_bar_of_its_own(self, market):
        result = summary()

        # the buyers with nothing awarded in pounds are counted among the rest, so the processes add up too
        assert shares(result.by_buyer)[2:] == [("Gamma Police", 2, Decimal("27.00")), ("Other buyers", 2, Decimal(0))]
        assert sum(row.processes for row in result.by_buyer) == result.processes
        assert [row.label for row in result.by_supplier] == [
            "X Ltd",
            "Y Ltd",
            "Z Ltd",
            "Shared by several suppliers",
            "No supplier named",
        ]

    def test_the_figures_follow_the_filters(self, market):
        everything = summary(division="all")
        assert everything.awarded == Decimal("5477.15")
        assert shares(everything.by_buyer)[0] == ("Roads Agency", 1, Decimal("5000.00"))
        assert shares(everything.by_year)[0] == ("2020", 3, Decimal("5100.10"))

        gamma = summary(q="Gamma")
        assert shares(gamma.by_buyer) == [("Gamma Police", 2, Decimal("27.00"))]
        assert shares(gamma.by_supplier) == [
            ("Z Ltd", 1, Decimal("20.00")),
            ("No supplier named", 1, Decimal("7.00")),
        ]

    def test_nothing_awarded_draws_no_bars_but_the_years_counted(self):
        process("e1", value="10.00", kind="estimated", start=date(2022, 1, 1))

        result = summary()

        assert (result.awarded, result.by_supplier) == (Decimal("0"), [])
        assert shares(result.by_buyer) == [("Other buyers", 1, Decimal("0"))]
        assert shares(result.by_year) == [("2022", 1, Decimal("0"))]


class TestRanking:
    def test_suppliers_are_ranked_by_the_number_of_awards_then_the_value_won_alone_then_name(self):
        # given a supplier that wins often and small, one that wins big and seldom, two tied, one valued in euros
        for n in range(2):
            process(f"often-{n}", value="10.00", suppliers=["Often Ltd"])
        process("big", value="1000000.00", suppliers=["Big plc"])
        process("shared", value="5.00", suppliers=["Often Ltd", "Big plc"])
        process("tie-b", value="50.00", suppliers=["Tie B"])
        process("tie-a", value="50.00", suppliers=["Tie A"])
        process("euros", value="70.00", currency="EUR", suppliers=["Aardvark SA"])

        # when
        ranked = list(selectors.market_suppliers(selectors.market_processes(MarketFilters(), TODAY)))

        # then
        assert ranked == [
            {"supplier": "Often Ltd", "processes": 3, "alone": Decimal("20.00")},
            {"supplier": "Big plc", "processes": 2, "alone": Decimal("1000000.00")},
            {"supplier": "Tie A", "processes": 1, "alone": Decimal("50.00")},
            {"supplier": "Tie B", "processes": 1, "alone": Decimal("50.00")},
            {"supplier": "Aardvark SA", "processes": 1, "alone": None},
        ]

    def test_buyers_are_ranked_by_value_awarded_then_the_number_of_processes_then_name(self, market):
        ranked = list(selectors.market_buyers(selectors.market_processes(MarketFilters(), TODAY)))

        assert ranked == [
            {"buyer": "Beta Trust", "processes": 1, "awarded": Decimal("300.00")},
            {"buyer": "Alpha Council", "processes": 2, "awarded": Decimal("150.15")},
            {"buyer": "Gamma Police", "processes": 2, "awarded": Decimal("27.00")},
            {"buyer": "Delta College", "processes": 1, "awarded": None},
            {"buyer": "Epsilon Board", "processes": 1, "awarded": None},
        ]


class TestCharts:
    def test_each_chart_has_its_table_in_millions_with_the_rest_drawn_apart(self, market, monkeypatch):
        monkeypatch.setattr(selectors, "MARKET_TOP", 1)
        process("big", buyer="Zeta Health", value="2345678.90", suppliers=["Big plc"], start=date(2022, 1, 1))

        charts = market_charts(summary())

        assert charts["buyer"].headers == ["Buyer", "Processes", "Awarded"]
        assert charts["buyer"].rows == [["Zeta Health", "1", "£2.3m"], ["Other buyers", "7", "£0.0m"]]
        assert charts["supplier"].rows[0] == ["Big plc", "1", "£2.3m"]
        assert charts["year"].rows[2] == ["2022", "1", "£2.3m"]
        values = charts["buyer"].spec["data"]["values"]
        assert [(v["label"], v["kind"], v["millions"], v["text"]) for v in values] == [
            ("Zeta Health", "one", 2.345679, "£2.3m"),
            ("Other buyers", "rest", 0.000477, "£0.0m"),
        ]


def links(html: str, label: str) -> list[dict[str, list[str]]]:
    """The query of each link of the pagination labelled `label`, with its fragment."""
    nav = re.search(rf'<nav class="govuk-pagination" aria-label="{label}">(.*?)</nav>', html, re.S)
    assert nav, f"no pagination labelled {label}"
    found = []
    for href in re.findall(r'href="([^"]+)"', nav.group(1)):
        parts = urlsplit(unescape(href))
        found.append({**parse_qs(parts.query), "#": [parts.fragment]})
    return found


@pytest.fixture
def crowded():
    """25 ICT processes, each with a buyer and a supplier of its own: three pages of each list."""
    for n in range(25):
        process(f"c{n:02}", buyer=f"Buyer {n:02}", value=f"{1000 + n}.50", suppliers=[f"Supplier {n:02}"])


class TestPage:
    def test_every_list_is_paged_on_its_own_and_each_page_link_keeps_the_filters_and_the_other_pages(
        self, signed_in, crowded
    ):
        # given
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        query = {"q": "Process", "division": "72", "sort": "value", "page": "2", "buyers": "3", "suppliers": "2"}

        # when
        response = client.get("/market/", query)

        # then
        context = response.context
        assert [p.ocid for p in context["page"]] == [f"c{n:02}" for n in range(14, 4, -1)]
        assert [row["buyer"] for row in context["buyers"]] == [f"Buyer {n:02}" for n in range(4, -1, -1)]
        assert [row["supplier"] for row in context["suppliers"]] == [f"Supplier {n:02}" for n in range(14, 4, -1)]
        html = response.content.decode()
        kept = {"q": ["Process"], "division": ["72"], "sort": ["value"]}
        previous, current = links(html, "Pages of buyers")
        assert previous == {**kept, "page": ["2"], "buyers": ["2"], "suppliers": ["2"], "#": ["buyers"]}
        assert current == {**kept, "page": ["2"], "buyers": ["3"], "suppliers": ["2"], "#": ["buyers"]}
        assert links(html, "Pages of suppliers")[-1] == {
            **kept,
            "page": ["2"],
            "buyers": ["3"],
            "suppliers": ["3"],
            "#": ["suppliers"],
        }
        assert links(html, "Pages of contracting processes")[0]["page"] == ["1"]
        assert "by the number of processes awarded, then by the value won alone" in html

    def test_money_is_exact_for_a_process_and_in_millions_for_a_summary(self, signed_in, market):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)

        html = client.get("/market/", {"sort": "value"}).content.decode()

        assert re.search(r'data-testid="awarded">£0.0m<', html)
        assert re.search(r'data-testid="awarded-exact">£477.15<', html)
        table = html[html.index('data-testid="market-table"') :]
        assert "£300.00" in table and "£50.05" in table
        assert "1,000.00 EUR" in table
        buyers = html[html.index('data-testid="buyers-table"') : html.index('data-testid="top-suppliers"')]
        assert "£0.0m" in buyers and "£300.00" not in buyers

    def test_the_charts_are_drawn_from_the_filtered_processes(self, signed_in, market):
        client, _ = signed_in(Role.FINANCE)

        charts = client.get("/market/", {"q": "Gamma"}).context["charts"]

        assert [row[0] for row in charts["buyer"].rows] == ["Gamma Police"]
        assert [row[0] for row in charts["year"].rows] == ["2021", "Start not published"]

    def test_a_page_number_that_is_not_one_is_refused_naming_it(self, signed_in, market):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)

        response = client.get("/market/", {"suppliers": "x"})

        assert response.status_code == 400
        assert "Suppliers" in response.content.decode()

    def test_queries_do_not_grow_with_rows_or_pages(self, signed_in):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        counts = []
        for n, query in ((3, {}), (40, {}), (40, {"page": "3", "buyers": "2", "suppliers": "4"})):
            MarketProcess.objects.all().delete()
            for i in range(n):
                process(f"q{i}", buyer=f"B{i}", value="1.00", suppliers=[f"S{i}", f"T{i % 3}"], start=date(2020, 1, 1))
            with CaptureQueriesContext(connection) as captured:
                assert client.get("/market/", query).status_code == 200
            counts.append(len(captured))
        assert counts[0] == counts[1] == counts[2]
