"""The two view-level access helpers every view uses.

- ``scoped_object_or_404``: fetch an object through ``Model.objects.for_user``;
  outside the user's scope it is a 404 (no existence leak); in scope but the
  action not allowed it is a 403.
- ``role_required``: page-level (lists, dashboards) check by role; 403 for a
  signed-in user without the role, sign-in redirect for anonymous visitors.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404

from scr.actions import Action

M = TypeVar("M", bound=models.Model)
View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def scoped_object_or_404(model: type[M], user: Any, action: Action = "view", **lookup: Any) -> M:
    """One query: the object within the user's view scope, and whether the action is
    allowed on it (an ``Exists`` over the action's scope)."""
    manager = model._default_manager
    visible = manager.for_user(user, "view")  # type: ignore[attr-defined]
    if action == "view":
        return get_object_or_404(visible, **lookup)
    allowed = manager.for_user(user, action).filter(pk=OuterRef("pk"))  # type: ignore[attr-defined]
    obj = get_object_or_404(visible.annotate(_scr_allowed=Exists(allowed)), **lookup)
    if not obj._scr_allowed:
        raise PermissionDenied
    return obj


def role_required(*roles: str) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.has_role(*roles):  # type: ignore[union-attr]
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator
