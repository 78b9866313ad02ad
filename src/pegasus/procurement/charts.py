"""The pipeline's Gantt chart: every procurement's stages as planned, each against its latest window, and the day
the replaced contract ends. A Vega-Lite spec built with Altair, with the same figures as table rows."""

from datetime import date, timedelta

import altair as alt

from pegasus.procurement.selectors import ProcurementRow, ScheduleRisk
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


# --- Schedule risk ---

CURVE_TITLE = "Chance the new contract has started, by date"
CONFIDENCE_RULE = "#505a5f"
PERCENT_STEPS = (10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 100)


def _percent(share: float) -> str:
    return f"{share * 100:.0f}%" if 0.005 <= share <= 0.995 or share in (0.0, 1.0) else f"{share * 100:.1f}%"


def _end_marks(risk: ScheduleRisk) -> list[dict]:
    first = risk.first
    marks = [
        {
            "day": first.current_end.isoformat(),
            "label": f"{first.reference} current end",
            "share": round(first.in_time_current * 100, 1),
        }
    ]
    if first.maximum_end is not None and first.maximum_end != first.current_end:
        marks.append(
            {
                "day": first.maximum_end.isoformat(),
                "label": f"{first.reference} maximum end",
                "share": round((first.in_time_maximum or 0) * 100, 1),
            }
        )
    return marks


def schedule_risk_curve(chart_id: str, risk: ScheduleRisk) -> Chart:
    """The distribution of the new contract's start as a cumulative curve, the first replaced contract's current and
    maximum ends as dashed rules, and a rule at the 80% a board asks for."""
    sim = risk.simulation
    points = [{"day": day.isoformat(), "share": round(share * 100, 2)} for day, share in sim.curve()]
    marks = _end_marks(risk)
    x = alt.X("day:T", title="New contract starts on or before", axis=alt.Axis(format="%b %Y", labelAngle=0))
    y = alt.Y("share:Q", title="Chance (%)", scale=alt.Scale(domain=[0, 100]))
    curve = (
        alt.Chart(alt.Data(values=points))
        .mark_line(interpolate="step-after", color=PLANNED, strokeWidth=2)
        .encode(x=x, y=y, tooltip=[alt.Tooltip("day:T", title="Starts by"), alt.Tooltip("share:Q", title="Chance %")])
    )
    ends = alt.Chart(alt.Data(values=marks))
    end_rules = ends.mark_rule(color=DEADLINE, strokeDash=[6, 4], strokeWidth=2).encode(
        x="day:T", tooltip=[alt.Tooltip("label:N", title="End"), alt.Tooltip("day:T", title="Date")]
    )
    # The current end's label to the right of its rule, the maximum end's (the later) to the left of its own.
    end_labels = alt.layer(
        *(
            alt.Chart(alt.Data(values=[mark]))
            .mark_text(align=align, dx=dx, fontSize=12, color=DEADLINE)
            .encode(x="day:T", y=alt.value(8 + 16 * n), text="label:N")
            for n, (mark, align, dx) in enumerate(zip(marks, ("left", "right"), (4, -4), strict=False))
        )
    )
    confidence = (
        alt.Chart(alt.Data(values=[{"share": 80}]))
        .mark_rule(color=CONFIDENCE_RULE, strokeDash=[2, 3])
        .encode(y="share:Q")
    )
    percentiles = [
        {"day": sim.percentile(p).isoformat(), "share": p, "label": f"P{p} {sim.percentile(p):%d %b %Y}"}
        for p in (50, 80, 90)
    ]
    dots = alt.Chart(alt.Data(values=percentiles))
    p_points = dots.mark_point(filled=True, size=70, color=PLANNED).encode(
        x="day:T", y="share:Q", tooltip=[alt.Tooltip("label:N", title="Percentile")]
    )
    p_labels = dots.mark_text(align="right", dx=-8, fontSize=12).encode(x="day:T", y="share:Q", text="label:N")
    chart = (curve + confidence + end_rules + end_labels + p_points + p_labels).properties(
        width="container", height=280
    )
    rows = []
    for p in PERCENT_STEPS:
        rows.append((sim.percentile(p), f"P{p}", f"{p}% or more"))
    for incumbent in risk.incumbents:
        rows.append((incumbent.current_end, f"{incumbent.reference} current end", _percent(incumbent.in_time_current)))
        if incumbent.maximum_end is not None and incumbent.maximum_end != incumbent.current_end:
            rows.append(
                (
                    incumbent.maximum_end,
                    f"{incumbent.reference} maximum end (every option)",
                    _percent(incumbent.in_time_maximum or 0.0),
                )
            )
    rows.sort(key=lambda r: r[0])
    return Chart(
        chart_id,
        CURVE_TITLE + f" ({risk.procurement.reference}, {risk.iterations:,} iterations)",
        chart_spec(chart),
        ["Date", "What", "Chance the new contract has started by then"],
        [[f"{day:%d %b %Y}", what, chance] for day, what, chance in rows],
    )


