"""Charts of supplier performance (Vega-Lite via Altair, as `ui.charts`), each with the figures of its table."""

from decimal import Decimal

import altair as alt

from pegasus.core.money import format_pounds
from pegasus.ui.charts import GOVUK_BLUE, Chart, chart_spec

PRIORITY_COLOURS = ["#d4351c", "#f47738", "#1d70b8", "#00703c"]


def _pct(value) -> str:
    return "" if value is None else f"{value:.1f}%"


def attainment_chart(chart_id: str, title: str, results: list[dict]) -> Chart:
    """Monthly attainment per priority (solid) against its target (dashed)."""
    data = [
        {
            "month": r["month"],
            "priority": f"P{r['priority']}",
            "attainment": r["attainment"],
            "target": r["target"],
        }
        for r in results
    ]
    colour = alt.Color(
        "priority:N",
        title="Priority",
        scale=alt.Scale(domain=["P1", "P2", "P3", "P4"], range=PRIORITY_COLOURS),
    )
    base = alt.Chart(alt.Data(values=data)).encode(x=alt.X("month:O", title="Month resolved"), color=colour)
    lines = base.mark_line(point=True).encode(
        y=alt.Y("attainment:Q", title="Resolved within target (%)", scale=alt.Scale(zero=False)),
        tooltip=["month:O", "priority:N", alt.Tooltip("attainment:Q", format=".1f"), "target:Q"],
    )
    targets = base.mark_line(strokeDash=[4, 4], opacity=0.7).encode(y="target:Q")
    chart = alt.layer(lines, targets).properties(width="container", height=240)
    rows = [
        [r["month"], f"P{r['priority']}", r["resolved"], r["met"], _pct(r["attainment"]), _pct(r["target"])]
        for r in results
    ]
    return Chart(
        chart_id, title, chart_spec(chart), ["Month", "Priority", "Resolved", "Met", "Attainment", "Target"], rows
    )


def credits_chart(chart_id: str, title: str, credits: list[dict]) -> Chart:
    """Service credits due each month."""
    data = [{"month": c["month"], "credit": float(Decimal(c["credit"]))} for c in credits]
    chart = (
        alt.Chart(alt.Data(values=data))
        .mark_bar(color=GOVUK_BLUE)
        .encode(
            x=alt.X("month:O", title="Month"),
            y=alt.Y("credit:Q", title="Service credit (£)"),
            tooltip=["month:O", alt.Tooltip("credit:Q", format=",.2f")],
        )
        .properties(width="container", height=180)
    )
    rows = [[c["month"], format_pounds(Decimal(c["credit"])), "Yes" if c["capped"] else "No"] for c in credits]
    return Chart(chart_id, title, chart_spec(chart), ["Month", "Credit", "Capped"], rows)
