"""The estate API: every endpoint as every role, round trips, validation, money as text and query counts."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from pegasus.api.api import api
from pegasus.core.exceptions import InvalidTransition, RuleViolation
from pegasus.core.models import ApiToken, AuditEvent
from pegasus.core.roles import Role
from pegasus.estate import terms
from pegasus.estate.demo import SUPPLIER_USER_WORKS_FOR, SUPPLIERS
from pegasus.estate.models import Contract, ContractStatus, ServiceTower, Spend, Supplier
from tests.api.conftest import Api
from tests.factories import (
    ContractFactory,
    OptionFactory,
    OrganisationFactory,
    SpendFactory,
    SupplierFactory,
    TowerFactory,
)

pytestmark = pytest.mark.django_db

ROLES = [role.value for role in Role]
INTERNAL = [role for role in ROLES if role != Role.SUPPLIER_USER]
ESTATE_WRITERS = {Role.COMMERCIAL_OFFICER}
SPEND_WRITERS = {Role.COMMERCIAL_OFFICER, Role.FINANCE}


def client_for(api_as, role: str, estate) -> Api:
    """Supplier users work for `ours`; everyone else is staff of the authority."""
    client, _ = api_as(role, supplier=estate["ours"] if role == Role.SUPPLIER_USER else None)
    return client


def contract_body(**overrides) -> dict:
    body = {
        "reference": "MPS-DP-T2-900",
        "title": "Managed Security Service",
        "supplier": Supplier.objects.order_by("pk").first().pk,
        "authority": OrganisationFactory().pk,
        "towers": [{"code": "siam", "share_percent": "60"}, {"code": "networks", "share_percent": "40"}],
        "options": [{"length_months": 12}, {"length_months": 6, "state": "available"}],
        "tier": 2,
        "start_date": "2019-04-01",
        "initial_end_date": "2022-03-31",
        "notice_period_months": 6,
        "total_value": "3600000.00",
        "annual_value": "1200000.00",
    }
    return body | overrides


def fields_of(response) -> list[str | None]:
    return [error["field"] for error in response.json()["detail"]]


class TestSuppliers:
    @pytest.mark.parametrize("role", ROLES)
    def test_every_role_lists_the_suppliers_it_may_see(self, role, api_as, estate):
        """Staff see every supplier; a supplier user sees only its own."""
        client = client_for(api_as, role, estate)

        response = client.get("/suppliers")

        assert response.status_code == 200
        names = [s["name"] for s in response.json()]
        assert names == (["Ours Ltd"] if role == Role.SUPPLIER_USER else ["Ours Ltd", "Theirs plc"])

    def test_a_user_without_a_role_is_refused(self, api_as, estate):
        """A token for a user in no role group opens nothing."""
        client, _ = api_as(None)

        assert client.get("/suppliers").status_code == 403

    def test_list_shows_contract_count_and_value_as_text(self, api_as, estate):
        client, _ = api_as(Role.FINANCE)

        ours = next(s for s in client.get("/suppliers").json() if s["name"] == "Ours Ltd")

        assert ours["contract_count"] == 1
        assert ours["contract_value"] == "3600000.00"

    def test_list_filters_by_name_and_sme(self, api_as, estate):
        client, _ = api_as(Role.LEGAL)

        assert [s["name"] for s in client.get("/suppliers", q="thei").json()] == ["Theirs plc"]
        assert [s["name"] for s in client.get("/suppliers", sme="true").json()] == ["Theirs plc"]
        assert [s["name"] for s in client.get("/suppliers", sme="false").json()] == ["Ours Ltd"]

    @pytest.mark.parametrize("role", ROLES)
    def test_another_suppliers_record_is_not_found_by_a_supplier_user(self, role, api_as, estate):
        """Staff read any supplier; a supplier user gets 404 for any supplier but its own."""
        client = client_for(api_as, role, estate)

        own = client.get(f"/suppliers/{estate['ours'].pk}")
        other = client.get(f"/suppliers/{estate['theirs'].pk}")

        assert own.status_code == 200
        assert own.json()["name"] == "Ours Ltd"
        if role == Role.SUPPLIER_USER:
            assert other.status_code == 404
            assert "Theirs" not in other.content.decode()
        else:
            assert other.status_code == 200

    @pytest.mark.parametrize("role", ROLES)
    def test_only_a_commercial_officer_creates_a_supplier(self, role, api_as, estate):
        client = client_for(api_as, role, estate)

        response = client.post("/suppliers", {"name": "Newco Ltd", "companies_house_number": "12345678"})

        if role in ESTATE_WRITERS:
            assert response.status_code == 201
            assert response.json()["name"] == "Newco Ltd"
        else:
            assert response.status_code == 403
            assert not Supplier.objects.filter(name="Newco Ltd").exists()

    def test_create_persists_and_audits(self, api_as, estate):
        client, user = api_as(Role.COMMERCIAL_OFFICER)

        response = client.post(
            "/suppliers", {"name": "Newco Ltd", "companies_house_number": "SC123456", "is_sme": True}
        )

        supplier = Supplier.objects.get(pk=response.json()["id"])
        assert (supplier.name, supplier.companies_house_number, supplier.is_sme) == ("Newco Ltd", "SC123456", True)
        event = AuditEvent.objects.get(action="supplier.create", object_id=str(supplier.pk))
        assert event.actor == user

    def test_a_bad_companies_house_number_is_named(self, api_as, estate):
        client, _ = api_as(Role.COMMERCIAL_OFFICER)

        response = client.post("/suppliers", {"name": "Newco Ltd", "companies_house_number": "1234"})

        assert response.status_code == 400
        assert fields_of(response) == ["companies_house_number"]
        assert "Companies House number" in response.json()["detail"][0]["message"]

    def test_a_duplicate_name_is_refused(self, api_as, estate):
        client, _ = api_as(Role.COMMERCIAL_OFFICER)

        response = client.post("/suppliers", {"name": "Ours Ltd"})

        assert response.status_code == 400
        assert fields_of(response) == ["name"]

    @pytest.mark.parametrize("role", ROLES)
    def test_only_a_commercial_officer_changes_a_supplier(self, role, api_as, estate):
        client = client_for(api_as, role, estate)

        response = client.patch(f"/suppliers/{estate['ours'].pk}", {"is_sme": True})

        estate["ours"].refresh_from_db()
        if role in ESTATE_WRITERS:
            assert response.status_code == 200
            assert estate["ours"].is_sme is True
        else:
            assert response.status_code == 403
            assert estate["ours"].is_sme is False

    def test_update_changes_only_what_is_sent_and_audits(self, api_as, estate):
        client, user = api_as(Role.COMMERCIAL_OFFICER)
        before = estate["theirs"].companies_house_number

        response = client.patch(f"/suppliers/{estate['theirs'].pk}", {"name": "Theirs Group plc"})

        assert response.status_code == 200
        estate["theirs"].refresh_from_db()
        assert (estate["theirs"].name, estate["theirs"].companies_house_number) == ("Theirs Group plc", before)
        assert AuditEvent.objects.filter(action="supplier.update", actor=user).count() == 1

    def test_a_supplier_user_changing_another_supplier_gets_404(self, api_as, estate):
        client = client_for(api_as, Role.SUPPLIER_USER, estate)

        assert client.patch(f"/suppliers/{estate['theirs'].pk}", {"is_sme": False}).status_code == 404


class TestTowers:
    @pytest.mark.parametrize("role", ROLES)
    def test_every_role_reads_the_towers_in_order(self, role, api_as, estate):
        client = client_for(api_as, role, estate)

        response = client.get("/towers")

        assert response.status_code == 200
        assert [t["code"] for t in response.json()] == ["siam", "networks"]

    def test_one_tower_by_code(self, api_as, estate):
        client, _ = api_as(Role.EVALUATOR)

        response = client.get("/towers/networks")

        assert response.status_code == 200
        assert response.json() == {"code": "networks", "name": "Networks", "kind": "tower", "position": 2}
        assert client.get("/towers/nowhere").status_code == 404


class TestContractList:
    @pytest.mark.parametrize("role", ROLES)
    def test_every_role_lists_the_contracts_it_may_see(self, role, api_as, estate):
        """Staff see every contract; a supplier user its own supplier's only."""
        client = client_for(api_as, role, estate)

        response = client.get("/contracts")

        assert response.status_code == 200
        references = [c["reference"] for c in response.json()["items"]]
        assert references == (["C-OURS"] if role == Role.SUPPLIER_USER else ["C-OURS", "C-THEIRS"])
        assert response.json()["count"] == len(references)

    def test_the_supplier_user_of_the_demo_sees_only_its_two_contracts(self, demo, client, django_user_model):
        _, key = ApiToken.issue(user=django_user_model.objects.get(username="supplier"), name="tests")

        response = Api(client, key).get("/contracts")

        own = Supplier.objects.get(name=SUPPLIERS[SUPPLIER_USER_WORKS_FOR][0])
        assert response.status_code == 200
        assert {c["supplier"]["id"] for c in response.json()["items"]} == {own.pk}
        assert response.json()["count"] == own.contracts.count() == 2

    def test_an_item_carries_terms_dates_and_money_as_text(self, demo, api_as):
        """MPS-DP-T1-002 as at 23 May 2019: one 12-month option exercised, one available."""
        client, _ = api_as(Role.PROGRAMME_DIRECTOR)

        response = client.get("/contracts", q="T1-002", as_at="2019-05-23")

        body = response.json()
        assert body["as_at"] == "2019-05-23"
        [item] = body["items"]
        assert item["reference"] == "MPS-DP-T1-002"
        assert item["supplier"]["name"] == SUPPLIERS[1][0]
        assert item["towers"] == [
            {"code": "networks", "name": "Networks", "share_percent": "70.00"},
            {"code": "telephony", "name": "Telephony", "share_percent": "30.00"},
        ]
        assert (item["tier"], item["status"]) == (1, "active")
        assert (item["start_date"], item["initial_end_date"]) == ("2014-11-01", "2019-10-31")
        assert item["current_end"] == "2020-10-31"
        assert item["maximum_end"] == "2021-10-31"
        assert item["decision_due"] == "2020-04-30"
        assert item["decision"] == "Exercise the next extension option or give notice"
        assert item["days_to_expiry"] == (date(2020, 10, 31) - date(2019, 5, 23)).days
        assert (item["notice_period_months"], item["renewal_type"], item["renewal_period_months"]) == (6, "none", 0)
        assert item["total_value"] == "96400000.00"
        assert isinstance(item["annual_value"], str)
        assert item["annual_value"].split(".")[1].isdigit() and len(item["annual_value"].split(".")[1]) == 2
        assert item["vat_basis"] == "net"
        assert item["marking"].startswith("OFFICIAL")

    def test_a_tacit_renewal_has_no_maximum_end(self, demo, api_as):
        client, _ = api_as(Role.LEGAL)

        [item] = client.get("/contracts", q="T2-101").json()["items"]

        assert item["renewal_type"] == "tacit"
        assert item["maximum_end"] is None

    def test_filters(self, demo, api_as):
        client, _ = api_as(Role.COMMERCIAL_OFFICER)
        kestrel = Supplier.objects.get(name=SUPPLIERS[3][0])

        def references(**params) -> list[str]:
            return [c["reference"] for c in client.get("/contracts", **params).json()["items"]]

        assert references(tower="networks") == ["MPS-DP-T1-002"]
        assert references(supplier=kestrel.pk) == ["MPS-DP-T1-005", "MPS-DP-T1-006"]
        assert references(tier=2) == ["MPS-DP-T2-101", "MPS-DP-T2-102", "MPS-DP-T2-103"]
        assert references(q="hosting services") == ["MPS-DP-T1-004"]
        assert references(status="ended") == []
        # Ending within 6 months of 23 May 2019: only the print service (31 Aug 2019).
        assert references(expiring_within=6, as_at="2019-05-23") == ["MPS-DP-T2-102"]

    def test_an_unknown_status_is_refused_naming_the_filter(self, api_as, estate):
        client, _ = api_as(Role.COMMERCIAL_OFFICER)

        response = client.get("/contracts", status="lost")

        assert response.status_code == 422
        assert fields_of(response) == ["status"]

    def test_paging_by_limit_and_offset(self, demo, api_as):
        client, _ = api_as(Role.AUDITOR)

        first = client.get("/contracts", limit=4).json()
        rest = client.get("/contracts", limit=4, offset=4).json()

        assert (first["count"], first["limit"], first["offset"]) == (9, 4, 0)
        assert len(first["items"]) == 4 and len(rest["items"]) == 4
        everything = client.get("/contracts").json()
        assert everything["limit"] == 50
        assert [c["reference"] for c in everything["items"]] == [
            c["reference"] for c in first["items"] + rest["items"] + client.get("/contracts", offset=8).json()["items"]
        ]

    def test_paging_with_a_derived_filter_counts_what_matches(self, demo, api_as):
        client, _ = api_as(Role.AUDITOR)

        response = client.get("/contracts", expiring_within=24, as_at="2019-05-23", limit=2, offset=1)

        body = response.json()
        assert body["count"] > 2
        assert len(body["items"]) == 2

    def test_a_page_is_at_most_500(self, api_as, estate):
        client, _ = api_as(Role.AUDITOR)

        response = client.get("/contracts", limit=501)

        assert response.status_code == 422
        assert fields_of(response) == ["limit"]


