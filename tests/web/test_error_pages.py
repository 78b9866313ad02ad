"""Errors are GOV.UK pages that say what the user can do, not Django's bare "403 Forbidden" or "Not Found"."""

import pytest
from django.test import RequestFactory
from django.views import defaults

from pegasus.core.roles import Role


@pytest.mark.django_db
class TestErrorPages:
    """Each error status answers with the service's own page."""

    def test_a_page_that_does_not_exist_says_how_to_check_the_address(self, signed_in):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)

        response = client.get("/no-such-page/")

        body = response.content.decode()
        assert response.status_code == 404
        assert '<h1 class="govuk-heading-xl">Page not found</h1>' in body
        assert "check it is correct" in body and 'class="govuk-service-navigation"' in body

    def test_a_page_the_role_may_not_use_says_so_and_who_to_ask(self, signed_in):
        client, _ = signed_in(Role.SUPPLIER_USER)

        response = client.get("/decisions/")

        body = response.content.decode()
        assert response.status_code == 403
        assert '<h1 class="govuk-heading-xl">You cannot use this page</h1>' in body
        assert "ask your Pegasus administrator" in body

    def test_a_server_error_page_needs_neither_request_nor_database(self, django_assert_num_queries):
        # given Django's own 500 view, which renders without the request's context
        request = RequestFactory().get("/")

        # when it renders, it reads nothing from the database
        with django_assert_num_queries(0):
            response = defaults.server_error(request)

        # then it is the service's page, saying what to do
        body = response.content.decode()
        assert response.status_code == 500
        assert "Sorry, there is a problem with the service" in body and "Try again later." in body
        assert 'class="govuk-footer"' in body

    def test_a_request_that_cannot_be_read_is_the_services_400_page(self):
        request = RequestFactory().get("/")

        response = defaults.bad_request(request, exception=None)

        assert response.status_code == 400
        assert "The request could not be read" in response.content.decode()
