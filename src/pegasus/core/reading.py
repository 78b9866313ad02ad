"""Reading what a file or a command line hands Pegasus, within bounds. Pure Python, no Django.

Every file reader (the lot optimiser's problem, a tender to evaluate, an SLA file, OCDS packages) and every command
goes through these, so that no input can exhaust the stack, the clock or the memory before it is rejected:

- `load_json` and `load_yaml`: a document at most `MAX_DEPTH` levels deep, checked without recursing (brackets are
  counted before the JSON parser runs; the YAML composer counts its own depth), with no number literal longer than
  `MAX_NUMBER_CHARS` (converting a 100,000-digit integer takes seconds) and, in JSON, no NaN or Infinity. JSON
  numbers with a point or an exponent are read as `Decimal`, exactly as written. Both raise `DocumentError`, whose
  message gives the line at fault; the caller puts the file's name in front.
- `decimal_in_bounds`: a number (int, Decimal, float or, where allowed, text) checked for magnitude and decimal
  places before any arithmetic is done on it, so that `1e999999999` is refused rather than computed with.
- Dates are checked with `pegasus.core.bounds` (`MIN_DATE`..`MAX_DATE`, one range for every way in).

`OutOfBounds` (from `pegasus.core.exceptions`) names the field; readers re-raise it as their own error type.
"""

import json
import math
import re
from decimal import Decimal, InvalidOperation
from itertools import accumulate
from typing import Any

import yaml

from pegasus.core.exceptions import InputError, OutOfBounds

__all__ = ["MAX_DEPTH", "MAX_NUMBER_CHARS", "DocumentError", "decimal_in_bounds", "load_json", "load_yaml"]

# Nesting levels of a JSON or YAML document: Pegasus's own formats need five, OCDS releases about ten.
MAX_DEPTH = 64
# Characters of one number literal, sign and exponent included: far more than any amount, far less than slow.
MAX_NUMBER_CHARS = 100
# Values in a YAML document once its aliases are expanded: far more than any SLA file, far fewer than slow.
MAX_VALUES = 1_000_000
# Digits before the point, and decimal places, of any number read: Decimal's precision, so that sums of inputs and
# their rounding stay exact.
MAX_DIGITS = 28

TOO_DEEP = "line {line}: nested more than {depth} levels deep"
NUMBER_TOO_LONG = "line {line}: a number of {length:,} characters (at most {limit})"
NOT_A_JSON_NUMBER = "line {line}: {constant} is not a number JSON allows"
FLOAT_OUT_OF_RANGE = "line {line}: {constant} is out of range"
NOT_JSON = "not JSON: line {line} column {column}: {message}"
NOT_YAML = "not valid YAML ({message})"
TOO_MANY_VALUES = "more than {limit:,} values once its aliases are expanded"

NUMBER_NOT_VALID = "{field}: {value} is not {what}"
NUMBER_TOO_SMALL = "{field}: {value} is below {lo:,}"
NUMBER_TOO_LARGE = "{field}: {value} is above {hi:,}"
NUMBER_NOT_ABOVE = "{field}: {value} must be more than {above:,}"
NUMBER_TOO_PRECISE = "{field}: {value} has more than {places} decimal places"


class DocumentError(InputError):
    """A JSON or YAML document that cannot be read safely or at all; the message gives the line at fault."""


def _shown(value: object) -> str:
    if isinstance(value, int) and value.bit_length() > 512:
        return f"a whole number of {value.bit_length() * 3 // 10:,} digits or so"
    text = repr(value) if isinstance(value, str) else str(value)
    length = len(value) if isinstance(value, str) else len(text)
    return text if len(text) <= 40 else f"{text[:30]}... ({length:,} characters)"


def _line(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


# --- JSON ---------------------------------------------------------------------------------------------------------

# A JSON string (its escapes included) or one bracket: brackets inside strings do not nest anything.
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1, ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}
_NOT_BRACKET = bytes(i for i in range(256) if chr(i) not in "[]{}")


