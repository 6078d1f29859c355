"""Report and publication dates, correcting a publication date; the approved version's
PDFs, their leak checks and waivers, publishing; the published-reports library."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from agencies.models.roles import Role
from agencies.views.http import AuthenticatedHttpRequest
from reviews import forms, services
from reviews.forms import (
    DismissNameForm,
    FormDecisionForm,
    LibrarySearchForm,
    PanelNoticeForm,
    PublicNameForm,
    PublishForm,
    ReasonMixin,
    RenderForm,
    TakedownForm,
    WaiverForm,
)
from reviews.forms.publication import NOT_A_NAME
from reviews.models import (
    DismissedName,
    FormDecision,
    LeakHit,
    Publication,
    PublicName,
    ReportSnapshot,
    Review,
    Stage,
    Subject,
)
from reviews.models.publication import CONFIDENTIAL_KIND
from reviews.models.scope import may_keep_register, report_access
from reviews.selectors.briefings import library_briefings
from reviews.selectors.publication import (
    REPORT_KINDS,
    approved_snapshot,
    library_search,
    live_publication,
    names_allowed_by_design,
    publication_blockers,
    publishable_render,
    render_rows,
    takedown_due,
)
from reviews.selectors.publication import anonymisation_check as check_of
from reviews.services.publication import RENDER_STAGES
from reviews.views.base import review_form_view
from reviews.views.sections import section_context
from reviews.workflow import publication_timing
from scr import filetypes
from scr.access import scoped_object_or_404
from scr.accesslog import mark_case_data, record_access
from scr.documents import file_response
from scr.formviews import form_page, handle_form, initial_from, record_form
from scr.models import AccessEvent, RenderRecord
from scr.reauth import recent_authentication_required

__all__ = [
    "anonymisation_check",
    "dismissed_name_reopen",
    "form_decide",
    "form_decision_withdraw",
    "leak_hit_reopen",
    "leak_hit_waive",
    "library",
    "library_download",
    "public_name_add",
    "public_name_withdraw",
    "publication_panel_notice",
    "publication_publish",
    "publication_takedown_review",
    "report_render_download",
    "report_render_request",
    "report_renders_status",
    "review_publication",
    "review_publication_correct",
    "review_report_dates",
    "unregistered_name_dismiss",
]

logger = logging.getLogger(__name__)


@login_required
def review_report_dates(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return review_form_view(
        request, pk, forms.ReportDatesForm,
        lambda data, review: services.report_and_publication_record(
            by=request.user, review=review, **data),
        title="Record report and publication dates", submit="Save", success="Dates recorded.",
        initial=initial_from(forms.ReportDatesForm))


@login_required
def review_publication_correct(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return review_form_view(
        request, pk, forms.PublicationCorrectionForm,
        lambda data, review: services.publication_date_correct(by=request.user, review=review,
                                                               **data),
        title="Correct the publication date", submit="Save the correction",
        success="Publication date corrected.", initial=initial_from(forms.PublicationCorrectionForm))


# ---------------------------------------------------------------- the report's PDFs


def _pdf_reader(request: AuthenticatedHttpRequest, pk: int) -> Review:
    """A review whose PDFs this person reads: the drafting team and the review's panel.
    Out of scope 404; in scope without a seat on the report 403."""
    review = scoped_object_or_404(Review, request.user, pk=pk)
    if not report_access(request.user, review).reads_versions:
        raise PermissionDenied
    return review


def _renders(request: AuthenticatedHttpRequest, snapshot: ReportSnapshot | None,
             ) -> dict[str, Any]:
    """What the renders table needs (the page and the table htmx polls)."""
    rows = render_rows(snapshot)
    return {"rows": rows, "may_waive": request.user.has_role(Role.BUSINESS_MANAGER),
            "polling": any(r.record.status in ("queued", "running") for r in rows)}


def _publication_page(request: AuthenticatedHttpRequest, review: Review) -> dict[str, Any]:
    check = check_of(review)
    snapshot = check.snapshot
    drafting = report_access(request.user, review).drafting
    manager = request.user.has_role(Role.BUSINESS_MANAGER)
    blockers = publication_blockers(review)
    publication = live_publication(review)
    renders = _renders(request, snapshot)
    sendable = None if blockers or publication else publishable_render(review)
    timing = publication_timing(review)
    notice = next((r.check for r in renders["rows"]
                   if sendable is not None and r.record.pk == sendable.pk), None)
    return {
        **renders, "notice": notice, "may_notify": (manager and notice is not None
                                                    and review.stage in RENDER_STAGES),
        "snapshot": snapshot, "blockers": blockers,
        "publication": publication, "may_render": drafting and review.stage in RENDER_STAGES,
        "may_publish": (manager and not blockers and publication is None
                        and review.stage == Stage.PUBLICATION and timing.lawful_today
                        and notice is not None and notice.panel_notified_on is not None),
        "timing": timing, "notice_days": settings.CLOCK_PUBLICATION_NOTICE_WORKING_DAYS,
        "render_form": RenderForm(), "unsettled": check.unsettled,
        "possible_names": [i for i in check.items if i.kind == "unregistered"],
    }


@login_required
def review_publication(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The approved version's PDFs, their leak checks, and publishing the clean one."""
    review = _pdf_reader(request, pk)
    record_access(request, AccessEvent.Action.VIEW, review, label="publication")
    page = _publication_page(request, review)
    return render(request, "reviews/review_publication.html", {
        **section_context(request.user, review, "review_publication"), **page})


