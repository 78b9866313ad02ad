"""Every page as every role: allowed or refused, and supplier users see only their own contracts."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from pegasus.core.roles import Role
from pegasus.estate.demo import SUPPLIER_USER_WORKS_FOR, SUPPLIERS
from pegasus.estate.models import Contract, Supplier

pytestmark = pytest.mark.django_db

ALL = set(Role)
INTERNAL = ALL - {Role.SUPPLIER_USER}
COMMERCIAL = {Role.COMMERCIAL_OFFICER}
SPEND_IMPORTERS = {Role.COMMERCIAL_OFFICER, Role.FINANCE}
SCENARIO_SHAPERS = {Role.COMMERCIAL_OFFICER, Role.PROGRAMME_DIRECTOR}
KPI_SETTERS = {Role.COMMERCIAL_OFFICER, Role.PROGRAMME_DIRECTOR}
FINANCE_READERS = {Role.FINANCE, Role.COMMERCIAL_OFFICER, Role.PROGRAMME_DIRECTOR, Role.APPROVER, Role.AUDITOR}
FINANCE_KEEPERS = {Role.FINANCE, Role.COMMERCIAL_OFFICER}
ORIGINATORS = {Role.COMMERCIAL_OFFICER, Role.PROGRAMME_DIRECTOR, Role.FINANCE, Role.LEGAL}
CONCERNS_FILERS = {Role.COMMERCIAL_OFFICER, Role.PROGRAMME_DIRECTOR}
PROGRAMME_READERS = {
    Role.PROGRAMME_DIRECTOR,
    Role.COMMERCIAL_OFFICER,
    Role.FINANCE,
    Role.LEGAL,
    Role.APPROVER,
    Role.AUDITOR,
}
PROGRAMME_KEEPERS = {Role.PROGRAMME_DIRECTOR}

# url name -> (path template, roles allowed, status for the others when signed in)
PAGES = {
    "dashboard": ("/dashboard/", INTERNAL, 403),
    "contract-list": ("/contracts/", ALL, 403),
    "contract-export": ("/contracts/export.xlsx", ALL, 403),
    "contract-create": ("/contracts/new/", COMMERCIAL, 403),
    "contract-detail": ("/contracts/{own}/", ALL, 403),
    "contract-edit": ("/contracts/{own}/edit/", COMMERCIAL, 403),
    "contract-change-create": ("/contracts/{own}/changes/new/", COMMERCIAL, 403),
    "supplier-list": ("/suppliers/", ALL, 403),
    "supplier-create": ("/suppliers/new/", COMMERCIAL, 403),
    "supplier-detail": ("/suppliers/{own_supplier}/", ALL, 403),
    "supplier-edit": ("/suppliers/{own_supplier}/edit/", COMMERCIAL, 403),
    "tower-list": ("/towers/", ALL, 403),
    "audit-list": ("/audit/", {Role.AUDITOR}, 403),
    "password-change": ("/account/password/", ALL, 403),
    "password-change-done": ("/account/password/done/", ALL, 403),
    "import": ("/import/", SPEND_IMPORTERS, 403),
    "import-template": ("/import/template/spend.xlsx", SPEND_IMPORTERS, 403),
    "decision-list": ("/decisions/", INTERNAL, 403),
    "decision-detail": ("/decisions/{decision}/", INTERNAL, 403),
    "decision-part1-pdf": ("/decisions/{decision}/part1.pdf", INTERNAL, 403),
    "decision-part1-docx": ("/decisions/{decision}/part1.docx", INTERNAL, 403),
    # Part 2 is not found by anyone who may not read it: its existence is not disclosed.
    "decision-part2-pdf": ("/decisions/{decision}/part2.pdf", INTERNAL - {Role.EVALUATOR}, 404),
    "decision-part2-docx": ("/decisions/{decision}/part2.docx", INTERNAL - {Role.EVALUATOR}, 404),
    "decision-create": ("/decisions/new/", ORIGINATORS, 403),
    # Only the originating officer may edit, and only a draft: nobody here drafted the approved demo decision.
    "decision-edit": ("/decisions/{decision}/edit/", set(), 403),
    "release-review": ("/decisions/release-review/", COMMERCIAL, 403),
    # Filing what a decision concerns: commercial officers, programme directors and the decision's own officer.
    "decision-concerns": ("/decisions/{decision}/concerns/", CONCERNS_FILERS, 403),
    "decision-part2-attachment": ("/decisions/{draft}/attachments/{attachment}/", INTERNAL - {Role.EVALUATOR}, 404),
    "performance-overview": ("/performance/", ALL, 403),
    "performance-supplier": ("/performance/suppliers/{own_supplier}/", ALL, 403),
    "performance-export": ("/performance/suppliers/{own_supplier}/export.xlsx", ALL, 403),
    "performance-scorecard": ("/performance/contracts/{own}/", ALL, 403),
    "performance-sla-edit": ("/performance/contracts/{own}/sla/", COMMERCIAL, 403),
    "performance-kpi-create": ("/performance/contracts/{own}/kpis/new/", KPI_SETTERS, 403),
    "performance-kpis-from-sla": ("/performance/contracts/{own}/kpis/from-sla/", KPI_SETTERS, 403),
    "performance-kpi-edit": ("/performance/contracts/{own}/kpis/{kpi}/", KPI_SETTERS, 403),
    "performance-kpi-delete": ("/performance/contracts/{own}/kpis/{kpi}/remove/", KPI_SETTERS, 403),
    "performance-handoffs": ("/performance/handoffs/", ALL, 403),
    "performance-upload": ("/performance/uploads/", COMMERCIAL, 403),
    "performance-upload-detail": ("/performance/uploads/{upload}/", COMMERCIAL, 403),
    "performance-upload-progress": ("/performance/uploads/{upload}/progress/", COMMERCIAL, 403),
    "performance-upload-mapping": ("/performance/uploads/{upload}/mapping/", COMMERCIAL, 403),
    "performance-rating-rules": ("/performance/rating-rules/{authority}/", COMMERCIAL, 403),
    # Scenarios set competitors' market prices side by side: supplier users never see them.
    "scenario-list": ("/scenarios/", INTERNAL, 403),
    "scenario-compare": ("/scenarios/compare/", INTERNAL, 403),
    "scenario-create": ("/scenarios/new/", SCENARIO_SHAPERS, 403),
    "scenario-optimise": ("/scenarios/optimise/", SCENARIO_SHAPERS, 403),
    "scenario-baseline": ("/scenarios/baseline/", SCENARIO_SHAPERS, 403),
    "scenario-detail": ("/scenarios/{scenario}/", INTERNAL, 403),
    "scenario-progress": ("/scenarios/{scenario}/progress/", INTERNAL, 403),
    "scenario-choose": ("/scenarios/{scenario}/choose/", SCENARIO_SHAPERS, 403),
    "scenario-export": ("/scenarios/{scenario}/export.xlsx", INTERNAL, 403),
    "market-prices": ("/scenarios/prices/", INTERNAL, 403),
    "market-price-template": ("/scenarios/prices/template.xlsx", SCENARIO_SHAPERS, 403),
    # Bids are commercial-in-confidence: supplier users reach no evaluation page; evaluators only their own pages.
    "tender-list": ("/tenders/", INTERNAL, 403),
    "tender-create": ("/tenders/new/", COMMERCIAL, 403),
    "tender-detail": ("/tenders/{tender}/", INTERNAL, 403),
    "tender-declaration": ("/tenders/{tender}/declaration/", {Role.EVALUATOR}, 403),
    "lot-setup": ("/tenders/lots/{lot}/setup/", COMMERCIAL, 403),
    "lot-scoring": ("/tenders/lots/{lot}/scoring/", {Role.EVALUATOR}, 403),
    "lot-moderation": ("/tenders/lots/{lot}/moderation/", COMMERCIAL, 403),
    "lot-results": ("/tenders/lots/{lot}/results/", INTERNAL - {Role.EVALUATOR}, 403),
    "lot-report-xlsx": ("/tenders/lots/{lot}/report.xlsx", COMMERCIAL, 403),
    "lot-report-pdf": ("/tenders/lots/{lot}/report.pdf", COMMERCIAL, 403),
    "lot-award": ("/tenders/lots/{lot}/award/", COMMERCIAL, 403),
    # What the authority watches in the market is its own business: supplier users do not see it.
    "market": ("/market/", INTERNAL, 403),
    "market-import": ("/market/import/", COMMERCIAL, 403),
    # Notices: staff read them all, a supplier user its own contracts' (this one is of its own contract).
    "notice-list": ("/notices/", ALL, 403),
    "notice-new": ("/notices/new/", COMMERCIAL, 403),
    "notice-detail": ("/notices/{notice}/", ALL, 403),
    "notice-release": ("/notices/{notice}/release.json", ALL, 403),
    # Supplier users never see procurements: one may be competing their own contract.
    "procurement-list": ("/procurements/", INTERNAL, 403),
    "procurement-create": ("/procurements/new/", {Role.COMMERCIAL_OFFICER, Role.PROGRAMME_DIRECTOR}, 403),
    "procurement-detail": ("/procurements/{procurement}/", INTERNAL, 403),
    "procurement-edit": ("/procurements/{procurement}/edit/", {Role.COMMERCIAL_OFFICER, Role.PROGRAMME_DIRECTOR}, 403),
    "procurement-stage-edit": (
        "/procurements/{procurement}/stages/{stage}/",
        {Role.COMMERCIAL_OFFICER, Role.PROGRAMME_DIRECTOR},
        403,
    ),
    "procurement-stage-actuals": (
        "/procurements/{procurement}/stages/{stage}/actuals/",
        {Role.COMMERCIAL_OFFICER, Role.PROGRAMME_DIRECTOR},
        403,
    ),
    "procurement-stage-estimate": (
        "/procurements/{procurement}/stages/{stage}/estimate/",
        {Role.COMMERCIAL_OFFICER, Role.PROGRAMME_DIRECTOR},
        403,
    ),
    # The programme's money: finance and commercial officers keep it; evaluators, legal and suppliers see none of it.
    "finance-position": ("/finance/", FINANCE_READERS, 403),
    "finance-export": ("/finance/position.xlsx", FINANCE_READERS, 403),
    "finance-savings": ("/finance/savings/", FINANCE_READERS, 403),
    "finance-line": ("/finance/lines/{line}/", FINANCE_READERS, 403),
    "finance-approval": ("/finance/approvals/{approval}/", FINANCE_READERS, 403),
    "finance-approval-create": ("/finance/approvals/new/", FINANCE_KEEPERS, 403),
    "finance-commitment-create": ("/finance/commitments/new/", FINANCE_KEEPERS, 403),
    "finance-commitment-edit": ("/finance/commitments/{commitment}/", FINANCE_KEEPERS, 403),
    "finance-commitment-cancel": ("/finance/commitments/{commitment}/cancel/", FINANCE_KEEPERS, 403),
    "finance-actual-create": ("/finance/actuals/new/", FINANCE_KEEPERS, 403),
    "finance-forecast": ("/finance/forecasts/", FINANCE_KEEPERS, 403),
    "finance-budget-line-create": ("/finance/budget-lines/new/", FINANCE_KEEPERS, 403),
    "finance-budget": ("/finance/budgets/", FINANCE_KEEPERS, 403),
    "finance-import": ("/finance/import/", FINANCE_KEEPERS, 403),
    "finance-import-template": ("/finance/import/template/commitments.xlsx", FINANCE_KEEPERS, 403),
    # Programme control: the programme director keeps it; evaluators and suppliers see none of it.
    "programme-overview": ("/programme/", PROGRAMME_READERS, 403),
    "programme-report": ("/programme/report/2019-05.pdf", PROGRAMME_READERS, 403),
    "case-list": ("/programme/cases/", PROGRAMME_READERS, 403),
    "case-detail": ("/programme/cases/{case}/", PROGRAMME_READERS, 403),
    "case-create": ("/programme/cases/new/", PROGRAMME_KEEPERS, 403),
    "case-version-add": ("/programme/cases/{case}/edit/", PROGRAMME_KEEPERS, 403),
    "case-option-create": ("/programme/cases/{case}/options/new/", PROGRAMME_KEEPERS, 403),
    "case-option-from-scenario": ("/programme/cases/{case}/options/from-scenario/", PROGRAMME_KEEPERS, 403),
    "case-option-edit": ("/programme/cases/{case}/options/{case_option}/", PROGRAMME_KEEPERS, 403),
    "case-option-years": ("/programme/cases/{case}/options/{case_option}/years/", PROGRAMME_KEEPERS, 403),
    "case-approve": ("/programme/cases/{case}/approve/", PROGRAMME_KEEPERS, 403),
    "case-withdraw": ("/programme/cases/{case}/withdraw/", PROGRAMME_KEEPERS, 403),
    "raid-list": ("/programme/raid/", PROGRAMME_READERS, 403),
    "raid-detail": ("/programme/raid/{raid}/", PROGRAMME_READERS, 403),
    "raid-export": ("/programme/raid/export.xlsx", PROGRAMME_READERS, 403),
    "raid-create": ("/programme/raid/new/", PROGRAMME_KEEPERS, 403),
    "raid-edit": ("/programme/raid/{raid}/edit/", PROGRAMME_KEEPERS, 403),
    "raid-close": ("/programme/raid/{raid}/close/", PROGRAMME_KEEPERS, 403),
    "raid-reopen": ("/programme/raid/{raid}/reopen/", PROGRAMME_KEEPERS, 403),
    "raid-mitigation-create": ("/programme/raid/{raid}/mitigations/new/", PROGRAMME_KEEPERS, 403),
    "raid-mitigation-edit": ("/programme/raid/{raid}/mitigations/{mitigation}/", PROGRAMME_KEEPERS, 403),
    "raid-mitigation-done": ("/programme/raid/{raid}/mitigations/{mitigation}/done/", PROGRAMME_KEEPERS, 403),
    "raid-import": ("/programme/raid/import/", PROGRAMME_KEEPERS, 403),
    "raid-import-template": ("/programme/raid/import/template.xlsx", PROGRAMME_KEEPERS, 403),
    "milestone-list": ("/programme/milestones/", PROGRAMME_READERS, 403),
    "milestone-create": ("/programme/milestones/new/", PROGRAMME_KEEPERS, 403),
    "milestone-edit": ("/programme/milestones/{milestone}/", PROGRAMME_KEEPERS, 403),
    "milestone-tolerance": ("/programme/milestones/tolerance/", PROGRAMME_KEEPERS, 403),
    "exit-list": ("/programme/exits/", PROGRAMME_READERS, 403),
    "exit-create": ("/programme/exits/new/", PROGRAMME_KEEPERS, 403),
    "exit-detail": ("/programme/exits/{exit}/", PROGRAMME_READERS, 403),
    "exit-edit": ("/programme/exits/{exit}/edit/", PROGRAMME_KEEPERS, 403),
    "exit-task-create": ("/programme/exits/{exit}/tasks/new/", PROGRAMME_KEEPERS, 403),
    "exit-task-edit": ("/programme/exits/{exit}/tasks/{exit_task}/", PROGRAMME_KEEPERS, 403),
    "exit-task-state": ("/programme/exits/{exit}/tasks/{exit_task}/state/", PROGRAMME_KEEPERS, 403),
}
# Public pages: open to everyone, signed in or not, and identical for all.
PUBLIC = {
    "public-register": "/public/decisions/",
    "public-decision": "/public/decisions/{decision}/",
    "public-decision-pdf": "/public/decisions/{decision}/part1.pdf",
    "public-feed-atom": "/public/decisions/feed.atom",
    "public-feed-json": "/public/decisions/feed.json",
    "public-ocds-releases": "/public/ocds/releases.json",
    "public-ocds-records": "/public/ocds/records.json",
    "open-data": "/public/open-data/",
    "open-data-releases": "/public/open-data/releases.json",
    "open-data-records": "/public/open-data/records.json",
}
# Routes walked by their own tests: sign-in/out, home (a redirect), POST-only actions, the admin and the API.
WALKED_ELSEWHERE = {
    "login",
    "logout",
    "home",
    "contract-option-decide",
    "contract-change-act",
    "decision-act",
    "notice-act",
    "performance-dataset-choose",  # POST only: tests/performance/test_uploads.py
    "open-data-generate",
}


def route_names(resolver=None, namespace=""):
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in {"admin", "api-1.0.0"} or str(pattern.pattern).startswith(("admin", "api")):
                continue
            names |= route_names(pattern)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(pattern.name)
    return names


def test_every_page_is_in_the_walk():
    assert route_names() - WALKED_ELSEWHERE == set(PAGES) | set(PUBLIC)


@pytest.fixture(scope="module")
def module_media(tmp_path_factory):
    return tmp_path_factory.mktemp("access-media")


@pytest.fixture(autouse=True)
def media_in_tmp(settings, module_media, own_files):
    """The module's estate is loaded once, with its Part 2 attachment in a folder that every test here reads."""
    settings.MEDIA_ROOT = module_media
    settings.VAR_DIR = own_files / "var"


