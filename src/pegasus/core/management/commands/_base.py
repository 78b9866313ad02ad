"""Shared behaviour of Pegasus commands: bad input exits 2 with one line on stderr naming what is wrong.

Arguments and files are read through `pegasus.core.reading` and `pegasus.core.bounds`: documents no deeper than
`reading.MAX_DEPTH`, numbers and dates within bounds, each refusal naming the option, file, line or field.
"""

import json
import sys
from datetime import date
from decimal import Decimal, DecimalException
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pegasus.core import bounds, reading
from pegasus.core.exceptions import OutOfBounds

# The last resort, for an input that slipped past its reader's bounds: still one line and exit 2, never a traceback.
UNREADABLE = "the input is too large, too deeply nested or out of range to be read ({kind})"


class BadInput(CommandError):
    """Bad input: printed as one line on stderr, exit status 2."""

    def __init__(self, message: str):
        super().__init__(message, returncode=2)


def parse_date(value: str, field: str, lo: date = bounds.MIN_DATE, hi: date = bounds.MAX_DATE) -> date:
    """A YYYY-MM-DD option within `lo`..`hi` (by default the dates every way into Pegasus accepts)."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise BadInput(f"{field}: {value!r} is not a date (YYYY-MM-DD)") from None
    try:
        return bounds.check_date(day, field, lo, hi)
    except OutOfBounds as exc:
        raise BadInput(str(exc)) from None


def parse_int(value: str, field: str, lo: int = 0, hi: int = bounds.MAX_INT) -> int:
    """A whole-number option within `lo`..`hi`, its length checked before it is converted."""
    try:
        return bounds.parse_int(value, field, lo, hi)
    except OutOfBounds as exc:
        raise BadInput(str(exc)) from None


def read_json(name: str):
    """The JSON document in file `name` (- for standard input), its numbers with a point read as Decimals so that
    amounts stay exactly as written (0.1 stays 0.1); BadInput names the file and the line at fault (bad JSON,
    nesting deeper than `reading.MAX_DEPTH`, a number literal too long, NaN or Infinity)."""
    try:
        # Standard input as bytes: its text encoding depends on the locale, and may let bad bytes through.
        raw = getattr(sys.stdin, "buffer", None)
        text = (raw.read().decode() if raw else sys.stdin.read()) if name == "-" else Path(name).read_text("utf-8")
    except OSError as exc:
        raise BadInput(f"{name}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise BadInput(f"{name}: not UTF-8 text") from None
    try:
        return reading.load_json(text)
    except reading.DocumentError as exc:
        raise BadInput(f"{name}: {exc}") from None


def to_json(value) -> str:
    def default(obj):
        if isinstance(obj, Decimal):
            return str(obj)
        if isinstance(obj, date):
            return obj.isoformat()
        raise TypeError(f"{type(obj).__name__} is not JSON serialisable")

    return json.dumps(value, default=default, indent=2)


def _one_line(message: str) -> str:
    return "; ".join(line.strip() for line in str(message).splitlines() if line.strip())


def _quiet_usage(parser) -> None:
    """Bad arguments are one line too: argparse prints its usage block before the error, which makes several."""
    parser.print_usage = lambda file=None: None
    for action in parser._actions:
        for sub in getattr(action, "choices", None) or {}:
            if isinstance(action.choices, dict):
                _quiet_usage(action.choices[sub])


class PegasusCommand(BaseCommand):
    # Django's system checks import every page, the API and what they draw with (about two seconds) before a
    # command may answer. `pegasus check` runs them, as does every Django command that changes the database or
    # serves (`migrate`, and `serve` runs the deployment checks itself in production).
    requires_system_checks: list[str] = []

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        _quiet_usage(parser)
        return parser

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except (BadInput, OutOfBounds) as exc:
            message = str(exc)
        except (RecursionError, MemoryError, OverflowError, DecimalException) as exc:
            message = UNREADABLE.format(kind=type(exc).__name__)
        sys.stderr.write(f"error: {_one_line(message)}\n")
        sys.exit(2)