def json_depth_check(text: str, limit: int = MAX_DEPTH) -> None:
    """DocumentError when brackets outside strings nest deeper than `limit`; no recursion, linear time.

    Fast path (about a second for 100 MB): drop escaped backslashes and quotes, keep every other piece between
    quotes (the text outside strings), keep only its brackets and take the running sum's maximum, all in C."""
    if text.count("[") + text.count("{") <= limit:
        return
    plain = text.replace("\\\\", "").replace('\\"', "") if "\\" in text else text
    brackets = "".join(plain.split('"')[::2]).encode("ascii", "ignore").translate(None, _NOT_BRACKET)
    if not brackets or max(accumulate(map(_STEP.__getitem__, brackets))) <= limit:
        return
    depth = 0  # rare: find the line of the first bracket too deep
    for match in _TOKEN.finditer(text):
        depth += _STEP.get(match.group(), 0)
        if depth > limit:
            raise DocumentError(TOO_DEEP.format(line=_line(text, match.start()), depth=limit))
    raise DocumentError(TOO_DEEP.format(line=1, depth=limit))


class _LiteralRefused(Exception):
    def __init__(self, literal: str, message: str):
        self.literal = literal
        self.message = message


def _int_literal(literal: str) -> int:
    if len(literal) > MAX_NUMBER_CHARS:
        raise _LiteralRefused(literal, NUMBER_TOO_LONG)
    return int(literal)


def _decimal_literal(literal: str) -> Decimal:
    if len(literal) > MAX_NUMBER_CHARS:
        raise _LiteralRefused(literal, NUMBER_TOO_LONG)
    return Decimal(literal)


def _float_literal(literal: str) -> float:
    if len(literal) > MAX_NUMBER_CHARS:
        raise _LiteralRefused(literal, NUMBER_TOO_LONG)
    number = float(literal)
    if math.isinf(number):  # stored as it is read, it would be written back as Infinity, which is not JSON
        raise _LiteralRefused(literal, FLOAT_OUT_OF_RANGE)
    return number


def _constant(literal: str) -> Any:
    raise _LiteralRefused(literal, NOT_A_JSON_NUMBER)


def load_json(text: str, *, decimals: bool = True) -> Any:
    """The JSON document in `text`, numbers with a point or exponent as Decimal (exactly as written) or, when not
    `decimals`, as finite floats (for documents stored as they are read); DocumentError names the line."""
    json_depth_check(text)
    floats = _decimal_literal if decimals else _float_literal
    try:
        return json.loads(text, parse_float=floats, parse_int=_int_literal, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise DocumentError(NOT_JSON.format(line=exc.lineno, column=exc.colno, message=exc.msg)) from None
    except _LiteralRefused as exc:
        line = _line(text, max(text.find(exc.literal), 0))
        raise DocumentError(
            exc.message.format(line=line, length=len(exc.literal), limit=MAX_NUMBER_CHARS, constant=exc.literal)
        ) from None
    except RecursionError:  # pragma: no cover - the depth check runs first; kept should the limit be raised
        raise DocumentError(TOO_DEEP.format(line=1, depth=MAX_DEPTH)) from None


# --- YAML ---------------------------------------------------------------------------------------------------------


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing documents nested deeper than MAX_DEPTH and number literals too long.

    Only the composer recurses (scanner and parser keep their own stacks, the constructor its generators), so
    counting its depth keeps the whole load off Python's recursion limit."""

    depth = 0

    def compose_node(self, parent, index):
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise DocumentError(TOO_DEEP.format(line=mark.line + 1, depth=MAX_DEPTH))
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _bounded_number(constructor):
    def construct(loader, node):
        if len(str(node.value)) > MAX_NUMBER_CHARS:
            raise DocumentError(
                NUMBER_TOO_LONG.format(line=node.start_mark.line + 1, length=len(node.value), limit=MAX_NUMBER_CHARS)
            )
        return constructor(loader, node)

    return construct


_BoundedLoader.add_constructor("tag:yaml.org,2002:int", _bounded_number(yaml.SafeLoader.construct_yaml_int))
_BoundedLoader.add_constructor("tag:yaml.org,2002:float", _bounded_number(yaml.SafeLoader.construct_yaml_float))


def load_yaml(text: str) -> Any:
    """The YAML document in `text` (safe tags only); DocumentError names the line or gives YAML's reason."""
    try:
        data = yaml.load(text, Loader=_BoundedLoader)  # noqa: S506 - a SafeLoader with bounds
    except yaml.YAMLError as exc:
        raise DocumentError(NOT_YAML.format(message=str(exc).splitlines()[0] if str(exc) else "unreadable")) from None
    except RecursionError:  # pragma: no cover - the composer's depth check runs first
        raise DocumentError(TOO_DEEP.format(line=1, depth=MAX_DEPTH)) from None
    _expanded_size_check(data)
    return data


def _expanded_size_check(data: Any, limit: int = MAX_VALUES) -> None:
    """DocumentError when the document, its aliases expanded, holds more than `limit` values.

    YAML aliases share one node between many places: nine anchors of nine aliases each stand for 387 million
    values, and an alias inside its own anchor for infinitely many. Whatever reads or prints the document walks
    it expanded, so it is walked here first, iteratively, and the walk stops at the limit."""
    stack, seen = [data], 0
    while stack:
        value = stack.pop()
        seen += 1
        if seen > limit:
            raise DocumentError(TOO_MANY_VALUES.format(limit=limit))
        if isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)


