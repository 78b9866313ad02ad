"""The demonstration estate, built from PCD 579 (May 2019). Supplier names are fictional and marked illustrative.

What the seed states is reproduced exactly: MOPAC is the contracting authority and the MPS (Digital Policing) the
operating body; eight service towers; six major contracts with four suppliers whose total contract values come to
£500m over five years; other contracts (mobile, printers, devices) that could be consolidated; expiries over the
2-3 years after May 2019. Everything else (names, values of each contract, dates, spend, interfaces) is invented
and plausible. Loading twice changes nothing: every record is keyed by its natural key.
"""

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from pegasus.core.audit import audit_record
from pegasus.core.calendar import add_months
from pegasus.core.clock import london_instant, story_at
from pegasus.core.roles import Role
from pegasus.estate.models import (
    Contract,
    ContractTower,
    ExtensionOption,
    Interface,
    Organisation,
    ServiceTower,
    Spend,
    Supplier,
    SupplierMembership,
)

DEMO_AS_AT = date(2019, 5, 23)  # the Investment Advisory & Monitoring meeting that considered PCD 579
# The estate, its users and the DP budget were entered at the start of the financial year 2019-20, before the
# programme's story begins.
ESTATE_ENTERED = london_instant(date(2019, 4, 1), 9)
DEMO_PASSWORD = "pegasus-demo-2019"  # demo only: printed by `make run`

AUTHORITY = ("Mayor's Office for Policing and Crime", "MOPAC")
OPERATING_BODY = ("Metropolitan Police Service - Digital Policing", "MPS DP")

# The eight towers of PCD 579 paragraph 1.1, then the other categories of paragraph 10.
TOWERS = [
    ("siam", "Service Integration & Management", "tower"),
    ("networks", "Networks", "tower"),
    ("telephony", "Telephony", "tower"),
    ("data-centres", "Data Centres", "tower"),
    ("data-centre-management", "Data Centres Management", "tower"),
    ("hosting", "Hosting", "tower"),
    ("euc", "End User Computing", "tower"),
    ("applications", "Applications Management", "tower"),
    ("mobile", "Mobile", "category"),
    ("printers", "Printers", "category"),
    ("devices", "Devices", "category"),
]

SUPPLIERS = [
    # name, Companies House number (fictional), SME
    ("Aldgate Service Integration Ltd (illustrative)", "90000001", False),
    ("Thamesmead Networks plc (illustrative)", "90000002", False),
    ("Northbank Hosting Ltd (illustrative)", "90000003", False),
    ("Kestrel Digital Services Ltd (illustrative)", "90000004", False),
    ("Cityline Mobile Ltd (illustrative)", "90000005", False),
    ("Holborn Print Services Ltd (illustrative)", "90000006", True),
    ("Greenwich Devices Ltd (illustrative)", "90000007", True),
]


@dataclass(frozen=True)
class DemoContract:
    reference: str
    title: str
    supplier: int  # index into SUPPLIERS
    towers: tuple[tuple[str, str], ...]  # (tower code, share percent)
    tier: int
    start: date
    initial_end: date
    options: tuple[tuple[int, str], ...]  # (months, state)
    notice_months: int
    total_value: str
    renewal: str = "none"
    renewal_months: int = 0
    max_renewals: int | None = None


