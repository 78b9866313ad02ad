"""The savings page: what the contracts that replace others save in a financial year. Thin: parse the year, call
`finance.selectors.savings`, render."""

from django.shortcuts import render

from pegasus.core.access import require_perm
from pegasus.core.clock import default_as_at
from pegasus.finance import rules, selectors

# The years the picker offers: from a few before the current one to the end of the longest contract term ahead.
YEARS_BEFORE, YEARS_AFTER = 3, 7


def _year(request) -> tuple[int, int, str]:
    """The year asked for (or the current financial year), the current one, and an error naming the field."""
    current = rules.year_of(default_as_at())
    text = request.GET.get("year", "")
    if not text:
        return current, current, ""
    try:
        return rules.year_parse(text, "Financial year"), current, ""
    except rules.FinanceInputError as exc:
        return current, current, str(exc)


@require_perm("finance.view_finance")
def savings(request):
    year, current, error = _year(request)
    years = sorted({*range(current - YEARS_BEFORE, current + YEARS_AFTER + 1), year})
    return render(
        request,
        "finance/savings.html",
        {
            "result": selectors.savings(year),
            "month_rule": rules.MONTH_RULE,
            "years": [(y, rules.year_label(y)) for y in years],
            "year": year,
            "year_error": error,
        },
    )
