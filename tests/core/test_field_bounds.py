"""`core.field_bounds.full_clean`: a NUL in text is a field error before any uniqueness query reaches the database
(PostgreSQL cannot compare such text), for every model with a unique text field that a service cleans."""

import pytest
from django.core.exceptions import ValidationError

from pegasus.core.field_bounds import full_clean
from pegasus.estate.models import Supplier
from pegasus.evaluation.models import Tender
from pegasus.procurement.models import Procurement
from pegasus.sourcing.models import Scenario

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("model", "field"),
    [(Supplier, "name"), (Procurement, "reference"), (Tender, "reference"), (Scenario, "name")],
)
def test_a_nul_in_a_unique_text_field_is_a_field_error_on_either_database(model, field):
    # given an unsaved object whose unique text holds a NUL, as a hostile API call or import would give it
    obj = model(**{field: "PEG\x00-1"})

    # when it is cleaned as the services clean it
    with pytest.raises(ValidationError) as caught:
        full_clean(obj)

    # then the error is on that field, naming the character's position, and nothing reached the database
    assert "remove the control character at position 4" in " ".join(caught.value.message_dict[field])


def test_a_unique_value_already_taken_is_still_refused():
    Supplier.objects.create(name="Kestrel Networks")

    with pytest.raises(ValidationError) as caught:
        full_clean(Supplier(name="Kestrel Networks"))

    assert "name" in caught.value.message_dict
