"""What the API reads and writes. Money and percentages travel as strings with two decimals, never floats."""

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from ninja import Schema
from ninja.schema import DjangoGetter
from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    PlainSerializer,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)

from pegasus.core import bounds
from pegasus.core.classification import Classification, Descriptor
from pegasus.core.money import VatBasis
from pegasus.core.query import MAX_MONTHS_AHEAD
from pegasus.estate import terms
from pegasus.estate.selectors import ContractRow
from pegasus.estate.terms import ContractStatus

MAX_PAGE = 500
DEFAULT_PAGE = 50


def _two_places(value: Decimal) -> str:
    return f"{value:.2f}"


_DECIMAL_STRING = {"type": "string", "pattern": r"^-?\d+\.\d{2}$"}

# Outgoing amounts: always a string such as "1200000.00".
MoneyOut = Annotated[
    Decimal,
    PlainSerializer(_two_places, return_type=str),
    WithJsonSchema({**_DECIMAL_STRING, "example": "1200000.00"}),
]
Percent = Annotated[
    Decimal,
    PlainSerializer(_two_places, return_type=str),
    WithJsonSchema({**_DECIMAL_STRING, "example": "60.00"}),
]
MONEY_AS_TEXT = 'Send an amount of money as a string, such as "1200000.00", not a number with a decimal point.'


def _not_a_float(value: object) -> object:
    # A JSON number with a fraction arrives as a float, which may already have lost pennies.
    if isinstance(value, float):
        raise ValueError(MONEY_AS_TEXT)
    return value


def _within_money(value: Decimal, info: ValidationInfo) -> Decimal:
    # Signed: spend may be a credit; the services hold a contract's values to zero or more.
    return bounds.check_money(value, info.field_name or "amount", lo=-bounds.MAX_MONEY)


# Incoming amounts: pounds as a string with at most two decimals, on the VAT basis given beside them, and below
# the bound every way in applies (a trillion pounds).
MoneyIn = Annotated[
    Decimal,
    BeforeValidator(_not_a_float),
    Field(max_digits=16, decimal_places=2),
    AfterValidator(_within_money),
    WithJsonSchema({"type": "string", "pattern": r"^-?\d{1,12}(\.\d{1,2})?$", "example": "1200000.00"}),
]
PercentIn = Annotated[Decimal, Field(gt=0, le=100, max_digits=5, decimal_places=2, examples=["60.00"])]


def _within_dates(value: date, info: ValidationInfo) -> date:
    return bounds.check_date(value, info.field_name or "date")


# A date the API reads (query or body): the bounds of `pegasus.core.bounds`, documented as a pattern.
BoundedDate = Annotated[
    date,
    AfterValidator(_within_dates),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "pattern": r"^(199\d|20\d\d|2100)-\d\d-\d\d$",
            "description": f"From {bounds.MIN_DATE} to {bounds.MAX_DATE}",
        }
    ),
]
# An id the API reads: a positive number that a database integer column can hold.
Id = Annotated[int, Field(ge=1, le=bounds.MAX_INT)]
Count = Annotated[int, Field(ge=0, le=bounds.MAX_INT)]

BODY_NOT_AN_OBJECT = "Send a JSON object."


class Body(Schema):
    """What a client sends: a JSON object. ninja's Schema would otherwise read a list, a string or null
    attribute by attribute (a string's `title` is its method), so that `[null, null]` changed nothing but
    answered 200."""

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, value: object) -> object:
        # ninja has already wrapped what was sent in its getter by the time this runs.
        sent = value._obj if isinstance(value, DjangoGetter) else value
        if not isinstance(sent, dict):
            raise ValueError(BODY_NOT_AN_OBJECT)
        return value


class ErrorItem(Schema):
    field: str | None = Field(description="The input at fault, or null for the request as a whole")
    message: str


class Errors(Schema):
    detail: list[ErrorItem]


class Message(Schema):
    detail: str


# --- Towers ------------------------------------------------------------------------------------------------


# A tower's kind (`terms.TowerKind`), under the name the OpenAPI document has always given it. No docstring: it
# would become the enum's description in the document.
class Kind(StrEnum):
    TOWER = terms.TowerKind.TOWER.value
    CATEGORY = terms.TowerKind.CATEGORY.value


class TowerOut(Schema):
    code: str
    name: str
    kind: Kind
    position: int


# --- Suppliers ---------------------------------------------------------------------------------------------


class SupplierRef(Schema):
    id: int
    name: str