class TestContractDetail:
    @pytest.mark.parametrize("role", ROLES)
    def test_a_supplier_user_gets_404_for_another_suppliers_contract(self, role, api_as, estate):
        """Never its data: the answer is the same as for a contract that does not exist."""
        client = client_for(api_as, role, estate)

        own = client.get(f"/contracts/{estate['own'].pk}")
        other = client.get(f"/contracts/{estate['other'].pk}")

        assert own.status_code == 200
        assert own.json()["reference"] == "C-OURS"
        if role == Role.SUPPLIER_USER:
            assert other.status_code == 404
            assert "C-THEIRS" not in other.content.decode()
            assert other.json() == client.get("/contracts/999999").json()
        else:
            assert other.status_code == 200

    def test_detail_has_options_and_organisations(self, demo, api_as):
        client, _ = api_as(Role.APPROVER)
        contract = Contract.objects.get(reference="MPS-DP-T1-002")

        body = client.get(f"/contracts/{contract.pk}", as_at="2019-05-23").json()

        assert body["options"] == [
            {"sequence": 1, "length_months": 12, "state": "exercised"},
            {"sequence": 2, "length_months": 12, "state": "available"},
        ]
        assert body["authority"]["name"] == "Mayor's Office for Policing and Crime"
        assert body["operating_body"]["name"] == "Metropolitan Police Service - Digital Policing"
        assert body["current_end"] == "2020-10-31"

    def test_a_missing_contract_is_404(self, api_as, estate):
        client, _ = api_as(Role.COMMERCIAL_OFFICER)

        assert client.get("/contracts/999999").status_code == 404


