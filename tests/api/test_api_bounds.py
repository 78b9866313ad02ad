"""What the API stores, every page can read: bounds on every write, 4xx naming the field, atomic endpoints,
bounded query parameters, and error bodies that match the documented schema."""

import json
from datetime import date
from decimal import Decimal

import pytest

from pegasus.core.models import AuditEvent
from pegasus.core.roles import Role
from pegasus.estate.models import Contract, ContractTower, ExtensionOption, Spend, Supplier

pytestmark = pytest.mark.django_db


def fields_of(response) -> set:
    return {item["field"] for item in response.json()["detail"]}


def history_counts(contract: Contract) -> tuple[int, int, int, int]:
    return (
        contract.history.count(),
        ExtensionOption.history.filter(contract_id=contract.pk).count(),
        ContractTower.history.filter(contract_id=contract.pk).count(),
        AuditEvent.objects.count(),
    )


class TestContractWritesAreBounded:
    """A value the rest of Pegasus cannot read is refused with 400 naming the field, and nothing is written."""

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"options": [{"length_months": 139_031}]}, "options"),
            ({"options": [{"length_months": 10**18}]}, "options"),
            ({"options": [{"length_months": 121}]}, "options"),
            ({"options": [{"length_months": 120}] * 21}, "options"),
            ({"max_renewals": 3378, "renewal_type": "express", "renewal_period_months": 12}, "max_renewals"),
            ({"renewal_period_months": 121, "renewal_type": "express"}, "renewal_period_months"),
            ({"notice_period_months": 139_031}, "notice_period_months"),
            ({"start_date": "0364-01-01"}, "start_date"),
            ({"initial_end_date": "9999-12-31"}, "initial_end_date"),
            ({"ended_on": "2101-01-01"}, "ended_on"),
            ({"reference": "C-\x01BAD"}, "reference"),
            ({"title": "Line one\nline two"}, "title"),
            ({"description": "Bell \x07"}, "description"),
            ({"total_value": "1000000000000.00"}, "total_value"),
            ({"annual_value": "99999999999999.99"}, "annual_value"),
        ],
    )
    def test_a_patch_out_of_bounds_is_refused_and_changes_nothing(self, api_as, estate, body, field):
        # given
        client, _ = api_as(Role.COMMERCIAL_OFFICER)
        contract = estate["own"]
        before = history_counts(contract)

        # when
        response = client.patch(f"/contracts/{contract.pk}", body)

        # then: 422 where the documented schema already bounds the field, 400 where the service does
        assert response.status_code in {400, 422}, response.content
        assert any(name == field or name.startswith(f"{field}.") for name in fields_of(response))
        assert history_counts(contract) == before
        fresh = Contract.objects.get(pk=contract.pk)
        assert (fresh.reference, fresh.title, fresh.max_renewals) == (contract.reference, contract.title, None)
        assert not fresh.options.exists()
        # The contract, its supplier, the dashboard and the list still answer.
        assert client.get(f"/contracts/{contract.pk}").status_code == 200
        assert client.get("/contracts").status_code == 200

    def test_a_create_out_of_bounds_is_refused(self, api_as, estate):
        client, _ = api_as(Role.COMMERCIAL_OFFICER)
        body = {
            "reference": "C-NEW",
            "title": "New",
            "supplier": estate["ours"].pk,
            "authority": estate["own"].authority_id,
            "towers": [{"code": "networks", "share_percent": "100"}],
            "options": [{"length_months": 139_031}],
            "start_date": "2019-04-01",
            "initial_end_date": "2022-03-31",
            "total_value": "1.00",
            "annual_value": "1.00",
        }

        response = client.post("/contracts", body)

        assert response.status_code in {400, 422}
        assert fields_of(response) == {"options.0.length_months"}
        assert not Contract.objects.filter(reference="C-NEW").exists()

    def test_the_longest_contract_within_bounds_is_stored_and_read_back(self, api_as, estate):
        client, _ = api_as(Role.COMMERCIAL_OFFICER)
        contract = estate["own"]

        response = client.patch(
            f"/contracts/{contract.pk}",
            {
                "initial_end_date": "2100-12-31",
                "notice_period_months": 120,
                "renewal_type": "express",
                "renewal_period_months": 120,
                "max_renewals": 99,
                "options": [{"length_months": 120}] * 20,
            },
        )

        assert response.status_code == 200, response.content
        assert client.get(f"/contracts/{contract.pk}", as_at="2100-12-31").status_code == 200
        assert client.get("/contracts", as_at="1990-01-01").status_code == 200


