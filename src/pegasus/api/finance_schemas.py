"""What the finance API reads and writes: the position, the ledgers' rows, and the commitments and actuals it writes.

Field names are the import files' columns (`id`, `budget_line`, `approval`, ...), so a refusal names the field the
client sent whichever way the row came in. Money travels as strings with two decimals, as everywhere in the API.
"""

import re
from datetime import date
from typing import Annotated, Literal

from ninja import Schema
from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints, ValidationInfo, WithJsonSchema

from pegasus.api.schemas import Body, BoundedDate, MoneyIn, MoneyOut
from pegasus.core import bounds

# The position's figures are already text when the selector hands them over (`Position.to_json`).
_AMOUNT_TEXT = {"type": "string", "pattern": r"^-?\d+\.\d{2}$", "example": "1200000.00"}
AmountText = Annotated[str, WithJsonSchema(_AMOUNT_TEXT)]

# A financial year as its label: 2019-20 runs from 1 April 2019 to 31 March 2020.
YEAR_LABEL = re.compile(r"^(\d{4})-(\d{2})$")
NOT_A_YEAR = "{field}: {value!r} is not a financial year such as 2019-20 (the second part is the year after the first)."
_YEAR_TEXT = {"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2019-20"}


def _year_start(value: object, info: ValidationInfo) -> int:
    if not isinstance(value, str):
        raise ValueError(NOT_A_YEAR.format(field=info.field_name or "year", value=str(value)[:20]))
    match = YEAR_LABEL.match(value)
    start = int(match[1]) if match else 0
    if not match or (start + 1) % 100 != int(match[2]) or not bounds.MIN_DATE.year <= start < bounds.MAX_DATE.year:
        raise ValueError(NOT_A_YEAR.format(field=info.field_name or "year", value=value[:20]))
    return start


# Read as its label, handed on as the calendar year it starts in (what `finance.selectors` takes).
FinancialYear = Annotated[int, BeforeValidator(_year_start), WithJsonSchema(_YEAR_TEXT)]


def _one_line(value: str, info: ValidationInfo) -> str:
    # A control character (NUL above all, which PostgreSQL cannot even compare) is refused before any lookup.
    return bounds.check_text(value, info.field_name or "text")


# One line of text, without surrounding spaces, that fits its column.
Reference = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50), AfterValidator(_one_line)
]
OptionalReference = Annotated[str, StringConstraints(strip_whitespace=True, max_length=50), AfterValidator(_one_line)]
SupplierName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), AfterValidator(_one_line)
]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), AfterValidator(_one_line)]


# --- The position ----------------------------------------------------------------------------------------------


class PositionQuery(Schema):
    as_at: BoundedDate | None = Field(None, description="The day the position is taken (default: today)")
    year: FinancialYear | None = Field(None, description="The financial year, such as 2019-20 (default: as_at's)")


class PositionLineOut(Schema):
    code: str
    name: str
    parent: str | None
    budget: AmountText
    actual: AmountText
    committed_open: AmountText
    forecast_remaining: AmountText
    outturn: AmountText
    variance: AmountText
    available: AmountText


class PositionApprovalOut(Schema):
    id: str
    budget_line: str
    decision: str | None
    approved: AmountText
    committed: AmountText
    spent: AmountText
    headroom: AmountText


class PositionOut(Schema):
    """Each line's figures rolled up with every line below it, and each approval's; what `pegasus finance position
    --json` prints."""

    as_at: date
    year: str = Field(examples=["2019-20"])
    lines: list[PositionLineOut]
    approvals: list[PositionApprovalOut]


# --- The ledgers -------------------------------------------------------------------------------------------------


class Page(Schema):
    count: int
    limit: int
    offset: int


class BudgetAmountOut(Schema):
    year: str = Field(examples=["2019-20"])
    amount: MoneyOut

    @staticmethod
    def resolve_year(obj) -> str:
        return obj.year_label


class BudgetLineOut(Schema):
    code: str
    name: str
    parent: str | None
    amounts: list[BudgetAmountOut] = Field(description="The line's budget for each financial year, in year order")

    @staticmethod
    def resolve_parent(obj) -> str | None:
        return obj.parent_id

    @staticmethod
    def resolve_amounts(obj) -> list:
        return list(obj.amounts.all())