class TestContractCreate:
    @pytest.mark.parametrize("role", ROLES)
    def test_only_a_commercial_officer_creates_a_contract(self, role, api_as, estate):
        client = client_for(api_as, role, estate)

        response = client.post("/contracts", contract_body())

        if role in ESTATE_WRITERS:
            assert response.status_code == 201
        else:
            assert response.status_code == 403
            assert not Contract.objects.filter(reference="MPS-DP-T2-900").exists()

    def test_create_round_trip(self, api_as, estate):
        """What is sent is stored, the answer shows it with its derived dates, and the action is audited."""
        client, user = api_as(Role.COMMERCIAL_OFFICER)

        response = client.post("/contracts", contract_body(supplier=estate["theirs"].pk))

        assert response.status_code == 201
        body = response.json()
        contract = Contract.objects.get(pk=body["id"])
        assert (contract.reference, contract.title, contract.supplier) == (
            "MPS-DP-T2-900",
            "Managed Security Service",
            estate["theirs"],
        )
        assert contract.total_value == Decimal("3600000.00")
        assert {(s.tower.code, s.share_percent) for s in contract.tower_shares.all()} == {
            ("siam", Decimal("60.00")),
            ("networks", Decimal("40.00")),
        }
        assert [(o.sequence, o.length_months, o.state) for o in contract.options.all()] == [
            (1, 12, "available"),
            (2, 6, "available"),
        ]
        assert body["towers"][0] == {
            "code": "siam",
            "name": "Service Integration & Management",
            "share_percent": "60.00",
        }
        assert body["maximum_end"] == "2023-09-30"
        assert body["total_value"] == "3600000.00"
        event = AuditEvent.objects.get(action="contract.create", object_id=str(contract.pk))
        assert event.actor == user
        assert event.data["reference"] == "MPS-DP-T2-900"

    def test_shares_that_do_not_add_up_to_100_are_refused(self, api_as, estate):
        client, _ = api_as(Role.COMMERCIAL_OFFICER)
        towers = [{"code": "siam", "share_percent": "60"}, {"code": "networks", "share_percent": "30"}]

        response = client.post("/contracts", contract_body(towers=towers))

        assert response.status_code == 400
        [error] = response.json()["detail"]
        assert error["field"] == "towers"
        assert "100%" in error["message"]
        assert not Contract.objects.filter(reference="MPS-DP-T2-900").exists()

    def test_an_unknown_tower_is_named(self, api_as, estate):
        client, _ = api_as(Role.COMMERCIAL_OFFICER)

        response = client.post("/contracts", contract_body(towers=[{"code": "moon", "share_percent": "100"}]))

        assert response.status_code == 400
        assert response.json()["detail"] == [{"field": "towers", "message": "No tower with code 'moon'."}]

    def test_a_share_out_of_range_is_refused_before_the_database(self, api_as, estate):
        client, _ = api_as(Role.COMMERCIAL_OFFICER)
        towers = [{"code": "siam", "share_percent": "150"}, {"code": "networks", "share_percent": "-50"}]

        response = client.post("/contracts", contract_body(towers=towers))

        assert response.status_code == 422
        assert set(fields_of(response)) == {"towers.0.share_percent", "towers.1.share_percent"}

    def test_money_sent_as_a_float_is_refused(self, api_as, estate):
        client, _ = api_as(Role.COMMERCIAL_OFFICER)

        response = client.post("/contracts", contract_body(total_value=3600000.1))

        assert response.status_code == 422
        assert fields_of(response) == ["total_value"]
        assert "as a string" in response.json()["detail"][0]["message"]

    def test_a_missing_field_is_named(self, api_as, estate):
        client, _ = api_as(Role.COMMERCIAL_OFFICER)
        body = contract_body()
        del body["title"]

        response = client.post("/contracts", body)

        assert response.status_code == 422
        assert fields_of(response) == ["title"]

    def test_an_unknown_supplier_is_named(self, api_as, estate):
        client, _ = api_as(Role.COMMERCIAL_OFFICER)

        response = client.post("/contracts", contract_body(supplier=999999))

        assert response.status_code == 400
        assert fields_of(response) == ["supplier"]

    def test_a_renewal_without_a_length_is_named(self, api_as, estate):
        client, _ = api_as(Role.COMMERCIAL_OFFICER)

        response = client.post("/contracts", contract_body(renewal_type="tacit", renewal_period_months=0))

        assert response.status_code == 400
        assert "renewal_period_months" in fields_of(response)

    def test_a_duplicate_reference_is_named(self, api_as, estate):
        client, _ = api_as(Role.COMMERCIAL_OFFICER)

        response = client.post("/contracts", contract_body(reference="C-OURS"))

        assert response.status_code == 400
        assert fields_of(response) == ["reference"]


