"""The market view's charts: the value awarded by buyer, by supplier and by the year contracts start, as bars in the
order the summary gives them (the largest first, the rest summed as one last; years in order), each with its table."""

from decimal import Decimal

import altair as alt

from pegasus.core.money import format_millions
from pegasus.publication.selectors import MarketShare, MarketSummary
from pegasus.ui.charts import GOVUK_BLUE, Chart, chart_spec

REST_GREY = "#505a5f"
# Room to the right of the longest bar for its value.
HEADROOM = 1.5
# Names are cut short on the chart, beside the table that gives them whole, so that a half-page chart keeps room for
# its bars: shorter still on a phone's narrow screen.
LABEL_LIMIT = "containerSize()[0] < 400 ? 110 : 190"
VALUE_TITLE = "£ millions awarded, ex VAT"


def _millions(amount: Decimal) -> float:
    return float((amount / 1_000_000).quantize(Decimal("0.000001")))


def share_chart(chart_id: str, title: str, shares: list[MarketShare], label_title: str) -> Chart:
    """Horizontal bars of the value awarded, one for each share, the rest summed as one drawn in grey."""
    data: list[dict[str, object]] = [
        {
            "label": share.label,
            "millions": _millions(share.awarded),
            "text": format_millions(share.awarded),
            "processes": share.processes,
            "kind": "rest" if share.rest else "one",
        }
        for share in shares
    ]
    largest = max((_millions(share.awarded) for share in shares), default=0.0)
    scale = alt.Scale(domain=[0, largest * HEADROOM]) if largest > 0 else alt.Undefined
    base = alt.Chart(alt.Data(values=data)).encode(
        y=alt.Y("label:N", sort=None, title=None, axis=alt.Axis(labelLimit=alt.ExprRef(LABEL_LIMIT))),
        x=alt.X("millions:Q", title=VALUE_TITLE, axis=alt.Axis(tickCount=4), scale=scale),
    )
    bars = base.mark_bar().encode(
        color=alt.Color("kind:N", legend=None, scale=alt.Scale(domain=["one", "rest"], range=[GOVUK_BLUE, REST_GREY])),
        tooltip=[
            alt.Tooltip("label:N", title=label_title),
            alt.Tooltip("text:N", title="Awarded"),
            alt.Tooltip("processes:Q", title="Processes"),
        ],
    )
    values = base.mark_text(align="left", dx=4, fontSize=13, font="arial", color="#0b0c0c").encode(text="text:N")
    chart = (bars + values).properties(width="container", height=max(80, 26 * len(data)))
    rows = [[share.label, str(share.processes), format_millions(share.awarded)] for share in shares]
    return Chart(chart_id, title, chart_spec(chart), [label_title, "Processes", "Awarded"], rows)


def market_charts(summary: MarketSummary) -> dict[str, Chart]:
    """The three charts of the market view, by buyer, by supplier and by year."""
    return {
        "buyer": share_chart("market-by-buyer", "Value awarded by buyer", summary.by_buyer, "Buyer"),
        "supplier": share_chart("market-by-supplier", "Value awarded by supplier", summary.by_supplier, "Supplier"),
        "year": share_chart("market-by-year", "Value awarded by the year the contract starts", summary.by_year, "Year"),
    }
