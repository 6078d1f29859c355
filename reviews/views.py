"""Review pages. Thin: scope through ``for_user``, a form, one service call."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse

from agencies.roles import Role
from scr.access import role_required, scoped_object_or_404
from scr.accesslog import record_access
from scr.csvexport import csv_lines
from scr.figures import cached_figure
from scr.formviews import Save, form_page, handle_form, initial_from
from scr.history import history_entries, history_people
from scr.models import AccessEvent

from . import forms, pageforms, sections, services
from .access import can_see_identities
from .models import (
    ClockPause,
    EvidenceRequest,
    PanelAppointment,
    ParallelProcess,
    Review,
    Stage,
    Subject,
)
from .sections import section_context
from .selectors import (
    OPEN,
    board_stats,
    dashboard_csv_header,
    dashboard_csv_row,
    dashboard_reviews,
    dashboard_rows,
    move_options,
    review_histories,
)
from .workflow import available_moves


def review_form_view(request: HttpRequest, pk: int, form_class: type, save: Save, *, title: str,
                     submit: str, success: str, initial: Callable[[Review], dict] | None = None,
                     form_kwargs: Callable[[Review], dict] | None = None,
                     section: str = "review", link: tuple[str, str] | None = None) -> HttpResponse:
    """A form about one review that only its managers may submit; done, it returns to the
    section of the review page the record belongs to."""
    review = scoped_object_or_404(Review, request.user, "manage", pk=pk)
    if request.method == "GET":
        record_access(request, AccessEvent.Action.VIEW, review, label=title)
    form = form_class(request.POST or None, initial=initial(review) if initial else None,
                      **(form_kwargs(review) if form_kwargs else {}))
    url = reverse(section, args=[review.pk])
    done = handle_form(request, form, lambda data, _: save(data, review), success=success,
                       done_url=url)
    return done or form_page(request, form, title=title, submit=submit, back=url,
                             caption=review.reference, link=link)


# ---------------------------------------------------------------- lists and dashboards


@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    """The dashboard: open reviews by default, any stage (ended ones too) when filtered."""
    form = pageforms.DashboardFilterForm(request.GET or None)
    filters = form.filters()
    page = Paginator(dashboard_reviews(request.user, **filters), 50).get_page(
        request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "reviews/list.html", {
        "form": form, "page": page, "rows": list(dashboard_rows(page.object_list)),
        "query": query.urlencode(), "only_open": filters["stage"] == OPEN,
        "is_manager": request.user.has_role(Role.BUSINESS_MANAGER),
    })


@role_required(Role.BUSINESS_MANAGER)
def review_export(request: HttpRequest) -> HttpResponse:
    """The dashboard as it is filtered, in words: labels, not codes; the partnership's
    own name for a review (SCR or LCSPR) in the headers."""
    filters = pageforms.DashboardFilterForm(request.GET or None).filters()
    reviews = dashboard_reviews(request.user, **filters)
    record_access(request, AccessEvent.Action.EXPORT, label="Reviews dashboard CSV")
    rows = (dashboard_csv_row(row) for row in dashboard_rows(reviews.iterator(chunk_size=500)))
    response = StreamingHttpResponse(csv_lines(dashboard_csv_header(), rows),
                                     content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="reviews.csv"'
    return response


@role_required(Role.BOARD_MEMBER, Role.BUSINESS_MANAGER)
def board(request: HttpRequest) -> HttpResponse:
    stats = cached_figure("board", request.user, lambda: board_stats(request.user))
    return render(request, "reviews/board.html", {"stats": stats})


# ---------------------------------------------------------------- one review


def _section(request: HttpRequest, pk: int, name: str,
             build: Callable[[Review, object], dict]) -> HttpResponse:
    """One page of a review: scoped, logged, with the sub-navigation between its sections."""
    review = scoped_object_or_404(Review, request.user, pk=pk)
    record_access(request, AccessEvent.Action.VIEW, review)
    return render(request, f"reviews/{name}.html", {
        **section_context(request.user, review, name), **build(review, request.user)})


def _section_view(name: str, build: Callable[[Review, object], dict]) -> Callable[..., HttpResponse]:
    @login_required
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        return _section(request, pk, name, build)

    view.__name__ = view.__qualname__ = name
    return view


review_detail = _section_view("review", sections.overview)
review_people = _section_view("review_people", sections.people)
review_clocks = _section_view("review_clocks", sections.clocks)
review_panel = _section_view("review_panel", sections.panel)
review_evidence = _section_view("review_evidence", sections.evidence)


@login_required
def review_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Every change to the review and its records, merged, newest first, filterable by kind
    of record and by person, a page at a time."""
    review = scoped_object_or_404(Review, request.user, "view_history", pk=pk)
    record_access(request, AccessEvent.Action.VIEW, review, label="history")
    histories = review_histories(request.user, review)
    form = pageforms.HistoryFilterForm(
        request.GET or None, record_types=[(k, label) for k, (label, _) in histories.items()],
        people=history_people(qs for _, qs in histories.values()))
    page = Paginator(history_entries(form.chosen(histories)), 25).get_page(
        request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "reviews/review_history.html", {
        **section_context(request.user, review, "review_history"), "form": form, "page": page,
        "query": query.urlencode()})