class TestContractUpdate:
    @pytest.mark.parametrize("role", ROLES)
    def test_only_a_commercial_officer_changes_a_contract(self, role, api_as, estate):
        client = client_for(api_as, role, estate)

        response = client.patch(f"/contracts/{estate['own'].pk}", {"title": "Renamed"})

        estate["own"].refresh_from_db()
        if role in ESTATE_WRITERS:
            assert response.status_code == 200
            assert estate["own"].title == "Renamed"
        else:
            assert response.status_code == 403
            assert estate["own"].title != "Renamed"

    def test_a_supplier_user_changing_another_suppliers_contract_gets_404(self, api_as, estate):
        client = client_for(api_as, Role.SUPPLIER_USER, estate)

        assert client.patch(f"/contracts/{estate['other'].pk}", {"title": "Mine now"}).status_code == 404

    def test_update_round_trip(self, api_as, estate):
        """Fields sent change, others stay; towers and options sent replace the old; the change is audited."""
        client, user = api_as(Role.COMMERCIAL_OFFICER)
        contract = estate["own"]
        OptionFactory(contract=contract, sequence=1, length_months=12)

        response = client.patch(
            f"/contracts/{contract.pk}",
            {
                "title": "Wide Area Network",
                "annual_value": "1250000.00",
                "towers": [{"code": "networks", "share_percent": "100"}],
                "options": [{"length_months": 24, "state": "available"}],
            },
        )

        assert response.status_code == 200
        contract.refresh_from_db()
        assert (contract.title, contract.annual_value, contract.total_value) == (
            "Wide Area Network",
            Decimal("1250000.00"),
            Decimal("3600000.00"),
        )
        assert [(s.tower.code, s.share_percent) for s in contract.tower_shares.all()] == [("networks", Decimal(100))]
        assert [(o.length_months, o.state) for o in contract.options.all()] == [(24, "available")]
        assert response.json()["current_end"] == contract.initial_end_date.isoformat()
        assert response.json()["annual_value"] == "1250000.00"
        event = AuditEvent.objects.get(action="contract.update", object_id=str(contract.pk))
        assert event.actor == user
        assert set(event.data["changed"]) == {"title", "annual_value", "towers", "options"}
        assert event.data["changed"]["options"] == ["12 months available", "24 months available"]

    def test_an_option_is_not_exercised_by_an_update(self, api_as, estate):
        client, _ = api_as(Role.COMMERCIAL_OFFICER)
        contract = estate["own"]
        OptionFactory(contract=contract, sequence=1, length_months=12)
        response = client.patch(f"/contracts/{contract.pk}", {"options": [{"length_months": 12, "state": "exercised"}]})
        assert response.status_code == 400
        assert "only as a contract change" in str(response.json())
        assert list(contract.options.values_list("state", flat=True)) == ["available"]

    def test_towers_and_options_are_kept_when_not_sent(self, api_as, estate):
        client, _ = api_as(Role.COMMERCIAL_OFFICER)
        contract = estate["own"]

        client.patch(f"/contracts/{contract.pk}", {"tier": 1})

        contract.refresh_from_db()
        assert contract.tier == 1
        assert {s.tower.code for s in contract.tower_shares.all()} == {"networks", "siam"}

    def test_shares_that_do_not_add_up_leave_the_contract_as_it_was(self, api_as, estate):
        client, _ = api_as(Role.COMMERCIAL_OFFICER)
        contract = estate["own"]

        response = client.patch(
            f"/contracts/{contract.pk}",
            {"title": "Half a contract", "towers": [{"code": "networks", "share_percent": "50"}]},
        )

        assert response.status_code == 400
        assert response.json()["detail"][0]["field"] == "towers"
        assert "100%" in response.json()["detail"][0]["message"]
        contract.refresh_from_db()
        assert contract.title != "Half a contract"
        assert contract.tower_shares.count() == 2

    def test_an_end_before_the_start_is_named(self, api_as, estate):
        client, _ = api_as(Role.COMMERCIAL_OFFICER)

        response = client.patch(f"/contracts/{estate['own'].pk}", {"initial_end_date": "2015-01-01"})

        assert response.status_code == 400
        assert "initial_end_date" in fields_of(response)


