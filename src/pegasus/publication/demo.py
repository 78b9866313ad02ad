"""The market view's demonstration: real Contracts Finder and Sell2Wales releases, where the machine holds them.

They are public data read from `PEGASUS_SHARED_DATA` (by default `../shared/data` beside the project), never copied
into the project. A machine without them gets an empty market view and a page that says how to import.
"""

import os
from pathlib import Path

from django.conf import settings

from pegasus.publication import market, services
from pegasus.publication.models import MarketRelease

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
