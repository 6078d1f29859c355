"""Forms of learning briefings and the national Panel's reply."""

from __future__ import annotations

from typing import Any

from django import forms

from agencies.models import Agency
from reviews.models import BRIEFING_SECTIONS, Dissemination, NationalReview, PanelReply
from scr.forms import GovukDateField
from scr.text import DESCRIPTION_LENGTH, NARRATIVE_LENGTH, too_long

__all__ = ["BriefingEditForm", "BriefingPublishForm", "DisseminationForm", "NationalReviewForm",
           "PanelReplyForm"]

SECTION_HINTS = {
    "background": "What happened and what kind of review it was. Real names are replaced by "
                  "pseudonyms when the PDF is made.",
    "why_it_matters": "Why practitioners across the partnership should care.",
    "what_we_found": "The review's findings, briefly.",
    "what_to_do": "What practitioners and managers should do differently.",
    "questions": "Questions for teams to discuss.",
}


class BriefingEditForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200,
                            error_messages={"required": "Enter the briefing's title"})
    reason = forms.CharField(label="What you changed (optional)", required=False, max_length=300,
                             help_text="Kept in the briefing's history with your name.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """One text box per section (BRIEFING_SECTIONS), each with its own limit."""
        super().__init__(*args, **kwargs)
        for name, heading in BRIEFING_SECTIONS:
            self.fields[name] = forms.CharField(
                label=heading, required=False, max_length=NARRATIVE_LENGTH,
                help_text=SECTION_HINTS[name], widget=forms.Textarea(attrs={"rows": 5}),
                error_messages=too_long(heading, NARRATIVE_LENGTH))
        self.order_fields(["title", *(name for name, _ in BRIEFING_SECTIONS), "reason"])


class BriefingPublishForm(forms.Form):
    agencies = forms.ModelMultipleChoiceField(
        label="Send it to", queryset=Agency.objects.filter(is_active=True).order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        help_text="Each agency's leads are told, and record how they shared it.",
        error_messages={"required": "Choose at least one agency to send it to"})


class DisseminationForm(forms.Form):
    shared_on = GovukDateField(label="When was it shared?",
                               error_messages={"required": "Enter the date it was shared"})
    how = forms.ChoiceField(label="How was it shared?", choices=Dissemination.How.choices,
                            widget=forms.RadioSelect,
                            error_messages={"required": "Choose how it was shared"})
    practitioners_reached = forms.IntegerField(
        label="How many practitioners did it reach?", min_value=1,
        error_messages={"required": "Enter how many practitioners it reached",
                        "min_value": "Enter how many practitioners it reached (1 or more)",
                        "invalid": "Enter a whole number"})
    notes = forms.CharField(label="Notes (optional)", required=False, max_length=NARRATIVE_LENGTH,
                            widget=forms.Textarea(attrs={"rows": 3}),
                            help_text="No names of practitioners or of the family.")


class PanelReplyForm(forms.Form):
    outcome = forms.ChoiceField(label="What did the Panel reply?",
                                choices=PanelReply.Outcome.choices, widget=forms.RadioSelect,
                                error_messages={"required": "Choose what the Panel replied"})
    replied_on = GovukDateField(label="Date of the reply",
                                error_messages={"required": "Enter the date of the reply"})
    summary = forms.CharField(label="What the Panel said (optional)", required=False,
                              max_length=NARRATIVE_LENGTH, widget=forms.Textarea(attrs={"rows": 4}))


class NationalReviewForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=NationalReview.Status.choices,
                               widget=forms.RadioSelect,
                               error_messages={"required": "Choose the status"})
    status_on = GovukDateField(label="Since", error_messages={"required": "Enter the date"})
    notes = forms.CharField(label="Notes (optional)", required=False,
                            max_length=DESCRIPTION_LENGTH, widget=forms.Textarea(attrs={"rows": 3}))