class TestSpend:
    @pytest.mark.parametrize("role", ROLES)
    def test_a_contracts_spend_is_read_by_those_who_may_see_it(self, role, api_as, estate):
        client = client_for(api_as, role, estate)

        own = client.get(f"/contracts/{estate['own'].pk}/spend")
        other = client.get(f"/contracts/{estate['other'].pk}/spend")

        assert own.status_code == 200
        assert own.json() == [
            {
                "id": Spend.objects.get(contract=estate["own"]).pk,
                "contract": {"id": estate["own"].pk, "reference": "C-OURS"},
                "month": "2019-01-01",
                "amount": "1000.50",
                "vat_basis": "net",
            }
        ]
        assert other.status_code == (404 if role == Role.SUPPLIER_USER else 200)

    @pytest.mark.parametrize("role", ROLES)
    def test_the_spend_list_holds_only_visible_contracts(self, role, api_as, estate):
        client = client_for(api_as, role, estate)

        response = client.get("/spend")

        assert response.status_code == 200
        references = [s["contract"]["reference"] for s in response.json()["items"]]
        assert references == (["C-OURS"] if role == Role.SUPPLIER_USER else ["C-OURS", "C-THEIRS"])

    def test_the_spend_list_filters_and_pages(self, api_as, estate):
        client, _ = api_as(Role.FINANCE)
        for month in (2, 3, 4):
            SpendFactory(contract=estate["own"], month=date(2019, month, 1))

        by_contract = client.get("/spend", contract=estate["own"].pk).json()
        by_month = client.get("/spend", month_from="2019-02-01", month_to="2019-03-01").json()
        paged = client.get("/spend", contract=estate["own"].pk, limit=2, offset=1).json()

        assert by_contract["count"] == 4
        assert [s["month"] for s in by_month["items"]] == ["2019-02-01", "2019-03-01"]
        assert (paged["count"], [s["month"] for s in paged["items"]]) == (4, ["2019-02-01", "2019-03-01"])

    @pytest.mark.parametrize("role", ROLES)
    def test_only_commercial_and_finance_record_spend(self, role, api_as, estate):
        client = client_for(api_as, role, estate)

        response = client.post(
            "/spend", {"contract": estate["own"].pk, "month": "2019-02-01", "amount": "1500.25", "vat_basis": "net"}
        )

        recorded = Spend.objects.filter(contract=estate["own"], month=date(2019, 2, 1))
        if role in SPEND_WRITERS:
            assert response.status_code == 201
            assert recorded.get().amount == Decimal("1500.25")
        else:
            assert response.status_code == 403
            assert not recorded.exists()

    def test_recording_round_trip_and_correction(self, api_as, estate):
        client, user = api_as(Role.FINANCE)
        body = {"contract": estate["other"].pk, "month": "2019-02-01", "amount": "1500.25", "vat_basis": "gross"}

        first = client.post("/spend", body)
        second = client.post("/spend", body | {"amount": "1600"})

        assert first.json()["amount"] == "1500.25"
        assert second.json()["amount"] == "1600.00"
        spend = Spend.objects.get(contract=estate["other"], month=date(2019, 2, 1))
        assert (spend.amount, spend.vat_basis) == (Decimal("1600.00"), "gross")
        actions = set(AuditEvent.objects.filter(actor=user).values_list("action", flat=True))
        assert actions == {"spend.record", "spend.correct"}

    def test_a_month_not_given_by_its_first_day_is_named(self, api_as, estate):
        client, _ = api_as(Role.FINANCE)

        response = client.post("/spend", {"contract": estate["own"].pk, "month": "2019-02-15", "amount": "10.00"})

        assert response.status_code == 400
        assert fields_of(response) == ["month"]

    def test_an_unknown_contract_is_named(self, api_as, estate):
        client, _ = api_as(Role.FINANCE)

        response = client.post("/spend", {"contract": 999999, "month": "2019-02-01", "amount": "10.00"})

        assert response.status_code == 400
        assert fields_of(response) == ["contract"]


