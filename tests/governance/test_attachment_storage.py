"""Part 2 attachments in an object store: each file kept under its own name, read only through the download page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pegasus.governance import services
from pegasus.governance.models import Decision
from tests.governance.test_decision_pages import approved_decision, draft_post, officer_client  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(officer_client):  # noqa: F811
    client, _ = officer_client
    client.post("/decisions/new/", draft_post())
    return Decision.objects.get(reference="PCD 612")


def download(client, attachment) -> bytes:
    response = client.get(f"/decisions/{attachment.decision_id}/attachments/{attachment.pk}/")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


class TestOnS3:
    def test_two_papers_of_the_same_name_are_both_kept(self, s3_storage, officer_client, draft, settings):  # noqa: F811
        """A second prices.pdf must not replace the first: a corrected decision shares its files with the original."""
        client, officer = officer_client
        first = services.part2_attachment_add(
            decision=draft, upload=SimpleUploadedFile("prices.pdf", b"%PDF-1.4 first"), by=officer
        )
        second = services.part2_attachment_add(
            decision=draft, upload=SimpleUploadedFile("prices.pdf", b"%PDF-1.4 second"), by=officer
        )
        assert first.file.name != second.file.name
        assert (download(client, first), download(client, second)) == (b"%PDF-1.4 first", b"%PDF-1.4 second")
        assert s3_storage.exists(first.file.name) and not settings.MEDIA_ROOT.exists()

    def test_removing_a_paper_deletes_its_object(
        self,
        s3_storage,
        officer_client,  # noqa: F811
        draft,
        django_capture_on_commit_callbacks,
    ):
        client, officer = officer_client
        attachment = services.part2_attachment_add(
            decision=draft, upload=SimpleUploadedFile("prices.xlsx", b"PK sheet"), by=officer
        )
        name = attachment.file.name
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/decisions/{draft.pk}/detach/", {"attachment": attachment.pk})
        assert not s3_storage.exists(name)

    def test_the_object_is_private(self, s3_storage, officer_client, draft):  # noqa: F811
        """Only the download page, which checks the reader, hands the file out: the bucket grants nobody else."""
        import urllib.error
        import urllib.request

        _, officer = officer_client
        attachment = services.part2_attachment_add(
            decision=draft, upload=SimpleUploadedFile("prices.pdf", b"%PDF-1.4 secret"), by=officer
        )
        acl = s3_storage.connection.meta.client.get_object_acl(Bucket=s3_storage.bucket_name, Key=attachment.file.name)
        assert [g for g in acl["Grants"] if g["Grantee"].get("Type") == "Group"] == []
        unsigned = s3_storage.url(attachment.file.name).split("?", 1)[0]
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(unsigned)  # noqa: S310 - the local moto server
        assert refused.value.code == 403
