"""Forms of the yearly report. Field-level checks only: the rules are the services'."""

from __future__ import annotations

from django import forms

from scr.forms import GovukDateField
from scr.text import DOCUMENT_LENGTH, REASON_LENGTH

__all__ = ["PublishForm", "SectionForm", "YearlyReportForm"]


class YearlyReportForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200,
                            error_messages={"required": "Enter the title of the report"},
                            help_text="For example “Annual report 2026 to 2027”.")
    start = GovukDateField(label="Start of the reporting period",
                           error_messages={"required": "Enter the start of the period"})
    end = GovukDateField(label="End of the reporting period",
                         error_messages={"required": "Enter the end of the period"})


class SectionForm(forms.Form):
    text = forms.CharField(label="Text", required=False, max_length=DOCUMENT_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 12}),
                           help_text="Markdown. Names of people in a case are replaced by their "
                                     "pseudonyms in the PDF; the leak check reads the PDF.")
    reason = forms.CharField(label="What changed (optional)", required=False,
                             max_length=REASON_LENGTH)


class PublishForm(forms.Form):
    reason = forms.CharField(label="Note for the history", max_length=REASON_LENGTH,
                             initial="Published to the board",
                             error_messages={"required": "Enter a note for the history"})
