"""Upload pages in one shape (``scr.formviews.record_form``, which hands the request's files
to the form): each is a multipart form on form_page.html, and a file posted to it reaches
the service."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actionplans.models import ImpactEvidence
from scr.models import AccessEvent
from tests.actionplans.helpers import an_action, monitoring_review
from tests.personas import Personas, client_for

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_evidence_of_impact_is_uploaded_through_the_record_form(personas: Personas) -> None:
    action = an_action(personas, monitoring_review(personas).recommendations.get())
    client = client_for(personas.police_lead)
    url = reverse("action_evidence_add", args=[action.pk])
    page = client.get(url).content.decode()
    assert 'enctype="multipart/form-data"' in page and "Attach evidence of impact" in page
    assert AccessEvent.objects.filter(path=url, action="view").count() == 1

    missing = client.post(url, {"title": "Training register"})
    assert missing.status_code == 200 and "Select a file" in missing.content.decode()
    response = client.post(url, {"title": "Training register",
                                 "file": SimpleUploadedFile("register.pdf", PDF)})
    assert response.status_code == 302
    stored = ImpactEvidence.objects.get(action=action)
    assert (stored.title, stored.content_type, stored.version) == (
        "Training register", "application/pdf", 1)


def test_the_action_plan_import_page_is_a_record_form_with_the_columns(
        personas: Personas) -> None:
    review = monitoring_review(personas)
    page = client_for(personas.manager).get(
        reverse("action_plan_import", args=[review.pk])).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert "Recommendation, Scope, Action to be taken" in page
