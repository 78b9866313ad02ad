"""The trade-off chart: what the best lot structure costs against how many lots it has, as the policy varies."""

from decimal import Decimal

import altair as alt

from pegasus.core.money import format_millions, format_pounds
from pegasus.web.charts import Chart, _spec

LABELS = {"lot_fixed_cost": "Cost of running a lot", "min_bidders_per_lot": "Fewest bidders per lot"}


def _setting(key: str, value: str) -> str:
    return format_pounds(Decimal(value), pennies=False) if key == "lot_fixed_cost" else value


def tradeoff_chart(chart_id: str, points: list[dict]) -> Chart:
    """Prices plus hand-off cost (the lot cost left out: it is the assumption being varied) against lots."""
    data = [
        {
            "lots": p["lots"],
            "millions": float((Decimal(p["prices"]) + Decimal(p["handoff"])) / 1_000_000),
            "varied": LABELS[p["vary"]],
            "setting": f"{LABELS[p['vary']]}: {_setting(p['vary'], p['value'])}",
        }
        for p in points
        if "lots" in p
    ]
    chart = (
        alt.Chart(alt.Data(values=data))
        .mark_line(point=alt.OverlayMarkDef(size=90, filled=True))
        .encode(
            x=alt.X("lots:Q", title="Number of lots", axis=alt.Axis(tickMinStep=1, format="d")),
            y=alt.Y("millions:Q", title="Prices and hand-offs, £m a year", scale=alt.Scale(zero=False)),
            color=alt.Color(
                "varied:N",
                title="Varying",
                scale=alt.Scale(range=["#1d70b8", "#d4351c"]),
                legend=alt.Legend(orient="bottom"),
            ),
            strokeDash=alt.StrokeDash("varied:N", legend=None),
            shape=alt.Shape("varied:N", legend=None),
            tooltip=[
                alt.Tooltip("setting:N", title="Setting"),
                alt.Tooltip("lots:Q"),
                alt.Tooltip("millions:Q", format=",.2f"),
            ],
        )
        .properties(width="container", height=280)
    )
    rows = [
        [
            LABELS[p["vary"]],
            _setting(p["vary"], p["value"]),
            str(p.get("lots", "–")),
            str(p.get("suppliers", "–")),
            format_millions(Decimal(p["prices"]) + Decimal(p["handoff"]))
            if "lots" in p
            else "No structure meets the rules",
        ]
        for p in points
    ]
    headers = ["Varying", "Setting", "Lots", "Suppliers", "Prices and hand-offs a year"]
    return Chart(chart_id, "Cost against number of lots", _spec(chart), headers, rows)
