"""Learning briefings (7-minute briefings): drafted from a published review's findings and
recommendations, edited, then published through the one publication path the report takes
(``publication.PublicationPath``: anonymise → check → render → leak check → publish), sent to
chosen agencies, and followed by each agency's record of how it was shared and practitioners'
anonymous feedback (docs/publication.md, "Learning briefings").
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from agencies.models import Agency, User
from agencies.models.roles import Role
from reviews.models import (
    BRIEFING_KIND,
    BRIEFING_SECTIONS,
    Briefing,
    BriefingFeedback,
    BriefingRecipient,
    Dissemination,
    LeakCheck,
    Review,
)
from reviews.selectors.briefings import TITLE_ANCHOR, briefing_source
from reviews.selectors.publication import PublishedSource
from reviews.services.base import require_changer
from reviews.services.handoffs import notify_briefing_sent
from reviews.services.publication import Part, PublicationPath, report_title
from scr.documents import StorageFull, sha256_of, store_file
from scr.history import save_with_history
from scr.models import RenderRecord
from scr.rules import fresh_locked, require_reason

__all__ = [
    "BRIEFING_PATH",
    "MAX_BRIEFING_PAGES",
    "briefing_draft",
    "briefing_edit",
    "briefing_feedback_give",
    "briefing_html",
    "briefing_inputs",
    "briefing_leak_check",
    "briefing_publish",
    "briefing_render_request",
    "briefing_withdraw",
    "dissemination_record",
]

MAX_BRIEFING_PAGES = 2


def _briefing_document(source: PublishedSource, parts: list[Part]) -> str:
    """The briefing's HTML: its anonymised title as the heading, then its sections."""
    title = next((p for p in parts if p.anchor == TITLE_ANCHOR), None)
    heading = " ".join(strip_tags(title.html).split()) if title is not None else ""
    return render_to_string("reviews/briefing_pdf.html", {
        "title": heading or "7-minute briefing", "partnership": settings.PARTNERSHIP_NAME,
        "parts": [p for p in parts if p.anchor != TITLE_ANCHOR],
        "month": timezone.localdate().strftime("%B %Y")})


BRIEFING_PATH = PublicationPath(
    BRIEFING_KIND, briefing_source,
    check_url=lambda target: reverse("briefing", args=[target.pk]),
    document=_briefing_document)


def briefing_html(briefing: Briefing) -> str:
    """The renderer of ``reviews.briefing_published`` (``BRIEFING_PATH.html``)."""
    return BRIEFING_PATH.html(briefing)


def briefing_inputs(briefing: Briefing) -> str:
    return BRIEFING_PATH.inputs(briefing)


def briefing_leak_check(record: RenderRecord) -> LeakCheck:
    """The after-step of ``reviews.briefing_published``: the report's leak check."""
    return BRIEFING_PATH.leak_check(record)


def _bullets(lines: Iterable[str]) -> str:
    return "\n".join(f"- {line}" for line in lines if line.strip())


def _prefilled(review: Review) -> dict[str, str]:
    """The five sections from what the review recorded: its findings (what we found, why
    it matters, a question for teams each) and recommendations (what to do)."""
    findings = list(review.findings.filter(withdrawn=False).order_by("number"))
    recommendations = list(review.recommendations.filter(withdrawn=False).order_by("number"))
    kind = ("Serious Case Review" if settings.REVIEW_VOCABULARY == "SCR"
            else "Local Child Safeguarding Practice Review")
    return {
        # The month only: a full date in the PDF is a leak-check hit.
        "background": f"This briefing summarises the learning from a {kind} published in "
                      f"{review.published_on:%B %Y}.\n\n{review.what_happened}",
        "why_it_matters": "\n\n".join(f.why_it_matters for f in findings if f.why_it_matters),
        "what_we_found": _bullets(f"**{f.title}.** {f.statement}" for f in findings),
        "what_to_do": _bullets(r.text for r in recommendations),
        "questions": _bullets(f"How would your team recognise and act on this: {f.title}?"
                              for f in findings),
    }


