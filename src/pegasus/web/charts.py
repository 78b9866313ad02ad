"""Charts as Vega-Lite specs built with Altair; each comes with the rows of its accessible table."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import altair as alt

from pegasus.core.money import format_millions, format_pounds
from pegasus.estate.terms import timeline

GOVUK_BLUE = "#1d70b8"
PALETTE = {
    "term": "#1d70b8",
    "exercised": "#00703c",
    "available": "#b1b4b6",
    "tacit-renewal": "#f47738",
    "express-renewal": "#912b88",
}


@dataclass
class Chart:
    id: str
    title: str
    spec: dict
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)

    @property
    def spec_id(self) -> str:
        return f"{self.id}-spec"


def _spec(chart: alt.TopLevelMixin) -> dict:
    # Text at the size of the page's small print, and long contract and supplier names shown whole.
    chart = chart.configure_axis(
        labelFontSize=13, titleFontSize=13, labelLimit=360, labelFont="arial", titleFont="arial"
    ).configure_legend(labelFontSize=13, titleFontSize=13, labelFont="arial", titleFont="arial")
    spec = chart.to_dict()
    spec.pop("$schema", None)
    return spec


def bar_chart(chart_id: str, title: str, items: list[dict], label_key: str, label_title: str) -> Chart:
    data = [{"label": i[label_key], "millions": float(Decimal(i["value"]) / 1_000_000)} for i in items]
    chart = (
        alt.Chart(alt.Data(values=data))
        .mark_bar(color=GOVUK_BLUE)
        .encode(
            y=alt.Y("label:N", sort="-x", title=None),
            x=alt.X("millions:Q", title="£ millions, ex VAT"),
            tooltip=[alt.Tooltip("label:N", title=label_title), alt.Tooltip("millions:Q", format=",.1f")],
        )
        .properties(width="container", height=max(120, 26 * len(data)))
    )
    rows = [[i[label_key], format_millions(Decimal(i["value"]))] for i in items]
    return Chart(chart_id, title, _spec(chart), [label_title, "Value (ex VAT)"], rows)


def expiry_timeline(chart_id: str, rows, as_at: date) -> Chart:
    """Every contract's term and options as bars, with a rule at the as-at date."""
    data, table = [], []
    for row in rows:
        for segment in timeline(row.contract.terms()):
            data.append(
                {
                    "contract": f"{row.contract.reference} {row.contract.title}"[:70],
                    "segment": segment.label,
                    "state": segment.state,
                    "start": segment.start.isoformat(),
                    "end": segment.end.isoformat(),
                }
            )
        table.append(
            [
                row.contract.reference,
                row.contract.title,
                f"{row.current_end:%d %b %Y}",
                f"{row.maximum_end:%d %b %Y}" if row.maximum_end else "Rolling",
            ]
        )
    bars = (
        alt.Chart(alt.Data(values=data))
        .mark_bar()
        .encode(
            y=alt.Y("contract:N", title=None, sort=None),
            x=alt.X("start:T", title=None, axis=alt.Axis(format="%Y")),
            x2="end:T",
            color=alt.Color(
                "state:N", title="Period", scale=alt.Scale(domain=list(PALETTE), range=list(PALETTE.values()))
            ),
            tooltip=["contract:N", "segment:N", "state:N", alt.Tooltip("start:T"), alt.Tooltip("end:T")],
        )
    )
    today = alt.Chart(alt.Data(values=[{"as_at": as_at.isoformat()}])).mark_rule(color="#d4351c").encode(x="as_at:T")
    chart = (bars + today).properties(width="container", height=max(160, 24 * len(table)))
    return Chart(
        chart_id,
        "Contract terms and extension options",
        _spec(chart),
        ["Reference", "Contract", "Current end", "Maximum end"],
        table,
    )


def spend_chart(chart_id: str, spend, total_value: Decimal) -> Chart:
    """Cumulative spend against the total contract value."""
    cumulative = Decimal(0)
    data, table = [], []
    for item in spend:
        cumulative += item.amount
        data.append(
            {
                "month": item.month.isoformat(),
                "cumulative": float(cumulative / 1_000_000),
                "monthly": float(item.amount / 1_000_000),
            }
        )
        table.append([f"{item.month:%b %Y}", format_pounds(item.amount), format_pounds(cumulative)])
    line = (
        alt.Chart(alt.Data(values=data))
        .mark_line(point=True, color=GOVUK_BLUE)
        .encode(
            x=alt.X("month:T", title=None),
            y=alt.Y("cumulative:Q", title="£ millions, cumulative"),
            tooltip=[alt.Tooltip("month:T", format="%b %Y"), alt.Tooltip("cumulative:Q", format=",.2f")],
        )
    )
    value = (
        alt.Chart(alt.Data(values=[{"tcv": float(total_value / 1_000_000)}]))
        .mark_rule(color="#d4351c", strokeDash=[6, 4])
        .encode(y="tcv:Q")
    )
    chart = (line + value).properties(width="container", height=240)
    return Chart(
        chart_id, "Spend against total contract value (red line)", _spec(chart), ["Month", "Spend", "Cumulative"], table
    )
