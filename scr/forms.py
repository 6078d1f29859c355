"""GOV.UK Frontend markup for every Django form, in one place.

``{{ form }}`` renders each field as a GOV.UK form group: label, hint, error
message and the input with the right classes and ``aria-describedby``. Pages add
the error summary from ``_partials/error_summary.html``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting

WIDGET_CLASSES: dict[str, str] = {
    "select": "govuk-select",
    "textarea": "govuk-textarea",
    "checkbox": "govuk-checkboxes__input",
    "checkboxselectmultiple": "govuk-checkboxes__input",
    "radioselect": "govuk-radios__input",
    "selectmultiple": "govuk-select",
    "clearablefile": "govuk-file-upload",
    "file": "govuk-file-upload",
}
ERROR_CLASSES: dict[str, str] = {
    "govuk-input": "govuk-input--error",
    "govuk-select": "govuk-select--error",
    "govuk-textarea": "govuk-textarea--error",
    "govuk-file-upload": "govuk-file-upload--error",
}
GROUPED_WIDGETS = {"radioselect", "checkboxselectmultiple"}


class GovukBoundField(BoundField):
    """Adds the GOV.UK classes and the hint/error ids to the widget's attributes."""

    @property
    def hint_id(self) -> str:
        return f"{self.auto_id}-hint"

    @property
    def error_id(self) -> str:
        return f"{self.auto_id}-error"

    @property
    def is_grouped(self) -> bool:
        return self.widget_type in GROUPED_WIDGETS

    def build_widget_attrs(self, attrs: dict[str, Any], widget: Any = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        base = WIDGET_CLASSES.get(self.widget_type, "govuk-input")
        classes = [base, attrs.get("class", ""), widget.attrs.get("class", "")]
        if self.errors and base in ERROR_CLASSES:
            classes.append(ERROR_CLASSES[base])
        attrs["class"] = " ".join(c for c in classes if c).strip()
        if not self.is_grouped:
            described = [self.hint_id] if self.help_text else []
            if self.errors:
                described.append(self.error_id)
            if described:
                attrs["aria-describedby"] = " ".join(described)
        return attrs


class GovukFormRenderer(TemplatesSetting):
    form_template_name = "_partials/form.html"
    field_template_name = "_partials/field.html"
    bound_field_class = GovukBoundField


class GovukDateInput(forms.DateInput):
    """A date typed as day/month/year text; GOV.UK's single-field hint."""

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"inputmode": "numeric", "autocomplete": "off", **(attrs or {})},
                         format="%d/%m/%Y")


DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d %m %Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"]


# Dates outside these years are typing mistakes in this service, not records.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2100


class GovukDateField(forms.DateField):
    widget = GovukDateInput
    default_error_messages = {
        "invalid": "Enter a real date, for example 27/03/2026",
        "out_of_range": f"Enter a date between {EARLIEST_YEAR} and {LATEST_YEAR}",
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", DATE_INPUT_FORMATS)
        kwargs.setdefault("help_text", "For example, 27/03/2026")
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        day = super().to_python(value)
        if day is not None and not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
            raise forms.ValidationError(self.error_messages["out_of_range"],
                                        code="out_of_range")
        return day


def add_service_errors(form: forms.Form, error: Any) -> None:
    """Put a service's ``ValidationError`` back on the form, by field where it names one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for e in errors:
                form.add_error(target, e.messages if hasattr(e, "messages") else str(e))
    else:
        form.add_error(None, error.messages)


class NotificationPreferencesForm(forms.Form):
    """One question per kind of notification: an e-mail at once, or the daily digest."""

    def __init__(self, *args: Any, kinds: Any = (), **kwargs: Any) -> None:
        from scr.models import NotificationPreference

        super().__init__(*args, **kwargs)
        for kind in kinds:
            self.fields[kind.key] = forms.ChoiceField(
                label=kind.label, help_text=f"Sent to: {kind.who}",
                choices=NotificationPreference.Delivery.choices, widget=forms.RadioSelect)
