"""Writing to the access log: one call per view, download or export.

``record_access`` is also the one definition of "this response shows case data":
it marks the request, and ``scr.middleware.NoStoreCaseDataMiddleware`` then tells
browsers and proxies not to keep a copy of the response.
"""

from __future__ import annotations

from django.db import models
from django.http import HttpRequest

from scr.models import AccessEvent

# Set on the request by record_access; read by NoStoreCaseDataMiddleware.
SHOWS_CASE_DATA = "shows_case_data"


def mark_case_data(request: HttpRequest) -> None:
    """This response shows case data (it will not be cached) without logging a new view:
    a form shown again with its errors after the view that showed it was logged."""
    setattr(request, SHOWS_CASE_DATA, True)


def shows_case_data(request: HttpRequest) -> bool:
    """Whether a view logged access to case data while handling this request."""
    return getattr(request, SHOWS_CASE_DATA, False)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as the proxy count in settings allows us to trust it."""
    from django.conf import settings

    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def record_access(
    request: HttpRequest,
    action: str,
    obj: models.Model | None = None,
    *,
    review_id: int | None = None,
    label: str = "",
    describe: str = "",
) -> AccessEvent:
    """Append one event: who did what to which object, when and from where.

    Marks the request as showing case data, so its response is never cached. ``describe``
    replaces the object's own name in the event (a refused download names the file and why).
    """
    setattr(request, SHOWS_CASE_DATA, True)
    user = request.user if getattr(request, "user", None) and request.user.is_authenticated else None
    if obj is not None and review_id is None:
        review_id = getattr(obj, "review_id", None)
        if review_id is None and obj._meta.label == "reviews.Review":
            review_id = obj.pk
    return AccessEvent.objects.create(
        user=user,
        username=getattr(user, "username", ""),
        action=action,
        object_type=obj._meta.label if obj is not None else label,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=(describe or (str(obj) if obj is not None else label))[:200],
        review_id=review_id,
        path=request.get_full_path()[:500],
        ip_address=client_ip(request),
    )