@transaction.atomic(durable=True)
def briefing_draft(*, by: User, review: Review) -> Briefing:
    """Start a briefing of a published review, its sections prefilled from the review's
    findings and recommendations (the drafting team: a business manager or its reviewer)."""
    stored = fresh_locked(review)
    require_changer(by, stored, "draft a learning briefing")
    if not stored.published_on:
        raise ValidationError("A learning briefing is drafted from a published review: this "
                              "review's report is not published yet.")
    if Briefing._base_manager.filter(review=stored, status=Briefing.Status.DRAFT).exists():
        raise ValidationError("This review already has a draft briefing: edit that one.")
    briefing = Briefing(review=stored, title=f"7-minute briefing: {report_title(stored)}",
                        created_by=by, **_prefilled(stored))
    briefing.full_clean()
    return save_with_history(briefing, by=by, reason="Briefing drafted from the review")


def _draft(by: User, briefing: Briefing, what: str) -> Briefing:
    stored = fresh_locked(briefing)
    require_changer(by, stored.review, what)
    if stored.status != Briefing.Status.DRAFT:
        raise ValidationError("This briefing is published: it can no longer change. Nothing "
                              "was changed.")
    return stored


@transaction.atomic(durable=True)
def briefing_edit(*, by: User, briefing: Briefing, reason: str = "",
                  **sections: str) -> Briefing:
    """Change the title or sections of a draft (the history keeps every version)."""
    stored = _draft(by, briefing, "edit a learning briefing")
    allowed = {"title", *(name for name, _ in BRIEFING_SECTIONS)}
    unknown = set(sections) - allowed
    if unknown:
        raise ValidationError(f"Unknown parts of a briefing: {', '.join(sorted(unknown))}")
    for name, value in sections.items():
        setattr(stored, name, (value or "").strip())
    if not stored.title:
        raise ValidationError({"title": "Enter the briefing's title"})
    stored.full_clean()
    save_with_history(stored, by=by, reason=reason or "Briefing edited")
    briefing.refresh_from_db()
    return briefing


@transaction.atomic(durable=True)
def briefing_render_request(*, by: User, briefing: Briefing) -> RenderRecord:
    """The anonymised PDF of a draft, through the publication path: refused while an item of
    its anonymisation check is unsettled."""
    stored = _draft(by, briefing, "make a briefing's PDF")
    return BRIEFING_PATH.request_render(by=by, target=stored)


@transaction.atomic(durable=True)
def briefing_publish(*, by: User, briefing: Briefing, agencies: Iterable[Agency],
                     published_on: date | None = None) -> Briefing:
    """Publish the draft's clean (or waived) anonymised PDF (one or two pages) and send it
    to the chosen agencies, whose leads are told (no identifiable data in the message)."""
    if not by.has_role(Role.BUSINESS_MANAGER):
        raise ValidationError("Only a business manager can publish a learning briefing.")
    stored = _draft(by, briefing, "publish a learning briefing")
    chosen = {a.pk: a for a in agencies}
    if not chosen:
        raise ValidationError({"agencies": "Choose at least one agency to send it to"})
    render = BRIEFING_PATH.publishable(stored)
    check = LeakCheck._base_manager.get(render=render)
    if not 1 <= check.pages <= MAX_BRIEFING_PAGES:
        raise ValidationError(f"A briefing is one or two pages; this PDF has {check.pages}. "
                              "Shorten it and make the PDF again.", code="too_long")
    on = published_on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"published_on": "The publication date cannot be in the future"})
    with render.file.open("rb") as source:
        pdf = source.read()
    digest = sha256_of(ContentFile(pdf))
    if render.sha256 and digest != render.sha256:
        raise ValidationError("The rendered PDF has changed since it was made: make it again.")
    try:
        store_file(stored.file, f"{stored.review.reference}-briefing.pdf", ContentFile(pdf))
    except StorageFull as full:
        raise ValidationError(f"{full.strerror}: the briefing was not published. Try again "
                              "later, and tell your administrator.", code="storage_full") from None
    stored.render, stored.size, stored.sha256, stored.text = render, len(pdf), digest, check.text
    stored.status, stored.published_on, stored.published_by = (
        Briefing.Status.PUBLISHED, on, by)
    save_with_history(stored, by=by, reason="Briefing published")
    for agency in sorted(chosen.values(), key=lambda a: a.name):
        save_with_history(BriefingRecipient(review=stored.review, briefing=stored, agency=agency),
                          by=by, reason="Briefing sent")
    notify_briefing_sent(by=by, briefing=stored, agencies=list(chosen.values()))
    briefing.refresh_from_db()
    return briefing


