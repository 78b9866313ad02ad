"""What every domain's money columns share: pounds to the penny, below a hundred trillion, with a stated VAT basis."""

from django.db import models

from pegasus.core.money import VatBasis

# Keyword arguments of a DecimalField holding pounds: `models.DecimalField(**MONEY)`.
MONEY = {"max_digits": 16, "decimal_places": 2}


class VatBasisChoice(models.TextChoices):
    NET = VatBasis.NET.value, "Net (excluding VAT)"
    GROSS = VatBasis.GROSS.value, "Gross (including VAT)"
