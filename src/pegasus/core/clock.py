"""Pegasus's one clock: today in Europe/London, the date pages, the API and commands read the estate as at, and the
instant a service stamps on what it records.

The as-at date is `PEGASUS_AS_AT` when the deployment fixes one (a demo, a benchmark), otherwise today in London.

The instant is now, except while a story is told (`story_at`): the demo loads each step of the programme at the
moment it happened in the programme's own time (PCD 579 decided on 10 June 2019, not the day the demo was loaded),
so that every record, history version and audit event it makes carries that moment. Django stamps `auto_now_add`
fields and django-simple-history its versions from its own clock; `on_history_record` puts the story's instant on
both for every model with a history.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from pegasus.core import bounds
from pegasus.core.calendar import LONDON_ZONE
from pegasus.core.exceptions import OutOfBounds

AS_AT_NOT_A_DATE = "Enter the as-at date as a real date, for example 2019-05-23"
AS_AT_LABEL = "As at"
STORY_INSTANT_NOT_AWARE = "A story's instant must be an aware datetime"

_story: ContextVar[datetime | None] = ContextVar("pegasus_story_instant", default=None)


def london_today() -> date:
    """Today in London: the day of the story's instant while one is told."""
    instant = _story.get()
    return (instant or datetime.now(LONDON_ZONE)).astimezone(LONDON_ZONE).date()


def default_as_at() -> date:
    """The as-at date when none is asked for: the story's day while one is told, else `PEGASUS_AS_AT`, or today in
    London."""
    if _story.get() is not None:
        return london_today()
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


def as_at_end(as_at: date) -> datetime:
    """The last instant of an as-at day in London: what was recorded at or before it had happened by that day."""
    return datetime.combine(as_at, datetime.max.time(), tzinfo=LONDON_ZONE)


def now() -> datetime:
    """The instant a service records: now, or the story's instant while one is told."""
    return _story.get() or timezone.now()


def london_instant(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """A moment of a day in London, as the demo names the moments of its story."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON_ZONE)


@contextmanager
def story_at(instant: datetime) -> Iterator[datetime]:
    """Record what is done inside at `instant` (the demo's moments of the programme), then return to now."""
    if timezone.is_naive(instant):
        raise ValueError(STORY_INSTANT_NOT_AWARE)
    token = _story.set(instant)
    try:
        yield instant
    finally:
        _story.reset(token)


def on_history_record(sender, instance: models.Model, history_instance: models.Model, **kwargs) -> None:
    """While a story is told, a history version and the `auto_now_add` instants of a new record take its instant."""
    instant = _story.get()
    if instant is None:
        return
    history_instance.history_date = instant  # type: ignore[attr-defined]
    if history_instance.history_type != "+":  # type: ignore[attr-defined]
        return
    stamped = {
        field.attname: instant
        for field in instance._meta.concrete_fields
        if isinstance(field, models.DateTimeField) and (field.auto_now_add or field.auto_now)  # type: ignore[attr-defined]
    }
    if stamped:
        type(instance)._base_manager.filter(pk=instance.pk).update(**stamped)
        for attname, value in stamped.items():
            setattr(instance, attname, value)
            setattr(history_instance, attname, value)
