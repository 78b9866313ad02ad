"""Every change to the programme's business cases: atomic, validated, attributed and audited.

A business case's five cases are never changed in place: an edit is a new version (`case_version_add`). Its options
appraisal (the economic case's long and short lists) is kept with `option_save` and `option_years_set`, or brought in
from a sourcing scenario (`options_from_scenario`). It is approved only by an approved business-case decision that the
approver the scheme names for its value under clause 4.8 took (`case_approve`). Only a draft case changes.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from pegasus.core import clock
from pegasus.core.audit import audit_record
from pegasus.core.calendar import LONDON_ZONE
from pegasus.core.exceptions import InvalidTransition
from pegasus.core.field_bounds import FieldBounds, full_clean
from pegasus.core.locks import locked
from pegasus.core.transitions import status_require
from pegasus.core.types import User
from pegasus.core.updates import attributed, model_update
from pegasus.governance import rules as scheme
from pegasus.programme import appraisal
from pegasus.programme.models import FIVE_CASES, AppraisalOption, BusinessCase, CaseVersion, OptionYear, Programme
from pegasus.sourcing import selectors as sourcing_selectors

ONLY_DRAFT = "{case} is {status}: only a draft business case changes (start a new one for a later stage)."
NO_VERSION = "{case} has no version of its five cases to approve: add one first."
NOTHING_CHANGED = "Nothing has changed since version {number}: a new version needs a change to one of the five cases."
DECISION_NOT_APPROVED = "Decision {decision} is {status}: only an approved decision approves a business case."
DECISION_NOT_A_CASE = (
    "Decision {decision} is a {kind} decision: a business case is approved by a business-case decision."
)
WRONG_APPROVER = (
    "Decision {decision} was taken by {office}, but the scheme ({scheme}) names {approver}{clause} to approve a "
    "business case of {value}."
)
NOT_OF_CASE = "Option {option} is not an option of {case}."
NO_FIGURES = "Scenario {scenario} has no modelled cost yet: optimise it or give it its lots first."
SCENARIO_YEARS = "The last year of the scenario's cost must be from 0 to {most}."
BAU_TAKEN = "{case} already has its business-as-usual option ({option}): a case has one."
MAX_SCENARIO_YEARS = 30
AUDIT = "programme.case-{what}"


@dataclass(frozen=True)
class YearRow:
    """One year of an option's costs and benefits, as a form or an import gives it."""

    year: int
    costs: Decimal
    benefits: Decimal


def _draft_required(case: BusinessCase) -> None:
    status_require(
        case.status,
        {BusinessCase.Status.DRAFT},
        ONLY_DRAFT,
        case=case.reference,
        status=case.get_status_display().lower(),
    )


def _bounded(obj) -> None:
    checks = FieldBounds(type(obj))
    checks.model_fields(obj)
    checks.raise_any()


def _save(obj, by: User | None) -> None:
    full_clean(obj)
    _bounded(obj)
    attributed(obj, by).save()


# --- Business cases and their versions -------------------------------------------------------------------------------


@transaction.atomic
def case_create(
    *,
    programme: Programme,
    reference: str,
    title: str,
    stage: str,
    value: Decimal,
    procurement=None,
    sections: dict[str, str] | None = None,
    note: str = "First version",
    by: User | None,
    on: datetime | None = None,
) -> BusinessCase:
    """A draft business case with its first version of the five cases (written `on`, now by default)."""
    case = BusinessCase(
        programme=programme, reference=reference, title=title, stage=stage, value=value, procurement=procurement
    )
    _save(case, by)
    _version_create(case, sections or {}, note=note, by=by, on=on, number=1)
    audit_record(
        action=AUDIT.format(what="create"),
        by=by,
        obj=case,
        summary=f"Business case {case.reference} ({case.get_stage_display()}) created",
        data={"reference": reference, "stage": stage, "value": str(value)},
    )
    return case


def _version_create(
    case: BusinessCase, sections: dict[str, str], *, note: str, by: User | None, on: datetime | None, number: int
) -> CaseVersion:
    unknown = set(sections) - set(FIVE_CASES)
    if unknown:
        raise ValidationError({None: f"Not one of the five cases: {', '.join(sorted(unknown))}"})  # type: ignore[dict-item]
    version = CaseVersion(
        case=case,
        number=number,
        note=note,
        created_by=by if getattr(by, "is_authenticated", False) else None,
        created_at=on or clock.now(),
        **{name: sections.get(name, "") for name in FIVE_CASES},
    )
    full_clean(version)
    _bounded(version)
    version.save()
    return version


