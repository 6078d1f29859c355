"""Forms for the review lifecycle. Field-level checks here; rules that hold
whatever the entry point (date order, independence, transitions) live in the
model's ``clean`` and the services, whose errors the views put back on the form."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms

from agencies.models import Agency, User
from scr.anonymise import IDENTIFIER_KINDS
from scr.forms import GovukDateField
from scr.text import DESCRIPTION_LENGTH, NARRATIVE_LENGTH, REASON_LENGTH, too_long

from .models import ClockKind, PanelAppointment, ParallelProcess, Review, Subject, TermsOfReference


def _agencies() -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        queryset=Agency.objects.filter(is_active=True), widget=forms.CheckboxSelectMultiple,
        required=False)


class ReasonMixin(forms.Form):
    reason = forms.CharField(label="Reason for the change", max_length=REASON_LENGTH,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "Enter the reason for this change",
                                             **too_long("Reason", REASON_LENGTH)},
                             help_text="Kept in the review's history with your name.")


class ChangeReasonMixin(forms.Form):
    """Recording for the first time needs no reason; changing what was recorded does."""

    reason = forms.CharField(label="Reason for the change (if you are changing a date or "
                                   "decision already recorded)", required=False,
                             max_length=REASON_LENGTH, error_messages=too_long("Reason",
                                                                               REASON_LENGTH),
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="Kept in the review's history with your name.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields([name for name in self.fields if name != "reason"] + ["reason"])


PAUSABLE_CLOCKS = [(k, label) for k, label in ClockKind.choices
                   if k != ClockKind.PUBLICATION_NOTICE]


class ReferralForm(forms.Form):
    creation_token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    incident_date = GovukDateField(label="Date of the incident",
                                   error_messages={"required": "Enter the date of the incident"})
    aware_date = GovukDateField(
        label="Date the local authority became aware",
        error_messages={"required": "Enter the date the local authority became aware"})
    harm = forms.ChoiceField(choices=Review.Harm.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Select the harm"})
    abuse_or_neglect = forms.ChoiceField(label="Abuse or neglect", widget=forms.RadioSelect,
                                         choices=Review.AbuseNeglect.choices,
                                         error_messages={"required": "Select known or suspected"})
    what_happened = forms.CharField(label="What happened", widget=forms.Textarea(attrs={"rows": 5}),
                                    max_length=NARRATIVE_LENGTH,
                                    error_messages={"required": "Describe what happened",
                                                    **too_long("What happened",
                                                               NARRATIVE_LENGTH)})
    criteria_met = forms.BooleanField(label="The criteria for a review appear to be met",
                                      required=False)
    referring_agency = forms.ModelChoiceField(
        queryset=Agency.objects.filter(is_active=True), empty_label="Select an agency",
        error_messages={"required": "Select the referring agency"})
    agencies_involved = forms.ModelMultipleChoiceField(
        label="Agencies known to have been involved", required=False,
        queryset=Agency.objects.filter(is_active=True), widget=forms.CheckboxSelectMultiple)


class ReferralEditForm(ReasonMixin, ReferralForm):
    creation_token = None
    agencies_involved = None
    field_order = ["incident_date", "aware_date", "harm", "abuse_or_neglect", "what_happened",
                   "criteria_met", "referring_agency", "reason"]


class NotificationForm(ChangeReasonMixin):
    notification_sent_on = GovukDateField(
        label="Date the national Panel and Ofsted were notified",
        error_messages={"required": "Enter the date the notification was sent"})


class RapidReviewForm(ChangeReasonMixin):
    rapid_review_meeting_on = GovukDateField(label="Date of the rapid review meeting",
                                             required=False)
    rapid_review_report_sent_on = GovukDateField(label="Date the rapid review report was sent "
                                                       "to the national Panel", required=False)
    national_panel_reply_on = GovukDateField(label="Date of the national Panel's reply",
                                             required=False)
    national_panel_reply = forms.CharField(label="The national Panel's reply", required=False,
                                           widget=forms.Textarea(attrs={"rows": 3}),
                                           max_length=NARRATIVE_LENGTH,
                                           error_messages=too_long("The national Panel's reply",
                                                                   NARRATIVE_LENGTH))


class DecisionForm(ChangeReasonMixin):
    decision = forms.ChoiceField(choices=Review.Decision.choices, widget=forms.RadioSelect,
                                 error_messages={"required": "Select the decision"})
    decision_date = GovukDateField(label="Date of the decision",
                                   error_messages={"required": "Enter the date of the decision"})
    decision_reasons = forms.CharField(label="Reasons", widget=forms.Textarea(attrs={"rows": 4}),
                                       max_length=NARRATIVE_LENGTH,
                                       error_messages={"required": "Enter the reasons for the "
                                                                   "decision",
                                                       **too_long("The reasons", NARRATIVE_LENGTH)})


class ReportDatesForm(ChangeReasonMixin):
    final_report_received_on = GovukDateField(label="Date the final report was received",
                                              required=False)
    planned_publication_on = GovukDateField(label="Planned publication date", required=False)
    national_panel_sent_report_on = GovukDateField(
        label="Date the final report was sent to the national Panel", required=False)
    published_on = GovukDateField(label="Date published", required=False)


class PublicationCorrectionForm(ReasonMixin):
    """The one way to change the date of a published review (services.publication_date_correct)."""

    published_on = GovukDateField(label="Corrected publication date",
                                  error_messages={"required": "Enter the corrected publication "
                                                              "date"})
    field_order = ["published_on", "reason"]


class TermsForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    scope_start = GovukDateField(label="Scope period starts",
                                 error_messages={"required": "Enter the start of the scope period"})
    scope_end = GovukDateField(label="Scope period ends",
                               error_messages={"required": "Enter the end of the scope period"})
    method = forms.ChoiceField(choices=TermsOfReference.Method.choices, widget=forms.RadioSelect,
                               error_messages={"required": "Select the review method"})
    key_lines_of_enquiry = forms.CharField(label="Key lines of enquiry",
                                           widget=forms.Textarea(attrs={"rows": 6}),
                                           max_length=NARRATIVE_LENGTH,
                                           error_messages={"required": "Enter the key lines of "
                                                                       "enquiry",
                                                           **too_long("Key lines of enquiry",
                                                                      NARRATIVE_LENGTH)})
    agencies_in_scope = forms.ModelMultipleChoiceField(
        label="Agencies in scope", queryset=Agency.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select the agencies in scope"})

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("scope_start") and data.get("scope_end") and \
                data["scope_end"] < data["scope_start"]:
            self.add_error("scope_end", "The end of the scope period must be on or after its start")
        return data


class AppointForm(forms.Form):
    panel_role = forms.ChoiceField(label="Place on the panel", widget=forms.RadioSelect,
                                   choices=PanelAppointment.PanelRole.choices,
                                   error_messages={"required": "Select the place on the panel"})
    user = forms.ModelChoiceField(label="Person", queryset=User.objects.filter(is_active=True),
                                  empty_label="Select a person",
                                  error_messages={"required": "Select the person to appoint"})
    agency = forms.ModelChoiceField(
        label="Agency represented (panel members only)", required=False,
        queryset=Agency.objects.filter(is_active=True), empty_label="Not applicable")
    independence_declaration = forms.CharField(
        label="Independence declaration (reviewer and chair)", required=False,
        widget=forms.Textarea(attrs={"rows": 3}), max_length=DESCRIPTION_LENGTH,
        error_messages=too_long("The independence declaration", DESCRIPTION_LENGTH),
        help_text="Their statement that they are independent of the case and of the agencies "
                  "whose work is reviewed.")


class SubjectForm(forms.ModelForm):
    date_of_birth = GovukDateField(label="Date of birth", required=False)

    class Meta:
        model = Subject
        fields = ["kind", "pseudonym", "full_name", "date_of_birth"]
        widgets = {"kind": forms.RadioSelect}
        labels = {"kind": "Who they are in the case"}
        error_messages = {"pseudonym": {"required": "Enter a pseudonym, for example Child A"},
                          "full_name": {"required": "Enter their full name"},
                          "kind": {"required": "Select who they are in the case"},
                          "other_names": too_long("Other names", DESCRIPTION_LENGTH),
                          "address": too_long("Address", DESCRIPTION_LENGTH),
                          "identifiers": too_long("Identifiers", DESCRIPTION_LENGTH)}


class SubjectEditForm(SubjectForm, ReasonMixin):
    pass


class SubjectIdentifierForm(forms.Form):
    """Other names, addresses, numbers: one at a time, each checked for its kind."""

    kind = forms.ChoiceField(label="What it is", choices=IDENTIFIER_KINDS,
                             widget=forms.RadioSelect,
                             error_messages={"required": "Select what kind of identifier this is"})
    value = forms.CharField(label="The name, address or number", max_length=1000,
                            widget=forms.Textarea(attrs={"rows": 3}),
                            help_text="An address may take several lines. Numbers may be "
                                      "typed with or without spaces.",
                            error_messages={"required": "Enter the identifier"})


class NameVariantForm(forms.Form):
    text = forms.CharField(label="Name variant", max_length=200,
                           help_text="A spelling, nickname or short form this person is known "
                                     "by that the list above does not have.",
                           error_messages={"required": "Enter the name variant"})
    reason = forms.CharField(label="Why it is needed", required=False, max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="Kept in the review's history with your name.")


class NameVariantRemoveForm(ReasonMixin):
    variant = forms.CharField(widget=forms.HiddenInput)


class ParallelProcessForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of process", choices=ParallelProcess.Kind.choices,
                             widget=forms.RadioSelect,
                             error_messages={"required": "Select the kind of process"})
    opened_on = GovukDateField(label="Started on",
                               error_messages={"required": "Enter the date it started"})
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                  max_length=DESCRIPTION_LENGTH,
                                  error_messages=too_long("Description", DESCRIPTION_LENGTH))
    pause_clocks = forms.MultipleChoiceField(
        label="Pause these clocks while it is open", required=False,
        choices=PAUSABLE_CLOCKS, widget=forms.CheckboxSelectMultiple)


class ClearForm(ReasonMixin):
    cleared_on = GovukDateField(label="Cleared on",
                                error_messages={"required": "Enter the date it cleared"})
    field_order = ["cleared_on", "reason"]


class PauseForm(forms.Form):
    clock = forms.ChoiceField(choices=PAUSABLE_CLOCKS, widget=forms.RadioSelect,
                              error_messages={"required": "Select the clock to pause"})
    paused_on = GovukDateField(label="Paused from",
                               error_messages={"required": "Enter the date the pause starts"})
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=REASON_LENGTH,
                             error_messages={"required": "Enter the reason for pausing the clock",
                                             **too_long("Reason", REASON_LENGTH)})


class ResumeForm(ReasonMixin):
    resumed_on = GovukDateField(label="Resumed on",
                                error_messages={"required": "Enter the date the clock resumes"})
    field_order = ["resumed_on", "reason"]


class DelayForm(ChangeReasonMixin):
    clock = forms.ChoiceField(choices=ClockKind.choices, widget=forms.RadioSelect,
                              error_messages={"required": "Select the clock"})
    explanation = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}),
                                  max_length=NARRATIVE_LENGTH,
                                  error_messages={"required": "Enter the explanation for the "
                                                              "delay",
                                                  **too_long("Explanation", NARRATIVE_LENGTH)})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = ("Reason for the change (if you are changing an "
                                       "explanation already recorded)")


class TransitionForm(forms.Form):
    to = forms.CharField(widget=forms.HiddenInput)
    expected_from = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(label="Reason or note", required=False, max_length=REASON_LENGTH,
                             error_messages=too_long("Reason or note", REASON_LENGTH),
                             widget=forms.Textarea(attrs={"rows": 3}))


class DashboardFilterForm(forms.Form):
    stage = forms.ChoiceField(required=False, choices=[("", "All stages"), *[
        c for c in Review._meta.get_field("stage").choices]])
    rag = forms.ChoiceField(label="RAG status", required=False,
                            choices=[("", "All"), ("red", "Red"), ("amber", "Amber"),
                                     ("green", "Green")])
    sort = forms.ChoiceField(label="Sort by", required=False,
                             choices=[("due", "Next due date"), ("reference", "Reference"),
                                      ("stage", "Stage"), ("days", "Days in stage")])