@pytest.fixture(scope="module")
def estate(module_transaction, module_media):
    """Every domain's demo, loaded once for the module: the walk reads it, and each test's changes are undone."""
    from django.test import override_settings

    from pegasus.estate.demo import demo_load
    from pegasus.evaluation.demo import evaluation_demo_load
    from pegasus.evaluation.models import Lot
    from pegasus.governance.demo import decisions_demo_load
    from pegasus.governance.models import Decision
    from pegasus.performance.models import ContractKpi, TicketUpload
    from pegasus.procurement.demo import procurements_demo_load
    from pegasus.procurement.models import Procurement
    from pegasus.programme.demo import programme_demo_load
    from pegasus.publication.services import notice_draft_details
    from pegasus.sourcing.demo import SIAM_PLUS_TOWERS, sourcing_demo_load
    from pegasus.sourcing.models import Scenario

    with override_settings(MEDIA_ROOT=module_media):
        demo_load()
        decisions_demo_load()
        evaluation_demo_load()
        procurements_demo_load()
        sourcing_demo_load(optimise=False)
        programme_demo_load()
        _ocds_exports()
    finance = _finance_ledger()
    own = Supplier.objects.get(name=SUPPLIERS[SUPPLIER_USER_WORKS_FOR][0])
    procurement = Procurement.objects.order_by("pk").first()
    own_contract = Contract.objects.filter(supplier=own).order_by("pk").first()
    return {
        "decision": Decision.objects.get(reference="PCD 579"),
        "draft": Decision.objects.get(reference="PCD 612"),
        "own_supplier": own,
        "scenario": Scenario.objects.get(name=SIAM_PLUS_TOWERS),
        "lot": Lot.objects.order_by("pk").first(),
        "procurement": procurement,
        "stage": procurement.stages.get(kind="requirements"),
        "own": own_contract,
        "notice": notice_draft_details(contract=own_contract, by=None),
        "kpi": ContractKpi.objects.create(contract=own_contract, name="Customer satisfaction at least 4 out of 5"),
        "other": Contract.objects.exclude(supplier=own).order_by("pk").first(),
        "upload": TicketUpload.objects.create(original_name="tickets.csv", status="rejected", progress=100),
        **finance,
        **_programme_case(),
        **_raid(),
        **_programme_records(),
    }


