"""Forms of the report: sections, named versions, comments, sign-off and the board's response.
Field-level checks only: the rules (a stale save is refused, who may approve) live in the
services."""

from __future__ import annotations

from typing import Any

from django import forms

from agencies.models import Agency, Membership, User
from agencies.models.roles import Role
from reviews.forms.base import ReasonMixin
from reviews.forms.fields import choice_field, model_field
from reviews.models import (
    BoardResponseItem,
    ReportSection,
    Review,
)
from scr.text import DOCUMENT_LENGTH, NARRATIVE_LENGTH

__all__ = [
    "ApprovalForm",
    "ApproverAddForm",
    "ApproverForm",
    "BoardResponseForm",
    "CommentForm",
    "DesignateForm",
    "DesignationEndForm",
    "ResolveForm",
    "SectionAddForm",
    "SectionForm",
    "SnapshotForm",
]


class SectionForm(forms.Form):
    """The section editor: ``base_version`` is the version the text started from."""

    body = forms.CharField(label="Text", required=False,
                           widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "true"}),
                           help_text="Markdown: # headings, **bold**, *italics*, - lists, "
                                     "[links](https://…). HTML is not allowed.",
                           max_length=DOCUMENT_LENGTH)
    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    note = forms.CharField(label="What changed (optional)", required=False, max_length=300)


class SectionAddForm(forms.Form):
    title = forms.CharField(max_length=200,
                            error_messages={"required": "Enter the title of the section"})
    after: forms.ModelChoiceField = forms.ModelChoiceField(
        label="Place it after", queryset=ReportSection.objects.none(), required=False,
                                   empty_label="At the end")

    def __init__(self, *args: Any, review: Review, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_field(self, "after").queryset = review.report_sections.filter(withdrawn=False)


class SnapshotForm(forms.Form):
    name = forms.CharField(label="Name of this version", max_length=100,
                           help_text="For example “v3 for panel” or “v4 for family”.",
                           error_messages={"required": "Enter a name for this version"})
    share = forms.BooleanField(label="Share it with the panel now", required=False)


class CommentForm(forms.Form):
    text = forms.CharField(label="Your comment", widget=forms.Textarea(attrs={"rows": 4}),
                           error_messages={"required": "Enter your comment"}, max_length=NARRATIVE_LENGTH)


class ResolveForm(forms.Form):
    resolution = forms.CharField(label="What was done about it",
                                 widget=forms.Textarea(attrs={"rows": 3}),
                                 error_messages={"required": "Say what was done about the comment"},
                                 max_length=NARRATIVE_LENGTH)


class ApprovalForm(forms.Form):
    approver_key = forms.ChoiceField(label="Approve as", widget=forms.RadioSelect,
                                     error_messages={"required": "Select whose approval this is"})
    comment = forms.CharField(label="Comment (optional)", required=False,
                              widget=forms.Textarea(attrs={"rows": 2}), max_length=NARRATIVE_LENGTH)

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "approver_key").choices = choices


class BoardResponseForm(forms.Form):
    """The board's response, and a decision (with what it will do) per finding and
    recommendation: fields ``<key>`` and ``<key>-action`` for each."""

    response = forms.CharField(label="The board's response", widget=forms.Textarea(attrs={"rows": 5}),
                               error_messages={"required": "Enter the board's response"},
                               max_length=DOCUMENT_LENGTH)
    monitoring = forms.CharField(label="How the board will monitor the actions",
                                 widget=forms.Textarea(attrs={"rows": 3}),
                                 error_messages={"required": "Enter how the board will monitor"},
                                 max_length=NARRATIVE_LENGTH)

    def __init__(self, *args: Any, targets: list[tuple[str, str, str]], **kwargs: Any) -> None:
        """``targets``: (key, label, the finding's or recommendation's own words), so each
        question is asked beside what it is about."""
        super().__init__(*args, **kwargs)
        self.targets = targets
        for key, label, text in targets:
            self.fields[key] = forms.ChoiceField(
                label=f"{label}: does the board accept it?", widget=forms.RadioSelect,
                choices=BoardResponseItem.Decision.choices, help_text=text,
                error_messages={"required": f"Say whether the board accepts {label}"})
            self.fields[f"{key}-action"] = forms.CharField(
                label=f"{label}: what the board will do", required=False,
                widget=forms.Textarea(attrs={"rows": 2}), max_length=NARRATIVE_LENGTH)

    def clean(self) -> dict[str, Any]:
        """The decisions as the service takes them, from the validated fields."""
        data = super().clean() or {}
        data["decisions"] = {key: (data.get(key, ""), data.get(f"{key}-action", ""))
                             for key, _, _ in self.targets}
        return data


class ApproverAddForm(forms.Form):
    """A safeguarding partner whose approval sign-off needs."""

    agency_kind = forms.ChoiceField(
        label="Which kind of agency speaks for this partner", widget=forms.RadioSelect,
        choices=Agency.Kind.choices,
        help_text="Its representatives on a review's panel, and the agency leads you designate, "
                  "can give its approval.",
        error_messages={"required": "Select the kind of agency that speaks for this partner"})
    label = forms.CharField(label="Name of the partner, as the sign-off page shows it",
                            max_length=200,
                            error_messages={"required": "Enter the partner's name"})


class ApproverForm(ReasonMixin, forms.Form):
    label = forms.CharField(label="Name, as the sign-off page shows it", max_length=200,
                            error_messages={"required": "Enter the approver's name"})
    retired = forms.BooleanField(label="No longer needed for sign-off (retired)",
                                 required=False)


class DesignateForm(forms.Form):
    """An agency lead of the partner's kind of agency."""

    user = forms.ModelChoiceField(
        label="Agency lead", queryset=User.objects.none(), widget=forms.RadioSelect,
        empty_label=None, error_messages={"required": "Select the agency lead to designate"})

    def __init__(self, *args: Any, agency_kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        leads = Membership.objects.active().filter(role=Role.AGENCY_LEAD,
                                                   agency__kind=agency_kind)
        model_field(self, "user").queryset = User.objects.filter(
            pk__in=leads.values("user")).order_by("last_name", "first_name", "username")


class DesignationEndForm(ReasonMixin, forms.Form):
    pass
