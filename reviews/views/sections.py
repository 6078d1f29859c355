"""What each section of a review's pages shows (Overview, People, Clocks, Panel,
Evidence), fetched with a fixed number of queries each, and turned into words once
here rather than through template filters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.template.defaultfilters import date as format_date
from django.urls import reverse

from agencies.models.roles import Role
from reviews.models import Briefing, EvidenceRequest, Review, Subject
from reviews.models.scope import (
    APPOINTED_ROLES,
    direct_grant_reviews,
    may_change,
    may_keep_register,
    review_access,
)
from reviews.selectors import (
    days_in_stage,
    days_phrase,
    evidence_grid,
    move_options,
    summaries_sentence,
)
from reviews.selectors.clocks import Clock, Rag, clock_label, review_clocks
from reviews.selectors.panel import independence_conflicts
from reviews.workflow import available_moves, stage_path

if TYPE_CHECKING:
    from agencies.models import User

# (URL name, label): the sub-navigation between a review's pages, in order.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("review", "Overview"), ("review_people", "People"), ("review_clocks", "Clocks"),
    ("review_panel", "Panel"), ("review_evidence", "Evidence"),
    ("review_chronology", "Chronology"), ("review_meetings", "Meetings"),
    ("review_family", "Family"), ("review_analysis", "Analysis"),
    ("review_report", "Report"), ("review_report_versions", "Versions"),
    ("review_sign_off", "Sign-off"), ("review_publication", "Publication"),
    ("review_history", "History"),
)
# Sections of the draft report: only for those who may read it (reviews/reportaccess.py).
DRAFTING_SECTIONS = frozenset({"review_analysis", "review_report"})
VERSION_SECTIONS = frozenset({"review_report_versions", "review_sign_off",
                              "review_publication"})


@dataclass(frozen=True)
class ClockRow:
    """One clock as the Clocks page shows it: status in words, no minus signs."""

    clock: Clock
    days: str
    status: str
    tag: str
    note: str


def clock_row(clock: Clock) -> ClockRow:
    status, note = clock.rag_label, ""
    if clock.met_on is not None:
        status = "Met late" if clock.missed else "Met"
        note = f"on {format_date(clock.met_on, 'j M Y')}"
    elif clock.paused:
        note = "while paused"
    if clock.paused_days and not clock.paused:
        note = f"{note} ({clock.paused_days} day{'s' if clock.paused_days != 1 else ''} paused)"
    return ClockRow(clock, days_phrase(clock.days_left, clock.working_days) or "–", status,
                    Rag.TAGS[Rag.RED if clock.missed else clock.rag], note.strip())


def overview(review: Review, user: User) -> dict[str, Any]:
    return {
        # Ended reviews too: their one move is a reasoned reopen to the stage they left.
        "moves": move_options(review, available_moves(review, user)),
        "independence_conflicts": independence_conflicts(review) if review.is_open else [],
        "path": stage_path(review), "days_in_stage": days_in_stage(review),
        # Which agencies' summaries are in: for the business manager (a lead sees only
        # their own agency's requests).
        "summaries": summaries_sentence(review) if review_access(user, review).can_manage
        else "",
        "next_clock": clock_label(review.next_clock),
        "children": list(review.subjects.filter(kind=Subject.Kind.CHILD, withdrawn=False)),
        "involved": list(review.involvements.select_related("agency")),
        "stage_changes": list(review.stage_changes.select_related("by")),
        # Learning briefings of a published review, for its drafting team.
        "briefings": list(Briefing.objects.for_user(user, "change").filter(review=review))
        if review.published_on else [],
    }


def people(review: Review, user: User) -> dict[str, Any]:
    return {"subjects": list(review.subjects.filter(withdrawn=False)),
            "involved": list(review.involvements.select_related("agency")),
            "can_change_register": may_keep_register(user, review)}


def clocks(review: Review, user: User) -> dict[str, Any]:
    pauses = list(review.clock_pauses.all())
    rows = review_clocks(review, pauses, list(review.delay_explanations.all()))
    return {"clocks": [clock_row(c) for c in rows],
            "open_pauses": [p for p in pauses if p.resumed_on is None],
            "parallel_processes": list(review.parallel_processes.all())}


def panel(review: Review, user: User) -> dict[str, Any]:
    terms = list(review.terms.prefetch_related("agencies_in_scope"))
    return {"terms": terms[0] if terms else None, "terms_versions": len(terms),
            "independence_conflicts": independence_conflicts(review) if review.is_open else [],
            "panel": list(review.panel.filter(ended_on__isnull=True)
                          .select_related("user", "agency"))}


def evidence(review: Review, user: User) -> dict[str, Any]:
    """The agency-by-agency grid of requests and their states, and the requests themselves
    (each links to its own page)."""
    runs = may_change(user, review)
    requests = list(EvidenceRequest.objects.for_user(user).filter(review=review)
                    .select_related("agency").order_by("agency__name", "kind", "pk"))
    kinds, rows = evidence_grid(review, requests, runs=runs)
    return {"kinds": kinds, "grid": rows, "evidence": requests,
            "can_request": review.is_open and runs,
            "to_accept": sum(r.status in ("submitted", "resubmitted") for r in requests)
            if runs else 0}


def _on_the_team(user: User, review: Review) -> bool:
    """The business manager, or the review's own reviewer or panel member: those who read
    the merged chronology, the meetings and (with identities) the family log. No query
    for a business manager or an agency lead."""
    if user.has_role(Role.BUSINESS_MANAGER):
        return True
    if not user.has_role(*APPOINTED_ROLES):
        return False
    return direct_grant_reviews(user).filter(pk=review.pk).exists()


def _agency_chronology_url(user: User, review: Review) -> str | None:
    """An agency lead's own chronology in this review (no query when they lead one agency:
    their agency's grant is how they see the review)."""
    own = sorted(user.agency_ids(Role.AGENCY_LEAD))
    if len(own) > 1:
        own = sorted(review.involvements.filter(agency_id__in=own).values_list("agency_id",
                                                                                flat=True))
    return reverse("agency_chronology", args=[review.pk, own[0]]) if own else None