def _ocds_exports() -> None:
    """The release and record packages exported, for the Open data page's downloads."""
    from django.utils import timezone

    from pegasus.estate.demo import DEMO_AS_AT
    from pegasus.publication.models import OcdsExport
    from pegasus.publication.selectors import ocds_package
    from pegasus.publication.services import ocds_export_create

    now = timezone.now().replace(microsecond=0)
    for kind in OcdsExport.Kind.values:
        package = ocds_package(kind=kind, as_at=DEMO_AS_AT, published=now)
        ocds_export_create(kind=kind, as_at=DEMO_AS_AT, generated_at=now, package=package, via="command", by=None)


def _raid() -> dict:
    """A RAID item of the demo with a mitigation, for the RAID log's pages that show one."""
    from pegasus.programme.models import Mitigation

    mitigation = Mitigation.objects.order_by("item__reference", "pk").first()
    return {"raid": mitigation.item_id, "mitigation": mitigation.pk}


def _finance_ledger() -> dict:
    """A budget line with an approval and a commitment under it, for the finance pages that show one."""
    from datetime import date
    from decimal import Decimal

    from pegasus.finance import services

    services.budget_line_save(code="DP-PEG", name="Pegasus programme", parent=None, by=None)
    services.approval_save(
        reference="PCD579",
        line="DP-PEG",
        amount=Decimal(6_700_000),
        approved_on=date(2019, 6, 10),
        decision=None,
        by=None,
    )
    services.commitment_save(
        reference="PO-1001",
        line="DP-PEG",
        approval="PCD579",
        supplier="Independent consultants",
        description="",
        raised_on=date(2019, 6, 17),
        amount=Decimal(450_000),
        cancelled_on=None,
        contract=None,
        by=None,
    )
    return {"line": "DP-PEG", "approval": "PCD579", "commitment": "PO-1001"}


