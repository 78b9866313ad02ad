"""The finance API: the position and each ledger for the roles that may read them, commitments and actuals written
through the finance services by the roles that keep the ledgers, and the control's refusal with nothing written."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pegasus.core.models import AuditEvent
from pegasus.core.roles import Role
from pegasus.finance import selectors, services
from pegasus.finance.models import Actual, Commitment
from tests.api.conftest import Api

pytestmark = pytest.mark.django_db

ROLES = [role.value for role in Role]
READERS = {Role.FINANCE, Role.COMMERCIAL_OFFICER, Role.PROGRAMME_DIRECTOR, Role.APPROVER, Role.AUDITOR}
KEEPERS = {Role.FINANCE, Role.COMMERCIAL_OFFICER}
READS = [
    "/finance/position",
    "/finance/budget-lines",
    "/finance/approvals",
    "/finance/commitments",
    "/finance/actuals",
    "/finance/forecasts",
]
AS_AT = "2019-08-20"


def commitment_body(**overrides) -> dict:
    body = {
        "id": "PO-1003",
        "budget_line": "DP-PEG-CONS",
        "approval": "PCD579",
        "supplier": "Bloom (fictional)",
        "description": "Commercial advice",
        "raised_on": "2019-08-01",
        "amount": "100000.00",
    }
    return body | overrides


def actual_body(**overrides) -> dict:
    body = {
        "id": "INV-5003",
        "budget_line": "DP-PEG-CONS",
        "commitment": "PO-1001",
        "paid_on": "2019-08-31",
        "amount": "12500.00",
    }
    return body | overrides


def fields_of(response) -> list[str | None]:
    return [error["field"] for error in response.json()["detail"]]


def messages_of(response) -> str:
    return " ".join(error["message"] for error in response.json()["detail"])


def written() -> tuple[int, ...]:
    """Every trace a write leaves: rows, their history and audit events."""
    return (
        Commitment.objects.count(),
        Commitment.history.count(),
        Actual.objects.count(),
        Actual.history.count(),
        AuditEvent.objects.exclude(action__startswith="auth.").count(),
    )


@pytest.fixture
def ledgers():
    """The Pegasus programme's line under the DP budget, consultancy below it with approval PCD579 (£1m), two
    commitments (one under the approval), an actual against each and two months of forecast."""
    services.budget_line_save(code="DP", name="Digital Policing", parent=None, by=None)
    services.budget_line_save(code="DP-PEG", name="Pegasus programme", parent="DP", by=None)
    services.budget_line_save(code="DP-PEG-CONS", name="Consultancy", parent="DP-PEG", by=None)
    services.budget_amount_save(line="DP-PEG", year=2019, amount=Decimal("3350000.00"), by=None)
    services.budget_amount_save(line="DP-PEG-CONS", year=2019, amount=Decimal("1000000.00"), by=None)
    services.budget_amount_save(line="DP-PEG-CONS", year=2020, amount=Decimal("500000.00"), by=None)
    services.approval_save(
        reference="PCD579",
        line="DP-PEG-CONS",
        amount=Decimal("1000000.00"),
        approved_on=date(2019, 6, 10),
        decision=None,
        by=None,
    )
    for reference, line, approval, raised_on, amount in [
        ("PO-1001", "DP-PEG-CONS", "PCD579", date(2019, 6, 17), "450000.00"),
        ("PO-1002", "DP-PEG", None, date(2019, 7, 1), "100000.00"),
    ]:
        services.commitment_save(
            reference=reference,
            line=line,
            approval=approval,
            supplier="Bloom (fictional)",
            description="",
            raised_on=raised_on,
            amount=Decimal(amount),
            cancelled_on=None,
            contract=None,
            by=None,
        )
    services.actual_save(
        reference="INV-5001",
        line="DP-PEG-CONS",
        commitment="PO-1001",
        paid_on=date(2019, 7, 31),
        amount=Decimal("37500.00"),
        by=None,
    )
    services.actual_save(
        reference="INV-5002",
        line="DP-PEG",
        commitment="PO-1002",
        paid_on=date(2019, 8, 15),
        amount=Decimal("10000.00"),
        by=None,
    )
    for month in (8, 9):
        services.forecast_save(line="DP-PEG-CONS", month=date(2019, month, 1), amount=Decimal("40000.00"), by=None)


@pytest.fixture
def keeper(api_as, ledgers) -> Api:
    client, _ = api_as(Role.FINANCE)
    return client


class TestPosition:
    """GET /api/finance/position."""

    def test_the_answer_is_the_selectors_position(self, keeper):
        """Exactly what `pegasus finance position --json` prints for the same day and year."""
        response = keeper.get("/finance/position", as_at=AS_AT, year="2019-20")

        assert response.status_code == 200
        expected = selectors.position(as_at=date(2019, 8, 20), year=2019).to_json()
        assert response.json() == json.loads(json.dumps(expected))

    def test_the_figures_roll_up_and_the_approval_shows_its_headroom(self, keeper):
        body = keeper.get("/finance/position", as_at=AS_AT, year="2019-20").json()

        lines = {line["code"]: line for line in body["lines"]}
        assert (body["as_at"], body["year"]) == (AS_AT, "2019-20")
        assert lines["DP-PEG-CONS"]["committed_open"] == "412500.00"
        assert lines["DP"]["actual"] == "47500.00"
        assert lines["DP"]["budget"] == "4350000.00"
        assert body["approvals"] == [
            {
                "id": "PCD579",
                "budget_line": "DP-PEG-CONS",
                "decision": None,
                "approved": "1000000.00",
                "committed": "450000.00",
                "spent": "37500.00",
                "headroom": "550000.00",
            }
        ]

    def test_the_year_defaults_to_the_one_of_the_day(self, keeper):
        assert keeper.get("/finance/position", as_at="2020-05-01").json()["year"] == "2020-21"

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"year": "2019-21"}, "year"),
            ({"year": "2019"}, "year"),
            ({"year": "twenty"}, "year"),
            ({"as_at": "2019-02-30"}, "as_at"),
            ({"as_at": "1066-10-14"}, "as_at"),
        ],
    )
    def test_a_bad_day_or_year_is_named(self, keeper, params, field):
        response = keeper.get("/finance/position", **params)

        assert response.status_code == 422
        assert fields_of(response) == [field]

    def test_it_runs_a_fixed_number_of_queries(self, keeper, django_assert_num_queries):
        keeper.get("/finance/position", as_at=AS_AT)  # the first call of the minute records when the token was used
        with CaptureQueriesContext(connection) as few:
            keeper.get("/finance/position", as_at=AS_AT)

        for i in range(20):
            services.budget_line_save(code=f"DP-PEG-X{i}", name=f"Extra {i}", parent="DP-PEG", by=None)
        with django_assert_num_queries(len(few)):
            assert len(keeper.get("/finance/position", as_at=AS_AT).json()["lines"]) == 23


class TestRoles:
    @pytest.mark.parametrize("path", READS)
    @pytest.mark.parametrize("role", ROLES)
    def test_only_the_roles_that_read_finance_read_it(self, api_as, ledgers, role, path):
        """Evaluators, suppliers and legal are refused as the rest of the API refuses a role: 403."""
        client, _ = api_as(role)

        response = client.get(path)

        assert response.status_code == (200 if role in READERS else 403)

    def test_a_user_without_a_role_is_refused(self, api_as, ledgers):
        client, _ = api_as(None)

        assert client.get("/finance/position").status_code == 403

    def test_no_token_is_401(self, client, ledgers):
        assert client.get("/api/finance/position").status_code == 401

    @pytest.mark.parametrize("role", ROLES)
    def test_only_finance_and_commercial_write(self, api_as, ledgers, role):
        client, _ = api_as(role)
        before = written()

        raised = client.post("/finance/commitments", commitment_body())
        paid = client.post("/finance/actuals", actual_body())
        cancelled = client.post("/finance/commitments/PO-1002/cancel", {"on": "2019-09-01"})

        if role in KEEPERS:
            assert (raised.status_code, paid.status_code, cancelled.status_code) == (201, 201, 200)
        else:
            assert (raised.status_code, paid.status_code, cancelled.status_code) == (403, 403, 403)
            assert written() == before
            assert Commitment.objects.get(reference="PO-1002").cancelled_on is None


class TestLedgers:
    """The list endpoints: their rows, filters and pages."""

    def test_budget_lines_carry_their_amounts_per_year(self, keeper):
        body = keeper.get("/finance/budget-lines").json()

        assert body["count"] == 3
        assert body["items"] == [
            {"code": "DP", "name": "Digital Policing", "parent": None, "amounts": []},
            {
                "code": "DP-PEG",
                "name": "Pegasus programme",
                "parent": "DP",
                "amounts": [{"year": "2019-20", "amount": "3350000.00"}],
            },
            {
                "code": "DP-PEG-CONS",
                "name": "Consultancy",
                "parent": "DP-PEG",
                "amounts": [{"year": "2019-20", "amount": "1000000.00"}, {"year": "2020-21", "amount": "500000.00"}],
            },
        ]

    def test_budget_lines_filter_by_parent(self, keeper):
        body = keeper.get("/finance/budget-lines", parent="DP-PEG").json()

        assert [line["code"] for line in body["items"]] == ["DP-PEG-CONS"]

    def test_approvals_filter_by_line(self, keeper):
        on_line = keeper.get("/finance/approvals", budget_line="DP-PEG-CONS").json()
        elsewhere = keeper.get("/finance/approvals", budget_line="DP-PEG").json()

        assert on_line["items"] == [
            {
                "id": "PCD579",
                "budget_line": "DP-PEG-CONS",
                "amount": "1000000.00",
                "approved_on": "2019-06-10",
                "decision": None,
            }
        ]
        assert elsewhere == {"count": 0, "limit": 50, "offset": 0, "items": []}

    def test_commitments_filter_by_line_and_approval(self, keeper):
        every = keeper.get("/finance/commitments").json()
        under = keeper.get("/finance/commitments", approval="PCD579").json()
        on_line = keeper.get("/finance/commitments", budget_line="DP-PEG").json()

        assert [c["id"] for c in every["items"]] == ["PO-1001", "PO-1002"]
        assert under["items"] == [
            {
                "id": "PO-1001",
                "budget_line": "DP-PEG-CONS",
                "approval": "PCD579",
                "supplier": "Bloom (fictional)",
                "description": "",
                "raised_on": "2019-06-17",
                "amount": "450000.00",
                "cancelled_on": None,
                "contract": None,
            }
        ]
        assert [c["id"] for c in on_line["items"]] == ["PO-1002"]

    def test_actuals_filter_by_commitment(self, keeper):
        body = keeper.get("/finance/actuals", commitment="PO-1002").json()

        assert body["items"] == [
            {"id": "INV-5002", "budget_line": "DP-PEG", "commitment": "PO-1002", "paid_on": "2019-08-15",
             "amount": "10000.00"}
        ]  # fmt: skip

    def test_forecasts_by_line_and_month(self, keeper):
        body = keeper.get("/finance/forecasts", budget_line="DP-PEG-CONS").json()

        assert [(f["month"], f["amount"]) for f in body["items"]] == [
            ("2019-08-01", "40000.00"),
            ("2019-09-01", "40000.00"),
        ]

    def test_a_page_is_a_window_on_the_count(self, keeper):
        body = keeper.get("/finance/actuals", limit=1, offset=1).json()

        assert (body["count"], body["limit"], body["offset"]) == (2, 1, 1)
        assert [a["id"] for a in body["items"]] == ["INV-5002"]

    @pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 501}, {"offset": -1}])
    def test_a_bad_page_is_named(self, keeper, params):
        response = keeper.get("/finance/commitments", **params)

        assert response.status_code == 422
        assert fields_of(response) == list(params)


def more_rows(n: int, start: int = 0) -> None:
    """n more lines, each with a budget for two years, an approval, a commitment, an actual and a forecast."""
    for i in range(start, start + n):
        code = f"L{i:03d}"
        services.budget_line_save(code=code, name=f"Line {i}", parent="DP", by=None)
        for year in (2019, 2020):
            services.budget_amount_save(line=code, year=year, amount=Decimal("1000.00"), by=None)
        services.approval_save(
            reference=f"A{i:03d}", line=code, amount=Decimal("500.00"), approved_on=date(2019, 5, 1), decision=None,
            by=None,
        )  # fmt: skip
        services.commitment_save(
            reference=f"C{i:03d}", line=code, approval=f"A{i:03d}", supplier="S", description="",
            raised_on=date(2019, 5, 2), amount=Decimal("400.00"), cancelled_on=None, contract=None, by=None,
        )  # fmt: skip
        services.actual_save(
            reference=f"I{i:03d}", line=code, commitment=f"C{i:03d}", paid_on=date(2019, 6, 1),
            amount=Decimal("100.00"), by=None,
        )  # fmt: skip
        services.forecast_save(line=code, month=date(2019, 9, 1), amount=Decimal("50.00"), by=None)


class TestQueryCounts:
    @pytest.mark.parametrize("path", READS[1:])
    def test_a_list_runs_as_many_queries_for_30_rows_as_for_3(self, keeper, path, django_assert_num_queries):
        more_rows(3)
        keeper.get("/finance/position")
        with CaptureQueriesContext(connection) as few:
            assert keeper.get(path, limit=100).status_code == 200
        assert len(few) <= 6

        more_rows(27, start=3)
        with django_assert_num_queries(len(few)):
            assert len(keeper.get(path, limit=100).json()["items"]) >= 30


class TestCommitmentWrites:
    """POST /api/finance/commitments and /api/finance/commitments/{id}/cancel."""

    def test_raising_then_saving_again_then_changing(self, api_as, ledgers):
        client, user = api_as(Role.COMMERCIAL_OFFICER)

        raised = client.post("/finance/commitments", commitment_body())
        again = client.post("/finance/commitments", commitment_body())
        changed = client.post("/finance/commitments", commitment_body(amount="120000"))

        assert (raised.status_code, again.status_code, changed.status_code) == (201, 200, 200)
        assert [r.json()["outcome"] for r in (raised, again, changed)] == ["created", "unchanged", "updated"]
        assert changed.json() | {"outcome": None} == {
            "id": "PO-1003",
            "budget_line": "DP-PEG-CONS",
            "approval": "PCD579",
            "supplier": "Bloom (fictional)",
            "description": "Commercial advice",
            "raised_on": "2019-08-01",
            "amount": "120000.00",
            "cancelled_on": None,
            "contract": None,
            "outcome": None,
        }
        assert Commitment.objects.get(reference="PO-1003").amount == Decimal("120000.00")
        actions = list(AuditEvent.objects.filter(actor=user).order_by("id").values_list("action", flat=True))
        assert actions == ["finance.commitment-created", "finance.commitment-updated"]

    def test_a_commitment_beyond_its_approval_is_refused_and_nothing_is_written(self, keeper):
        """£550,000 is left of PCD579; £550,000.01 is a penny too much."""
        before = written()

        response = keeper.post("/finance/commitments", commitment_body(amount="550000.01"))

        assert response.status_code == 400
        assert fields_of(response) == ["amount"]
        message = messages_of(response)
        assert "approval PCD579" in message
        assert "its headroom is £550,000.00" in message
        assert "needs £0.01 more" in message
        assert "scheme of delegation" in message
        assert written() == before
        assert not Commitment.objects.filter(reference="PO-1003").exists()

    def test_exactly_the_headroom_is_allowed(self, keeper):
        response = keeper.post("/finance/commitments", commitment_body(amount="550000.00"))

        assert response.status_code == 201
        position = keeper.get("/finance/position", as_at=AS_AT).json()
        assert position["approvals"][0]["headroom"] == "0.00"

    def test_increasing_a_commitment_beyond_its_approval_is_refused(self, keeper):
        before = written()

        response = keeper.post(
            "/finance/commitments",
            commitment_body(id="PO-1001", raised_on="2019-06-17", description="", amount="1000000.01"),
        )

        assert response.status_code == 400
        assert fields_of(response) == ["amount"]
        assert "its headroom is £1,000,000.00 and the commitment needs £0.01 more" in messages_of(response)
        assert written() == before
        assert Commitment.objects.get(reference="PO-1001").amount == Decimal("450000.00")

    def test_cancelling_frees_the_approvals_headroom(self, keeper):
        response = keeper.post("/finance/commitments/PO-1001/cancel", {"on": "2019-08-01"})

        assert response.status_code == 200
        assert (response.json()["cancelled_on"], response.json()["outcome"]) == ("2019-08-01", "updated")
        position = keeper.get("/finance/position", as_at=AS_AT).json()
        assert position["approvals"][0]["headroom"] == "1000000.00"
        assert keeper.post("/finance/commitments", commitment_body(amount="1000000.00")).status_code == 201

    def test_cancelling_before_an_actual_paid_against_it_is_refused(self, keeper):
        before = written()

        response = keeper.post("/finance/commitments/PO-1001/cancel", {"on": "2019-07-31"})

        assert response.status_code == 400
        assert fields_of(response) == ["on"]
        assert "INV-5001" in messages_of(response)
        assert written() == before

    def test_cancelling_an_unknown_commitment_is_404(self, keeper):
        response = keeper.post("/finance/commitments/PO-9999/cancel", {"on": "2019-08-01"})

        assert response.status_code == 404
        assert set(response.json()) == {"detail"}

    @pytest.mark.parametrize(
        ("overrides", "status", "field"),
        [
            ({"budget_line": "NOPE"}, 400, "budget_line"),
            ({"approval": "NOPE"}, 400, "approval"),
            ({"contract": "NOPE"}, 400, "contract"),
            ({"cancelled_on": "2019-07-01"}, 400, "cancelled_on"),
            ({"amount": "-1.00"}, 400, "amount"),
            ({"amount": 100.5}, 422, "amount"),
            ({"amount": "1.005"}, 422, "amount"),
            ({"amount": "ten"}, 422, "amount"),
            ({"raised_on": "2019-13-01"}, 422, "raised_on"),
            ({"id": ""}, 422, "id"),
            ({"id": "PO\x001003"}, 422, "id"),
            ({"id": "P" * 51}, 422, "id"),
            ({"supplier": "   "}, 422, "supplier"),
            ({"description": "two\nlines"}, 422, "description"),
        ],
    )
    def test_bad_input_is_named_and_nothing_is_written(self, keeper, overrides, status, field):
        before = written()

        response = keeper.post("/finance/commitments", commitment_body(**overrides))

        assert response.status_code == status
        assert fields_of(response) == [field]
        assert written() == before

    def test_a_missing_field_is_named(self, keeper):
        body = commitment_body()
        del body["supplier"]

        response = keeper.post("/finance/commitments", body)

        assert response.status_code == 422
        assert fields_of(response) == ["supplier"]

    def test_a_bad_cancellation_day_is_named(self, keeper):
        response = keeper.post("/finance/commitments/PO-1001/cancel", {"on": "soon"})

        assert response.status_code == 422
        assert fields_of(response) == ["on"]


class TestActualWrites:
    """POST /api/finance/actuals."""

    def test_recording_an_actual_shows_in_the_position(self, keeper):
        response = keeper.post("/finance/actuals", actual_body())

        assert response.status_code == 201
        assert response.json() == {
            "id": "INV-5003",
            "budget_line": "DP-PEG-CONS",
            "commitment": "PO-1001",
            "paid_on": "2019-08-31",
            "amount": "12500.00",
            "outcome": "created",
        }
        position = keeper.get("/finance/position", as_at="2019-09-01").json()
        assert position["approvals"][0]["spent"] == "50000.00"
        assert AuditEvent.objects.filter(action="finance.actual-created", object_type="finance.actual").count() == 3

    def test_correcting_an_actual(self, keeper):
        response = keeper.post("/finance/actuals", actual_body(id="INV-5001", paid_on="2019-07-31", amount="40000"))

        assert (response.status_code, response.json()["outcome"]) == (200, "updated")
        assert Actual.objects.get(reference="INV-5001").amount == Decimal("40000.00")

    @pytest.mark.parametrize(
        ("overrides", "status", "field"),
        [
            ({"budget_line": "DP-PEG"}, 400, "budget_line"),
            ({"commitment": "PO-9999"}, 400, "commitment"),
            ({"budget_line": "NOPE", "commitment": ""}, 400, "budget_line"),
            ({"amount": "-0.01"}, 400, "amount"),
            ({"amount": 12.5}, 422, "amount"),
            ({"paid_on": "2101-01-01"}, 422, "paid_on"),
        ],
    )
    def test_bad_input_is_named_and_nothing_is_written(self, keeper, overrides, status, field):
        before = written()

        response = keeper.post("/finance/actuals", actual_body(**overrides))

        assert response.status_code == status
        assert fields_of(response) == [field]
        assert written() == before

    def test_an_actual_after_its_commitment_was_cancelled_is_refused(self, keeper):
        keeper.post("/finance/commitments/PO-1001/cancel", {"on": "2019-08-15"})
        before = written()

        response = keeper.post("/finance/actuals", actual_body(paid_on="2019-08-15"))

        assert response.status_code == 400
        assert fields_of(response) == ["commitment"]
        assert "cancelled on 2019-08-15" in messages_of(response)
        assert written() == before


class TestOpenApi:
    def test_the_document_lists_every_finance_path(self, client):
        paths = client.get("/api/openapi.json").json()["paths"]

        assert {path: set(paths[path]) for path in paths if path.startswith("/api/finance")} == {
            "/api/finance/position": {"get"},
            "/api/finance/budget-lines": {"get"},
            "/api/finance/approvals": {"get"},
            "/api/finance/commitments": {"get", "post"},
            "/api/finance/commitments/{commitment_id}/cancel": {"post"},
            "/api/finance/actuals": {"get", "post"},
            "/api/finance/forecasts": {"get"},
        }

    def test_money_and_years_are_documented_as_text(self, client):
        schemas = client.get("/api/openapi.json").json()["components"]["schemas"]

        assert schemas["CommitmentIn"]["properties"]["amount"]["type"] == "string"
        assert schemas["CommitmentOut"]["properties"]["amount"]["type"] == "string"
        assert schemas["PositionLineOut"]["properties"]["variance"]["pattern"] == r"^-?\d+\.\d{2}$"
