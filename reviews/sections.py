"""What each section of a review's pages shows (Overview, People, Clocks, Panel,
Evidence), fetched with a fixed number of queries each, and turned into words once
here rather than through template filters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.template.defaultfilters import date as format_date
from django.urls import reverse

from .access import review_access
from .clocks import Clock, Rag, clock_label, review_clocks
from .independence import independence_conflicts
from .models import EvidenceRequest, Review, Subject
from .selectors import days_in_stage, days_phrase, move_options
from .workflow import available_moves, stage_path

if TYPE_CHECKING:
    from agencies.models import User

# (URL name, label): the sub-navigation between a review's pages, in order.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("review", "Overview"), ("review_people", "People"), ("review_clocks", "Clocks"),
    ("review_panel", "Panel"), ("review_evidence", "Evidence"), ("review_analysis", "Analysis"),
    ("review_report", "Report"), ("review_report_versions", "Versions"),
    ("review_sign_off", "Sign-off"), ("review_history", "History"),
)
# Sections of the draft report: only for those who may read it (reviews/reportaccess.py).
DRAFTING_SECTIONS = frozenset({"review_analysis", "review_report"})
VERSION_SECTIONS = frozenset({"review_report_versions", "review_sign_off"})


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
        "next_clock": clock_label(review.next_clock),
        "children": list(review.subjects.filter(kind=Subject.Kind.CHILD, withdrawn=False)),
        "involved": list(review.involvements.select_related("agency")),
        "stage_changes": list(review.stage_changes.select_related("by")),
    }


def people(review: Review, user: User) -> dict[str, Any]:
    return {"subjects": list(review.subjects.filter(withdrawn=False)),
            "involved": list(review.involvements.select_related("agency"))}


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
    return {"evidence": list(EvidenceRequest.objects.for_user(user).filter(review=review)
                             .select_related("agency"))}


def section_context(user: User, review: Review, current: str) -> dict[str, Any]:
    """The review, what the person may do on it, and the links between its sections (the
    History link only for those who may read it)."""
    from .reportaccess import report_access

    access = review_access(user, review)
    draft = report_access(user, review)
    hidden = {"review_history"} if not access.identifiable else set()
    if not draft.drafting:
        hidden |= DRAFTING_SECTIONS
    if not draft.reads_versions:
        hidden |= VERSION_SECTIONS
    links = [(reverse(name, args=[review.pk]), label, name == current)
             for name, label in SECTIONS if name not in hidden]
    return {"review": review, "can_manage": access.can_manage,
            "identifiable": access.identifiable, "sections": links, "drafting": draft.drafting,
            "panel_reader": draft.panel,
            "section_label": dict(SECTIONS)[current]}
