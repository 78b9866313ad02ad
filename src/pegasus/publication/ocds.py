"""Open contracting: the estate's contracts and the procurements that replace them as OCDS 1.1.5 releases and records.

Only what may be published goes in: titles, descriptions, parties, dates, routes and the estimated values a
procurement's notices publish. A contract marked OFFICIAL-SENSITIVE keeps its value out (commercial information);
nothing of a bid, a market price, a scenario or a decision's Part 2 is read at all.

Each contract is one contracting process (`{prefix}-{reference}`) with one release, tagged `contract`; each
procurement another, tagged `planning` and `tender`, with its tender period and contract period as scheduled, and
links (`relatedProcesses`) to the contracts it replaces. Release ids and dates come from the data, so an export of
the same estate is the same document but for the package's own date.
"""

from __future__ import annotations

import copy
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.urls import reverse

from pegasus.core.calendar import term_end
from pegasus.core.classification import Classification
from pegasus.estate import terms as t
from pegasus.estate.models import Contract, ContractStatus, Organisation, Supplier
from pegasus.procurement import schedule as s
from pegasus.procurement.models import Procurement
from pegasus.procurement.selectors import procurement_row

VERSION = "1.1"
LICENSE = "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
CURRENCY = "GBP"

# OCDS procurementMethod (open, selective, limited, direct) for each route to market
METHODS = {
    s.Route.OPEN: "open",
    s.Route.RESTRICTED: "selective",
    s.Route.COMPETITIVE_DIALOGUE: "selective",
    s.Route.COMPETITIVE_WITH_NEGOTIATION: "selective",
    s.Route.COMPETITIVE_FLEXIBLE: "selective",
    s.Route.FRAMEWORK_CALL_OFF: "selective",
    s.Route.DIRECT_AWARD: "direct",
}
CATEGORIES = {"services": "services", "supplies": "goods", "works": "works", "light-touch": "services"}
CONTRACT_STATUS = {
    ContractStatus.PLANNED: "pending",
    ContractStatus.ACTIVE: "active",
    ContractStatus.ENDED: "terminated",
    ContractStatus.TERMINATED: "terminated",
}


def ocid_prefix() -> str:
    return settings.PEGASUS_OCID_PREFIX


def _stamp(day: date) -> str:
    return datetime.combine(day, time(0, 0)).isoformat() + "Z"


def _amount(value: Decimal) -> dict[str, Any]:
    return {"amount": float(value), "currency": CURRENCY}


def _organisation(org: Organisation) -> dict[str, Any]:
    return {"id": f"pegasus-org-{org.pk}", "name": org.name}


def _supplier(supplier: Supplier) -> dict[str, Any]:
    if supplier.companies_house_number:
        return {"id": f"GB-COH-{supplier.companies_house_number}", "name": supplier.name}
    return {"id": f"pegasus-supplier-{supplier.pk}", "name": supplier.name}


def _party(summary: dict[str, Any], roles: list[str], supplier: Supplier | None = None) -> dict[str, Any]:
    party: dict[str, Any] = {**summary, "roles": roles}
    if supplier is not None and supplier.companies_house_number:
        party["identifier"] = {"scheme": "GB-COH", "id": supplier.companies_house_number, "legalName": supplier.name}
    return party


def publishable_value(contract: Contract) -> bool:
    """A contract's value is published unless the contract is marked OFFICIAL-SENSITIVE."""
    return contract.classification != Classification.OFFICIAL_SENSITIVE.value