@login_required
def report_renders_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The renders table alone (htmx polls it while a render is queued or running)."""
    review = _pdf_reader(request, pk)
    record_access(request, AccessEvent.Action.VIEW, review, label="publication renders")
    return render(request, "reviews/_renders.html", {
        "review": review, **_renders(request, approved_snapshot(review))})


@require_POST
@login_required
def report_render_request(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    review = _pdf_reader(request, pk)
    if not report_access(request.user, review).drafting:
        raise PermissionDenied
    form = RenderForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose which PDF to make.")
    else:
        try:
            services.report_render_request(by=request.user, review=review,
                                           kind=form.cleaned_data["kind"])
            messages.success(request, "The PDF is being made.")
        except ValidationError as refused:
            messages.error(request, " ".join(refused.messages))
    return redirect("review_publication", pk=review.pk)


@login_required
def report_render_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """A finished PDF of the report: for the drafting team and the review's panel only
    (anyone else: 404, as if it did not exist); each download an access event."""
    record = get_object_or_404(RenderRecord._base_manager, pk=pk, kind__in=REPORT_KINDS,
                               status=RenderRecord.Status.DONE)
    snapshot = get_object_or_404(ReportSnapshot._base_manager, pk=record.object_id)
    review = scoped_object_or_404(Review, request.user, pk=snapshot.review_id)
    if not report_access(request.user, review).reads_versions:
        raise Http404
    confidential = record.kind == CONFIDENTIAL_KIND
    name = f"{review.reference}-{'CONFIDENTIAL' if confidential else 'anonymised'}-v{snapshot.number}.pdf"
    return file_response(request, record.file, sha256=record.sha256, filename=name,
                         content_type=filetypes.PDF, logged=review,
                         label=f"{record.kind} render {record.pk}")


@login_required
@recent_authentication_required
def leak_hit_waive(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A business manager waives one hit, with a reason (re-authenticated first)."""
    return record_form(
        request, LeakHit, WaiverForm,
        lambda data, hit: services.leak_hit_waive(by=request.user, hit=hit, **data),
        pk=pk, action="manage", title=lambda h: f"Waive the hit on page {h.page}",
        submit="Waive this hit", success="Hit waived.",
        back=lambda h: reverse("review_publication", args=[h.review_id]),
        caption=lambda h: h.review.reference,
        intro=lambda h: f"Found: “{h.matched}” ({h.kind}) – “{h.context}”.")


