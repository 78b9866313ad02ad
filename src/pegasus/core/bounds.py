"""The bounds every way into Pegasus (pages, imports, the API, commands) applies to what it reads and stores.

Pure Python: plain values in, the checked value out, or `OutOfBounds` (a `RuleViolation` and a `ValueError`)
whose message names the field. A value that passes can be stored, shown, exported and published: no date that
the term arithmetic carries past year 9999, no count that overflows a database integer, no text with control
characters that breaks a CSV, a PDF or the OCDS feed.
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from pegasus.core.exceptions import OutOfBounds

# Dates: the ICT estate of a public body, from its oldest contracts to well past any term it could sign now.
MIN_DATE = date(1990, 1, 1)
MAX_DATE = date(2100, 12, 31)
# Notice, renewal and option lengths: ten years is already far beyond any ICT contract.
MIN_MONTHS = 1
MAX_MONTHS = 120
MAX_RENEWALS = 99
MAX_OPTIONS = 20  # extension options on one contract
# Money in pounds: a trillion is beyond any contract, and leaves room for sums of many of them.
MAX_MONEY = Decimal(10) ** 12
MONEY_PLACES = 2
# Counts read from a request or a command line (a page number, an offset, an id, a number of days).
MAX_INT = 2**31 - 1
MAX_PAGE = 100_000
MAX_DAYS = 36_525  # a century
# Free text with no column limit (a description, a note): pages of it, not a file's worth.
MAX_LONG_TEXT = 20_000

DATE_OUT_OF_RANGE = "{field}: enter a date from {lo:%d %B %Y} to {hi:%d %B %Y}."
DATE_NOT_VALID = "{field}: enter a real date as YYYY-MM-DD."
INT_OUT_OF_RANGE = "{field}: enter a whole number from {lo:,} to {hi:,}."
INT_NOT_VALID = "{field}: enter a whole number."
MONEY_OUT_OF_RANGE = "{field}: enter an amount from £{lo:,} to £{hi:,}."
MONEY_NOT_VALID = "{field}: enter an amount in pounds with at most two decimal places."
TEXT_HAS_CONTROL_CHARACTER = "{field}: remove the control character at position {position}."
TEXT_TOO_LONG = "{field}: enter at most {max_length:,} characters."

# Tab, line feed and carriage return are allowed where text may run over several lines.
_LINE_BREAKS = {"\t", "\n", "\r"}


def check_date(value: date, field: str, lo: date = MIN_DATE, hi: date = MAX_DATE) -> date:
    """`value` if it is a date from `lo` to `hi`."""
    if not isinstance(value, date) or not lo <= _as_date(value) <= hi:
        raise OutOfBounds(field, DATE_OUT_OF_RANGE.format(field=field, lo=lo, hi=hi))
    return value


def parse_date(text: str, field: str, lo: date = MIN_DATE, hi: date = MAX_DATE) -> date:
    """A YYYY-MM-DD date read from text (a query parameter, a command's argument), within bounds."""
    try:
        value = date.fromisoformat(str(text).strip())
    except ValueError:
        raise OutOfBounds(field, DATE_NOT_VALID.format(field=field)) from None
    return check_date(value, field, lo, hi)


def check_int(value: int, field: str, lo: int = 0, hi: int = MAX_INT) -> int:
    """`value` if it is a whole number (not a bool) from `lo` to `hi`."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise OutOfBounds(field, INT_NOT_VALID.format(field=field))
    if not lo <= value <= hi:
        raise OutOfBounds(field, INT_OUT_OF_RANGE.format(field=field, lo=lo, hi=hi))
    return value


def parse_int(text: str, field: str, lo: int = 0, hi: int = MAX_INT) -> int:
    """A whole number read from text, within bounds; the text's length is checked before it is converted."""
    text = str(text).strip()
    digits = text[1:] if text[:1] in "+-" else text
    if not digits.isascii() or not digits.isdigit():
        raise OutOfBounds(field, INT_NOT_VALID.format(field=field))
    if len(digits.lstrip("0")) > len(str(max(abs(lo), abs(hi)))):
        raise OutOfBounds(field, INT_OUT_OF_RANGE.format(field=field, lo=lo, hi=hi))
    return check_int(int(text), field, lo, hi)


def check_months(value: int, field: str, lo: int = MIN_MONTHS, hi: int = MAX_MONTHS) -> int:
    """A length in months (an option, a renewal, a notice period)."""
    return check_int(value, field, lo, hi)


def check_money(value: Decimal, field: str, lo: Decimal = Decimal(0), hi: Decimal = MAX_MONEY) -> Decimal:
    """`value` if it is a finite Decimal of pounds, to at most two places, from `lo` to below `hi`."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = Decimal(value)
    if not isinstance(value, Decimal) or not value.is_finite():
        raise OutOfBounds(field, MONEY_NOT_VALID.format(field=field))
    try:
        places = -value.normalize().as_tuple().exponent  # type: ignore[operator]
    except InvalidOperation:
        raise OutOfBounds(field, MONEY_NOT_VALID.format(field=field)) from None
    if not lo <= value < hi:
        raise OutOfBounds(field, MONEY_OUT_OF_RANGE.format(field=field, lo=lo, hi=hi))
    if places > MONEY_PLACES:
        raise OutOfBounds(field, MONEY_NOT_VALID.format(field=field))
    return value


def check_text(value: str, field: str, max_length: int | None = None, multiline: bool = False) -> str:
    """`value` if it has no control characters (line breaks and tabs only where `multiline`) and fits."""
    for position, char in enumerate(value, start=1):
        if _is_control(char) and not (multiline and char in _LINE_BREAKS):
            raise OutOfBounds(field, TEXT_HAS_CONTROL_CHARACTER.format(field=field, position=position))
    if max_length is not None and len(value) > max_length:
        raise OutOfBounds(field, TEXT_TOO_LONG.format(field=field, max_length=max_length))
    return value


def _is_control(char: str) -> bool:
    # C0 and C1 controls and DEL; also the Unicode line and paragraph separators, which break CSV and JSON lines.
    code = ord(char)
    return code < 0x20 or 0x7F <= code <= 0x9F or char in "\u2028\u2029"


def _as_date(value: date) -> date:
    # A datetime is a date too; compare its day.
    return value.date() if hasattr(value, "date") and callable(value.date) else value
