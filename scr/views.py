from django.apps import apps
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.module_loading import import_string

from scr.access import scoped_object_or_404
from scr.accesslog import record_access
from scr.figures import cached_figure
from scr.history import history_entries
from scr.models import AccessEvent


@login_required
def home(request: HttpRequest) -> HttpResponse:
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


@login_required
def record_history(request: HttpRequest, label: str, pk: int) -> HttpResponse:
    """The history of one record: every version, who, when, why, field by field."""
    model = history_model(label)
    obj = scoped_object_or_404(model, request.user, "view_history", pk=pk)
    review_id = getattr(obj, "review_id", None)
    if review_id is not None or model._meta.label == "reviews.Review":
        record_access(request, AccessEvent.Action.VIEW, obj)
    history = model.history  # type: ignore[attr-defined]  # every model has HistoricalRecords
    entries = history_entries([history.filter(**{model._meta.pk.attname: obj.pk})],
                              reader=request.user)
    return render(request, "history.html", {"object": obj, "entries": entries,
                                            "title": f"History of {obj}"})