@login_required
def leak_hit_reopen(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A business manager takes a waiver back: the hit is open again."""
    return record_form(
        request, LeakHit, ReasonMixin,
        lambda data, hit: services.leak_hit_reopen(by=request.user, hit=hit,
                                                   reason=data["reason"]),
        pk=pk, action="manage", title=lambda h: f"Reopen the hit on page {h.page}",
        submit="Reopen", success="Reopened: the hit blocks publication again.",
        back=lambda h: reverse("anonymisation_check", args=[h.review_id]),
        caption=lambda h: h.review.reference,
        intro=lambda h: f"Found: “{h.matched}” ({h.kind}) – “{h.context}”. Waived by "
                        f"{h.waived_by}: {h.waiver_reason}")


@login_required
def publication_publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return review_form_view(
        request, pk, PublishForm,
        lambda data, review: services.publication_publish(by=request.user, review=review,
                                                          **data),
        section="review_publication", title="Publish the report", submit="Publish",
        success="Published: the anonymised PDF is in the library.",
        intro="The clean (or waived) anonymised PDF of the approved version is published "
              "as it is, and never changed afterwards.")


@login_required
def unregistered_name_dismiss(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Dismiss a possible unregistered name (the Publication page links here with it)."""
    return record_form(
        request, Review, DismissNameForm,
        lambda data, review: services.unregistered_name_dismiss(by=request.user, review=review,
                                                                **data),
        pk=pk, action="change", title="Dismiss a possible name", submit="Dismiss it",
        success="Dismissed: it is no longer listed.",
        back=lambda review: reverse("anonymisation_check" if request.GET.get("back") == "check"
                                    else "review_publication", args=[review.pk]),
        caption=lambda review: review.reference,
        initial=lambda review: {"name": request.GET.get("name", "")[:100]},
        intro="Dismiss it only if it is nobody's name (a place, a building, a word). If it "
              "is a person's name, register the person instead: the anonymiser then "
              "replaces it.")


# ---------------------------------------------------------------- the anonymisation check


def _open_for_decisions(review: Review) -> bool:
    return review.stage in RENDER_STAGES and not review.published_on


@login_required
def anonymisation_check(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The approved version as it will be published, every replacement marked (what it
    was, whom it was taken to be), and every item the anonymiser and the leak check left,
    each with its fix: for the drafting team and the review's panel (who read its PDFs)."""
    review = _pdf_reader(request, pk)
    record_access(request, AccessEvent.Action.VIEW, review, label="anonymisation check")
    check = check_of(review)
    open_review = _open_for_decisions(review)
    manager = request.user.has_role(Role.BUSINESS_MANAGER)
    return render(request, "reviews/anonymisation_check.html", {
        **section_context(request.user, review, "review_publication"),
        "check": check, "shown": check.shown_parts(),
        "may_decide": open_review and may_keep_register(request.user, review),
        "may_waive": manager, "may_name": manager and open_review,
        "allowed_names": names_allowed_by_design(review),
        "public_names": list(PublicName._base_manager.filter(review=review, withdrawn=False))})


def people_choices(review: Review, first: tuple[str, ...]) -> list[tuple[str, str]]:
    """The register's people as choices: those the name may be first, then the others."""
    subjects = list(Subject.objects.filter(review=review, withdrawn=False))
    subjects.sort(key=lambda s: (s.pseudonym not in first,
                                 first.index(s.pseudonym) if s.pseudonym in first else 0))
    return [(str(s.pk), f"{s.pseudonym} ({s.full_name})") for s in subjects]


def form_decision_saver(request: AuthenticatedHttpRequest, review: Review,
                        item: Any) -> Callable[[dict[str, Any], Any], FormDecision]:
    """What a decision form about one uncertain form saves (the report's check and a
    briefing's): whose it is, or not a name, here or everywhere."""

    def save(data: dict[str, Any], _: Any) -> FormDecision:
        subject = None
        if data["whose"] != NOT_A_NAME:
            subject = Subject.objects.filter(review=review, pk=data["whose"]).first()
        return services.form_decision_record(
            by=request.user, review=review, text=item.text, context=item.context,
            subject=subject, everywhere=data["where"] == "everywhere", reason=data["reason"])

    return save


@login_required
def form_decide(request: AuthenticatedHttpRequest, pk: int, token: str) -> HttpResponse:
    """Settle one uncertain or skipped form of the check: whose it is, or not a name."""
    review = _pdf_reader(request, pk)
    if not may_keep_register(request.user, review):
        raise PermissionDenied
    back = reverse("anonymisation_check", args=[review.pk])
    item = check_of(review).item(token) if _open_for_decisions(review) else None
    if item is not None and item.settled:
        messages.success(request, f"Item {item.number} is settled: how, by whom and when is "
                                  "shown here, with the link to reopen it.")
        return redirect(f"{back}#item-{item.number}")
    if item is None or item.kind not in ("uncertain", "skipped"):
        messages.success(request, "That item is no longer open: it was settled, the text "
                                  "changed, or the review is past publication.")
        return redirect(back)
    word = "It is the ordinary word" if item.kind == "skipped" else "It is not a person's name"
    form = FormDecisionForm(request.POST or None, people=people_choices(review, item.candidates),
                            not_a_name=f"{word} here: leave it as written")

    done = handle_form(request, form, form_decision_saver(request, review, item),
                       success="Decided. The check has been updated.", done_url=f"{back}#items")
    if done:
        return done
    if request.method == "GET":
        record_access(request, AccessEvent.Action.VIEW, review, label="anonymisation decision")
    mark_case_data(request)
    may = (f" It may be {' or '.join(item.candidates)}." if item.candidates else "")
    return form_page(
        request, form, title=f"Whose is “{item.text}”?", submit="Save the decision", back=back,
        caption=review.reference,
        intro=f"In “{item.context}” ({item.where}): {item.reason}.{may} If it is someone not "
              "in the register, add them to the register first.",
        link=("Add a person to the register", reverse("subject_add", args=[review.pk])))


@login_required
def form_decision_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    decision = scoped_object_or_404(FormDecision, request.user, "view", pk=pk)
    if not may_keep_register(request.user, decision.review):
        raise PermissionDenied
    return record_form(
        request, decision, ReasonMixin,
        lambda data, obj: services.form_decision_withdraw(by=request.user, decision=obj,
                                                          reason=data["reason"]),
        title=lambda d: f"Undo the decision about “{d.text}”", submit="Undo",
        success="Decision undone: the name is listed in the check again.",
        back=lambda d: reverse("anonymisation_check", args=[d.review_id]),
        caption=lambda d: d.review.reference)


@login_required
def dismissed_name_reopen(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    dismissed = scoped_object_or_404(DismissedName, request.user, "view", pk=pk)
    if not may_keep_register(request.user, dismissed.review):
        raise PermissionDenied
    return record_form(
        request, dismissed, ReasonMixin,
        lambda data, obj: services.dismissed_name_reopen(by=request.user, dismissed=obj,
                                                         reason=data["reason"]),
        title=lambda n: f"Reopen “{n.name}”", submit="Reopen",
        success="Reopened: the name is listed in the check again.",
        back=lambda n: reverse("anonymisation_check", args=[n.review_id]),
        caption=lambda n: n.review.reference)


@login_required
def public_name_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return review_form_view(
        request, pk, PublicNameForm,
        lambda data, review: services.public_name_add(by=request.user, review=review, **data),
        section="anonymisation_check", title="Add a name the report prints on purpose",
        submit="Add", success="Added: the leak check allows this name.",
        intro="Only people the report names by design: its author, the chair who signs the "
              "foreword. Never a child, a family member or a practitioner in the case.")


@login_required
def public_name_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, PublicName, ReasonMixin,
        lambda data, obj: services.public_name_withdraw(by=request.user, public_name=obj,
                                                        reason=data["reason"]),
        pk=pk, action="manage", title=lambda n: f"Take “{n.name}” off the list",
        submit="Take off the list", success="Taken off the list.",
        back=lambda n: reverse("anonymisation_check", args=[n.review_id]),
        caption=lambda n: n.review.reference)


@login_required
def publication_panel_notice(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return review_form_view(
        request, pk, PanelNoticeForm,
        lambda data, review: services.panel_notice_record(by=request.user, review=review,
                                                          **data),
        section="review_publication", title="Record the notice to the national Panel",
        submit="Record the notice",
        success="Recorded: this PDF was sent to the national Panel.",
        intro="Send the national Panel the clean (or waived) anonymised PDF shown on the "
              "Publication page, at least 7 working days before publication, then record "
              "the day you sent it. Only the PDF the Panel was sent can be published.")


# ---------------------------------------------------------------- the library


@login_required
def library(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The published-reports library: every signed-in person; anonymised PDFs only."""
    years = sorted({d.year for d in Publication.objects.for_user(request.user, "view").filter(
        status=Publication.Status.PUBLISHED).values_list("published_on", flat=True)},
        reverse=True)
    form = LibrarySearchForm(request.GET or None, years=years)
    criteria: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        criteria = {"text": data["q"] or "", "year": data["year"],
                    "theme": data["theme"].pk if data["theme"] else None}
    found = library_search(request.user, **criteria) if not form.errors else []
    briefings = (library_briefings(request.user, text=criteria.get("text", ""),
                                   year=criteria.get("year"))
                 if not form.errors and not criteria.get("theme") else [])
    return render(request, "reviews/library.html", {
        "form": form, "publications": found, "briefings": briefings,
        "searched": bool(request.GET), "due": takedown_due(request.user)})


@login_required
def library_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """A published PDF, checked against its SHA-256 as it is read (``file_response``): a
    file that changed is refused with a clear page (and logged), never served."""
    publication = scoped_object_or_404(Publication, request.user, "view", pk=pk,
                                       status=Publication.Status.PUBLISHED)
    return file_response(request, publication.file, sha256=publication.sha256,
                         filename=f"{publication.review.reference}-published.pdf",
                         content_type=filetypes.PDF, logged=publication)


@login_required
def publication_takedown_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, Publication, TakedownForm,
        lambda data, pub: services.publication_takedown_decide(by=request.user,
                                                               publication=pub, **data),
        pk=pk, action="manage", title=lambda p: f"Takedown review: {p.title}",
        submit="Record the decision", success="Decision recorded.",
        back=lambda p: reverse("library"), caption=lambda p: p.review.reference,
        intro=lambda p: f"Published {p.published_on:%-d %B %Y}; review due "
                        f"{p.takedown_review_on:%-d %B %Y}. Keeping it sets the next review "
                        "12 months on; withdrawing removes it from the library (the record "
                        "stays).")
