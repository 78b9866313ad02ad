"""Money: `Decimal` pounds with an explicit VAT basis. Never a float.

Figures held net (excluding VAT) or gross (including VAT) are different numbers; every amount says which it is,
and conversions state the rate they use.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

PENNY = Decimal("0.01")
STANDARD_VAT_RATE = Decimal("0.20")


class VatBasis(StrEnum):
    NET = "net"
    GROSS = "gross"


def to_pounds(value: object) -> Decimal:
    """Parse pounds from a number or text such as "£1,250,000.00"; raise ValueError when it is not money."""
    if isinstance(value, float):
        value = repr(value)
    text = str(value).strip().replace(",", "").replace("£", "")
    if text.startswith("(") and text.endswith(")"):
        text = "-" + text[1:-1]
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"{value!r} is not an amount of money") from exc
    if not amount.is_finite():
        raise ValueError(f"{value!r} is not an amount of money")
    return round_pennies(amount)


def round_pennies(amount: Decimal) -> Decimal:
    """Round to pennies, half up, as money is rounded once at the end of a calculation."""
    return amount.quantize(PENNY, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    basis: VatBasis = VatBasis.NET

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError("Money.amount must be a Decimal")

    def to_gross(self, rate: Decimal = STANDARD_VAT_RATE) -> "Money":
        if self.basis is VatBasis.GROSS:
            return self
        return Money(round_pennies(self.amount * (1 + rate)), VatBasis.GROSS)

    def to_net(self, rate: Decimal = STANDARD_VAT_RATE) -> "Money":
        if self.basis is VatBasis.NET:
            return self
        return Money(round_pennies(self.amount / (1 + rate)), VatBasis.NET)

    def to_basis(self, basis: VatBasis, rate: Decimal = STANDARD_VAT_RATE) -> "Money":
        """The amount on `basis`, converted at `rate` when it is held on the other."""
        return self.to_gross(rate) if basis is VatBasis.GROSS else self.to_net(rate)

    def __add__(self, other: "Money") -> "Money":
        if self.basis is not other.basis:
            raise ValueError("cannot add a net amount to a gross amount")
        return Money(self.amount + other.amount, self.basis)

    def __str__(self) -> str:
        return f"{format_pounds(self.amount)} ({'ex' if self.basis is VatBasis.NET else 'inc'} VAT)"


def format_pounds(amount: Decimal, *, pennies: bool = True) -> str:
    """£1,234,567.89, or £1,234,568 without pennies; negatives as -£12.00."""
    sign = "-" if amount < 0 else ""
    value = abs(amount)
    text = f"{value:,.2f}" if pennies else f"{round_pennies(value).to_integral_value(ROUND_HALF_UP):,}"
    return f"{sign}£{text}"


def format_millions(amount: Decimal) -> str:
    """£498.6m: how commercial teams speak of contract values."""
    return f"£{(amount / Decimal(1_000_000)).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):,}m"