def _programme_case() -> dict:
    """The demo's OBC and an option of its appraisal, for the business case pages."""
    from pegasus.programme.models import BusinessCase

    case = BusinessCase.objects.get(reference="PEG-OBC")
    return {"case": case.pk, "case_option": case.options.order_by("position").first().pk}


def _programme_records() -> dict:
    """A milestone and an exit plan with a task of the demo programme, for the programme pages that show one."""
    from pegasus.programme.models import ExitTask, Milestone

    task = ExitTask.objects.order_by("pk").first()
    return {"milestone": Milestone.objects.order_by("pk").first(), "exit": task.plan, "exit_task": task}


def fill(template: str, estate) -> str:
    draft = estate["draft"]
    return template.format(
        own=estate["own"].pk,
        own_supplier=estate["own_supplier"].pk,
        decision=estate["decision"].pk,
        draft=draft.pk,
        attachment=draft.attachments.get().pk,
        scenario=estate["scenario"].pk,
        tender=estate["lot"].tender_id,
        lot=estate["lot"].pk,
        procurement=estate["procurement"].pk,
        stage=estate["stage"].pk,
        upload=estate["upload"].pk,
        kpi=estate["kpi"].pk,
        authority=estate["own"].authority_id,
        line=estate["line"],
        approval=estate["approval"],
        commitment=estate["commitment"],
        notice=estate["notice"].pk,
        case=estate["case"],
        case_option=estate["case_option"],
        raid=estate["raid"],
        mitigation=estate["mitigation"],
        milestone=estate["milestone"].pk,
        exit=estate["exit"].pk,
        exit_task=estate["exit_task"].pk,
    )


