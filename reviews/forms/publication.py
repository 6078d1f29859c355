"""Forms of the report's PDFs, publication and the published-reports library."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from reviews.forms.fields import choice_field, model_field
from reviews.models import TakedownDecision, Theme
from reviews.models.publication import CONFIDENTIAL_KIND, PUBLISHED_KIND
from scr.forms import GovukDateField
from scr.text import REASON_LENGTH, too_long

__all__ = [
    "DismissNameForm", "FormDecisionForm", "LibrarySearchForm", "PanelNoticeForm",
    "PublicNameForm", "PublishForm", "RenderForm", "TakedownForm", "WaiverForm",
]

NOT_A_NAME = "not-a-name"


def _reason(label: str, message: str, *, required: bool = True) -> forms.CharField:
    return forms.CharField(label=label, max_length=REASON_LENGTH, required=required,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": message, **too_long("Reason",
                                                                           REASON_LENGTH)},
                           help_text="Kept in the review's history with your name.")


class RenderForm(forms.Form):
    kind = forms.ChoiceField(label="Which PDF", widget=forms.RadioSelect, choices=[
        (PUBLISHED_KIND, "Anonymised (for publication, leak-checked)"),
        (CONFIDENTIAL_KIND, "Confidential (real names, for the panel)")],
        error_messages={"required": "Choose which PDF to make"})


class WaiverForm(forms.Form):
    reason = _reason("Why can this be published?", "Enter why this hit can be published")


class DismissNameForm(forms.Form):
    name = forms.CharField(label="The possible name", max_length=100,
                           error_messages={"required": "Enter the name to dismiss"})
    reason = _reason("Why is it nobody's name?", "Enter why this is nobody's name")


class FormDecisionForm(forms.Form):
    """Whose a name the anonymiser left undecided is (the people it may be first, then
    everyone else in the register), or that it is nobody's name."""

    whose = forms.ChoiceField(label="Who is it?", widget=forms.RadioSelect,
                              error_messages={"required": "Choose who it is, or that it is "
                                                          "not a name"})
    where = forms.ChoiceField(label="Where does this apply?", widget=forms.RadioSelect,
                              initial="here", choices=[
                                  ("here", "Only here (this sentence)"),
                                  ("everywhere", "Everywhere this form is left undecided in "
                                                 "the report")],
                              error_messages={"required": "Choose where this applies"})
    reason = _reason("Why (required for “not a name”)", "", required=False)

    def __init__(self, *args: Any, people: list[tuple[str, str]], not_a_name: str,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["whose"].choices = [*people, (NOT_A_NAME, not_a_name)]  # type: ignore[attr-defined]


class PublicNameForm(forms.Form):
    name = forms.CharField(label="Name, as the report prints it", max_length=200,
                           error_messages={"required": "Enter the name as the report prints it"})
    role = forms.CharField(label="Why the report names them", max_length=200,
                           help_text="For example “author of the report” or “chair of the "
                                     "partnership, who signs the foreword”.",
                           error_messages={"required": "Enter why the report names them"})


class PanelNoticeForm(forms.Form):
    sent_on = GovukDateField(label="Date this PDF was sent to the national Panel",
                             error_messages={"required": "Enter the date it was sent"})


class PublishForm(forms.Form):
    published_on = GovukDateField(label="Publication date", required=False,
                                  help_text="Leave blank for today (or the date already "
                                            "recorded).")
    reason = _reason("Note (optional)", "", required=False)


class TakedownForm(forms.Form):
    decision = forms.ChoiceField(label="Decision", widget=forms.RadioSelect,
                                 choices=TakedownDecision.Decision.choices,
                                 error_messages={"required": "Choose whether to keep or "
                                                             "withdraw the report"})
    reason = _reason("Reason", "Enter the reason for the decision")


class LibrarySearchForm(forms.Form):
    q = forms.CharField(label="Search the text", required=False, max_length=200,
                        error_messages=too_long("Search", 200))
    year = forms.TypedChoiceField(label="Year published", required=False, coerce=int,
                                  empty_value=None)
    theme = forms.ModelChoiceField(label="Theme", required=False, queryset=Theme.objects.none(),
                                   empty_label="Any theme")

    def __init__(self, *args: Any, years: list[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        choices = years or [this_year]
        choice_field(self, "year").choices = [("", "Any year"), *((y, str(y)) for y in choices)]
        model_field(self, "theme").queryset = Theme.objects.order_by("name")
