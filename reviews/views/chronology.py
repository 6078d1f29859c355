"""The chronology pages: an agency's own chronology (entries, import, submission), the
merged multi-agency chronology with its timeline, exports and the reviewer's episodes.

Who reaches what (docs/chronology.md): an agency's page is its leads' alone (anyone else:
404); the merged chronology is the business manager's, the review's reviewer's and its
panel's (an agency lead in the review: 403; a board member: never).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.safestring import mark_safe

from agencies.models import Agency, User
from agencies.models.roles import Role
from agencies.views.http import AuthenticatedHttpRequest
from reviews import services
from reviews.formats import chronology as chronology_files
from reviews.forms import (
    ChronologyCorrectionForm,
    ChronologyEntryForm,
    ChronologyFilterForm,
    ChronologyImportForm,
    ConfirmForm,
    EpisodeForm,
    MarkForm,
    ReasonMixin,
    entry_initial,
)
from reviews.models import (
    AWAITING_AGENCY,
    ChronologyEntry,
    Episode,
    EvidenceRequest,
    Review,
    ScopeBounds,
    merged_chronology_reviews,
)
from reviews.models.scope import can_see_identities, may_change
from reviews.selectors import (
    EXPORT_HEADER,
    chronology_export_rows,
    chronology_rows,
    chronology_timeline,
    findings_citing_episodes,
    merged_entries,
    merged_page,
    review_episodes,
    text_shown_to,
    timeline_svg,
)
from reviews.views.sections import section_context
from scr import filetypes
from scr.access import scoped_object_or_404
from scr.accesslog import record_access
from scr.documents import attachment
from scr.figures import cached_figure
from scr.formviews import record_form
from scr.keyset import without_cursor
from scr.models import AccessEvent
from scr.spreadsheets import csv_lines

__all__ = [
    "agency_chronology",
    "chronology_entry_add",
    "chronology_entry_correct",
    "chronology_entry_edit",
    "chronology_entry_mark",
    "chronology_entry_withdraw",
    "chronology_export",
    "chronology_import",
    "chronology_submit",
    "chronology_template",
    "episode_add",
    "episode_withdraw",
    "review_chronology",
]

PAGE_SIZE = 50


def _merged_review(user: User, pk: int) -> Review:
    """The review, if ``user`` reads its merged chronology: out of scope 404, in scope but
    not one of its readers (an agency lead, a board member) 403."""
    review = scoped_object_or_404(Review, user, pk=pk)
    if not merged_chronology_reviews(user).filter(pk=review.pk).exists():
        raise PermissionDenied
    return review


def _agency_chronology(user: User, pk: int, agency_pk: int) -> tuple[Review, Agency]:
    """An agency's own chronology in a review: its leads' alone; for anyone else it does
    not exist (404), as another agency's drafts do not."""
    review = scoped_object_or_404(Review, user, pk=pk)
    if agency_pk not in user.agency_ids(Role.AGENCY_LEAD) or not review.involvements.filter(
            agency_id=agency_pk).exists():
        raise Http404
    return review, get_object_or_404(Agency, pk=agency_pk)


def _agency_url(obj: Any) -> str:
    return reverse("agency_chronology", args=[obj.review_id, obj.agency_id])


def _warn(request: AuthenticatedHttpRequest, result: Any) -> Any:
    for warning in getattr(result, "warnings", []):
        messages.warning(request, warning)
    return result


def _drawn_timeline(user: User, review: Review, shown: Any) -> tuple[Any, str]:
    """The timeline and its SVG, cached per person, review and day until any case data
    changes (``scr.figures``: every write bumps the generation), and apart for those who see
    real names and those who see pseudonyms. Paging and filtering the table then redraw
    nothing. The page's scope check runs before, on every request."""
    identifiable = can_see_identities(user, review)

    def draw() -> tuple[Any, str]:
        timeline = chronology_timeline(user, review, shown)
        return timeline, str(timeline_svg(timeline))

    timeline, svg = cached_figure(f"chronology-timeline:{review.pk}:{identifiable}", user, draw)
    return timeline, mark_safe(svg)  # noqa: S308 - built escaped by timeline_svg


