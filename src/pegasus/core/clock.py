"""Pegasus's one clock: today in Europe/London, and the date pages, the API and commands read the estate as at.

The as-at date is `PEGASUS_AS_AT` when the deployment fixes one (a demo, a benchmark), otherwise today in London.
"""

from datetime import date, datetime

from django.conf import settings

from pegasus.core import bounds
from pegasus.core.calendar import LONDON_ZONE
from pegasus.core.exceptions import OutOfBounds

AS_AT_NOT_A_DATE = "Enter the as-at date as a real date, for example 2019-05-23"
AS_AT_LABEL = "As at"


def london_today() -> date:
    return datetime.now(LONDON_ZONE).date()


def default_as_at() -> date:
    """The as-at date when none is asked for: `PEGASUS_AS_AT`, or today in London."""
    return settings.PEGASUS_AS_AT or london_today()


def as_at_from(value: str | None) -> tuple[date, str]:
    """The date a page reads the estate as at, from its `as_at` parameter, and an error when it is not a date or
    lies outside the dates Pegasus can compute with (the default date is used then)."""
    if not value:
        return default_as_at(), ""
    try:
        as_at = date.fromisoformat(value)
    except ValueError:
        return default_as_at(), AS_AT_NOT_A_DATE
    try:
        return bounds.check_date(as_at, AS_AT_LABEL), ""
    except OutOfBounds as exc:
        return default_as_at(), str(exc)
