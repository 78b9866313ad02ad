"""What the decisions API reads and writes. A decision's value and amounts are pounds excluding VAT, as strings.

Part 2 is OFFICIAL-SENSITIVE [COMMERCIAL]: `DecisionOut.of` puts its text in the answer only when told the reader
may see it, and says that it was withheld otherwise.
"""

from datetime import date, datetime
from typing import Annotated

from ninja import Schema
from pydantic import Field, WithJsonSchema

from pegasus.api.schemas import BoundedDate, MoneyIn, MoneyOut
from pegasus.core.money import VatBasis
from pegasus.governance import rules
from pegasus.governance.rules import DecisionStatus, DecisionType

# Inline enums: the declarations' and recommendations' kinds (and the towers') would otherwise meet under one name,
# `Kind`, in the OpenAPI document, as they did when they were the models'.
DeclarationKind = Annotated[
    rules.DeclarationKind, WithJsonSchema({"type": "string", "enum": [kind.value for kind in rules.DeclarationKind]})
]
RecommendationKind = Annotated[
    rules.RecommendationKind,
    WithJsonSchema({"type": "string", "enum": [kind.value for kind in rules.RecommendationKind]}),
]


class UserRef(Schema):
    id: int
    name: str = Field(description="Full name, or the username where no name is recorded")

    @classmethod
    def of(cls, user) -> "UserRef | None":
        if user is None:
            return None
        return cls(id=user.pk, name=user.get_full_name() or user.get_username())


# --- Lists of a decision -----------------------------------------------------------------------------------


class RecommendationOut(Schema):
    position: int
    kind: RecommendationKind
    text: str
    amount: MoneyOut | None = Field(description="Pounds excluding VAT, where the recommendation has an amount")


class RecommendationIn(Schema):
    kind: RecommendationKind
    text: str = Field(min_length=1)
    amount: MoneyIn | None = Field(None, description="Pounds excluding VAT")


class MeetingStepOut(Schema):
    position: int
    body: str
    meets_on: date | None


class MeetingStepIn(Schema):
    body: str = Field(min_length=1, max_length=200, examples=["Investment Advisory & Monitoring"])
    meets_on: BoundedDate | None = None


class ExemptionOut(Schema):
    id: int
    section: str = Field(description="The section of the Freedom of Information Act 2000, e.g. s43")
    name: str
    ceases_on: date | None = Field(description="The date the exemption ceases to apply")


class ExemptionIn(Schema):
    section: str = Field(min_length=1, max_length=8, examples=["s43"])
    name: str = Field(min_length=1, max_length=200, examples=["Commercial interests"])
    ceases_on: BoundedDate | None = None


class DeclarationOut(Schema):
    kind: DeclarationKind
    label: str
    statement: str
    confirmed: bool


class ApprovalOut(Schema):
    office: str = Field(description="The office the scheme of delegation named on submission; empty before")
    clause: str = Field(description="The scheme's clause, e.g. 4.8; empty when the decision is delegated")
    decided_by: UserRef | None
    decided_at: datetime | None
    interests: str = Field(description="The interests the approver declared on deciding")


class Part2ReleaseOut(Schema):
    released_at: datetime
    released_by: UserRef | None
    note: str = Field(
        description="Why Part 2 could be released: the release review, or legal's public interest decision"
    )
    early: bool = Field(description="Released by legal before every exemption had ceased, in the public interest")
    overrode: str = Field(description="The exemptions that still applied when legal released Part 2 early")


# --- Decisions ---------------------------------------------------------------------------------------------


class DecisionSummary(Schema):
    id: int
    reference: str
    version: int
    title: str
    decision_type: DecisionType
    status: DecisionStatus
    value: MoneyOut = Field(description="The value that routes the decision")
    vat_basis: VatBasis = Field(description="Always net: a decision is routed on its value excluding VAT")
    required_by: date | None = Field(description='The "decision required by" date')
    originating_officer: UserRef
    approver_office: str

    @classmethod
    def fields_of(cls, decision) -> dict:
        return {
            "id": decision.pk,
            "reference": decision.reference,
            "version": decision.version,
            "title": decision.title,
            "decision_type": decision.decision_type,
            "status": decision.status,
            "value": decision.value,
            "vat_basis": VatBasis.NET,
            "required_by": decision.required_by,
            "originating_officer": UserRef.of(decision.originating_officer),
            "approver_office": decision.approver_office,
        }

    @classmethod
    def of(cls, decision) -> "DecisionSummary":
        return cls(**cls.fields_of(decision))


class DecisionFilters(Schema):
    status: DecisionStatus | None = None
    reference: str = Field("", description="Part of the reference, e.g. PCD 579 (every version)")


class DecisionPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[DecisionSummary]


