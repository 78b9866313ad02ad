"""Part 2 attachments within bounds: the size limit comes from the one upload-limits module, the page states it, and
a refused file's name is echoed by a short prefix."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile

from pegasus.core.exceptions import RuleViolation
from pegasus.governance import services
from pegasus.governance.models import Decision
from tests.governance.test_decision_pages import draft_post, officer_client  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(officer_client):  # noqa: F811
    client, _ = officer_client
    client.post("/decisions/new/", draft_post())
    return Decision.objects.get(reference="PCD 612")


class TestAttachmentLimits:
    def test_a_paper_over_the_limit_is_refused_with_the_limit(self, officer_client, draft, tmp_path):  # noqa: F811
        # given: a sparse file one byte over the limit (it takes no room on disk)
        _, officer = officer_client
        path = tmp_path / "prices.pdf"
        with path.open("wb") as handle:
            handle.truncate(services.ATTACHMENT_LIMIT.max_bytes + 1)
        # when / then
        with path.open("rb") as handle, pytest.raises(RuleViolation) as caught:
            services.part2_attachment_add(
                decision=draft, upload=UploadedFile(handle, name="prices.pdf", size=path.stat().st_size), by=officer
            )
        assert str(caught.value) == "'prices.pdf': The file is larger than 20 MB: attach a smaller file."
        assert not draft.attachments.exists()

    def test_the_page_states_the_limit(self, officer_client, draft):  # noqa: F811
        client, _ = officer_client
        assert (
            f"Excel (XLSX), {services.ATTACHMENT_LIMIT.hint}." in client.get(f"/decisions/{draft.pk}/").content.decode()
        )

    def test_a_refused_name_is_echoed_by_a_short_prefix(self, officer_client, draft):  # noqa: F811
        client, _ = officer_client
        name = "a" * 240 + ".exe"
        response = client.post(f"/decisions/{draft.pk}/attach/", {"file": SimpleUploadedFile(name, b"MZ")}, follow=True)
        page = response.content.decode()
        assert "Attach a PDF, Word (DOCX) or Excel (XLSX) file; " in page and "a" * 60 not in page