def schedule_risk_tornado(chart_id: str, risk: ScheduleRisk) -> Chart:
    """The stages that drive the spread of the start date: each uncertain stage's rank correlation with the total,
    largest first."""
    drivers = [s for s in sorted(risk.stages, key=lambda s: -abs(s.correlation)) if s.has_estimate]
    data = [{"stage": s.name, "correlation": round(s.correlation, 3)} for s in drivers]
    chart = (
        alt.Chart(alt.Data(values=data))
        .mark_bar(color=PLANNED)
        .encode(
            y=alt.Y("stage:N", sort=[s.name for s in drivers], title=None),
            x=alt.X(
                "correlation:Q",
                title="Rank correlation with the start date",
                axis=alt.Axis(format=".1f", tickCount=10),
                scale=alt.Scale(domain=[min([0.0, *(d["correlation"] for d in data)]), 1]),
            ),
            tooltip=[alt.Tooltip("stage:N"), alt.Tooltip("correlation:Q", format=".2f")],
        )
        .properties(width="container", height=max(80, 30 * len(data)))
    )
    rows = [
        [
            s.name,
            f"{s.correlation:.2f}",
            f"{s.estimate.optimistic:g} / {s.estimate.most_likely:g} / {s.estimate.pessimistic:g}",
            "Triangular" if s.estimate.distribution == "triangular" else "PERT",
            str(s.planned_days),
        ]
        for s in drivers
    ]
    return Chart(
        chart_id,
        f"What drives the start date ({risk.procurement.reference})",
        chart_spec(chart),
        ["Stage", "Rank correlation", "Days: optimistic / most likely / pessimistic", "Distribution", "Planned days"],
        rows,
    )


def pipeline_risk_curves(chart_id: str, risks: list[ScheduleRisk]) -> Chart:
    """Every procurement's start-date curve on one chart, with a diamond where each reaches the current end of the
    first contract it replaces."""
    points, ends = [], []
    for risk in risks:
        reference = risk.procurement.reference
        points.extend(
            {"procurement": reference, "day": day.isoformat(), "share": round(share * 100, 2)}
            for day, share in risk.simulation.curve()
        )
        first = risk.first
        ends.append(
            {
                "procurement": reference,
                "day": first.current_end.isoformat(),
                "share": round(first.in_time_current * 100, 1),
                "label": f"{first.reference} current end",
            }
        )
    color = alt.Color("procurement:N", title="Procurement")
    x = alt.X("day:T", title="New contract starts on or before", axis=alt.Axis(format="%b %Y", labelAngle=0))
    y = alt.Y("share:Q", title="Chance (%)", scale=alt.Scale(domain=[0, 100]))
    curves = (
        alt.Chart(alt.Data(values=points))
        .mark_line(interpolate="step-after", strokeWidth=2)
        .encode(x=x, y=y, color=color, tooltip=["procurement:N", alt.Tooltip("day:T", title="Starts by"), "share:Q"])
    )
    diamonds = (
        alt.Chart(alt.Data(values=ends))
        .mark_point(shape="diamond", size=160, filled=True)
        .encode(x="day:T", y="share:Q", color=color, tooltip=["procurement:N", "label:N", "day:T", "share:Q"])
    )
    confidence = (
        alt.Chart(alt.Data(values=[{"share": 80}]))
        .mark_rule(color=CONFIDENCE_RULE, strokeDash=[2, 3])
        .encode(y="share:Q")
    )
    chart = (curves + diamonds + confidence).properties(width="container", height=300)
    rows = []
    for risk in risks:
        first = risk.first
        rows.append(
            [
                risk.procurement.reference,
                f"{risk.p50:%d %b %Y}",
                f"{risk.p80:%d %b %Y}",
                f"{risk.p90:%d %b %Y}",
                f"{first.reference} {first.current_end:%d %b %Y}",
                _percent(first.in_time_current),
                f"{first.maximum_end:%d %b %Y}" if first.maximum_end else "No limit",
                _percent(first.in_time_maximum) if first.in_time_maximum is not None else "–",
            ]
        )
    return Chart(
        chart_id,
        "Chance each new contract has started, by date (diamond: the first replaced contract's current end)",
        chart_spec(chart),
        ["Procurement", "P50", "P80", "P90", "First current end", "Chance in place by it", "Maximum end", "Chance"],
        rows,
    )
