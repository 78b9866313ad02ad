"""Programme control's charts: the RAID log's 5x5 heat map of risks, probability up and impact across, each cell
coloured by its band (with the band in words in the legend, the tooltip and the table) and showing how many risks sit
there."""

import altair as alt

from pegasus.programme import risk
from pegasus.ui.charts import Chart, chart_spec

# Pegasus's band colours, from the GOV.UK palette; the band is always said in words as well.
BAND_COLOURS = {
    risk.LOW: "#cce2d8",  # GOV.UK green, tinted
    risk.MEDIUM: "#fff7bf",  # GOV.UK yellow, tinted
    risk.HIGH: "#ffbf47",  # GOV.UK orange, light
    risk.VERY_HIGH: "#f499a0",  # GOV.UK red, tinted
}
BAND_STROKE = "#0b0c0c"


def heat_map(chart_id: str, title: str, cells: list[risk.Cell]) -> Chart:
    """The heat map as a Vega-Lite chart, with its table: one row a probability (5 at the top), one column an
    impact, each cell the count of risks and its band."""
    data = [
        {
            "probability": str(c.probability),
            "impact": str(c.impact),
            "score": c.score,
            "band": risk.BAND_LABELS[c.band],
            "count": c.count,
            "label": str(c.count) if c.count else "",
        }
        for c in cells
    ]
    probabilities = [str(p) for p in reversed(risk.SCALE)]
    impacts = [str(i) for i in risk.SCALE]
    bands = [label for _, label, _, _ in risk.BANDS]
    base = alt.Chart(alt.Data(values=data)).encode(
        x=alt.X(
            "impact:O",
            title="Impact (1 very low, 5 very high)",
            sort=impacts,
            axis=alt.Axis(labelAngle=0, orient="bottom"),
        ),
        y=alt.Y("probability:O", title="Probability", sort=probabilities),
    )
    rects = base.mark_rect(stroke=BAND_STROKE, strokeWidth=1).encode(
        color=alt.Color(
            "band:N",
            title="Band (score)",
            scale=alt.Scale(domain=bands, range=[BAND_COLOURS[b] for b, *_ in risk.BANDS]),
            legend=alt.Legend(
                labelExpr="datum.label + ({'Low': ' 1-4', 'Medium': ' 5-9', 'High': ' 10-14', "
                "'Very high': ' 15-25'})[datum.label]"
            ),
        ),
        tooltip=[
            alt.Tooltip("probability:O", title="Probability"),
            alt.Tooltip("impact:O", title="Impact"),
            alt.Tooltip("score:Q", title="Score"),
            alt.Tooltip("band:N", title="Band"),
            alt.Tooltip("count:Q", title="Risks"),
        ],
    )
    counts = base.mark_text(fontSize=20, fontWeight="bold", color=BAND_STROKE).encode(text="label:N")
    chart = (rects + counts).properties(width="container", height=360)
    headers = ["Probability", *(f"Impact {i} {risk.IMPACT_LABELS[i].lower()}" for i in risk.SCALE)]
    rows = []
    for probability in reversed(risk.SCALE):
        row = [f"{probability} {risk.PROBABILITY_LABELS[probability]}"]
        for cell in (c for c in cells if c.probability == probability):
            row.append(f"{cell.count} (score {cell.score}, {cell.band_label.lower()})")
        rows.append(row)
    return Chart(chart_id, title, chart_spec(chart), headers, rows)
