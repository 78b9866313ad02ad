"""Business cases: versions that are never changed, the options appraisal, approval only by the decision the scheme's
clause 4.8 routes, the pages as at a day, who may read and who may edit, and the demo's OBC and FBCs."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from pegasus.core.calendar import LONDON_ZONE
from pegasus.core.exceptions import InvalidTransition
from pegasus.core.models import AuditEvent
from pegasus.core.roles import Role
from pegasus.governance.models import Decision
from pegasus.programme.models import BusinessCase, CaseVersion, OptionYear, Programme
from pegasus.programme.selectors import cases as selectors
from pegasus.programme.services import cases as services
from pegasus.programme.services.cases import YearRow

pytestmark = pytest.mark.django_db

DMPC = "Deputy Mayor for Policing and Crime"
DELEGATED_OFFICER = "Delegated officer (MPS Chief Financial Officer)"
D = Decimal


def _on(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=LONDON_ZONE)


@pytest.fixture
def director(make_user):
    return make_user(Role.PROGRAMME_DIRECTOR, username="the-director")


@pytest.fixture
def programme():
    return Programme.objects.create(code="PEGASUS", name="Pegasus Programme")


@pytest.fixture
def case(programme, director):
    return services.case_create(
        programme=programme,
        reference="PEG-OBC",
        title="Next generation of ICT contracts",
        stage=BusinessCase.Stage.OBC,
        value=D("6700000.00"),
        sections={"strategic": "The contracts end in two to three years.", "economic": "Options follow."},
        note="First draft",
        by=director,
        on=_on(date(2019, 4, 15)),
    )


def decision(director, *, reference="PCD 579", status="approved", kind="business-case", office=DMPC, day=None):
    day = day or date(2019, 6, 10)
    return Decision.objects.create(
        reference=reference,
        title="Pegasus Programme",
        decision_type=kind,
        executive_summary="Mobilise the programme.",
        value=D("6700000.00"),
        originating_officer=director,
        status=status,
        approver_office=office,
        approver_clause="4.8",
        decided_at=_on(day) if status == "approved" else None,
    )


def appraised(case, director):
    """A short list of three and a dropped option: A (NPV 10,000), B (5,000) and C (999)."""
    for name, years, bau in (
        ("Business as usual", [YearRow(0, D(5000), D(0)), YearRow(1, D(0), D(10350))], True),
        ("Option A", [YearRow(0, D(10000), D(0)), YearRow(1, D(0), D(20700))], False),
        ("Option C", [YearRow(0, D(1), D(0)), YearRow(1, D(0), D(1035))], False),
    ):
        option = services.option_save(case=case, name=name, business_as_usual=bau, by=director)
        services.option_years_set(option=option, years=years, by=director)
    services.option_save(
        case=case, name="Insource", shortlisted=False, dropped_reason="No capability to run it", by=director
    )


class TestApproval:
    """A case is approved only by an approved business-case decision of the approver clause 4.8 names."""

    def test_approved_by_the_dmpc_from_500000(self, case, director):
        approved = services.case_approve(case=case, decision=decision(director), by=director)
        approved.refresh_from_db()
        assert (approved.status, approved.approved_on, approved.approved_version) == ("approved", date(2019, 6, 10), 1)
        assert approved.decision.reference == "PCD 579"
        assert AuditEvent.objects.filter(action="programme.case-approve", object_id=str(case.pk)).exists()

    def test_the_approved_version_is_the_latest(self, case, director):
        services.case_version_add(case=case, sections={"financial": "£6.7m over two years."}, note="v2", by=director)
        approved = services.case_approve(case=case, decision=decision(director), by=director)
        assert approved.approved_version == 2

    def test_below_500000_the_delegated_officer_approves(self, case, director):
        BusinessCase.objects.filter(pk=case.pk).update(value=D("499999.99"))
        case.refresh_from_db()
        officer = decision(director, office=DELEGATED_OFFICER)
        assert services.case_approve(case=case, decision=officer, by=director).status == "approved"

    def test_below_500000_the_dmpc_is_not_the_approver_the_scheme_names(self, case, director):
        BusinessCase.objects.filter(pk=case.pk).update(value=D("499999.99"))
        case.refresh_from_db()
        with pytest.raises(ValidationError) as caught:
            services.case_approve(case=case, decision=decision(director), by=director)
        assert "names Delegated officer (MPS Chief Financial Officer)" in caught.value.message_dict["decision"][0]

    def test_refused_without_a_decision(self, case, director):
        with pytest.raises(ValidationError) as caught:
            services.case_approve(case=case, decision=None, by=director)
        assert "decision" in caught.value.message_dict

    @pytest.mark.parametrize("status", ["draft", "submitted", "rejected"])
    def test_refused_with_a_decision_not_approved(self, case, director, status):
        with pytest.raises(ValidationError) as caught:
            services.case_approve(case=case, decision=decision(director, status=status), by=director)
        assert "only an approved decision approves a business case" in caught.value.message_dict["decision"][0]
        case.refresh_from_db()
        assert (case.status, case.decision_id, case.approved_on) == ("draft", None, None)

    def test_refused_with_a_decision_of_another_type(self, case, director):
        strategy = decision(director, kind="procurement-strategy")
        with pytest.raises(ValidationError) as caught:
            services.case_approve(case=case, decision=strategy, by=director)
        assert "a business-case decision" in caught.value.message_dict["decision"][0]

    def test_refused_with_the_wrong_approver(self, case, director):
        with pytest.raises(ValidationError) as caught:
            services.case_approve(case=case, decision=decision(director, office=DELEGATED_OFFICER), by=director)
        message = caught.value.message_dict["decision"][0]
        assert "names Deputy Mayor for Policing and Crime under clause 4.8" in message
        assert not AuditEvent.objects.filter(action="programme.case-approve").exists()

    def test_an_approved_case_is_not_approved_again(self, case, director):
        services.case_approve(case=case, decision=decision(director), by=director)
        with pytest.raises(InvalidTransition, match="only a draft business case changes"):
            services.case_approve(case=case, decision=decision(director, reference="PCD 580"), by=director)

    def test_a_withdrawn_case_is_not_approved(self, case, director):
        services.case_withdraw(case=case, reason="Superseded", by=director)
        with pytest.raises(InvalidTransition):
            services.case_approve(case=case, decision=decision(director), by=director)


class TestVersions:
    """An edit of the five cases is a new version; earlier versions are never changed."""

    def test_an_edit_is_a_new_version_and_the_old_one_is_kept(self, case, director):
        first = case.versions.get()
        before = {f: getattr(first, f) for f in ("strategic", "economic", "commercial", "note", "created_at")}
        second = services.case_version_add(
            case=case,
            sections={"strategic": "Rewritten.", "commercial": "Go to market in September 2019."},
            note="After market engagement",
            by=director,
        )
        assert second.number == 2
        assert (second.strategic, second.economic, second.commercial) == (
            "Rewritten.",
            "Options follow.",  # a section not given is carried over
            "Go to market in September 2019.",
        )
        first.refresh_from_db()
        assert {f: getattr(first, f) for f in before} == before
        assert list(case.versions.values_list("number", flat=True)) == [1, 2]

    def test_a_version_with_no_change_is_refused(self, case, director):
        with pytest.raises(ValidationError, match="Nothing has changed since version 1"):
            services.case_version_add(case=case, sections={}, note="Nothing", by=director)
        assert CaseVersion.objects.filter(case=case).count() == 1

    def test_an_approved_case_takes_no_new_version(self, case, director):
        services.case_approve(case=case, decision=decision(director), by=director)
        with pytest.raises(InvalidTransition):
            services.case_version_add(case=case, sections={"strategic": "Late change"}, note="x", by=director)


class TestOptions:
    def test_a_dropped_option_says_why(self, case, director):
        with pytest.raises(ValidationError) as caught:
            services.option_save(case=case, name="Insource", shortlisted=False, by=director)
        assert "dropped_reason" in caught.value.message_dict

    def test_one_business_as_usual(self, case, director):
        services.option_save(case=case, name="Business as usual", business_as_usual=True, by=director)
        with pytest.raises(ValidationError) as caught:
            services.option_save(case=case, name="Re-let", business_as_usual=True, by=director)
        assert "already has its business-as-usual option" in caught.value.message_dict["business_as_usual"][0]

    def test_years_are_checked_naming_the_option_and_year(self, case, director):
        option = services.option_save(case=case, name="Option A", by=director)
        with pytest.raises(ValidationError) as caught:
            services.option_years_set(
                option=option, years=[YearRow(3, D(1), D(0)), YearRow(3, D(2), D(0))], by=director
            )
        assert caught.value.message_dict["years"] == ["option 'Option A': year 3 is given twice"]
        with pytest.raises(ValidationError, match="year 1: costs must be £0.00 or more"):
            services.option_years_set(option=option, years=[YearRow(1, D(-1), D(0))], by=director)
        assert not OptionYear.objects.filter(option=option).exists()

    def test_years_are_replaced(self, case, director):
        option = services.option_save(case=case, name="Option A", by=director)
        services.option_years_set(option=option, years=[YearRow(0, D(1), D(2)), YearRow(1, D(3), D(4))], by=director)
        services.option_years_set(option=option, years=[YearRow(5, D(7), D(8))], by=director)
        assert list(option.years.values_list("year", "costs", "benefits")) == [(5, D(7), D(8))]

    def test_an_approved_cases_options_do_not_change(self, case, director):
        services.case_approve(case=case, decision=decision(director), by=director)
        with pytest.raises(InvalidTransition):
            services.option_save(case=case, name="Late option", by=director)

    def test_a_sourcing_scenario_comes_in_with_its_modelled_cost_a_year(self, demo, case, director):
        from pegasus.sourcing.demo import BASELINE, sourcing_demo_load
        from pegasus.sourcing.models import Scenario
        from pegasus.sourcing.selectors import scenario_view

        sourcing_demo_load(optimise=False)
        scenario = Scenario.objects.get(name=BASELINE)
        total = scenario_view(scenario).figures.total
        option = services.options_from_scenario(
            case=case, scenario=scenario, last_year=4, optimism_bias_percent=D(20), by=director
        )
        assert option.scenario == scenario and option.shortlisted and option.optimism_bias_percent == 20
        assert list(option.years.values_list("year", "costs", "benefits")) == [
            (t, total.quantize(D("0.01")), D(0)) for t in range(5)
        ]

    def test_a_scenario_for_more_than_30_years_is_refused(self, demo, case, director):
        from pegasus.sourcing.demo import BASELINE, sourcing_demo_load
        from pegasus.sourcing.models import Scenario

        sourcing_demo_load(optimise=False)
        with pytest.raises(ValidationError) as caught:
            services.options_from_scenario(
                case=case, scenario=Scenario.objects.get(name=BASELINE), last_year=31, by=director
            )
        assert "last_year" in caught.value.message_dict


class TestAppraisalOfACase:
    def test_short_list_ranked_with_preferred_and_switching_values(self, case, director):
        appraised(case, director)
        found = selectors.case_appraisal(case)
        assert [o.name for o in found.long_list] == ["Business as usual", "Option A", "Option C", "Insource"]
        assert [o.name for o in found.dropped] == ["Insource"]
        assert [(line.option.name, line.result.rank, line.result.npv) for line in found.short_list] == [
            ("Option A", 1, D("10000.00")),
            ("Business as usual", 2, D("5000.00")),
            ("Option C", 3, D("999.00")),
        ]
        assert found.preferred == "Option A"
        assert found.switching[2].sentence() == (
            "Business as usual's costs would have to fall by £5,000.00 (100.0%) for it to match Option A"
        )


class TestAsAt:
    """A case as it stood on a day: written by then, approved only once its decision had approved it."""

    def test_not_listed_before_its_first_version(self, case):
        assert selectors.case_list(as_at=date(2019, 4, 14)) == []
        assert [r.case.reference for r in selectors.case_list(as_at=date(2019, 4, 15))] == ["PEG-OBC"]

    def test_awaiting_its_decision_until_the_day_it_was_taken(self, case, director):
        services.case_approve(case=case, decision=decision(director), by=director)
        before = selectors.case_detail(pk=case.pk, as_at=date(2019, 5, 23))
        on = selectors.case_detail(pk=case.pk, as_at=date(2019, 6, 10))
        assert (before.row.status.code, before.row.approved_version) == ("awaiting", None)
        assert (on.row.status.code, on.row.approved_version) == ("approved", 1)

    def test_a_draft_until_the_version_its_decision_approved_was_written(self, case, director):
        services.case_version_add(
            case=case, sections={"strategic": "v2"}, note="v2", by=director, on=_on(date(2019, 5, 13))
        )
        services.case_approve(case=case, decision=decision(director), by=director)
        assert selectors.case_detail(pk=case.pk, as_at=date(2019, 5, 12)).row.status.code == "draft"
        assert selectors.case_detail(pk=case.pk, as_at=date(2019, 5, 13)).row.status.code == "awaiting"

    def test_versions_written_by_the_day(self, case, director):
        services.case_version_add(
            case=case, sections={"strategic": "v2"}, note="v2", by=director, on=_on(date(2019, 5, 13))
        )
        early = selectors.case_detail(pk=case.pk, as_at=date(2019, 5, 1))
        late = selectors.case_detail(pk=case.pk, as_at=date(2019, 5, 23))
        asked = selectors.case_detail(pk=case.pk, as_at=date(2019, 5, 23), version=1)
        assert [v.number for v in early.row.versions] == [1] and early.version.number == 1
        assert late.version.number == 2 and asked.version.number == 1
        # A version not yet written by the day is not shown even when asked for.
        assert selectors.case_detail(pk=case.pk, as_at=date(2019, 5, 1), version=2).version.number == 1

    def test_withdrawn_from_the_day_it_was_withdrawn(self, case, director):
        services.case_withdraw(case=case, reason="Superseded by the FBC", by=director)
        today = selectors.london_day(selectors.end_of(date.today()))
        assert selectors.case_list(as_at=today)[0].status.code == "withdrawn"
        assert selectors.case_list(as_at=date(2019, 5, 23))[0].status.code == "draft"

    def test_the_list_takes_a_fixed_number_of_queries(self, case, programme, director, django_assert_max_num_queries):
        for n in range(3):
            services.case_create(
                programme=programme,
                reference=f"PEG-FBC-{n}",
                title="FBC",
                stage="FBC",
                value=D(1),
                by=director,
                on=_on(date(2019, 5, 20)),
            )
        with django_assert_max_num_queries(3):
            rows = selectors.case_list(as_at=date(2019, 5, 23))
        assert [r.case.reference for r in rows] == ["PEG-OBC", "PEG-FBC-0", "PEG-FBC-1", "PEG-FBC-2"]


class TestPages:
    READERS = [Role.PROGRAMME_DIRECTOR, Role.COMMERCIAL_OFFICER, Role.FINANCE, Role.LEGAL, Role.APPROVER, Role.AUDITOR]

    @pytest.mark.parametrize("role", READERS)
    def test_readers_see_the_appraisal(self, role, signed_in, case, director):
        appraised(case, director)
        client, _ = signed_in(role)
        response = client.get(f"/programme/cases/{case.pk}/?as_at=2019-05-23")
        assert response.status_code == 200
        body = response.content.decode()
        assert "The preferred option is <strong>Option A</strong>" in body
        assert (
            "Business as usual&#x27;s costs would have to fall by £5,000.00 (100.0%) for it to match Option A" in body
        )
        assert "No capability to run it" in body
        assert ("Edit the five cases" in body) is (role == Role.PROGRAMME_DIRECTOR)

    @pytest.mark.parametrize("role", [Role.EVALUATOR, Role.SUPPLIER_USER])
    def test_evaluators_and_suppliers_see_nothing(self, role, signed_in, case):
        client, _ = signed_in(role)
        assert client.get("/programme/cases/").status_code == 403
        assert client.get(f"/programme/cases/{case.pk}/").status_code == 403

    @pytest.mark.parametrize("role", [Role.AUDITOR, Role.APPROVER, Role.COMMERCIAL_OFFICER])
    def test_readers_cannot_write(self, role, signed_in, case, director):
        client, _ = signed_in(role)
        response = client.post(f"/programme/cases/{case.pk}/approve/", {"decision": decision(director).pk})
        assert response.status_code == 403
        case.refresh_from_db()
        assert case.status == "draft"

    def test_the_version_asked_for_is_shown(self, signed_in, case, director):
        services.case_version_add(case=case, sections={"strategic": "The second text."}, note="v2", by=director)
        client, _ = signed_in(Role.AUDITOR)
        assert "The second text." in client.get(f"/programme/cases/{case.pk}/").content.decode()
        first = client.get(f"/programme/cases/{case.pk}/?version=1").content.decode()
        assert "The contracts end in two to three years." in first and "The second text." not in first

    def test_the_director_adds_a_version_through_the_page(self, signed_in, case):
        client, _ = signed_in(Role.PROGRAMME_DIRECTOR)
        data = {name: "" for name in ("strategic", "economic", "commercial", "financial", "management")}
        data |= {"strategic": "New strategy.", "note": "Rewritten"}
        response = client.post(f"/programme/cases/{case.pk}/edit/", data)
        assert response.status_code == 302
        assert list(case.versions.values_list("number", "strategic")) == [
            (1, "The contracts end in two to three years."),
            (2, "New strategy."),
        ]

    def test_the_director_approves_through_the_page_and_a_refusal_shows_on_the_field(self, signed_in, case, director):
        client, _ = signed_in(Role.PROGRAMME_DIRECTOR)
        wrong = decision(director, reference="PCD 600", office=DELEGATED_OFFICER)
        response = client.post(f"/programme/cases/{case.pk}/approve/", {"decision": wrong.pk})
        assert response.status_code == 200
        assert "names Deputy Mayor for Policing and Crime under clause 4.8" in response.content.decode()
        right = decision(director)
        response = client.post(f"/programme/cases/{case.pk}/approve/", {"decision": right.pk})
        assert response.status_code == 302
        case.refresh_from_db()
        assert (case.status, case.decision_id) == ("approved", right.pk)

    def test_a_bad_line_of_years_is_named(self, signed_in, case, director):
        option = services.option_save(case=case, name="Option A", by=director)
        client, _ = signed_in(Role.PROGRAMME_DIRECTOR)
        response = client.post(
            f"/programme/cases/{case.pk}/options/{option.pk}/years/", {"years": "0, 100, 0\n1, lots, 0"}
        )
        assert response.status_code == 200
        assert "Line 2: the costs must be an amount in pounds" in response.content.decode()
        response = client.post(
            f"/programme/cases/{case.pk}/options/{option.pk}/years/", {"years": "0, 100, 0\n0, 5, 0"}
        )
        assert "year 0 is given twice" in response.content.decode()
        response = client.post(
            f"/programme/cases/{case.pk}/options/{option.pk}/years/", {"years": "0, 100, 0\n1, £1035, 2070"}
        )
        assert response.status_code == 302
        assert list(option.years.values_list("year", "costs", "benefits")) == [(0, D(100), D(0)), (1, D(1035), D(2070))]

    def test_the_director_creates_a_case(self, signed_in, programme):
        client, _ = signed_in(Role.PROGRAMME_DIRECTOR)
        response = client.post(
            "/programme/cases/new/",
            {"reference": "PEG-SOC", "title": "Strategy", "stage": "SOC", "value": "250000", "strategic": "Why."},
        )
        assert response.status_code == 302
        created = BusinessCase.objects.get(reference="PEG-SOC")
        assert created.versions.get().strategic == "Why."


class TestDemo:
    def test_the_obc_awaits_pcd_579_on_23_may_and_is_approved_by_it_on_10_june(self, demo):
        from pegasus.governance.demo import decisions_demo_load
        from pegasus.procurement.demo import procurements_demo_load
        from pegasus.programme.demo import programme_demo_load

        decisions_demo_load()
        procurements_demo_load()
        first = programme_demo_load()
        again = programme_demo_load()
        assert first["business_cases"] == 3 and again["business_cases"] == 0
        obc = BusinessCase.objects.get(reference="PEG-OBC")
        assert (obc.value, obc.decision.reference, obc.approved_on) == (D("6700000.00"), "PCD 579", date(2019, 6, 10))
        rows = {r.case.reference: r for r in selectors.case_list(as_at=date(2019, 5, 23))}
        assert set(rows) == {"PEG-OBC", "PEG-FBC-1", "PEG-FBC-2"}
        assert rows["PEG-OBC"].status.code == "awaiting"
        assert rows["PEG-FBC-1"].status.code == rows["PEG-FBC-2"].status.code == "draft"
        assert rows["PEG-FBC-1"].case.procurement.reference == "PEG-2019-01"
        found = selectors.case_appraisal(obc)
        assert found.preferred == "SIAM with towers"
        assert {o.name for o in found.dropped} == {"Insource everything"}
        assert [o.business_as_usual for o in found.long_list].count(True) == 1
        assert selectors.case_detail(pk=obc.pk, as_at=date(2019, 6, 10)).row.status.code == "approved"


class TestUnappraised:
    def test_a_short_listed_option_with_no_years_is_not_appraised(self, case, director):
        appraised(case, director)
        services.option_save(case=case, name="Not costed yet", by=director)
        found = selectors.case_appraisal(case)
        assert "Not costed yet" not in [line.option.name for line in found.short_list]
        assert found.preferred == "Option A"
        assert [o.name for o in found.long_list if o.pk in found.unappraised] == ["Not costed yet"]

    def test_the_director_brings_a_scenario_in_through_the_page(self, demo, signed_in, case):
        from pegasus.sourcing.demo import BASELINE, sourcing_demo_load
        from pegasus.sourcing.models import Scenario

        sourcing_demo_load(optimise=False)
        scenario = Scenario.objects.get(name=BASELINE)
        client, _ = signed_in(Role.PROGRAMME_DIRECTOR)
        response = client.post(
            f"/programme/cases/{case.pk}/options/from-scenario/",
            {"scenario": scenario.pk, "last_year": "2", "optimism_bias_percent": "24", "name": ""},
        )
        assert response.status_code == 302
        option = case.options.get(scenario=scenario)
        assert (option.name, option.years.count(), option.optimism_bias_percent) == (BASELINE, 3, D(24))
        page = client.get(f"/programme/cases/{case.pk}/").content.decode()
        assert "Brought in from the sourcing scenario" in page and "The preferred option is" in page


class TestCaseEdit:
    def test_a_drafts_title_and_value_change_and_are_audited(self, case, director):
        services.case_edit(case=case, title="Renamed", value=D("7000000.00"), by=director)
        case.refresh_from_db()
        assert (case.title, case.value) == ("Renamed", D("7000000.00"))
        assert AuditEvent.objects.filter(action="programme.case-edit", object_id=str(case.pk)).exists()

    def test_an_approved_case_is_not_edited(self, case, director):
        services.case_approve(case=case, decision=decision(director), by=director)
        with pytest.raises(InvalidTransition):
            services.case_edit(case=case, title="Renamed", value=D(1), by=director)


@pytest.mark.parametrize("path", ["/programme/cases/", "/programme/cases/{pk}/"])
@pytest.mark.parametrize(
    ("as_at", "message"),
    [
        ("9999-12-31", "enter a date from 01 January 1990 to 31 December 2100"),
        ("2019-02-30", "Enter the as-at date as a real date"),
    ],
)
def test_an_as_at_date_out_of_range_or_not_a_date_is_explained(signed_in, case, path, as_at, message):
    client, _ = signed_in(Role.AUDITOR)

    response = client.get(path.format(pk=case.pk) + f"?as_at={as_at}")

    assert response.status_code == 200
    assert message in response.content.decode()