class BudgetLinePage(Page):
    items: list[BudgetLineOut]


class FinanceApprovalOut(Schema):
    id: str
    budget_line: str
    amount: MoneyOut
    approved_on: date
    decision: str | None = Field(description="The reference of the approved decision in Pegasus that gave it")

    @staticmethod
    def resolve_id(obj) -> str:
        return obj.reference

    @staticmethod
    def resolve_budget_line(obj) -> str:
        return obj.line_id

    @staticmethod
    def resolve_decision(obj) -> str | None:
        return obj.decision.reference if obj.decision_id else None


class ApprovalPage(Page):
    items: list[FinanceApprovalOut]


class CommitmentOut(Schema):
    id: str
    budget_line: str
    approval: str | None
    supplier: str
    description: str
    raised_on: date
    amount: MoneyOut
    cancelled_on: date | None
    contract: str | None = Field(description="The reference of the estate's contract it belongs to")

    @staticmethod
    def resolve_id(obj) -> str:
        return obj.reference

    @staticmethod
    def resolve_budget_line(obj) -> str:
        return obj.line_id

    @staticmethod
    def resolve_approval(obj) -> str | None:
        return obj.approval_id

    @staticmethod
    def resolve_contract(obj) -> str | None:
        return obj.contract_id


class CommitmentPage(Page):
    items: list[CommitmentOut]


class ActualOut(Schema):
    id: str
    budget_line: str
    commitment: str | None
    paid_on: date
    amount: MoneyOut

    @staticmethod
    def resolve_id(obj) -> str:
        return obj.reference

    @staticmethod
    def resolve_budget_line(obj) -> str:
        return obj.line_id

    @staticmethod
    def resolve_commitment(obj) -> str | None:
        return obj.commitment_id


class ActualPage(Page):
    items: list[ActualOut]


class ForecastOut(Schema):
    budget_line: str
    month: date = Field(description="The month's first day")
    amount: MoneyOut

    @staticmethod
    def resolve_budget_line(obj) -> str:
        return obj.line_id


class ForecastPage(Page):
    items: list[ForecastOut]


class BudgetLineFilters(Schema):
    parent: OptionalReference = Field("", description="Only the lines directly under this line's code")


class LineFilters(Schema):
    budget_line: OptionalReference = Field("", description="A budget line's code")


class CommitmentFilters(LineFilters):
    approval: OptionalReference = Field("", description="An approval's id")


class ActualFilters(LineFilters):
    commitment: OptionalReference = Field("", description="A commitment's id")


# --- Writes ------------------------------------------------------------------------------------------------------

Outcome = Literal["created", "updated", "unchanged"]


class CommitmentIn(Body):
    id: Reference = Field(description="The commitment's reference: the same id again changes it")
    budget_line: Reference = Field(description="The code of the budget line it is charged to")
    approval: OptionalReference = Field("", description="The id of the approval it is made under, if any")
    supplier: SupplierName = Field(description="Who it is with")
    description: Description = Field("", description="What it buys")
    raised_on: BoundedDate
    amount: MoneyIn = Field(description="Its amount in pounds, excluding VAT")
    cancelled_on: BoundedDate | None = Field(None, description="From this day it no longer counts")
    contract: OptionalReference = Field("", description="The reference of the estate's contract, if any")


class CancelIn(Body):
    on: BoundedDate = Field(description="The day it is cancelled: from that day it no longer counts")


class ActualIn(Body):
    id: Reference = Field(description="The actual's reference: the same id again changes it")
    budget_line: Reference = Field(description="The budget line it is paid from: its commitment's, if it has one")
    commitment: OptionalReference = Field("", description="The id of the commitment it pays, if any")
    paid_on: BoundedDate
    amount: MoneyIn = Field(description="The amount paid in pounds, excluding VAT")


class CommitmentSaved(CommitmentOut):
    outcome: Outcome = Field(description="What the write did: an unchanged row records nothing")


class ActualSaved(ActualOut):
    outcome: Outcome = Field(description="What the write did: an unchanged row records nothing")