# --- Numbers and dates --------------------------------------------------------------------------------------------


def decimal_in_bounds(
    value: object,
    field: str,
    *,
    lo: Decimal | int | None = None,
    hi: Decimal | int | None = None,
    above: Decimal | int | None = None,
    places: int = MAX_DIGITS,
    text: bool = True,
    what: str = "a number",
) -> Decimal:
    """`value` as a Decimal if it is a finite number within the bounds given, checked before any arithmetic.

    Accepts int, Decimal and float (read through its shortest repr) and, when `text`, a string such as "1,250.50".
    `lo`/`hi` are inclusive, `above` exclusive, `places` caps the decimal places; whatever the bounds, a number
    has fewer than MAX_DIGITS digits before the point and at most MAX_DIGITS after it. OutOfBounds names `field`
    (and says "is not `what`" of what is not a finite number at all).
    """
    shown = _shown(value)
    number: Decimal
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise OutOfBounds(field, NUMBER_NOT_VALID.format(field=field, value=shown, what=what))
    if isinstance(value, str) and not text:
        raise OutOfBounds(field, NUMBER_NOT_VALID.format(field=field, value=shown, what=what))
    if isinstance(value, int):
        if abs(value) >= 10**MAX_DIGITS:
            raise OutOfBounds(field, NUMBER_TOO_LARGE.format(field=field, value=shown, hi=_limit(hi)))
        number = Decimal(value)
    elif isinstance(value, Decimal):
        number = value
    else:
        raw = repr(value) if isinstance(value, float) else value.strip().replace(",", "")
        if len(raw) > MAX_NUMBER_CHARS:
            raise OutOfBounds(field, NUMBER_NOT_VALID.format(field=field, value=shown, what=what))
        try:
            number = Decimal(raw)
        except (InvalidOperation, ValueError):
            raise OutOfBounds(field, NUMBER_NOT_VALID.format(field=field, value=shown, what=what)) from None
    if not number.is_finite():
        raise OutOfBounds(field, NUMBER_NOT_VALID.format(field=field, value=shown, what=what))
    # Only the exponent and the digits are looked at: nothing here expands 1e999999999 into its digits.
    sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    if any(digits) and number.adjusted() >= MAX_DIGITS:
        raise OutOfBounds(field, NUMBER_TOO_LARGE.format(field=field, value=shown, hi=_limit(hi)))
    trailing = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    if any(digits) and -(exponent + trailing) > min(places, MAX_DIGITS):  # 0.000 is zero, whatever its places
        raise OutOfBounds(field, NUMBER_TOO_PRECISE.format(field=field, value=shown, places=min(places, MAX_DIGITS)))
    if lo is not None and number < lo:
        raise OutOfBounds(field, NUMBER_TOO_SMALL.format(field=field, value=shown, lo=lo))
    if hi is not None and number > hi:
        raise OutOfBounds(field, NUMBER_TOO_LARGE.format(field=field, value=shown, hi=hi))
    if above is not None and number <= above:
        raise OutOfBounds(field, NUMBER_NOT_ABOVE.format(field=field, value=shown, above=above))
    return number


def _limit(hi: Decimal | int | None) -> Decimal | int:
    return hi if hi is not None and hi < 10**MAX_DIGITS else 10**MAX_DIGITS
