"""The economic case's options appraisal, as HM Treasury's Green Book sets it out. Plain values in, plain values out.

- Costs and benefits are in real terms, one row a year; year 0 is the first year and is not discounted.
- Discounting at the Green Book's social time preference rate: 3.5% a year to year 30, 3.0% from year 31. The
  discount factor of year t is 1/1.035^t for t <= 30 and 1/(1.035^30 x 1.03^(t-30)) for t >= 31.
- Optimism bias is a stated percentage added to costs: each year's costs are multiplied by (1 + percent/100) before
  they are discounted. Benefits are not adjusted.
- Present costs and present benefits are the discounted sums; net present value (NPV) = present benefits - present
  costs. They are computed exactly and rounded ONCE, at the end, to pennies with ROUND_HALF_UP (half a penny rounds
  away from zero). Each year's divisor (1.035^t, or 1.035^30 x 1.03^(t-30)) is a finite decimal, so every sum is
  taken over one common divisor with no rounding at all, and divided once at a precision of a thousand digits; a value
  exactly half a penny is therefore seen as such.
- Ranks: 1 is the highest NPV. Options whose NPVs are exactly equal keep the order they were given in (the earlier
  one ranks higher). The preferred option is the one ranked 1.
- Switching values (the Green Book's sensitivity test): for the preferred option, how far its present costs would have
  to rise, or its present benefits fall, for the next-best option's NPV to equal its own; for every other option, how
  far its present costs would have to fall for its NPV to equal the preferred option's. Each is given in pounds
  (rounded once, as above) and as a percentage of the present total it changes (to 0.1%, half up; None when that
  total is nil). A fall larger than the whole present cost cannot happen: `reachable` says so.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, Inexact, InvalidOperation, localcontext
from typing import Any

from pegasus.core.bounds import MAX_MONEY, check_text
from pegasus.core.exceptions import InputError, OutOfBounds
from pegasus.core.money import format_millions, format_pounds

RATE_TO_30 = Decimal("1.035")
RATE_FROM_31 = Decimal("1.03")
LAST_YEAR_AT_35 = 30
MAX_YEAR = 200  # the longest appraisal period a business case holds (`models.OptionYear.year`)
MAX_BIAS_PERCENT = Decimal(1000)
MAX_NAME = 200  # `models.AppraisalOption.name`
PENNY = Decimal("0.01")
TENTH = Decimal("0.1")
# Enough digits for every product below to be exact: the common divisor of year 200 has about 440 digits.
EXACT = Context(prec=2000, traps=[Inexact, InvalidOperation])
DIVIDE = Context(prec=1000, rounding=ROUND_HALF_UP, traps=[InvalidOperation])
FACTOR_DIGITS = 50  # discount factors are shown and tested to 50 significant digits

NO_OPTIONS = "options: give at least one option to appraise"
NOT_A_LIST = "{where}: must be a list"
NOT_AN_OBJECT = "{where}: must be an object"
MISSING = "{where}: {key} is missing"
UNKNOWN_KEY = "{where}: {key} is not a field of an option (name, optimism_bias_percent, years)"
UNKNOWN_YEAR_KEY = "{where}: {key} is not a field of a year (year, costs, benefits)"
BAD_NAME = "{where}: name must be text of 1 to 200 characters"
DUPLICATE_NAME = "{where}: option {name!r} is named twice"
BAD_YEAR = "{where}: year must be a whole number from 0 to {most}, not {value}"
DUPLICATE_YEAR = "option {name!r}: year {year} is given twice"
NOT_AMOUNT = "option {name!r}: year {year}: {key} must be an amount in pounds and pence, not {value}"
NEGATIVE = "option {name!r}: year {year}: {key} must be £0.00 or more, not {value}"
TOO_LARGE = "option {name!r}: year {year}: {key} must be less than £1,000,000,000,000"
BAD_BIAS = (
    "option {name!r}: optimism_bias_percent must be a number from 0 to 1000 with at most 2 decimals, not {value!r}"
)


class AppraisalInputError(InputError):
    """An appraisal that cannot be computed as given; the message names the option, the year and the field."""


@dataclass(frozen=True)
class Year:
    """One year's costs and benefits of an option, in real terms, before optimism bias."""

    year: int
    costs: Decimal
    benefits: Decimal


