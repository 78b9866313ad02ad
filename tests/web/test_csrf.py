"""Every form POST needs the page's CSRF token: a request forged from another site, which carries the user's
session cookie but not the token, is refused and changes nothing."""

import pytest
from django.test import Client

from pegasus.core.roles import Role
from pegasus.estate.models import Contract

pytestmark = pytest.mark.django_db


@pytest.fixture
def forged(make_user):
    """A browser holding a commercial officer's session, as a forged cross-site request would."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(
        make_user(Role.COMMERCIAL_OFFICER, username="cora"), backend="pegasus.core.backends.PegasusBackend"
    )
    return client


@pytest.mark.parametrize(
    "path, data",
    [
        ("/contracts/new/", {"reference": "MPS-X-1", "title": "Forged"}),
        ("/decisions/release-review/", {"decision": "1", "action": "release", "note": "Forged."}),
        ("/sign-out/", {}),
    ],
)
def test_a_post_without_the_token_is_refused(forged, path, data):
    response = forged.post(path, data)
    assert response.status_code == 403
    assert not Contract.objects.filter(reference="MPS-X-1").exists()


def test_the_same_post_with_the_pages_token_is_taken(forged):
    forged.get("/contracts/new/")
    token = forged.cookies["csrftoken"].value
    response = forged.post("/sign-out/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