class SupplierOut(Schema):
    id: int
    name: str
    companies_house_number: str
    is_sme: bool
    is_illustrative: bool


class SupplierSummary(SupplierOut):
    contract_count: int
    contract_value: MoneyOut = Field(description="Total value of the supplier's contracts, net of VAT")


class SupplierFilters(Schema):
    q: str = Field("", description="Part of the supplier's name")
    sme: bool | None = Field(None, description="Only SMEs (true) or only non-SMEs (false)")


class SupplierIn(Body):
    name: str = Field(max_length=200)
    companies_house_number: str = Field("", max_length=8)
    is_sme: bool = False


class SupplierPatch(Body):
    name: str = Field(None, max_length=200)
    companies_house_number: str = Field(None, max_length=8)
    is_sme: bool = None


# --- Contracts ---------------------------------------------------------------------------------------------


class TowerShareOut(Schema):
    code: str
    name: str
    share_percent: Percent


class OptionOut(Schema):
    sequence: int
    length_months: int
    state: terms.OptionState


class OrganisationRef(Schema):
    id: int
    name: str


class ContractOut(Schema):
    id: int
    reference: str
    title: str
    supplier: SupplierRef
    towers: list[TowerShareOut]
    tier: int
    status: ContractStatus
    start_date: date
    initial_end_date: date
    current_end: date = Field(description="The end as things stand on as_at: exercised options and renewals")
    maximum_end: date | None = Field(description="With every option not lapsed; null when it can roll on")
    decision_due: date | None
    decision: str | None = Field(description="What must be decided by decision_due")
    days_to_expiry: int
    notice_period_months: int
    renewal_type: terms.RenewalType
    renewal_period_months: int
    total_value: MoneyOut
    annual_value: MoneyOut
    vat_basis: VatBasis
    marking: str = Field(description="Government Security Classification, e.g. OFFICIAL-SENSITIVE [COMMERCIAL]")

    @classmethod
    def fields_of(cls, row: ContractRow) -> dict:
        contract = row.contract
        return {
            "id": contract.pk,
            "reference": contract.reference,
            "title": contract.title,
            "supplier": {"id": contract.supplier_id, "name": contract.supplier.name},
            # tower_shares are prefetched by the caller; sorted here so a prefetch's order never matters.
            "towers": [
                {"code": s.tower.code, "name": s.tower.name, "share_percent": s.share_percent}
                for s in sorted(contract.tower_shares.all(), key=lambda s: (-s.share_percent, s.tower.position))
            ],
            "tier": contract.tier,
            "status": contract.status,
            "start_date": contract.start_date,
            "initial_end_date": contract.initial_end_date,
            "current_end": row.current_end,
            "maximum_end": row.maximum_end,
            "decision_due": row.decision.due if row.decision else None,
            "decision": row.decision.label if row.decision else None,
            "days_to_expiry": row.days_to_expiry,
            "notice_period_months": contract.notice_period_months,
            "renewal_type": contract.renewal_type,
            "renewal_period_months": contract.renewal_period_months,
            "total_value": contract.total_value,
            "annual_value": contract.annual_value,
            "vat_basis": contract.vat_basis,
            "marking": contract.marking,
        }

    @classmethod
    def of(cls, row: ContractRow) -> "ContractOut":
        return cls(**cls.fields_of(row))


class ContractDetailOut(ContractOut):
    description: str
    authority: OrganisationRef
    operating_body: OrganisationRef | None
    max_renewals: int | None
    ended_on: date | None
    classification: Classification
    classification_descriptor: Descriptor
    options: list[OptionOut]

    @classmethod
    def of(cls, row: ContractRow) -> "ContractDetailOut":
        contract = row.contract
        body = contract.operating_body
        return cls(
            **cls.fields_of(row),
            description=contract.description,
            authority={"id": contract.authority_id, "name": contract.authority.name},
            operating_body={"id": body.pk, "name": body.name} if body else None,
            max_renewals=contract.max_renewals,
            ended_on=contract.ended_on,
            classification=contract.classification,
            classification_descriptor=contract.classification_descriptor,
            options=[
                {"sequence": o.sequence, "length_months": o.length_months, "state": o.state}
                for o in contract.options.all()
            ],
        )


class PageQuery(Schema):
    limit: int = Field(DEFAULT_PAGE, ge=1, le=MAX_PAGE, description=f"At most {MAX_PAGE}")
    offset: int = Field(0, ge=0, le=bounds.MAX_INT)


