"""The demonstration's exits (filled in with the area)."""

from pegasus.programme.models import Programme


def exits_demo_load(programme: Programme) -> dict[str, int]:
    return {}
