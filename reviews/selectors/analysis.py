"""Reads of the analysis: findings with their evidence and flags, key lines of enquiry and
the findings answering them, the recommendations' quality warnings, learning across
reviews and the themes that recur.

The recommendation warnings are a documented heuristic (docs/report.md): they advise the
reviewer and the business manager, they never refuse.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias, TypedDict

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet

from reviews.formats.report import key_lines
from reviews.models import (
    ChronologyEntry,
    Episode,
    EvidenceRequest,
    EvidenceSubmission,
    Finding,
    FindingEvidence,
    Meeting,
    Recommendation,
    Review,
    TermsOfReference,
)
from reviews.selectors.register import review_registers
from scr.pseudonymise import pseudonymise

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from agencies.models import User

__all__ = [
    "EarlierFinding",
    "LineOfEnquiry",
    "ThemeRecurrence",
    "earlier_findings",
    "findings_citing_episodes",
    "findings_for_page",
    "lines_of_enquiry",
    "recommendation_warnings",
    "recommendations_for_page",
    "recurring_themes",
    "vague_wording",
]


class LiveEvidence(TypedDict):
    live_evidence: list[FindingEvidence]


FindingOnPage: TypeAlias = "WithAnnotations[Finding, LiveEvidence]"


def findings_for_page(user: User, review: Review) -> list[FindingOnPage]:
    """The review's current findings with their themes and live evidence links (and the
    evidence requests they name), in a fixed number of queries."""
    links = FindingEvidence.objects.filter(withdrawn=False).select_related(
        "evidence_request__agency", "episode", "chronology_entry__agency",
        "agency_report__request__agency", "meeting")
    findings = list(Finding.objects.for_user(user).filter(review=review, withdrawn=False)
                    .prefetch_related("themes", Prefetch("evidence_links", queryset=links,
                                                         to_attr="live_evidence"),
                                      "repeats__review"))
    _mark_readable_targets(user, review, [link for f in findings
                                          for link in f.live_evidence])
    return findings


def _mark_readable_targets(user: User, review: Review, links: list[FindingEvidence]) -> None:
    """Set ``link.readable``: whether this person may read the linked record itself (its
    own page's scope). A finding's reader sees every link's label; the record's content
    is shown inline only where its own scope allows (an agency report not yet shared with
    the panel stays a label for a panel member). One query per kind of record linked."""
    scopes = {
        "episode": lambda: Episode.objects.for_user(user),
        "chronology_entry": lambda: ChronologyEntry.objects.for_user(user),
        "agency_report": lambda: EvidenceSubmission.objects.filter(
            request__in=EvidenceRequest.objects.answer_visible(user).filter(review=review)),
        "meeting": lambda: Meeting.objects.for_user(user),
    }
    wanted: dict[str, set[int]] = {}
    for link in links:
        for name in scopes:
            if getattr(link, f"{name}_id"):
                wanted.setdefault(name, set()).add(getattr(link, f"{name}_id"))
    readable = {name: set(scopes[name]().filter(pk__in=ids).values_list("pk", flat=True))
                for name, ids in wanted.items()}
    for link in links:
        target = next((n for n in scopes if getattr(link, f"{n}_id")), None)
        link.readable = target is None or getattr(
            link, f"{target}_id") in readable.get(target, set())


def findings_citing_episodes(user: User, review: Review) -> dict[int, list[Finding]]:
    """For each key practice episode of the review, the current findings this person may
    read that cite it or one of its entries (one query)."""
    cited: dict[int, list[Finding]] = defaultdict(list)
    links = (FindingEvidence.objects.filter(
        review=review, withdrawn=False, finding__withdrawn=False,
        finding__in=Finding.objects.for_user(user).filter(review=review).values("pk"))
        .filter(Q(episode__isnull=False) | Q(chronology_entry__episode__isnull=False))
        .select_related("finding", "chronology_entry").order_by("finding__number"))
    for link in links:
        entry = link.chronology_entry
        episode_id = link.episode_id or (entry.episode_id if entry is not None else None)
        assert episode_id is not None  # the filter above: the link or its entry names one
        if link.finding not in cited[episode_id]:
            cited[episode_id].append(link.finding)
    return dict(cited)


def recommendations_for_page(user: User, review: Review) -> list[Recommendation]:
    return list(Recommendation.objects.for_user(user).filter(review=review, withdrawn=False)
                .select_related("agency").prefetch_related(
                    Prefetch("findings", queryset=Finding.objects.filter(withdrawn=False))))


# ---------------------------------------------------------------- key lines of enquiry


@dataclass(frozen=True)
class LineOfEnquiry:
    text: str
    findings: list[Finding]
    in_terms: bool  # False: answered by findings but no longer in the latest terms

    @property
    def unanswered(self) -> bool:
        return self.in_terms and not self.findings


def lines_of_enquiry(review: Review, findings: Sequence[Finding],
                     terms: TermsOfReference | None = None) -> list[LineOfEnquiry]:
    """Each key line of enquiry of the latest terms with the findings that answer it (one
    with none is flagged), then any line findings still answer that the terms dropped."""
    if terms is None:
        terms = review.terms.first()
    lines = key_lines(terms)
    answering: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        for line in finding.lines_of_enquiry:
            answering[line].append(finding)
    rows = [LineOfEnquiry(line, answering.get(line, []), True) for line in lines]
    rows += [LineOfEnquiry(line, found, False) for line, found in answering.items()
             if line not in lines]
    return rows


# ---------------------------------------------------------------- recommendation warnings

# A recommendation "asks for activity" when it starts with (or leans on) one of these:
# it says what to do, not what will change. With no measurable outcome it is vague.
VAGUE_VERBS = (
    "consider", "review", "explore", "reflect", "look at", "look into", "raise awareness",
    "remind", "promote", "encourage", "continue to", "strengthen", "improve", "enhance",
    "be aware", "think about", "discuss", "ensure that staff are aware", "seek assurance",
)
# An outcome is measurable when it has a number, a proportion, a date or period, or says
# how it will be evidenced.
MEASURE = re.compile(
    r"\d|%|per ?cent|\bby (?:january|february|march|april|may|june|july|august|september|"
    r"october|november|december|the end|spring|summer|autumn|winter)|\bwithin\b|\bquarter|"
    r"\bmonth|\bweek|\byear|\baudit|\bmeasured?\b|\bevidenced? by\b|\bnumber of\b|\brate of\b|"
    r"\bproportion\b|\bsurvey|\bdashboard|\breport(?:ed|s)? to the (?:board|partnership)",
    re.IGNORECASE)
MIN_OUTCOME_WORDS = 8


def vague_wording(text: str, outcome: str) -> str:
    """Why a recommendation's wording is vague ("" when it is not): an outcome too short to
    say what will change, or activity verbs with no measure of success anywhere."""
    if len(outcome.split()) < MIN_OUTCOME_WORDS:
        return ("The outcome expected is too short to say what will be different for "
                "children and how anyone will know.")
    lowered = f" {text.lower()} "
    verbs = [v for v in VAGUE_VERBS if f" {v}" in lowered]
    if verbs and not MEASURE.search(outcome) and not MEASURE.search(text):
        return (f"It asks for activity (“{verbs[0]}”) without an outcome that can be measured: "
                f"add a number, a date or how success will be evidenced.")
    return ""


@dataclass(frozen=True)
class Warning:
    text: str
    recommendation: Recommendation | None = None


def recommendation_warnings(review: Review, recs: list[Recommendation]) -> list[Warning]:
    """The quality gate's warnings (the refusal of a recommendation with no finding is the
    service's). Recommendations must be loaded with ``findings``."""
    warnings = []
    limit = settings.REPORT_MAX_RECOMMENDATIONS
    if len(recs) > limit:
        warnings.append(Warning(f"This review has {len(recs)} recommendations, more than "
                                f"{limit}. Reports with many recommendations are rarely "
                                f"tracked to impact: consider combining them."))
    for rec in recs:
        if not rec.findings.all():
            warnings.append(Warning(f"{rec} is no longer tied to a current finding.", rec))
        reason = vague_wording(rec.text, rec.outcome_expected)
        if reason:
            warnings.append(Warning(f"{rec}: {reason}", rec))
    return warnings


# ---------------------------------------------------------------- learning across reviews


@dataclass(frozen=True)
class EarlierFinding:
    finding: Finding
    year: int
    title: str  # pseudonymised
    statement: str  # pseudonymised
    themes: list[str]


def earlier_findings(review: Review, theme_ids: list[int], *, limit: int = 20,
                     ) -> list[EarlierFinding]:
    """Findings of earlier *published* reviews that share a theme with these, newest first,
    pseudonymised through each review's own register (scr.pseudonymise), with the review's
    year. A published finding is public; its review's real names never leave here."""
    if not theme_ids:
        return []
    rows = list(Finding.objects.filter(
        themes__in=theme_ids, withdrawn=False, review__published_on__isnull=False)
        .exclude(review=review).distinct().select_related("review")
        .prefetch_related("themes").order_by("-review__published_on", "number")[:limit])
    registers = review_registers({f.review_id for f in rows})
    out = []
    for f in rows:
        register = registers[f.review_id]
        out.append(EarlierFinding(f, f.review.published_on.year if f.review.published_on else 0,
                                  pseudonymise(f.title, register),
                                  pseudonymise(f.statement, register),
                                  [t.name for t in f.themes.all()]))
    return out


@dataclass(frozen=True)
class ThemeRecurrence:
    name: str
    retired: bool
    reviews: int
    findings: int


def recurring_themes(published_only: bool = True) -> list[ThemeRecurrence]:
    """For the board: how many reviews and findings carry each theme (counts only, never a
    name). By default published reviews only; the board's dashboard may ask for all."""
    from reviews.models import Theme

    scope = Q(findings__withdrawn=False)
    if published_only:
        scope &= Q(findings__review__published_on__isnull=False)
    qs: QuerySet = Theme.objects.annotate(
        n_reviews=Count("findings__review", filter=scope, distinct=True),
        n_findings=Count("findings", filter=scope, distinct=True)).order_by(
        "-n_reviews", "-n_findings", "name")
    return [ThemeRecurrence(t.name, t.retired, t.n_reviews, t.n_findings) for t in qs]
