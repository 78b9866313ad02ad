"""Rules of the scheme of delegation and of the Freedom of Information Act, as plain functions over data. No Django.

- Who approves a decision (`approver_for`), from a scheme of delegation such as `data/scheme-mopac.toml`.
- Which FOI exemptions still withhold a decision's Part 2 on a day (`exemptions_in_force`).
- The words a decision is kept in, for the models' choices and for whoever names them (the API): its type, its
  status, the officer's declarations and the kinds of recommendation.

The procurement law (regimes, thresholds, standstill) is procurement's, in `pegasus.procurement.law`.
"""

import tomllib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import cache
from pathlib import Path

from pegasus.core.exceptions import InputError

DATA = Path(__file__).resolve().parent / "data"


class SchemeInputError(InputError):
    """A question the scheme of delegation cannot answer (no version in force, no approver named); the message
    names the field."""


# --- Scheme of delegation -----------------------------------------------------------------------------------


class DecisionType(StrEnum):
    BUSINESS_CASE = "business-case"
    PROCUREMENT_STRATEGY = "procurement-strategy"
    CONTRACT_AWARD = "contract-award"
    CONTRACT_EXTENSION = "contract-extension"
    PROCUREMENT_EXEMPTION = "procurement-exemption"


class DecisionStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class DeclarationKind(StrEnum):
    """The advice and approvals the originating officer declares on the decision form, in its order."""

    FINANCIAL = "financial"
    LEGAL = "legal"
    EQUALITIES = "equalities"
    PUBLIC_HEALTH = "public-health"
    COMMERCIAL = "commercial"
    PRIVACY = "privacy"
    DIRECTOR = "director"


class RecommendationKind(StrEnum):
    APPROVE = "approve"
    NOTE = "note"


@dataclass(frozen=True)
class DelegationRule:
    decision_types: frozenset[DecisionType]
    approver: str
    minimum: Decimal | None = None
    clause: str | None = None

    def applies(self, decision_type: DecisionType, value: Decimal) -> bool:
        return decision_type in self.decision_types and (self.minimum is None or value >= self.minimum)


@dataclass(frozen=True)
class SchemeVersion:
    effective_from: date
    source: str
    rules: tuple[DelegationRule, ...]


@dataclass(frozen=True)
class Scheme:
    name: str
    versions: tuple[SchemeVersion, ...]

    def version_on(self, day: date) -> SchemeVersion:
        in_force = [v for v in self.versions if v.effective_from <= day]
        if not in_force:
            raise SchemeInputError(f"--date: {self.name} has no version in force on {day.isoformat()}")
        return max(in_force, key=lambda v: v.effective_from)


@cache
def load_scheme(path: Path = DATA / "scheme-mopac.toml") -> Scheme:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    return Scheme(
        name=data["name"],
        versions=tuple(
            SchemeVersion(
                effective_from=v["effective_from"],
                source=v.get("source", ""),
                rules=tuple(
                    DelegationRule(
                        decision_types=frozenset(DecisionType(d) for d in r["decision_types"]),
                        approver=r["approver"],
                        minimum=Decimal(r["minimum"]) if "minimum" in r else None,
                        clause=r.get("clause"),
                    )
                    for r in v["rule"]
                ),
            )
            for v in data["version"]
        ),
    )


@dataclass(frozen=True)
class Approval:
    approver: str
    clause: str | None
    scheme: str


def approver_for(*, decision_type: DecisionType, value: Decimal, day: date, scheme: Scheme | None = None) -> Approval:
    """Who the scheme in force on `day` names to approve a decision of this type and value."""
    scheme = scheme or load_scheme()
    version = scheme.version_on(day)
    rule = next((r for r in version.rules if r.applies(decision_type, value)), None)
    if rule is None:
        raise SchemeInputError(f"--decision-type: {scheme.name} names no approver for {decision_type}")
    return Approval(rule.approver, rule.clause, scheme.name)


# --- Part 2 and the Freedom of Information Act -------------------------------------------------------------------


@dataclass(frozen=True)
class Exemption:
    """A section of the Freedom of Information Act 2000 that withholds Part 2, until `ceases_on` (None: no end)."""

    section: str
    name: str
    ceases_on: date | None


def exemptions_in_force(exemptions: list[Exemption], day: date) -> list[Exemption]:
    """The exemptions that still withhold Part 2 on `day`, in the order given.

    An exemption ceases on its date (it no longer applies from that day); one without a date never lapses by itself.
    Part 2 may be released without a public-interest decision only when this list is empty. A disclosure cannot be
    undone, so an unknown end date counts as "still applies".
    """
    return [e for e in exemptions if e.ceases_on is None or e.ceases_on > day]
