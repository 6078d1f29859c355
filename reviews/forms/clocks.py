"""Forms of the clocks: parallel processes, pauses and delay explanations."""

from __future__ import annotations

from typing import Any

from django import forms

from reviews.forms.base import ChangeReasonMixin, ReasonMixin
from reviews.models import ClockKind, ParallelProcess
from scr.forms import GovukDateField
from scr.text import DESCRIPTION_LENGTH, NARRATIVE_LENGTH, REASON_LENGTH, too_long

__all__ = ["PAUSABLE_CLOCKS", "ClearForm", "DelayForm", "ParallelProcessForm", "PauseForm", "ResumeForm"]


PAUSABLE_CLOCKS = [(k, label) for k, label in ClockKind.choices
                   if k != ClockKind.PUBLICATION_NOTICE]


class ParallelProcessForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of process", choices=ParallelProcess.Kind.choices,
                             widget=forms.RadioSelect,
                             error_messages={"required": "Select the kind of process"})
    opened_on = GovukDateField(label="Started on",
                               error_messages={"required": "Enter the date it started"})
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                  max_length=DESCRIPTION_LENGTH,
                                  error_messages=too_long("Description", DESCRIPTION_LENGTH))
    pause_clocks = forms.MultipleChoiceField(
        label="Pause these clocks while it is open", required=False,
        choices=PAUSABLE_CLOCKS, widget=forms.CheckboxSelectMultiple)


class ClearForm(ReasonMixin):
    cleared_on = GovukDateField(label="Cleared on",
                                error_messages={"required": "Enter the date it cleared"})
    field_order = ["cleared_on", "reason"]


class PauseForm(forms.Form):
    clock = forms.ChoiceField(choices=PAUSABLE_CLOCKS, widget=forms.RadioSelect,
                              error_messages={"required": "Select the clock to pause"})
    paused_on = GovukDateField(label="Paused from",
                               error_messages={"required": "Enter the date the pause starts"})
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=REASON_LENGTH,
                             error_messages={"required": "Enter the reason for pausing the clock",
                                             **too_long("Reason", REASON_LENGTH)})


class ResumeForm(ReasonMixin):
    resumed_on = GovukDateField(label="Resumed on",
                                error_messages={"required": "Enter the date the clock resumes"})
    field_order = ["resumed_on", "reason"]


class DelayForm(ChangeReasonMixin):
    clock = forms.ChoiceField(choices=ClockKind.choices, widget=forms.RadioSelect,
                              error_messages={"required": "Select the clock"})
    explanation = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}),
                                  max_length=NARRATIVE_LENGTH,
                                  error_messages={"required": "Enter the explanation for the "
                                                              "delay",
                                                  **too_long("Explanation", NARRATIVE_LENGTH)})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = ("Reason for the change (if you are changing an "
                                       "explanation already recorded)")
