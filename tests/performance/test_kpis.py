"""Contract KPIs (Procurement Act 2023 s52): set, changed and removed by the roles that may, refused with a message on
the field, rated from the same figures as the scorecard, and the s52(1) warning for a contract over £5 million."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from pegasus.core.models import AuditEvent
from pegasus.core.roles import Role
from pegasus.estate.demo import SUPPLIER_USER_WORKS_FOR, SUPPLIERS
from pegasus.estate.models import Contract, Supplier
from pegasus.performance import selectors, services
from pegasus.performance.demo import TARGETS
from pegasus.performance.models import ContractKpi
from pegasus.performance.rating import Rating
from tests.factories import ContractFactory

pytestmark = pytest.mark.django_db

EUC = "MPS-DP-T1-005"  # Kestrel's end-user computing: every SLA target Inadequate in the demo


def contract_with_sla(total_value=Decimal("6000000.00"), vat_basis="net", priorities=(1, 2)) -> Contract:
    contract = ContractFactory(total_value=total_value, vat_basis=vat_basis)
    services.sla_save(
        contract=contract,
        monthly_charge=Decimal("100000"),
        credit_cap_percent=Decimal("10"),
        targets=[t for t in TARGETS if t.priority in priorities],
        by=None,
    )
    return contract


def refused(excinfo) -> dict[str, list[str]]:
    return {name: [str(next(iter(e))) for e in errors] for name, errors in excinfo.value.error_dict.items()}


class TestKpiServices:
    """A KPI is named once per contract, measures an SLA target the contract has, and is audited and attributed."""

    def test_kpis_are_kept_in_the_order_they_are_set_and_audited(self, make_user):
        # given
        contract = contract_with_sla()
        officer = make_user(Role.COMMERCIAL_OFFICER)

        # when
        first = services.kpi_create(contract=contract, name="Customer satisfaction", by=officer)
        second = services.kpi_create(contract=contract, name="P1 on time", sla_priority=1, by=officer)

        # then
        assert [k.name for k in selectors.kpis_of(contract)] == ["Customer satisfaction", "P1 on time"]
        assert (first.position, second.position) == (1, 2)
        assert AuditEvent.objects.filter(action="kpi.create", actor=officer).count() == 2
        assert second.history.get().history_user == officer

    def test_a_name_already_used_on_the_contract_is_refused_on_the_name(self):
        contract = contract_with_sla()
        services.kpi_create(contract=contract, name="Customer satisfaction", by=None)
        with pytest.raises(ValidationError) as excinfo:
            services.kpi_create(contract=contract, name="customer SATISFACTION ", by=None)
        assert refused(excinfo) == {"name": [services.KPI_NAME_TAKEN.format(name="customer SATISFACTION")]}
        assert ContractKpi.objects.filter(contract=contract).count() == 1

    def test_the_same_name_on_another_contract_is_allowed(self):
        services.kpi_create(contract=contract_with_sla(), name="Customer satisfaction", by=None)
        assert services.kpi_create(contract=contract_with_sla(), name="Customer satisfaction", by=None).pk

    def test_a_priority_the_sla_does_not_have_is_refused_on_the_priority(self):
        contract = contract_with_sla(priorities=(1, 2))
        with pytest.raises(ValidationError) as excinfo:
            services.kpi_create(contract=contract, name="P3", sla_priority=3, by=None)
        message = services.KPI_PRIORITY_NOT_IN_SLA.format(priority=3, priorities="P1, P2")
        assert refused(excinfo) == {"sla_priority": [message]}
        assert not ContractKpi.objects.exists()

    def test_a_priority_without_an_sla_is_refused(self):
        with pytest.raises(ValidationError) as excinfo:
            services.kpi_create(contract=ContractFactory(), name="P1", sla_priority=1, by=None)
        assert refused(excinfo) == {"sla_priority": [services.KPI_NO_SLA]}

    def test_a_priority_already_measured_is_refused(self):
        contract = contract_with_sla()
        services.kpi_create(contract=contract, name="P1 on time", sla_priority=1, by=None)
        with pytest.raises(ValidationError) as excinfo:
            services.kpi_create(contract=contract, name="P1 again", sla_priority=1, by=None)
        assert refused(excinfo) == {"sla_priority": [services.KPI_PRIORITY_TAKEN.format(priority=1, name="P1 on time")]}

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("name", "x" * 121),
            ("name", "Bad\x1b[2J name"),
            ("name", ""),
            ("description", "y" * 2001),
            ("description", "NUL \x00 here"),
        ],
    )
    def test_text_out_of_bounds_is_refused_on_its_field_and_nothing_kept(self, field, value):
        contract = contract_with_sla()
        fields = {"name": "Customer satisfaction", "description": ""} | {field: value}
        with pytest.raises(ValidationError) as excinfo:
            services.kpi_create(contract=contract, by=None, **fields)
        assert set(excinfo.value.error_dict) == {field}
        assert not ContractKpi.objects.exists()

    def test_a_description_may_run_over_lines(self):
        kpi = services.kpi_create(contract=contract_with_sla(), name="CSAT", description="One.\nTwo.", by=None)
        assert kpi.description == "One.\nTwo."

    def test_update_changes_the_kpi_and_keeps_its_own_name_free(self, make_user):
        contract = contract_with_sla()
        kpi = services.kpi_create(contract=contract, name="P1 on time", by=None)
        director = make_user(Role.PROGRAMME_DIRECTOR)

        services.kpi_update(kpi=kpi, name="P1 on time", description="Now linked", sla_priority=1, by=director)

        kpi.refresh_from_db()
        assert (kpi.description, kpi.sla_priority) == ("Now linked", 1)
        event = AuditEvent.objects.get(action="kpi.update")
        assert event.data["before"]["sla_priority"] is None and event.data["after"]["sla_priority"] == 1

    def test_a_refused_update_keeps_the_kpi_as_it_was(self):
        contract = contract_with_sla()
        services.kpi_create(contract=contract, name="Taken", by=None)
        kpi = services.kpi_create(contract=contract, name="Mine", by=None)
        with pytest.raises(ValidationError):
            services.kpi_update(kpi=kpi, name="Taken", description="changed", by=None)
        kpi.refresh_from_db()
        assert (kpi.name, kpi.description) == ("Mine", "")
        assert not AuditEvent.objects.filter(action="kpi.update").exists()

    def test_delete_removes_the_kpi_and_audits_it(self):
        kpi = services.kpi_create(contract=contract_with_sla(), name="CSAT", by=None)
        services.kpi_delete(kpi=kpi, by=None)
        assert not ContractKpi.objects.exists()
        assert AuditEvent.objects.get(action="kpi.delete").data["name"] == "CSAT"
        assert ContractKpi.history.filter(history_type="-").count() == 1


class TestKpisFromSla:
    """Setting KPIs from the SLA adds one per target not yet a KPI, and twice adds nothing."""

    def test_one_kpi_per_target_named_as_the_notice_shows_it(self):
        contract = contract_with_sla(priorities=(1, 2, 3, 4))
        created = services.kpis_from_sla(contract, None)
        assert [k.name for k in created] == [
            "Priority 1 incidents resolved within 4 hours",
            "Priority 2 incidents resolved within 8 hours",
            "Priority 3 incidents resolved within 20 service hours",
            "Priority 4 incidents resolved within 50 service hours",
        ]
        assert [k.sla_priority for k in created] == [1, 2, 3, 4]
        assert created[0].description.startswith("At least 95% of priority 1 incidents resolved each month")

    def test_twice_adds_nothing_and_a_target_already_a_kpi_is_kept(self):
        contract = contract_with_sla(priorities=(1, 2))
        services.kpi_create(contract=contract, name="Customer satisfaction", by=None)
        services.kpi_create(contract=contract, name="Urgent incidents", sla_priority=1, by=None)
        assert [k.sla_priority for k in services.kpis_from_sla(contract, None)] == [2]
        assert services.kpis_from_sla(contract, None) == []
        assert [k.sla_priority for k in selectors.kpis_of(contract)] == [None, 1, 2]

    def test_a_contract_without_an_sla_gets_none(self):
        assert services.kpis_from_sla(ContractFactory(), None) == []


class TestKpisRequired:
    """s52(1): KPIs are required for a contract with an estimated value of more than £5 million (net of VAT)."""

    @pytest.mark.parametrize(
        ("value", "basis", "required"),
        [
            ("5000000.01", "net", True),
            ("5000000.00", "net", False),
            ("5400000.00", "gross", False),  # £4.5 million net
            ("6000000.01", "gross", True),
        ],
    )
    def test_threshold(self, value, basis, required):
        assert selectors.kpis_required(ContractFactory(total_value=Decimal(value), vat_basis=basis)) is required


class TestKpiAssessments:
    """A KPI that is an SLA measure is rated exactly as the scorecard rates that priority; others are not rated."""

    def test_ratings_equal_the_scorecards_on_every_demo_contract(self, performance_demo):
        # given the demo, whose contracts over £5 million have their SLA targets as KPIs
        contracts = Contract.objects.filter(sla__isnull=False).order_by("reference")
        assert performance_demo["kpis"] == 4 * contracts.count()

        for contract in contracts:
            # when
            report = selectors.kpi_assessments(contract)
            _, found, _ = selectors.performance_of([selectors.sla_of(contract)])

            # then
            scorecard = {k.priority: k for k in found[0].kpis}
            assert len(report.items) >= selectors.KPIS_AT_LEAST
            assert (report.period_start, report.period_end) == (date(2018, 5, 1), date(2019, 4, 30))
            for item in report.items:
                kpi = scorecard[item.kpi.sla_priority]
                assert (item.rating, item.attainment, item.target) == (kpi.rating, kpi.attainment, kpi.target)
                assert item.basis == f"P{kpi.priority} resolution, {kpi.resolved:,} tickets, 2018-05 to 2019-04"

    def test_the_failing_contract_is_inadequate_on_every_kpi(self, performance_demo):
        report = selectors.kpi_assessments(Contract.objects.get(reference=EUC))
        assert [i.rating for i in report.items] == [Rating.INADEQUATE] * 4

    def test_a_kpi_that_is_not_an_sla_measure_is_left_to_rate(self, performance_demo):
        contract = Contract.objects.get(reference=EUC)
        services.kpi_create(contract=contract, name="Customer satisfaction", by=None)
        item = selectors.kpi_assessments(contract).items[-1]
        assert (item.rating, item.attainment, item.target) == (None, None, None)
        assert item.basis == selectors.NOT_AN_SLA_MEASURE

    def test_without_ticket_figures_an_sla_kpi_has_its_target_but_no_rating(self):
        contract = contract_with_sla()
        services.kpis_from_sla(contract, None)
        report = selectors.kpi_assessments(contract)
        assert (report.period_start, report.period_end) == (None, None)
        assert [(i.rating, i.target, i.basis) for i in report.items] == [
            (None, Decimal("95.00"), "P1 resolution: no ticket figures yet"),
            (None, Decimal("95.00"), "P2 resolution: no ticket figures yet"),
        ]

    def test_a_kpi_whose_target_left_the_sla_is_left_to_rate(self):
        contract = contract_with_sla(priorities=(1, 2))
        services.kpis_from_sla(contract, None)
        services.sla_save(
            contract=contract,
            monthly_charge=Decimal("100000"),
            credit_cap_percent=Decimal("10"),
            targets=[TARGETS[0]],
            by=None,
        )
        item = selectors.kpi_assessments(contract).items[1]
        assert (item.rating, item.basis) == (None, "P2 is not a target of the contract's SLA: rate it")


def kestrel() -> Supplier:
    return Supplier.objects.get(name=SUPPLIERS[SUPPLIER_USER_WORKS_FOR][0])


class TestKpiPages:
    """The scorecard's KPI section and the pages that set KPIs for the roles that may, on the performance demo made
    once for the class."""

    def test_scorecard_shows_each_kpi_with_its_rating(self, performance_read, signed_in):
        client, _ = signed_in(Role.FINANCE)
        contract = Contract.objects.get(reference=EUC)
        response = client.get(f"/performance/contracts/{contract.pk}/")
        page = response.content.decode()
        assert [i.rating for i in response.context["kpis"].items] == [Rating.INADEQUATE] * 4
        assert "Priority 1 incidents resolved within 4 hours" in page
        assert page.count('<strong class="govuk-tag govuk-tag--red">Inadequate</strong>') >= 8  # scorecard + KPIs
        assert "1 May 2018 to 30 April 2019" in page
        assert 'data-testid="kpi-warning"' not in page
        assert "Add a KPI" not in page  # finance reads only

    def test_editors_see_the_buttons(self, performance_read, signed_in):
        client, _ = signed_in(Role.PROGRAMME_DIRECTOR)
        contract = Contract.objects.get(reference=EUC)
        page = client.get(f"/performance/contracts/{contract.pk}/").content.decode()
        assert "Add a KPI" in page and "Set KPIs from the SLA" in page

    def test_a_commercial_officer_adds_changes_and_removes_a_kpi(self, performance_read, signed_in):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        contract = Contract.objects.get(reference=EUC)
        base = f"/performance/contracts/{contract.pk}/kpis/"

        response = client.post(f"{base}new/", {"name": "Customer satisfaction", "description": "4 of 5"})
        assert response.status_code == 302
        kpi = ContractKpi.objects.get(contract=contract, name="Customer satisfaction")

        response = client.post(f"{base}{kpi.pk}/", {"name": "CSAT", "description": "", "sla_priority": ""})
        assert response.status_code == 302
        kpi.refresh_from_db()
        assert kpi.name == "CSAT"

        assert "Remove the KPI" in client.get(f"{base}{kpi.pk}/remove/").content.decode()
        assert client.post(f"{base}{kpi.pk}/remove/").status_code == 302
        assert not ContractKpi.objects.filter(pk=kpi.pk).exists()

    def test_a_clash_is_shown_on_its_field_and_nothing_kept(self, performance_read, signed_in):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        contract = Contract.objects.get(reference=EUC)
        taken = selectors.kpis_of(contract)[0]
        response = client.post(
            f"/performance/contracts/{contract.pk}/kpis/new/", {"name": taken.name, "sla_priority": "1"}
        )
        assert response.status_code == 200
        form = response.context["form"]
        assert form.errors["name"] == [services.KPI_NAME_TAKEN.format(name=taken.name)]
        assert form.errors["sla_priority"] == [services.KPI_PRIORITY_TAKEN.format(priority=1, name=taken.name)]
        assert ContractKpi.objects.filter(contract=contract).count() == 4

    def test_set_from_the_sla_lists_then_sets_the_missing_targets(self, performance_read, signed_in):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        contract = Contract.objects.get(reference=EUC)
        selectors.kpis_of(contract)[1].delete()
        url = f"/performance/contracts/{contract.pk}/kpis/from-sla/"
        assert client.get(url).context["pending"] == ["Priority 2 incidents resolved within 8 hours"]
        assert client.post(url).status_code == 302
        assert [k.sla_priority for k in selectors.kpis_of(contract)] == [1, 3, 4, 2]
        assert "Every target of the SLA is already a KPI" in client.get(url).content.decode()

    @pytest.mark.parametrize("role", [Role.FINANCE, Role.LEGAL, Role.APPROVER, Role.AUDITOR, Role.EVALUATOR])
    def test_other_roles_are_refused_and_nothing_changes(self, role, performance_read, signed_in):
        client, _ = signed_in(role)
        contract = Contract.objects.get(reference=EUC)
        kpi = selectors.kpis_of(contract)[0]
        base = f"/performance/contracts/{contract.pk}/kpis/"
        assert client.post(f"{base}new/", {"name": "Sneaky"}).status_code == 403
        assert client.post(f"{base}{kpi.pk}/", {"name": "Renamed"}).status_code == 403
        assert client.post(f"{base}{kpi.pk}/remove/").status_code == 403
        assert client.post(f"{base}from-sla/").status_code == 403
        assert ContractKpi.objects.filter(contract=contract).count() == 4
        assert not ContractKpi.objects.filter(name__in=["Sneaky", "Renamed"]).exists()

    def test_a_supplier_user_reads_their_own_kpis_only_and_changes_none(self, performance_read, signed_in):
        client, _ = signed_in(Role.SUPPLIER_USER, supplier=kestrel())
        own = Contract.objects.get(reference=EUC)
        other = Contract.objects.exclude(supplier=kestrel()).filter(sla__isnull=False).first()
        response = client.get(f"/performance/contracts/{own.pk}/")
        assert len(response.context["kpis"].items) == 4 and "Add a KPI" not in response.content.decode()
        assert client.get(f"/performance/contracts/{other.pk}/").status_code == 404
        assert client.post(f"/performance/contracts/{own.pk}/kpis/new/", {"name": "Mine"}).status_code == 403
        assert not ContractKpi.objects.filter(name="Mine").exists()

    def test_a_kpi_of_another_contract_is_not_found(self, performance_read, signed_in):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        one, two = Contract.objects.filter(sla__isnull=False).order_by("pk")[:2]
        kpi = selectors.kpis_of(two)[0]
        assert client.get(f"/performance/contracts/{one.pk}/kpis/{kpi.pk}/").status_code == 404
        assert client.post(f"/performance/contracts/{one.pk}/kpis/{kpi.pk}/remove/").status_code == 404
        assert ContractKpi.objects.filter(pk=kpi.pk).exists()

    def test_the_scorecard_takes_a_fixed_number_of_queries(
        self, performance_read, signed_in, django_assert_max_num_queries
    ):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        contract = Contract.objects.get(reference=EUC)
        for n in range(6):
            services.kpi_create(contract=contract, name=f"Extra {n}", by=None)
        with django_assert_max_num_queries(15):
            assert client.get(f"/performance/contracts/{contract.pk}/").status_code == 200


class TestKpiWarning:
    """The s52 warning on the scorecard of a contract without enough KPIs."""

    def test_the_s52_warning_shows_until_three_kpis_are_set(self, demo, signed_in):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        contract = contract_with_sla(total_value=Decimal("6000000.00"))
        url = f"/performance/contracts/{contract.pk}/"
        for name in ("One", "Two"):
            assert 'data-testid="kpi-warning"' in client.get(url).content.decode()
            services.kpi_create(contract=contract, name=name, by=None)
        assert "at least 3 KPIs must be set" in client.get(url).content.decode()
        services.kpi_create(contract=contract, name="Three", by=None)
        assert 'data-testid="kpi-warning"' not in client.get(url).content.decode()

    def test_no_warning_for_a_contract_of_five_million_or_less(self, demo, signed_in):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        contract = contract_with_sla(total_value=Decimal("5000000.00"))
        page = client.get(f"/performance/contracts/{contract.pk}/").content.decode()
        assert 'data-testid="kpi-warning"' not in page and 'data-testid="no-kpis"' in page
