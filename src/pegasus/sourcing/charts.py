"""The trade-off chart: what the best lot structure costs against how many lots it has, as the policy varies."""

from collections.abc import Sequence
from decimal import Decimal

import altair as alt

from pegasus.core.money import format_millions, format_pounds
from pegasus.sourcing.comparison import ScenarioFigures, tradeoff_cost
from pegasus.ui.charts import Chart, chart_spec

SCENARIOS_SERIES = "Scenarios compared"
LABELS = {"lot_fixed_cost": "Cost of running a lot", "min_bidders_per_lot": "Fewest bidders per lot"}
SERIES = [LABELS["lot_fixed_cost"], LABELS["min_bidders_per_lot"], SCENARIOS_SERIES]
# Each series drawn a little to the side of the whole number of lots, so points that coincide stay visible.
NUDGE = {LABELS["lot_fixed_cost"]: -0.12, LABELS["min_bidders_per_lot"]: 0.12, SCENARIOS_SERIES: 0.0}
COST_TITLE = "Cost a year, £m (prices, running lots, hand-offs)"


def _setting(key: str, value: str) -> str:
    return format_pounds(Decimal(value), pennies=False) if key == "lot_fixed_cost" else value


def _millions(amount: Decimal) -> float:
    return float((amount / 1_000_000).quantize(Decimal("0.000001")))


def tradeoff_chart(
    chart_id: str,
    points: list[dict],
    *,
    lot_fixed_cost: Decimal,
    scenarios: Sequence[tuple[str, ScenarioFigures]] = (),
) -> Chart:
    """Cost a year against lots for each point of the sweep, and the compared scenarios (lettered A, B, ... on the
    chart and in the table), on an axis from zero.

    A point's cost is worked out as a scenario's "Cost a year" is (`comparison.tradeoff_cost`), so the sweep's point
    at the scenario's own policy sits on the scenario.
    """
    data: list[dict] = []
    rows: list[list[str]] = []
    for p in points:
        label = LABELS[p["vary"]]
        setting = _setting(p["vary"], p["value"])
        if "lots" not in p:
            rows.append([label, setting, "–", "–", "No structure meets the rules"])
            continue
        total = tradeoff_cost(p, lot_fixed_cost=lot_fixed_cost).total
        data.append(
            {
                "lots": p["lots"],
                "x": p["lots"] + NUDGE[label],
                "millions": _millions(total),
                "varied": label,
                "vary": p["vary"],
                "value": float(p["value"]),
                "setting": f"{label}: {setting}",
            }
        )
        rows.append([label, setting, str(p["lots"]), str(p["suppliers"]), format_millions(total)])
    for n, (name, figures) in enumerate(scenarios):
        letter = chr(ord("A") + n)
        data.append(
            {
                "lots": figures.lots,
                "x": float(figures.lots),
                "millions": _millions(figures.total),
                "varied": SCENARIOS_SERIES,
                "vary": None,
                "value": None,
                "setting": name,
                "letter": letter,
            }
        )
        total = figures.total
        rows.append([f"Scenario {letter}", name, str(figures.lots), str(figures.suppliers), format_millions(total)])
    # Every setting that lands on the same place, named in each one's tooltip.
    here: dict[tuple[int, float], list[str]] = {}
    for d in data:
        here.setdefault((d["lots"], d["millions"]), []).append(d["setting"])
    for d in data:
        d["here"] = "; ".join(here[d["lots"], d["millions"]])

    lots = [d["lots"] for d in data] or [1]
    x = alt.X(
        "x:Q",
        title="Number of lots",
        axis=alt.Axis(tickMinStep=1, format="d"),
        scale=alt.Scale(domain=[min(lots) - 0.5, max(lots) + 0.5], nice=False),
    )
    y = alt.Y("millions:Q", title=COST_TITLE, scale=alt.Scale(zero=True))
    colour = alt.Color(
        "varied:N",
        title=None,
        scale=alt.Scale(domain=SERIES, range=["#1d70b8", "#d4351c", "#0b0c0c"]),
        legend=alt.Legend(orient="bottom", direction="vertical"),
    )
    tooltip = [
        alt.Tooltip("here:N", title="Setting"),
        alt.Tooltip("lots:Q", title="Lots"),
        alt.Tooltip("millions:Q", title="Cost a year, £m", format=",.1f"),
    ]
    base = alt.Chart(alt.Data(values=data)).encode(x=x, y=y, color=colour)
    sweep = alt.datum.varied != SCENARIOS_SERIES
    lines = (
        base.transform_filter(sweep).mark_line().encode(strokeDash=alt.StrokeDash("varied:N", legend=None), order="x:Q")
    )
    marks = base.mark_point(size=110, filled=True, opacity=0.9).encode(
        shape=alt.Shape("varied:N", scale=alt.Scale(domain=SERIES, range=["circle", "square", "diamond"]), legend=None),
        tooltip=tooltip,
    )
    names = (
        base.transform_filter(~sweep)
        .mark_text(dy=-14, fontSize=13, fontWeight="bold", font="arial")
        .encode(text="letter:N", color=alt.value("#0b0c0c"))
    )
    chart = alt.layer(lines, marks, names).properties(width="container", height=320)
    headers = ["Varying", "Setting", "Lots", "Suppliers", "Cost a year"]
    return Chart(chart_id, "Cost a year against number of lots", chart_spec(chart), headers, rows)