@role_required(Role.BUSINESS_MANAGER)
def review_create(request: HttpRequest) -> HttpResponse:
    form = forms.ReferralForm(request.POST or None)
    done = handle_form(request, form,
                       lambda data, _: services.review_create(by=request.user, **data),
                       success="Review opened from the referral.",
                       done_url=lambda review: reverse("review", args=[review.pk]))
    return done or form_page(request, form, title="Record a referral", submit="Open the review",
                     back=reverse("review_list"),
                     intro="A child has died or been seriously harmed and abuse or neglect is "
                           "known or suspected. Record the triggering event.")


@login_required
def review_referral_edit(request: HttpRequest, pk: int) -> HttpResponse:
    fields = [f for f in forms.ReferralEditForm.base_fields if f != "reason"]

    def save(data: dict, review: Review) -> Review:
        return services.review_update_referral(by=request.user, review=review,
                                               reason=data["reason"],
                                               **{f: data[f] for f in fields})

    return review_form_view(request, pk, forms.ReferralEditForm, save,
                            title="Change the referral", submit="Save",
                            success="Referral updated.",
                            initial=lambda review: {f: getattr(review, f) for f in fields})


@login_required
def review_notification(request: HttpRequest, pk: int) -> HttpResponse:
    return review_form_view(
        request, pk, forms.NotificationForm,
        lambda data, review: services.notification_record(by=request.user, review=review, **data),
        title="Record the notification", submit="Save", success="Notification recorded.",
        initial=initial_from(forms.NotificationForm))


@login_required
def review_rapid_review(request: HttpRequest, pk: int) -> HttpResponse:
    return review_form_view(
        request, pk, forms.RapidReviewForm,
        lambda data, review: services.rapid_review_record(by=request.user, review=review, **data),
        title="Record the rapid review", submit="Save", success="Rapid review recorded.",
        initial=initial_from(forms.RapidReviewForm))


@login_required
def review_decision(request: HttpRequest, pk: int) -> HttpResponse:
    return review_form_view(
        request, pk, forms.DecisionForm,
        lambda data, review: services.decision_record(by=request.user, review=review, **data),
        title="Record the decision", submit="Save", success="Decision recorded.",
        initial=initial_from(forms.DecisionForm))


@login_required
def review_report_dates(request: HttpRequest, pk: int) -> HttpResponse:
    return review_form_view(
        request, pk, forms.ReportDatesForm,
        lambda data, review: services.report_and_publication_record(
            by=request.user, review=review, **data),
        title="Record report and publication dates", submit="Save", success="Dates recorded.",
        initial=initial_from(forms.ReportDatesForm))


@login_required
def review_publication_correct(request: HttpRequest, pk: int) -> HttpResponse:
    return review_form_view(
        request, pk, forms.PublicationCorrectionForm,
        lambda data, review: services.publication_date_correct(by=request.user, review=review,
                                                               **data),
        title="Correct the publication date", submit="Save the correction",
        success="Publication date corrected.", initial=initial_from(forms.PublicationCorrectionForm))


