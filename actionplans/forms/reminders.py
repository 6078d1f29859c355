"""Forms of the reminders: pausing them, and the senior lead told of what is overdue."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from actionplans.forms.actions import PersonChoice
from actionplans.forms.base import text_field
from agencies.models import Agency, User
from scr.forms import GovukDateField

__all__ = ["PauseEndForm", "PauseForm", "SeniorLeadForm"]


class PauseForm(forms.Form):
    starts_on = GovukDateField(label="Pause from", initial=timezone.localdate,
                               error_messages={"required": "Enter the first day of the pause"})
    ends_on = GovukDateField(label="Until (optional)", required=False,
                             help_text="Leave blank to pause until you end it.")
    reason = text_field("Reason", "Enter the reason for pausing reminders", 2,
                   help_text="For example, on leave.")


class PauseEndForm(forms.Form):
    ends_on = GovukDateField(label="Last day of the pause", initial=timezone.localdate,
                             error_messages={"required": "Enter the last day of the pause"})


class SeniorLeadForm(forms.Form):
    user = PersonChoice(queryset=User.objects.none(), label="Senior lead",
                        empty_label="Choose a person",
                        error_messages={"required": "Choose the senior lead"})

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            is_active=True, memberships__agency=agency).distinct()
