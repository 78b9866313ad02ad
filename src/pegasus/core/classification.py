"""Government Security Classifications markings, as shown in page and document banners.

OFFICIAL is the baseline; OFFICIAL-SENSITIVE is OFFICIAL information with need-to-know handling, usually with a
descriptor in square brackets: OFFICIAL-SENSITIVE [COMMERCIAL].
"""

from django.db import models


class Classification(models.TextChoices):
    OFFICIAL = "OFFICIAL", "OFFICIAL"
    OFFICIAL_SENSITIVE = "OFFICIAL-SENSITIVE", "OFFICIAL-SENSITIVE"


class Descriptor(models.TextChoices):
    NONE = "", "None"
    COMMERCIAL = "COMMERCIAL", "COMMERCIAL"
    PERSONAL = "PERSONAL", "PERSONAL"
    LOCSEN = "LOCSEN", "LOCSEN"


RANK: dict[str, int] = {Classification.OFFICIAL.value: 0, Classification.OFFICIAL_SENSITIVE.value: 1}


def marking(classification: str, descriptor: str = "") -> str:
    """The banner text: OFFICIAL, or OFFICIAL-SENSITIVE [COMMERCIAL]."""
    if classification == Classification.OFFICIAL_SENSITIVE and descriptor:
        return f"{classification} [{descriptor}]"
    return str(classification)


def highest(markings: list[tuple[str, str]]) -> tuple[str, str]:
    """The marking a page or document carries: the highest of what it shows."""
    best = (Classification.OFFICIAL.value, "")
    for classification, descriptor in markings:
        if RANK.get(classification, 0) > RANK.get(best[0], 0) or (
            classification == best[0] and descriptor and not best[1]
        ):
            best = (classification, descriptor)
    return best
