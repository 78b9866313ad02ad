"""The estate's charts: a contract's spend against its value. (The dashboard's expiry chart is the shell's,
`web.charts`, drawn from `estate.selectors.ContractTimeline`.)"""

from decimal import Decimal

import altair as alt

from pegasus.core.money import format_pounds
from pegasus.ui.charts import GOVUK_BLUE, Chart, chart_spec


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
