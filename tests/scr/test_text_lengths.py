"""Every free-text field has a maximum length with a clear message (issue 9, defect 7: a
2 MB delay explanation was stored)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from datetime import timedelta

import pytest
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from reviews import services
from reviews.models import ClockKind, DelayExplanation, Review
from scr.text import NARRATIVE_LENGTH
from tests.conftest import Personas, client_for

PROJECT_APPS = ("scr", "agencies", "reviews", "actionplans", "search")
# Written by the system, never typed by a person.
SYSTEM_TEXT = {("scr.RenderRecord", "error")}


def test_every_model_text_field_has_a_maximum_length() -> None:
    unbounded = [f"{m._meta.label}.{f.name}"
                 for app in PROJECT_APPS for m in apps.get_app_config(app).get_models()
                 if not m.__name__.startswith("Historical")
                 for f in m._meta.concrete_fields
                 if isinstance(f, models.TextField) and not f.max_length
                 and (m._meta.label, f.name) not in SYSTEM_TEXT]
    assert unbounded == []


def _project_forms() -> list[type[forms.BaseForm]]:
    found = []
    for app in ("agencies", "reviews", "actionplans", "search", "scr"):
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if "migrations" in info.name or "tests" in info.name:
                continue
            module = importlib.import_module(info.name)
            found += [obj for _, obj in inspect.getmembers(module, inspect.isclass)
                      if issubclass(obj, forms.BaseForm) and obj.__module__ == info.name]
    return found


def test_every_form_text_field_has_a_maximum_length() -> None:
    unbounded = []
    for form_class in _project_forms():
        for name, field in form_class.base_fields.items():
            if (type(field) is forms.CharField and not field.max_length
                    and not isinstance(field.widget, forms.HiddenInput)):
                unbounded.append(f"{form_class.__module__}.{form_class.__name__}.{name}")
    assert unbounded == []


@pytest.fixture
def late_review(personas: Personas) -> Review:
    today = timezone.localdate()
    return services.review_create(
        by=personas.manager, incident_date=today - timedelta(days=40),
        aware_date=today - timedelta(days=39), what_happened="Injured.",
        harm=Review.Harm.SERIOUS_HARM, abuse_or_neglect=Review.AbuseNeglect.SUSPECTED,
        criteria_met=True, referring_agency=personas.police, agencies_involved=[personas.police])


def test_a_two_megabyte_delay_explanation_gets_a_clear_message_and_nothing_is_stored(
    personas: Personas, late_review: Review,
) -> None:
    response = client_for(personas.manager).post(
        f"/reviews/{late_review.pk}/clocks/explain/",
        {"clock": ClockKind.NOTIFICATION, "explanation": "x" * 2_000_000})
    assert response.status_code == 200
    assert f"Explanation must be {NARRATIVE_LENGTH:,} characters or less" in (
        response.content.decode())
    assert not DelayExplanation.objects.exists()


def test_the_service_refuses_it_too_whatever_the_form(personas: Personas,
                                                      late_review: Review) -> None:
    with pytest.raises(ValidationError, match="characters or less"):
        services.delay_explain(by=personas.manager, review=late_review,
                               clock=ClockKind.NOTIFICATION, explanation="x" * (NARRATIVE_LENGTH + 1))
    assert not DelayExplanation.objects.exists()


def test_a_reason_longer_than_the_limit_is_refused_by_the_service(personas: Personas) -> None:
    from agencies import services as people

    with pytest.raises(ValidationError, match="1,000 characters or less"):
        people.user_deactivate(by=personas.manager, user=personas.police_lead,
                               reason="r" * 1001)
