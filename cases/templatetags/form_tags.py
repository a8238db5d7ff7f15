"""Bootstrap rendering of Django form fields without a third-party package."""

from __future__ import annotations

from django import forms, template

register = template.Library()


def _css_for(widget: forms.Widget) -> str:
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
        return ""
    if isinstance(widget, forms.Select | forms.SelectMultiple):
        return "form-select"
    return "form-control"


@register.filter
def bs(field: forms.BoundField) -> str:
    """The field's widget with Bootstrap classes, marked invalid when the field has errors."""
    widget = field.field.widget
    classes = [widget.attrs.get("class", ""), _css_for(widget)]
    if field.errors:
        classes.append("is-invalid")
    attrs = {"class": " ".join(c for c in classes if c)}
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def is_checkbox(field: forms.BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)