@pytest.mark.parametrize("name", sorted(PAGES))
def test_anonymous_users_are_sent_to_sign_in(name, client, estate):
    response = client.get(fill(PAGES[name][0], estate))
    assert response.status_code == 302
    assert response.url.startswith("/sign-in/?next=")


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_public_pages_need_no_sign_in_and_are_the_same_for_every_role(name, client, signed_in, estate):
    path = fill(PUBLIC[name], estate)
    anonymous = client.get(path)
    assert anonymous.status_code == 200
    for role in sorted(Role):
        staff, _ = signed_in(role, username=f"p-{role}")
        assert staff.get(path).status_code == 200, role
        staff.logout()


@pytest.mark.parametrize("role", sorted(Role))
@pytest.mark.parametrize("name", sorted(PAGES))
def test_each_role_is_allowed_or_refused(name, role, signed_in, estate):
    path, allowed, refused = PAGES[name]
    client, _ = signed_in(role, supplier=estate["own_supplier"] if role == Role.SUPPLIER_USER else None)
    response = client.get(fill(path, estate))
    assert response.status_code == (200 if role in allowed else refused), path


class TestSupplierUsers:
    @pytest.fixture
    def supplier_client(self, signed_in, estate):
        client, _ = signed_in(Role.SUPPLIER_USER, supplier=estate["own_supplier"])
        return client

    def test_list_shows_only_their_own_contracts(self, supplier_client, estate):
        response = supplier_client.get("/contracts/")
        shown = {row.contract.reference for row in response.context["rows"]}
        assert shown == set(
            Contract.objects.filter(supplier=estate["own_supplier"]).values_list("reference", flat=True)
        )
        assert estate["other"].reference.encode() not in response.content

    def test_another_suppliers_contract_is_not_found(self, supplier_client, estate):
        assert supplier_client.get(f"/contracts/{estate['other'].pk}/").status_code == 404

    def test_another_supplier_is_not_found(self, supplier_client, estate):
        other = Supplier.objects.exclude(pk=estate["own_supplier"].pk).first()
        assert supplier_client.get(f"/suppliers/{other.pk}/").status_code == 404

    def test_exports_hold_only_their_own_contracts(self, supplier_client, estate):
        body = supplier_client.get("/contracts/export.csv").content.decode()
        assert estate["own"].reference in body
        assert estate["other"].reference not in body

    def test_supplier_list_shows_only_their_supplier(self, supplier_client, estate):
        response = supplier_client.get("/suppliers/")
        assert [s.pk for s in response.context["suppliers"]] == [estate["own_supplier"].pk]

    def test_a_supplier_user_without_a_supplier_sees_nothing(self, signed_in, estate):
        client, _ = signed_in(Role.SUPPLIER_USER)
        assert client.get("/contracts/").context["total"] == 0


