"""The finance pages: who may read and change the ledgers, the position tree and its drill-downs, the S-curve, the
forms (a refusal shown on its field with nothing written), the imports, the workbook and the dashboard's panel."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from pegasus.core.models import AuditEvent
from pegasus.core.roles import Role
from pegasus.finance import services
from pegasus.finance.exports import DEFINITIONS
from pegasus.finance.models import Actual, Approval, BudgetAmount, BudgetLine, Commitment, Forecast
from pegasus.web.context_processors import navigation

pytestmark = pytest.mark.django_db

AS_AT = date(2019, 5, 23)
PERIOD = "as_at=2019-05-23&year=2019"
READERS = {Role.FINANCE, Role.COMMERCIAL_OFFICER, Role.PROGRAMME_DIRECTOR, Role.APPROVER, Role.AUDITOR}
EDITORS = {Role.FINANCE, Role.COMMERCIAL_OFFICER}
D = Decimal


def ledger() -> None:
    """A small tree: DP over the programme DP-PEG, over consultancy and legal; PCD579's £6.7m on DP-PEG; two
    commitments under it, an actual against each, and forecasts for the rest of 2019-20."""
    save = services.budget_line_save
    save(code="DP", name="Digital Policing", parent=None, by=None)
    save(code="DP-PEG", name="Pegasus programme", parent="DP", by=None)
    save(code="DP-PEG-CONS", name="Consultancy", parent="DP-PEG", by=None)
    save(code="DP-PEG-LEGAL", name="Legal support", parent="DP-PEG", by=None)
    services.budget_amount_save(line="DP", year=2019, amount=D("196650000.00"), by=None)
    services.budget_amount_save(line="DP-PEG-CONS", year=2019, amount=D("2000000.00"), by=None)
    services.budget_amount_save(line="DP-PEG-LEGAL", year=2019, amount=D("1350000.00"), by=None)
    services.approval_save(
        reference="PCD579", line="DP-PEG", amount=D("6700000.00"), approved_on=date(2019, 4, 1), decision=None, by=None
    )
    commit("PO-1001", "DP-PEG-CONS", D("450000.00"), date(2019, 4, 17))
    commit("PO-1002", "DP-PEG-LEGAL", D("300000.00"), date(2019, 5, 2))
    services.actual_save(
        reference="INV-1",
        line="DP-PEG-CONS",
        commitment="PO-1001",
        paid_on=date(2019, 4, 30),
        amount=D("120000"),
        by=None,
    )
    services.actual_save(
        reference="INV-2",
        line="DP-PEG-LEGAL",
        commitment="PO-1002",
        paid_on=date(2019, 5, 20),
        amount=D("50000"),
        by=None,
    )
    for month in range(6, 13):
        services.forecast_save(line="DP-PEG-CONS", month=date(2019, month, 1), amount=D("150000"), by=None)
    services.forecast_save(line="DP-PEG-CONS", month=date(2019, 5, 1), amount=D("999"), by=None)  # the as-at month


def commit(reference, line, amount, raised_on, approval="PCD579"):
    return services.commitment_save(
        reference=reference,
        line=line,
        approval=approval,
        supplier="Bloom consultants",
        description="",
        raised_on=raised_on,
        amount=amount,
        cancelled_on=None,
        contract=None,
        by=None,
    )


@pytest.fixture
def books(settings):
    settings.PEGASUS_AS_AT = AS_AT
    ledger()


def counts() -> tuple[int, ...]:
    """Every ledger's rows and the audit trail: what a refused write must leave as it was."""
    models = (BudgetLine, BudgetAmount, Approval, Commitment, Actual, Forecast, AuditEvent)
    return tuple(model.objects.count() for model in models)


def commitment_post(**changes) -> dict:
    data = {
        "reference": "PO-2001",
        "budget_line": "DP-PEG-CONS",
        "approval": "PCD579",
        "supplier": "Independent consultants",
        "description": "Market engagement",
        "raised_on": "2019-05-10",
        "amount": "100000.00",
        "contract": "",
    }
    return data | changes


