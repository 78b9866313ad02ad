"""Open contracting: the estate's contracts and the procurements that replace them as OCDS 1.1.5 releases and records.

Only what may be published goes in: titles, descriptions, parties, dates, routes and the estimated values a
procurement's notices publish. A contract marked OFFICIAL-SENSITIVE keeps its value out (commercial information).
Of the evaluation, only a published award is read: the winning bid's supplier and price, once the contract-award
decision is approved and its Part 1 public (`publication.selectors.published_awards`), as an award notice publishes
them. No other bid, no score, no market price, no scenario and no decision's Part 2 is read at all.
This module writes out what `publication.selectors` reads (`ocds_releases`, and `ocds_package`, the one package
every way out serves); the other domains are read through their selectors only: the estate's contracts, their ends
and the contracting authority (`estate.selectors`), procurements with their schedules and values
(`procurement.selectors`), the award facts of procurements' tenders (`evaluation.selectors`) and public decisions
(`governance.selectors`, through `publication.selectors`).

Each contract is one contracting process (`{prefix}-{reference}`) with one release, tagged `contract`; each
procurement another, tagged `planning` and `tender` (and `award` once an award of one of its tenders is published),
with its tender period and contract period as scheduled, and links (`relatedProcesses`) to the contracts it replaces.
Release ids and dates come from the data, so an export of the same estate is the same document but for the
package's own date.

What was paid against a contract is published as public bodies publish their spend: one transaction
(`contracts[].implementation.transactions`) per month of spend up to the export's date (a month after it is not yet
known then), from the buyer to the supplier (parties with the roles `payer` and `payee` too), dated the first of the
month, and the release is then also tagged `implementation`, dated and named by its latest month. A contract marked
OFFICIAL-SENSITIVE has no transactions at all: its spend would give its value away. OCDS values carry no VAT basis;
Pegasus writes net spend as the `amount` and gross spend as the UK extension's `amountGross` ("the amount including
all taxes") with no `amount`, since the net figure of a gross payment is not held and is not worked out at an
assumed VAT rate.

The UK extension (Cabinet Office, `UK_EXTENSION`) is declared, and only the fields of it that Pegasus holds are
written:
- `tender.aboveThreshold`: whether the estimated value reaches the threshold of the regime in force, as the
  procurement rules count it (`procurement.rules.estimated_value`);
- `tender.contractPeriod.durationInMonths`: the maximum term, the initial term plus every option and extension;
- `tender.specialRegime` `["lightTouch"]` for a light-touch contract, the one special regime Pegasus records;
- `awards[].mainProcurementCategory`: the procurement's category;
- `value.amountGross` of a transaction whose spend is held gross, and of a contract and its award whose value is.
- `contracts[].amendments[].value`: the total value of the contract as amended (see below);
- `contracts[].documents[].noticeType`: a published notice's kind (UK7, UK9, UK10, UK11, PCR-MOD).
The regime itself (PCR 2015 or the Procurement Act 2023) has no field in core OCDS or the UK extension (it is
`tender.legalBasis` of another extension), so it is said in `tender.procurementMethodDetails`. A supplier's SME
status is held but has no field in either (it is `details.scale` in OCDS 1.2); VCSE status and the rest of the
extension (standstill, exclusions) are not held, so they are not written.

A contract's changes and post-award notices (`publication.rules`):
- Each effective variation and exercised option is an amendment (`contracts[].amendments[]`: id, date (the
  effective date), rationale (the change's reason), description (what changed; its value only where the contract's
  value is published) and the UK extension's `value`, the contract's total value after it). The contract's `value`
  is its current value (the original plus its effective changes; the award keeps the value awarded) and its period
  ends at its current end. A proposed, approved or withdrawn change is not published. The release is then also
  tagged `contractAmendment`.
- An effective termination leaves the contract `terminated` with its period ending on the termination date; the
  release is tagged `contractTermination`.
- Each published notice, and only a published one, is a document of the contract (`documentType` from core's
  codelist or the UK extension's additions to it, `noticeType` its kind); a correction says which notice it
  corrects. A draft or checked notice is never in the public export.
- A published UK9's assessments: the UK extension has no field for a KPI or its rating. Its
  `Observation.measureClassification` patches the metrics extension's `Observation`, and the UK extension does not
  depend on the metrics extension, so `contracts[].agreedMetrics` is not valid against core plus the UK extension.
  Each KPI's assessment is therefore an `assessment` milestone of the contract's implementation (core, and valid):
  the KPI as its title, the rating and the figures in its description, the period's end as its `dueDate`, and its
  `status` met (Good), partiallyMet (Approaching target, Requires improvement) or notMet (Inadequate). Only the
  newest of a UK9 and its corrections is read. The release is then tagged `implementation`.
- A release with changes or notices is a new release, named and dated by the latest of them.
- Each notice also has a release of its own (`notice_release`, served at `/notices/<pk>/release.json`), built from
  what the notice says as drafted and tagged `contractAmendment` (UK10, PCR-MOD), `contractTermination` (UK11),
  `implementation` (UK9) or `contract` (UK7).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.urls import reverse

from pegasus.core.calendar import term_end
from pegasus.core.classification import Classification
from pegasus.core.clock import as_at_end
from pegasus.core.money import VatBasis
from pegasus.estate.selectors import contract_current_from, contract_end
from pegasus.evaluation.selectors import ProcurementAward
from pegasus.procurement.law import ContractType
from pegasus.procurement.selectors import ProcurementRow

VERSION = "1.1"
LICENSE = "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
CURRENCY = "GBP"
UK_EXTENSION = "https://raw.githubusercontent.com/cabinetoffice/ocds_uk_extension/main/extension.json"

# OCDS procurementMethod (open, selective, limited, direct) for each route to market a procurement records
DIRECT_AWARD = "direct-award"
METHODS = {
    "open": "open",
    "restricted": "selective",
    "competitive-dialogue": "selective",
    "competitive-procedure-with-negotiation": "selective",
    "competitive-flexible": "selective",
    "framework-call-off": "selective",
    DIRECT_AWARD: "direct",
}
CATEGORIES = {"services": "services", "supplies": "goods", "works": "works", "light-touch": "services"}
# OCDS contract status for each status an estate contract records
CONTRACT_STATUS = {"planned": "pending", "active": "active", "ended": "terminated", "terminated": "terminated"}
# The changes that amend a contract as OCDS sees it: a lapsed option or a termination amends nothing.
AMENDING = ("variation", "option-exercise")
# Each notice's release tag (closed codelist) and its document's type (core's, or the UK extension's additions)
NOTICE_TAGS = {
    "UK7": "contract",
    "UK9": "implementation",
    "UK10": "contractAmendment",
    "PCR-MOD": "contractAmendment",
    "UK11": "contractTermination",
}
NOTICE_DOCUMENTS = {
    "UK7": "contractNotice",
    "UK9": "implementationNotice",
    "UK10": "contractNotice",
    "PCR-MOD": "contractNotice",
    "UK11": "contractTerminationNotice",
}
# A KPI's rating as the status of its assessment milestone (milestoneStatus, a closed codelist)
MILESTONE_STATUS = {
    "Good": "met",
    "Approaching target": "partiallyMet",
    "Requires improvement": "partiallyMet",
    "Inadequate": "notMet",
}


def ocid_prefix() -> str:
    return settings.PEGASUS_OCID_PREFIX


def _stamp(day: date) -> str:
    return datetime.combine(day, time(0, 0)).isoformat() + "Z"


def _instant(when: datetime) -> str:
    return when.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _amount(value: Decimal) -> dict[str, Any]:
    return {"amount": float(value), "currency": CURRENCY}


def _organisation(org: Any) -> dict[str, Any]:
    return {"id": f"pegasus-org-{org.pk}", "name": org.name}


def _supplier(supplier: Any) -> dict[str, Any]:
    if supplier.companies_house_number:
        return {"id": f"GB-COH-{supplier.companies_house_number}", "name": supplier.name}
    return {"id": f"pegasus-supplier-{supplier.pk}", "name": supplier.name}


def _bidder(award: ProcurementAward) -> dict[str, Any]:
    """The organisation reference of a winning bidder: an estate supplier, or a bidder named in free text."""
    if award.supplier is not None:
        return _supplier(award.supplier)
    return {"id": f"pegasus-bidder-{award.bid_id}", "name": award.bidder_name}


def _party(summary: dict[str, Any], roles: list[str], supplier: Any = None) -> dict[str, Any]:
    party: dict[str, Any] = {**summary, "roles": roles}
    if supplier is not None and supplier.companies_house_number:
        party["identifier"] = {"scheme": "GB-COH", "id": supplier.companies_house_number, "legalName": supplier.name}
    return party


def publishable_value(contract: Any) -> bool:
    """A contract's value is published unless the contract is marked OFFICIAL-SENSITIVE."""
    return contract.classification != Classification.OFFICIAL_SENSITIVE.value


