from django.urls import reverse

from pegasus.core.roles import Role, roles_of

NAV = [
    # label, url name, permission, path prefix that marks it active
    ("Dashboard", "dashboard", "estate.view_dashboard", "/dashboard"),
    ("Contracts", "contract-list", "estate.view_estate", "/contracts"),
    ("Suppliers", "supplier-list", "estate.view_estate", "/suppliers"),
    ("Towers", "tower-list", "estate.view_estate", "/towers"),
    ("Import", "import", "estate.import_spend", "/import"),
    ("Decisions", "decision-list", "governance.view_decision", "/decisions"),
    ("Scenarios", "scenario-list", "sourcing.view_scenario", "/scenarios"),
    ("Performance", "performance-overview", "performance.view_performance", "/performance"),
    ("Procurements", "procurement-list", "procurement.view_procurement", "/procurements"),
    ("Tenders", "tender-list", "evaluation.view_tender", "/tenders"),
    ("Market", "market", "publication.view_market", "/market"),
    ("Notices", "notice-list", "publication.view_notices", "/notices"),
    ("Finance", "finance-position", "finance.view_finance", "/finance"),
    ("Audit", "audit-list", "core.view_auditevent", "/audit"),
]


def pegasus(request):
    # A request refused before the authentication middleware ran (a host not allowed, say) has no user.
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": frozenset(), "nav_items": []}
    items = [
        {"label": label, "url": reverse(name), "active": request.path.startswith(prefix)}
        for label, name, perm, prefix in NAV
        if user.has_perm(perm)
    ]
    labels = dict(Role.choices)
    return {"user_roles": sorted(labels.get(role, role) for role in roles_of(user)), "nav_items": items}
