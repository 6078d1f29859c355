"""Forms of the analysis: themes, findings and their evidence, recommendations. Field-level
checks only: the rules (a recommendation needs a finding, who may) live in the services,
whose errors the views put back on these forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q

from agencies.models import Agency
from reviews.formats.report import key_lines
from reviews.forms.fields import choice_field, model_field
from reviews.models import (
    ChronologyEntry,
    Episode,
    EvidenceKind,
    EvidenceRequest,
    EvidenceStatus,
    EvidenceSubmission,
    Finding,
    FindingEvidence,
    Meeting,
    Recommendation,
    Review,
    Theme,
)
from scr.text import DESCRIPTION_LENGTH, NARRATIVE_LENGTH

__all__ = ["FindingEvidenceForm", "FindingForm", "RecommendationForm", "ThemeForm"]


class ThemeForm(forms.Form):
    name = forms.CharField(max_length=100, error_messages={"required": "Enter the name of the theme"})
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                  max_length=DESCRIPTION_LENGTH)
    retired = forms.BooleanField(label="Retired (no longer offered for new findings)",
                                 required=False)


class FindingForm(forms.Form):
    title = forms.CharField(label="Finding, in one sentence", max_length=200,
                            error_messages={"required": "Enter the finding in one sentence"})
    statement = forms.CharField(
        label="The finding", widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What about the system made this practice likely. Markdown.",
        error_messages={"required": "Describe the finding"}, max_length=NARRATIVE_LENGTH)
    why_it_matters = forms.CharField(
        label="Why it matters beyond this case", widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why the finding matters beyond this case"},
                                     max_length=NARRATIVE_LENGTH)
    themes = forms.ModelMultipleChoiceField(queryset=Theme.objects.none(), required=False,
                                            widget=forms.CheckboxSelectMultiple)
    lines_of_enquiry = forms.MultipleChoiceField(
        label="Key lines of enquiry it answers", required=False,
        widget=forms.CheckboxSelectMultiple)
    reason = forms.CharField(label="What changed (for the history)", required=False,
                             max_length=500)

    def __init__(self, *args: Any, review: Review, finding: Finding | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        had = finding.themes.all() if finding is not None else Theme.objects.none()
        model_field(self, "themes").queryset = Theme.objects.filter(
            Q(retired=False) | Q(pk__in=had.values("pk")))
        lines = key_lines(review.terms.first())
        extra = [line for line in (finding.lines_of_enquiry if finding else []) if line not in lines]
        choice_field(self, "lines_of_enquiry").choices = [(line, line) for line in [*lines, *extra]]
        if not lines:
            self.fields["lines_of_enquiry"].help_text = (
                "The terms of reference have no key lines of enquiry yet.")
        if finding is None:
            del self.fields["reason"]


class _Labelled(forms.ModelChoiceField):
    """A choice labelled by a function of the record (not its ``__str__``)."""

    def __init__(self, *args: Any, label_of: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.label_of = label_of

    def label_from_instance(self, obj: Any) -> str:
        return str(self.label_of(obj))


def _entry_label(entry: ChronologyEntry) -> str:
    text = entry.what_happened if len(entry.what_happened) <= 80 else (
        entry.what_happened[:79].rsplit(" ", 1)[0] + "…")
    return f"{entry.occurred_on:%-d %b %Y}, {entry.agency}: {text}"


class FindingEvidenceForm(forms.Form):
    kind = forms.ChoiceField(label="What kind of evidence", choices=FindingEvidence.Kind.choices,
                             widget=forms.RadioSelect,
                             error_messages={"required": "Select the kind of evidence"})
    episode = forms.ModelChoiceField(
        label="Which episode", queryset=Episode.objects.none(), required=False,
        empty_label="None")
    chronology_entry = _Labelled(
        label="Which entry", queryset=ChronologyEntry.objects.none(), required=False,
        empty_label="None", label_of=_entry_label,
        help_text="Submitted entries marked significant or key, in date order.")
    agency_report = _Labelled(
        label="Which agency report version", queryset=EvidenceSubmission.objects.none(), required=False,
        empty_label="None", label_of=lambda s: f"{s.request.agency}, version {s.number}")
    meeting = forms.ModelChoiceField(
        label="Which meeting", queryset=Meeting.objects.none(), required=False, empty_label="None")
    evidence_request = forms.ModelChoiceField(
        label="Evidence from an agency", queryset=EvidenceRequest.objects.none(), required=False,
        empty_label="None", help_text="The agency's report and chronology, if it is the source.")
    source_reference = forms.CharField(
        label="Where in the evidence", max_length=300, required=False,
        help_text="For example “Police chronology, 14 March 2024” or “Key practice episode 3”.")
    note = forms.CharField(label="What it shows", required=False,
                           widget=forms.Textarea(attrs={"rows": 3}), max_length=NARRATIVE_LENGTH)

    def __init__(self, *args: Any, review: Review, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_field(self, "evidence_request").queryset = review.evidence_requests.exclude(
            status=EvidenceStatus.WITHDRAWN).exclude(
            kind=EvidenceKind.FACTUAL_ACCURACY).select_related("agency")
        model_field(self, "episode").queryset = review.episodes.filter(withdrawn=False)
        model_field(self, "chronology_entry").queryset = review.chronology.filter(
            withdrawn=False, status=ChronologyEntry.Status.SUBMITTED,
            significance__in=[ChronologyEntry.Significance.SIGNIFICANT,
                              ChronologyEntry.Significance.KEY]).select_related("agency")
        model_field(self, "agency_report").queryset = EvidenceSubmission.objects.filter(
            request__review=review, request__kind=EvidenceKind.IMR).exclude(
            request__status=EvidenceStatus.WITHDRAWN).select_related("request__agency")
        model_field(self, "meeting").queryset = review.meetings.filter(withdrawn=False)

    # Each kind's own picker, shown under its radio (GOV.UK conditional reveal: with
    # JavaScript only the chosen kind's picker shows; without it, all do).
    template_name = "reviews/_finding_evidence_fields.html"
    PICKERS = ("episode", "chronology_entry", "agency_report", "meeting", "evidence_request")

    def kinds(self) -> list[tuple[Any, Any]]:
        """(the kind's radio, its picker's bound field or None) in the kinds' order."""
        return [(choice, self[choice.data["value"]]
                 if choice.data["value"] in self.PICKERS else None)
                for choice in self["kind"]]

    def clean(self) -> dict[str, Any]:
        """Only the chosen kind's picker counts: a record left chosen under another kind
        (visible without JavaScript, hidden with it) is not sent."""
        data = super().clean() or {}
        for name in self.PICKERS:
            if name != data.get("kind"):
                data[name] = None
        return data