def _held_amount(amount: Decimal, vat_basis: str) -> dict[str, Any]:
    """An amount on the VAT basis it is held on: net as `amount`, gross as the UK extension's `amountGross`."""
    if vat_basis == VatBasis.GROSS.value:
        return {"amountGross": float(amount), "currency": CURRENCY}
    return _amount(amount)


def _transaction(reference: str, spend: Any, payer: dict[str, Any], payee: dict[str, Any]) -> dict[str, Any]:
    """A month's spend as a payment from the buyer to the supplier, its VAT basis kept (see the module docstring)."""
    value = _held_amount(spend.amount, spend.vat_basis)
    return {
        "id": f"{reference}-{spend.month:%Y-%m}",
        "date": _stamp(spend.month),
        "value": value,
        "payer": dict(payer),
        "payee": dict(payee),
    }


def _change_description(change: Any, publish_value: bool) -> str:
    """What a change did, in words: the value only where the contract's value is published."""
    if change.kind == "option-exercise":
        text = f"Extension option {change.option.sequence} exercised: {change.option.length_months} more months"
    else:
        text = f"Variation on the ground {change.ground}" if change.ground else "Variation"
        if change.term_change_months:
            text += f"; term changed by {change.term_change_months} months"
        if change.scope:
            text += f"; scope: {change.scope}"
    if publish_value and change.value:
        text += f"; value changed by £{change.value:,.2f}"
    return text