class TestWhoMaySee:
    PAGES = [
        "/finance/",
        "/finance/position.xlsx",
        "/finance/lines/DP-PEG/",
        "/finance/approvals/PCD579/",
    ]
    EDIT_PAGES = [
        "/finance/commitments/new/",
        "/finance/commitments/PO-1001/",
        "/finance/commitments/PO-1001/cancel/",
        "/finance/actuals/new/",
        "/finance/forecasts/",
        "/finance/approvals/new/",
        "/finance/budget-lines/new/",
        "/finance/budgets/",
        "/finance/import/",
        "/finance/import/template/commitments.csv",
    ]

    @pytest.mark.parametrize("path", PAGES + EDIT_PAGES)
    def test_anonymous_users_are_sent_to_sign_in(self, client, books, path):
        response = client.get(path)
        assert response.status_code == 302
        assert response.url.startswith("/sign-in/?next=")

    @pytest.mark.parametrize("role", sorted(Role))
    @pytest.mark.parametrize("path", PAGES)
    def test_readers_read_and_nobody_else_does(self, signed_in, books, role, path):
        client, _ = signed_in(role)
        assert client.get(path).status_code == (200 if role in READERS else 403)

    @pytest.mark.parametrize("role", sorted(Role))
    @pytest.mark.parametrize("path", EDIT_PAGES)
    def test_only_finance_and_commercial_officers_reach_the_forms(self, signed_in, books, role, path):
        client, _ = signed_in(role)
        assert client.get(path).status_code == (200 if role in EDITORS else 403)

    @pytest.mark.parametrize("role", sorted(READERS - EDITORS))
    def test_a_reader_cannot_write(self, signed_in, books, role):
        # given
        client, _ = signed_in(role)
        before = counts()

        # when
        responses = [
            client.post("/finance/commitments/new/", commitment_post()),
            client.post("/finance/commitments/PO-1001/cancel/", {"cancelled_on": "2019-06-01"}),
            client.post("/finance/forecasts/", {"budget_line": "DP-PEG", "month": "2019-09", "amount": "1"}),
            client.post("/finance/import/", {"kind": "forecasts"}),
        ]

        # then
        assert [r.status_code for r in responses] == [403] * 4
        assert counts() == before

    @pytest.mark.parametrize("role", sorted(Role))
    def test_the_navigation_offers_finance_to_its_readers_only(self, signed_in, books, role):
        """Finance is a page of the Programme section: its readers are offered it there."""
        _, user = signed_in(role)
        sections, pages = navigation(user, "/finance/")
        offered = {item["url"] for item in sections} | {page["url"] for page in pages}
        assert ("/finance/" in offered) == (role in READERS)
        if role in READERS:
            assert [item["label"] for item in sections if item["active"]] == ["Programme"]

    def test_an_unknown_line_approval_or_commitment_is_not_found(self, signed_in, books):
        client, _ = signed_in(Role.FINANCE)
        assert client.get("/finance/lines/NOPE/").status_code == 404
        assert client.get("/finance/approvals/NOPE/").status_code == 404
        assert client.get("/finance/commitments/NOPE/").status_code == 404
        assert client.get("/finance/commitments/NOPE/cancel/").status_code == 404
        assert client.get("/finance/import/template/nothing.csv").status_code == 404
        assert client.get("/finance/import/template/commitments.pdf").status_code == 404


