"""Forms of a review's action plan: monitoring reviews, the board's sign-off of closure, the import."""

from __future__ import annotations

from django import forms

from actionplans.forms.base import text_field
from actionplans.models import Rag
from scr.forms import GovukDateField

__all__ = ["ImportForm", "MonitoringForm", "SignOffForm"]


class MonitoringForm(forms.Form):
    held_on = GovukDateField(label="Date of the monitoring review",
                             error_messages={"required": "Enter the date of the review"})
    overall_rag = forms.ChoiceField(label="Overall RAG", choices=Rag.choices,
                                    widget=forms.RadioSelect,
                                    error_messages={"required": "Select the overall RAG"})
    commentary = text_field("Commentary", "Enter the commentary", 5)
    next_due_on = GovukDateField(label="Next monitoring review due (optional)", required=False,
                                 help_text="Leave blank for three months after this one.")


class SignOffForm(forms.Form):
    note = text_field("The board's sign-off", "Enter the board's sign-off note",
                 help_text="Recorded with your name; the review then closes.")


class ImportForm(forms.Form):
    file = forms.FileField(label="Upload the action plan (.xlsx)",
                           error_messages={"required": "Select a file"})
