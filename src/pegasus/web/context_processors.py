from django.urls import reverse

from pegasus.core.roles import Role, roles_of

# The service navigation: one entry a section, so it keeps to one row on a laptop's screen. A section's pages are
# linked from a second row while one of them is open; the entry leads to the first of them the user may read.
NAV = [
    # section label, its pages: (label, url name, permission, path prefix that marks it current; ending "$", the
    # path itself)
    ("Dashboard", [("Dashboard", "dashboard", "estate.view_dashboard", "/dashboard")]),
    (
        "Contracts",
        [
            ("Contracts", "contract-list", "estate.view_estate", "/contracts"),
            ("Towers", "tower-list", "estate.view_estate", "/towers"),
            ("Import", "import", "estate.import_spend", "/import"),
        ],
    ),
    (
        "Suppliers",
        [
            ("Suppliers", "supplier-list", "estate.view_estate", "/suppliers"),
            ("Performance", "performance-overview", "performance.view_performance", "/performance"),
            ("Market", "market", "publication.view_market", "/market"),
        ],
    ),
    ("Decisions", [("Decisions", "decision-list", "governance.view_decision", "/decisions")]),
    (
        "Procurements",
        [
            ("Procurements", "procurement-list", "procurement.view_procurement", "/procurements"),
            ("Tenders", "tender-list", "evaluation.view_tender", "/tenders"),
            ("Scenarios", "scenario-list", "sourcing.view_scenario", "/scenarios"),
        ],
    ),
    ("Notices", [("Notices", "notice-list", "publication.view_notices", "/notices")]),
    (
        "Programme",
        [
            ("Overview", "programme-overview", "programme.view_programme", "/programme/$"),
            ("Business cases", "case-list", "programme.view_programme", "/programme/cases"),
            ("Milestones", "milestone-list", "programme.view_programme", "/programme/milestones"),
            ("RAID log", "raid-list", "programme.view_programme", "/programme/raid"),
            ("Exit plans", "exit-list", "programme.view_programme", "/programme/exits"),
            ("Finance", "finance-position", "finance.view_finance", "/finance"),
        ],
    ),
    ("Audit", [("Audit", "audit-list", "core.view_auditevent", "/audit")]),
]


def _current(path: str, prefix: str) -> bool:
    return path == prefix[:-1] if prefix.endswith("$") else path.startswith(prefix)


def navigation(user, path: str) -> tuple[list[dict], list[dict]]:
    """The sections the user may read, and the pages of the current section when it has more than one."""
    items, section_pages = [], []
    for section, pages in NAV:
        readable = [
            {"label": label, "url": reverse(name), "active": _current(path, prefix)}
            for label, name, perm, prefix in pages
            if user.has_perm(perm)
        ]
        if not readable:
            continue
        active = any(page["active"] for page in readable)
        items.append({"label": section, "url": readable[0]["url"], "active": active})
        if active and len(readable) > 1:
            section_pages = readable
    return items, section_pages


def pegasus(request):
    # A request refused before the authentication middleware ran (a host not allowed, say) has no user.
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": frozenset(), "nav_items": [], "nav_section_pages": []}
    items, section_pages = navigation(user, request.path)
    labels = dict(Role.choices)
    return {
        "user_roles": sorted(labels.get(role, role) for role in roles_of(user)),
        "nav_items": items,
        "nav_section_pages": section_pages,
    }