def _amendments(contract: Any, changes: Sequence[Any], publish_value: bool) -> list[dict[str, Any]]:
    """The effective variations and option exercises as OCDS amendments (id, date, rationale, description), each
    with the UK extension's `value`, the amended contract's total value, where the value is published."""
    out = []
    running = contract.total_value
    for change in changes:
        if change.state != "effective":
            continue
        running += change.value
        if change.kind not in AMENDING:
            continue
        amendment: dict[str, Any] = {
            "id": f"{contract.reference}-change-{change.pk}",
            "date": _stamp(change.effective_on),
            "rationale": change.reason,
            "description": _change_description(change, publish_value),
        }
        if publish_value:
            amendment["value"] = _held_amount(running, contract.vat_basis)
        out.append(amendment)
    return out


def _notice_document(notice: Any) -> dict[str, Any]:
    """A published notice as a document of the contract, with the UK extension's `noticeType`."""
    body = notice.body
    document: dict[str, Any] = {
        "id": f"notice-{notice.pk}",
        "documentType": NOTICE_DOCUMENTS[notice.kind],
        "noticeType": notice.kind,
        "title": f"{notice.kind} {body.get('title', '')} of {notice.contract.reference}".replace("  ", " "),
        "language": "en",
    }
    text = body.get("requirement", {}).get("text", "")
    if body.get("kpis"):
        text += ". KPIs (s52): " + "; ".join(kpi["name"] for kpi in body["kpis"])
    if notice.corrects_id:
        text = f"Corrects notice {notice.corrects_id}. {text}".strip()
    if text:
        document["description"] = text
    if notice.published_at:
        document["datePublished"] = _instant(notice.published_at)
    return document


def _milestones(notice: Any) -> list[dict[str, Any]]:
    """A published UK9's KPI assessments as assessment milestones of the contract's implementation: the UK extension
    has no field for a KPI's rating (its `Observation.measureClassification` belongs to the metrics extension, which
    it does not depend on), so the rating is said in the milestone's description and status."""
    out = []
    period = notice.body.get("period", {})
    for item in notice.body.get("assessments", []):
        rating = item["rating"]
        figures = ""
        if item.get("attainment") is not None and item.get("target") is not None:
            figures = f": {item['attainment']}% against a target of {item['target']}%"
        out.append(
            {
                "id": f"notice-{notice.pk}-kpi-{item['kpi']}",
                "title": item["name"],
                "type": "assessment",
                "description": (
                    f"KPI assessed for {period.get('start')} to {period.get('end')} (Procurement Act 2023 s71): "
                    f"{rating}{figures}"
                ),
                "dueDate": _stamp(date.fromisoformat(period["end"])),
                "status": MILESTONE_STATUS[rating],
            }
        )
    return out


def _current_notices(notices: Sequence[Any]) -> list[Any]:
    """The published notices no published correction replaces."""
    corrected = {n.corrects_id for n in notices if n.corrects_id}
    return [n for n in notices if n.pk not in corrected]