class TestPosition:
    def test_the_tree_is_in_order_indented_and_rolled_up(self, signed_in, books):
        # given
        client, _ = signed_in(Role.APPROVER)

        # when
        response = client.get(f"/finance/?{PERIOD}")

        # then
        rows = response.context["rows"]
        assert [(row.code, row.depth, indent) for row, indent in rows] == [
            ("DP", 0, 0),
            ("DP-PEG", 1, 2),
            ("DP-PEG-CONS", 2, 4),
            ("DP-PEG-LEGAL", 2, 4),
        ]
        programme = response.context["position"].line("DP-PEG").total
        assert programme.budget == D("3350000.00")
        assert programme.actual == D("170000.00")
        assert programme.committed_open == D("580000.00")
        assert programme.forecast_remaining == D("1050000.00")  # June to December; May is the as-at month
        assert response.context["total"].budget == D("200000000.00")
        body = response.content.decode()
        assert "£200,000,000" in body
        assert 'href="/finance/lines/DP-PEG-CONS/?as_at=2019-05-23&amp;year=2019#commitments"' in body

    def test_each_approval_has_a_headroom_bar_with_words(self, signed_in, books):
        client, _ = signed_in(Role.AUDITOR)
        body = client.get(f"/finance/?{PERIOD}").content.decode()
        assert '<meter class="pegasus-headroom" min="0" max="6700000.00" value="750000.00"' in body
        assert 'aria-label="PCD579: 11.2% of the approval committed"' in body
        assert "£5,950,000" in body  # the headroom

    def test_readers_see_no_editing_links_and_editors_do(self, signed_in, books):
        reader, _ = signed_in(Role.PROGRAMME_DIRECTOR, username="pd")
        assert b"Raise a commitment" not in reader.get("/finance/").content
        editor, _ = signed_in(Role.COMMERCIAL_OFFICER, username="co")
        assert b"Raise a commitment" in editor.get("/finance/").content

    def test_a_bad_as_at_date_is_named_and_the_default_is_read(self, signed_in, books):
        client, _ = signed_in(Role.FINANCE)
        response = client.get("/finance/?as_at=2019-02-30&year=1066")
        assert response.status_code == 200
        assert response.context["period"].as_at == AS_AT
        assert response.context["period"].year == 2019
        errors = response.context["period"].form.errors
        assert "real date" in errors["as_at"][0]
        assert "financial year" in errors["year"][0]
        assert b"There is a problem" in response.content

    def test_another_year_is_read_when_asked(self, signed_in, books):
        client, _ = signed_in(Role.FINANCE)
        response = client.get("/finance/?as_at=2019-05-23&year=2020")
        assert response.context["position"].year == 2020
        assert response.context["position"].line("DP-PEG").total.budget == 0

    def test_a_tree_of_two_hundred_lines_is_drawn_in_six_queries(self, signed_in, books, django_assert_max_num_queries):
        # given
        for n in range(200):
            parent = "DP-PEG" if n < 20 else f"L{n % 20:03d}"
            services.budget_line_save(code=f"L{n:03d}", name=f"Line {n}", parent=parent, by=None)
            services.budget_amount_save(line=f"L{n:03d}", year=2019, amount=D(n), by=None)
        client, _ = signed_in(Role.FINANCE)
        client.get("/finance/")  # the session is read once and kept

        # when
        with django_assert_max_num_queries(6):
            response = client.get(f"/finance/?{PERIOD}")

        # then
        assert len(response.context["rows"]) == 204


class TestLine:
    def test_own_and_rolled_up_figures(self, signed_in, books):
        client, _ = signed_in(Role.FINANCE)
        response = client.get(f"/finance/lines/DP-PEG/?{PERIOD}")
        figures = {key: (own, total) for _, key, own, total in response.context["figures"]}
        assert figures["budget"] == (D("0.00"), D("3350000.00"))
        assert figures["outturn"] == (D("0.00"), D("1220000.00"))
        assert figures["available"] == (D("0.00"), D("2600000.00"))

    def test_the_rows_behind_committed_open_and_actual_add_up_to_them(self, signed_in, books):
        client, _ = signed_in(Role.FINANCE)
        response = client.get(f"/finance/lines/DP-PEG/?{PERIOD}")
        behind = {b.commitment.reference: (b.paid, b.open) for b in response.context["commitments"]}
        assert behind == {"PO-1001": (D("120000"), D("330000.00")), "PO-1002": (D("50000"), D("250000.00"))}
        assert response.context["committed_open"] == response.context["row"].total.committed_open
        assert [a.reference for a in response.context["actuals"]] == ["INV-1", "INV-2"]
        assert response.context["actual_total"] == response.context["row"].total.actual

    def test_a_commitment_raised_after_the_as_at_date_is_not_behind_it(self, signed_in, books):
        commit("PO-LATER", "DP-PEG-CONS", D("1000"), date(2019, 6, 1))
        client, _ = signed_in(Role.FINANCE)
        response = client.get(f"/finance/lines/DP-PEG-CONS/?{PERIOD}")
        assert "PO-LATER" not in {b.commitment.reference for b in response.context["commitments"]}

    def test_the_s_curve_ends_at_the_budget_and_the_outturn(self, signed_in, books):
        # given
        client, _ = signed_in(Role.APPROVER)

        # when
        response = client.get(f"/finance/lines/DP-PEG/?{PERIOD}")

        # then
        chart = response.context["chart"]
        assert chart.headers == ["Month", "Budget", "Actual", "Forecast"]
        assert chart.rows[0] == ["Apr 2019", "£279,167", "£120,000", "£120,000"]
        assert chart.rows[1] == ["May 2019", "£558,333", "£170,000", "£170,000"]  # May's forecast is not counted
        assert chart.rows[2] == ["Jun 2019", "£837,500", "–", "£320,000"]
        assert chart.rows[-1] == ["Mar 2020", "£3,350,000", "–", "£1,220,000"]  # the outturn
        series = {point["series"] for point in chart.spec["data"]["values"]}
        assert series == {"Budget", "Actual", "Forecast"}
        assert chart.spec["mark"]["type"] == "line"
        assert b'data-testid="s-curve-table"' in response.content


