"""The market view's upload within bounds: a small ZIP that unpacks to hundreds of MB, an archive that lies about
its sizes or holds thousands of files, and a file over the size limit are refused on the form; nothing is stored
and no message quotes more than a short prefix of what it echoes."""

import io
import json
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pegasus.core.roles import Role
from pegasus.publication import market as m
from pegasus.publication.models import MarketImport, MarketRelease
from tests import hostile_files
from tests.publication.test_market import ict_tender, package

pytestmark = pytest.mark.django_db

MB = hostile_files.MB
LIMIT = m.UPLOAD_LIMIT


@pytest.fixture
def officer(signed_in):
    return signed_in(Role.COMMERCIAL_OFFICER)[0]


def post(client, name: str, data: bytes, **fields):
    return client.post("/market/import/", {"file": SimpleUploadedFile(name, data), **fields})


def file_errors(response) -> list[str]:
    return response.context["form"].errors.get("file", [])


class TestUnpackedSize:
    @pytest.mark.parametrize("skip_invalid", ["", "on"])
    def test_a_small_zip_that_unpacks_past_the_limit_is_refused_by_its_unpacked_size(self, officer, skip_invalid):
        # given: about 50 KB on disk, 50 MB unpacked
        data = hostile_files.bomb({"a.json": 25 * MB, "b.json": 25 * MB})
        assert len(data) < 500_000
        # when
        started = time.monotonic()
        response = post(officer, "notices.zip", data, skip_invalid=skip_invalid)
        # then
        assert response.status_code == 200
        assert file_errors(response) == [LIMIT.unpacks_too_large]
        assert "unpacked size" in LIMIT.unpacks_too_large and "20 MB" in LIMIT.unpacks_too_large
        assert not MarketImport.objects.exists() and not MarketRelease.objects.exists()
        assert time.monotonic() - started < 10

    def test_an_archive_that_declares_less_than_it_holds_is_refused(self, officer):
        data = hostile_files.lying(hostile_files.bomb({"a.json": 30 * MB}), declared=100)
        response = post(officer, "notices.zip", data)
        assert "not a readable ZIP archive" in response.content.decode()
        assert not MarketRelease.objects.exists()

    def test_an_archive_of_too_many_files_is_refused(self, officer):
        response = post(officer, "notices.zip", hostile_files.many_members(LIMIT.max_members + 1))
        assert file_errors(response) == [LIMIT.too_many_members]

    def test_a_good_zip_within_the_limits_is_imported(self, officer):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("a.json", json.dumps(package(ict_tender())))
        response = post(officer, "notices.zip", buffer.getvalue())
        assert response.status_code == 302
        assert MarketRelease.objects.count() == 1


class TestSize:
    def test_a_file_over_the_size_limit_is_refused_on_the_form(self, officer):
        response = post(officer, "big.json", b" " * (LIMIT.max_bytes + 1))
        assert file_errors(response) == [LIMIT.too_large]

    def test_the_hint_states_both_limits(self, officer):
        html = officer.get("/market/import/").content.decode()
        assert LIMIT.hint in html and "smaller than 10 MB, and no more than 20 MB unpacked" in html


class TestEchoes:
    def test_a_huge_value_in_a_rejected_file_is_quoted_by_a_short_prefix(self, officer):
        release = ict_tender()
        release["date"] = "x" * 5_000_000
        response = post(officer, "notice-" + "n" * 200 + ".json", json.dumps(package(release)).encode())
        assert response.status_code == 200
        assert len(response.content) < 100_000
        reason = response.context["rejected"][0]["reason"]
        prefix = "x" * 40
        assert reason == (
            f"/releases/0/date: '{prefix}…' is not a date-time with its offset (RFC 3339, such as 2019-09-02T00:00:00Z)"
        )
        assert "n" * 200 not in response.content.decode()
        assert not MarketImport.objects.exists()


class TestControlCharacters:
    """OCDS text is imported text: a control character anywhere in it rejects the file, naming the JSON path, as
    every importer rejects one (PostgreSQL could not even store a NUL in the release's JSON)."""

    @pytest.mark.parametrize(
        ("character", "name"), [("\x00", "U+0000"), ("\x1b", "U+001B"), ("\x85", "U+0085"), ("\u2028", "U+2028")]
    )
    def test_a_control_character_in_a_title_rejects_the_file(self, character, name):
        release = ict_tender(title=f"Service{character}desk")
        result = m.read_document("f.json", json.dumps(package(release)).encode())
        assert (result.error, result.releases) == (
            f"/releases/0/tender/title: contains a control character ({name})",
            [],
        )

    def test_one_in_a_field_the_market_view_does_not_read_rejects_it_too(self):
        release = ict_tender()
        release["parties"] = [{"name": "Buyer", "address": {"street\x00": "1 High St"}}]
        result = m.read_document("f.json", json.dumps(package(release), ensure_ascii=False).encode())
        assert result.error == "/releases/0/parties/0/address: contains a control character (U+0000)"

    def test_tabs_and_line_breaks_are_text(self):
        release = ict_tender(title="Service\tdesk\r\nand more")
        assert m.read_document("f.json", json.dumps(package(release)).encode()).error == ""

    def test_the_page_stores_nothing(self, officer):
        response = post(officer, "nul.json", json.dumps(package(ict_tender(title="A\x00B"))).encode())
        assert "contains a control character (U+0000)" in response.content.decode()
        assert not MarketRelease.objects.exists()
