from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.module_loading import import_string
from django.views.decorators.http import require_POST

from scr import notifications
from scr.accesslog import record_access
from scr.figures import cached_figure
from scr.forms import NotificationPreferencesForm
from scr.formviews import form_page, handle_form
from scr.history import history_page
from scr.http import AuthenticatedHttpRequest
from scr.models import AccessEvent, Notification


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The signed-in person's name, role and what they must do next.

    The tasks come from the provider named in ``HOME_TASKS_PROVIDER`` (reviews'
    selector), so scr imports no app.
    """
    tasks_for = import_string(settings.HOME_TASKS_PROVIDER)
    tasks = cached_figure("tasks", request.user, lambda: tasks_for(request.user))
    return render(request, "home.html", {"tasks": tasks})


def history_model(label: str) -> type[models.Model]:
    """A model whose history may be shown: tracked by simple-history, scoped by for_user and
    declaring which fields each reader sees (``history_fields``, scr.history)."""
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        raise Http404 from None
    if not hasattr(model, "history") or not hasattr(model._default_manager, "for_user") or (
            not callable(getattr(model, "history_fields", None))):
        raise Http404
    return model


def _owner_path(model: type[models.Model]) -> tuple[str, type[models.Model]] | None:
    """The path from a record to the case it belongs to (a review's record names it in
    ``REVIEW_FIELD``; else its ``review`` foreign key), and that case's model."""
    path = getattr(model, "REVIEW_FIELD", None)
    if path is None and any(f.name == "review" and f.is_relation
                            for f in model._meta.concrete_fields):
        path = "review"
    if path is None:
        return None
    owner: Any = model
    for step in path.split("__"):
        owner = owner._meta.get_field(step).related_model
    return path, owner


def history_record_or_404(model: type[models.Model], user: Any, pk: int) -> models.Model:
    """The record whose history ``user`` asks for. Out of scope (a 404, its existence not
    revealed): a record they may not see, or one of a case (review) they may not see, even
    if the record itself is public (a published report in the library). In scope but its
    history not theirs to read: a 403."""
    visible = model._default_manager.for_user(user, "view")  # type: ignore[attr-defined]
    owner = _owner_path(model)
    if owner is not None:
        path, owner_model = owner
        owners = owner_model._default_manager.for_user(user, "view")  # type: ignore[attr-defined]
        visible = visible.filter(**{f"{path}__in": owners.values("pk")})
    obj = get_object_or_404(visible, pk=pk)
    if not model._default_manager.for_user(  # type: ignore[attr-defined]
            user, "view_history").filter(pk=obj.pk).exists():
        raise PermissionDenied
    return obj


@login_required
def record_history(request: AuthenticatedHttpRequest, label: str, pk: int) -> HttpResponse:
    """The history of one record: every version, who, when, why, field by field."""
    model = history_model(label)
    obj = history_record_or_404(model, request.user, pk)
    review_id = getattr(obj, "review_id", None)
    if review_id is not None or model._meta.label == "reviews.Review":
        record_access(request, AccessEvent.Action.VIEW, obj)
    history = model.history  # type: ignore[attr-defined]  # every model has HistoricalRecords
    page = history_page(history.filter(**{model._meta.pk.attname: obj.pk}), reader=request.user,
                        after=request.GET.get("after"), before=request.GET.get("before"))
    return render(request, "history.html", {"object": obj, "page": page,
                                            "title": f"History of {obj}"})


@login_required
def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The person's notifications, newest first, the unread ones marked; each links to the page
    where they act."""
    rows = Notification.objects.for_user(request.user).order_by("-created_at", "-pk")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "notifications.html", {"page": page})


@login_required
@require_POST
def notification_read(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Mark one of the person's notifications read (someone else's is a 404)."""
    get_object_or_404(Notification.objects.for_user(request.user, "change"), pk=pk)
    notifications.mark_read(request.user, pk)
    return redirect("notifications")


@login_required
@require_POST
def notification_read_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    count = notifications.mark_read(request.user)
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read.")
    return redirect("notifications")


@login_required
def notification_preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    """How the person wants each kind of notification e-mailed: at once or in the digest."""
    kinds = sorted(notifications.KINDS.values(), key=lambda k: k.label)
    form = NotificationPreferencesForm(request.POST or None, kinds=kinds,
                                       initial=notifications.deliveries(request.user))
    done = handle_form(request, form, lambda data, _: notifications.preferences_set(
        by=request.user, chosen=data), success="Your choices are saved.",
                       done_url=reverse("notifications"))
    return done or form_page(
        request, form, title="How you are told", submit="Save", back=reverse("notifications"),
        intro="Every notification is listed in the service. Choose for each kind whether it is "
              "also e-mailed to you at once or in one e-mail a working day (the daily digest). "
              "E-mails carry the review's reference and a link, never names.")
