"""The programme Pegasus controls: one, the first by code."""

from pegasus.programme.models import Programme


def the_programme() -> Programme | None:
    """The programme the pages, the report and the demo work on, or None before one is set up."""
    return Programme.objects.order_by("code").first()