# The six tier-1 contracts: four suppliers, £500,000,000.00 ex VAT in all, ending 2020-2022.
CONTRACTS = [
    DemoContract(
        "MPS-DP-T1-001",
        "Service Integration and Management (SIAM)",
        0,
        (("siam", "100"),),
        1,
        date(2015, 4, 1),
        date(2020, 3, 31),
        ((12, "available"),),
        6,
        "58250000.00",
    ),
    DemoContract(
        "MPS-DP-T1-002",
        "Wide Area Network and Telephony Services",
        1,
        (("networks", "70"), ("telephony", "30")),
        1,
        date(2014, 11, 1),
        date(2019, 10, 31),
        ((12, "exercised"), (12, "available")),
        6,
        "96400000.00",
    ),
    DemoContract(
        "MPS-DP-T1-003",
        "Data Centre Services",
        2,
        (("data-centres", "60"), ("data-centre-management", "40")),
        1,
        date(2015, 10, 1),
        date(2020, 9, 30),
        ((12, "available"), (6, "available")),
        6,
        "78950000.00",
    ),
    DemoContract(
        "MPS-DP-T1-004",
        "Hosting Services",
        2,
        (("hosting", "100"),),
        1,
        date(2016, 7, 1),
        date(2021, 6, 30),
        ((12, "available"),),
        6,
        "52300000.00",
    ),
    DemoContract(
        "MPS-DP-T1-005",
        "End User Computing Services",
        3,
        (("euc", "100"),),
        1,
        date(2016, 2, 1),
        date(2021, 1, 31),
        ((12, "available"),),
        6,
        "124600000.00",
    ),
    DemoContract(
        "MPS-DP-T1-006",
        "Applications Management Services",
        3,
        (("applications", "100"),),
        1,
        date(2017, 4, 1),
        date(2021, 9, 30),
        ((6, "available"), (6, "available")),
        9,
        "89500000.00",
    ),
    # Other contracts that "could be consolidated" (PCD 579 paragraph 10).
    DemoContract(
        "MPS-DP-T2-101",
        "Mobile Voice and Data",
        4,
        (("mobile", "100"),),
        2,
        date(2017, 6, 1),
        date(2020, 5, 31),
        (),
        3,
        "14800000.00",
        renewal="tacit",
        renewal_months=12,
    ),
    DemoContract(
        "MPS-DP-T2-102",
        "Managed Print Service",
        5,
        (("printers", "100"),),
        2,
        date(2016, 9, 1),
        date(2019, 8, 31),
        ((12, "available"),),
        3,
        "6350000.00",
    ),
    DemoContract(
        "MPS-DP-T2-103",
        "End User Devices Supply",
        6,
        (("devices", "100"),),
        2,
        date(2018, 1, 1),
        date(2020, 12, 31),
        ((12, "available"),),
        3,
        "21700000.00",
    ),
]

INTERFACES = [
    # hand-offs between towers, in tickets a month (invented, shaped like a SIAM model)
    ("siam", "euc", "4200"),
    ("siam", "networks", "1850"),
    ("siam", "hosting", "1300"),
    ("siam", "applications", "2600"),
    ("siam", "telephony", "900"),
    ("euc", "applications", "1400"),
    ("euc", "devices", "750"),
    ("networks", "telephony", "1100"),
    ("networks", "data-centres", "480"),
    ("hosting", "data-centres", "620"),
    ("data-centres", "data-centre-management", "540"),
    ("hosting", "applications", "980"),
    ("euc", "mobile", "610"),
    ("euc", "printers", "430"),
]

DEMO_USERS = [
    # username, role, full name
    ("commercial", Role.COMMERCIAL_OFFICER, "Casey Commercial"),
    ("director", Role.PROGRAMME_DIRECTOR, "Dana Director"),
    ("finance", Role.FINANCE, "Frankie Finance"),
    ("legal", Role.LEGAL, "Lee Legal"),
    ("evaluator", Role.EVALUATOR, "Evan Evaluator"),
    ("approver", Role.APPROVER, "Alex Approver"),
    ("cfo", Role.APPROVER, "Robin Treasurer"),
    ("supplier", Role.SUPPLIER_USER, "Sam Supplier"),
    ("auditor", Role.AUDITOR, "Audrey Auditor"),
]
SUPPLIER_USER_WORKS_FOR = 3  # Kestrel Digital Services: two tier-1 contracts

SPEND_MONTHS = 24  # June 2017 to May 2019


def demo_spend(contract: DemoContract, as_at: date = DEMO_AS_AT) -> list[tuple[date, Decimal]]:
    """24 months of invoiced spend: the contract's monthly run rate, varied by a seeded +/-8%."""
    term_months = max(
        1,
        (contract.initial_end.year - contract.start.year) * 12 + contract.initial_end.month - contract.start.month + 1,
    )
    monthly = Decimal(contract.total_value) / term_months
    rng = random.Random(contract.reference)  # noqa: S311 (illustrative figures, not security)
    first = add_months(as_at.replace(day=1), -SPEND_MONTHS)
    spend = []
    for n in range(SPEND_MONTHS):
        month = add_months(first, n)
        if month < contract.start.replace(day=1):
            continue
        factor = Decimal(rng.randint(920, 1080)) / 1000
        spend.append((month, (monthly * factor).quantize(Decimal("0.01"))))
    return spend


def annual_value(contract: DemoContract) -> Decimal:
    days = (contract.initial_end - contract.start).days + 1
    return (Decimal(contract.total_value) * Decimal("365.25") / days).quantize(Decimal("0.01"))


