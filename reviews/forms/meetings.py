"""Forms of the meetings and family involvement pages."""

from __future__ import annotations

from typing import Any

from django import forms

from agencies.models import Agency, User
from reviews.forms.base import ChangeReasonMixin, ReasonMixin, yes_no
from reviews.forms.fields import model_field
from reviews.models import FamilyContact, FamilyInvolvement, Meeting, ReportSnapshot, Review, Subject
from reviews.models.scope import identifiable_readers
from scr.forms import GovukDateField
from scr.text import DESCRIPTION_LENGTH, DOCUMENT_LENGTH, NARRATIVE_LENGTH

__all__ = [
    "ActionDoneForm", "AttendeeChoice", "FamilyCommentForm", "FamilyContactForm", "FamilyInvolvementEditForm",
    "FamilyInvolvementForm", "LearningFeedbackForm", "MeetingActionForm", "MeetingAttendeeForm",
    "MeetingEditForm", "MeetingForm", "MinutesForm", "SubjectChoice",
]


class MeetingForm(ChangeReasonMixin):
    kind = forms.ChoiceField(label="Kind of meeting", choices=Meeting.Kind.choices,
                             widget=forms.RadioSelect,
                             error_messages={"required": "Select the kind of meeting"})
    held_on = GovukDateField(label="Date of the meeting",
                             error_messages={"required": "Enter the date of the meeting"})
    agenda = forms.CharField(label="Agenda", required=False,
                             widget=forms.Textarea(attrs={"rows": 4}), max_length=NARRATIVE_LENGTH)
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 6}),
                            help_text="Upload the minutes as a document on the meeting's page.",
                            max_length=DOCUMENT_LENGTH)


class MeetingEditForm(ReasonMixin):
    held_on = GovukDateField(label="Date of the meeting",
                             error_messages={"required": "Enter the date of the meeting"})
    agenda = forms.CharField(label="Agenda", required=False,
                             widget=forms.Textarea(attrs={"rows": 4}), max_length=NARRATIVE_LENGTH)
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 6}),
                            max_length=DOCUMENT_LENGTH)
    field_order = ["held_on", "agenda", "notes", "reason"]


class AttendeeChoice(forms.ModelChoiceField):
    """Each person, marked when they may not receive the review's identifiable papers
    (``reviews.models.scope.identifiable_readers``): they would read pseudonymised notes
    only."""

    readers: frozenset[int] = frozenset()

    def label_from_instance(self, obj: User) -> str:
        if obj.pk in self.readers:
            return str(obj)
        return f"{obj} (pseudonymised notes only, no papers)"


class MeetingAttendeeForm(forms.Form):
    user = AttendeeChoice(label="Person (if they use this service)", required=False,
                          queryset=User.objects.filter(is_active=True),
                          empty_label="Not a user of this service",
                          help_text="Only people with access to the child's details in this "
                                    "review receive the minutes and other papers.")
    role = forms.CharField(label="Or their role", required=False, max_length=150,
                           help_text="For example 'Health visitor'. Never a name.")
    agency = forms.ModelChoiceField(label="Agency", required=False,
                                    queryset=Agency.objects.filter(is_active=True),
                                    empty_label="Not applicable")

    def __init__(self, *args: Any, review: Review, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        assert isinstance(field, AttendeeChoice)
        field.readers = frozenset(person.pk for person in identifiable_readers(review))


class MeetingActionForm(forms.Form):
    description = forms.CharField(label="Action", widget=forms.Textarea(attrs={"rows": 3}),
                                  error_messages={"required": "Enter the action"},
                                  max_length=DESCRIPTION_LENGTH)
    owner = forms.CharField(label="Owner", max_length=200,
                            help_text="A role and agency, e.g. 'Designated nurse, ICB'.",
                            error_messages={"required": "Enter who owns the action"})
    due_on = GovukDateField(label="Due date", error_messages={"required": "Enter the due date"})


class ActionDoneForm(forms.Form):
    done_on = GovukDateField(label="Date done", error_messages={"required": "Enter the date"})


class MinutesForm(forms.Form):
    upload = forms.FileField(label="Minutes (PDF, Word or OpenDocument text)",
                             error_messages={"required": "Select a file"})


class LearningFeedbackForm(forms.Form):
    what_helped = forms.CharField(label="What helped your learning?", required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}), max_length=NARRATIVE_LENGTH)
    what_could_improve = forms.CharField(label="What could be better?", required=False,
                                         widget=forms.Textarea(attrs={"rows": 4}),
                                         max_length=NARRATIVE_LENGTH)
    anonymous = forms.BooleanField(
        label="Give this feedback anonymously", required=False, initial=True,
        help_text="Nothing links anonymous feedback to you, not even the history.")