class TestOtherWritesAreBounded:
    def test_spend_in_a_month_out_of_range_is_refused(self, api_as, estate):
        client, _ = api_as(Role.COMMERCIAL_OFFICER)

        response = client.post("/spend", {"contract": estate["own"].pk, "month": "0364-01-01", "amount": "1.00"})

        assert response.status_code == 400
        assert fields_of(response) == {"month"}
        assert not Spend.objects.filter(month=date(364, 1, 1)).exists()

    def test_spend_beyond_a_trillion_pounds_is_refused(self, api_as, estate):
        client, _ = api_as(Role.COMMERCIAL_OFFICER)

        response = client.post(
            "/spend", {"contract": estate["own"].pk, "month": "2020-01-01", "amount": "99999999999999.99"}
        )

        assert response.status_code in {400, 422}
        assert fields_of(response) == {"amount"}

    def test_a_supplier_name_with_a_control_character_is_refused(self, api_as, estate):
        client, _ = api_as(Role.COMMERCIAL_OFFICER)

        response = client.post("/suppliers", {"name": "Evil\x1b[31m Ltd"})

        assert response.status_code == 400
        assert fields_of(response) == {"name"}
        assert not Supplier.objects.filter(name__startswith="Evil").exists()


class TestWritesAreAtomic:
    """An error after the service has written rolls back everything, the audit and history included."""

    def test_a_failure_while_answering_a_patch_leaves_nothing_behind(self, api_as, estate, client, monkeypatch):
        # given: a failure after the service has done its work, while the answer is being shaped
        api_client, _ = api_as(Role.COMMERCIAL_OFFICER)
        contract = estate["own"]
        before = history_counts(contract)

        def broken(*args, **kwargs):
            raise RuntimeError("the answer could not be shaped")

        monkeypatch.setattr("pegasus.api.estate._detail", broken)
        client.raise_request_exception = False

        # when
        response = api_client.patch(
            f"/contracts/{contract.pk}", {"title": "Half-written", "options": [{"length_months": 12}]}
        )

        # then
        assert response.status_code == 500
        assert Contract.objects.get(pk=contract.pk).title == contract.title
        assert history_counts(contract) == before

    def test_a_failure_while_answering_a_spend_record_leaves_nothing_behind(self, api_as, estate, client, monkeypatch):
        api_client, _ = api_as(Role.COMMERCIAL_OFFICER)
        audit_before = AuditEvent.objects.count()

        def broken(*args, **kwargs):
            raise RuntimeError("the answer could not be shaped")

        monkeypatch.setattr("pegasus.api.schemas.SpendOut.of", broken)
        client.raise_request_exception = False

        response = api_client.post("/spend", {"contract": estate["own"].pk, "month": "2020-02-01", "amount": "5.00"})

        assert response.status_code == 500
        assert not Spend.objects.filter(month=date(2020, 2, 1)).exists()
        assert AuditEvent.objects.count() == audit_before


class TestTowerShareHistory:
    def test_replacing_tower_shares_keeps_their_history_attributed(self, api_as, estate):
        client, user = api_as(Role.COMMERCIAL_OFFICER)
        contract = estate["own"]

        response = client.patch(f"/contracts/{contract.pk}", {"towers": [{"code": "networks", "share_percent": "100"}]})

        assert response.status_code == 200
        history = ContractTower.history.filter(contract_id=contract.pk)
        changed = history.get(history_type="~")
        removed = history.get(history_type="-")
        assert (changed.tower_id, changed.share_percent, changed.history_user) == (
            estate["networks"].pk,
            Decimal(100),
            user,
        )
        assert (removed.tower_id, removed.history_user) == (estate["siam"].pk, user)
        event = AuditEvent.objects.get(action="contract.update", object_id=str(contract.pk))
        assert event.data["changed"]["towers"] == [
            "networks 70.00%, siam 30.00%",
            "networks 100.00%",
        ]


