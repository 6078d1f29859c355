"""People, agencies, memberships and the access log: business managers' pages.

Thin: each view reads through a selector or ``for_user``, validates a form and
calls one service.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from agencies import services
from agencies.forms import (
    AccessLogFilterForm,
    AgencyForm,
    EndMembershipForm,
    InviteUserForm,
    MembershipForm,
    ReasonForm,
    UserEditForm,
)
from agencies.models import Agency, Membership, User
from agencies.models.roles import Role
from agencies.services import account as security
from agencies.views.http import AuthenticatedHttpRequest
from scr.access import role_required, scoped_object_or_404
from scr.accesslog import record_access
from scr.documents import attachment
from scr.formviews import Save, form_page, handle_form, initial_from, record_form
from scr.models import AccessEvent
from scr.reauth import recent_authentication_required
from scr.spreadsheets import csv_lines

manager_only = role_required(Role.BUSINESS_MANAGER)


@manager_only
def people(request: AuthenticatedHttpRequest) -> HttpResponse:
    users = User.objects.for_user(request.user).prefetch_related("memberships__agency")
    return render(request, "agencies/people.html", {"people": users})


@manager_only
def person_invite(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = InviteUserForm(request.POST or None)
    done = handle_form(request, form, lambda data, _: services.user_invite(by=request.user, **data),
                       success=lambda user: f"{user} has been invited by email.",
                       done_url=lambda user: reverse("person", args=[user.pk]))
    return done or form_page(request, form, title="Invite a person", submit="Send invitation",
                             back=reverse("people"))


@login_required
def person(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    subject = scoped_object_or_404(User, request.user, pk=pk)
    memberships = subject.memberships.select_related("agency").order_by("-active_from")
    can_manage = User.objects.for_user(request.user, "change").filter(pk=pk).exists()
    return render(request, "agencies/person.html", {"person": subject, "memberships": memberships,
                                                    "can_manage": can_manage})


def _person_page(record: User | Membership) -> str:
    return reverse("person", args=[record.user_id if isinstance(record, Membership) else record.pk])


def _manage(request: AuthenticatedHttpRequest, record: type[User] | type[Membership], pk: int,
            form_class: type, save: Save, **page: Any) -> HttpResponse:
    """A manager's form about one person or role (``scr.formviews.record_form``): out of
    the manager's scope is a 404; people pages are not case data, so no access event."""
    return record_form(request, record, form_class, save, pk=pk, action="change",
                       back=_person_page, log_view=False, **page)


@login_required
@recent_authentication_required
def person_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _manage(request, User, pk, UserEditForm, lambda data, obj: services.user_update(
        by=request.user, user=obj, **data), title=lambda person: f"Change {person}'s details",
        submit="Save", success="Details updated.", initial=initial_from(UserEditForm),
        form_kwargs=lambda person: {"person": person})


@login_required
@recent_authentication_required
def person_deactivate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _manage(request, User, pk, ReasonForm, lambda data, obj: services.user_deactivate(
        by=request.user, user=obj, reason=data["reason"]),
        success=lambda person: f"{person} has been deactivated and signed out.",
        title=lambda person: f"Deactivate {person}", submit="Deactivate", danger=True,
        intro="They are signed out at once and can no longer sign in. "
              "Their records and history stay.")


@login_required
@recent_authentication_required
def person_reactivate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _manage(request, User, pk, ReasonForm, lambda data, obj: services.user_reactivate(
        by=request.user, user=obj, reason=data["reason"]),
        success=lambda person: f"{person} has been reactivated and sent a link to set a new "
                               "password.",
        title=lambda person: f"Reactivate {person}", submit="Reactivate")


@login_required
@recent_authentication_required
def membership_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _manage(request, User, pk, MembershipForm, lambda data, obj: services.membership_create(
        by=request.user, user=obj, **data), success="Role added.",
        title=lambda person: f"Give {person} a role", submit="Add role")


