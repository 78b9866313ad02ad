"""The market view's reader against hostile OCDS files: a clear rejection naming the file and the line or the JSON
path, never a 500 or a traceback, and nothing stored."""

import io
import json

import pytest

from pegasus.core.roles import Role
from pegasus.publication import market as m
from pegasus.publication.models import MarketImport, MarketRelease
from tests.publication.test_market import award, ict_tender, package


def read(document) -> m.FileResult:
    raw = document if isinstance(document, bytes) else json.dumps(document).encode()
    return m.read_document("f.json", raw)


class TestReadingHostileDocuments:
    def test_json_nested_200000_levels_is_rejected_naming_the_line(self):
        result = read(b"\n" + b"[" * 200_000 + b"]" * 200_000)
        assert (result.error, result.releases) == ("line 2: nested more than 64 levels deep", [])

    def test_deep_nesting_inside_a_release_is_rejected_too(self):
        release = ict_tender()
        release["tender"]["extra"] = json.loads("[" * 61 + "]" * 61)  # 4 levels above it: 65
        assert read(package(release)).error == "line 1: nested more than 64 levels deep"

    def test_brackets_inside_strings_do_not_count(self):
        release = ict_tender(title="[" * 500 + "{" * 500)
        assert read(package(release)).error == ""

    @pytest.mark.parametrize(
        ("literal", "reason"),
        [
            ("1e300", "/releases/0/tender/value/amount: 1e+300 is above 1,000,000,000,000,000"),
            ("1e999999999", "line 1: 1e999999999 is out of range"),
            ("NaN", "line 1: NaN is not a number JSON allows"),
            ("-Infinity", "line 1: -Infinity is not a number JSON allows"),
            ("9" * 5000, "line 1: a number of 5,000 characters (at most 100)"),
            ('"1e400"', "/releases/0/tender/value/amount: '1e400' is above 1,000,000,000,000,000"),
            ("-1", "/releases/0/tender/value/amount: -1 is not an amount"),
        ],
    )
    def test_an_amount_out_of_range_is_rejected_naming_its_path(self, literal, reason):
        text = json.dumps(package(ict_tender())).replace('"amount": 500000', f'"amount": {literal}')
        assert read(text.encode()).error == reason

    def test_amounts_adding_up_past_what_the_market_view_holds_are_rejected(self):
        awards = [award(f"S{n}", amount=10**15) for n in range(2)]
        assert read(package(ict_tender(awards=awards))).error == (
            "/releases/0/awards: the values add up to more than 1,000,000,000,000,000"
        )

    @pytest.mark.parametrize("when", ["9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+01:00"])
    def test_a_date_time_that_cannot_be_held_in_utc_is_rejected(self, when):
        assert read(package(ict_tender(when=when))).error.startswith("/releases/0/date: ")


@pytest.mark.django_db
class TestImportPage:
    def test_json_nested_200000_levels_is_a_clear_error_not_a_500(self, signed_in):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        upload = io.BytesIO(b"[" * 200_000 + b"]" * 200_000)
        upload.name = "deep.json"
        page = client.post("/market/import/", {"file": upload})
        assert page.status_code == 200
        assert "deep.json: line 1: nested more than 64 levels deep" in page.content.decode()
        assert not MarketRelease.objects.exists() and not MarketImport.objects.exists()

    def test_an_amount_of_1e400_is_a_clear_error(self, signed_in):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)
        text = json.dumps(package(ict_tender())).replace('"amount": 500000', '"amount": 1e400')
        upload = io.BytesIO(text.encode())
        upload.name = "big.json"
        page = client.post("/market/import/", {"file": upload})
        assert page.status_code == 200
        assert "big.json: line 1: 1e400 is out of range" in page.content.decode()
        assert not MarketRelease.objects.exists()