def _merged_context(user: User, review: Review, form: ChronologyFilterForm,
                    query: Any) -> dict[str, Any]:
    shown = text_shown_to(user, review)
    entries = merged_entries(user, review, **form.filters())
    page = merged_page(entries, after=query.get("after"), before=query.get("before"),
                       size=PAGE_SIZE)
    timeline, svg = _drawn_timeline(user, review, shown)
    cited = findings_citing_episodes(user, review)
    return {"form": form, "page": page, "rows": chronology_rows(page.object_list, shown),
            "query": without_cursor(query), "count": entries.count(), "timeline": timeline, "svg": svg,
            "shown_episodes": [
                (e, shown(e.title), shown(e.description), cited.get(e.pk, []))
                for e in review_episodes(user, review)],
            "can_analyse": may_change(user, review)}


@login_required
def review_chronology(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The merged chronology: filters, the timeline, episodes and the entries a page at a
    time (the table is the primary view; the timeline its picture)."""
    review = _merged_review(request.user, pk)
    record_access(request, AccessEvent.Action.VIEW, review)
    form = ChronologyFilterForm(request.GET or None, review=review)
    return render(request, "reviews/review_chronology.html", {
        **section_context(request.user, review, "review_chronology"),
        **_merged_context(request.user, review, form, request.GET), "filter_form": form})


@login_required
def chronology_export(request: AuthenticatedHttpRequest, pk: int, fmt: str) -> HttpResponseBase:
    """The merged chronology as filtered, as CSV (streamed) or XLSX; cells defused."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    review = _merged_review(request.user, pk)
    filters = ChronologyFilterForm(request.GET or None, review=review).filters()
    rows = chronology_export_rows(merged_entries(request.user, review, **filters),
                                  text_shown_to(request.user, review))
    record_access(request, AccessEvent.Action.EXPORT, review)
    response: HttpResponse | StreamingHttpResponse = (
        StreamingHttpResponse(csv_lines(EXPORT_HEADER, rows), content_type="text/csv")
        if fmt == "csv" else HttpResponse(chronology_files.export_xlsx(EXPORT_HEADER, rows),
                                          content_type=filetypes.XLSX))
    return attachment(response, f"{review.reference}-chronology.{fmt}")


@login_required
def chronology_template(request: AuthenticatedHttpRequest, fmt: str) -> HttpResponse:
    """The empty import template (no case data)."""
    if fmt == "csv":
        response = HttpResponse(chronology_files.template_csv(), content_type="text/csv")
    elif fmt == "xlsx":
        response = HttpResponse(chronology_files.template_xlsx(), content_type=filetypes.XLSX)
    else:
        raise Http404
    return attachment(response, f"chronology-template.{fmt}")


@login_required
def agency_chronology(request: AuthenticatedHttpRequest, pk: int, agency_pk: int) -> HttpResponse:
    """The agency's own chronology: drafts and submitted entries, add, import, submit."""
    review, agency = _agency_chronology(request.user, pk, agency_pk)
    record_access(request, AccessEvent.Action.VIEW, review)
    entries = ChronologyEntry.objects.for_user(request.user, "manage").filter(
        review=review, agency=agency).order_by("occurred_on", "occurred_at", "pk")
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    bounds = ScopeBounds(review)
    return render(request, "reviews/agency_chronology.html", {
        **section_context(request.user, review, "review_chronology"), "agency": agency,
        "page": page, "rows": [(e, bounds.warning(e.occurred_on)) for e in page.object_list],
        "drafts": entries.filter(status="draft", withdrawn=False).count()})


@login_required
def chronology_entry_add(request: AuthenticatedHttpRequest, pk: int, agency_pk: int) -> HttpResponse:
    review, agency = _agency_chronology(request.user, pk, agency_pk)
    return record_form(
        request, review, ChronologyEntryForm,
        lambda data, obj: _warn(request, services.chronology_entry_add(
            by=request.user, review=obj, agency=agency, **data)),
        title="Add a chronology entry", submit="Save as a draft", caption=str(agency),
        success="Entry saved as a draft.",
        back=reverse("agency_chronology", args=[review.pk, agency.pk]))


@login_required
def chronology_import(request: AuthenticatedHttpRequest, pk: int, agency_pk: int) -> HttpResponse:
    """Upload a CSV or XLSX chronology: all rows or none."""
    review, agency = _agency_chronology(request.user, pk, agency_pk)
    return record_form(
        request, review, ChronologyImportForm,
        lambda data, obj: _warn(request, services.chronology_import(
            by=request.user, review=obj, agency=agency, upload=data["file"])),
        title="Import a chronology", submit="Import", caption=str(agency),
        success=lambda result: f"Imported {result.created} entries as drafts.",
        back=reverse("agency_chronology", args=[review.pk, agency.pk]),
        template="reviews/chronology_import.html")


@login_required
def chronology_submit(request: AuthenticatedHttpRequest, pk: int, agency_pk: int) -> HttpResponse:
    review, agency = _agency_chronology(request.user, pk, agency_pk)
    drafts = ChronologyEntry.objects.filter(review=review, agency=agency, status="draft",
                                            withdrawn=False).count()
    awaiting = EvidenceRequest.objects.filter(review=review, agency=agency, kind="chronology",
                                              status__in=AWAITING_AGENCY).exists()
    return record_form(
        request, review, ConfirmForm,
        lambda data, obj: services.agency_chronology_submit(by=request.user, review=obj,
                                                            agency=agency),
        title="Submit the chronology", submit="Submit the chronology", caption=str(agency),
        intro=f"{drafts} draft entr{'y' if drafts == 1 else 'ies'} will be submitted. Once "
              "submitted, entries can be corrected only with a reason."
              + (" The chronology request is submitted with them." if awaiting else ""),
        success=lambda result: "Chronology submitted" + (
            f", and with it the request due {result[1].due_on:%-d %B %Y}." if result[1]
            else "."),
        back=reverse("agency_chronology", args=[review.pk, agency.pk]))


@login_required
def chronology_entry_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, ChronologyEntry, ChronologyEntryForm,
        lambda data, obj: _warn(request, services.chronology_entry_update(
            by=request.user, entry=obj, **data)),
        pk=pk, title="Change a draft entry", submit="Save", success="Entry changed.",
        initial=entry_initial, back=_agency_url)


