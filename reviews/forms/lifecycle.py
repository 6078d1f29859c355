"""Forms of the review itself: the referral, the stage records (notification, rapid review,
decision, report and publication dates) and stage moves. Field-level checks here; rules that
hold whatever the entry point (date order, transitions) live in the model's ``clean`` and
the services, whose errors the views put back on the form."""

from __future__ import annotations

import uuid

from django import forms

from agencies.models import Agency
from reviews.forms.base import ChangeReasonMixin, ReasonMixin
from reviews.models import Review
from scr.forms import GovukDateField
from scr.text import NARRATIVE_LENGTH, REASON_LENGTH, too_long

__all__ = [
    "DecisionForm", "NotificationForm", "PublicationCorrectionForm", "RapidReviewForm",
    "ReferralEditForm", "ReferralForm", "ReportDatesForm", "TransitionForm",
]


class ReferralForm(forms.Form):
    # ``| None``: the edit form removes these two (a declared field set to None).
    creation_token: forms.UUIDField | None
    agencies_involved: forms.ModelMultipleChoiceField[Agency] | None
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


class TransitionForm(forms.Form):
    to = forms.CharField(widget=forms.HiddenInput)
    expected_from = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(label="Reason or note", required=False, max_length=REASON_LENGTH,
                             error_messages=too_long("Reason or note", REASON_LENGTH),
                             widget=forms.Textarea(attrs={"rows": 3}))
