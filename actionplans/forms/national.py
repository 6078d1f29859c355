"""Forms of national reports and their recommendations."""

from __future__ import annotations

from typing import Any

from django import forms

from actionplans.models import Action
from scr.forms import GovukDateField
from scr.text import NARRATIVE_LENGTH

__all__ = ["NationalMapForm", "NationalRecommendationForm", "NationalReportForm"]


class NationalReportForm(forms.Form):
    title = forms.CharField(label="Title of the national report", max_length=300,
                            error_messages={"required": "Enter the report's title"})
    published_on = GovukDateField(label="Published by the Panel on",
                                  error_messages={"required": "Enter the publication date"})
    url = forms.URLField(label="Link to the report (optional)", required=False, max_length=500,
                         assume_scheme="https")
    recommendations = forms.CharField(
        label="Its recommendations", required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One per line, in the report's order; you can add more later.",
        max_length=NARRATIVE_LENGTH)

    def clean_recommendations(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["recommendations"].splitlines()
                if line.strip()]


class NationalRecommendationForm(forms.Form):
    text = forms.CharField(label="Recommendation", max_length=NARRATIVE_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": "Enter the recommendation"})


class ActionChoiceField(forms.ModelChoiceField):
    """An action named by its reference and the start of its text."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.reference}: {obj.action_text[:100]}"


class NationalMapForm(forms.Form):
    action = ActionChoiceField(label="The local action that answers it",
                               queryset=Action.objects.none(),
                               error_messages={"required": "Choose an action"})

    def __init__(self, *args: Any, actions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["action"]
        assert isinstance(field, ActionChoiceField)
        field.queryset = actions
