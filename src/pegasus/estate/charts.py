"""The estate's charts: a contract's term and options on a timeline, and its spend against its value."""

from datetime import date
from decimal import Decimal

import altair as alt

from pegasus.core.money import format_pounds
from pegasus.estate.terms import timeline
from pegasus.ui.charts import GOVUK_BLUE, Chart, chart_spec

PALETTE = {
    "term": "#1d70b8",
    "exercised": "#00703c",
    "available": "#b1b4b6",
    "tacit-renewal": "#f47738",
    "express-renewal": "#912b88",
}


def _whole_years(data: list[dict], as_at: date) -> alt.Scale:
    """A time axis from the January before the earliest start to the end of the year of the latest end: left to
    itself Vega-Lite may begin the axis after the earliest start and cut that contract's first bar short."""
    first = min([as_at.year, *(date.fromisoformat(row["start"]).year for row in data)])
    last = max([as_at.year, *(date.fromisoformat(row["end"]).year for row in data)])
    return alt.Scale(domain=[alt.DateTime(year=first, month=1, date=1), alt.DateTime(year=last + 1, month=1, date=1)])


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
            x=alt.X("start:T", title=None, axis=alt.Axis(format="%Y"), scale=_whole_years(data, as_at)),
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
        chart_spec(chart),
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
        chart_id,
        "Spend against total contract value (red line)",
        chart_spec(chart),
        ["Month", "Spend", "Cumulative"],
        table,
    )