@transaction.atomic
@story_at(ESTATE_ENTERED)
def demo_load() -> dict[str, int]:
    """Load the demonstration estate and users; a second load finds everything in place and changes nothing."""
    created: dict[str, int] = {}

    def count(kind: str, was_created: bool) -> None:
        created[kind] = created.get(kind, 0) + int(was_created)

    authority, new = Organisation.objects.get_or_create(
        name=AUTHORITY[0],
        defaults={"short_name": AUTHORITY[1], "kind": Organisation.Kind.CONTRACTING_AUTHORITY},
    )
    count("organisations", new)
    operator, new = Organisation.objects.get_or_create(
        name=OPERATING_BODY[0],
        defaults={
            "short_name": OPERATING_BODY[1],
            "kind": Organisation.Kind.OPERATING_BODY,
            "authority": authority,
        },
    )
    count("organisations", new)
    towers = {}
    for position, (code, name, kind) in enumerate(TOWERS, start=1):
        towers[code], new = ServiceTower.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "position": position}
        )
        count("towers", new)
    suppliers = []
    for name, number, sme in SUPPLIERS:
        supplier, new = Supplier.objects.get_or_create(
            name=name, defaults={"companies_house_number": number, "is_sme": sme, "is_illustrative": True}
        )
        suppliers.append(supplier)
        count("suppliers", new)
    contracts = {}
    for spec in CONTRACTS:
        contract, new = Contract.objects.get_or_create(
            reference=spec.reference,
            defaults={
                "title": spec.title,
                "supplier": suppliers[spec.supplier],
                "authority": authority,
                "operating_body": operator,
                "tier": spec.tier,
                "start_date": spec.start,
                "initial_end_date": spec.initial_end,
                "notice_period_months": spec.notice_months,
                "renewal_type": spec.renewal,
                "renewal_period_months": spec.renewal_months,
                "max_renewals": spec.max_renewals,
                "total_value": Decimal(spec.total_value),
                "annual_value": annual_value(spec),
                "vat_basis": "net",
                "status": Contract.Status.ACTIVE,
                "classification": "OFFICIAL-SENSITIVE" if spec.tier == 1 else "OFFICIAL",
                "classification_descriptor": "COMMERCIAL" if spec.tier == 1 else "",
            },
        )
        contracts[spec.reference] = contract
        count("contracts", new)
        if new:
            ContractTower.objects.bulk_create(
                [
                    ContractTower(contract=contract, tower=towers[code], share_percent=Decimal(share))
                    for code, share in spec.towers
                ]
            )
            ExtensionOption.objects.bulk_create(
                [
                    ExtensionOption(contract=contract, sequence=n, length_months=months, state=state)
                    for n, (months, state) in enumerate(spec.options, start=1)
                ]
            )
            spend = Spend.objects.bulk_create(
                [
                    Spend(contract=contract, month=month, amount=amount, vat_basis="net")
                    for month, amount in demo_spend(spec)
                ]
            )
            created["spend months"] = created.get("spend months", 0) + len(spend)
    by_tower = {
        code: next(c for s, c in zip(CONTRACTS, contracts.values(), strict=True) if code in dict(s.towers))
        for code in towers
    }
    for a, b, weight in INTERFACES:
        _, new = Interface.objects.get_or_create(
            from_tower=towers[a],
            to_tower=towers[b],
            defaults={
                "weight": Decimal(weight),
                "unit": Interface.Unit.TICKETS,
                "from_contract": by_tower[a],
                "to_contract": by_tower[b],
                "description": f"Tickets passed from {towers[a].name} to {towers[b].name}",
            },
        )
        count("interfaces", new)
    User = get_user_model()
    for username, role, full_name in DEMO_USERS:
        first, last = full_name.split(" ", 1)
        user, new = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@pegasus.example",
                "date_joined": ESTATE_ENTERED,
            },
        )
        if new:
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.groups.add(Group.objects.get(name=role.value))
        count("users", new)
        if role == Role.SUPPLIER_USER:
            SupplierMembership.objects.get_or_create(user=user, supplier=suppliers[SUPPLIER_USER_WORKS_FOR])
    if any(created.values()):
        audit_record(action="demo.load", by=None, obj=None, summary="Loaded the demonstration estate", data=created)
    return created
