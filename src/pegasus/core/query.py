"""Query parameters: every date, whole number and page number that a page reads from its URL, bounded where it
is read by `pegasus.core.bounds` (the API reads its parameters through the same bounds, in `pegasus.api.schemas`).

A value out of bounds raises `OutOfBounds` naming the parameter; `bounded_query` answers it with a 400 page that
says what to change, so that no parameter can reach the database or the term arithmetic as a 500.
"""

import functools
from collections.abc import Mapping
from datetime import date

from django.shortcuts import render

from pegasus.core import bounds
from pegasus.core.exceptions import OutOfBounds

# Months ahead that a list may be asked for (100 years): a query, not a contract term.
MAX_MONTHS_AHEAD = 1200


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def query_date(params: Mapping, name: str, default: date | None = None, label: str | None = None) -> date | None:
    """The date in `params[name]` (YYYY-MM-DD, within MIN_DATE..MAX_DATE), or `default` when it is absent."""
    text = params.get(name)
    if text is None or not str(text).strip():
        return default
    return bounds.parse_date(text, label or _label(name))


def query_int(
    params: Mapping,
    name: str,
    lo: int = 0,
    hi: int = bounds.MAX_INT,
    default: int | None = None,
    label: str | None = None,
) -> int | None:
    """The whole number in `params[name]`, from `lo` to `hi`, or `default` when it is absent."""
    text = params.get(name)
    if text is None or not str(text).strip():
        return default
    return bounds.parse_int(text, label or _label(name), lo, hi)


def query_page(params: Mapping, name: str = "page") -> int:
    """The page number asked for: 1 when absent, at most MAX_PAGE."""
    return query_int(params, name, 1, bounds.MAX_PAGE, default=1) or 1


def bounded_query(view):
    """A page whose query parameters are out of bounds answers 400 and says which one, never 500."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except OutOfBounds as exc:
            context = {
                "heading": "Check the address",
                "advice": "The page could not be shown as asked: change the value named above and try again.",
                "extra_errors": [{"message": str(exc)}],
                "retry_url": request.path,
            }
            return render(request, "web/refused.html", context, status=400)

    return wrapped