class TestErrorMapping:
    """The domain's exceptions are mapped once, in api.py."""

    @pytest.mark.parametrize(
        ("exc", "status"),
        [(RuleViolation("Shares must add up"), 400), (InvalidTransition("Option 1 is lapsed"), 409)],
    )
    def test_domain_errors_become_http_statuses(self, exc, status):
        response = api.on_exception(RequestFactory().get("/api/contracts"), exc)

        assert response.status_code == status
        assert response.content.decode() == f'{{"detail": [{{"field": null, "message": "{exc}"}}]}}'


class TestOpenApi:
    def test_the_document_lists_every_estate_path(self, client):
        response = client.get("/api/openapi.json")

        assert response.status_code == 200
        document = response.json()
        assert document["info"]["title"] == "Pegasus API"
        assert set(document["paths"]) >= {
            "/api/suppliers",
            "/api/suppliers/{supplier_id}",
            "/api/towers",
            "/api/towers/{code}",
            "/api/contracts",
            "/api/contracts/{contract_id}",
            "/api/contracts/{contract_id}/spend",
            "/api/contracts/{contract_id}/options/{sequence}/{decision}",
            "/api/spend",
        }
        assert set(document["paths"]["/api/contracts"]) == {"get", "post"}
        assert set(document["paths"]["/api/contracts/{contract_id}"]) == {"get", "patch"}

    def test_money_is_documented_as_text(self, client):
        schemas = client.get("/api/openapi.json").json()["components"]["schemas"]

        assert schemas["ContractOut"]["properties"]["total_value"]["type"] == "string"
        assert schemas["ContractIn"]["properties"]["total_value"]["type"] == "string"
        assert schemas["SpendOut"]["properties"]["amount"]["type"] == "string"

    def test_statuses_and_kinds_are_the_estates_under_their_names(self, client):
        """A contract's status and a tower's kind are estate's words (`estate.terms`), the models' choices too; the
        document names them as it always has."""
        schemas = client.get("/api/openapi.json").json()["components"]["schemas"]

        assert schemas["ContractOut"]["properties"]["status"] == {"$ref": "#/components/schemas/ContractStatus"}
        assert schemas["ContractStatus"]["enum"] == list(terms.ContractStatus) == ContractStatus.values
        assert schemas["TowerOut"]["properties"]["kind"] == {"$ref": "#/components/schemas/Kind"}
        assert schemas["Kind"]["enum"] == list(terms.TowerKind) == ServiceTower.Kind.values

    def test_the_docs_page_is_served(self, client):
        response = client.get("/api/docs")

        assert response.status_code == 200
        assert b"openapi.json" in response.content


