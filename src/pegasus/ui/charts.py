"""Charts as Vega-Lite specs built with Altair; each comes with the rows of its accessible table.

The kit's part: the chart with its table, the spec every chart is drawn from, and a bar chart of values. Charts
of one domain's facts live in that domain (`estate.charts`, `sourcing.charts`, ...); the dashboard's, in the shell
(`web.charts`), from what the domains' selectors read.
"""

from dataclasses import dataclass, field
from decimal import Decimal

import altair as alt

from pegasus.core.money import format_millions

GOVUK_BLUE = "#1d70b8"


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


def chart_spec(chart: alt.TopLevelMixin) -> dict:
    """The Vega-Lite spec of an Altair chart, as a page embeds it."""
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
    return Chart(chart_id, title, chart_spec(chart), [label_title, "Value (ex VAT)"], rows)
