"""Contract terms: the derived dates of a contract, from its term, extension options and renewal. Pure Python.

Nothing here is stored: the current end, the maximum end, the date a decision is due and the days to expiry are
computed from the facts of the contract every time they are needed, so they can never disagree with them.

The words the estate's records are kept in are here too, for the models' choices and for whoever names them (the
API): an option's state, a renewal's type, a contract's status and a tower's kind.

Conventions: a term of N months beginning on day S ends the day before S + N months (1 Apr 2016 + 36 months ends
31 Mar 2019); an extension or renewal of N months begins the day after the end it extends. Notice must be given
N months before the end it applies to.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from pegasus.core.calendar import add_months, term_end


class OptionState(StrEnum):
    AVAILABLE = "available"
    EXERCISED = "exercised"
    LAPSED = "lapsed"


class RenewalType(StrEnum):
    NONE = "none"
    EXPRESS = "express"  # renews only when both parties agree to it
    TACIT = "tacit"  # renews automatically unless notice is given


class ContractStatus(StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    ENDED = "ended"
    TERMINATED = "terminated"  # ended early


class TowerKind(StrEnum):
    TOWER = "tower"  # a service tower of the operating model
    CATEGORY = "category"  # another category of the estate's contracts


class DecisionKind(StrEnum):
    EXTEND_OR_REPLACE = "extend-or-replace"  # exercise the next extension option, or let it lapse
    STOP_TACIT_RENEWAL = "stop-tacit-renewal"  # give notice or the contract renews by itself
    AGREE_RENEWAL = "agree-renewal"  # agree an express renewal, or let the contract end
    REPLACE = "replace"  # nothing left to extend: a replacement must be in place by the end


DECISION_LABELS = {
    DecisionKind.EXTEND_OR_REPLACE: "Exercise the next extension option or give notice",
    DecisionKind.STOP_TACIT_RENEWAL: "Give notice, or the contract renews automatically",
    DecisionKind.AGREE_RENEWAL: "Agree a renewal, or let the contract end",
    DecisionKind.REPLACE: "Have a replacement in place (no options left)",
}


@dataclass(frozen=True, slots=True)
class Option:
    months: int
    state: OptionState = OptionState.AVAILABLE

    def __post_init__(self) -> None:
        object.__setattr__(self, "state", OptionState(self.state))


@dataclass(frozen=True, slots=True)
class ContractTerms:
    start: date
    initial_end: date
    options: tuple[Option, ...] = ()
    notice_months: int = 0
    renewal: RenewalType = RenewalType.NONE
    renewal_months: int = 0
    max_renewals: int | None = None  # None with a tacit renewal: it rolls on until notice is given
    ended_on: date | None = None  # terminated or ended early

    def __post_init__(self) -> None:
        object.__setattr__(self, "renewal", RenewalType(self.renewal))
        if self.initial_end < self.start:
            raise ValueError("the initial term cannot end before it starts")
        if self.renewal is not RenewalType.NONE and self.renewal_months <= 0:
            raise ValueError("a renewal needs a length in months")


@dataclass(frozen=True, slots=True)
class Decision:
    due: date
    kind: DecisionKind
    applies_to_end: date

    @property
    def label(self) -> str:
        return DECISION_LABELS[self.kind]


def extend(end: date, months: int) -> date:
    """The end of a period of `months` months that begins the day after `end`."""
    return term_end(end + timedelta(days=1), months)


def _exercised_end(terms: ContractTerms) -> date:
    # Exercised options extend the term by their months in total, so the order they are held in never matters.
    months = sum(option.months for option in terms.options if option.state is OptionState.EXERCISED)
    return extend(terms.initial_end, months) if months else terms.initial_end


def current_end(terms: ContractTerms, as_at: date) -> date:
    """The day the contract ends as things stand on `as_at`: the initial term, exercised options, and any tacit
    renewals that have already happened by `as_at`."""
    if terms.ended_on is not None:
        return terms.ended_on
    end = _exercised_end(terms)
    if terms.renewal is RenewalType.TACIT:
        renewals = 0
        # A tacit renewal takes effect once the notice date has passed without notice.
        while add_months(end, -terms.notice_months) < as_at and (
            terms.max_renewals is None or renewals < terms.max_renewals
        ):
            end = extend(end, terms.renewal_months)
            renewals += 1
    return end


def maximum_end(terms: ContractTerms) -> date | None:
    """The latest the contract can run with every option not lapsed and every renewal taken; None when a tacit
    renewal without a limit lets it roll on indefinitely."""
    if terms.ended_on is not None:
        return terms.ended_on
    months = sum(option.months for option in terms.options if option.state is not OptionState.LAPSED)
    end = extend(terms.initial_end, months) if months else terms.initial_end
    if terms.renewal is not RenewalType.NONE:
        if terms.max_renewals is None:
            return None
        end = extend(end, terms.renewal_months * terms.max_renewals)
    return end


def next_decision(terms: ContractTerms, as_at: date) -> Decision | None:
    """What must be decided next, and by when: notice is due `notice_months` before the current end."""
    if terms.ended_on is not None:
        return None
    end = current_end(terms, as_at)
    due = add_months(end, -terms.notice_months)
    if any(option.state is OptionState.AVAILABLE for option in terms.options):
        kind = DecisionKind.EXTEND_OR_REPLACE
    elif terms.renewal is RenewalType.TACIT:
        kind = DecisionKind.STOP_TACIT_RENEWAL
    elif terms.renewal is RenewalType.EXPRESS:
        kind = DecisionKind.AGREE_RENEWAL
    else:
        kind = DecisionKind.REPLACE
    return Decision(due=due, kind=kind, applies_to_end=end)


# A decision due within this many days of the as-at date is flagged wherever contracts are shown: two weeks is
# about the least in which a paper can be written and approved, or notice drafted and sent.
DECISION_URGENT_DAYS = 14


def days_to_decision(decision: Decision, as_at: date) -> int:
    return (decision.due - as_at).days


def decision_urgent(decision: Decision | None, as_at: date) -> bool:
    """Whether a decision falls due within `DECISION_URGENT_DAYS`, counting the due date; one already past is
    overdue, not urgent."""
    return decision is not None and 0 <= days_to_decision(decision, as_at) <= DECISION_URGENT_DAYS


def days_to_expiry(terms: ContractTerms, as_at: date) -> int:
    return (current_end(terms, as_at) - as_at).days


@dataclass(frozen=True, slots=True)
class TermSegment:
    """One bar of the expiry timeline: the initial term, an option or a renewal."""

    label: str
    start: date
    end: date
    state: str


def timeline(terms: ContractTerms) -> list[TermSegment]:
    """The term and each option as consecutive segments, for the expiry chart."""
    segments = [TermSegment("Initial term", terms.start, terms.initial_end, "term")]
    end = terms.initial_end
    for number, option in enumerate(terms.options, start=1):
        if option.state is OptionState.LAPSED:
            continue
        new_end = extend(end, option.months)
        segments.append(TermSegment(f"Option {number}", end + timedelta(days=1), new_end, option.state.value))
        end = new_end
    if terms.renewal is not RenewalType.NONE:
        count = terms.max_renewals if terms.max_renewals is not None else 1
        for number in range(1, count + 1):
            new_end = extend(end, terms.renewal_months)
            segments.append(
                TermSegment(
                    f"{terms.renewal.value.title()} renewal {number}",
                    end + timedelta(days=1),
                    new_end,
                    f"{terms.renewal.value}-renewal",
                )
            )
            end = new_end
    return segments
