"""Template tags: GOV.UK form fields, money and dates the way commercial teams read them."""

from datetime import date
from decimal import Decimal

from django import forms, template
from django.template.loader import render_to_string
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from pegasus.core.money import format_millions, format_pounds

register = template.Library()


def _widget_type(field) -> str:
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.ClearableFileInput | forms.FileInput):
        return "file"
    return "input"


@register.simple_tag
def govuk_field(field, hide_label=False):
    """A bound field drawn as a GOV.UK form group, with its hint and errors. `hide_label` keeps the label for screen
    readers only, for a field in a table whose headers already say what it is."""
    return render_to_string(
        "ui/includes/field.html", {"field": field, "widget_type": _widget_type(field), "hide_label": hide_label}
    )


@register.simple_tag
def govuk_widget(field):
    kind = _widget_type(field)
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-hint")
    if field.errors:
        described.append(f"{field.auto_id}-error")
    error = " govuk-{}--error".format(
        {"select": "select", "textarea": "textarea", "file": "file-upload"}.get(kind, "input")
    )
    css = {
        "select": "govuk-select",
        "textarea": "govuk-textarea",
        "file": "govuk-file-upload",
    }.get(kind, "govuk-input " + field.field.widget.attrs.get("class", ""))
    attrs = {"class": (css + (error if field.errors else "")).strip()}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)


@register.filter
def pounds(value, pennies=True):
    if value is None or value == "":
        return ""
    return format_pounds(Decimal(value), pennies=pennies not in (False, "False", "no"))


@register.filter
def millions(value):
    return "" if value is None else format_millions(Decimal(value))


@register.filter
def percent(value):
    return "" if value is None else f"{Decimal(value).normalize():f}%"


@register.filter
def iso_day(value):
    """A date held as text (YYYY-MM-DD, as a notice's body holds it) as "1 May 2019"; other text as it is."""
    try:
        day = date.fromisoformat(str(value))
    except ValueError:
        return value
    return f"{day.day} {day:%B %Y}"


@register.simple_tag
def govuk_tag(text, colour=""):
    return format_html('<strong class="govuk-tag{}">{}</strong>', f" govuk-tag--{colour}" if colour else "", text)


STATUS_COLOURS = {
    "active": "green",
    "planned": "blue",
    "ended": "grey",
    "terminated": "red",
    "available": "blue",
    "exercised": "green",
    "lapsed": "grey",
    "draft": "grey",
    "submitted": "blue",
    "approved": "green",
    "rejected": "red",
    "withdrawn": "grey",
    "checked": "blue",
    "published": "green",
    # KPI ratings (Procurement Act 2023 s52), as the scorecard shows them
    "Good": "green",
    "Approaching target": "yellow",
    "Requires improvement": "orange",
    "Inadequate": "red",
}


@register.simple_tag
def status_tag(value, label=None):
    return govuk_tag(label or str(value).replace("-", " ").capitalize(), STATUS_COLOURS.get(str(value), ""))


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters changed (sorting, paging) and the rest kept."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return "?" + query.urlencode() if query else "?"


@register.simple_tag(takes_context=True)
def query_with_key(context, key, value):
    """`query_with` for a parameter whose name is itself a variable (a page of one of several lists on a page)."""
    return query_with(context, **{key: value})


@register.simple_tag
def summary_list(rows):
    """A GOV.UK summary list from (key, value) pairs."""
    items = format_html_join(
        "",
        '<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">{}</dt>'
        '<dd class="govuk-summary-list__value">{}</dd></div>',
        rows,
    )
    return format_html('<dl class="govuk-summary-list">{}</dl>', mark_safe(items))  # noqa: S308