def contract_release(contract: Contract, as_at: date) -> dict[str, Any]:
    """The release of an estate contract: buyer, supplier, award and contract with its current period."""
    ocid = f"{ocid_prefix()}-{contract.reference}"
    buyer = _organisation(contract.authority)
    supplier = _supplier(contract.supplier)
    end = contract.ended_on or t.current_end(contract.terms(list(contract.options.all())), as_at)
    period = {"startDate": _stamp(contract.start_date), "endDate": _stamp(end)}
    award: dict[str, Any] = {
        "id": f"{contract.reference}-award",
        "title": contract.title,
        "status": "active",
        "date": _stamp(contract.start_date),
        "suppliers": [supplier],
        "contractPeriod": period,
    }
    agreement: dict[str, Any] = {
        "id": contract.reference,
        "awardID": award["id"],
        "title": contract.title,
        "status": CONTRACT_STATUS[ContractStatus(contract.status)],
        "period": period,
        "dateSigned": _stamp(contract.start_date),
    }
    if contract.description:
        agreement["description"] = contract.description
    if publishable_value(contract):
        award["value"] = agreement["value"] = _amount(contract.total_value)
    return {
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


def procurement_release(procurement: Procurement, as_at: date, buyer: Organisation | None) -> dict[str, Any]:
    """The release of a procurement: its planning (estimated value) and tender (route, periods, value)."""
    ocid = f"{ocid_prefix()}-{procurement.reference}"
    row = procurement_row(procurement, as_at)
    route = s.Route(procurement.route)
    tender: dict[str, Any] = {
        "id": procurement.reference,
        "title": procurement.title,
        "status": "planning" if procurement.starts_on > as_at else "active",
        "procurementMethod": METHODS[route],
        "procurementMethodDetails": procurement.route_label,
        "mainProcurementCategory": CATEGORIES[procurement.contract_type],
    }
    if procurement.description:
        tender["description"] = procurement.description
    if route is s.Route.DIRECT_AWARD and procurement.direct_award_justification:
        tender["procurementMethodRationale"] = procurement.direct_award_justification
    planning: dict[str, Any] = {}
    if row.value is not None:
        tender["value"] = _amount(row.value.amount)
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
        tender["contractPeriod"] = {"startDate": _stamp(row.schedule.planned_contract_start)}
        if row.replaces_end is not None:
            tender["contractPeriod"]["endDate"] = _stamp(
                term_end(row.schedule.planned_contract_start, procurement.term_months)
            )
    release: dict[str, Any] = {
        "ocid": ocid,
        "id": f"{ocid}-tender-{procurement.starts_on.isoformat()}",
        "date": _stamp(procurement.starts_on),
        "tag": ["planning", "tender"],
        "initiationType": "tender",
        "language": "en",
        "planning": planning,
        "tender": tender,
    }
    if buyer is not None:
        release["buyer"] = _organisation(buyer)
        release["parties"] = [_party(_organisation(buyer), ["buyer", "procuringEntity"])]
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


def releases(as_at: date) -> list[dict[str, Any]]:
    """Every publishable release: the estate's contracts, then the procurements, each in reference order."""
    out = [
        contract_release(contract, as_at)
        for contract in Contract.objects.select_related("authority", "supplier")
        .prefetch_related("options")
        .order_by("reference")
    ]
    authority = Organisation.objects.filter(kind=Organisation.Kind.CONTRACTING_AUTHORITY).first()
    procurements = Procurement.objects.order_by("reference").select_related("replaces_end_option")
    for procurement in procurements.prefetch_related("replaces__authority", "replaces__options", "stages"):
        contracts = list(procurement.replaces.all())
        out.append(procurement_release(procurement, as_at, contracts[0].authority if contracts else authority))
    return out


def _package_meta(published: datetime, uri: str) -> dict[str, Any]:
    return {
        "uri": uri,
        "version": VERSION,
        "publishedDate": published.isoformat().replace("+00:00", "Z"),
        "publisher": {"name": settings.PEGASUS_OCDS_PUBLISHER},
        "license": LICENSE,
    }


def package_uri(name: str) -> str:
    """Where the package is published: the public release package, or a file of that name beside it."""
    base = settings.PEGASUS_PUBLIC_URL.rstrip("/") + reverse("public-ocds-releases")
    return base if name == "releases.json" else base.rsplit("/", 1)[0] + "/" + name


def release_package(as_at: date, published: datetime, uri: str) -> dict[str, Any]:
    return {**_package_meta(published, uri), "releases": releases(as_at)}


def record_package(as_at: date, published: datetime, uri: str) -> dict[str, Any]:
    """One record per contracting process, with its releases embedded and the compiled release (one release per
    process, so the compiled release is that release tagged `compiled`)."""
    records = []
    for release in releases(as_at):
        compiled = copy.deepcopy(release)
        compiled["tag"] = ["compiled"]
        compiled["id"] = f"{release['ocid']}-compiled"
        records.append({"ocid": release["ocid"], "releases": [release], "compiledRelease": compiled})
    return {**_package_meta(published, uri), "records": records}