class TestApproval:
    def test_the_commitments_behind_committed_and_spent(self, signed_in, books):
        client, _ = signed_in(Role.AUDITOR)
        response = client.get(f"/finance/approvals/PCD579/?{PERIOD}")
        assert response.context["committed"] == D("750000.00")
        assert response.context["spent"] == D("170000.00")
        assert response.context["approval"].row.figures.committed == response.context["committed"]
        assert response.context["approval"].row.figures.spent == response.context["spent"]

    def test_the_decision_is_linked_to_its_page(self, signed_in, settings, demo):
        # given
        from pegasus.governance.demo import decisions_demo_load
        from pegasus.governance.models import Decision

        settings.PEGASUS_AS_AT = AS_AT
        decisions_demo_load()
        ledger()
        services.approval_save(
            reference="PCD579",
            line="DP-PEG",
            amount=D("6700000.00"),
            approved_on=date(2019, 4, 1),
            decision="PCD 579",
            by=None,
        )
        client, _ = signed_in(Role.APPROVER)

        # when
        body = client.get("/finance/").content.decode()

        # then
        assert f'href="/decisions/{Decision.objects.get(reference="PCD 579").pk}/">PCD 579</a>' in body


class TestCommitmentForms:
    def test_a_commitment_is_raised_and_the_line_shown(self, signed_in, books):
        # given
        client, user = signed_in(Role.FINANCE)

        # when
        response = client.post("/finance/commitments/new/", commitment_post())

        # then
        assert response.status_code == 302
        assert response.url.startswith("/finance/lines/DP-PEG-CONS/?")
        raised = Commitment.objects.get(reference="PO-2001")
        assert (raised.amount, raised.approval_id, raised.line_id) == (D("100000.00"), "PCD579", "DP-PEG-CONS")
        assert raised.history.first().history_user == user

    def test_a_commitment_past_the_approvals_headroom_is_refused_on_its_amount_with_nothing_written(
        self, signed_in, books
    ):
        # given
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        before = counts()

        # when
        response = client.post("/finance/commitments/new/", commitment_post(amount="6000000.00"))

        # then
        assert response.status_code == 200
        error = response.context["form"].errors["amount"][0]
        assert "approval PCD579" in error
        assert "its headroom is £5,950,000.00" in error
        assert "needs £50,000.00 more" in error
        body = response.content.decode()
        assert "There is a problem" in body
        assert 'href="#id_amount"' in body
        assert "govuk-form-group--error" in body
        assert counts() == before

    def test_form_errors_name_the_field(self, signed_in, books):
        client, _ = signed_in(Role.FINANCE)
        before = counts()
        response = client.post(
            "/finance/commitments/new/", commitment_post(budget_line="", amount="-1", raised_on="2019-02-30")
        )
        errors = response.context["form"].errors
        assert errors["budget_line"] == ["Select the budget line"]
        assert errors["amount"] == ["The amount must be £0.00 or more"]
        assert errors["raised_on"] == ["The date raised must be a real date, for example 2019-05-23"]
        assert counts() == before

    def test_an_unknown_contract_is_refused_on_its_field(self, signed_in, books):
        client, _ = signed_in(Role.FINANCE)
        response = client.post("/finance/commitments/new/", commitment_post(contract="NO-SUCH"))
        assert "is not a contract held" in response.context["form"].errors["contract"][0]
        assert not Commitment.objects.filter(reference="PO-2001").exists()

    def test_a_commitment_is_changed_but_its_reference_is_kept(self, signed_in, books):
        client, _ = signed_in(Role.FINANCE)
        page = client.get("/finance/commitments/PO-1001/")
        assert page.context["form"].initial["amount"] == D("450000.00")
        response = client.post(
            "/finance/commitments/PO-1001/",
            commitment_post(reference="HIJACK", amount="500000", raised_on="2019-04-17"),
        )
        assert response.status_code == 302
        assert Commitment.objects.get(reference="PO-1001").amount == D("500000.00")
        assert not Commitment.objects.filter(reference="HIJACK").exists()

    def test_a_cancellation_frees_the_headroom(self, signed_in, books):
        client, _ = signed_in(Role.FINANCE)
        response = client.post("/finance/commitments/PO-1002/cancel/", {"cancelled_on": "2019-05-21"})
        assert response.status_code == 302
        assert Commitment.objects.get(reference="PO-1002").cancelled_on == date(2019, 5, 21)
        position = client.get(f"/finance/?{PERIOD}").context["position"]
        assert position.approvals[0].figures.headroom == D("6250000.00")

    def test_a_cancellation_before_a_payment_is_refused_on_its_date(self, signed_in, books):
        client, _ = signed_in(Role.FINANCE)
        before = counts()
        response = client.post("/finance/commitments/PO-1002/cancel/", {"cancelled_on": "2019-05-10"})
        error = response.context["form"].errors["cancelled_on"][0]
        assert "INV-2" in error
        assert counts() == before