class FamilyInvolvementEditForm(ReasonMixin):
    invited = yes_no("Invited to take part?", "Select whether they were invited")
    invitation_reason = forms.CharField(
        label="Why, or why not", widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why they were invited, or why not"}, max_length=DESCRIPTION_LENGTH)
    consent = forms.ChoiceField(label="Consent", choices=FamilyInvolvement.Consent.choices,
                                widget=forms.RadioSelect,
                                error_messages={"required": "Select their consent"})
    support_needed = forms.CharField(label="Support needed (optional)", required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}), max_length=DESCRIPTION_LENGTH)
    interpreter_language = forms.CharField(label="Interpreter needed: language (optional)",
                                           required=False, max_length=100)
    field_order = ["invited", "invitation_reason", "consent", "support_needed",
                   "interpreter_language", "reason"]


class SubjectChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Subject) -> str:
        return f"{obj.pseudonym} ({obj.get_kind_display()})"


class FamilyInvolvementForm(FamilyInvolvementEditForm):
    subject = SubjectChoice(label="Family member", queryset=Subject.objects.none(),
                            empty_label="Select a family member",
                            help_text="From the review's pseudonym register.",
                            error_messages={"required": "Select a family member"})
    reason = None
    field_order = ["subject", "invited", "invitation_reason", "consent", "support_needed",
                   "interpreter_language"]

    def __init__(self, *args: Any, review: Review, **kwargs: Any) -> None:
        from reviews.services import FAMILY_KINDS

        super().__init__(*args, **kwargs)
        model_field(self, "subject").queryset = review.subjects.filter(
            withdrawn=False, kind__in=FAMILY_KINDS)


class FamilyContactForm(forms.Form):
    contacted_on = GovukDateField(label="Date", error_messages={"required": "Enter the date"})
    contacted_by = forms.CharField(label="By whom", max_length=200,
                                   help_text="Their role, e.g. 'Independent reviewer'.",
                                   error_messages={"required": "Enter who made the contact"})
    method = forms.ChoiceField(label="How", choices=FamilyContact.Method.choices,
                               widget=forms.RadioSelect,
                               error_messages={"required": "Select how"})
    summary = forms.CharField(label="Summary", widget=forms.Textarea(attrs={"rows": 4}),
                              error_messages={"required": "Enter a summary"}, max_length=NARRATIVE_LENGTH)


class FamilyCommentForm(forms.Form):
    received_on = GovukDateField(label="Date received",
                                 error_messages={"required": "Enter the date"})
    report_version = forms.ModelChoiceField(
        label="Version of the draft report they read", required=False,
        queryset=ReportSnapshot.objects.none(), empty_label="A version not kept here")
    report_version_label = forms.CharField(
        label="Or name the version (if it is not kept here)", max_length=100, required=False,
        help_text="As the draft is labelled, e.g. 'Draft 3, 12 May 2026'.")
    comments = forms.CharField(label="Their comments", widget=forms.Textarea(attrs={"rows": 5}),
                               error_messages={"required": "Enter their comments"},
                               max_length=DOCUMENT_LENGTH)
    response = forms.CharField(label="How the review responded (optional)", required=False,
                               widget=forms.Textarea(attrs={"rows": 3}), max_length=NARRATIVE_LENGTH)

    def __init__(self, *args: Any, review: Review, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        versions = model_field(self, "report_version")
        versions.queryset = ReportSnapshot.objects.filter(
            review=review).order_by("-number")
