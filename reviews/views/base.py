"""What the review pages share: a section page of a review, and a form about one review."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from scr.access import scoped_object_or_404
from scr.accesslog import record_access
from scr.formviews import Save, form_page, handle_form
from scr.models import AccessEvent

from ..models import (
    Review,
)
from ..sections import section_context

__all__ = [
    "review_form_view",
    "section_view",
]


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



def _section(request: HttpRequest, pk: int, name: str,
             build: Callable[[Review, object], dict]) -> HttpResponse:
    """One page of a review: scoped, logged, with the sub-navigation between its sections."""
    review = scoped_object_or_404(Review, request.user, pk=pk)
    record_access(request, AccessEvent.Action.VIEW, review)
    return render(request, f"reviews/{name}.html", {
        **section_context(request.user, review, name), **build(review, request.user)})


def section_view(name: str, build: Callable[[Review, object], dict]) -> Callable[..., HttpResponse]:
    @login_required
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        return _section(request, pk, name, build)

    view.__name__ = view.__qualname__ = name
    return view