class ContractFiltersIn(Schema):
    q: str = Field("", description="Part of the reference, title or supplier name")
    tower: str = Field("", description="A tower code, e.g. networks")
    supplier: Id | None = Field(None, description="A supplier id")
    status: ContractStatus | None = None
    tier: int | None = Field(None, ge=1, le=3)
    expiring_within: int | None = Field(
        None, ge=0, le=MAX_MONTHS_AHEAD, description="Current end within this many months of as_at"
    )
    as_at: BoundedDate | None = Field(None, description="Read the estate as at this date; default today")


class ContractPage(Schema):
    count: int
    limit: int
    offset: int
    as_at: date
    items: list[ContractOut]


class TowerShareIn(Body):
    code: str = Field(description="A tower code")
    share_percent: PercentIn


Months = Annotated[int, Field(ge=0, le=bounds.MAX_MONTHS)]
Renewals = Annotated[int, Field(ge=0, le=bounds.MAX_RENEWALS)]
OPTIONS_DESCRIPTION = f"Extension options, in the order they can be exercised (at most {bounds.MAX_OPTIONS})"


class OptionIn(Body):
    length_months: int = Field(ge=bounds.MIN_MONTHS, le=bounds.MAX_MONTHS)
    state: terms.OptionState = terms.OptionState.AVAILABLE


class ContractIn(Body):
    reference: str = Field(max_length=50)
    title: str = Field(max_length=300)
    description: str = Field("", max_length=bounds.MAX_LONG_TEXT)
    supplier: int = Field(description="A supplier id")
    authority: int = Field(description="The contracting authority's organisation id")
    operating_body: int | None = Field(None, description="The operating body's organisation id")
    towers: list[TowerShareIn] = Field(description="The towers covered, with shares adding up to 100")
    options: list[OptionIn] = Field([], max_length=bounds.MAX_OPTIONS, description=OPTIONS_DESCRIPTION)
    tier: int = Field(2, ge=1, le=3)
    status: ContractStatus = ContractStatus.ACTIVE
    start_date: date
    initial_end_date: date
    notice_period_months: Months = 3
    renewal_type: terms.RenewalType = terms.RenewalType.NONE
    renewal_period_months: Months = 0
    max_renewals: Renewals | None = None
    ended_on: date | None = None
    total_value: MoneyIn
    annual_value: MoneyIn
    vat_basis: VatBasis = VatBasis.NET
    classification: Classification = Classification.OFFICIAL
    classification_descriptor: Descriptor = Descriptor.NONE


class ContractPatch(Body):
    """Only the fields sent are changed; towers and options, when sent, replace the contract's own."""

    reference: str = Field(None, max_length=50)
    title: str = Field(None, max_length=300)
    description: str = Field(None, max_length=bounds.MAX_LONG_TEXT)
    supplier: int = None
    authority: int = None
    operating_body: int | None = None
    towers: list[TowerShareIn] = None
    options: list[OptionIn] = Field(None, max_length=bounds.MAX_OPTIONS, description=OPTIONS_DESCRIPTION)
    tier: int = Field(None, ge=1, le=3)
    status: ContractStatus = None
    start_date: date = None
    initial_end_date: date = None
    notice_period_months: Months = None
    renewal_type: terms.RenewalType = None
    renewal_period_months: Months = None
    max_renewals: Renewals | None = None
    ended_on: date | None = None
    total_value: MoneyIn = None
    annual_value: MoneyIn = None
    vat_basis: VatBasis = None
    classification: Classification = None
    classification_descriptor: Descriptor = None


# --- Spend -------------------------------------------------------------------------------------------------


class ContractRef(Schema):
    id: int
    reference: str


class SpendOut(Schema):
    id: int
    contract: ContractRef
    month: date = Field(description="The first day of the month")
    amount: MoneyOut
    vat_basis: VatBasis

    @classmethod
    def of(cls, spend, contract=None) -> "SpendOut":
        contract = contract or spend.contract
        return cls(
            id=spend.pk,
            contract={"id": contract.pk, "reference": contract.reference},
            month=spend.month,
            amount=spend.amount,
            vat_basis=spend.vat_basis,
        )


class SpendFilters(Schema):
    contract: Id | None = Field(None, description="A contract id")
    month_from: BoundedDate | None = Field(None, description="From this month (inclusive)")
    month_to: BoundedDate | None = Field(None, description="Up to this month (inclusive)")


class SpendPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[SpendOut]


class SpendIn(Body):
    contract: int = Field(description="A contract id")
    month: date = Field(description="The first day of the month, YYYY-MM-01")
    amount: MoneyIn
    vat_basis: VatBasis = VatBasis.NET
