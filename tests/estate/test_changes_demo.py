"""The demo's contract changes, as issue 16's demonstration asks: PCD 598 extending its contract by its option, a
de-minimis variation and an additional one needing a modification notice, both effective; a variation the rules
refuse (over half the original value) left proposed with their reason; an incumbent's termination at the end of
transition, approved."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from pegasus.core.exceptions import RuleViolation
from pegasus.estate import selectors, services
from pegasus.estate.models import ContractChange
from pegasus.procurement.modification import Notice

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def loaded(module_transaction):
    """Every demo, loaded once for the module through `pegasus demo`."""
    call_command("demo", "--json")


def change(reference: str, kind: str) -> ContractChange:
    return ContractChange.objects.select_related("contract", "decision").get(contract__reference=reference, kind=kind)


def test_pcd_598_is_linked_to_the_option_of_the_contract_it_extends(loaded):
    option = change("MPS-DP-T1-002", "option-exercise")
    assert (option.decision.reference, option.option.sequence, option.state) == ("PCD 598", 2, "proposed")
    assert option.value == Decimal("14000000.00")


def test_a_de_minimis_variation_is_effective_without_notice_and_moves_the_current_value(loaded):
    variation = change("MPS-DP-T1-004", "variation")
    verdict = selectors.change_verdict(variation)
    assert (variation.ground, variation.state, verdict.permitted, verdict.notice) == (
        "de-minimis",
        "effective",
        True,
        Notice.NONE,
    )
    assert variation.approver_office == "Delegated officer (MPS Chief Financial Officer)"
    current = selectors.contract_current(variation.contract, date(2019, 6, 1))
    assert current.current_value == Decimal("52300000.00") + Decimal("95000.00")


def test_an_additional_variation_is_effective_and_needs_a_modification_notice(loaded):
    variation = change("MPS-DP-T1-005", "variation")
    verdict = selectors.change_verdict(variation)
    assert (variation.ground, variation.state, verdict.notice) == (
        "additional",
        "effective",
        Notice.MODIFICATION_NOTICE,
    )


def test_a_variation_over_half_the_original_value_is_refused_and_stays_proposed(loaded, django_user_model):
    variation = change("MPS-DP-T2-102", "variation")
    verdict = selectors.change_verdict(variation)
    assert not verdict.permitted and "exceeds 50% of the original value (£3,175,000.00)" in verdict.reason
    with pytest.raises(RuleViolation, match="do not permit"):
        services.change_approve(change=variation, by=django_user_model.objects.get(username="cfo"))
    variation.refresh_from_db()
    assert variation.state == "proposed"


def test_the_incumbent_replaced_by_the_consolidated_contract_is_terminated_at_the_end_of_transition(loaded):
    termination = change("MPS-DP-T2-103", "termination")
    assert (termination.termination_date, termination.termination_reason, termination.state) == (
        date(2020, 5, 31),
        "break",
        "approved",
    )


def test_loading_the_demo_again_adds_no_change(loaded):
    before = ContractChange.objects.count()
    call_command("demo", "--json")
    assert ContractChange.objects.count() == before


def test_the_contract_page_links_a_changes_notice_or_offers_to_draft_one(loaded, client, django_user_model):
    client.force_login(
        django_user_model.objects.get(username="commercial"), backend="pegasus.core.backends.PegasusBackend"
    )
    noticed = change("MPS-DP-T1-005", "variation")
    page = client.get(f"/contracts/{noticed.contract.pk}/").content.decode()
    notice = noticed.notices.get()
    assert f'href="/notices/{notice.pk}/"' in page and "Modification notice (PCR 2015), published" in page
    assert "?contract=MPS-DP-T1-005" in page
    # a permitted variation that needs a notice, approved and with none yet, offers the draft
    variation = services.change_propose(
        contract=noticed.contract,
        kind="variation",
        reason="More devices.",
        effective_on=date(2019, 8, 1),
        value_change=Decimal("100000.00"),
        ground="additional",
        by=None,
    )
    services.change_approve(change=variation, by=django_user_model.objects.get(username="cfo"))
    page = client.get(f"/contracts/{noticed.contract.pk}/").content.decode()
    assert f'href="/notices/new/?change={variation.pk}"' in page
    reader = django_user_model.objects.get(username="finance")
    client.force_login(reader, backend="pegasus.core.backends.PegasusBackend")
    assert f"?change={variation.pk}" not in client.get(f"/contracts/{noticed.contract.pk}/").content.decode()


def test_the_uk9s_due_of_contracts_awarded_under_pcr_are_folded_away_as_voluntary(loaded, client, django_user_model):
    client.force_login(
        django_user_model.objects.get(username="commercial"), backend="pegasus.core.backends.PegasusBackend"
    )
    page = client.get("/notices/").content.decode()
    assert "with no UK9 in the last 12 months: 0 required by the Procurement Act 2023, the rest voluntary" in page
    assert '<details class="govuk-details" open>' not in page
