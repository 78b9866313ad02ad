"""Requests over Django's upload limits get a clear page naming the limit (413 or 400), never a 500, and a body
larger than any upload is refused before it is read."""

import pytest
from django.conf import settings

from pegasus.core import request_limits
from pegasus.core.roles import Role
from pegasus.performance.services import TICKET_UPLOAD_LIMIT

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(signed_in):
    return signed_in(Role.COMMERCIAL_OFFICER)[0]


class TestSettings:
    def test_limits_are_set_and_the_largest_upload_fits_the_request_limit(self):
        assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 2_621_440
        assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE == 2_621_440
        assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS == 1_000
        assert settings.DATA_UPLOAD_MAX_NUMBER_FILES == 10
        assert TICKET_UPLOAD_LIMIT.max_bytes < settings.PEGASUS_MAX_REQUEST_BYTES <= TICKET_UPLOAD_LIMIT.max_bytes * 2


class TestOverLimitRequests:
    def test_a_body_larger_than_any_upload_is_refused_before_it_is_read(self, officer):
        # given: a request that claims 10 GB (the test client sends a few bytes: reading them all would fail)
        response = officer.generic(
            "POST",
            "/import/",
            b"--x--",
            content_type="multipart/form-data; boundary=x",
            CONTENT_LENGTH=str(10 * 1024**3),
        )
        # then
        assert response.status_code == 413
        assert (
            request_limits.REQUEST_TOO_LARGE.format(size=settings.PEGASUS_MAX_REQUEST_BYTES // 1024**2)
            in response.content.decode()
        )

    def test_form_fields_over_the_memory_limit_get_a_clear_page(self, officer):
        response = officer.post("/contracts/new/", {"title": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
        assert response.status_code == 413
        assert request_limits.FIELDS_TOO_LARGE.format(size="2.5") in response.content.decode()

    def test_too_many_fields_get_a_clear_page(self, officer):
        response = officer.post(
            "/contracts/new/", {f"f{n}": "1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
        )
        assert response.status_code == 400
        assert request_limits.TOO_MANY_FIELDS.format(count=1_000) in response.content.decode()

    def test_too_many_files_get_a_clear_page(self, officer):
        from django.core.files.uploadedfile import SimpleUploadedFile

        files = {
            f"f{n}": SimpleUploadedFile(f"{n}.csv", b"x") for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)
        }
        response = officer.post("/import/", {"kind": "spend", **files})
        assert response.status_code == 400
        assert request_limits.TOO_MANY_FILES.format(count=10) in response.content.decode()

    def test_an_ordinary_post_is_untouched(self, officer):
        assert officer.post("/import/", {"kind": "spend"}).status_code == 200


class TestNulInTheAddress:
    """A NUL in a query is refused by one check for every page, before PostgreSQL is asked to compare it."""

    @pytest.mark.parametrize(
        "url",
        ["/contracts/?q=a%00b", "/decisions/?q=a%00b", "/audit/?user=a%00b", "/public/decisions/?q=a%00b"],
    )
    def test_a_page_searched_with_a_nul_is_a_400_naming_the_parameter(self, signed_in, url):
        client, _ = signed_in(Role.AUDITOR)

        response = client.get(url)

        assert response.status_code == 400
        assert "remove the NUL character" in response.content.decode()
        assert f"{url.split('?')[1].split('=')[0]}: remove" in response.content.decode()