class TestOptionDecisions:
    def test_only_commercial_officers_may_decide(self, signed_in, estate):
        option = estate["own"].options.first()
        url = f"/contracts/{estate['own'].pk}/options/{option.pk}/exercise/"
        client, _ = signed_in(Role.FINANCE)
        assert client.post(url).status_code == 403
        client, _ = signed_in(Role.COMMERCIAL_OFFICER, username="co")
        assert client.post(url).status_code == 302
        # The option is exercised only as a contract change, once approved and made effective.
        option.refresh_from_db()
        assert option.state == "available"
        assert option.changes.get().state == "proposed"

    def test_get_is_not_allowed(self, signed_in, estate):
        option = estate["own"].options.first()
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        assert client.get(f"/contracts/{estate['own'].pk}/options/{option.pk}/exercise/").status_code == 405

    def test_a_supplier_user_cannot_reach_another_suppliers_option(self, signed_in, estate):
        option = estate["other"].options.first()
        client, _ = signed_in(Role.SUPPLIER_USER, supplier=estate["own_supplier"])
        assert client.post(f"/contracts/{estate['other'].pk}/options/{option.pk}/lapse/").status_code == 404
        option.refresh_from_db()
        assert option.state != "lapsed"


def test_home_sends_each_user_to_their_start_page(client, signed_in, estate):
    assert client.get("/").url == "/sign-in/"
    staff, _ = signed_in(Role.FINANCE)
    assert staff.get("/").url == "/dashboard/"


