"""Forms of an action: its details, progress updates, milestones, the target date, evidence of
impact, verification and closure."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from actionplans.forms.base import text_field
from actionplans.models import Action, ActionStatus
from actionplans.services import AGENCY_MOVES
from agencies.models import Agency, Membership, User
from reviews.forms.fields import choice_field
from reviews.models import Recommendation
from scr.forms import GovukDateField
from scr.text import NARRATIVE_LENGTH

__all__ = [
    "ActionForm",
    "CloseForm",
    "EvidenceForm",
    "MilestoneDoneForm",
    "MilestoneForm",
    "PersonChoice",
    "ProgressForm",
    "ReturnForm",
    "TargetDateForm",
    "VerifyForm",
]


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_full_name() or obj.username} ({obj.username})"


class ActionForm(forms.Form):
    scope = forms.ChoiceField(choices=Recommendation.Scope.choices, widget=forms.RadioSelect,
                              error_messages={"required": "Select the scope"})
    action_text = text_field("Action to be taken", "Enter the action to be taken", 4)
    lead_agency = forms.ModelChoiceField(queryset=Agency.objects.filter(is_active=True),
                                         empty_label="Choose the lead agency",
                                         error_messages={"required": "Choose the lead agency"})
    owner = PersonChoice(
        queryset=User.objects.filter(is_active=True, memberships__in=Membership.objects.active(),
                                     memberships__agency__isnull=False).distinct(),
        empty_label="Choose the owner", help_text="A member of the lead agency.",
        error_messages={"required": "Choose the owner"})
    target_date = GovukDateField(label="Target date",
                                 error_messages={"required": "Enter the target date"})
    success_measure = text_field("Success measure", "Enter the success measure",
                            help_text="How we will know it worked.")
    agency_response = forms.CharField(label="Agency's response", required=False,
                                      widget=forms.Textarea(attrs={"rows": 3}), max_length=NARRATIVE_LENGTH)


class ProgressForm(forms.Form):
    note = text_field("Progress note", "Enter a progress note",
                 help_text="What has been done since the last update.")
    status = forms.ChoiceField(widget=forms.RadioSelect,
                               error_messages={"required": "Select the status"})
    completed_on = GovukDateField(label="Date of completion (if completed)", required=False)
    outcome = forms.CharField(label="Outcome (if completed)", required=False,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="What changed for children and families.",
                              max_length=NARRATIVE_LENGTH)
    agency_response = forms.CharField(label="Agency's response", required=False,
                                      widget=forms.Textarea(attrs={"rows": 3}), max_length=NARRATIVE_LENGTH)

    def __init__(self, *args: Any, action: Action, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = {action.status, *AGENCY_MOVES.get(action.status, frozenset())}
        choice_field(self, "status").choices = [
            (v, label) for v, label in ActionStatus.choices if v in allowed]
        self.fields["status"].initial = action.status


class MilestoneForm(forms.Form):
    description = forms.CharField(label="Milestone", max_length=300,
                                  error_messages={"required": "Enter the milestone"})
    due_on = GovukDateField(label="Date due", error_messages={"required": "Enter the date due"})


class MilestoneDoneForm(forms.Form):
    done_on = GovukDateField(label="Date done", initial=timezone.localdate,
                             error_messages={"required": "Enter the date done"})


class TargetDateForm(forms.Form):
    target_date = GovukDateField(label="New target date",
                                 error_messages={"required": "Enter the new target date"})
    reason = text_field("Reason for the change", "Enter the reason for changing the target date", 2,
                   help_text="The original target date stays visible beside the new one.")


class EvidenceForm(forms.Form):
    title = forms.CharField(label="What the evidence shows", max_length=200,
                            error_messages={"required": "Enter what the evidence shows"},
                            help_text="Uploading again with the same words makes a new version.")
    file = forms.FileField(label="Upload a file",
                           error_messages={"required": "Select a file"},
                           help_text="PDF, Word, Excel, OpenDocument text, plain text, PNG or "
                                     "JPEG.")


class VerifyForm(forms.Form):
    note = forms.CharField(label="Note (optional)", required=False,
                           widget=forms.Textarea(attrs={"rows": 2}), max_length=NARRATIVE_LENGTH)


class ReturnForm(forms.Form):
    missing = text_field("What is missing", "Enter what is missing",
                    help_text="The agency sees this on the action.")


class CloseForm(forms.Form):
    reason = text_field("Reason for closing the action", "Enter the reason for closing the action",
                   help_text="For example, superseded by a national change.")
