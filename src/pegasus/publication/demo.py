"""The market view's demonstration: real Contracts Finder and Sell2Wales releases, where the machine holds them.

They are public data read from `PEGASUS_SHARED_DATA` (by default `../shared/data` beside the project), never copied
into the project. A machine without them gets an empty market view and a page that says how to import.

And the post-award notices of the estate demo's changes, each drafted by the commercial officer, checked by legal
and published: the modification notice of the variation that needs one, the UK11 of the termination at the end of
transition, and a UK9 of the largest contract from its KPIs' figures. A change the demo does not hold is skipped.
"""

import os
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model

from pegasus.core.clock import london_instant, story_at
from pegasus.estate.selectors import changes_for_notices, contracts_visible_to
from pegasus.publication import market, selectors, services
from pegasus.publication.models import MarketRelease, Notice

SOURCES = (
    "uk-contracts-finder-bluetail/json_1_1_raw",
    "uk-contracts-finder-cfserver1/EnglishData",
    "uk-contracts-finder-cfserver1/WelshData",
)


def shared_data() -> Path:
    return Path(os.environ.get("PEGASUS_SHARED_DATA", settings.BASE_DIR.parent / "shared" / "data"))


def market_demo_load() -> dict[str, int]:
    """Import the published releases once; files that fail OCDS's checks are set aside and listed on the page."""
    folders = [shared_data() / source for source in SOURCES]
    folders = [folder for folder in folders if folder.is_dir()]
    if not folders or MarketRelease.objects.exists():
        return {"market releases": 0}
    files = market.read_files(folders)
    source = ", ".join(str(folder.relative_to(shared_data())) for folder in folders)
    record = services.market_import(files, by=None, source=source, skip_invalid=True)
    return {"market releases": record.releases_new}


def _user(username: str):
    return get_user_model().objects.filter(username=username).first()


# The performance notice of the year to April 2019 was drafted in the programme's own time (illustrative day); a
# change's notice on the day after the change takes effect. Each is checked and published the day after drafting.
PERFORMANCE_NOTICE_DRAFTED = date(2019, 5, 13)


def _drafted_on(change) -> date:
    return change.effective_on + timedelta(days=1)


def _publish(notice: Notice, drafter, checker, drafted_on: date) -> None:
    with story_at(london_instant(drafted_on + timedelta(days=1), 11)):
        services.notice_check(notice=notice, by=checker)
    with story_at(london_instant(drafted_on + timedelta(days=1), 15)):
        services.notice_publish(notice=notice, by=drafter)


def notices_demo_load() -> dict[str, int]:
    """Draft, check and publish the notices the demo's changes call for, once: a change or contract that already
    has a notice is left as it is."""
    drafter, checker = _user("commercial"), _user("legal")
    if drafter is None or checker is None:
        return {"notices": 0}
    made = 0
    noticed = set(Notice.objects.exclude(change=None).values_list("change_id", flat=True))
    for change in changes_for_notices():
        if change.pk in noticed:
            continue
        kind, _ = selectors.notice_kind_for_change(change)
        wanted = kind == "PCR-MOD" and change.ground == "additional"
        wanted = wanted or (kind == "UK11" and change.state == "effective")
        if wanted:
            with story_at(london_instant(_drafted_on(change), 10)):
                notice = services.notice_draft_from_change(change=change, by=drafter)
            _publish(notice, drafter, checker, _drafted_on(change))
            made += 1
    largest = contracts_visible_to(drafter).order_by("-total_value", "reference").first()
    if largest is not None and not Notice.objects.filter(contract=largest, kind="UK9").exists():
        assessments = selectors.contract_assessments(largest)
        if assessments is not None and assessments.items:
            with story_at(london_instant(PERFORMANCE_NOTICE_DRAFTED, 10)):
                notice = _performance_notice_draft(largest, assessments, drafter)
            _publish(notice, drafter, checker, PERFORMANCE_NOTICE_DRAFTED)
            made += 1
    return {"notices": made}


def _performance_notice_draft(largest, assessments, drafter) -> Notice:
    return services.notice_draft_performance(
        contract=largest,
        period_start=assessments.period_start,
        period_end=assessments.period_end,
        assessments=assessments.items,
        # A KPI with no figures in the period is rated from what the commercial team knows of it.
        ratings={str(item["kpi"]): "Approaching target" for item in assessments.items if not item["rating"]},
        by=drafter,
    )