def _section_urls(user: User, review: Review, identifiable: bool) -> dict[str, str | None]:
    """Each section's link for this person, or None where the section is not theirs."""
    urls: dict[str, str | None] = {name: reverse(name, args=[review.pk]) for name, _ in SECTIONS}
    team = _on_the_team(user, review)
    if not team:
        urls["review_chronology"] = _agency_chronology_url(user, review)
        urls["review_meetings"] = None
    if not (team and identifiable):
        urls["review_family"] = None
    if not identifiable:
        urls["review_history"] = None
    return urls


def chronology_url(user: User, review: Review) -> str | None:
    """The chronology this person works on or reads: an agency lead's own agency's, the
    review team's merged one; None for anyone else."""
    return _section_urls(user, review, review_access(user, review).identifiable)[
        "review_chronology"]


def section_context(user: User, review: Review, current: str) -> dict[str, Any]:
    """The review, what the person may do on it, and the links between its sections (the
    History link only for those who may read it; the chronology, meetings and family log
    only for those whose they are; the draft report's sections only for its drafting team
    and, for shared versions, the panel)."""
    from reviews.models.scope import report_access

    access = review_access(user, review)
    draft = report_access(user, review)
    urls = _section_urls(user, review, access.identifiable)
    hidden: set[str] = set()
    if not draft.drafting:
        hidden |= DRAFTING_SECTIONS
    if not draft.reads_versions:
        hidden |= VERSION_SECTIONS
    links = [(urls[name], label, name == current) for name, label in SECTIONS
             if urls[name] and name not in hidden]
    return {"review": review, "can_manage": access.can_manage,
            "identifiable": access.identifiable, "sections": links, "drafting": draft.drafting,
            "panel_reader": draft.panel,
            "section_label": dict(SECTIONS)[current]}