class RecommendationForm(forms.Form):
    text = forms.CharField(label="Recommendation", widget=forms.Textarea(attrs={"rows": 4}),
                           error_messages={"required": "Enter the recommendation"},
                           max_length=NARRATIVE_LENGTH)
    findings = forms.ModelMultipleChoiceField(
        label="Findings it answers", queryset=Finding.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Every recommendation is tied to at least one finding.")
    addressee = forms.ChoiceField(label="Addressed to", choices=Recommendation.Addressee.choices,
                                  widget=forms.RadioSelect, initial="partnership")
    agency = forms.ModelChoiceField(label="Agency (if addressed to an agency)", required=False,
                                    queryset=Agency.objects.none(), empty_label="Select an agency")
    scope = forms.ChoiceField(choices=Recommendation.Scope.choices, widget=forms.RadioSelect,
                              initial="local")
    outcome_expected = forms.CharField(
        label="Outcome expected", widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What will be different for children, and how anyone will know "
                  "(a number, a date, how it will be evidenced).",
        error_messages={"required": "Enter the outcome expected"}, max_length=NARRATIVE_LENGTH)
    reason = forms.CharField(label="What changed (for the history)", required=False,
                             max_length=500)

    def __init__(self, *args: Any, review: Review, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_field(self, "findings").queryset = review.findings.filter(withdrawn=False)
        model_field(self, "agency").queryset = Agency.objects.filter(is_active=True)
        if not editing:
            del self.fields["reason"]
