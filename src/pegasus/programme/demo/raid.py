"""The demonstration's raid (filled in with the area)."""

from pegasus.programme.models import Programme


def raid_demo_load(programme: Programme) -> dict[str, int]:
    return {}