def make_contracts(n: int) -> None:
    """n contracts, each with two towers, two options and two months of spend, each with its own supplier."""
    towers = [TowerFactory(code=f"t{i}", name=f"Tower {i}") for i in range(3)]
    for i in range(n):
        contract = ContractFactory(towers=[(towers[i % 3], Decimal(60)), (towers[(i + 1) % 3], Decimal(40))])
        OptionFactory(contract=contract, sequence=1, state="exercised")
        OptionFactory(contract=contract, sequence=2)
        SpendFactory(contract=contract, month=date(2019, 1, 1))
        SpendFactory(contract=contract, month=date(2019, 2, 1))


LISTS = [
    "/contracts",
    "/contracts?expiring_within=36&as_at=2018-06-01",
    "/contracts?tower=t1&status=active",
    "/suppliers",
    "/towers",
    "/spend",
    "/spend?month_from=2019-02-01",
]


class TestQueryCounts:
    @pytest.mark.parametrize("path", LISTS)
    def test_a_list_runs_as_many_queries_for_30_rows_as_for_3(
        self, path, api_as, django_assert_max_num_queries, django_assert_num_queries
    ):
        client, _ = api_as(Role.COMMERCIAL_OFFICER)
        make_contracts(3)
        client.get("/towers")  # the first call of the minute also records when the token was used

        with django_assert_max_num_queries(6) as few:
            response = client.get(path)
        assert response.status_code == 200
        rows = response.json()
        assert len(rows["items"] if isinstance(rows, dict) else rows) >= 2

        make_contracts(27)
        with django_assert_num_queries(len(few.captured_queries)):
            assert client.get(path).status_code == 200

    def test_a_contracts_spend_runs_a_fixed_number_of_queries(self, api_as, django_assert_num_queries):
        client, _ = api_as(Role.COMMERCIAL_OFFICER)
        contract = ContractFactory()
        SpendFactory(contract=contract, month=date(2019, 1, 1))
        client.get("/towers")
        with CaptureQueriesContext(connection) as few:
            client.get(f"/contracts/{contract.pk}/spend")

        for month in range(2, 13):
            SpendFactory(contract=contract, month=date(2019, month, 1))
        with django_assert_num_queries(len(few)):
            response = client.get(f"/contracts/{contract.pk}/spend")
        assert len(response.json()) == 12

    def test_a_supplier_users_list_is_as_cheap(self, api_as, django_assert_num_queries):
        supplier = SupplierFactory()
        client, _ = api_as(Role.SUPPLIER_USER, supplier=supplier)
        ContractFactory.create_batch(3, supplier=supplier)
        client.get("/towers")
        with CaptureQueriesContext(connection) as few:
            client.get("/contracts")

        ContractFactory.create_batch(27, supplier=supplier)
        with django_assert_num_queries(len(few)):
            assert client.get("/contracts").json()["count"] == 30


