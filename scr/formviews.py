"""The one shape every single-form page shares: show, validate, call a service, redirect.

Services raise ``ValidationError``; ``handle_form`` puts it back on the form so
the user sees the GOV.UK error summary and nothing is half-saved. ``record_form``
is the whole sequence a page about one record repeats: the record (scoped by the
user's rights, so out of scope is a 404), the form, the service, the page. Upload
pages are such pages too: the form gets the uploaded files, and the page is sent as
``multipart/form-data`` when the form has a file field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from scr.access import scoped_object_or_404
from scr.accesslog import mark_case_data, record_access
from scr.actions import Action
from scr.forms import add_service_errors
from scr.http import AuthenticatedHttpRequest
from scr.models import AccessEvent

Save = Callable[[dict[str, Any], Any], Any]
# A page's words or links: fixed, or worked out from the record the page is about.
PerRecord = Any



def form_page(request: HttpRequest, form: Any, *, title: str, submit: str, back: str,
              caption: str = "", intro: str = "", danger: bool = False,
              link: tuple[str, str] | None = None,
              template: str = "form_page.html") -> HttpResponse:
    """``link`` is (text, url) of a page the person may need first (e.g. to give a role);
    ``template`` a page that extends form_page.html (an intro with links or a list)."""
    return render(request, template, {"form": form, "title": title, "submit": submit,
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


def _for(value: PerRecord, obj: Any) -> Any:
    return value(obj) if callable(value) else value


def record_form(request: AuthenticatedHttpRequest, record: models.Model | type[models.Model],
                form_class: type, save: Save, *, pk: Any = None, action: Action = "manage", title: PerRecord,
                submit: str, success: str | Callable[[Any], str], back: PerRecord,
                initial: Callable[[Any], dict[str, Any]] | None = None,
                form_kwargs: Callable[[Any], dict[str, Any]] | None = None,
                log_view: bool = True, **page: PerRecord) -> HttpResponse:
    """A form about one record: ``record`` is a model (scoped here for ``action``, so a
    record out of the user's scope is a 404) or a record the caller already scoped.
    ``save(data, record)`` calls the service; ``title``, ``back`` and the other page
    options (``caption``, ``intro``, ``link``, ``template``) may be worked out from the
    record. The form gets the request's files too (an upload page is one of these).
    ``log_view`` (the default: these forms are about case records) writes an access event
    when the form is shown, and a form shown again with its errors is never cached either."""
    obj = (scoped_object_or_404(record, request.user, action, pk=pk) if isinstance(record, type)
           else record)
    if log_view and request.method == "GET":
        record_access(request, AccessEvent.Action.VIEW, obj)
    form = form_class(request.POST or None, request.FILES or None,
                      initial=initial(obj) if initial else None,
                      **(form_kwargs(obj) if form_kwargs else {}))
    url = _for(back, obj)
    done = handle_form(request, form, save, success=success, done_url=url, obj=obj)
    if done is None and log_view:
        mark_case_data(request)
    return done or form_page(request, form, title=_for(title, obj), submit=submit, back=url,
                             **{name: _for(value, obj) for name, value in page.items()})


def initial_from(form_class: type[Form]) -> Callable[[Any], dict[str, Any]]:
    """Initial form values read from the object's attributes of the same names."""
    names = list(form_class.base_fields)
    return lambda obj: {name: getattr(obj, name) for name in names if hasattr(obj, name)}
