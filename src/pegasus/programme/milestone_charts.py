"""The milestones' slip chart: each milestone's baseline and forecast (and actual, once done) on one time line, the
line between them its slip, with the as-at day marked; the same figures as a table."""

from datetime import date

import altair as alt

from pegasus.programme.rules import RAG_LABELS
from pegasus.programme.selectors.milestones import MilestoneRow
from pegasus.ui.charts import GOVUK_BLUE, Chart, chart_spec

SERIES = {"Baseline": "#505a5f", "Forecast": "#f47738", "Actual": GOVUK_BLUE}
SHAPES = {"Baseline": "circle", "Forecast": "diamond", "Actual": "square"}


def _day(value: date | None) -> str:
    return f"{value:%d %b %Y}" if value else "–"


def milestone_slip_chart(chart_id: str, rows: list[MilestoneRow], as_at: date) -> Chart:
    """Baseline against forecast for every milestone, as a Vega-Lite chart with its table."""
    order = [row.name for row in rows]
    points = []
    spans = []
    for row in rows:
        points.append({"milestone": row.name, "series": "Baseline", "day": row.baseline.isoformat()})
        points.append({"milestone": row.name, "series": "Forecast", "day": row.forecast.isoformat()})
        if row.actual:
            points.append({"milestone": row.name, "series": "Actual", "day": row.actual.isoformat()})
        spans.append(
            {"milestone": row.name, "from": row.baseline.isoformat(), "to": (row.actual or row.forecast).isoformat()}
        )
    y = alt.Y("milestone:N", sort=order, title=None)
    slip = (
        alt.Chart(alt.Data(values=spans)).mark_rule(color="#b1b4b6", strokeWidth=3).encode(y=y, x="from:T", x2="to:T")
    )
    x = alt.X("day:T", title=None, axis=alt.Axis(format="%b %Y"))
    color = alt.Color("series:N", title=None, scale=alt.Scale(domain=list(SERIES), range=list(SERIES.values())))
    shape = alt.Shape("series:N", title=None, scale=alt.Scale(domain=list(SHAPES), range=list(SHAPES.values())))
    tooltip = [
        alt.Tooltip("milestone:N", title="Milestone"),
        alt.Tooltip("series:N", title="Date"),
        alt.Tooltip("day:T", title="Day", format="%d %b %Y"),
    ]
    # The baseline is an open ring drawn larger, so a forecast on the baseline shows inside it rather than over it.
    baseline = (
        alt.Chart(alt.Data(values=[p for p in points if p["series"] == "Baseline"]))
        .mark_point(size=260, filled=False, strokeWidth=2, opacity=1)
        .encode(y=y, x=x, color=color, shape=shape, tooltip=tooltip)
    )
    marks = (
        alt.Chart(alt.Data(values=[p for p in points if p["series"] != "Baseline"]))
        .mark_point(size=90, filled=True, opacity=1)
        .encode(y=y, x=x, color=color, shape=shape, tooltip=tooltip)
    )
    today = (
        alt.Chart(alt.Data(values=[{"day": as_at.isoformat(), "label": f"As at {as_at:%d %b %Y}"}]))
        .mark_rule(color="#d4351c", strokeDash=[4, 3])
        .encode(x="day:T", tooltip=[alt.Tooltip("label:N", title="")])
    )
    chart = (slip + baseline + marks + today).properties(width="container", height=max(140, 34 * len(rows)))
    table = [
        [row.name, _day(row.baseline), _day(row.forecast), _day(row.actual), str(row.slip_days), RAG_LABELS[row.rag]]
        for row in rows
    ]
    return Chart(
        chart_id,
        "Milestones: baseline against forecast",
        chart_spec(chart),
        ["Milestone", "Baseline", "Forecast", "Actual", "Slip (days)", "Status"],
        table,
    )
