"""The one shape every single-form page shares: show, validate, call a service, redirect.

Services raise ``ValidationError``; ``handle_form`` puts it back on the form so
the user sees the GOV.UK error summary and nothing is half-saved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .forms import add_service_errors

Save = Callable[[dict[str, Any], Any], Any]


def form_page(request: HttpRequest, form: Any, *, title: str, submit: str, back: str,
              caption: str = "", intro: str = "", danger: bool = False,
              link: tuple[str, str] | None = None) -> HttpResponse:
    """``link`` is (text, url) of a page the person may need first (e.g. to give a role)."""
    return render(request, "form_page.html", {"form": form, "title": title, "submit": submit,
                                              "back": back, "caption": caption, "intro": intro,
                                              "danger": danger, "link": link})


def handle_form(request: HttpRequest, form: Any, save: Save, *, success: str | Callable[[Any], str],
                done_url: str | Callable[[Any], str], obj: Any = None) -> HttpResponse | None:
    """Validate, call the service, put its errors back on the form. None means: show the form."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = save(form.cleaned_data, obj)
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    messages.success(request, success(result) if callable(success) else success)
    return redirect(done_url(result) if callable(done_url) else done_url)


def initial_from(form_class: type) -> Callable[[Any], dict[str, Any]]:
    """Initial form values read from the object's attributes of the same names."""
    names = list(form_class.base_fields)
    return lambda obj: {name: getattr(obj, name) for name in names if hasattr(obj, name)}