class TestErrorBodiesMatchTheSchema:
    """Every 400 and 422 body is `{"detail": [{"field": ..., "message": ...}]}`, as the OpenAPI document says."""

    @pytest.mark.parametrize("body", ["{not json", "\xff", '{"title": "x"'])
    def test_an_unparsable_body_is_a_list_of_errors(self, api_as, estate, client, body):
        api_client, _ = api_as(Role.COMMERCIAL_OFFICER)

        response = client.patch(
            f"/api/contracts/{estate['own'].pk}",
            body.encode("utf-8", "surrogateescape") if body != "\xff" else b"\xff",
            content_type="application/json",
            headers=api_client.headers,
        )

        assert response.status_code == 400
        assert response.json() == {"detail": [{"field": None, "message": response.json()["detail"][0]["message"]}]}
        assert response.json()["detail"][0]["message"]

    @pytest.mark.parametrize("body", [[None, None], [], "text", 42, None, [{"title": "x"}]])
    def test_a_body_that_is_not_an_object_is_refused(self, api_as, estate, body):
        client, _ = api_as(Role.COMMERCIAL_OFFICER)
        contract = estate["own"]
        before = history_counts(contract)

        response = client.client.patch(
            f"/api/contracts/{contract.pk}",
            json.dumps(body),
            content_type="application/json",
            headers=client.headers,
        )

        assert response.status_code in {400, 422}, response.content
        assert isinstance(response.json()["detail"], list)
        assert history_counts(contract) == before


class TestQueryParametersAreBounded:
    """A date, number or page out of bounds in a query or a path is a 4xx naming it, never a 500."""

    @pytest.mark.parametrize(
        ("path", "params", "field"),
        [
            ("/contracts", {"as_at": "9999-12-31"}, "as_at"),
            ("/contracts", {"as_at": "0001-01-01"}, "as_at"),
            ("/contracts", {"offset": str(2**64)}, "offset"),
            ("/contracts", {"offset": "99999999999999999999"}, "offset"),
            ("/contracts", {"supplier": str(2**64)}, "supplier"),
            ("/contracts", {"expiring_within": "201262627273"}, "expiring_within"),
            ("/contracts/{id}", {"as_at": "9999-12-31"}, "as_at"),
            ("/spend", {"contract": str(2**64)}, "contract"),
            ("/spend", {"offset": str(2**63)}, "offset"),
            ("/spend", {"month_from": "0364-01-01"}, "month_from"),
            ("/decisions", {"offset": str(2**64)}, "offset"),
        ],
    )
    def test_a_query_parameter_out_of_bounds_is_refused_naming_it(self, api_as, estate, path, params, field):
        client, _ = api_as(Role.COMMERCIAL_OFFICER)

        response = client.get(path.format(id=estate["own"].pk), **params)

        assert response.status_code in {400, 422}, response.content
        assert fields_of(response) == {field}

    @pytest.mark.parametrize(
        "path",
        [
            "/contracts/99999999999999999999",
            "/contracts/9223372036854775808/spend",
            "/suppliers/99999999999999999999",
            "/decisions/99999999999999999999",
        ],
    )
    def test_an_id_no_database_can_hold_is_refused_or_not_found(self, api_as, estate, path):
        client, _ = api_as(Role.COMMERCIAL_OFFICER)

        response = client.get(path)

        # 422 where the documented schema bounds the id, 404 where it is simply not found
        assert response.status_code in {404, 422}
        assert isinstance(response.json()["detail"], str if response.status_code == 404 else list)

    def test_a_write_to_an_id_no_database_can_hold_is_refused_or_not_found(self, api_as, estate):
        client, _ = api_as(Role.COMMERCIAL_OFFICER)

        decide = "/contracts/99999999999999999999/options/99999999999999999999/exercise"
        assert client.patch("/contracts/99999999999999999999", {"title": "x"}).status_code in {404, 422}
        assert client.post(decide, {}).status_code in {404, 422}

    def test_the_edges_of_the_range_are_read(self, api_as, estate):
        client, _ = api_as(Role.COMMERCIAL_OFFICER)

        for as_at in ("1990-01-01", "2100-12-31"):
            assert client.get("/contracts", as_at=as_at).status_code == 200
            assert client.get(f"/contracts/{estate['own'].pk}", as_at=as_at).status_code == 200


