"""Procurement pages: the pipeline with its Gantt chart and flags, the detail, the forms; who may see them."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pegasus.core.roles import Role
from pegasus.procurement.models import Procurement
from tests.factories import ContractFactory

pytestmark = pytest.mark.django_db


class TestPipeline:
    def test_lists_each_procurement_with_its_deadline_and_a_gantt_chart(self, signed_in, make_procurement):
        # given
        make_procurement()
        client, _ = signed_in(Role.FINANCE)
        # when
        response = client.get("/procurements/?as_at=2019-05-23")
        # then
        assert response.status_code == 200
        [row] = response.context["rows"]
        assert row.replaces_end == date(2021, 3, 31)
        chart = response.context["chart"]
        assert chart.spec["layer"][1]["mark"]["type"] == "bar"
        assert ["PROC-1", "Requirements", "02 Sep 2019"] == chart.rows[0][:3]
        assert b'data-vega-spec="pipeline-gantt-spec"' in response.content

    def test_flags_a_procurement_whose_latest_start_has_passed(self, signed_in, make_procurement):
        """Planned to start after the day its requirements had to start by: flagged and at risk."""
        make_procurement(starts_on=date(2020, 6, 1))
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        response = client.get("/procurements/?as_at=2020-05-01")
        [row] = response.context["rows"]
        assert row.flag.kind == "passed"
        assert row.schedule.at_risk
        assert "Latest start passed" in response.content.decode()

    def test_flags_a_latest_start_within_30_days(self, signed_in, make_procurement):
        procurement = make_procurement()
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        latest = client.get("/procurements/").context["rows"][0].schedule.latest_start
        # Read as at three weeks before the first stage's latest start, with the plan starting that day.
        as_at = date.fromordinal(latest.toordinal() - 21)
        procurement.starts_on = as_at
        procurement.save()
        response = client.get(f"/procurements/?as_at={as_at.isoformat()}")
        row = response.context["rows"][0]
        assert row.flag.kind == "near"
        assert "Latest start near" in response.content.decode()

    def test_a_bad_as_at_date_is_reported_and_the_default_used(self, signed_in, make_procurement):
        make_procurement()
        client, _ = signed_in(Role.LEGAL)
        response = client.get("/procurements/?as_at=soon")
        assert response.status_code == 200
        assert response.context["as_at_error"]

    def test_runs_the_same_number_of_queries_for_3_procurements_as_for_12(self, signed_in, make_procurement):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)

        def queries(n: int) -> int:
            while Procurement.objects.count() < n:
                k = Procurement.objects.count()
                make_procurement(reference=f"P-{k}", contracts=[ContractFactory(), ContractFactory()])
            with CaptureQueriesContext(connection) as captured:
                assert client.get("/procurements/").status_code == 200
            return len(captured)

        assert queries(3) == queries(12)


class TestDetail:
    def test_shows_stages_notices_and_how_the_value_was_computed(self, signed_in, make_procurement):
        procurement = make_procurement()
        client, _ = signed_in(Role.AUDITOR)
        response = client.get(f"/procurements/{procurement.pk}/")
        body = response.content.decode()
        assert response.status_code == 200
        assert "Public Contracts Regulations 2015" in body
        assert "£4,000,000.00 ex VAT" in body  # £1m a year for 36 + 12 months, net in 2019
        assert "Maximum term: 36 months plus 12 months" in body
        assert "PCR 2015 reg 49" in body
        assert [r.stage.kind for r in response.context["row"].stages][:2] == ["requirements", "market-engagement"]

    def test_schedules_back_from_the_end_with_a_named_option(self, signed_in, make_procurement, contract):
        procurement = make_procurement(replaces_end_option=contract.options.get())
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        response = client.get(f"/procurements/{procurement.pk}/?as_at=2019-05-23")
        assert response.context["row"].replaces_end == date(2022, 3, 31)
        assert "with option 1 exercised" in response.content.decode()

    def test_an_unknown_procurement_is_not_found(self, signed_in):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        assert client.get("/procurements/999/").status_code == 404


class TestForms:
    def test_an_empty_form_names_each_missing_field(self, signed_in, contract):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        response = client.post("/procurements/new/", {})
        body = response.content.decode()
        assert response.status_code == 200
        assert "There is a problem" in body
        for message in (
            "Enter the reference",
            "Enter the start date",
            "Select the route to market",
            "Select at least one contract the procurement replaces",
        ):
            assert message in body
        assert 'href="#id_replaces"' in body and 'id="id_replaces"' in body

    def test_a_route_of_the_other_regime_is_reported_against_the_route(self, signed_in, contract):
        client, _ = signed_in(Role.PROGRAMME_DIRECTOR)
        response = client.post(
            "/procurements/new/",
            {
                "reference": "P-9",
                "title": "Networks",
                "starts_on": "2019-09-02",
                "route": "competitive-flexible",
                "replaces": [contract.pk],
                "annual_value": "500000",
                "value_vat_basis": "net",
                "term_months": "36",
                "extension_months": "0",
                "authority_kind": "sub-central",
                "contract_type": "services",
            },
        )
        assert response.status_code == 200
        assert (
            "Under the Public Contracts Regulations 2015 the route to market is one of"
            in response.context["form"].errors["route"][0]
        )

    def test_creates_a_procurement_and_shows_it(self, signed_in, contract):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        response = client.post(
            "/procurements/new/",
            {
                "reference": "P-10",
                "title": "Networks",
                "starts_on": "2025-03-03",
                "route": "competitive-flexible",
                "replaces": [contract.pk],
                "replaces_end_option": contract.options.get().pk,
                "annual_value": "500000",
                "value_vat_basis": "net",
                "term_months": "36",
                "extension_months": "12",
                "authority_kind": "sub-central",
                "contract_type": "services",
            },
        )
        procurement = Procurement.objects.get(reference="P-10")
        assert response.status_code == 302 and response.url == f"/procurements/{procurement.pk}/"
        assert procurement.regime == "PA2023"
        assert procurement.stages.filter(kind="participation-period").exists()

    def test_edits_a_stage_duration_and_refuses_one_under_the_minimum(self, signed_in, make_procurement):
        procurement = make_procurement()
        tender = procurement.stages.get(kind="tender-period")
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        url = f"/procurements/{procurement.pk}/stages/{tender.pk}/"
        refused = client.post(url, {"days": "20"})
        assert refused.status_code == 200
        assert "at least 30 days, the statutory minimum" in refused.content.decode()
        assert client.post(url, {"days": "40"}).status_code == 302
        tender.refresh_from_db()
        assert tender.days == 40

    def test_the_standstill_has_no_duration_page(self, signed_in, make_procurement):
        procurement = make_procurement()
        standstill = procurement.stages.get(kind="standstill")
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        assert client.get(f"/procurements/{procurement.pk}/stages/{standstill.pk}/").status_code == 404


class TestPermissions:
    @pytest.mark.parametrize("role", [Role.SUPPLIER_USER])
    def test_supplier_users_never_see_a_procurement(self, signed_in, make_procurement, role):
        procurement = make_procurement()
        client, _ = signed_in(role)
        for path in ("/procurements/", f"/procurements/{procurement.pk}/", "/procurements/new/"):
            assert client.get(path).status_code == 403, path

    @pytest.mark.parametrize("role", [Role.FINANCE, Role.LEGAL, Role.EVALUATOR, Role.APPROVER, Role.AUDITOR])
    def test_other_staff_read_but_cannot_change(self, signed_in, make_procurement, role):
        procurement = make_procurement()
        stage = procurement.stages.get(kind="evaluation")
        client, _ = signed_in(role)
        assert client.get(f"/procurements/{procurement.pk}/").status_code == 200
        assert client.post(f"/procurements/{procurement.pk}/stages/{stage.pk}/", {"days": "60"}).status_code == 403
        stage.refresh_from_db()
        assert stage.days == 30

    @pytest.mark.parametrize("role", [Role.COMMERCIAL_OFFICER, Role.PROGRAMME_DIRECTOR])
    def test_commercial_officers_and_programme_directors_change(self, signed_in, make_procurement, role):
        procurement = make_procurement()
        client, _ = signed_in(role)
        assert client.get(f"/procurements/{procurement.pk}/edit/").status_code == 200
        assert b"Edit procurement" in client.get(f"/procurements/{procurement.pk}/").content

    def test_the_nav_shows_procurements_to_staff_only(self, signed_in, make_procurement):
        staff, _ = signed_in(Role.FINANCE)
        assert b'href="/procurements/"' in staff.get("/towers/").content
        staff.logout()
        supplier, _ = signed_in(Role.SUPPLIER_USER, username="s")
        assert b'href="/procurements/"' not in supplier.get("/towers/").content


class TestDashboard:
    def test_the_dashboard_lists_procurements_needing_attention(self, signed_in, make_procurement):
        make_procurement(starts_on=date(2020, 6, 1))
        make_procurement(reference="PROC-2", title="On track", starts_on=date(2019, 9, 2))
        client, _ = signed_in(Role.PROGRAMME_DIRECTOR)
        response = client.get("/dashboard/?as_at=2020-05-01")
        flagged = response.context["procurements"]["flagged"]
        assert [row.procurement.reference for row in flagged] == ["PROC-1"]
        assert response.context["procurements"]["total"] == 2
        html = response.content.decode()
        assert "Procurements needing attention" in html
        assert "Latest start passed" in html

    def test_the_dashboard_says_when_every_procurement_is_on_track(self, signed_in, make_procurement):
        make_procurement()
        response = signed_in(Role.FINANCE)[0].get("/dashboard/?as_at=2019-05-23")
        assert response.context["procurements"]["flagged"] == []
        assert "All 1 procurement on track" in response.content.decode()


def _pipeline_row(body: str, reference: str) -> dict[str, str]:
    """The pipeline row of a procurement as {column header: cell text}."""
    import html
    import re

    def text(fragment: str) -> str:
        return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())

    table = re.search(r'<table class="govuk-table" data-testid="pipeline">.*?</table>', body, re.S).group(0)
    headers = [text(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", table, re.S)]
    for row in re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', table.split("<tbody", 1)[1], re.S):
        cells = [text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        if cells and cells[0].startswith(reference):
            return dict(zip(headers, cells, strict=True))
    raise AssertionError(f"{reference} is not in the pipeline")


class TestPipelineColumnsSayWhichStage:
    def test_the_go_to_market_dates_are_both_of_the_market_notice_stage(self, signed_in, demo):
        """PEG-2019-01 goes to market 2 Sep 2019 and must by 19 Nov 2019; the requirements' latest start (27 Aug 2019)
        is not shown beside it as if it were the same stage's."""
        from pegasus.procurement.demo import procurements_demo_load

        procurements_demo_load()
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        response = client.get("/procurements/?as_at=2019-05-23")
        row = _pipeline_row(response.content.decode(), "PEG-2019-01")
        assert row["Goes to market: planned"] == "2 Sep 2019"
        assert row["Goes to market: latest"] == "19 Nov 2019"
        assert "27 Aug 2019" not in " ".join(row.values())

    def test_the_slack_shown_names_the_stage_it_is_of_and_the_status_follows_it(self, signed_in, demo):
        """The least slack (73 days) is of contract signature, and the status is on track because it is not negative."""
        from pegasus.procurement.demo import procurements_demo_load

        procurements_demo_load()
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        response = client.get("/procurements/?as_at=2019-05-23")
        row = _pipeline_row(response.content.decode(), "PEG-2019-01")
        assert row["Least slack (days)"] == "73 Contract signature"
        assert row["Status"] == "On track"

    def test_a_procurement_planned_after_a_latest_start_shows_negative_slack_and_is_at_risk(self, signed_in, demo):
        """Planned to go to market after its latest day to do so: the dates, the slack and the status agree."""
        from pegasus.procurement.demo import procurements_demo_load

        procurements_demo_load()
        Procurement.objects.filter(reference="PEG-2019-01").update(starts_on=date(2019, 9, 30))
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        response = client.get("/procurements/?as_at=2019-05-23")
        row = _pipeline_row(response.content.decode(), "PEG-2019-01")
        planned, latest = (date_of(row[k]) for k in ("Goes to market: planned", "Goes to market: latest"))
        assert planned > latest
        assert int(row["Least slack (days)"].split()[0]) < 0
        assert "At risk" in row["Status"] and "On track" not in row["Status"]


def date_of(text: str) -> date:
    from datetime import datetime

    return datetime.strptime(text, "%d %b %Y").date()
