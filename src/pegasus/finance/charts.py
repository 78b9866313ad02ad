"""Finance's chart: a budget line's S-curve over a financial year, cumulative actual against cumulative forecast and
cumulative budget, month by month."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import altair as alt

from pegasus.core.money import format_pounds
from pegasus.finance import rules
from pegasus.ui.charts import GOVUK_BLUE, Chart, chart_spec

SERIES = {"Budget": "#505a5f", "Actual": GOVUK_BLUE, "Forecast": "#f47738"}


@dataclass(frozen=True)
class CurveMonth:
    """One month of the S-curve: each figure cumulative from the start of the year to the end of the month."""

    month: date
    budget: Decimal
    actual: Decimal | None  # None after the month containing the as-at date: not yet paid
    forecast: Decimal  # actual paid to date, then the forecast of each month after it


def s_curve_months(
    *, year: int, as_at: date, budget: Decimal, paid: dict[date, Decimal], forecast: dict[date, Decimal]
) -> list[CurveMonth]:
    """The year's months with cumulative figures, under the position's definitions: actual is what was paid up to
    `as_at`; a month's forecast counts only after the month containing `as_at` (so the last month's forecast is the
    line's outturn); the budget is spread evenly, twelve equal parts, reaching the whole budget in March."""
    months = rules.year_months(year)
    current = (as_at.year, as_at.month)
    actual = forecast_total = rules.ZERO
    curve = []
    for index, month in enumerate(months, start=1):
        done = (month.year, month.month) <= current
        actual += paid.get(month, rules.ZERO)
        forecast_total += paid.get(month, rules.ZERO) if done else forecast.get(month, rules.ZERO)
        curve.append(
            CurveMonth(
                month=month,
                budget=(budget * index / 12).quantize(rules.ZERO),
                actual=actual if done else None,
                forecast=forecast_total,
            )
        )
    return curve


def _unit(curve: list[CurveMonth]) -> tuple[Decimal, str]:
    largest = max((max(m.budget, m.forecast, m.actual or rules.ZERO) for m in curve), default=rules.ZERO)
    return (Decimal(1_000_000), "£ millions") if largest >= 10_000_000 else (Decimal(1_000), "£ thousands")


def s_curve(chart_id: str, title: str, curve: list[CurveMonth]) -> Chart:
    """The S-curve as a Vega-Lite line chart, with its figures as table rows."""
    divisor, unit = _unit(curve)
    data = []
    for m in curve:
        for series, value in (("Budget", m.budget), ("Actual", m.actual), ("Forecast", m.forecast)):
            if value is not None:
                data.append({"month": m.month.isoformat(), "series": series, "value": float(value / divisor)})
    lines = (
        alt.Chart(alt.Data(values=data))
        .mark_line(point=True)
        .encode(
            x=alt.X("month:T", title=None, axis=alt.Axis(format="%b %Y")),
            y=alt.Y("value:Q", title=f"{unit}, cumulative, ex VAT"),
            color=alt.Color("series:N", title=None, scale=alt.Scale(domain=list(SERIES), range=list(SERIES.values()))),
            strokeDash=alt.StrokeDash(
                "series:N", legend=None, scale=alt.Scale(domain=list(SERIES), range=[[2, 2], [1, 0], [6, 4]])
            ),
            tooltip=[
                alt.Tooltip("month:T", title="Month", format="%b %Y"),
                alt.Tooltip("series:N", title="Figure"),
                alt.Tooltip("value:Q", title=unit, format=",.2f"),
            ],
        )
        .properties(width="container", height=280)
    )
    rows = [
        [
            f"{m.month:%b %Y}",
            format_pounds(m.budget, pennies=False),
            format_pounds(m.actual, pennies=False) if m.actual is not None else "–",
            format_pounds(m.forecast, pennies=False),
        ]
        for m in curve
    ]
    return Chart(chart_id, title, chart_spec(lines), ["Month", "Budget", "Actual", "Forecast"], rows)
