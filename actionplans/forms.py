"""Forms of the action-plan pages. Field checks only: every rule lives in the services,
whose errors the views put back on the form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from actionplans.models import Action, ActionStatus, Rag
from actionplans.services import AGENCY_MOVES
from agencies.models import Agency, Membership, User
from reviews.forms.fields import choice_field, model_field
from reviews.models import Recommendation
from scr.forms import GovukDateField
from scr.text import NARRATIVE_LENGTH, too_long


def _text(label: str, message: str, rows: int = 3, *, max_length: int = NARRATIVE_LENGTH,
          **kwargs: Any) -> forms.CharField:
    """A free-text field, bounded (a reason is shorter: pass ``REASON_LENGTH``)."""
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": rows}),
                           max_length=max_length,
                           error_messages={"required": message,
                                           **too_long(label, max_length)}, **kwargs)


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_full_name() or obj.username} ({obj.username})"


class ActionForm(forms.Form):
    scope = forms.ChoiceField(choices=Recommendation.Scope.choices, widget=forms.RadioSelect,
                              error_messages={"required": "Select the scope"})
    action_text = _text("Action to be taken", "Enter the action to be taken", 4)
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
    success_measure = _text("Success measure", "Enter the success measure",
                            help_text="How we will know it worked.")
    agency_response = forms.CharField(label="Agency's response", required=False,
                                      widget=forms.Textarea(attrs={"rows": 3}), max_length=NARRATIVE_LENGTH)


class ProgressForm(forms.Form):
    note = _text("Progress note", "Enter a progress note",
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
    reason = _text("Reason for the change", "Enter the reason for changing the target date", 2,
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
    missing = _text("What is missing", "Enter what is missing",
                    help_text="The agency sees this on the action.")


class CloseForm(forms.Form):
    reason = _text("Reason for closing the action", "Enter the reason for closing the action",
                   help_text="For example, superseded by a national change.")


class MonitoringForm(forms.Form):
    held_on = GovukDateField(label="Date of the monitoring review",
                             error_messages={"required": "Enter the date of the review"})
    overall_rag = forms.ChoiceField(label="Overall RAG", choices=Rag.choices,
                                    widget=forms.RadioSelect,
                                    error_messages={"required": "Select the overall RAG"})
    commentary = _text("Commentary", "Enter the commentary", 5)
    next_due_on = GovukDateField(label="Next monitoring review due (optional)", required=False,
                                 help_text="Leave blank for three months after this one.")


class SignOffForm(forms.Form):
    note = _text("The board's sign-off", "Enter the board's sign-off note",
                 help_text="Recorded with your name; the review then closes.")


class ImportForm(forms.Form):
    file = forms.FileField(label="Upload the action plan (.xlsx)",
                           error_messages={"required": "Select a file"})


class PauseForm(forms.Form):
    starts_on = GovukDateField(label="Pause from", initial=timezone.localdate,
                               error_messages={"required": "Enter the first day of the pause"})
    ends_on = GovukDateField(label="Until (optional)", required=False,
                             help_text="Leave blank to pause until you end it.")
    reason = _text("Reason", "Enter the reason for pausing reminders", 2,
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
        model_field(self, "user").queryset = User.objects.filter(
            is_active=True, memberships__agency=agency).distinct()
