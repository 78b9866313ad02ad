"""The pipeline's Gantt chart: every procurement's stages as planned, each against its latest window, and the day
the replaced contract ends. A Vega-Lite spec built with Altair, with the same figures as table rows."""

from datetime import date, timedelta

import altair as alt

from pegasus.procurement.selectors import ProcurementRow
from pegasus.ui.charts import Chart, chart_spec

PLANNED = "#1d70b8"
AT_RISK = "#d4351c"
LATEST = "#b1b4b6"
DEADLINE = "#0b0c0c"
ONE_DAY = timedelta(days=1)


def _label(row: ProcurementRow, text: str) -> str:
    return f"{row.procurement.reference} {text}"


def pipeline_gantt(chart_id: str, rows: list[ProcurementRow], as_at: date) -> Chart:
    """Bars for each stage as planned (red when it starts after its latest start), a grey bar behind each for its
    latest window, and a diamond on the day each procurement's replaced contract ends."""
    bars, deadlines, table, order = [], [], [], []
    for row in rows:
        if row.schedule is None:
            continue
        for stage in row.stages:
            s = stage.scheduled
            label = _label(row, s.template.name)
            order.append(label)
            status = "At risk" if s.at_risk else "On track"
            bars.append(
                {
                    "row": label,
                    "stage": s.template.name,
                    "planned_start": s.planned_start.isoformat(),
                    # Ends are inclusive: a bar runs to the start of the day after, so a one-day stage shows.
                    "planned_end": (s.planned_end + ONE_DAY).isoformat(),
                    "latest_start": s.latest_start.isoformat(),
                    "latest_end": (s.latest_end + ONE_DAY).isoformat(),
                    "planned_last": s.planned_end.isoformat(),
                    "latest_last": s.latest_end.isoformat(),
                    "slack": s.slack_days,
                    "status": status,
                }
            )
            table.append(
                [
                    row.procurement.reference,
                    s.template.name,
                    f"{s.planned_start:%d %b %Y}",
                    f"{s.planned_end:%d %b %Y}",
                    f"{s.latest_start:%d %b %Y}",
                    f"{s.latest_end:%d %b %Y}",
                    str(s.slack_days),
                    status,
                ]
            )
        label = _label(row, "contract ends")
        order.append(label)
        deadlines.append({"row": label, "end": row.replaces_end.isoformat(), "contract": row.deadline_contract})
        table.append(
            [
                row.procurement.reference,
                f"{row.deadline_contract} ends",
                "",
                f"{row.replaces_end:%d %b %Y}",
                "",
                "",
                "",
                "",
            ]
        )
    y = alt.Y("row:N", title=None, sort=order, axis=alt.Axis(labelLimit=420))
    base = alt.Chart(alt.Data(values=bars))
    latest = base.mark_bar(color=LATEST, opacity=0.6, size=8).encode(
        y=y,
        x=alt.X("latest_start:T", title=None, axis=alt.Axis(format="%b %Y", labelAngle=0), scale=alt.Scale(padding=12)),
        x2="latest_end:T",
        tooltip=[
            alt.Tooltip("stage:N"),
            alt.Tooltip("latest_start:T", title="Latest start"),
            alt.Tooltip("latest_last:T", title="Latest end"),
        ],
    )
    planned = base.mark_bar(size=14).encode(
        y=y,
        x="planned_start:T",
        x2="planned_end:T",
        color=alt.Color(
            "status:N",
            title="Planned stage",
            scale=alt.Scale(domain=["On track", "At risk"], range=[PLANNED, AT_RISK]),
        ),
        tooltip=[
            alt.Tooltip("stage:N"),
            alt.Tooltip("planned_start:T", title="Planned start"),
            alt.Tooltip("planned_last:T", title="Planned end"),
            alt.Tooltip("slack:Q", title="Slack (days)"),
        ],
    )
    ends = (
        alt.Chart(alt.Data(values=deadlines))
        .mark_point(shape="diamond", size=140, filled=True, color=DEADLINE)
        .encode(y=y, x="end:T", tooltip=[alt.Tooltip("contract:N"), alt.Tooltip("end:T", title="Contract ends")])
    )
    today = (
        alt.Chart(alt.Data(values=[{"as_at": as_at.isoformat()}]))
        .mark_rule(color=AT_RISK, strokeDash=[4, 3])
        .encode(x="as_at:T")
    )
    chart = (latest + planned + ends + today).properties(width="container", height=max(160, 22 * len(order)))
    return Chart(
        chart_id,
        "Procurements against their deadlines: planned stages (blue, red when at risk), latest window (grey),"
        " contract end (diamond)",
        chart_spec(chart),
        [
            "Procurement",
            "Stage",
            "Planned start",
            "Planned end",
            "Latest start",
            "Latest end",
            "Slack (days)",
            "Status",
        ],
        table,
    )