class TestOptionDecisions:
    """POST /api/contracts/{id}/options/{sequence}/exercise|lapse."""

    def test_exercising_proposes_a_change_and_a_second_proposal_is_refused(self, demo, make_user, client):
        user = make_user("commercial-officer")
        _, key = ApiToken.issue(user=user, name="test")
        auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
        contract = Contract.objects.get(reference="MPS-DP-T1-001")
        url = f"/api/contracts/{contract.pk}/options/1/exercise?as_at=2019-05-23"
        response = client.post(url, **auth)
        assert response.status_code == 200, response.content
        # The option is exercised only once the change is approved and made effective.
        assert response.json()["current_end"] == "2020-03-31"
        change = contract.changes.get()
        assert (change.kind, change.state, change.option.sequence) == ("option-exercise", "proposed", 1)
        again = client.post(f"/api/contracts/{contract.pk}/options/1/lapse", **auth)
        assert again.status_code == 400
        assert "Option 1 already has a change proposed" in again.content.decode()
        assert client.post(f"/api/contracts/{contract.pk}/options/9/lapse", **auth).status_code == 404

    def test_other_roles_are_refused(self, demo, make_user, client):
        _, key = ApiToken.issue(user=make_user("finance"), name="test")
        contract = Contract.objects.get(reference="MPS-DP-T1-001")
        response = client.post(f"/api/contracts/{contract.pk}/options/1/exercise", HTTP_AUTHORIZATION=f"Bearer {key}")
        assert response.status_code == 403
        assert contract.options.get(sequence=1).state == "available"