class TestOtherForms:
    def test_an_actual_on_another_line_than_its_commitment_is_refused_on_the_line(self, signed_in, books):
        client, _ = signed_in(Role.FINANCE)
        before = counts()
        response = client.post(
            "/finance/actuals/new/",
            {
                "reference": "INV-3",
                "budget_line": "DP-PEG-LEGAL",
                "commitment": "PO-1001",
                "paid_on": "2019-05-21",
                "amount": "10",
            },
        )
        assert "commitment PO-1001 is on DP-PEG-CONS" in response.context["form"].errors["budget_line"][0]
        assert counts() == before

    def test_an_actual_is_recorded(self, signed_in, books):
        client, _ = signed_in(Role.FINANCE)
        response = client.post(
            "/finance/actuals/new/",
            {
                "reference": "INV-3",
                "budget_line": "DP-PEG-CONS",
                "commitment": "",
                "paid_on": "2019-05-21",
                "amount": "10",
            },
        )
        assert response.status_code == 302
        assert Actual.objects.get(reference="INV-3").amount == D("10.00")

    def test_a_forecast_is_set_for_a_month(self, signed_in, books):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        response = client.post(
            "/finance/forecasts/", {"budget_line": "DP-PEG-LEGAL", "month": "2019-09", "amount": "5"}
        )
        assert response.status_code == 302
        assert Forecast.objects.get(line_id="DP-PEG-LEGAL", month=date(2019, 9, 1)).amount == D("5.00")

    def test_a_month_that_is_not_one_is_refused(self, signed_in, books):
        client, _ = signed_in(Role.FINANCE)
        response = client.post("/finance/forecasts/", {"budget_line": "DP-PEG", "month": "2019-13", "amount": "5"})
        assert response.context["form"].errors["month"] == ["Enter the month as a year and month, for example 2019-09"]

    def test_an_approval_below_what_is_committed_is_refused(self, signed_in, books):
        client, _ = signed_in(Role.FINANCE)
        before = counts()
        response = client.post(
            "/finance/approvals/new/",
            {"reference": "PCD579", "budget_line": "DP-PEG", "amount": "1000", "approved_on": "2019-04-01"},
        )
        assert "cannot be reduced below" in response.context["form"].errors["amount"][0]
        assert counts() == before

    def test_an_approval_with_an_unknown_decision_is_refused_on_the_decision(self, signed_in, books):
        client, _ = signed_in(Role.FINANCE)
        response = client.post(
            "/finance/approvals/new/",
            {"reference": "A2", "budget_line": "DP-PEG", "amount": "1", "approved_on": "2019-04-01", "decision": "X"},
        )
        assert "decision approved in Pegasus" in response.context["form"].errors["decision"][0]
        assert not Approval.objects.filter(reference="A2").exists()

    def test_a_budget_line_under_itself_is_refused_on_the_parent(self, signed_in, books):
        client, _ = signed_in(Role.FINANCE)
        response = client.post("/finance/budget-lines/new/", {"code": "DP", "name": "DP", "parent": "DP-PEG-CONS"})
        assert "its own ancestor" in response.context["form"].errors["parent"][0]
        assert BudgetLine.objects.get(code="DP").parent_id is None

    def test_a_budget_line_and_its_budget_are_added(self, signed_in, books):
        client, _ = signed_in(Role.FINANCE)
        assert (
            client.post(
                "/finance/budget-lines/new/", {"code": "DP-PEG-CONT", "name": "Contingency", "parent": "DP-PEG"}
            ).status_code
            == 302
        )
        response = client.post("/finance/budgets/", {"budget_line": "DP-PEG-CONT", "year": "2019", "amount": "250000"})
        assert response.status_code == 302
        assert BudgetAmount.objects.get(line_id="DP-PEG-CONT", year=2019).amount == D("250000.00")