def contract_release(contract: Any, as_at: date) -> dict[str, Any]:
    """The release of an estate contract: buyer, supplier, award, contract with its current value and period (its
    effective changes as amendments; a termination as its status and end), its published notices as documents and
    a published UK9's assessments as milestones, and, unless the contract is OFFICIAL-SENSITIVE, what was paid
    against it month by month up to `as_at`."""
    ocid = f"{ocid_prefix()}-{contract.reference}"
    buyer = _organisation(contract.authority)
    supplier = _supplier(contract.supplier)
    # What had happened by `as_at` only: a change that took effect after it is no amendment yet, a termination after
    # it has not ended the contract, a notice published after it is not among its documents.
    changes = sorted(
        (c for c in contract.changes.all() if c.effective_on <= as_at), key=lambda c: (c.effective_on, c.pk)
    )
    current = contract_current_from(contract, changes, as_at)
    terminations = [c for c in changes if c.kind == "termination" and c.state == "effective"]
    ended_on = contract.ended_on if terminations else None
    end = ended_on or current.current_end
    period = {"startDate": _stamp(contract.start_date), "endDate": _stamp(end)}
    award: dict[str, Any] = {
        "id": f"{contract.reference}-award",
        "title": contract.title,
        "status": "active",
        "date": _stamp(contract.start_date),
        "suppliers": [supplier],
        "contractPeriod": {"startDate": _stamp(contract.start_date), "endDate": _stamp(contract_end(contract, as_at))},
    }
    agreement: dict[str, Any] = {
        "id": contract.reference,
        "awardID": award["id"],
        "title": contract.title,
        "status": CONTRACT_STATUS[contract.status if ended_on or contract.ended_on is None else "active"],
        "period": period,
        "dateSigned": _stamp(contract.start_date),
    }
    if contract.description:
        agreement["description"] = contract.description
    spend: list[Any] = []
    publish_value = publishable_value(contract)
    if publish_value:
        award["value"] = _held_amount(contract.total_value, contract.vat_basis)
        agreement["value"] = _held_amount(current.current_value, contract.vat_basis)
        spend = sorted((s for s in contract.spend.all() if s.month <= as_at), key=lambda s: s.month)
    release: dict[str, Any] = {
        "ocid": ocid,
        "id": f"{ocid}-contract-{contract.start_date.isoformat()}",
        "date": _stamp(contract.start_date),
        "tag": ["contract"],
        "initiationType": "tender",
        "language": "en",
        "buyer": buyer,
        "parties": [
            _party(buyer, ["buyer", "procuringEntity"]),
            _party(supplier, ["supplier"], contract.supplier),
        ],
        "tender": {"id": f"{contract.reference}-tender", "title": contract.title, "status": "complete"},
        "awards": [award],
        "contracts": [agreement],
    }
    implementation: dict[str, Any] = {}
    if spend:
        implementation["transactions"] = [_transaction(contract.reference, s, buyer, supplier) for s in spend]
        # As with an award, a release is a new one once spend is published: named and dated by its latest month.
        latest = spend[-1].month
        release["id"] = f"{ocid}-implementation-{latest:%Y-%m}"
        release["date"] = max(release["date"], _stamp(latest))
        release["tag"].append("implementation")
        release["parties"][0]["roles"].append("payer")
        release["parties"][1]["roles"].append("payee")
    events: list[str] = []
    amendments = _amendments(contract, changes, publish_value)
    if amendments:
        agreement["amendments"] = amendments
        release["tag"].append("contractAmendment")
        events += [a["date"] for a in amendments]
    if terminations and ended_on is not None:
        release["tag"].append("contractTermination")
        events.append(_stamp(terminations[-1].termination_date))
    notices = sorted(
        (n for n in contract.notices.all() if n.state == "published" and n.published_at <= as_at_end(as_at)),
        key=lambda n: (n.published_at, n.pk),
    )
    if notices:
        agreement["documents"] = [_notice_document(n) for n in notices]
        events += [_instant(n.published_at) for n in notices]
        milestones = [m for n in _current_notices(notices) if n.kind == "UK9" for m in _milestones(n)]
        if milestones:
            implementation["milestones"] = milestones
            if "implementation" not in release["tag"]:
                release["tag"].append("implementation")
    if implementation:
        agreement["implementation"] = implementation
    if events:
        # A change or a notice makes a new release too: dated and named by the latest of them.
        release["date"] = max([release["date"], *events])
        release["id"] = f"{ocid}-update-{release['date'][:10]}"
    return release


