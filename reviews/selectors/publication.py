"""Reads of publication: the approved version, its renders and leak checks, what still
blocks publication, and the published-reports library."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from agencies.models import User
from reviews.models import (
    DismissedName,
    LeakCheck,
    LeakHit,
    Publication,
    ReportSnapshot,
    Review,
    SignOffSubmission,
)
from reviews.models.publication import CONFIDENTIAL_KIND, PUBLISHED_KIND
from scr.models import RenderRecord
from scr.renders import RENDER_TIME_LIMIT

__all__ = [
    "CONFIDENTIAL_KIND",
    "PUBLISHED_KIND",
    "RenderRow",
    "active_render",
    "approved_snapshot",
    "library_search",
    "live_publication",
    "possible_unregistered_names",
    "publication_blockers",
    "publishable_render",
    "render_rows",
    "takedown_due",
]

REPORT_KINDS = (PUBLISHED_KIND, CONFIDENTIAL_KIND)


def approved_snapshot(review: Review) -> ReportSnapshot | None:
    """The version every approver approved (the approved sign-off submission's)."""
    submission = (SignOffSubmission._base_manager.filter(
        review=review, status=SignOffSubmission.Status.APPROVED)
        .select_related("snapshot").order_by("-submitted_at", "-id").first())
    return submission.snapshot if submission is not None else None


def _renders(snapshot: ReportSnapshot, kind: str) -> QuerySet[RenderRecord]:
    return RenderRecord._base_manager.filter(
        content_type__app_label="reviews", content_type__model="reportsnapshot",
        object_id=snapshot.pk, kind=kind)


def active_render(snapshot: ReportSnapshot, kind: str) -> RenderRecord | None:
    """A render of this version and kind still queued, or running within its time limit."""
    stale = timezone.now() - timedelta(seconds=RENDER_TIME_LIMIT)
    return _renders(snapshot, kind).filter(
        Q(status=RenderRecord.Status.QUEUED)
        | Q(status=RenderRecord.Status.RUNNING, started_at__gte=stale)).first()


def publishable_render(review: Review) -> RenderRecord | None:
    """The latest finished anonymised render of the approved version, if its leak check
    ran and every hit is waived; else ``None`` (a missing check is never "clean")."""
    snapshot = approved_snapshot(review)
    if snapshot is None:
        return None
    latest = _renders(snapshot, PUBLISHED_KIND).filter(
        status=RenderRecord.Status.DONE).order_by("-finished_at", "-id").first()
    if latest is None:
        return None
    check = LeakCheck._base_manager.filter(render=latest).first()
    if check is None or check.error:
        return None
    if LeakHit._base_manager.filter(leak_check=check, waived_at__isnull=True).exists():
        return None
    return latest


def publication_blockers(review: Review) -> list[str]:
    """What stops the approved version's PDF from being published, in words."""
    snapshot = approved_snapshot(review)
    if snapshot is None:
        return ["no version of the report has been approved"]
    latest = _renders(snapshot, PUBLISHED_KIND).filter(
        status=RenderRecord.Status.DONE).order_by("-finished_at", "-id").first()
    if latest is None:
        return ["no anonymised PDF of the approved version has been made"]
    check = LeakCheck._base_manager.filter(render=latest).first()
    if check is None:
        return ["the latest anonymised PDF has not been leak-checked yet"]
    if check.error:
        return [f"the leak check could not read the latest PDF ({check.error})"]
    hits = LeakHit._base_manager.filter(leak_check=check, waived_at__isnull=True).count()
    if hits:
        return [f"{hits} open leak-check hit{'s' if hits != 1 else ''} in the latest PDF"]
    return []


def possible_unregistered_names(review: Review, snapshot: ReportSnapshot | None) -> list[Any]:
    """Capitalised given names in the approved version that belong to nobody in the
    register, the partnership, the agencies or the panel: for the reviewer to register
    (the anonymiser leaves them as they are, and the leak check cannot know them), less
    those the team dismissed as nobody's name."""
    from reviews.selectors.register import review_public_names, review_register
    from scr.anonymise import unregistered_names

    if snapshot is None:
        return []
    text = "\n\n".join(snapshot.parts.order_by("position").values_list("body", flat=True))
    dismissed = {n.casefold() for n in DismissedName._base_manager.filter(
        review=review).values_list("name", flat=True)}
    return [found for found in unregistered_names(text, review_register(review),
                                                  ignore=review_public_names(review))
            if found.name.casefold() not in dismissed]


def live_publication(review: Review) -> Publication | None:
    return Publication._base_manager.filter(
        review=review, status=Publication.Status.PUBLISHED).first()


@dataclass
class RenderRow:
    record: RenderRecord
    check: LeakCheck | None = None
    hits: list[LeakHit] = field(default_factory=list)

    @property
    def open_hits(self) -> int:
        return sum(1 for h in self.hits if h.waived_at is None)

    @property
    def published_kind(self) -> bool:
        return self.record.kind == PUBLISHED_KIND


def render_rows(snapshot: ReportSnapshot | None) -> list[RenderRow]:
    """Every render of the version, newest first, with its leak check and hits."""
    if snapshot is None:
        return []
    records = list(RenderRecord._base_manager.filter(
        content_type__app_label="reviews", content_type__model="reportsnapshot",
        object_id=snapshot.pk, kind__in=REPORT_KINDS).order_by("-created_at", "-id"))
    checks = {c.render_id: c for c in LeakCheck._base_manager.filter(
        render__in=[r.pk for r in records])}
    hits: dict[int, list[LeakHit]] = {}
    for hit in LeakHit._base_manager.filter(render__in=[r.pk for r in records]).select_related(
            "waived_by").order_by("page", "id"):
        hits.setdefault(hit.render_id, []).append(hit)
    return [RenderRow(r, checks.get(r.pk), hits.get(r.pk, [])) for r in records]


def library_search(user: User, *, text: str = "", year: int | None = None,
                   theme: int | None = None) -> QuerySet[Publication]:
    """The published reports this person may read, narrowed by year, theme and text
    (PostgreSQL full-text search on the published text; ``icontains`` elsewhere)."""
    found = Publication.objects.for_user(user, "view").filter(
        status=Publication.Status.PUBLISHED)
    if year:
        found = found.filter(published_on__year=year)
    if theme:
        found = found.filter(review__findings__themes=theme,
                             review__findings__withdrawn=False).distinct()
    text = text.strip()
    if text:
        if connection.vendor == "postgresql":
            from django.contrib.postgres.search import SearchQuery, SearchVector

            found = found.annotate(search=SearchVector("title", "text", config="english")).filter(
                search=SearchQuery(text, config="english", search_type="websearch"))
        else:
            found = found.filter(Q(text__icontains=text) | Q(title__icontains=text))
    return found.select_related("review").order_by("-published_on", "-id")


def takedown_due(user: User) -> QuerySet[Publication]:
    """Published reports past their takedown-review date (business managers only)."""
    return Publication.objects.for_user(user, "manage").filter(
        status=Publication.Status.PUBLISHED,
        takedown_review_on__lte=timezone.localdate()).select_related("review").order_by(
        "takedown_review_on")
