"""The dashboard's expiry chart: every contract's term and options on a timeline, drawn with the UI kit from the
data the estate's summary reads (`estate.selectors.ContractTimeline`)."""

from datetime import date

import altair as alt

from pegasus.estate.selectors import ContractTimeline
from pegasus.ui.charts import Chart, chart_spec

# A colour for each state of a segment of `estate.terms.timeline`
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


def expiry_timeline(chart_id: str, contracts: list[ContractTimeline], as_at: date) -> Chart:
    """Every contract's term and options as bars, with a rule at the as-at date."""
    data, table = [], []
    for contract in contracts:
        for segment in contract.segments:
            data.append(
                {
                    "contract": f"{contract.reference} {contract.title}"[:70],
                    "segment": segment.label,
                    "state": segment.state,
                    "start": segment.start.isoformat(),
                    "end": segment.end.isoformat(),
                }
            )
        table.append(
            [
                contract.reference,
                contract.title,
                f"{contract.current_end:%d %b %Y}",
                f"{contract.maximum_end:%d %b %Y}" if contract.maximum_end else "Rolling",
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