@login_required
def chronology_entry_correct(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, ChronologyEntry, ChronologyCorrectionForm,
        lambda data, obj: _warn(request, services.chronology_entry_correct(
            by=request.user, entry=obj, **data)),
        pk=pk, title="Correct a submitted entry", submit="Save the correction",
        success="Correction saved.", initial=entry_initial, back=_agency_url,
        intro="The entry was submitted: the correction and your reason are kept in the "
              "review's history beside what it replaces.")


@login_required
def chronology_entry_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, ChronologyEntry, ReasonMixin,
        lambda data, obj: services.chronology_entry_withdraw(by=request.user, entry=obj,
                                                             reason=data["reason"]),
        pk=pk, title="Withdraw an entry", submit="Withdraw the entry", danger=True,
        success="Entry withdrawn.", back=_agency_url,
        intro="It leaves the chronology; the history keeps it, with your reason.")


@login_required
def chronology_entry_mark(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, ChronologyEntry, MarkForm,
        lambda data, obj: services.chronology_entry_mark(by=request.user, entry=obj, **data),
        pk=pk, action="change", title="Mark the entry's significance", submit="Save",
        success="Entry marked.", initial=lambda e: {"significance": e.significance},
        back=lambda e: reverse("review_chronology", args=[e.review_id]),
        caption=lambda e: str(e))


@login_required
def episode_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Group the entries chosen on the chronology page (``?entries=``) under a title."""
    review = scoped_object_or_404(Review, request.user, "change", pk=pk)
    chosen = request.GET.getlist("entries")
    return record_form(
        request, review, EpisodeForm,
        lambda data, obj: services.episode_create(by=request.user, review=obj, **data),
        title="Group entries into an episode", submit="Create the episode",
        success="Episode created.", form_kwargs=lambda obj: {"review": obj},
        initial=lambda obj: {"entries": chosen},
        intro=f"{len(chosen)} entr{'y' if len(chosen) == 1 else 'ies'} selected.",
        back=reverse("review_chronology", args=[review.pk]))


@login_required
def episode_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, Episode, ReasonMixin,
        lambda data, obj: services.episode_withdraw(by=request.user, episode=obj,
                                                    reason=data["reason"]),
        pk=pk, action="change", title="Ungroup an episode", submit="Ungroup", danger=True,
        success="Episode ungrouped.", intro="Its entries stay in the chronology.",
        back=lambda e: reverse("review_chronology", args=[e.review_id]))