@login_required
def review_terms(request: HttpRequest, pk: int) -> HttpResponse:
    def initial(review: Review) -> dict:
        latest = review.terms.prefetch_related("agencies_in_scope").first()
        if latest is None:
            return {"expected_version": 0,
                    "agencies_in_scope": list(review.agencies_involved.all())}
        return {"expected_version": latest.version, "scope_start": latest.scope_start,
                "scope_end": latest.scope_end, "method": latest.method,
                "key_lines_of_enquiry": latest.key_lines_of_enquiry,
                "agencies_in_scope": list(latest.agencies_in_scope.all())}

    return review_form_view(
        request, pk, forms.TermsForm,
        lambda data, review: services.terms_create(by=request.user, review=review, **data),
        title="Terms of reference", submit="Save a new version",
        success="Terms of reference saved.", initial=initial, section="review_panel")


@login_required
def review_appoint(request: HttpRequest, pk: int) -> HttpResponse:
    return review_form_view(
        request, pk, pageforms.AppointPersonForm,
        lambda data, review: services.panel_appoint(by=request.user, review=review, **data),
        title="Appoint to the panel", submit="Appoint", success="Appointment made.",
        section="review_panel",
        link=("Someone not listed? Give them the independent reviewer or panel member role",
              reverse("people")))


