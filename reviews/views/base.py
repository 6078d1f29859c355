"""What the review pages share: a section page of a review, and a form about one review."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from agencies.models import User
from agencies.views.http import AuthenticatedHttpRequest
from reviews.models import Review
from reviews.views.sections import section_context
from scr.access import scoped_object_or_404
from scr.accesslog import record_access
from scr.formviews import Save, record_form
from scr.models import AccessEvent

__all__ = ["back_to", "review_form_view", "section_view"]


def back_to(section: str) -> Callable[[Any], str]:
    """The section of the review page a record (or the review itself) is shown on."""
    return lambda obj: reverse(section, args=[getattr(obj, "review_id", obj.pk)])


def review_form_view(request: AuthenticatedHttpRequest, pk: int, form_class: type, save: Save, *,
                     section: str = "review", **options: Any) -> HttpResponse:
    """A form about one review that only its managers may submit; done, it returns to the
    section of the review page the record belongs to."""
    review = scoped_object_or_404(Review, request.user, "manage", pk=pk)
    return record_form(request, review, form_class, save, back=back_to(section),
                       caption=review.reference, log_view=True, **options)


def _section(request: AuthenticatedHttpRequest, pk: int, name: str,
             build: Callable[[Review, User], dict[str, Any]]) -> HttpResponse:
    """One page of a review: scoped, logged, with the sub-navigation between its sections."""
    review = scoped_object_or_404(Review, request.user, pk=pk)
    record_access(request, AccessEvent.Action.VIEW, review)
    return render(request, f"reviews/{name}.html", {
        **section_context(request.user, review, name), **build(review, request.user)})


def section_view(name: str, build: Callable[[Review, User], dict[str, Any]],
                 ) -> Callable[..., HttpResponse]:
    @login_required
    def view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        return _section(request, pk, name, build)

    view.__name__ = view.__qualname__ = name
    return view