def notice_release(notice: Any) -> dict[str, Any]:
    """The release a notice publishes, from what the notice says (`body`, fixed when it was drafted): its contract
    with the change as an amendment (UK10, PCR-MOD), the termination as its status and end (UK11), the KPIs'
    assessments as milestones (UK9), or its details (UK7), and the notice itself as a document."""
    contract = notice.contract
    ocid = f"{ocid_prefix()}-{contract.reference}"
    body = notice.body
    facts = body["contract"]
    buyer = _organisation(contract.authority)
    supplier = _supplier(contract.supplier)
    publish_value = publishable_value(contract)
    agreement: dict[str, Any] = {
        "id": contract.reference,
        "awardID": f"{contract.reference}-award",
        "title": facts["title"],
        "status": CONTRACT_STATUS.get(facts["status"], "active"),
        "period": {
            "startDate": _stamp(date.fromisoformat(facts["start_date"])),
            "endDate": _stamp(date.fromisoformat(facts["end_date"])),
        },
        "documents": [_notice_document(notice)],
    }
    if publish_value and facts.get("current_value"):
        agreement["value"] = _held_amount(Decimal(facts["current_value"]), facts.get("vat_basis", "net"))
    if "change" in body:
        change = body["change"]
        amendment: dict[str, Any] = {
            "id": f"{contract.reference}-change-{change['id']}",
            "date": _stamp(date.fromisoformat(change["effective_on"])),
            "rationale": change["reason"],
            "description": f"{change['kind_label']}"
            + (f" on the ground {change['ground']}" if change["ground"] else "")
            + (f"; scope: {change['scope']}" if change["scope"] else ""),
        }
        if publish_value:
            amendment["value"] = _held_amount(Decimal(change["value_after"]), facts.get("vat_basis", "net"))
        agreement["amendments"] = [amendment]
    if "termination" in body:
        agreement["status"] = "terminated"
        agreement["period"]["endDate"] = _stamp(date.fromisoformat(body["termination"]["date"]))
    if "assessments" in body:
        agreement["implementation"] = {"milestones": _milestones(notice)}
    when = notice.published_at or notice.drafted_at
    return {
        "ocid": ocid,
        "id": f"{ocid}-notice-{notice.pk}",
        "date": _instant(when),
        "tag": [NOTICE_TAGS[notice.kind]],
        "initiationType": "tender",
        "language": "en",
        "buyer": buyer,
        "parties": [
            _party(buyer, ["buyer", "procuringEntity"]),
            _party(supplier, ["supplier"], contract.supplier),
        ],
        "contracts": [agreement],
    }


def notice_package(notice: Any, published: datetime, uri: str) -> dict[str, Any]:
    """One notice's release as a release package."""
    return {**_package_meta(published, uri), "releases": [notice_release(notice)]}


def _award(award: ProcurementAward, decided_at: datetime, tender: dict[str, Any]) -> dict[str, Any]:
    """The award notice of a lot: the winning bidder and the price it won at, on the day the decision was taken."""
    out: dict[str, Any] = {
        "id": f"{award.tender_reference}-lot-{award.lot_number}",
        "title": award.lot_title,
        "status": "active",
        "date": _instant(decided_at),
        "value": _amount(award.price),
        "suppliers": [_bidder(award)],
        "mainProcurementCategory": tender["mainProcurementCategory"],
    }
    if "startDate" in tender["contractPeriod"]:
        out["contractPeriod"] = dict(tender["contractPeriod"])
    return out