@transaction.atomic
def case_edit(*, case: BusinessCase, title: str, value: Decimal, procurement=None, by: User | None) -> BusinessCase:
    """Change a draft case's title, value or procurement (its five cases change only by a new version)."""
    case = locked(BusinessCase, case.pk)
    _draft_required(case)
    before = {"title": case.title, "value": str(case.value), "procurement": case.procurement_id}
    model_update(
        case,
        data={"title": title, "value": value, "procurement": procurement},
        check=lambda: _bounded(case),
        history_user=by,
    )
    audit_record(
        action=AUDIT.format(what="edit"),
        by=by,
        obj=case,
        summary=f"Business case {case.reference} changed",
        data={"before": before, "after": {"title": title, "value": str(value), "procurement": case.procurement_id}},
    )
    return case


@transaction.atomic
def case_version_add(
    *, case: BusinessCase, sections: dict[str, str], note: str, by: User | None, on: datetime | None = None
) -> CaseVersion:
    """A new version of a draft case's five cases; the earlier versions stay as they were written."""
    case = locked(BusinessCase, case.pk)
    _draft_required(case)
    latest = case.versions.order_by("-number").first()
    merged = {name: sections.get(name, getattr(latest, name) if latest else "") for name in FIVE_CASES}
    if latest is not None and all(merged[name] == getattr(latest, name) for name in FIVE_CASES):
        raise ValidationError({"strategic": NOTHING_CHANGED.format(number=latest.number)})
    number = (case.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = _version_create(case, merged, note=note, by=by, on=on, number=number)
    audit_record(
        action=AUDIT.format(what="version-add"),
        by=by,
        obj=case,
        summary=f"Business case {case.reference}: version {number} ({note or 'no note'})",
        data={"version": number, "changed": [n for n in FIVE_CASES if not latest or merged[n] != getattr(latest, n)]},
    )
    return version


@transaction.atomic
def case_approve(*, case: BusinessCase, decision, by: User | None) -> BusinessCase:
    """Mark a draft case approved by `decision`, as of the day the decision was taken, at its latest version.

    Preconditions: the case is a draft with at least one version; the decision is approved, is a business-case
    decision, and was taken by the approver the scheme of delegation in force that day names for the case's value
    (clause 4.8: the DMPC from £500,000; the delegated officer below). InvalidTransition for the case's status;
    ValidationError on `decision` for the decision.
    """
    case = locked(BusinessCase, case.pk)
    _draft_required(case)
    latest = case.versions.order_by("-number").first()
    if latest is None:
        raise InvalidTransition(NO_VERSION.format(case=case.reference))
    if decision is None:
        raise ValidationError({"decision": "Select the decision that approves the business case"})
    name = f"{decision.reference}" + (f" (version {decision.version})" if decision.version > 1 else "")
    if decision.status != "approved" or decision.decided_at is None:
        raise ValidationError(
            {"decision": DECISION_NOT_APPROVED.format(decision=name, status=decision.get_status_display().lower())}
        )
    if decision.decision_type != scheme.DecisionType.BUSINESS_CASE:
        raise ValidationError(
            {"decision": DECISION_NOT_A_CASE.format(decision=name, kind=decision.get_decision_type_display().lower())}
        )
    day = timezone.localtime(decision.decided_at, LONDON_ZONE).date()
    named = scheme.approver_for(decision_type=scheme.DecisionType.BUSINESS_CASE, value=case.value, day=day)
    if decision.approver_office != named.approver:
        raise ValidationError(
            {
                "decision": WRONG_APPROVER.format(
                    decision=name,
                    office=decision.approver_office or "no office",
                    scheme=named.scheme,
                    approver=named.approver,
                    clause=f" under clause {named.clause}" if named.clause else "",
                    value=f"£{case.value:,.2f}",
                )
            }
        )
    model_update(
        case,
        data={
            "status": BusinessCase.Status.APPROVED,
            "decision": decision,
            "approved_on": day,
            "approved_version": latest.number,
        },
        history_user=by,
    )
    audit_record(
        action=AUDIT.format(what="approve"),
        by=by,
        obj=case,
        summary=f"Business case {case.reference} approved by {name} on {day:%d %B %Y} (version {latest.number})",
        data={"decision": decision.pk, "approved_on": day.isoformat(), "version": latest.number},
    )
    return case


@transaction.atomic
def case_withdraw(*, case: BusinessCase, reason: str, by: User | None) -> BusinessCase:
    """Withdraw a draft case (it will not go forward for a decision); the reason is kept in the audit trail."""
    case = locked(BusinessCase, case.pk)
    _draft_required(case)
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the business case is withdrawn"})
    model_update(case, data={"status": BusinessCase.Status.WITHDRAWN}, history_user=by)
    audit_record(
        action=AUDIT.format(what="withdraw"),
        by=by,
        obj=case,
        summary=f"Business case {case.reference} withdrawn: {reason}",
        data={"reason": reason},
    )
    return case


# --- The options appraisal ----------------------------------------------------------------------------------------


@transaction.atomic
def option_save(
    *,
    case: BusinessCase,
    name: str,
    description: str = "",
    business_as_usual: bool = False,
    shortlisted: bool = True,
    dropped_reason: str = "",
    optimism_bias_percent: Decimal = Decimal(0),
    option: AppraisalOption | None = None,
    scenario=None,
    by: User | None,
) -> AppraisalOption:
    """Add an option to a draft case's long list (at the end), or change `option`. A dropped option names why."""
    case = locked(BusinessCase, case.pk)
    _draft_required(case)
    if option is not None and option.case_id != case.pk:
        raise ValidationError({"name": NOT_OF_CASE.format(option=option.name, case=case.reference)})
    if business_as_usual:
        others = case.options.filter(business_as_usual=True)
        other = (others.exclude(pk=option.pk) if option is not None else others).first()
        if other is not None:
            raise ValidationError({"business_as_usual": BAU_TAKEN.format(case=case.reference, option=other.name)})
    if shortlisted:
        dropped_reason = ""
    elif not dropped_reason.strip():
        raise ValidationError({"dropped_reason": "Enter why the option was dropped from the long list"})
    created = option is None
    if option is None:
        position = (case.options.aggregate(p=Max("position"))["p"] or 0) + 1
        option = AppraisalOption(case=case, position=position, scenario=scenario)
    values = {
        "name": name,
        "description": description,
        "business_as_usual": business_as_usual,
        "shortlisted": shortlisted,
        "dropped_reason": dropped_reason,
        "optimism_bias_percent": optimism_bias_percent,
    }
    model_update(option, data=values, check=lambda: _bounded(option), history_user=by)
    audit_record(
        action=AUDIT.format(what="option-" + ("create" if created else "edit")),
        by=by,
        obj=option,
        summary=f"Business case {case.reference}: option {option.name} {'added' if created else 'changed'}",
        data={key: str(value) for key, value in values.items()},
    )
    return option


@transaction.atomic
def option_years_set(*, option: AppraisalOption, years: Sequence[YearRow], by: User | None) -> AppraisalOption:
    """Replace an option's yearly costs and benefits (real terms, before optimism bias) with `years`."""
    case = locked(BusinessCase, option.case_id)
    _draft_required(case)
    try:
        appraisal.check_options(
            [
                appraisal.Option(
                    option.name,
                    tuple(appraisal.Year(r.year, r.costs, r.benefits) for r in years),
                    Decimal(option.optimism_bias_percent),
                )
            ]
        )
    except appraisal.AppraisalInputError as exc:
        raise ValidationError({"years": str(exc)}) from None
    before = [(y.year, str(y.costs), str(y.benefits)) for y in option.years.all()]
    option.years.all().delete()
    for row in sorted(years, key=lambda r: r.year):
        year = OptionYear(option=option, year=row.year, costs=row.costs, benefits=row.benefits)
        _save(year, by)
    audit_record(
        action=AUDIT.format(what="option-years"),
        by=by,
        obj=option,
        summary=f"Business case {case.reference}: option {option.name}'s yearly costs and benefits set "
        f"({len(years)} years)",
        data={"before": before, "after": [(r.year, str(r.costs), str(r.benefits)) for r in years]},
    )
    return option


@transaction.atomic
def options_from_scenario(
    *,
    case: BusinessCase,
    scenario,
    last_year: int,
    optimism_bias_percent: Decimal = Decimal(0),
    name: str | None = None,
    by: User | None,
) -> AppraisalOption:
    """Bring a sourcing scenario in as a short-listed option: its modelled cost a year (lot costs, prices and
    hand-offs) in each of years 0 to `last_year`, with no benefits (benefits are the case's to state)."""
    if not 0 <= last_year <= MAX_SCENARIO_YEARS:
        raise ValidationError({"last_year": SCENARIO_YEARS.format(most=MAX_SCENARIO_YEARS)})
    figures = sourcing_selectors.scenario_view(scenario).figures
    if figures is None:
        raise ValidationError({"scenario": NO_FIGURES.format(scenario=scenario.name)})
    option = option_save(
        case=case,
        name=name or scenario.name,
        description=f"Modelled cost £{figures.total:,.2f} a year: {figures.lots} lots, {figures.suppliers} suppliers "
        "(their running costs, the prices and the cost of hand-offs).",
        optimism_bias_percent=optimism_bias_percent,
        scenario=scenario,
        by=by,
    )
    cost = figures.total.quantize(Decimal("0.01"))
    option_years_set(option=option, years=[YearRow(t, cost, Decimal(0)) for t in range(last_year + 1)], by=by)
    return option
