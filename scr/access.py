"""The view-level access helpers every view uses.

- ``scoped_object_or_404``: fetch an object through ``Model.objects.for_user``;
  outside the user's scope it is a 404 (no existence leak); in scope but the
  action not allowed it is a 403. ``object_for_action_or_404`` answers the same for an
  action whose scope is not inside the ``view`` scope.
- ``role_required``: page-level (lists, dashboards) check by role; 403 for a
  signed-in user without the role, sign-in redirect for anonymous visitors.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404

from scr.actions import Action
from scr.http import AuthenticatedHttpRequest

if TYPE_CHECKING:
    from scr.http import User

M = TypeVar("M", bound=models.Model)
M_co = TypeVar("M_co", bound=models.Model, covariant=True)
View = TypeVar("View", bound=Callable[..., HttpResponseBase])


class ScopedManager(Protocol[M_co]):
    """The default manager of a model a view may fetch: it knows the model's scope."""

    def for_user(self, user: User, action: Action = ...) -> models.QuerySet[M_co]: ...


def scoped_object_or_404(model: type[M], user: User, action: Action = "view", **lookup: Any) -> M:
    """One query: the object within the user's view scope, and whether the action is
    allowed on it (an ``Exists`` over the action's scope)."""
    manager = cast("ScopedManager[M]", model._default_manager)
    visible = manager.for_user(user, "view")
    if action == "view":
        return get_object_or_404(visible, **lookup)
    allowed = manager.for_user(user, action).filter(pk=OuterRef("pk"))
    obj: Any = get_object_or_404(visible.annotate(_scr_allowed=Exists(allowed)), **lookup)
    if not obj._scr_allowed:
        raise PermissionDenied
    return obj


def object_for_action_or_404(model: type[M], user: Any, action: Action, **lookup: Any) -> M:
    """For an action whose scope is not inside the ``view`` scope (the board signs off a
    plan's closure on a page of counts, ``aggregate``, without reading the plan): the object
    when it is in the action's scope; otherwise a 403 if the person may see it, and a 404 if
    not (or if there is no such object), as ``scoped_object_or_404`` answers."""
    manager = model._default_manager
    found = manager.for_user(user, action).filter(**lookup).first()  # type: ignore[attr-defined]
    if found is not None:
        return found
    if manager.for_user(user, "view").filter(**lookup).exists():  # type: ignore[attr-defined]
        raise PermissionDenied
    raise Http404


def role_required(*roles: str) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.has_role(*roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return cast(View, wrapper)  # same signature: wraps keeps the view's own

    return decorator
