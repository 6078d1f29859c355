"""The report's PDFs and its publication: render requests, leak-hit waivers, publishing
the clean (or waived) PDF and the takedown-review decisions.

The approved version's HTML for WeasyPrint, in two kinds, and the leak check that runs on
every anonymised render:

- ``reviews.report_published`` — the publishable report: every part of the snapshot and
  the board's response turned into publishable text by ``scr.anonymise.anonymise`` with the
  review's register (``review_register``), then Markdown → sanitised HTML.
- ``reviews.report_confidential`` — the same text with the real names, marked
  "CONFIDENTIAL – NOT FOR PUBLICATION" on every page (an ``@page`` margin box); for the
  drafting team and the panel, never the library.

Both have a cover page (the pseudonymous title, the partnership's name), contents with page
numbers (``target-counter``), a running header and page numbers, tables whose rows never
split and whose header repeats, and the board's response as its own section. Text typed by
people never reaches CSS: the running title comes from the document through
``string-set``, not from a ``content:`` string built here.

``leak_check_render`` (the ``after`` step of the published kind) reads the PDF's own text
(``scr.anonymise.leak_check``, pdftotext; the period under review in the terms of
reference is the one kind of full date allowed, ``LEAK_CHECK_FULL_DATES`` says whether the
others are hits, and the people named by design are allowed) and stores a ``LeakCheck``
with one ``LeakHit`` per hit. It is idempotent: a render is checked once.

All of it is one path (``PublicationPath``, the report's ``REPORT_PATH``): anonymise →
check → render → leak check → publish only clean or waived.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from agencies.models import User
from agencies.models.roles import Role
from reviews.formats.markdown import render_markdown
from reviews.models import (
    BoardResponse,
    Briefing,
    DismissedName,
    FormDecision,
    LeakCheck,
    LeakHit,
    Publication,
    PublicName,
    Report,
    ReportSnapshot,
    Review,
    Stage,
    Subject,
    TakedownDecision,
)
from reviews.models.publication import CONFIDENTIAL_KIND, PUBLISHED_KIND
from reviews.models.scope import may_keep_register
from reviews.selectors.publication import (
    OUT_OF_DATE,
    CheckItem,
    PublishedSource,
    active_render,
    anonymise_source,
    approved_snapshot,
    latest_render,
    names_allowed_by_design,
    public_dates,
    publishable_render,
    publishable_render_of,
    render_blockers,
    report_source,
    source_check,
    source_inputs_digest,
)
from reviews.selectors.register import review_register
from reviews.services.base import open_review_locked, require_changer
from reviews.services.clocks import review_refresh_clocks
from reviews.services.lifecycle import check_publishable
from scr.anonymise import LeakCheckError, leak_check_pages, pdf_pages
from scr.documents import StorageFull, sha256_of, store_file
from scr.history import save_with_history
from scr.models import RenderRecord
from scr.renders import render_is_current, render_request
from scr.rules import fresh_locked, require_reason
from scr.workdays import add_months

__all__ = [
    "REPORT_PATH",
    "PublicationPath",
    "confidential_html",
    "dismissed_name_reopen",
    "form_decision_record",
    "form_decision_withdraw",
    "leak_check_render",
    "leak_hit_reopen",
    "leak_hit_waive",
    "panel_notice_record",
    "public_name_add",
    "public_name_withdraw",
    "publication_publish",
    "publication_takedown_decide",
    "published_html",
    "published_inputs",
    "register_changed",
    "report_render_request",
    "report_title",
    "unregistered_name_dismiss",
]

RENDER_STAGES = (Stage.SIGN_OFF, Stage.PUBLICATION)


@transaction.atomic(durable=True)
def report_render_request(*, by: User, review: Review, kind: str) -> RenderRecord:
    """Ask for a PDF of the approved version (``kind``: published or confidential). A
    render of the same version and kind still queued or running is returned rather than
    started twice (the report's row lock makes two requests take turns). The anonymised
    PDF goes the one publication path (``REPORT_PATH``): refused while any item of the
    anonymisation check is unsettled."""
    if kind not in (PUBLISHED_KIND, CONFIDENTIAL_KIND):
        raise ValidationError("Choose the anonymised or the confidential PDF.")
    stored = open_review_locked(review)
    if stored.stage not in RENDER_STAGES:
        raise ValidationError("The report's PDFs are made at the Sign-off and Publication "
                              "stages.")
    Report._base_manager.select_for_update().filter(review=stored).first()
    snapshot = approved_snapshot(stored)
    if snapshot is None:
        raise ValidationError("No version of the report has been approved yet: every "
                              "approver must approve the submitted version first.")
    if kind == PUBLISHED_KIND:
        return REPORT_PATH.request_render(by=by, target=snapshot)
    existing = active_render(snapshot, kind)
    if existing is not None:
        return existing
    return render_request(by=by, target=snapshot, kind=kind)


@transaction.atomic(savepoint=False)
def register_changed(review: Review, *, by: User) -> RenderRecord | None:
    """The register (or a decision, a dismissed name, a name allowed by design) changed in
    the caller's transaction: if the approved version already has an anonymised PDF and the
    review is at Sign-off or Publication, not yet published, the PDF is made again, so its
    leak check reads what changed — once every item of the anonymisation check is settled
    (until then the check page says what is left, and nothing is queued). A render still
    queued will read the new register when it runs, so it is not doubled."""
    if review.stage not in RENDER_STAGES or review.published_on:
        return None
    snapshot = approved_snapshot(review)
    if snapshot is None or Publication._base_manager.filter(
            review=review, status=Publication.Status.PUBLISHED).exists():
        return None
    active = active_render(snapshot, PUBLISHED_KIND)
    if active is None and latest_render(snapshot) is None:
        return None  # nobody asked for the PDF yet
    if active is not None and active.status == RenderRecord.Status.QUEUED:
        return active
    Report._base_manager.select_for_update().filter(review=review).first()
    try:
        return REPORT_PATH.request_render(by=by, target=snapshot, reuse_running=False)
    except ValidationError:
        return None


@transaction.atomic(durable=True)
def leak_hit_waive(*, by: User, hit: LeakHit, reason: str) -> LeakHit:
    """A business manager accepts one hit (a town that is also a surname, a public date),
    with a reason kept in the history. The caller has re-authenticated the person."""
    if not by.has_role(Role.BUSINESS_MANAGER):
        raise ValidationError("Only a business manager can waive a leak-check hit.")
    reason = require_reason(reason, "Enter why this hit can be published")
    stored = fresh_locked(hit)
    if stored.waived_at is not None:
        raise ValidationError("This hit has already been waived.")
    if Publication._base_manager.filter(render_id=stored.render_id).exists():
        raise ValidationError("This PDF has been published: its hits can no longer change.")
    stored.waived_at, stored.waived_by, stored.waiver_reason = timezone.now(), by, reason
    save_with_history(stored, by=by, reason=f"Leak-check hit waived: {reason}")
    hit.refresh_from_db()
    return hit


@transaction.atomic(durable=True)
def leak_hit_reopen(*, by: User, hit: LeakHit, reason: str) -> LeakHit:
    """A business manager takes a waiver back: the hit is open again and blocks publication
    (a waiver given too quickly). Who waived it, when and why stay in the history."""
    if not by.has_role(Role.BUSINESS_MANAGER):
        raise ValidationError("Only a business manager can reopen a leak-check hit.")
    reason = require_reason(reason, "Enter why the hit is reopened")
    stored = fresh_locked(hit)
    if stored.waived_at is None:
        raise ValidationError("This hit is not waived: it is open already.")
    if Publication._base_manager.filter(render_id=stored.render_id).exists():
        raise ValidationError("This PDF has been published: its hits can no longer change.")
    stored.waived_at, stored.waived_by, stored.waiver_reason = None, None, ""
    save_with_history(stored, by=by, reason=f"Leak-check hit reopened: {reason}")
    hit.refresh_from_db()
    return hit


@transaction.atomic(durable=True)
def panel_notice_record(*, by: User, review: Review, sent_on: date) -> LeakCheck:
    """Record that the national Panel was sent the report to be published: this very PDF
    (the approved version's clean, or waived, anonymised render), on ``sent_on``. The
    review's "sent to the national Panel" date follows, so the notice rule (DOMAIN.md: 7
    working days before publication) is judged on the PDF actually sent."""
    if not by.has_role(Role.BUSINESS_MANAGER):
        raise ValidationError("Only a business manager can record the notice to the Panel.")
    stored = open_review_locked(review)
    if stored.stage not in RENDER_STAGES:
        raise ValidationError("The notice is recorded at the Sign-off or Publication stage; "
                              f"this review is at {Stage(stored.stage).label}.")
    if stored.published_on:
        raise ValidationError("This review is published: its notice to the Panel is fixed.")
    if sent_on > timezone.localdate():
        raise ValidationError({"sent_on": "The date sent cannot be in the future"})
    render = _publishable(stored, by, "then send that PDF to the Panel")
    check = LeakCheck._base_manager.select_for_update().get(render=render)
    check.panel_notified_on = sent_on
    save_with_history(check, by=by, reason="The PDF was sent to the national Panel")
    stored.national_panel_sent_report_on = sent_on
    stored.full_clean()
    save_with_history(stored, by=by, reason="The PDF to be published was sent to the "
                                            "national Panel")
    review_refresh_clocks(stored)
    review.refresh_from_db()
    return check


@transaction.atomic(durable=True)
def unregistered_name_dismiss(*, by: User, review: Review, name: str,
                              reason: str) -> DismissedName:
    """The reviewer or a business manager says a possible unregistered name is nobody's
    name (a place, a word): it is no longer listed for this review; the reason is kept."""
    stored = open_review_locked(review)
    require_changer(by, stored, "dismiss a possible name")
    if stored.stage not in RENDER_STAGES:
        raise ValidationError("Possible names are dismissed at the Sign-off or Publication "
                              f"stage; this review is at {Stage(stored.stage).label}.")
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Enter the name to dismiss"})
    reason = require_reason(reason, "Enter why this is nobody's name")
    if DismissedName._base_manager.filter(review=stored, name__iexact=name,
                                          withdrawn=False).exists():
        raise ValidationError({"name": f"“{name}” is already dismissed for this review"})
    dismissed = DismissedName(review=stored, name=name, reason=reason, dismissed_by=by)
    dismissed.full_clean()
    save_with_history(dismissed, by=by, reason=f"Not a person's name: {reason}")
    register_changed(stored, by=by)
    return dismissed


@transaction.atomic(durable=True)
def dismissed_name_reopen(*, by: User, dismissed: DismissedName, reason: str) -> DismissedName:
    """Undo a dismissal: the possible name is listed on the check again (and blocks the
    render until it is settled anew). The dismissal and this reason stay in the history."""
    reason = require_reason(reason, "Enter why the name is reopened")
    stored_review = _deciding_review(by, dismissed.review, "reopen a dismissed name")
    stored = fresh_locked(dismissed)
    if stored.withdrawn:
        raise ValidationError("This name has already been reopened. Nothing was changed.")
    stored.withdrawn = True
    save_with_history(stored, by=by, reason=f"Reopened: {reason}")
    register_changed(stored_review, by=by)
    dismissed.refresh_from_db()
    return dismissed


def _deciding_review(by: User, review: Review, what: str) -> Review:
    """The review, locked, if ``by`` may settle its anonymisation check now: before its
    report is published, or once published while a learning briefing of it is a draft (the
    briefing takes the same path, with the same decisions)."""
    briefing = Briefing._base_manager.filter(review_id=review.pk, status=Briefing.Status.DRAFT,
                                             review__published_on__isnull=False).exists()
    stored = fresh_locked(review) if briefing else open_review_locked(review)
    if not may_keep_register(by, stored):
        raise ValidationError(f"Only the review's independent reviewer or a business manager "
                              f"can {what}. Nothing was changed.")
    if not briefing and (stored.stage not in RENDER_STAGES or stored.published_on):
        raise ValidationError(f"The anonymisation check is settled at the Sign-off or "
                              f"Publication stage, before publication; this review is at "
                              f"{Stage(stored.stage).label}.")
    return stored


@transaction.atomic(durable=True)
def form_decision_record(*, by: User, review: Review, text: str, context: str,
                         subject: Subject | None, everywhere: bool = False,
                         reason: str = "") -> FormDecision:
    """Settle a name the anonymiser left undecided: whose it is (``subject``; the anonymiser
    then replaces it with their pseudonym) or, with no subject, that it is nobody's name
    (left as written; a reason is required). For the place it was reported (its
    ``context``) or, ``everywhere``, wherever that form is left undecided."""
    stored = _deciding_review(by, review, "decide whose a name is")
    reason = " ".join((reason or "").split())
    if subject is None and not reason:
        raise ValidationError({"reason": "Enter why this is nobody's name"})
    if subject is not None and (subject.review_id != stored.pk or subject.withdrawn):
        raise ValidationError({"subject": "Choose someone in this review's register"})
    decision = FormDecision(review=stored, text=text, context="" if everywhere else context,
                            subject=subject, reason=reason, decided_by=by)
    decision.clean_fields()
    if not decision.key.strip("~"):
        raise ValidationError("There is no name to decide about.")
    if FormDecision._base_manager.filter(review=stored, key=decision.key,
                                         context_key=decision.context_key,
                                         withdrawn=False).exists():
        raise ValidationError("This has already been decided: undo that decision first.")
    decision.full_clean()
    whose = f"{subject}" if subject is not None else "not a name"
    save_with_history(decision, by=by, reason=f"Decided: {whose}"
                                              + (f" ({reason})" if reason else ""))
    register_changed(stored, by=by)
    return decision


@transaction.atomic(durable=True)
def form_decision_withdraw(*, by: User, decision: FormDecision, reason: str) -> FormDecision:
    """Undo a decision: the form is undecided again (listed on the check page)."""
    reason = require_reason(reason)
    stored_review = _deciding_review(by, decision.review, "undo a decision")
    stored = fresh_locked(decision)
    if stored.withdrawn:
        raise ValidationError("This decision has already been undone. Nothing was changed.")
    stored.withdrawn = True
    save_with_history(stored, by=by, reason=reason)
    register_changed(stored_review, by=by)
    decision.refresh_from_db()
    return decision


def _naming_review(by: User, review: Review) -> Review:
    if not by.has_role(Role.BUSINESS_MANAGER):
        raise ValidationError("Only a business manager can change who a report names on "
                              "purpose. Nothing was changed.")
    return open_review_locked(review)


@transaction.atomic(durable=True)
def public_name_add(*, by: User, review: Review, name: str, role: str) -> PublicName:
    """Someone this review's report names on purpose (an author, a chair who signs it): the
    leak check does not count their name."""
    stored = _naming_review(by, review)
    name, role = " ".join((name or "").split()), " ".join((role or "").split())
    if not name:
        raise ValidationError({"name": "Enter the name as the report prints it"})
    if not role:
        raise ValidationError({"role": "Enter why the report names them"})
    if PublicName._base_manager.filter(review=stored, name__iexact=name,
                                       withdrawn=False).exists():
        raise ValidationError({"name": f"“{name}” is already on the list"})
    named = PublicName(review=stored, name=name, role=role, added_by=by)
    named.full_clean()
    save_with_history(named, by=by, reason=f"Named on purpose: {role}")
    register_changed(stored, by=by)
    return named


@transaction.atomic(durable=True)
def public_name_withdraw(*, by: User, public_name: PublicName, reason: str) -> PublicName:
    reason = require_reason(reason)
    stored_review = _naming_review(by, public_name.review)
    stored = fresh_locked(public_name)
    if stored.withdrawn:
        raise ValidationError("This name has already been taken off the list.")
    stored.withdrawn = True
    save_with_history(stored, by=by, reason=reason)
    register_changed(stored_review, by=by)
    public_name.refresh_from_db()
    return public_name


def _publishable(review: Review, by: User, then: str) -> RenderRecord:
    """The PDF that may be sent and published, or a refusal that says why. A PDF made before
    the register (or a decision, or the names allowed by design) changed is refused in its
    own words; the new PDF it needs has been queued by the change itself when the check
    was settled, else the refusal says what to do."""
    render = publishable_render(review)
    if render is not None:
        return render
    snapshot = approved_snapshot(review)
    latest = latest_render(snapshot) if snapshot is not None else None
    if snapshot is not None and latest is not None and not render_is_current(latest):
        queued = active_render(snapshot, PUBLISHED_KIND) is not None
        raise ValidationError(
            "The anonymised PDF was made before the register, the anonymisation check's "
            "decisions or the names allowed by design last changed, so it is not what would "
            "be published now. " + (
                "A new PDF is being made: wait for it and its leak check, " if queued else
                "Settle the anonymisation check and make the PDF again, ") + then + ".",
            code="out_of_date")
    raise ValidationError("There is no clean (or waived) anonymised PDF of the approved "
                          f"version: make it first, {then}.")


def _takedown_review_on(published_on: date) -> date:
    return add_months(published_on, settings.PUBLICATION_TAKEDOWN_REVIEW_MONTHS)


@transaction.atomic(durable=True)
def publication_publish(*, by: User, review: Review, published_on: date | None = None,
                        reason: str = "") -> Publication:
    """Publish the approved version's clean (or waived) anonymised PDF: at the Publication
    stage, once every publication rule holds on the date. The PDF is copied and never
    changed again; its SHA-256 is kept and checked on every download. The review's
    publication date is recorded here if it was not already."""
    if not by.has_role(Role.BUSINESS_MANAGER):
        raise ValidationError("Only a business manager can publish a report.")
    stored = open_review_locked(review)
    if stored.stage != Stage.PUBLICATION:
        raise ValidationError("A report is published at the Publication stage; this review "
                              f"is at {Stage(stored.stage).label}.")
    if Publication._base_manager.filter(review=stored,
                                        status=Publication.Status.PUBLISHED).exists():
        raise ValidationError("This review's report is already published.")
    render = _publishable(stored, by, "then publish it")
    on = stored.published_on or published_on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"published_on": "The publication date cannot be in the future"})
    if not stored.published_on:
        check_publishable(stored, {"published_on": on})
    response = BoardResponse._base_manager.filter(review=stored).order_by("-version").first()
    if response is None:
        raise ValidationError("The board's response must be recorded before publication.")
    with render.file.open("rb") as source:
        pdf = source.read()
    digest = sha256_of(ContentFile(pdf))
    if render.sha256 and digest != render.sha256:
        raise ValidationError("The rendered PDF has changed since it was made: make it again.")
    check = LeakCheck._base_manager.get(render=render)
    if check.panel_notified_on is None:
        raise ValidationError("Record the day this PDF was sent to the national Panel first: "
                              "only the PDF the Panel was sent is published.")
    publication = Publication(
        review=stored, render=render, snapshot_id=render.object_id, board_response=response,
        title=report_title(stored), size=len(pdf), sha256=digest, text=check.text,
        published_on=on, takedown_review_on=_takedown_review_on(on), published_by=by)
    try:
        store_file(publication.file, f"{stored.reference}-published.pdf", ContentFile(pdf))
    except StorageFull as full:
        raise ValidationError(f"{full.strerror}: the report was not published. Try again "
                              "later, and tell your administrator.", code="storage_full") from None
    save_with_history(publication, by=by, reason=reason or "Report published")
    if not stored.published_on:
        stored.published_on = on
        stored.full_clean()
        save_with_history(stored, by=by, reason=reason or "Report published")
        review_refresh_clocks(stored)
    review.refresh_from_db()
    return publication


@transaction.atomic(durable=True)
def publication_takedown_decide(*, by: User, publication: Publication, decision: str,
                                reason: str) -> TakedownDecision:
    """Keep a published report (the next review in 12 months) or withdraw it from the
    library (recorded; the file and the record stay)."""
    if not by.has_role(Role.BUSINESS_MANAGER):
        raise ValidationError("Only a business manager can decide on a published report.")
    reason = require_reason(reason, "Enter the reason for the decision")
    stored = fresh_locked(publication)
    if stored.status != Publication.Status.PUBLISHED:
        raise ValidationError("This report has already been withdrawn from the library.")
    if decision not in TakedownDecision.Decision.values:
        raise ValidationError({"decision": "Choose whether to keep or withdraw the report"})
    next_review = None
    if decision == TakedownDecision.Decision.KEEP:
        next_review = _takedown_review_on(max(stored.takedown_review_on, timezone.localdate()))
        stored.takedown_review_on = next_review
    else:
        stored.status = Publication.Status.WITHDRAWN
        stored.withdrawn_at, stored.withdrawal_reason = timezone.now(), reason
    save_with_history(stored, by=by, reason=reason)
    record = TakedownDecision(review_id=stored.review_id, publication=stored, decision=decision,
                              reason=reason, next_review_on=next_review, decided_by=by)
    save_with_history(record, by=by, reason=reason)
    publication.refresh_from_db()
    return record


logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Part:
    anchor: str
    title: str
    html: str


def vocabulary_long() -> str:
    return ("Serious Case Review" if settings.REVIEW_VOCABULARY == "SCR"
            else "Local Child Safeguarding Practice Review")


def report_title(review: Review) -> str:
    """The pseudonymous title: the kind of review and the child's pseudonym."""
    child = (review.subjects.filter(kind="child", withdrawn=False).order_by("pk")
             .values_list("pseudonym", flat=True).first())
    return f"{vocabulary_long()}: {child}" if child else vocabulary_long()


_TAG = re.compile(r"<[^>]*>")


def _printed(anchor: str, title: str, body: str) -> Part | None:
    """A part as the PDF prints it, or None when its text prints nothing (a template
    section left empty): left out, with its line in the contents, so no page of the PDF is
    a heading alone."""
    html = render_markdown(body or "")
    if not _TAG.sub("", html).strip():
        return None
    return Part(anchor, title, mark_safe(html))  # noqa: S308  (sanitised by render_markdown)


def _document_html(source: PublishedSource, parts: list[Part], *, confidential: bool) -> str:
    review = source.review
    number = getattr(source.target, "number", "")
    return render_to_string("reviews/report_pdf.html", {
        "title": report_title(review), "partnership": settings.PARTNERSHIP_NAME,
        "reference": review.reference, "parts": parts, "confidential": confidential,
        "month": timezone.localdate().strftime("%B %Y"), "version": number})


@dataclass(frozen=True)
class PublicationPath:
    """The one path every published text of a review takes (docs/publication.md, "One
    path"), so nothing reaches the library by another way:

    1. anonymise — every part through ``scr.anonymise.anonymise`` with the register and the
       reviewers' decisions (``selectors.publication.anonymise_source``);
    2. check — every uncertain or skipped form and possible unregistered name settled
       (``source_check``), else the render is refused (``request_render``);
    3. render — the anonymised parts to HTML (``html``; empty parts left out), a PDF by
       ``scr.renders`` (tagged PDF/UA-1);
    4. leak check — the PDF's own text (``leak_check``), names allowed by design and the
       partnership's full-date rule passed;
    5. publish — only the latest render whose check is clean or every hit waived
       (``selectors.publication.publishable_render``, which ``publication_publish`` takes).

    ``kind`` is the render kind (its renderer and after-step are this path's ``html`` and
    ``leak_check``); ``source`` turns the render's target into its parts. The report is
    ``REPORT_PATH``; a learning briefing or the yearly report is another instance."""

    kind: str
    source: Callable[[Any], PublishedSource]
    # The page where the check of a target is settled (its URL), named in refusals.
    check_url: Callable[[Any], str] = lambda target: reverse(
        "anonymisation_check", args=[target.review_id])
    # The printed document: the source and its anonymised, non-empty parts to HTML.
    document: Callable[[PublishedSource, list[Part]], str] = (
        lambda source, parts: _document_html(source, parts, confidential=False))

    def unsettled(self, target: Any) -> list[CheckItem]:
        source = self.source(target)
        return [i for i in source_check(source, anonymise_source(source)) if i.blocks_render]

    def request_render(self, *, by: User, target: Any, reuse_running: bool = True,
                       ) -> RenderRecord:
        """Queue the anonymised PDF (in the caller's transaction), refused while the check
        has unsettled items; a render of the target still queued (or running, unless
        ``reuse_running`` is off) is returned instead of a second one."""
        unsettled = self.unsettled(target)
        if unsettled:
            count = len(unsettled)
            url = self.check_url(target)
            raise ValidationError(
                f"{count} item{'s' if count != 1 else ''} of the anonymisation check "
                f"{'is' if count == 1 else 'are'} not settled. Settle "
                f"{'it' if count == 1 else 'each'} on the Anonymisation check page ({url}), "
                "then make the anonymised PDF.", code="unsettled")
        existing = active_render(target, self.kind)
        if existing is not None and (reuse_running
                                     or existing.status == RenderRecord.Status.QUEUED):
            return existing
        return render_request(by=by, target=target, kind=self.kind)

    def publishable(self, target: Any) -> RenderRecord:
        """The render of ``target`` that may be published (current, leak-checked, every hit
        waived), or a refusal that says why (``selectors.publication.render_blockers``)."""
        render = publishable_render_of(target, self.kind)
        if render is not None:
            return render
        blockers = render_blockers(target, self.kind)
        code = "out_of_date" if OUT_OF_DATE in blockers else "not_clean"
        raise ValidationError("There is no clean (or waived) anonymised PDF to publish: "
                              + "; ".join(blockers) + ".", code=code)

    def inputs(self, target: Any) -> str:
        """The inputs of ``kind`` (``scr.renders``): what a render made now would be made
        from, so a PDF made before the register or a decision changed is known as such."""
        return source_inputs_digest(self.source(target))

    def html(self, target: Any) -> str:
        """The renderer of ``kind``: the anonymised document."""
        source = self.source(target)
        parts = [_printed(p.part.anchor, p.title.text, p.body.text)
                 for p in anonymise_source(source)]
        return self.document(source, [p for p in parts if p is not None])

    def leak_check(self, record: RenderRecord) -> LeakCheck:
        """The after-step of ``kind``: check one render's PDF (once), storing what it
        found."""
        existing = LeakCheck._base_manager.filter(render=record).first()
        if existing is not None:
            return existing
        source = self.source(record.target)
        review = source.review
        pages: list[str] = []
        error = ""
        hits = []
        try:
            with record.file.open("rb") as stored:
                pages = pdf_pages(stored.read())
            hits = leak_check_pages(pages, review_register(review),
                                    allow=[settings.PARTNERSHIP_NAME],
                                    allowed_dates=public_dates(review),
                                    allowed_names=names_allowed_by_design(review),
                                    full_dates=settings.LEAK_CHECK_FULL_DATES)
        except (LeakCheckError, OSError) as failed:
            logger.warning("Leak check of render %s failed: %s", record.pk, failed)
            error = f"The PDF's text could not be read: {failed}"[:500]
        by = record.created_by
        with transaction.atomic():
            snapshot = source.target if isinstance(source.target, ReportSnapshot) else None
            check = LeakCheck(review=review, render=record, snapshot=snapshot,
                              pages=len(pages), text="\n\f".join(pages), error=error)
            save_with_history(check, by=by, reason="leak check")
            for hit in hits:
                save_with_history(LeakHit(
                    review=review, leak_check=check, render=record, page=hit.page,
                    kind=hit.kind[:40], matched=hit.text[:300],
                    pseudonym=(hit.pseudonym or "")[:100], context=hit.context[:500]),
                    by=by, reason="leak check hit")
        return check


def _report_source(target: Any) -> PublishedSource:
    snapshot = ReportSnapshot._base_manager.select_related("review").get(pk=target.pk)
    return report_source(snapshot)


REPORT_PATH = PublicationPath(PUBLISHED_KIND, _report_source)


def published_html(snapshot: ReportSnapshot) -> str:
    """The renderer of ``reviews.report_published``."""
    return REPORT_PATH.html(snapshot)


def published_inputs(snapshot: ReportSnapshot) -> str:
    """The inputs of ``reviews.report_published`` (``REPORT_PATH.inputs``)."""
    return REPORT_PATH.inputs(snapshot)


def confidential_html(snapshot: ReportSnapshot) -> str:
    """The renderer of ``reviews.report_confidential``: the same parts with real names."""
    source = _report_source(snapshot)
    parts = [_printed(p.anchor, p.title, p.body) for p in source.parts]
    return _document_html(source, [p for p in parts if p is not None], confidential=True)


def leak_check_render(record: RenderRecord) -> LeakCheck:
    """The after-step of ``reviews.report_published`` (``REPORT_PATH.leak_check``)."""
    return REPORT_PATH.leak_check(record)