@transaction.atomic(durable=True)
def briefing_withdraw(*, by: User, briefing: Briefing, reason: str) -> Briefing:
    """Take a published briefing out of the library (the record and the file stay)."""
    if not by.has_role(Role.BUSINESS_MANAGER):
        raise ValidationError("Only a business manager can withdraw a learning briefing.")
    reason = require_reason(reason)
    stored = fresh_locked(briefing)
    if stored.status != Briefing.Status.PUBLISHED:
        raise ValidationError("Only a published briefing can be withdrawn.")
    stored.status, stored.withdrawal_reason = Briefing.Status.WITHDRAWN, reason
    save_with_history(stored, by=by, reason=reason)
    briefing.refresh_from_db()
    return briefing


@transaction.atomic(durable=True)
def dissemination_record(*, by: User, briefing: Briefing, agency: Agency, shared_on: date,
                         how: str, practitioners_reached: int, notes: str = "") -> Dissemination:
    """A recipient agency's lead records how the briefing was shared with its practitioners."""
    stored = fresh_locked(briefing)
    if agency.pk not in by.agency_ids(Role.AGENCY_LEAD):
        raise ValidationError("Only the agency's own lead can record how it shared a briefing.")
    if stored.status != Briefing.Status.PUBLISHED:
        raise ValidationError("This briefing is not published.")
    if not BriefingRecipient._base_manager.filter(briefing=stored, agency=agency).exists():
        raise ValidationError("This briefing was not sent to your agency.")
    if how not in Dissemination.How.values:
        raise ValidationError({"how": "Choose how it was shared"})
    if practitioners_reached is None or practitioners_reached < 1:
        raise ValidationError({"practitioners_reached":
                               "Enter how many practitioners it reached (1 or more)"})
    if shared_on > timezone.localdate():
        raise ValidationError({"shared_on": "The date shared cannot be in the future"})
    if stored.published_on and shared_on < stored.published_on:
        raise ValidationError({"shared_on": "The date shared cannot be before the briefing "
                                            "was published"})
    record = Dissemination(review=stored.review, briefing=stored, agency=agency,
                           shared_on=shared_on, how=how,
                           practitioners_reached=practitioners_reached,
                           notes=(notes or "").strip(), recorded_by=by)
    record.full_clean()
    return save_with_history(record, by=by, reason="Dissemination recorded")


@transaction.atomic(durable=True)
def briefing_feedback_give(*, by: User, briefing: Briefing, what_helped: str,
                           what_could_improve: str, anonymous: bool) -> BriefingFeedback:
    """A practitioner's feedback on a published briefing they can read. Anonymous feedback
    keeps no link to its author, not even in its history (``AnonymousFeedback``)."""
    if not Briefing.objects.for_user(by, "view").filter(
            pk=briefing.pk, status=Briefing.Status.PUBLISHED).exists():
        raise ValidationError("You cannot give feedback on this briefing.")
    helped, improve = (what_helped or "").strip(), (what_could_improve or "").strip()
    if not helped and not improve:
        raise ValidationError({"what_helped": "Enter what helped or what could be better"})
    feedback = BriefingFeedback(review_id=briefing.review_id, briefing=briefing,
                                what_helped=helped, what_could_improve=improve,
                                given_by=None if anonymous else by)
    feedback.full_clean()
    feedback.save()
    return feedback
