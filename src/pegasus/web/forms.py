"""Form behaviour shared by every page: error messages that name the field, as the GOV.UK Design System asks."""

from django import forms


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