@dataclass(frozen=True)
class Option:
    name: str
    years: tuple[Year, ...]
    optimism_bias_percent: Decimal = Decimal(0)


@dataclass(frozen=True)
class OptionResult:
    """An option's present values (pennies, rounded once) and its rank (1 is the highest NPV)."""

    name: str
    present_costs: Decimal
    present_benefits: Decimal
    npv: Decimal
    rank: int


@dataclass(frozen=True)
class SwitchingValue:
    """How far `quantity` ("costs" or "benefits", present values) of `option` would have to move (`direction` "rise"
    or "fall") for its NPV to equal `other`'s; `percent` of its present total, None when that total is nil."""

    option: str
    quantity: str
    direction: str
    amount: Decimal
    percent: Decimal | None
    other: str
    reachable: bool = True

    def sentence(self) -> str:
        """In words, as a board paper says it."""
        amount = format_millions(self.amount) if self.amount >= 1_000_000 else format_pounds(self.amount)
        share = f" ({self.percent}%)" if self.percent is not None else ""
        whose = _possessive(self.option)
        if self.direction == "fall" and self.quantity == "costs" and self.option != self.other:
            text = f"{whose} costs would have to fall by {amount}{share} for it to match {self.other}"
        else:
            change = f"{self.direction} by {amount}{share}"
            text = f"{whose} {self.quantity} would have to {change} for {self.other} to match it"
        if not self.reachable:
            text += f": more than all its {self.quantity}, so no change in its {self.quantity} alone would do it"
        return text


def _possessive(name: str) -> str:
    return name + ("'" if name.endswith("s") else "'s")


@dataclass(frozen=True)
class Appraisal:
    options: tuple[OptionResult, ...]  # in the order given
    preferred: str
    switching: tuple[SwitchingValue, ...]

    def ranked(self) -> list[OptionResult]:
        return sorted(self.options, key=lambda o: o.rank)


def discount_divisor(year: int) -> Decimal:
    """What year `year`'s amounts are divided by: 1.035^t to year 30, 1.035^30 x 1.03^(t-30) after. Exact."""
    _check_year(year, f"year {year}")
    with localcontext(EXACT):
        if year <= LAST_YEAR_AT_35:
            return RATE_TO_30**year
        return RATE_TO_30**LAST_YEAR_AT_35 * RATE_FROM_31 ** (year - LAST_YEAR_AT_35)


def discount_factor(year: int) -> Decimal:
    """The Green Book discount factor of year `year` (1 for year 0), to 50 significant digits."""
    with localcontext(Context(prec=FACTOR_DIGITS, rounding=ROUND_HALF_UP)):
        return Decimal(1) / discount_divisor(year)


def _pennies(value: Decimal) -> Decimal:
    return value.quantize(PENNY, rounding=ROUND_HALF_UP, context=DIVIDE)


