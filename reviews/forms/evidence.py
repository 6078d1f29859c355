"""Forms for evidence requests, their answers and documents. Field-level checks only: the rules
(who, which state, due dates, duplicates, file types) live in
``reviews/services/evidence.py`` and ``scr/documents.py``, whose errors come back here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from agencies.models import Agency
from reviews.forms.base import ReasonMixin
from reviews.forms.fields import model_field
from reviews.models import (
    IMR_HEADINGS,
    AgencyReport,
    EvidenceKind,
    EvidenceRequest,
    EvidenceStatus,
    FactualAnswer,
    ReportSnapshot,
    Review,
    SnapshotPart,
)
from scr import filetypes
from scr.forms import GovukDateField
from scr.text import DESCRIPTION_LENGTH, NARRATIVE_LENGTH, REASON_LENGTH

__all__ = [
    "SENT_KINDS",
    "AcceptManyForm",
    "AgencyReportForm",
    "DocumentReasonForm",
    "DocumentUploadForm",
    "EvidenceEditForm",
    "EvidenceSendForm",
    "FactualAnswerForm",
    "FactualCheckSendForm",
    "ReturnForm",
    "SubmitForm",
    "WithdrawForm",
]


# The kinds sent from the evidence page (a factual-accuracy check is sent from a version of
# the report, with its sections).
SENT_KINDS = [(k, label) for k, label in EvidenceKind.choices if k != EvidenceKind.FACTUAL_ACCURACY]


class EvidenceSendForm(forms.Form):
    agencies: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label="Agencies", queryset=Agency.objects.none(), widget=forms.CheckboxSelectMultiple,
        help_text="Each agency gets its own request, with the same words and due date.",
        error_messages={"required": "Select at least one agency"})
    kind = forms.ChoiceField(label="What kind of evidence", choices=SENT_KINDS,
                             widget=forms.RadioSelect,
                             error_messages={"required": "Select the kind of evidence"})
    description = forms.CharField(label="What is needed", widget=forms.Textarea(attrs={"rows": 4}),
                                  error_messages={"required": "Describe what is needed"},
                                  max_length=DESCRIPTION_LENGTH)
    due_on = GovukDateField(label="Due on", error_messages={"required": "Enter the due date"})

    def __init__(self, *args: Any, review: Review, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_field(self, "agencies").queryset = review.agencies_involved.order_by("name")


class EvidenceEditForm(ReasonMixin):
    description = forms.CharField(label="What is needed", widget=forms.Textarea(attrs={"rows": 4}),
                                  error_messages={"required": "Describe what is needed"},
                                  max_length=DESCRIPTION_LENGTH)
    due_on = GovukDateField(label="Due on", error_messages={"required": "Enter the due date"})
    field_order = ["description", "due_on", "reason"]


class ReturnForm(forms.Form):
    missing = forms.CharField(label="What is missing", widget=forms.Textarea(attrs={"rows": 4}),
                              help_text="The agency's leads read this and are e-mailed.",
                              error_messages={"required": "Say what is missing"}, max_length=NARRATIVE_LENGTH)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="Reason for withdrawing", widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "Enter the reason for withdrawing"},
                             max_length=REASON_LENGTH)


class _AnswerChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return (f"{obj.get_kind_display()} from {obj.agency} "
                f"({obj.get_status_display().lower()}, due {obj.due_on:%-d %B %Y})")


class AcceptManyForm(forms.Form):
    """The review's submitted answers, each a box: accepting several is one step."""

    requests = _AnswerChoices(
        label="The evidence to accept", queryset=EvidenceRequest.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select the evidence to accept"})

    def __init__(self, *args: Any, review: Review, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = model_field(self, "requests")
        field.queryset = review.evidence_requests.filter(
            status__in=[EvidenceStatus.SUBMITTED, EvidenceStatus.RESUBMITTED]).select_related(
            "agency").order_by("agency__name", "kind")


class SubmitForm(forms.Form):
    expected_number = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    note = forms.CharField(label="Note (optional)", required=False,
                           widget=forms.Textarea(attrs={"rows": 4}),
                           help_text="Anything the reviewer should know about this answer.",
                           max_length=NARRATIVE_LENGTH)

    def __init__(self, *args: Any, kind: str = "", **kwargs: Any) -> None:
        """A rapid-review agency summary is written here (a text box of its own), or
        uploaded as a document; the service needs one or the other."""
        super().__init__(*args, **kwargs)
        if kind == EvidenceKind.SUMMARY:
            note = self.fields["note"]
            note.label = "Your agency's summary for the rapid review"
            note.help_text = ("What your agency knew of the child and family, its involvement, "
                              "and any immediate concerns. Or upload it as a document instead.")
            note.widget.attrs["rows"] = 14


def _max_mb() -> int:
    return settings.DOCUMENT_MAX_SIZE // (1024 * 1024)


class DocumentUploadForm(forms.Form):
    file = forms.FileField(label="Upload a file",
                           error_messages={"required": "Select a file",
                                           "empty": "The selected file is empty"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            f"{filetypes.describe(filetypes.EVIDENCE_TYPES)}, smaller than {_max_mb()}MB. "
            "Files with macros or a password are not accepted.")


class AgencyReportForm(forms.ModelForm):
    """The standard headings of an agency report (IMR)."""

    records_secured_on = GovukDateField(label="Date the agency's records were secured",
                                        required=False)

    class Meta:
        model = AgencyReport
        fields = [name for name, _, _ in IMR_HEADINGS]
        labels = {name: label for name, label, _ in IMR_HEADINGS}
        help_texts = {name: hint for name, _, hint in IMR_HEADINGS if hint}
        widgets = {name: forms.Textarea(attrs={"rows": 5}) for name, _, _ in IMR_HEADINGS
                   if name != "records_secured_on"}


class DocumentReasonForm(ReasonMixin):
    pass


class FactualCheckSendForm(forms.Form):
    """One set of section boxes per involved agency: the sections about it. An agency with
    no section ticked gets no request."""

    due_on = GovukDateField(label="Due on", error_messages={"required": "Enter the due date"})
    description = forms.CharField(
        label="Message to the agencies (optional)", required=False,
        widget=forms.Textarea(attrs={"rows": 3}), max_length=DESCRIPTION_LENGTH,
        help_text="If left empty, they are asked to check the sections for factual accuracy.")

    def __init__(self, *args: Any, snapshot: ReportSnapshot, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parts = SnapshotPart.objects.filter(snapshot=snapshot).order_by("position")
        self.agencies = list(snapshot.review.agencies_involved.order_by("name"))
        self.parts = parts
        sections: dict[str, forms.Field] = {}
        for agency in self.agencies:
            # One box ticks every section for the agency: read by the server (so it works
            # without JavaScript); with it, static/js/forms.js ticks the boxes below as well.
            sections[f"agency_{agency.pk}_all"] = forms.BooleanField(
                label=f"Every section for {agency}", required=False,
                widget=forms.CheckboxInput(attrs={"data-check-all": f"agency_{agency.pk}"}))
            sections[f"agency_{agency.pk}"] = forms.ModelMultipleChoiceField(
                label=f"Sections for {agency} to check", queryset=parts, required=False,
                widget=forms.CheckboxSelectMultiple)
        # The agencies' boxes first, then the due date and the message.
        self.fields = {**sections, **self.fields}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for agency in self.agencies:
            if data.get(f"agency_{agency.pk}_all"):
                data[f"agency_{agency.pk}"] = list(self.parts)
        data["agency_sections"] = {
            agency: list(data[f"agency_{agency.pk}"]) for agency in self.agencies
            if data.get(f"agency_{agency.pk}")}
        if not data["agency_sections"] and not self.errors:
            raise forms.ValidationError("Select the sections to send to at least one agency")
        return data


class FactualAnswerForm(forms.Form):
    expected_number = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    answer = forms.ChoiceField(
        label="Are these sections factually accurate?", choices=FactualAnswer.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the sections are accurate or need corrections"})
    # Its own label, not the answer's "Corrections needed" (two controls named alike).
    corrections = forms.CharField(
        label="The corrections", required=False, widget=forms.Textarea(attrs={"rows": 8}),
        max_length=NARRATIVE_LENGTH,
        help_text="Which section, what it says, and what it should say. Needed if you answer "
                  "“Corrections needed”.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("answer") == FactualAnswer.CORRECTIONS and not (
                data.get("corrections") or "").strip():
            self.add_error("corrections", "Enter the corrections needed")
        return data