def test_sign_in_and_out(client, make_user):
    make_user(Role.LEGAL, username="lee")
    response = client.post("/sign-in/", {"username": "lee", "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert client.get("/towers/").status_code == 200
    client.post("/sign-out/")
    assert client.get("/towers/").status_code == 302


def test_repeated_failed_sign_ins_lock_the_account(client, make_user, settings):
    make_user(Role.LEGAL, username="lee")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/sign-in/", {"username": "lee", "password": "wrong"})
    response = client.post("/sign-in/", {"username": "lee", "password": "correct-horse-battery"})
    assert response.status_code == 429


class TestPart2:
    """Part 2 of a decision is OFFICIAL-SENSITIVE [COMMERCIAL]: it reaches only the roles that may read it."""

    PART2_WORDS = "Illustrative Part 2"

    @pytest.mark.parametrize("role", sorted(INTERNAL - {Role.EVALUATOR}))
    def test_staff_who_advise_or_decide_read_it(self, role, signed_in, estate):
        client, _ = signed_in(role)
        body = client.get(f"/decisions/{estate['decision'].pk}/").content.decode()
        assert self.PART2_WORDS in body and "OFFICIAL-SENSITIVE [COMMERCIAL]" in body

    def test_an_evaluator_sees_that_it_exists_but_not_what_it_says(self, signed_in, estate):
        client, _ = signed_in(Role.EVALUATOR)
        body = client.get(f"/decisions/{estate['decision'].pk}/").content.decode()
        assert self.PART2_WORDS not in body
        assert "not shown to your role" in body

    def test_supplier_users_and_the_public_reach_no_decision(self, signed_in, client, estate):
        path = f"/decisions/{estate['decision'].pk}/"
        assert client.get(path).status_code == 302
        supplier_client, _ = signed_in(Role.SUPPLIER_USER, supplier=estate["own_supplier"])
        response = supplier_client.get(path)
        assert response.status_code == 403 and self.PART2_WORDS not in response.content.decode()
