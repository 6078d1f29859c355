"""Forms of the analysis and the report. Field-level checks only: the rules (a
recommendation needs a finding, a stale save is refused, who may approve) live in the
services, whose errors the views put back on these forms."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Q

from agencies.models import Agency
from scr.text import DESCRIPTION_LENGTH, DOCUMENT_LENGTH, NARRATIVE_LENGTH

from .models import (
    BoardResponseItem,
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
    ReportSection,
    Review,
    Theme,
)
from .reporttext import key_lines

__all__ = [
    "ApprovalForm",
    "BoardResponseForm",
    "CommentForm",
    "FindingEvidenceForm",
    "FindingForm",
    "RecommendationForm",
    "ResolveForm",
    "SectionAddForm",
    "SectionForm",
    "SnapshotForm",
    "ThemeForm",
]


def _model_field(form: forms.Form, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


def _choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


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
        _model_field(self, "themes").queryset = Theme.objects.filter(
            Q(retired=False) | Q(pk__in=had.values("pk")))
        lines = key_lines(review.terms.first())
        extra = [line for line in (finding.lines_of_enquiry if finding else []) if line not in lines]
        _choice_field(self, "lines_of_enquiry").choices = [(line, line) for line in [*lines, *extra]]
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
        _model_field(self, "evidence_request").queryset = review.evidence_requests.exclude(
            status=EvidenceStatus.WITHDRAWN).exclude(
            kind=EvidenceKind.FACTUAL_ACCURACY).select_related("agency")
        _model_field(self, "episode").queryset = review.episodes.filter(withdrawn=False)
        _model_field(self, "chronology_entry").queryset = review.chronology.filter(
            withdrawn=False, status=ChronologyEntry.Status.SUBMITTED,
            significance__in=[ChronologyEntry.Significance.SIGNIFICANT,
                              ChronologyEntry.Significance.KEY]).select_related("agency")
        _model_field(self, "agency_report").queryset = EvidenceSubmission.objects.filter(
            request__review=review, request__kind=EvidenceKind.IMR).exclude(
            request__status=EvidenceStatus.WITHDRAWN).select_related("request__agency")
        _model_field(self, "meeting").queryset = review.meetings.filter(withdrawn=False)


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
        _model_field(self, "findings").queryset = review.findings.filter(withdrawn=False)
        _model_field(self, "agency").queryset = Agency.objects.filter(is_active=True)
        if not editing:
            del self.fields["reason"]


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
        _model_field(self, "after").queryset = review.report_sections.filter(withdrawn=False)


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
        _choice_field(self, "approver_key").choices = choices


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

    def __init__(self, *args: Any, targets: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.targets = targets
        for key, label in targets:
            self.fields[key] = forms.ChoiceField(
                label=f"{label}: does the board accept it?", widget=forms.RadioSelect,
                choices=BoardResponseItem.Decision.choices,
                error_messages={"required": f"Say whether the board accepts {label}"})
            self.fields[f"{key}-action"] = forms.CharField(
                label=f"{label}: what the board will do", required=False,
                widget=forms.Textarea(attrs={"rows": 2}), max_length=NARRATIVE_LENGTH)

    def clean(self) -> dict[str, Any]:
        """The decisions as the service takes them, from the validated fields."""
        data = super().clean() or {}
        data["decisions"] = {key: (data.get(key, ""), data.get(f"{key}-action", ""))
                             for key, _ in self.targets}
        return data
