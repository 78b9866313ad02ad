"""Is a change to a contract lawful? The modification rules of the two regimes as plain functions. No Django.

- `modification_pcr2015`: the Public Contracts Regulations 2015, regulation 72, for contracts awarded under them.
- `modification_pa2023`: the Procurement Act 2023, sections 74 to 77 and Schedule 8, for contracts awarded under it.
- `modification_check`: either of them, by regime, refusing a ground that is not the regime's.

Conventions, the same as `law.threshold_check` (and so `pegasus rules threshold`):

- Every value is in pounds **excluding VAT**. A value compared with a procurement threshold is compared on the
  threshold period's VAT basis: from 1 January 2022 the thresholds include VAT (PPN 10/21), so the value plus VAT at
  the standard rate is compared. Shares of the original value (10%, 15%, 50%) are taken net of VAT on both sides,
  which gives the same answer as gross on both.
- `original_value` is the contract's value as awarded. `change_value` is this change's value: positive for an
  increase, negative for a reduction. `prior_value` is the net value of the earlier changes made **on the same
  ground** (increases less reductions), which can be negative.
- A reduction is not an increase: a cap on "any increase in price" (PCR 72(2)) or on increasing the estimated value
  (Sch 8 paras 4, 5 and 7) never refuses a reduction. A cap on the size of a change, whichever way it goes (PCR 72(5);
  PA 2023 s74(4)(a), s75(2)(a)), takes its magnitude.
- The net cumulative value of the changes on a de minimis or below-threshold ground (`prior_value + change_value`) is
  compared by its magnitude: a net reduction of the contract by more than the limit is no less a change than a net
  increase by as much. Earlier reductions offset earlier increases before the magnitude is taken.
- What the rules cannot see is a judgment recorded with the change: that a clause is clear enough, that
  circumstances could not have been foreseen, that the overall nature of the contract does not change, that the
  scope does not materially change. A `non-substantial` change rests entirely on such a judgment, so it is
  permitted only once legal's rationale is recorded (`legal_rationale`); until then it waits for it.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from pegasus.core.money import Money, VatBasis, format_pounds, round_pennies
from pegasus.procurement.law import (
    PA2023_COMMENCEMENT,
    Authority,
    ContractType,
    Regime,
    RuleInputError,
    ThresholdResult,
    threshold_check,
    threshold_periods,
)

# The Public Contracts Regulations 2015 came into force on 26 February 2015 (regulation 1(2)).
PCR2015_COMMENCEMENT = date(2015, 2, 26)

HALF = Decimal("0.5")
TEN_PER_CENT = Decimal("0.10")
FIFTEEN_PER_CENT = Decimal("0.15")
# PA 2023 s77: the contract as modified is published where its estimated value is more than £5 million (as DOMAIN
# states it, "over £5m"; the estimated value under the Act includes VAT, Schedule 3).
PUBLICATION_VALUE = Decimal("5000000")


class Notice(StrEnum):
    MODIFICATION_NOTICE = "modification-notice"  # PCR 2015 reg 72(3)
    UK10 = "UK10"  # PA 2023 s75: the contract change notice
    NONE = "none"


class PcrGround(StrEnum):
    REVIEW_CLAUSE = "review-clause"  # 72(1)(a)
    ADDITIONAL = "additional"  # 72(1)(b)
    UNFORESEEABLE = "unforeseeable"  # 72(1)(c)
    NEW_CONTRACTOR = "new-contractor"  # 72(1)(d)
    NON_SUBSTANTIAL = "non-substantial"  # 72(1)(e), 72(8)
    DE_MINIMIS = "de-minimis"  # 72(1)(f), 72(5)


class ActGround(StrEnum):
    PROVIDED_FOR = "provided-for"  # Sch 8 para 1
    URGENCY = "urgency"  # Sch 8 paras 2 and 3
    UNFORESEEABLE = "unforeseeable"  # Sch 8 para 4
    KNOWN_RISK = "known-risk"  # Sch 8 paras 5 and 6
    ADDITIONAL = "additional"  # Sch 8 para 7
    CORPORATE_RESTRUCTURING = "corporate-restructuring"  # Sch 8 para 9
    NON_SUBSTANTIAL = "non-substantial"  # s74(1)(b), s74(3)
    BELOW_THRESHOLD = "below-threshold"  # s74(1)(c), s74(4), s74(6)


GROUNDS: dict[Regime, tuple[str, ...]] = {
    Regime.PCR2015: tuple(g.value for g in PcrGround),
    Regime.PA2023: tuple(g.value for g in ActGround),
}


@dataclass(frozen=True)
class Change:
    """A proposed change to a contract, in pounds excluding VAT (see the module's conventions)."""

    authority: Authority
    contract_type: ContractType
    day: date
    original_value: Decimal
    change_value: Decimal
    prior_value: Decimal = Decimal(0)
    legal_rationale: bool = False

    @property
    def cumulative_value(self) -> Decimal:
        """The net value of the changes on this ground, this one included."""
        return self.prior_value + self.change_value


@dataclass(frozen=True)
class Verdict:
    """Whether the change may be made on its ground, the notice it needs first or after, and why.

    `awaits_rationale`: the change would be permitted once legal's rationale is recorded, and waits for it.
    `publish_modified_contract`: PA 2023 s77 asks for the contract as modified to be published.
    """

    permitted: bool
    ground: str
    notice: Notice
    reason: str
    awaits_rationale: bool = False
    publish_modified_contract: bool = False

    def as_dict(self) -> dict:
        return {"permitted": self.permitted, "ground": self.ground, "notice": self.notice.value, "reason": self.reason}


# --- Checks on the inputs -----------------------------------------------------------------------------------


def _check(change: Change, regime: Regime) -> None:
    if change.original_value <= 0:
        raise RuleInputError("--original-value: the contract's original value must be more than nothing")
    start = PCR2015_COMMENCEMENT if regime is Regime.PCR2015 else PA2023_COMMENCEMENT
    if change.day < start:
        act = (
            "the Public Contracts Regulations 2015 govern"
            if regime is Regime.PCR2015
            else "the Procurement Act 2023 governs"
        )
        raise RuleInputError(f"--date: {act} contracts from {start.isoformat()}, not {change.day}")


def _ground(regime: Regime, ground: str) -> str:
    if ground not in GROUNDS[regime]:
        raise RuleInputError(
            f"--ground: {ground!r} is not a ground under {regime.value}; its grounds are {', '.join(GROUNDS[regime])}"
        )
    return ground


def _share(contract_type: ContractType) -> Decimal:
    """10% of the original value for supplies and services (light-touch services among them), 15% for works."""
    return FIFTEEN_PER_CENT if contract_type is ContractType.WORKS else TEN_PER_CENT


def _per_cent(share: Decimal) -> str:
    return f"{share * 100:.0f}%"


def _pounds(amount: Decimal) -> str:
    return format_pounds(round_pennies(amount))


def _with_vat(check: ThresholdResult) -> str:
    """The value as compared with a threshold that includes VAT; nothing to add where the threshold excludes it."""
    return f" ({_pounds(check.compared_value)} with VAT)" if check.vat_basis is VatBasis.GROSS else ""


def _increase_within_half(change: Change) -> bool:
    """No increase above 50% of the original value: exactly 50% is within; a reduction is no increase."""
    return change.change_value <= change.original_value * HALF


# --- PCR 2015 regulation 72 ---------------------------------------------------------------------------------


def modification_pcr2015(change: Change, ground: str) -> Verdict:
    """Public Contracts Regulations 2015, regulation 72, for a contract awarded under them.

    - `review-clause`, 72(1)(a): modifications "irrespective of their monetary value" provided for in clear,
      precise and unequivocal review clauses or options in the initial procurement documents. No value cap, and no
      notice: 72(3) asks for one only for (b) and (c).
    - `additional`, 72(1)(b), and `unforeseeable`, 72(1)(c): "any increase in price does not exceed 50% of the value
      of the original contract", and under 72(2) "that limitation shall apply to the value of each modification":
      each change on its own, so `prior_value` is not added. Exactly 50% is within. A modification notice is sent
      after the change (72(3)).
    - `new-contractor`, 72(1)(d): a new contractor replaces the one awarded the contract (an unequivocal review
      clause, or succession on corporate restructuring or insolvency without other substantial modifications). No
      value cap, no notice.
    - `non-substantial`, 72(1)(e): not substantial within 72(8). Permitted only with legal's recorded rationale;
      no notice.
    - `de-minimis`, 72(1)(f) and 72(5): the value of the modification is below both the threshold in regulation 5
      in force on the change's date for the contract's authority and type, and 10% of the initial value (services
      and supplies) or 15% (works); 72(6): for successive modifications the net cumulative value is assessed. Both
      tests are strict: exactly 10% is not below 10%. No notice.
    """
    _check(change, Regime.PCR2015)
    ground = _ground(Regime.PCR2015, ground)
    g = PcrGround(ground)
    if g is PcrGround.REVIEW_CLAUSE:
        return Verdict(
            True,
            ground,
            Notice.NONE,
            "reg 72(1)(a): provided for in a review clause or option, "
            "whatever its value; no notice (reg 72(3) covers (b) and (c) only)",
        )
    if g is PcrGround.NEW_CONTRACTOR:
        return Verdict(
            True,
            ground,
            Notice.NONE,
            "reg 72(1)(d): a new contractor replaces the original one; no value limit and no notice",
        )
    if g in (PcrGround.ADDITIONAL, PcrGround.UNFORESEEABLE):
        para = "72(1)(b)" if g is PcrGround.ADDITIONAL else "72(1)(c)"
        cap = change.original_value * HALF
        if not _increase_within_half(change):
            return Verdict(
                False,
                ground,
                Notice.NONE,
                f"reg {para} and 72(2): this change's increase of "
                f"{_pounds(change.change_value)} exceeds 50% of the original value ({_pounds(cap)})",
            )
        return Verdict(
            True,
            ground,
            Notice.MODIFICATION_NOTICE,
            f"reg {para} and 72(2): this change's increase is "
            f"within 50% of the original value ({_pounds(cap)}), each change on its own; send a "
            "modification notice (reg 72(3))",
        )
    if g is PcrGround.NON_SUBSTANTIAL:
        if not change.legal_rationale:
            return _awaiting_rationale(ground, "reg 72(1)(e) and 72(8)")
        return Verdict(
            True,
            ground,
            Notice.NONE,
            "reg 72(1)(e) and 72(8): not substantial, on legal's recorded rationale; no notice",
        )
    return _de_minimis(change, ground)


def _de_minimis(change: Change, ground: str) -> Verdict:
    cumulative = change.cumulative_value
    magnitude = abs(cumulative)
    share = _share(change.contract_type)
    limit = change.original_value * share
    check = threshold_check(
        day=change.day, authority=change.authority, contract_type=change.contract_type, value_net=magnitude
    )
    figures = (
        f"net cumulative value {_pounds(cumulative)}{_with_vat(check)}, threshold "
        f"{_pounds(check.threshold)}, {_per_cent(share)} of the original value {_pounds(limit)}"
    )
    if check.above_threshold:
        return Verdict(
            False,
            ground,
            Notice.NONE,
            f"reg 72(1)(f), 72(5)(a) and 72(6): the net cumulative value is not below the threshold ({figures})",
        )
    if magnitude >= limit:
        return Verdict(
            False,
            ground,
            Notice.NONE,
            f"reg 72(1)(f), 72(5)(b) and 72(6): the net cumulative value is "
            f"not below {_per_cent(share)} of the original value ({figures})",
        )
    return Verdict(
        True,
        ground,
        Notice.NONE,
        f"reg 72(1)(f), 72(5) and 72(6): the net cumulative value is below "
        f"both the threshold and {_per_cent(share)} of the original value ({figures}); no notice",
    )


def _awaiting_rationale(ground: str, cite: str) -> Verdict:
    return Verdict(
        False,
        ground,
        Notice.NONE,
        f"{cite}: a non-substantial change waits for legal's recorded rationale",
        awaits_rationale=True,
    )


# --- Procurement Act 2023 sections 74 to 77 and Schedule 8 --------------------------------------------------


def modification_pa2023(change: Change, ground: str) -> Verdict:
    """Procurement Act 2023, sections 74 to 77 and Schedule 8, for a contract awarded under the Act.

    Whether the change may be made (s74(1)):
    - A light touch contract may be modified on any ground (s74(2)), without a contract change notice (s75(6)(b)).
    - `provided-for`, Sch 8 para 1: unambiguously provided for in the contract as awarded and in the tender or
      transparency notice, without changing the contract's overall nature. No value cap.
    - `urgency`, Sch 8 paras 2 and 3: its purpose could otherwise be met by a direct award for extreme and
      unavoidable urgency (Sch 5 para 13) or to protect life (s42). No value cap.
    - `unforeseeable`, Sch 8 para 4: would not increase the estimated value by more than 50% (para 4(1)(c)).
    - `known-risk`, Sch 8 paras 5 and 6: a known risk identified in the tender or transparency notice has
      materialised; would not increase the estimated value by more than 50%.
    - `additional`, Sch 8 para 7: goods, services or works in addition to those provided for, where a different
      supplier's would be incompatible; would not increase the estimated value by more than 50%.
    - `corporate-restructuring`, Sch 8 para 9: novation or assignment on corporate restructuring. No value cap.
    - `non-substantial`, s74(1)(b) and s74(3): permitted only with legal's recorded rationale.
    - `below-threshold`, s74(1)(c) and s74(4): the change itself increases or decreases the estimated value by not
      more than 10% (goods or services) or 15% (works) (s74(4)(a): exactly 10% is within), and the aggregated value
      of below-threshold modifications (s74(6): the part of the value as modified attributable to them, here
      `prior_value + change_value`) is less than the threshold amount for the type of contract (s74(4)(b)).

    The contract change notice (UK10, s75): published before the change (s75(1)) unless the change increases or
    decreases the estimated value by 10% or less (goods or services) or 15% or less (works) (s75(2)(a)); that
    exception does not reach novation or assignment on corporate restructuring (Sch 8 para 9), which always needs
    the notice. The 10% and 15% are taken of the original value, the one value given.

    Publication of the modified contract (s77): within 90 days of a change that needed a UK10, where the estimated
    value of the contract as modified (`original_value + prior_value + change_value`, including VAT) is more than
    £5 million.

    Sources: legislation.gov.uk for s74, s75 and Sch 8 paras 1 to 4; the Cabinet Office's short guide on the
    materialisation of a known risk for paras 5 and 6; para 9 as s75(2) names it. Assumptions, where the text was not
    to hand: that "additional goods, services or works" is para 7 (the
    paragraph after para 6, which defines a known risk) with the same 50% cap as paras 4 and 5; and, for s77, the
    £5 million (as DOMAIN states it, "over £5m"), that it is compared with VAT as every estimated value under the
    Act is, and that a change exempt from the UK10 under s75(2) is exempt from publication too. The grounds of
    Schedule 8 not modelled here (the Cabinet Office guidance counts eight) cannot be given as `--ground`.
    """
    _check(change, Regime.PA2023)
    ground = _ground(Regime.PA2023, ground)
    g = ActGround(ground)
    if change.contract_type is ContractType.LIGHT_TOUCH:
        return Verdict(
            True,
            ground,
            Notice.NONE,
            "s74(2): a light touch contract may be modified; no contract change notice (s75(6)(b))",
        )
    if g is ActGround.BELOW_THRESHOLD:
        return _below_threshold(change, ground)
    if g in (ActGround.UNFORESEEABLE, ActGround.KNOWN_RISK, ActGround.ADDITIONAL):
        para = {ActGround.UNFORESEEABLE: "4", ActGround.KNOWN_RISK: "5", ActGround.ADDITIONAL: "7"}[g]
        cap = change.original_value * HALF
        if not _increase_within_half(change):
            return Verdict(
                False,
                ground,
                Notice.NONE,
                f"Sch 8 para {para}: this change's increase of "
                f"{_pounds(change.change_value)} is more than 50% of the estimated value ({_pounds(cap)})",
            )
        return _with_notice(
            change,
            ground,
            f"Sch 8 para {para}: this change's increase is within 50% of the estimated value ({_pounds(cap)})",
        )
    if g is ActGround.NON_SUBSTANTIAL:
        if not change.legal_rationale:
            return _awaiting_rationale(ground, "s74(1)(b) and s74(3)")
        return _with_notice(change, ground, "s74(1)(b) and s74(3): not substantial, on legal's recorded rationale")
    cite = {
        ActGround.PROVIDED_FOR: "Sch 8 para 1: provided for in the contract and its tender or transparency notice",
        ActGround.URGENCY: "Sch 8 paras 2 and 3: urgency or the protection of life",
        ActGround.CORPORATE_RESTRUCTURING: "Sch 8 para 9: novation or assignment on corporate restructuring",
    }[g]
    return _with_notice(change, ground, cite)


def _below_threshold(change: Change, ground: str) -> Verdict:
    share = _share(change.contract_type)
    limit = change.original_value * share
    if abs(change.change_value) > limit:
        return Verdict(
            False,
            ground,
            Notice.NONE,
            f"s74(4)(a): this change of {_pounds(change.change_value)} is "
            f"more than {_per_cent(share)} of the estimated value ({_pounds(limit)})",
        )
    cumulative = change.cumulative_value
    check = threshold_check(
        day=change.day, authority=change.authority, contract_type=change.contract_type, value_net=abs(cumulative)
    )
    figures = f"aggregated value {_pounds(cumulative)}{_with_vat(check)}, threshold {_pounds(check.threshold)}"
    if check.above_threshold:
        return Verdict(
            False,
            ground,
            Notice.NONE,
            f"s74(4)(b) and s74(6): the aggregated value of below-threshold "
            f"modifications is not less than the threshold amount ({figures})",
        )
    return Verdict(
        True,
        ground,
        Notice.NONE,
        f"s74(1)(c), s74(4) and s74(6): within {_per_cent(share)} of the "
        f"estimated value and the aggregated value is less than the threshold amount ({figures}); no "
        f"contract change notice (s75(2)(a))",
    )


def _with_notice(change: Change, ground: str, why: str) -> Verdict:
    """A permitted change: whether it needs a UK10 first (s75) and the contract's publication after (s77)."""
    share = _share(change.contract_type)
    small = abs(change.change_value) <= change.original_value * share
    if small and ground != ActGround.CORPORATE_RESTRUCTURING:
        return Verdict(
            True,
            ground,
            Notice.NONE,
            f"{why}; no contract change notice: the change is "
            f"{_per_cent(share)} or less of the estimated value (s75(2)(a))",
        )
    needs = "publish a contract change notice (UK10) before the change (s75(1))"
    if small:
        needs += "; s75(2) does not reach novation or assignment on corporate restructuring"
    modified = change.original_value + change.prior_value + change.change_value
    period = next(p for p in threshold_periods() if p.covers(change.day))
    compared = round_pennies(Money(max(modified, Decimal(0)), VatBasis.NET).to_basis(period.basis).amount)
    publish = compared > PUBLICATION_VALUE
    if publish:
        needs += (
            f"; the contract as modified is worth {_pounds(compared)} (more than £5,000,000): publish it "
            "within 90 days of the change (s77)"
        )
    return Verdict(True, ground, Notice.UK10, f"{why}; {needs}", publish_modified_contract=publish)


# --- Either regime ------------------------------------------------------------------------------------------


def modification_check(regime: Regime, change: Change, ground: str) -> Verdict:
    """The regime's verdict on a change; RuleInputError names the option at fault (a ground not of the regime,
    a date before it, an original value of nothing)."""
    if regime is Regime.PCR2015:
        return modification_pcr2015(change, ground)
    return modification_pa2023(change, ground)