@login_required
def panel_appointment_end(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = scoped_object_or_404(PanelAppointment, request.user, "manage", pk=pk)
    form = forms.ReasonMixin(request.POST or None)
    url = reverse("review_panel", args=[appointment.review_id])
    done = handle_form(request, form, lambda data, obj: services.panel_appointment_end(
        by=request.user, appointment=obj, reason=data["reason"]), success="Appointment ended.",
        done_url=url, obj=appointment)
    return done or form_page(request, form, title=f"End appointment: {appointment}",
                             submit="End appointment", back=url)


@login_required
def subject_add(request: HttpRequest, pk: int) -> HttpResponse:
    return review_form_view(
        request, pk, pageforms.PersonInCaseForm,
        lambda data, review: services.subject_add(by=request.user, review=review, **data),
        title="Add a person to the pseudonym register", submit="Add",
        success="Added to the register.", section="review_people")


def _subject_for_manager(request: HttpRequest, pk: int) -> Subject:
    subject = scoped_object_or_404(Subject, request.user, "manage", pk=pk)
    if not can_see_identities(request.user, subject.review):
        raise PermissionDenied
    return subject


@login_required
def subject_edit(request: HttpRequest, pk: int) -> HttpResponse:
    subject = _subject_for_manager(request, pk)
    if request.method == "GET":
        record_access(request, AccessEvent.Action.VIEW, subject)
    names = list(forms.SubjectForm.base_fields)
    form = pageforms.PersonInCaseEditForm(request.POST or None, instance=subject)
    url = reverse("review_people", args=[subject.review_id])

    def save(data: dict, obj: Subject) -> None:
        obj.refresh_from_db()
        services.subject_update(by=request.user, subject=obj, reason=data["reason"],
                                **{n: data[n] for n in names})

    done = handle_form(request, form, save, success="Register updated.", done_url=url,
                       obj=subject)
    return done or form_page(request, form, title=f"Change {subject.pseudonym}", submit="Save",
                             back=url)


@login_required
def subject_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    subject = _subject_for_manager(request, pk)
    form = forms.ReasonMixin(request.POST or None)
    url = reverse("review_people", args=[subject.review_id])
    done = handle_form(request, form, lambda data, obj: services.subject_withdraw(
        by=request.user, subject=obj, reason=data["reason"]), success="Taken off the register.",
        done_url=url, obj=subject)
    return done or form_page(request, form, title=f"Take {subject.pseudonym} off the register",
                             submit="Take off the register", back=url,
                             intro="The record is kept in the history.")


@login_required
def parallel_process_add(request: HttpRequest, pk: int) -> HttpResponse:
    return review_form_view(
        request, pk, forms.ParallelProcessForm,
        lambda data, review: services.parallel_process_open(by=request.user, review=review,
                                                            **data),
        title="Record a parallel process", submit="Save", success="Parallel process recorded.",
        section="review_clocks")


@login_required
def parallel_process_clear(request: HttpRequest, pk: int) -> HttpResponse:
    process = scoped_object_or_404(ParallelProcess, request.user, "manage", pk=pk)
    form = forms.ClearForm(request.POST or None)
    url = reverse("review_clocks", args=[process.review_id])
    done = handle_form(request, form, lambda data, obj: services.parallel_process_clear(
        by=request.user, process=obj, **data), success="Parallel process cleared.",
        done_url=url, obj=process)
    return done or form_page(request, form, title=f"Clear: {process}", submit="Save", back=url)


@login_required
def clock_pause(request: HttpRequest, pk: int) -> HttpResponse:
    return review_form_view(
        request, pk, forms.PauseForm,
        lambda data, review: services.clock_pause(by=request.user, review=review, **data),
        title="Pause a clock", submit="Pause", success="Clock paused.", section="review_clocks")


@login_required
def clock_resume(request: HttpRequest, pk: int) -> HttpResponse:
    pause = scoped_object_or_404(ClockPause, request.user, "manage", pk=pk)
    form = forms.ResumeForm(request.POST or None)
    url = reverse("review_clocks", args=[pause.review_id])
    done = handle_form(request, form, lambda data, obj: services.clock_resume(
        by=request.user, pause=obj, **data), success="Clock resumed.", done_url=url, obj=pause)
    return done or form_page(request, form, title=f"Resume: {pause}", submit="Resume", back=url)


@login_required
def review_explain_delay(request: HttpRequest, pk: int) -> HttpResponse:
    return review_form_view(
        request, pk, forms.DelayForm,
        lambda data, review: services.delay_explain(by=request.user, review=review, **data),
        title="Explain a delay", submit="Save", success="Explanation recorded.", section="review_clocks")


@login_required
def evidence_request_add(request: HttpRequest, pk: int) -> HttpResponse:
    return review_form_view(
        request, pk, forms.EvidenceRequestForm,
        lambda data, review: services.evidence_request_create(by=request.user, review=review,
                                                              **data),
        title="Request evidence from an agency", submit="Send request",
        success="Evidence requested.", form_kwargs=lambda review: {"review": review},
        section="review_evidence")


@login_required
def evidence_request_received(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = scoped_object_or_404(EvidenceRequest, request.user, "manage", pk=pk)
    form = forms.ReceivedForm(request.POST or None)
    url = reverse("review_evidence", args=[evidence.review_id])
    done = handle_form(request, form, lambda data, obj: services.evidence_request_received(
        by=request.user, request=obj, **data), success="Evidence marked as received.",
        done_url=url, obj=evidence)
    return done or form_page(request, form, title=f"Received: {evidence}", submit="Save",
                             back=url)


@login_required
def review_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm and make one stage move (GET shows what it needs; POST makes it). A form
    sent again after the review moved on (Back, a second tab) says so, with a way back."""
    review = scoped_object_or_404(Review, request.user, pk=pk)
    expected = request.POST.get("expected_from") or request.GET.get("from", "")
    if expected and expected != review.stage:
        return render(request, "reviews/moved.html", {"review": review}, status=409)
    to = request.POST.get("to") or request.GET.get("to", "")
    move = next((m for m in move_options(review, available_moves(review, request.user))
                 if m.to == to), None)
    if move is None or not move.allowed_role:
        raise PermissionDenied
    form = forms.TransitionForm(request.POST or None,
                                initial={"to": to, "expected_from": review.stage})
    url = reverse("review", args=[review.pk])
    done = move.possible and handle_form(request, form, lambda data, obj: services.review_transition(
        by=request.user, review=obj, to=data["to"], expected_from=data["expected_from"],
        reason=data["reason"]), success=f"Moved to {Stage(to).label}.", done_url=url,
        obj=review)
    return done or render(request, "reviews/move.html", {"form": form, "review": review,
                                                         "move": move, "back": url})
