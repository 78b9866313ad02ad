"""Shared behaviour of Pegasus commands: bad input exits 2 with one line on stderr naming what is wrong."""

import json
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

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


def read_json(name: str):
    """The JSON document in file `name` (- for standard input), its numbers with a point read as Decimals so that
    amounts stay exactly as written (0.1 stays 0.1); BadInput names the file and, for bad JSON, the line."""
    try:
        text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"{name}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise BadInput(f"{name}: not UTF-8 text") from None
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise BadInput(f"{name}: not JSON: line {exc.lineno} column {exc.colno}: {exc.msg}") from None


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