class TestImports:
    def test_every_kind_has_an_upload_and_templates(self, signed_in, books):
        client, _ = signed_in(Role.FINANCE)
        body = client.get("/finance/import/").content.decode()
        for kind in ("budgets", "approvals", "commitments", "actuals", "forecasts"):
            assert f'href="/finance/import/template/{kind}.xlsx"' in body
            assert f'href="/finance/import/template/{kind}.csv"' in body
            assert f'value="{kind}"' in body

    @pytest.mark.parametrize("fmt", ["csv", "xlsx"])
    def test_a_template_downloads(self, signed_in, books, fmt):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        response = client.get(f"/finance/import/template/commitments.{fmt}")
        assert response.status_code == 200
        assert f'filename="pegasus-finance-commitments-template.{fmt}"' in response["Content-Disposition"]
        if fmt == "csv":
            assert response.content.decode().startswith("id,budget_line,approval")
        else:
            assert response.content.startswith(b"PK")

    def test_a_file_that_would_exceed_an_approval_is_refused_whole(self, signed_in, books):
        # given
        client, _ = signed_in(Role.FINANCE)
        before = counts()
        csv = (
            "id,budget_line,approval,supplier,raised_on,amount\n"
            "PO-3001,DP-PEG-CONS,PCD579,Bloom,2019-05-10,1000.00\n"
            "PO-3002,DP-PEG-CONS,PCD579,Bloom,2019-05-11,7000000.00\n"
        )

        # when
        response = client.post(
            "/finance/import/",
            {"kind": "commitments", "commitments-file": SimpleUploadedFile("c.csv", csv.encode(), "text/csv")},
        )

        # then
        assert response.status_code == 200
        messages = [e["message"] for e in response.context["extra_errors"]]
        assert any("Line 3" in m and "PCD579" in m for m in messages), messages
        assert "Nothing was imported" in response.context["form"].errors["file"][0]
        assert counts() == before

    def test_a_good_file_is_imported(self, signed_in, books):
        client, _ = signed_in(Role.FINANCE)
        csv = "budget_line,month,amount\nDP-PEG-LEGAL,2019-10,75000.00\nDP-PEG-LEGAL,2019-11,75000.00\n"
        response = client.post(
            "/finance/import/",
            {"kind": "forecasts", "forecasts-file": SimpleUploadedFile("f.csv", csv.encode(), "text/csv")},
            follow=True,
        )
        assert response.redirect_chain[-1][0] == "/finance/import/"
        assert "Forecasts imported from f.csv" in response.content.decode()
        assert Forecast.objects.filter(line_id="DP-PEG-LEGAL").count() == 2

    def test_an_unknown_kind_is_a_bad_request(self, signed_in, books):
        client, _ = signed_in(Role.FINANCE)
        assert client.post("/finance/import/", {"kind": "payroll"}).status_code == 400


