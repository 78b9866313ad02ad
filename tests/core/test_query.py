"""Query parameters read through the shared bounds: absent gives the default, out of bounds names the parameter."""

from datetime import date

import pytest
from django.http import QueryDict

from pegasus.core.exceptions import OutOfBounds
from pegasus.core.query import query_date, query_int, query_page


class TestQueryParameters:
    def test_absent_or_empty_parameters_take_their_defaults(self):
        params = QueryDict("as_at=&page=")

        assert query_date(params, "as_at", default=date(2019, 5, 23)) == date(2019, 5, 23)
        assert query_int(params, "offset", default=0) == 0
        assert query_page(params) == 1

    def test_values_within_bounds_are_read(self):
        params = QueryDict("as_at=2100-12-31&page=3&offset=2147483647")

        assert (query_date(params, "as_at"), query_page(params), query_int(params, "offset")) == (
            date(2100, 12, 31),
            3,
            2**31 - 1,
        )

    @pytest.mark.parametrize(
        ("query", "read", "message"),
        [
            ("as_at=9999-12-31", lambda p: query_date(p, "as_at"), "As at: enter a date from 01 January 1990"),
            ("page=99999999999999999999", query_page, "Page: enter a whole number from 1 to 100,000"),
            ("page=0", query_page, "Page: enter a whole number from 1 to 100,000"),
            ("offset=18446744073709551616", lambda p: query_int(p, "offset"), "Offset: enter a whole number from 0"),
            ("expiring_within=abc", lambda p: query_int(p, "expiring_within"), "Expiring within: enter a whole"),
        ],
    )
    def test_out_of_bounds_names_the_parameter(self, query, read, message):
        with pytest.raises(OutOfBounds) as caught:
            read(QueryDict(query))

        assert str(caught.value).startswith(message)
