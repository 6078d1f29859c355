"""Learning briefings: drafting one from a published review, its page (the anonymised preview
with the check, its PDFs, publishing), its downloads, and the agencies' dissemination records
and practitioners' feedback."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from agencies.models import Agency
from agencies.models.roles import Role
from agencies.views.http import AuthenticatedHttpRequest
from reviews import services
from reviews.forms import (
    BriefingEditForm,
    BriefingPublishForm,
    ConfirmForm,
    DisseminationForm,
    FormDecisionForm,
    LearningFeedbackForm,
    ReasonMixin,
)
from reviews.models import BRIEFING_KIND, BRIEFING_SECTIONS, Briefing, Review
from reviews.models.scope import may_change, may_keep_register
from reviews.selectors.briefings import briefing_page
from reviews.views.publication import form_decision_saver, people_choices
from scr import filetypes
from scr.access import scoped_object_or_404
from scr.accesslog import mark_case_data, record_access
from scr.documents import file_response
from scr.formviews import form_page, handle_form, initial_from, record_form
from scr.models import AccessEvent, RenderRecord

__all__ = ["briefing", "briefing_decide", "briefing_download", "briefing_draft", "briefing_edit",
           "briefing_feedback", "briefing_publish", "briefing_render", "briefing_render_download",
           "briefing_withdraw", "dissemination_add"]


def _team(request: AuthenticatedHttpRequest, briefing: Briefing) -> bool:
    return may_change(request.user, briefing.review)


def _team_briefing(request: AuthenticatedHttpRequest, pk: int) -> Briefing:
    """A briefing its drafting team works on: out of scope 404; readable (published) but not
    theirs 403."""
    found = scoped_object_or_404(Briefing, request.user, "view", pk=pk)
    if not _team(request, found):
        raise PermissionDenied
    return found


@login_required
def briefing_draft(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Start a briefing of a published review (the drafting team)."""
    review = scoped_object_or_404(Review, request.user, "view", pk=pk)
    if not may_change(request.user, review):
        raise PermissionDenied
    if request.method == "GET":
        record_access(request, AccessEvent.Action.VIEW, review, label="briefing draft")
    mark_case_data(request)
    form = ConfirmForm(request.POST or None)
    done = handle_form(request, form, lambda data, _: services.briefing_draft(
        by=request.user, review=review), success="Briefing drafted from the review's findings "
        "and recommendations: edit it, then make its PDF.",
        done_url=lambda b: reverse("briefing", args=[b.pk]))
    return done or form_page(
        request, form, title="Draft a 7-minute briefing", submit="Draft the briefing",
        back=reverse("review", args=[review.pk]), caption=review.reference,
        intro="The briefing's five sections (background, why it matters, what we found, what "
              "to do, questions for teams) are filled in from the review's findings and "
              "recommendations. You then edit them; names are replaced by pseudonyms when the "
              "PDF is made, and it goes through the same checks as the report.")