def procurement_release(
    row: ProcurementRow,
    as_at: date,
    buyer: Any,
    awards: Sequence[tuple[ProcurementAward, datetime]] = (),
    lots: int = 0,
) -> dict[str, Any]:
    """The release of a procurement, from its row as at `as_at`: its planning (estimated value), tender (route,
    periods, value) and any published awards of its tenders. Its tender is `complete` once each of its `lots` has a
    published award. `buyer` is the organisation buying, if known."""
    procurement = row.procurement
    ocid = f"{ocid_prefix()}-{procurement.reference}"
    tender: dict[str, Any] = {
        "id": procurement.reference,
        "title": procurement.title,
        "status": "planning" if procurement.starts_on > as_at else "active",
        "procurementMethod": METHODS[procurement.route],
        "procurementMethodDetails": f"{procurement.route_label} ({procurement.regime_label})",
        "mainProcurementCategory": CATEGORIES[procurement.contract_type],
        "contractPeriod": {"durationInMonths": procurement.term_months + procurement.extension_months},
    }
    if procurement.contract_type == ContractType.LIGHT_TOUCH.value:
        tender["specialRegime"] = ["lightTouch"]
    if procurement.description:
        tender["description"] = procurement.description
    if procurement.route == DIRECT_AWARD and procurement.direct_award_justification:
        tender["procurementMethodRationale"] = procurement.direct_award_justification
    planning: dict[str, Any] = {}
    if row.value is not None:
        tender["value"] = _amount(row.value.amount)
        tender["aboveThreshold"] = row.value.above_threshold
        planning["budget"] = {"description": "Estimated value", "amount": _amount(row.value.amount)}
    if procurement.description:
        planning["rationale"] = procurement.description
    if row.schedule is not None:
        for stage in row.schedule.stages:
            if stage.template.key in {"tender-period", "participation-period"} and "tenderPeriod" not in tender:
                tender["tenderPeriod"] = {
                    "startDate": _stamp(stage.planned_start),
                    "endDate": _stamp(stage.planned_end),
                }
        tender["contractPeriod"]["startDate"] = _stamp(row.schedule.planned_contract_start)
        if row.replaces_end is not None:
            tender["contractPeriod"]["endDate"] = _stamp(
                term_end(row.schedule.planned_contract_start, procurement.term_months)
            )
    # A procurement that has not started by `as_at` is published as planned on that day, never dated by its start.
    dated = min(procurement.starts_on, as_at)
    release: dict[str, Any] = {
        "ocid": ocid,
        "id": f"{ocid}-tender-{dated.isoformat()}",
        "date": _stamp(dated),
        "tag": ["planning", "tender"],
        "initiationType": "tender",
        "language": "en",
        "planning": planning,
        "tender": tender,
    }
    parties: dict[str, dict[str, Any]] = {}
    if buyer is not None:
        release["buyer"] = _organisation(buyer)
        parties[release["buyer"]["id"]] = _party(release["buyer"], ["buyer", "procuringEntity"])
    if awards:
        release["awards"] = [_award(award, decided_at, tender) for award, decided_at in awards]
        # A release is a new one once an award is published: it is dated and named by the latest award.
        release["date"] = max(award["date"] for award in release["awards"])
        release["id"] = f"{ocid}-award-{release['date'][:10]}"
        release["tag"].append("award")
        if len({award.lot_id for award, _ in awards}) >= lots:
            tender["status"] = "complete"
        for award, _ in awards:
            winner = _bidder(award)
            parties.setdefault(winner["id"], _party(winner, ["supplier"], award.supplier))
    if parties:
        release["parties"] = list(parties.values())
    related = [
        {
            "id": f"replaces-{contract.reference}",
            "relationship": ["replacementProcess"],
            "title": contract.title,
            "scheme": "ocid",
            "identifier": f"{ocid_prefix()}-{contract.reference}",
        }
        for contract in row.contracts
    ]
    if related:
        release["relatedProcesses"] = related
    return release


def _package_meta(published: datetime, uri: str) -> dict[str, Any]:
    return {
        "uri": uri,
        "version": VERSION,
        "publishedDate": published.isoformat().replace("+00:00", "Z"),
        "publisher": {"name": settings.PEGASUS_OCDS_PUBLISHER},
        "license": LICENSE,
        "extensions": [UK_EXTENSION],
    }


def package_uri(name: str) -> str:
    """Where the package is published: the public release package, or a file of that name beside it."""
    base = settings.PEGASUS_PUBLIC_URL.rstrip("/") + reverse("public-ocds-releases")
    return base if name == "releases.json" else base.rsplit("/", 1)[0] + "/" + name


def release_package(releases: Sequence[dict[str, Any]], published: datetime, uri: str) -> dict[str, Any]:
    """The releases as a release package."""
    return {**_package_meta(published, uri), "releases": list(releases)}


def record_package(releases: Sequence[dict[str, Any]], published: datetime, uri: str) -> dict[str, Any]:
    """The releases as a record package: one record per contracting process, with its releases embedded and the
    compiled release (one release per process, so the compiled release is that release tagged `compiled`)."""
    records = []
    for release in releases:
        compiled = copy.deepcopy(release)
        compiled["tag"] = ["compiled"]
        compiled["id"] = f"{release['ocid']}-compiled"
        records.append({"ocid": release["ocid"], "releases": [release], "compiledRelease": compiled})
    return {**_package_meta(published, uri), "records": records}
