"""Reads for the reviews app, already narrowed to what the user may see."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from agencies.roles import Role

from .clocks import annotate_rag, clock_label, missed_clock_q, review_clocks
from .models import (
    ENDED_STAGES,
    STAGE_PATH,
    EvidenceRequest,
    PanelAppointment,
    Review,
    Stage,
)

if TYPE_CHECKING:
    from agencies.models import User


@dataclass(frozen=True)
class Task:
    text: str
    url: str
    due: date | None = None


def dashboard_reviews(user: User, *, stage: str = "", rag: str = "",
                      sort: str = "due") -> QuerySet[Review]:
    """Open reviews with their next clock, RAG and overdue evidence count, in one query."""
    today = timezone.localdate()
    # Counted through the evidence requests' own scope: an agency lead counts only theirs.
    overdue = (EvidenceRequest.objects.for_user(user)
               .filter(review=OuterRef("pk"), received_on__isnull=True, withdrawn=False,
                       due_on__lt=today)
               .order_by().values("review").annotate(n=Count("pk")).values("n"))
    qs = annotate_rag(Review.objects.for_user(user).open(), today).annotate(
        overdue_evidence=Coalesce(Subquery(overdue, output_field=IntegerField()), 0))
    if stage:
        qs = qs.filter(stage=stage)
    if rag:
        qs = qs.filter(rag=rag)
    orderings = {"due": ["next_due_on", "reference"], "reference": ["reference"],
                 "stage": ["stage", "next_due_on"], "days": ["stage_entered_at"]}
    return qs.order_by(*orderings.get(sort, orderings["due"]))


def days_in_stage(review: Review) -> int:
    return (timezone.now() - review.stage_entered_at).days


@dataclass(frozen=True)
class BoardStats:
    counts_by_stage: list[tuple[str, int]]
    missed_count: int
    missed_recent: list[str]  # references only, the latest few
    median_days_decision_to_publication: float | None
    published_count: int


BOARD_MISSED_SHOWN = 25


def board_stats(user: User) -> BoardStats:
    """Counts and timings only: no names, no identifiable data."""
    today = timezone.localdate()
    everyone = Review.objects.for_user(user, "aggregate")
    counts = dict(everyone.values_list("stage").annotate(n=Count("id")).values_list("stage", "n"))
    order = [*STAGE_PATH, Stage.NO_REVIEW, Stage.WITHDRAWN]
    missed = everyone.filter(missed_clock_q(today))
    missed_recent = list(missed.order_by("-aware_date", "-id")
                         .values_list("reference", flat=True)[:BOARD_MISSED_SHOWN])
    spans = [
        (published - decided).days
        for decided, published in everyone.filter(decision_date__isnull=False,
                                                  published_on__isnull=False)
        .values_list("decision_date", "published_on")
    ]
    return BoardStats(
        counts_by_stage=[(Stage(s).label, counts.get(s, 0)) for s in order],
        missed_count=missed.count(),
        missed_recent=missed_recent,
        median_days_decision_to_publication=statistics.median(spans) if spans else None,
        published_count=len(spans),
    )


def review_page(review: Review) -> dict[str, Any]:
    """Everything the review page shows, fetched once each."""
    pauses = list(review.clock_pauses.all())
    explanations = list(review.delay_explanations.all())
    return {
        "clocks": review_clocks(review, pauses, explanations),
        "pauses": pauses,
        "subjects": list(review.subjects.filter(withdrawn=False)),
        "involved": list(review.involvements.select_related("agency")),
        "terms": review.terms.prefetch_related("agencies_in_scope").first(),
        "terms_versions": review.terms.count(),
        "panel": list(review.panel.filter(ended_on__isnull=True).select_related("user", "agency")),
        "parallel_processes": list(review.parallel_processes.all()),
        "stage_changes": list(review.stage_changes.select_related("by")),
    }


def tasks_for(user: User) -> list[Task]:
    """What this person must do next, across the reviews they can see."""
    if not user.is_authenticated:
        return []
    tasks: list[Task] = []
    today = timezone.localdate()
    if user.has_role(Role.BUSINESS_MANAGER):
        for review in Review.objects.for_user(user).open().exclude(next_due_on=None).filter(
                next_due_on__lte=today + timezone.timedelta(days=14)).order_by("next_due_on")[:20]:
            tasks.append(Task(f"{review.reference}: {clock_label(review.next_clock)}",
                              reverse("review", args=[review.pk]), review.next_due_on))
        late = (Review.objects.for_user(user).filter(has_missed_clock=True)
                .exclude(stage__in=ENDED_STAGES)
                .prefetch_related("clock_pauses", "delay_explanations"))[:20]
        for review in late:
            for clock in review_clocks(review):
                if clock.needs_explanation and clock.met_on:
                    tasks.append(Task(f"{review.reference}: explain the delay to “{clock.label}”",
                                      reverse("review_explain_delay", args=[review.pk])))
    requests = EvidenceRequest.objects.for_user(user).filter(
        received_on__isnull=True, withdrawn=False)
    if not user.has_role(Role.BUSINESS_MANAGER):
        requests = requests.filter(agency_id__in=user.agency_ids(Role.AGENCY_LEAD))
    for req in requests.select_related("review", "agency").order_by("due_on")[:20]:
        tasks.append(Task(f"{req.review.reference}: {req.agency} to send “{req.description}”",
                          reverse("review", args=[req.review_id]), req.due_on))
    # Appointments to reviews the person may still see (an ended role ends them too).
    appointments = (PanelAppointment.objects.for_user(user)
                    .filter(user=user, ended_on__isnull=True)
                    .exclude(review__stage__in=ENDED_STAGES).select_related("review"))
    for appointment in appointments:
        review = appointment.review
        place = ("you are the independent reviewer"
                 if appointment.panel_role == PanelAppointment.PanelRole.REVIEWER
                 else f"you sit on the panel as {appointment.get_panel_role_display().lower()}")
        tasks.append(Task(f"{review.reference}: {Stage(review.stage).label.lower()} – {place}",
                          reverse("review", args=[review.pk]), review.next_due_on))
    if user.has_role(Role.BOARD_MEMBER):
        tasks.append(Task("See the board dashboard", reverse("board")))
    return tasks
