"""Reads of publication: the approved version, its renders and leak checks, what still
blocks publication, and the published-reports library.

And the reading half of the one publication path every published text takes
(docs/publication.md, "One path"): a ``PublishedSource`` (what a document is made of, with
real names), ``anonymise_source`` (each part through the anonymiser with the register and
the reviewers' decisions) and ``source_check`` (every item the anonymiser and the leak check
left for a person to settle). The report's source is ``report_source``; a learning briefing
or the yearly report is another source through the same functions.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from agencies.models import User
from reviews.formats.markdown import render_markdown
from reviews.models import (
    BoardResponse,
    DismissedName,
    FormDecision,
    LeakCheck,
    LeakHit,
    PanelAppointment,
    Publication,
    PublicName,
    ReportSnapshot,
    Review,
    SignOffSubmission,
)
from reviews.models.publication import CONFIDENTIAL_KIND, PUBLISHED_KIND
from scr.anonymise import AnonymisedText, PossibleName, RegisterEntry, anonymise
from scr.anonymise.register import decision_key
from scr.models import RenderRecord
from scr.renders import RENDER_TIME_LIMIT, render_is_current

__all__ = [
    "CONFIDENTIAL_KIND",
    "OUT_OF_DATE",
    "PUBLISHED_KIND",
    "AnonymisationCheck",
    "AnonymisedPart",
    "CheckItem",
    "PublishedSource",
    "RenderRow",
    "Segment",
    "SourcePart",
    "active_render",
    "anonymisation_check",
    "anonymise_source",
    "approved_snapshot",
    "board_markdown",
    "latest_render",
    "library_search",
    "live_publication",
    "names_allowed_by_design",
    "possible_unregistered_names",
    "public_dates",
    "publication_blockers",
    "publication_register",
    "publishable_render",
    "publishable_render_of",
    "render_blockers",
    "render_rows",
    "render_rows_of",
    "report_source",
    "source_check",
    "source_inputs_digest",
    "takedown_due",
]

REPORT_KINDS = (PUBLISHED_KIND, CONFIDENTIAL_KIND)


def approved_snapshot(review: Review) -> ReportSnapshot | None:
    """The version every approver approved (the approved sign-off submission's)."""
    submission = (SignOffSubmission._base_manager.filter(
        review=review, status=SignOffSubmission.Status.APPROVED)
        .select_related("snapshot").order_by("-submitted_at", "-id").first())
    return submission.snapshot if submission is not None else None


def _renders(target: Model, kind: str) -> QuerySet[RenderRecord]:
    """The renders of ``target`` (a report's version, a briefing) of this kind."""
    return RenderRecord._base_manager.filter(
        content_type__app_label=target._meta.app_label,
        content_type__model=target._meta.model_name, object_id=target.pk, kind=kind)


def active_render(target: Model, kind: str) -> RenderRecord | None:
    """A render of this target and kind still queued, or running within its time limit."""
    stale = timezone.now() - timedelta(seconds=RENDER_TIME_LIMIT)
    return _renders(target, kind).filter(
        Q(status=RenderRecord.Status.QUEUED)
        | Q(status=RenderRecord.Status.RUNNING, started_at__gte=stale)).first()


def latest_render(target: Model, kind: str = PUBLISHED_KIND) -> RenderRecord | None:
    """The latest finished render of ``target`` (the approved version, a briefing) of this
    kind."""
    return _renders(target, kind).filter(
        status=RenderRecord.Status.DONE).order_by("-finished_at", "-id").first()


OUT_OF_DATE = ("the latest anonymised PDF was made before the register, the anonymisation "
               "check's decisions or the names allowed by design last changed: it is not "
               "what would be published now, so make it again")


def render_blockers(target: Model | None, kind: str = PUBLISHED_KIND) -> list[str]:
    """What stops the latest anonymised render of ``target`` from being published, in words
    (empty: it is current, leak-checked, and every hit is waived). The one rule of the
    publication path's last step, for the report and every other published document."""
    latest = latest_render(target, kind) if target is not None else None
    if latest is None:
        return ["no anonymised PDF has been made"]
    if not render_is_current(latest):
        return [OUT_OF_DATE]
    check = LeakCheck._base_manager.filter(render=latest).first()
    if check is None:
        return ["the latest anonymised PDF has not been leak-checked yet"]
    if check.error:
        return [f"the leak check could not read the latest PDF ({check.error})"]
    hits = LeakHit._base_manager.filter(leak_check=check, waived_at__isnull=True).count()
    if hits:
        return [f"{hits} open leak-check hit{'s' if hits != 1 else ''} in the latest PDF"]
    return []


def publishable_render_of(target: Model | None, kind: str = PUBLISHED_KIND,
                          ) -> RenderRecord | None:
    """The latest finished anonymised render of ``target`` if nothing blocks it
    (``render_blockers``); a missing check is never "clean", and a PDF made before the
    register changed is never publishable, whatever its check said."""
    if target is None or render_blockers(target, kind):
        return None
    return latest_render(target, kind)


def publishable_render(review: Review) -> RenderRecord | None:
    """The report's publishable render: ``publishable_render_of`` the approved version."""
    return publishable_render_of(approved_snapshot(review))


def publication_blockers(review: Review) -> list[str]:
    """What stops the approved version's PDF from being published, in words."""
    snapshot = approved_snapshot(review)
    if snapshot is None:
        return ["no version of the report has been approved"]
    blockers = render_blockers(snapshot)
    if blockers == ["no anonymised PDF has been made"]:
        return ["no anonymised PDF of the approved version has been made"]
    return blockers


def possible_unregistered_names(review: Review, snapshot: ReportSnapshot | None,
                                source: PublishedSource | None = None) -> list[PossibleName]:
    """Capitalised given names in the approved version (its parts and the board's response)
    that belong to nobody in the register, the partnership, the agencies, the panel or the
    people named by design: for the reviewer to register (the anonymiser leaves them as they
    are, and the leak check cannot know them), less those the team dismissed as nobody's
    name."""
    from reviews.selectors.register import review_public_names, review_register
    from scr.anonymise import unregistered_names

    if source is None:
        if snapshot is None:
            return []
        source = report_source(snapshot)
    text = "\n\n".join(part.body for part in source.parts)
    dismissed = {n.casefold() for n in DismissedName._base_manager.filter(
        review=review, withdrawn=False).values_list("name", flat=True)}
    ignore = [*review_public_names(review), *names_allowed_by_design(review)]
    return [found for found in unregistered_names(text, review_register(review), ignore=ignore)
            if found.name.casefold() not in dismissed]


# ---------------------------------------------------------------- the one publication path


@dataclass(frozen=True)
class SourcePart:
    """One part of a document to publish, as written (Markdown, real names)."""

    anchor: str
    title: str
    body: str


@dataclass(frozen=True)
class PublishedSource:
    """What one published document is made of: its parts, the review whose register
    anonymises them, the record its PDF is a render of, and the day ages are counted at."""

    review: Review
    target: Model
    parts: tuple[SourcePart, ...]
    reference_date: date | None
    title: str = ""  # a title the document prints beside its parts (a briefing's)


def board_markdown(response: BoardResponse | None) -> str:
    """The board's response as the report prints it."""
    if response is None:
        return "The board's response has not been recorded."
    lines = [response.response, "", "### How the board will monitor the actions", "",
             response.monitoring, ""]
    items = list(response.items.select_related("finding", "recommendation"))
    if items:
        lines += ["### The board's decisions", ""]
        for item in items:
            what = item.finding or item.recommendation
            action = f" – {item.action}" if item.action else ""
            lines.append(f"- **{what}**: {item.get_decision_display()}{action}")
    return "\n".join(lines)


def report_source(snapshot: ReportSnapshot) -> PublishedSource:
    """The report: every part of the version, then the board's latest response."""
    review = snapshot.review
    parts = [SourcePart(f"part-{p.position}", p.title, p.body)
             for p in snapshot.parts.order_by("position")]
    response = (review.board_responses.filter(recorded_at__lte=timezone.now())
                .order_by("-version").first())
    parts.append(SourcePart("board-response", "The board's response", board_markdown(response)))
    return PublishedSource(review, snapshot, tuple(parts), review.incident_date)


def publication_register(review: Review) -> list[RegisterEntry]:
    """The register the published text is anonymised with: ``review_register`` and the
    reviewers' decisions about forms the anonymiser could not settle (each person's, as
    ``RegisterEntry.decided``; "not a name" decisions are nobody's and leave the form)."""
    from reviews.selectors.register import review_register

    entries = review_register(review)
    decided: dict[str, list[tuple[str, str]]] = {}
    for text, context, pseudonym in FormDecision._base_manager.filter(
            review=review, withdrawn=False, subject__isnull=False,
            subject__withdrawn=False).values_list("text", "context", "subject__pseudonym"):
        decided.setdefault(pseudonym, []).append((text, context))
    return [replace(e, decided=tuple(decided[e.pseudonym])) if e.pseudonym in decided else e
            for e in entries]


def public_dates(review: Review) -> set[date]:
    """Dates a report states on purpose and that identify no one: the period under review
    in the terms of reference (printed in its appendix). Every other full date is a hit."""
    found: set[date] = set()
    for start, end in review.terms.values_list("scope_start", "scope_end"):
        found |= {start, end}
    return found


def source_inputs_digest(source: PublishedSource) -> str:
    """A digest of everything a published PDF of ``source`` and its leak check are made
    from: the parts as written, the register with the reviewers' decisions (for a person or
    "not a name"), the names dismissed, the names allowed by design, the public dates and
    the partnership's leak-check settings. Kept on each render (``scr.renders``): a render
    whose digest is not today's was made before one of them changed, and is not
    publishable. Its order is fixed (every list sorted), so the same inputs give the same
    digest in every process."""
    review = source.review
    register = sorted(repr(replace(e, decided=tuple(sorted(e.decided))))
                      for e in publication_register(review))
    decisions = sorted(FormDecision._base_manager.filter(review=review, withdrawn=False)
                       .values_list("key", "context_key", "subject_id", "reason"))
    dismissed = sorted(DismissedName._base_manager.filter(review=review, withdrawn=False)
                       .values_list("name", flat=True))
    inputs = [
        [(p.anchor, p.title, p.body) for p in source.parts], str(source.reference_date),
        source.title,
        register, [list(d) for d in decisions], dismissed,
        sorted(names_allowed_by_design(review)), sorted(map(str, public_dates(review))),
        settings.PARTNERSHIP_NAME, str(settings.LEAK_CHECK_FULL_DATES)]
    return hashlib.sha256(repr(inputs).encode()).hexdigest()


_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class AnonymisedPart:
    part: SourcePart
    title: AnonymisedText
    body: AnonymisedText

    @property
    def empty(self) -> bool:
        """Nothing to print (a template section left blank): the PDF leaves it out."""
        return not _TAG.sub("", render_markdown(self.body.text)).strip()


def anonymise_source(source: PublishedSource,
                     register: Sequence[RegisterEntry] | None = None) -> list[AnonymisedPart]:
    """Every part of the source through ``scr.anonymise.anonymise`` (its title and its
    text), with the publication register: what the PDF prints and what the check lists."""
    entries = publication_register(source.review) if register is None else register
    return [AnonymisedPart(part, anonymise(part.title, entries, source.reference_date),
                           anonymise(part.body or "", entries, source.reference_date))
            for part in source.parts]


ITEM_LABELS = {"uncertain": "Whose is this name?", "skipped": "A name in lower case",
               "unregistered": "A possible name nobody registered",
               "leak_hit": "Found by the leak check"}


@dataclass(frozen=True)
class CheckItem:
    """One thing the anonymiser or the leak check left for a person: an uncertain or skipped
    form, a possible unregistered name, a hit of the latest PDF. ``settled`` says how it
    was settled ("" while open)."""

    kind: str  # "uncertain", "skipped", "unregistered", "leak_hit"
    text: str
    context: str
    where: str
    candidates: tuple[str, ...] = ()
    reason: str = ""
    settled: str = ""
    count: int = 1
    hit: LeakHit | None = None
    number: int = 0
    decision: FormDecision | None = None  # the "not a name" decision that settled it

    @property
    def token(self) -> str:
        """Names the item in a URL without the name."""
        return hashlib.sha256(f"{self.kind}|{self.text}|{self.context}".encode()).hexdigest()[:20]

    @property
    def label(self) -> str:
        return ITEM_LABELS[self.kind]

    @property
    def blocks_render(self) -> bool:
        """Unsettled anonymiser items stop the anonymised PDF; a leak-check hit stops only
        publication (the PDF made again after the fix is what clears it)."""
        return not self.settled and self.kind != "leak_hit"


def _not_a_name(decisions: Iterable[FormDecision]) -> dict[tuple[str, str], FormDecision]:
    return {(d.key, d.context_key): d for d in decisions if d.subject_id is None}


def _settled_by(found: dict[tuple[str, str], FormDecision], text: str, context: str,
                ) -> tuple[str, FormDecision | None]:
    form, where = decision_key(text, context)
    decision = found.get((form, where)) or found.get((form, ""))
    if decision is None:
        return "", None
    return (f"Not a name ({decision.reason})" if decision.reason else "Not a name"), decision


def source_check(source: PublishedSource, parts: Sequence[AnonymisedPart],
                 render: RenderRecord | None = None) -> list[CheckItem]:
    """Every item of the check, in the order of the document: the anonymiser's uncertain
    and skipped forms (settled by a "not a name" decision; a decision for a person makes
    them replacements), the possible unregistered names (settled by registering the person
    or dismissing the word, after which they are no longer listed), then the hits of the
    latest anonymised render's leak check (settled by a waiver, or by a new, clean PDF)."""
    decisions = _not_a_name(FormDecision._base_manager.filter(
        review=source.review, withdrawn=False).select_related("decided_by"))
    items: list[CheckItem] = []
    for part in parts:
        for result in (part.title, part.body):
            for u in result.uncertain:
                settled, decision = _settled_by(decisions, u.text, u.context)
                items.append(CheckItem("uncertain", u.text, u.context, part.part.title,
                                       u.candidates, u.reason, settled, decision=decision))
            for k in result.skipped:
                settled, decision = _settled_by(decisions, k.text, k.context)
                items.append(CheckItem("skipped", k.text, k.context, part.part.title,
                                       (k.pseudonym,), k.reason, settled, decision=decision))
    for possible in possible_unregistered_names(source.review, None, source):
        items.append(CheckItem("unregistered", possible.name,
                               possible.contexts[0] if possible.contexts else "", "",
                               count=possible.count,
                               reason="a given name that belongs to nobody in the register"))
    check = LeakCheck._base_manager.filter(render=render).first() if render else None
    if check is not None:
        for hit in LeakHit._base_manager.filter(leak_check=check).select_related(
                "waived_by").order_by("page", "id"):
            settled = (f"Waived: {hit.waiver_reason}" if hit.waived_at is not None else "")
            items.append(CheckItem("leak_hit", hit.matched, hit.context, f"page {hit.page}",
                                   (hit.pseudonym,) if hit.pseudonym else (), hit.kind,
                                   settled, hit=hit))
    return [replace(item, number=n) for n, item in enumerate(items, start=1)]


@dataclass(frozen=True)
class Segment:
    """A stretch of a part as published, marked where it was changed or left for a person:
    ``mark`` is "replaced" (``original`` was, ``pseudonym`` is whose it was taken to be),
    "uncertain" or "skipped" (left as written; ``item`` is its number in the check), or ""."""

    text: str
    mark: str = ""
    original: str = ""
    pseudonym: str | None = None
    note: str = ""
    item: int = 0
    settled: bool = False


def segments(source_text: str, result: AnonymisedText,
             items: dict[tuple[str, str, str], CheckItem]) -> list[Segment]:
    """The published text of one part, piece by piece, for the check page."""

    def left(kind: str, text: str, context: str) -> Segment:
        item = items.get((kind, text, context))
        return Segment(text, kind, item=item.number if item else 0,
                       settled=bool(item and item.settled))

    events: list[tuple[int, int, Segment]] = [
        (r.start, r.end, Segment(r.replacement, "replaced", r.original, r.pseudonym, r.note))
        for r in result.replacements]
    events += [(u.start, u.end, left("uncertain", u.text, u.context)) for u in result.uncertain]
    events += [(k.start, k.end, left("skipped", k.text, k.context)) for k in result.skipped]
    pieces: list[Segment] = []
    cursor = 0
    for start, end, segment in sorted(events, key=lambda e: e[0]):
        if start < cursor:
            continue
        if start > cursor:
            pieces.append(Segment(source_text[cursor:start]))
        pieces.append(segment)
        cursor = end
    if cursor < len(source_text):
        pieces.append(Segment(source_text[cursor:]))
    return pieces


@dataclass
class AnonymisationCheck:
    """The Anonymisation check page of the approved version."""

    snapshot: ReportSnapshot | None
    parts: list[AnonymisedPart] = field(default_factory=list)
    items: list[CheckItem] = field(default_factory=list)
    decisions: list[FormDecision] = field(default_factory=list)
    dismissed: list[DismissedName] = field(default_factory=list)
    render: RenderRecord | None = None

    @property
    def unsettled(self) -> list[CheckItem]:
        """What stops the anonymised PDF from being made."""
        return [i for i in self.items if i.blocks_render]

    @property
    def open_hits(self) -> list[CheckItem]:
        return [i for i in self.items if i.kind == "leak_hit" and not i.settled]

    def item(self, token: str) -> CheckItem | None:
        return next((i for i in self.items if i.token == token), None)

    def shown_parts(self) -> list[tuple[AnonymisedPart, list[Segment], list[Segment]]]:
        """Each part as published (its title and text), marked, with the check's numbers."""
        items = {(i.kind, i.text, i.context): i for i in self.items}
        return [(p, segments(p.part.title, p.title, items),
                 segments(p.part.body, p.body, items)) for p in self.parts]


def anonymisation_check(review: Review, *, with_items: bool = True) -> AnonymisationCheck:
    """The approved version anonymised, with every item to settle (``source_check``), the
    decisions made and the names dismissed."""
    snapshot = approved_snapshot(review)
    if snapshot is None:
        return AnonymisationCheck(None)
    source = report_source(snapshot)
    parts = anonymise_source(source)
    render = latest_render(snapshot)
    return AnonymisationCheck(
        snapshot, parts, source_check(source, parts, render) if with_items else [],
        list(FormDecision._base_manager.filter(review=review, withdrawn=False)
             .select_related("subject", "decided_by")),
        list(DismissedName._base_manager.filter(review=review, withdrawn=False)
             .select_related("dismissed_by")),
        render)


def names_allowed_by_design(review: Review) -> list[str]:
    """People a published report names on purpose, whom the leak check must not count as
    leaks: the partnership's (``settings.PUBLIC_NAMES``: its chair, officers, the national
    Panel's chair), the review's appointed independent reviewer, and the review's own list
    (``PublicName``)."""
    reviewers = [a.user.get_full_name() for a in PanelAppointment._base_manager.filter(
        review=review, panel_role=PanelAppointment.PanelRole.REVIEWER,
        ended_on__isnull=True).select_related("user")]
    own = PublicName._base_manager.filter(review=review, withdrawn=False).values_list(
        "name", flat=True)
    return list(dict.fromkeys(n for n in (*settings.PUBLIC_NAMES, *reviewers, *own)
                              if n and n.strip()))


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
    return render_rows_of(snapshot, REPORT_KINDS)


def render_rows_of(target: Model, kinds: Sequence[str]) -> list[RenderRow]:
    """Every render of ``target`` of these kinds, newest first, with its leak check and
    hits (the report's version, a briefing)."""
    records = list(RenderRecord._base_manager.filter(
        content_type__app_label=target._meta.app_label,
        content_type__model=target._meta.model_name,
        object_id=target.pk, kind__in=kinds).order_by("-created_at", "-id"))
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