class TestServerErrors:
    """Only in development does an API 500 carry its traceback."""

    @pytest.fixture
    def failing(self, api_as, estate, client, monkeypatch):
        def broken(*args, **kwargs):
            raise RuntimeError("secret internals")

        monkeypatch.setattr("pegasus.api.estate._detail", broken)
        client.raise_request_exception = False
        api_client, _ = api_as(Role.COMMERCIAL_OFFICER)
        return lambda: api_client.get(f"/contracts/{estate['own'].pk}")

    def test_in_development_the_500_carries_the_traceback(self, failing, settings):
        settings.DEBUG, settings.PEGASUS_ENV = True, "development"

        response = failing()

        assert response.status_code == 500
        assert "Traceback" in response.content.decode() and "secret internals" in response.content.decode()

    @pytest.mark.parametrize("env", ["test", "production"])
    def test_elsewhere_the_500_says_nothing_of_the_internals(self, failing, settings, env):
        settings.DEBUG, settings.PEGASUS_ENV = False, env

        response = failing()

        assert response.status_code == 500
        assert "Traceback" not in response.content.decode() and "secret internals" not in response.content.decode()

    def test_debug_left_on_in_production_does_not_put_the_traceback_in_an_api_answer(self, settings):
        from pegasus.api.api import server_error

        settings.DEBUG, settings.PEGASUS_ENV = True, "production"

        # The API hands the error on to Django (whose deploy check refuses DEBUG in production).
        with pytest.raises(RuntimeError, match="secret internals"):
            server_error(None, RuntimeError("secret internals"))


class TestErrorsAreDocumentedAsAnswered:
    """The OpenAPI document gives every error the body the API sends with it."""

    def test_each_error_status_documents_the_body_it_is_sent_with(self):
        from pegasus.api.api import api

        document = api.get_openapi_schema()
        wrong = []
        for path, operations in document["paths"].items():
            for method, operation in operations.items():
                for status, answer in operation["responses"].items():
                    if not str(status).startswith("4"):
                        continue
                    ref = answer["content"]["application/json"]["schema"]["$ref"]
                    expected = "Errors" if int(status) in {400, 409, 422} else "Message"
                    if not ref.endswith(f"/{expected}"):
                        wrong.append(f"{method.upper()} {path} {status}: {ref}")

        assert wrong == []


def test_an_http_error_keeps_its_own_message_in_the_documented_list(rf):
    from ninja.errors import HttpError

    from pegasus.api.api import api

    response = api.on_exception(rf.post("/api/spend"), HttpError(400, "Too large to read."))

    assert response.status_code == 400
    assert response.content.decode() == '{"detail": [{"field": null, "message": "Too large to read."}]}'


class TestDecisionBodiesAreBounded:
    """The decisions API reads its dates and money within the same bounds as the estate."""

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"required_by": "0001-01-01"}, "required_by"),
            ({"required_by": "9999-12-31"}, "required_by"),
            ({"part1_deferred_until": "9999-12-31"}, "part1_deferred_until"),
            ({"value": "99999999999999.99"}, "value"),
            ({"route": [{"body": "Investment Advisory & Monitoring", "meets_on": "9999-12-31"}]}, "route.0.meets_on"),
            ({"exemptions": [{"section": "s43", "name": "x", "ceases_on": "0364-01-01"}]}, "exemptions.0.ceases_on"),
            (
                {"recommendations": [{"kind": "approve", "text": "x", "amount": "99999999999999.99"}]},
                "recommendations.0.amount",
            ),
        ],
    )
    def test_a_decision_out_of_bounds_is_refused_naming_the_field(self, api_as, changes, field):
        from pegasus.governance.models import Decision
        from tests.api.test_decisions_api import decision_body

        client, _ = api_as(Role.COMMERCIAL_OFFICER)

        response = client.post("/decisions", decision_body(**changes))

        assert response.status_code in {400, 422}, response.content
        assert field in fields_of(response)
        assert not Decision.objects.exists()