class TestExport:
    def test_the_workbook_has_lines_approvals_and_definitions(self, signed_in, books):
        # given
        client, _ = signed_in(Role.AUDITOR)

        # when
        response = client.get(f"/finance/position.xlsx?{PERIOD}")

        # then
        assert response["Content-Disposition"] == (
            'attachment; filename="pegasus-finance-position-2019-20-as-at-2019-05-23.xlsx"'
        )
        book = load_workbook(io.BytesIO(response.content))
        assert book.sheetnames == ["Lines", "Approvals", "Definitions"]
        lines = list(book["Lines"].iter_rows(min_row=4, values_only=True))
        programme = next(row for row in lines if row[0] == "DP-PEG")
        assert programme[:4] == ("DP-PEG", "Pegasus programme", "DP", 1)
        assert [D(str(v)) for v in programme[4:]] == [
            D("3350000"),
            D("170000"),
            D("580000"),
            D("1050000"),
            D("1220000"),
            D("2130000"),
            D("2600000"),
        ]
        approvals = list(book["Approvals"].iter_rows(min_row=4, values_only=True))
        assert approvals[0][0] == "PCD579"
        assert D(str(approvals[0][-1])) == D("5950000")
        defined = [row[0] for row in book["Definitions"].iter_rows(min_row=4, values_only=True)]
        assert defined == [
            "budget",
            "actual",
            "committed_open",
            "forecast_remaining",
            "outturn",
            "variance",
            "available",
            "approved",
            "committed",
            "spent",
            "headroom",
        ]
        assert len(DEFINITIONS) == 11
        assert AuditEvent.objects.filter(action="finance.position-export").count() == 1


class TestDashboard:
    @pytest.fixture
    def estate(self, demo, books):
        """The demo estate beside the ledgers."""

    def test_readers_of_finance_see_the_programmes_money(self, signed_in, estate):
        client, _ = signed_in(Role.PROGRAMME_DIRECTOR)
        response = client.get("/dashboard/?as_at=2019-05-23")
        money = response.context["programme_money"]
        assert money.line.code == "DP-PEG"
        assert money.line.total.budget == D("3350000.00")
        assert money.line.total.actual == D("170000.00")
        assert money.line.total.outturn == D("1220000.00")
        assert money.headroom == D("5950000.00")
        assert b'data-testid="programme-money"' in response.content

    def test_the_programme_is_the_line_of_the_largest_approval_with_the_approvals_below_it(self, signed_in, estate):
        services.approval_save(
            reference="SMALL", line="DP", amount=D("1000"), approved_on=date(2019, 4, 1), decision=None, by=None
        )
        services.approval_save(
            reference="CONS", line="DP-PEG-CONS", amount=D("1000"), approved_on=date(2019, 4, 1), decision=None, by=None
        )
        client, _ = signed_in(Role.FINANCE)
        money = client.get("/dashboard/?as_at=2019-05-23").context["programme_money"]
        assert (money.line.code, money.approvals, money.headroom) == ("DP-PEG", 2, D("5951000.00"))

    @pytest.mark.parametrize("role", [Role.LEGAL, Role.EVALUATOR])
    def test_others_see_no_money(self, signed_in, estate, role):
        client, _ = signed_in(role)
        response = client.get("/dashboard/")
        assert response.context["programme_money"] is None
        assert b"programme-money" not in response.content

    def test_without_approvals_there_is_no_panel(self, signed_in, demo):
        client, _ = signed_in(Role.FINANCE)
        assert client.get("/dashboard/").context["programme_money"] is None
