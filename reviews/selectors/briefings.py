"""Reads of learning briefings: a briefing as the publication path sees it (its source and
anonymised preview with the check's items), its page, the library's list, and briefings
published in a period with their reach (for the yearly report and the board).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum

from agencies.models import User
from agencies.models.roles import Role
from reviews.models import (
    BRIEFING_KIND,
    BRIEFING_SECTIONS,
    Briefing,
    BriefingFeedback,
    BriefingRecipient,
    Dissemination,
)
from reviews.selectors.publication import (
    AnonymisedPart,
    CheckItem,
    PublishedSource,
    RenderRow,
    SourcePart,
    anonymise_source,
    latest_render,
    render_blockers,
    render_rows_of,
    source_check,
)

__all__ = [
    "TITLE_ANCHOR",
    "BriefingPage",
    "BriefingReach",
    "PeriodReach",
    "briefing_page",
    "briefing_source",
    "briefings_reach",
    "library_briefings",
]


TITLE_ANCHOR = "briefing-title"


def briefing_source(target: Any) -> PublishedSource:
    """The briefing's sections as written, to be anonymised with its review's register."""
    briefing = Briefing._base_manager.select_related("review").get(pk=target.pk)
    # The title is a part too, so the anonymiser and the check read it as they read the
    # sections (the PDF prints it as its heading).
    parts = (SourcePart(TITLE_ANCHOR, "Title", briefing.title),
             *(SourcePart(name.replace("_", "-"), heading, getattr(briefing, name))
               for name, heading in BRIEFING_SECTIONS))
    return PublishedSource(briefing.review, briefing, parts, briefing.review.incident_date,
                           briefing.title)


@dataclass
class BriefingPage:
    briefing: Briefing
    parts: list[AnonymisedPart] = field(default_factory=list)
    items: list[CheckItem] = field(default_factory=list)
    renders: list[RenderRow] = field(default_factory=list)
    blockers: list[str] = field(default_factory=list)
    recipients: list[BriefingRecipient] = field(default_factory=list)
    disseminations: list[Dissemination] = field(default_factory=list)
    feedback: list[BriefingFeedback] = field(default_factory=list)
    my_agencies: list[int] = field(default_factory=list)

    @property
    def unsettled(self) -> list[CheckItem]:
        return [i for i in self.items if i.blocks_render]

    @property
    def open_hits(self) -> list[CheckItem]:
        return [i for i in self.items if i.kind == "leak_hit" and not i.settled]

    @property
    def polling(self) -> bool:
        return any(r.record.status in ("queued", "running") for r in self.renders)

    @property
    def reached(self) -> int:
        return sum(d.practitioners_reached for d in self.disseminations)


def briefing_page(user: User, briefing: Briefing, *, team: bool) -> BriefingPage:
    """What the briefing's page shows this person: the drafting team (``team``) sees the
    anonymised preview with every item of the check, the renders and the feedback; an agency
    lead sees the published briefing and their own agency's dissemination records."""
    page = BriefingPage(briefing)
    if team and briefing.status == Briefing.Status.DRAFT:
        source = briefing_source(briefing)
        page.parts = anonymise_source(source)
        page.items = source_check(source, page.parts, latest_render(briefing, BRIEFING_KIND))
        page.renders = render_rows_of(briefing, (BRIEFING_KIND,))
        page.blockers = render_blockers(briefing, BRIEFING_KIND)
    page.recipients = list(BriefingRecipient.objects.for_user(user, "view").filter(
        briefing=briefing).select_related("agency"))
    page.disseminations = list(Dissemination.objects.for_user(user, "view").filter(
        briefing=briefing, withdrawn=False).select_related("agency"))
    if team:
        page.feedback = list(BriefingFeedback.objects.for_user(user, "view").filter(
            briefing=briefing))
    page.my_agencies = sorted(user.agency_ids(Role.AGENCY_LEAD)
                              & {r.agency_id for r in page.recipients})
    return page


def library_briefings(user: User, *, text: str = "", year: int | None = None,
                      ) -> QuerySet[Briefing]:
    """Published briefings, beside the reports in the library (the same search)."""
    found = Briefing.objects.for_user(user, "view").filter(status=Briefing.Status.PUBLISHED)
    if year:
        found = found.filter(published_on__year=year)
    text = text.strip()
    if text:
        if connection.vendor == "postgresql":
            from django.contrib.postgres.search import SearchQuery, SearchVector

            found = found.annotate(search=SearchVector("title", "text", config="english")).filter(
                search=SearchQuery(text, config="english", search_type="websearch"))
        else:
            found = found.filter(Q(text__icontains=text) | Q(title__icontains=text))
    return found.select_related("review").order_by("-published_on", "-id")


@dataclass(frozen=True)
class BriefingReach:
    briefing_id: int
    title: str
    reference: str
    published_on: date
    agencies_sent: int
    agencies_shared: int
    practitioners_reached: int


@dataclass(frozen=True)
class PeriodReach:
    """Briefings published in a period and how far they reached."""

    start: date
    end: date
    briefings: tuple[BriefingReach, ...]

    @property
    def published(self) -> int:
        return len(self.briefings)

    @property
    def agencies_sent(self) -> int:
        return sum(b.agencies_sent for b in self.briefings)

    @property
    def agencies_shared(self) -> int:
        return sum(b.agencies_shared for b in self.briefings)

    @property
    def practitioners_reached(self) -> int:
        return sum(b.practitioners_reached for b in self.briefings)


def briefings_reach(user: User, start: date, end: date) -> PeriodReach:
    """Briefings published from ``start`` to ``end`` (inclusive) that this person may read,
    each with how many agencies it was sent to, how many recorded sharing it, and how many
    practitioners it reached (every dissemination counted, whenever it was recorded). Two
    queries, whatever the number of briefings."""
    live = Q(disseminations__withdrawn=False)
    found = (Briefing.objects.for_user(user, "view")
            .filter(status=Briefing.Status.PUBLISHED, published_on__gte=start,
                    published_on__lte=end)
            .annotate(sent=Count("recipients", distinct=True),
                      shared=Count("disseminations__agency", filter=live, distinct=True))
            .order_by("published_on", "id")
            .values_list("pk", "title", "review__reference", "published_on", "sent", "shared"))
    rows = list(found)
    reached = dict(Dissemination._base_manager.filter(
        briefing_id__in=[r[0] for r in rows], withdrawn=False).values("briefing_id")
        .annotate(total=Sum("practitioners_reached")).values_list("briefing_id", "total"))
    return PeriodReach(start, end, tuple(
        BriefingReach(pk, title, reference, on, sent, shared, reached.get(pk) or 0)
        for pk, title, reference, on, sent, shared in rows if on is not None))
