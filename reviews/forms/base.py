"""What the review's forms share: the reason a change needs, yes/no questions, a time input, a
page whose button is the whole answer."""

from __future__ import annotations

from typing import Any

from django import forms

from agencies.models import Agency
from scr.text import REASON_LENGTH, too_long

__all__ = ["YES_NO", "ChangeReasonMixin", "ConfirmForm", "ReasonMixin", "TimeInput", "yes_no"]


class ReasonMixin(forms.Form):
    reason: forms.CharField | None  # None: a form that needs no reason removes the field
    reason = forms.CharField(label="Reason for the change", max_length=REASON_LENGTH,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "Enter the reason for this change",
                                             **too_long("Reason", REASON_LENGTH)},
                             help_text="Kept in the review's history with your name.")


class ChangeReasonMixin(forms.Form):
    """Recording for the first time needs no reason; changing what was recorded does."""

    reason = forms.CharField(label="Reason for the change (if you are changing a date or "
                                   "decision already recorded)", required=False,
                             max_length=REASON_LENGTH, error_messages=too_long("Reason",
                                                                               REASON_LENGTH),
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="Kept in the review's history with your name.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields([name for name in self.fields if name != "reason"] + ["reason"])


def _agencies() -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        queryset=Agency.objects.filter(is_active=True), widget=forms.CheckboxSelectMultiple,
        required=False)


YES_NO = [("yes", "Yes"), ("no", "No")]


def yes_no(label: str, required_message: str, **kwargs: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, choices=YES_NO, widget=forms.RadioSelect,
                                  coerce=lambda value: value == "yes", empty_value=None,
                                  error_messages={"required": required_message}, **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "text"

    def __init__(self) -> None:
        super().__init__(attrs={"inputmode": "numeric", "autocomplete": "off",
                                "class": "govuk-input--width-5"}, format="%H:%M")


class ConfirmForm(forms.Form):
    """A button and nothing else (acknowledge, accept, share)."""