class DecisionOut(DecisionSummary):
    marking: str = Field(description="The classification of this answer: OFFICIAL-SENSITIVE [COMMERCIAL] with Part 2")
    executive_summary: str
    introduction: str
    issues: str
    financial: str
    legal: str
    commercial: str
    privacy: str
    equality: str
    real_estate: str
    environmental: str
    background_papers: str
    part1_deferred_until: date | None = Field(description="Part 1 is published from this date, not on approval")
    part1_deferral_reason: str
    ceo_statement: str = Field(description="The chief executive's consultation statement")
    recommendations: list[RecommendationOut]
    route: list[MeetingStepOut]
    declarations: list[DeclarationOut]
    exemptions: list[ExemptionOut] = Field(description="Why Part 2 is withheld, and until when")
    approval: ApprovalOut
    part2: str | None = Field(description="Part 2 (OFFICIAL-SENSITIVE [COMMERCIAL]); null when withheld from you")
    part2_withheld: bool = Field(description="True when your role may not read Part 2")
    part2_release: Part2ReleaseOut | None = Field(description="When and why Part 2 was released to the public")
    contracts: list[str] = Field(description="References of the contracts the decision concerns, e.g. MPS-DP-T1-002")
    procurements: list[str] = Field(description="References of the procurements the decision concerns")

    @classmethod
    def of(cls, decision, *, shows_part2: bool, marking: str) -> "DecisionOut":
        """The decision as the reader may see it: every Part 1 field, and Part 2 only when `shows_part2`."""
        released = decision.part2_released_at
        return cls(
            **cls.fields_of(decision),
            marking=marking,
            executive_summary=decision.executive_summary,
            introduction=decision.introduction,
            issues=decision.issues,
            financial=decision.financial,
            legal=decision.legal,
            commercial=decision.commercial,
            privacy=decision.privacy,
            equality=decision.equality,
            real_estate=decision.real_estate,
            environmental=decision.environmental,
            background_papers=decision.background_papers,
            part1_deferred_until=decision.part1_deferred_until,
            part1_deferral_reason=decision.part1_deferral_reason,
            ceo_statement=decision.ceo_statement,
            recommendations=[
                RecommendationOut(position=r.position, kind=r.kind, text=r.text, amount=r.amount)
                for r in decision.recommendations.all()
            ],
            route=[MeetingStepOut(position=s.position, body=s.body, meets_on=s.meets_on) for s in decision.route.all()],
            declarations=[
                DeclarationOut(kind=d.kind, label=d.get_kind_display(), statement=d.statement, confirmed=d.confirmed)
                for d in decision.declarations.all()
            ],
            exemptions=[
                ExemptionOut(id=e.pk, section=e.section, name=e.name, ceases_on=e.ceases_on)
                for e in decision.exemptions.all()
            ],
            approval=ApprovalOut(
                office=decision.approver_office,
                clause=decision.approver_clause,
                decided_by=UserRef.of(decision.decided_by),
                decided_at=decision.decided_at,
                interests=decision.approver_interests,
            ),
            part2=decision.part2 if shows_part2 else None,
            part2_withheld=not shows_part2,
            part2_release=Part2ReleaseOut(
                released_at=released,
                released_by=UserRef.of(decision.part2_released_by),
                note=decision.part2_release_note,
                early=decision.part2_released_early,
                overrode=decision.part2_release_overrode,
            )
            if released is not None
            else None,
            contracts=[c.reference for c in decision.contracts.all()],
            procurements=[p.reference for p in decision.procurements.all()],
        )


class DecisionIn(Schema):
    """A new draft; the caller is its originating officer. Each declaration starts unconfirmed."""

    reference: str = Field(max_length=40, examples=["PCD 579"])
    title: str = Field(max_length=300)
    decision_type: DecisionType
    executive_summary: str
    value: MoneyIn = Field(description="The value that routes the decision, in pounds excluding VAT")
    required_by: BoundedDate | None = None
    introduction: str = ""
    issues: str = ""
    financial: str = ""
    legal: str = ""
    commercial: str = ""
    privacy: str = ""
    equality: str = ""
    real_estate: str = ""
    environmental: str = ""
    background_papers: str = ""
    part1_deferred_until: BoundedDate | None = None
    part1_deferral_reason: str = ""
    part2: str = Field("", description="OFFICIAL-SENSITIVE [COMMERCIAL]; never published unless released")
    ceo_statement: str = ""
    recommendations: list[RecommendationIn] = Field([], description="In the order they are put to the approver")
    route: list[MeetingStepIn] = Field([], description="The meetings the decision goes through, in order")
    exemptions: list[ExemptionIn] = Field([], description="Why Part 2 is withheld")


class DecisionPatch(Schema):
    """Only the fields sent are changed; recommendations, route and exemptions, when sent, replace the draft's."""

    reference: str = Field(None, max_length=40)
    title: str = Field(None, max_length=300)
    decision_type: DecisionType = None
    executive_summary: str = None
    value: MoneyIn = None
    required_by: BoundedDate | None = None
    introduction: str = None
    issues: str = None
    financial: str = None
    legal: str = None
    commercial: str = None
    privacy: str = None
    equality: str = None
    real_estate: str = None
    environmental: str = None
    background_papers: str = None
    part1_deferred_until: BoundedDate | None = None
    part1_deferral_reason: str = None
    part2: str = None
    ceo_statement: str = None
    recommendations: list[RecommendationIn] = None
    route: list[MeetingStepIn] = None
    exemptions: list[ExemptionIn] = None


class DeclarationIn(Schema):
    statement: str = Field(description="What the officer confirms, e.g. who gave the financial advice")


class DecideIn(Schema):
    interests: str = Field("", description="Any personal or prejudicial interest of the approver in the matter")


class ConcernsIn(Schema):
    """What a decision concerns, by reference; each list replaces the one recorded (empty clears it)."""

    contracts: list[Annotated[str, Field(max_length=50)]] = Field(
        default_factory=list, max_length=500, examples=[["MPS-DP-T1-002"]]
    )
    procurements: list[Annotated[str, Field(max_length=50)]] = Field(
        default_factory=list, max_length=500, examples=[["PEG-2019-01"]]
    )


class ReleaseIn(Schema):
    note: str = Field(description="The release review: why Part 2 may now be published")


class EarlyReleaseIn(Schema):
    reason: str = Field(
        description="Legal's public interest decision: why Part 2 may be published before its exemptions cease"
    )
