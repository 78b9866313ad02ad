"""The notices API: staff read every notice, a supplier user only its own contracts' (another's is missing), with
the page's filters; the list's queries do not grow with the notices."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pegasus.publication import services
from tests.factories import ContractFactory
from tests.publication.notices import published

pytestmark = pytest.mark.django_db


@pytest.fixture
def notices(make_user):
    own, other = ContractFactory(), ContractFactory()
    mine = services.notice_draft_details(contract=own, by=None)
    theirs = services.notice_draft_details(contract=other, by=None)
    checker, publisher = make_user("legal", username="checker"), make_user("commercial-officer", username="publisher")
    published(theirs, checker=checker, publisher=publisher)
    return own, mine, theirs


class TestReading:
    def test_staff_list_every_notice_and_filter_by_state(self, api_as, notices):
        _, mine, theirs = notices
        api, _ = api_as("auditor")

        every = api.get("/notices").json()
        done = api.get("/notices", state="published").json()

        assert every["count"] == 2
        assert [n["id"] for n in done["items"]] == [theirs.pk]
        assert done["items"][0]["kind"] == "UK7"

    def test_one_notice_with_what_it_says(self, api_as, notices):
        _, mine, _ = notices
        api, _ = api_as("legal")

        body = api.get(f"/notices/{mine.pk}").json()

        assert (body["state"], body["body"]["requirement"]["provision"]) == ("draft", "")
        assert body["body"]["contract"]["reference"] == mine.contract.reference

    def test_a_supplier_user_sees_its_own_contracts_notices_only(self, api_as, notices):
        own, mine, theirs = notices
        api, _ = api_as("supplier-user", supplier=own.supplier)

        listed = api.get("/notices").json()

        assert [n["id"] for n in listed["items"]] == [mine.pk]
        assert api.get(f"/notices/{theirs.pk}").status_code == 404
        assert api.get(f"/notices/{mine.pk}").status_code == 200

    def test_a_user_without_a_role_is_refused(self, api_as, notices):
        api, _ = api_as(None, username="nobody")
        assert api.get("/notices").status_code == 403

    def test_an_unknown_kind_is_refused_naming_it(self, api_as, notices):
        api, _ = api_as("auditor")
        response = api.get("/notices", kind="UK99")
        assert response.status_code == 422

    def test_the_number_of_queries_does_not_grow_with_the_notices(self, api_as, notices):
        api, _ = api_as("auditor")
        api.get("/notices")  # the token's first use is recorded once
        with CaptureQueriesContext(connection) as two:
            api.get("/notices")
        for _ in range(3):
            services.notice_draft_details(contract=ContractFactory(), by=None)

        with CaptureQueriesContext(connection) as five:
            assert api.get("/notices").json()["count"] == 5

        assert len(five) == len(two)
