"""`pegasus.core.bounds` applied to a model's fields by a service, its failures gathered as one ValidationError.

A service checks what it is about to store after `full_clean`; each failure is keyed by the field (so a page shows
it on that field, the API names it) and labelled as the user sees the field.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst

from pegasus.core import bounds
from pegasus.core.exceptions import OutOfBounds


class FieldBounds:
    """Collects `pegasus.core.bounds` failures as a ValidationError keyed by field, labelled as the user sees it."""

    def __init__(self, model: type[models.Model]):
        self.model = model
        self.errors: dict[str, list[str]] = {}

    def label(self, name: str) -> str:
        return str(capfirst(getattr(self.model._meta.get_field(name), "verbose_name", name)))

    def check(self, name: str, check, value, *args, label: str | None = None, **kwargs) -> None:
        if value is None:
            return
        try:
            check(value, label or self.label(name), *args, **kwargs)
        except OutOfBounds as exc:
            self.errors.setdefault(name, []).append(str(exc))

    def raise_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)

    def model_fields(self, obj: models.Model, *, names=None, long_text_limit: int = bounds.MAX_LONG_TEXT) -> None:
        """Check each concrete field of `obj` by its kind: one-line text, multi-line text, money, dates and whole
        numbers. `names` limits the check to those fields; relations, choices and flags are left to full_clean."""
        for field in self.model._meta.concrete_fields:
            if names is not None and field.name not in names:
                continue
            value = getattr(obj, field.attname)
            if value is None or field.choices:
                continue
            if isinstance(field, models.TextField):
                self.check(field.name, bounds.check_text, value, multiline=True, max_length=long_text_limit)
            elif isinstance(field, models.CharField) and not isinstance(field, models.FileField):
                self.check(field.name, bounds.check_text, value)
            elif isinstance(field, models.DecimalField) and field.decimal_places == bounds.MONEY_PLACES:
                self.check(field.name, bounds.check_money, value, lo=-bounds.MAX_MONEY)
            elif isinstance(field, models.DateTimeField):
                continue  # set by Pegasus itself (when something happened), not typed in
            elif isinstance(field, models.DateField):
                self.check(field.name, bounds.check_date, value)


def full_clean(obj: models.Model, *, validate_unique: bool = True) -> None:
    """`obj.full_clean()`, with a NUL in any text refused on its field instead of reaching the uniqueness checks and
    constraints, which query the database: PostgreSQL cannot even compare such text, so it would be a 500 rather
    than a field error. The services' own bounds (every control character, lengths, money, dates) come after."""
    label = FieldBounds(type(obj)).label
    message = bounds.TEXT_HAS_CONTROL_CHARACTER
    nul = {
        field.name: [message.format(field=label(field.name), position=value.index("\x00") + 1)]
        for field in type(obj)._meta.concrete_fields
        if isinstance(value := getattr(obj, field.attname), str) and "\x00" in value
    }
    if not nul:
        obj.full_clean(validate_unique=validate_unique)
        return
    errors: dict[str, list[str]] = {}
    try:
        obj.full_clean(exclude=list(nul), validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors = exc.message_dict
    raise ValidationError({**errors, **nul})
