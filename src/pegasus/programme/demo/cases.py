"""The demonstration's cases (filled in with the area)."""

from pegasus.programme.models import Programme


def cases_demo_load(programme: Programme) -> dict[str, int]:
    return {}