def _percent(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    with localcontext(DIVIDE):
        return (part / whole * 100).quantize(TENTH, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class _Exact:
    """An option's present values before rounding (to a thousand digits)."""

    costs: Decimal
    benefits: Decimal

    @property
    def npv(self) -> Decimal:
        with localcontext(DIVIDE):
            return self.benefits - self.costs


def _present(option: Option) -> _Exact:
    """Sum every year over one common divisor exactly, then divide once."""
    if not option.years:
        return _Exact(Decimal(0), Decimal(0))
    last = max(y.year for y in option.years)
    common = discount_divisor(last)
    with localcontext(EXACT):
        uplift = 1 + option.optimism_bias_percent / 100
        costs = benefits = Decimal(0)
        for row in option.years:
            # common / divisor(t) is itself a finite decimal: the rates from year t to the last year.
            carry = common / discount_divisor(row.year)
            costs += row.costs * uplift * carry
            benefits += row.benefits * carry
    with localcontext(DIVIDE):
        return _Exact(costs / common, benefits / common)


def appraise(options: Sequence[Option]) -> Appraisal:
    """Present costs, present benefits, NPV and rank of each option, the preferred option and the switching values."""
    check_options(options)
    exact = [_present(o) for o in options]
    # A stable sort, reversed, keeps options of equal NPV in the order given.
    order = sorted(range(len(options)), key=lambda i: exact[i].npv, reverse=True)
    rank = {i: r for r, i in enumerate(order, start=1)}
    results = tuple(
        OptionResult(
            name=o.name,
            present_costs=_pennies(e.costs),
            present_benefits=_pennies(e.benefits),
            npv=_pennies(e.npv),
            rank=rank[i],
        )
        for i, (o, e) in enumerate(zip(options, exact, strict=True))
    )
    best = order[0]
    return Appraisal(results, options[best].name, tuple(_switching(options, exact, order)))


def _switching(options: Sequence[Option], exact: list[_Exact], order: list[int]) -> Iterable[SwitchingValue]:
    best = order[0]
    name, top = options[best].name, exact[best]
    if len(order) > 1:
        runner = order[1]
        with localcontext(DIVIDE):
            gap = top.npv - exact[runner].npv
        for quantity, direction, total in (("costs", "rise", top.costs), ("benefits", "fall", top.benefits)):
            yield SwitchingValue(
                option=name,
                quantity=quantity,
                direction=direction,
                amount=_pennies(gap),
                percent=_percent(gap, total),
                other=options[runner].name,
                reachable=direction == "rise" or gap <= total,
            )
    for i in order[1:]:
        with localcontext(DIVIDE):
            gap = top.npv - exact[i].npv
        yield SwitchingValue(
            option=options[i].name,
            quantity="costs",
            direction="fall",
            amount=_pennies(gap),
            percent=_percent(gap, exact[i].costs),
            other=name,
            reachable=gap <= exact[i].costs,
        )


# --- Checking the input --------------------------------------------------------------------------------------------


def _check_name(name: Any, where: str) -> str:
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
        raise AppraisalInputError(BAD_NAME.format(where=where))
    try:
        return check_text(name, f"{where}: name")
    except OutOfBounds as exc:
        raise AppraisalInputError(str(exc)) from None


def _shown(value: Any) -> str:
    """A value as the message quotes it: a number as written, anything else as Python shows it."""
    text = str(value) if isinstance(value, Decimal | int) and not isinstance(value, bool) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _check_year(year: Any, where: str) -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not 0 <= year <= MAX_YEAR:
        raise AppraisalInputError(BAD_YEAR.format(where=where, most=MAX_YEAR, value=_shown(year)))
    return year


def check_options(options: Sequence[Option]) -> None:
    """AppraisalInputError naming the option and year unless every option is named once, and every year of it is a
    whole number from 0 to 200 given once with costs and benefits of £0.00 or more."""
    if not options:
        raise AppraisalInputError(NO_OPTIONS)
    names: set[str] = set()
    for number, option in enumerate(options, start=1):
        where = f"options[{number}]"
        _check_name(option.name, where)
        if option.name in names:
            raise AppraisalInputError(DUPLICATE_NAME.format(where=where, name=option.name))
        names.add(option.name)
        bias = option.optimism_bias_percent
        if not _is_amount(bias) or not 0 <= bias <= MAX_BIAS_PERCENT:
            raise AppraisalInputError(BAD_BIAS.format(name=option.name, value=_shown(bias)))
        seen: set[int] = set()
        for row in option.years:
            year = _check_year(row.year, f"option {option.name!r}: {where}")
            if year in seen:
                raise AppraisalInputError(DUPLICATE_YEAR.format(name=option.name, year=year))
            seen.add(year)
            for key in ("costs", "benefits"):
                value = getattr(row, key)
                facts = {"name": option.name, "year": year, "key": key}
                if not _is_amount(value):
                    raise AppraisalInputError(NOT_AMOUNT.format(value=_shown(value), **facts))
                if value < 0:
                    raise AppraisalInputError(NEGATIVE.format(value=format_pounds(value), **facts))
                if value >= MAX_MONEY:
                    raise AppraisalInputError(TOO_LARGE.format(**facts))


def _is_amount(value: Any) -> bool:
    """A finite Decimal with at most two decimal places (pounds and pence; percent to two places)."""
    if not isinstance(value, Decimal) or not value.is_finite() or value.adjusted() > 40:
        return False
    # 2.50000 is pounds and pence; 0.001 is not.
    return value.normalize(Context(prec=100)).as_tuple().exponent >= -2  # type: ignore[operator]


def _decimal(value: Any) -> Any:
    """Text or a whole number as a Decimal; anything else as it is, for the check to name."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        text = value.strip()
        if len(text) > 40:  # no amount of money has more characters; longer text is not worth converting
            return value
        try:
            return Decimal(text)
        except InvalidOperation:
            return value
    return value


def options_from_json(data: Any) -> list[Option]:
    """The options of a document `{"options": [{"name", "optimism_bias_percent", "years": [{"year", "costs",
    "benefits"}]}]}`: amounts as text or numbers; AppraisalInputError names what is wrong and where."""
    if not isinstance(data, Mapping):
        raise AppraisalInputError(NOT_AN_OBJECT.format(where="the document"))
    if "options" not in data:
        raise AppraisalInputError(MISSING.format(where="the document", key="options"))
    raw = data["options"]
    if not isinstance(raw, list):
        raise AppraisalInputError(NOT_A_LIST.format(where="options"))
    options = []
    for number, item in enumerate(raw, start=1):
        where = f"options[{number}]"
        if not isinstance(item, Mapping):
            raise AppraisalInputError(NOT_AN_OBJECT.format(where=where))
        for key in item:
            if key not in ("name", "optimism_bias_percent", "years"):
                raise AppraisalInputError(UNKNOWN_KEY.format(where=where, key=key))
        for key in ("name", "years"):
            if key not in item:
                raise AppraisalInputError(MISSING.format(where=where, key=key))
        name = _check_name(item["name"], where)
        where = f"option {name!r}"
        if not isinstance(item["years"], list):
            raise AppraisalInputError(NOT_A_LIST.format(where=f"{where}: years"))
        years = []
        for count, row in enumerate(item["years"], start=1):
            at = f"{where}: years[{count}]"
            if not isinstance(row, Mapping):
                raise AppraisalInputError(NOT_AN_OBJECT.format(where=at))
            for key in row:
                if key not in ("year", "costs", "benefits"):
                    raise AppraisalInputError(UNKNOWN_YEAR_KEY.format(where=at, key=key))
            for key in ("year", "costs", "benefits"):
                if key not in row:
                    raise AppraisalInputError(MISSING.format(where=at, key=key))
            year = _check_year(row["year"], at)
            years.append(Year(year, _decimal(row["costs"]), _decimal(row["benefits"])))
        options.append(Option(name, tuple(years), _decimal(item.get("optimism_bias_percent", 0))))
    check_options(options)
    return options


def appraisal_to_json(appraisal: Appraisal) -> dict[str, Any]:
    """The appraisal as `pegasus appraisal npv --json` prints it: amounts as text with two decimals."""
    return {
        "options": [
            {
                "name": o.name,
                "npv": f"{o.npv:.2f}",
                "present_costs": f"{o.present_costs:.2f}",
                "present_benefits": f"{o.present_benefits:.2f}",
                "rank": o.rank,
            }
            for o in appraisal.options
        ],
        "preferred": appraisal.preferred,
        "switching_values": [
            {
                "option": s.option,
                "quantity": s.quantity,
                "direction": s.direction,
                "amount": f"{s.amount:.2f}",
                "percent": None if s.percent is None else f"{s.percent:.1f}",
                "to_match": s.other,
                "reachable": s.reachable,
                "in_words": s.sentence(),
            }
            for s in appraisal.switching
        ],
    }