@login_required
@recent_authentication_required
def membership_end(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _manage(request, Membership, pk, EndMembershipForm,
                   lambda data, obj: services.membership_end(
                       by=request.user, membership=obj, on=data["active_to"],
                       reason=data["reason"]),
                   success="Role ended.", title=lambda membership: f"End role: {membership}",
                   submit="End role")


@login_required
@recent_authentication_required
def person_two_factor_reset(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _manage(request, User, pk, ReasonForm, lambda data, obj: security.second_factor_reset(
        by=request.user, user=obj, reason=data["reason"], request=request),
        success=lambda person: f"{person}'s second factor has been reset. They have been signed "
                               "out and will set up a new one when they next sign in.",
        title=lambda person: f"Reset {person}'s second factor", submit="Reset second factor",
        danger=True, intro="Use this when they have lost their phone or backup codes. "
                           "They are signed out and told by email.")


@manager_only
def agencies(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "agencies/agencies.html", {"agencies": Agency.objects.all()})


@manager_only
def agency_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = AgencyForm(request.POST or None)
    done = handle_form(request, form, lambda data, _: services.agency_create(
        by=request.user, name=data["name"], kind=data["kind"]), success="Agency added.",
        done_url=reverse("agencies"))
    return done or form_page(request, form, title="Add an agency", submit="Add agency",
                             back=reverse("agencies"))


@manager_only
@recent_authentication_required
def agency_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    agency = scoped_object_or_404(Agency, request.user, "change", pk=pk)
    form = AgencyForm(request.POST or None, instance=Agency.objects.get(pk=pk))
    done = handle_form(request, form, lambda data, obj: services.agency_update(
        by=request.user, agency=obj, reason="Agency details changed", **data),
        success="Agency updated.", done_url=reverse("agencies"), obj=agency)
    return done or form_page(request, form, title=f"Change {agency}", submit="Save",
                             back=reverse("agencies"))


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _filtered_events(request: AuthenticatedHttpRequest,
                     ) -> tuple[AccessLogFilterForm, QuerySet[AccessEvent]]:
    form = AccessLogFilterForm(request.GET or None)
    events = AccessEvent.objects.for_user(request.user).select_related("user")
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["person"]:
            name = data["person"].strip()
            events = events.filter(Q(username__icontains=name) | Q(user__first_name__icontains=name)
                                   | Q(user__last_name__icontains=name))
        if data["review"]:
            # The review's id from its own page views (this app does not reach into reviews):
            # every view of a review page records its reference and id together.
            ref = data["review"].strip()
            ids = AccessEvent.objects.filter(object_type="reviews.Review",
                                             object_repr__iexact=ref).values("review_id")
            events = events.filter(Q(review_id__in=ids) | Q(object_repr__iexact=ref))
        if data["action"]:
            events = events.filter(action=data["action"])
        # Days are the partnership's local days; the export keeps UTC.
        if data["date_from"]:
            events = events.filter(at__gte=_local_midnight(data["date_from"]))
        if data["date_to"]:
            events = events.filter(at__lt=_local_midnight(data["date_to"] + timedelta(days=1)))
    elif form.is_bound:
        events = events.none()
    return form, events


@manager_only
@never_cache  # who saw which case, from where: not for a browser's or proxy's cache
def access_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    form, events = _filtered_events(request)
    # The review's reference, not its internal id, from the review page's own view events.
    reference = AccessEvent.objects.filter(object_type="reviews.Review",
                                           review_id=OuterRef("review_id")).values("object_repr")
    events = events.annotate(review_reference=Subquery(reference[:1]))
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "agencies/access_log.html",
                  {"form": form, "page": page, "query": query.urlencode()})


@manager_only
def access_log_export(request: AuthenticatedHttpRequest) -> StreamingHttpResponse:
    _form, events = _filtered_events(request)
    record_access(request, AccessEvent.Action.EXPORT, label="Access log CSV")
    header = ["time_utc", "user", "action", "object_type", "object_id", "object", "review_id",
              "path", "ip_address", "status"]
    rows = ([e.at.isoformat(), e.username, e.action, e.object_type, e.object_id, e.object_repr,
             e.review_id or "", e.path, e.ip_address or "", e.status_code or ""]
            for e in events.iterator(chunk_size=2000))
    response = attachment(StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv"),
                          "access-log.csv")
    return response
