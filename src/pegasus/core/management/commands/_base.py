"""Shared behaviour of Pegasus commands: bad input exits 2 with one line on stderr naming what is wrong."""

import json
import sys
from datetime import date
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError


class BadInput(CommandError):
    """Bad input: printed as one line on stderr, exit status 2."""

    def __init__(self, message: str):
        super().__init__(message, returncode=2)


def parse_date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadInput(f"{field}: {value!r} is not a date (YYYY-MM-DD)") from None


def to_json(value) -> str:
    def default(obj):
        if isinstance(obj, Decimal):
            return str(obj)
        if isinstance(obj, date):
            return obj.isoformat()
        raise TypeError(f"{type(obj).__name__} is not JSON serialisable")

    return json.dumps(value, default=default, indent=2)


class PegasusCommand(BaseCommand):
    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except BadInput as exc:
            sys.stderr.write(f"error: {exc}\n")
            sys.exit(2)
