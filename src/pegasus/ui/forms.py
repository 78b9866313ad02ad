"""Form behaviour shared by every page: error messages that name the field, as the GOV.UK Design System asks."""

from django import forms
from django.core.exceptions import ValidationError


class NamedErrorsMixin:
    """Replace "This field is required." and friends with messages that say which field and what to do."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            label = str(field.label or "").rstrip(" ?").lower()
            verb = "Select" if isinstance(field.widget, forms.Select) else "Enter"
            field.error_messages["required"] = f"{verb} the {label}"
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = f"The {label} must be a real date, for example 2019-05-23"
            elif isinstance(field, forms.DecimalField | forms.IntegerField):
                field.error_messages["invalid"] = f"The {label} must be a number"
            elif isinstance(field, forms.ModelChoiceField | forms.ChoiceField):
                field.error_messages["invalid_choice"] = f"Select a {label} from the list"  # noqa: S608 (a message, not SQL)


def service_errors_to_form(form, exc: Exception) -> None:
    """Show a service's errors on the page's form: each on the field it names, an error on a row of a list on that
    row's field where the form says which (`row_field(name, params)`), and any other at the top."""
    if not isinstance(exc, ValidationError):
        form.add_error(None, str(exc))
        return
    for field, errors in (exc.error_dict if hasattr(exc, "error_dict") else {None: exc.error_list}).items():
        for error in errors:
            name = field
            if name is not None and name not in form.fields and hasattr(form, "row_field"):
                name = form.row_field(name, error.params or {}) or name
            form.add_error(name if name in form.fields else None, next(iter(error)))