@login_required
def briefing(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    found = scoped_object_or_404(Briefing, request.user, "view", pk=pk)
    team = _team(request, found)
    record_access(request, AccessEvent.Action.VIEW, found)
    page = briefing_page(request.user, found, team=team)
    manager = request.user.has_role(Role.BUSINESS_MANAGER)
    return render(request, "reviews/briefing.html", {
        "briefing": found, "page": page, "team": team, "manager": manager,
        "sections": [(heading, getattr(found, name)) for name, heading in BRIEFING_SECTIONS],
        "may_decide": team and may_keep_register(request.user, found.review),
        "agencies": {a.pk: a for a in Agency.objects.filter(pk__in=page.my_agencies)}})


@login_required
def briefing_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    found = _team_briefing(request, pk)
    return record_form(
        request, found, BriefingEditForm,
        lambda data, obj: services.briefing_edit(by=request.user, briefing=obj, **data),
        title="Edit the briefing", submit="Save the briefing", success="Briefing saved.",
        back=lambda b: reverse("briefing", args=[b.pk]), caption=lambda b: b.review.reference,
        initial=initial_from(BriefingEditForm))


@require_POST
@login_required
def briefing_render(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    found = _team_briefing(request, pk)
    try:
        services.briefing_render_request(by=request.user, briefing=found)
        messages.success(request, "The anonymised PDF is being made; its leak check follows.")
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    return redirect("briefing", pk=found.pk)


@login_required
def briefing_decide(request: AuthenticatedHttpRequest, pk: int, token: str) -> HttpResponse:
    """Settle one uncertain or skipped name of the briefing's check (the decision holds for
    the review's register, as on the report's check)."""
    found = _team_briefing(request, pk)
    review = found.review
    if not may_keep_register(request.user, review):
        raise PermissionDenied
    back = reverse("briefing", args=[found.pk])
    page = briefing_page(request.user, found, team=True)
    item = next((i for i in page.items if i.token == token), None)
    if item is None or item.settled or item.kind not in ("uncertain", "skipped"):
        messages.success(request, "That item is no longer open.")
        return redirect(f"{back}#check")
    form = FormDecisionForm(request.POST or None, people=people_choices(review, item.candidates),
                            not_a_name="It is not a person's name here: leave it as written")

    done = handle_form(request, form, form_decision_saver(request, review, item),
                       success="Decided. The check has been updated.", done_url=f"{back}#check")
    if done:
        return done
    mark_case_data(request)
    return form_page(request, form, title=f"Whose is “{item.text}”?",
                     submit="Save the decision", back=back, caption=review.reference,
                     intro=f"In “{item.context}” ({item.where}): {item.reason}.")


@login_required
def briefing_publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    found = scoped_object_or_404(Briefing, request.user, "manage", pk=pk)
    return record_form(
        request, found, BriefingPublishForm,
        lambda data, obj: services.briefing_publish(by=request.user, briefing=obj,
                                                    agencies=data["agencies"]),
        title="Publish and send the briefing", submit="Publish and send",
        success="Published and sent: each agency's leads have been told.",
        back=lambda b: reverse("briefing", args=[b.pk]), caption=lambda b: b.review.reference,
        intro="Only the latest clean (or waived) anonymised PDF of one or two pages is "
              "published; it then appears in the library beside the reports.")


@login_required
def briefing_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, Briefing, ReasonMixin,
        lambda data, obj: services.briefing_withdraw(by=request.user, briefing=obj,
                                                     reason=data["reason"]),
        pk=pk, action="manage", title="Withdraw the briefing from the library",
        submit="Withdraw", success="Withdrawn from the library.",
        back=lambda b: reverse("briefing", args=[b.pk]), caption=lambda b: b.review.reference,
        danger=True)


@login_required
def briefing_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """The published PDF, checked against its SHA-256 as it is read."""
    found = scoped_object_or_404(Briefing, request.user, "view", pk=pk,
                                 status=Briefing.Status.PUBLISHED)
    return file_response(request, found.file, sha256=found.sha256,
                         filename=f"{found.review.reference}-briefing.pdf",
                         content_type=filetypes.PDF, logged=found)


@login_required
def briefing_render_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """A draft's anonymised PDF: its drafting team only (anyone else: 404)."""
    record = get_object_or_404(RenderRecord._base_manager, pk=pk, kind=BRIEFING_KIND,
                               status=RenderRecord.Status.DONE)
    found = get_object_or_404(Briefing.objects.for_user(request.user, "change"),
                              pk=record.object_id)
    return file_response(request, record.file, sha256=record.sha256,
                         filename=f"{found.review.reference}-briefing-draft.pdf",
                         content_type=filetypes.PDF, logged=found,
                         label=f"{record.kind} render {record.pk}")


@login_required
def dissemination_add(request: AuthenticatedHttpRequest, pk: int, agency_pk: int) -> HttpResponse:
    """A recipient agency's lead records how it shared the briefing."""
    found = scoped_object_or_404(Briefing, request.user, "view", pk=pk,
                                 status=Briefing.Status.PUBLISHED)
    agency = get_object_or_404(Agency, pk=agency_pk, pk__in=found.recipients.values("agency"))
    if agency.pk not in request.user.agency_ids(Role.AGENCY_LEAD):
        raise PermissionDenied  # a published briefing is no secret; its record is the lead's
    return record_form(
        request, found, DisseminationForm,
        lambda data, obj: services.dissemination_record(by=request.user, briefing=obj,
                                                        agency=agency, **data),
        title=f"Record how {agency} shared the briefing", submit="Record it",
        success="Recorded. Thank you.", back=lambda b: reverse("briefing", args=[b.pk]),
        caption=lambda b: b.title)


@login_required
def briefing_feedback(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A practitioner's feedback on a published briefing (anonymous by default)."""
    found = scoped_object_or_404(Briefing, request.user, "view", pk=pk,
                                 status=Briefing.Status.PUBLISHED)
    return record_form(
        request, found, LearningFeedbackForm,
        lambda data, obj: services.briefing_feedback_give(by=request.user, briefing=obj, **data),
        title="Feedback on the briefing", submit="Send feedback",
        success="Thank you: your feedback was saved.",
        back=lambda b: reverse("briefing", args=[b.pk]), caption=lambda b: b.title,
        log_view=False)
