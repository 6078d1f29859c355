"""Forms of the chronology pages: an entry, an import, the reviewer's marks and episodes, and
the merged chronology's filters. Rules that hold whatever the entry point (bounds, drafts
only, who may) are the services'; these check the fields."""

from __future__ import annotations

from typing import Any

from django import forms

from agencies.models import Agency
from reviews.forms.base import ReasonMixin, TimeInput, yes_no
from reviews.forms.fields import model_field
from reviews.models import ChronologyEntry, Review
from scr.forms import GovukDateField
from scr.text import NARRATIVE_LENGTH

__all__ = [
    "ChronologyCorrectionForm", "ChronologyEntryForm", "ChronologyFilterForm", "ChronologyImportForm",
    "EpisodeForm", "MarkForm", "entry_initial",
]


class ChronologyEntryForm(forms.Form):
    occurred_on = GovukDateField(label="Date", error_messages={"required": "Enter the date"})
    occurred_at = forms.TimeField(
        label="Time (optional)", required=False, widget=TimeInput,
        input_formats=["%H:%M", "%H.%M", "%H:%M:%S"],
        help_text="Where known, for example 14:30. An entry without a time is listed first on "
                  "its day.", error_messages={"invalid": "Enter a time, for example 14:30"})
    source = forms.CharField(label="Source", max_length=300,
                             help_text="The document or record it comes from.",
                             error_messages={"required": "Enter the source"})
    what_happened = forms.CharField(label="What happened", widget=forms.Textarea(attrs={"rows": 4}),
                                    error_messages={"required": "Enter what happened"},
                                    max_length=NARRATIVE_LENGTH)
    practitioner_role = forms.CharField(
        label="Practitioner role", max_length=150,
        help_text="Their role, for example 'Health visitor'. Never their name.",
        error_messages={"required": "Enter the practitioner's role"})
    child_seen = yes_no("Was the child seen?", "Select whether the child was seen")
    significance = forms.ChoiceField(label="Significance", widget=forms.RadioSelect,
                                     choices=ChronologyEntry.Significance.choices,
                                     initial=ChronologyEntry.Significance.ROUTINE,
                                     error_messages={"required": "Select the significance"})


def entry_initial(entry: ChronologyEntry) -> dict[str, Any]:
    initial = {name: getattr(entry, name) for name in ChronologyEntryForm.base_fields}
    initial["child_seen"] = "yes" if entry.child_seen else "no"
    return initial


class ChronologyCorrectionForm(ChronologyEntryForm, ReasonMixin):
    pass


class ChronologyImportForm(forms.Form):
    file = forms.FileField(label="Chronology file (CSV or Excel .xlsx)",
                           help_text="Every row is checked first: if any row has a problem, "
                                     "nothing is imported and each problem is listed.",
                           error_messages={"required": "Select a file"})


class MarkForm(forms.Form):
    significance = forms.ChoiceField(label="Significance", widget=forms.RadioSelect,
                                     choices=ChronologyEntry.Significance.choices,
                                     error_messages={"required": "Select the significance"})
    reason = forms.CharField(label="Why (optional)", required=False, max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="Kept in the review's history with your name.")


class EpisodeForm(forms.Form):
    title = forms.CharField(label="Title of the episode", max_length=200,
                            error_messages={"required": "Enter a title for the episode"})
    description = forms.CharField(label="Description (optional)", required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}), max_length=NARRATIVE_LENGTH)
    entries = forms.ModelMultipleChoiceField(
        queryset=ChronologyEntry.objects.none(), widget=forms.MultipleHiddenInput,
        error_messages={"required": "Select the entries to group, on the chronology page"})

    def __init__(self, *args: Any, review: Review, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_field(self, "entries").queryset = ChronologyEntry.objects.filter(
            review=review, status=ChronologyEntry.Status.SUBMITTED, withdrawn=False)


class ChronologyFilterForm(forms.Form):
    agency = forms.ModelChoiceField(label="Agency", required=False, queryset=Agency.objects.none(),
                                    empty_label="Every agency")
    significance = forms.ChoiceField(
        label="Significance", required=False,
        choices=[("", "Any significance"), *ChronologyEntry.Significance.choices])
    date_from = GovukDateField(label="From", required=False)
    date_to = GovukDateField(label="To", required=False)

    def __init__(self, *args: Any, review: Review, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_field(self, "agency").queryset = Agency.objects.filter(
            involvements__review=review).order_by("name")

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        return {name: data.get(name) or (None if name != "significance" else "")
                for name in ("agency", "significance", "date_from", "date_to")}
