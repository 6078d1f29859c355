"""A history page shows exactly what the reader may see on the record's own page, field by
field (pen test finding 4): one rule (``scr.history``) for the record's History page and
the review's, declared by every model with a history (``history_fields``) and asked through
each record's scope (``for_user(reader, "view_history")``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.urls import reverse
from simple_history.models import HistoricalChanges

from reviews import services
from reviews.models import ChronologyEntry, ChronologySubmission, SectionDraft
from reviews.selectors import review_histories
from scr.history import history_rule
from tests.chronology_helpers import Case, entry, make_case, submit
from tests.personas import Personas, client_for
from tests.reporting import report_world

pytestmark = pytest.mark.django_db


def _tracked_models() -> list[type[Any]]:
    return [m for m in apps.get_models() if not issubclass(m, HistoricalChanges)
            and hasattr(m, "history") and issubclass(getattr(m.history, "model", object),
                                                       HistoricalChanges)]


def test_every_history_tracked_model_declares_what_each_reader_sees_in_its_history(
        personas: Personas) -> None:
    """Every model with simple-history has a row rule (its scope, ``for_user``) and a field
    rule (``history_fields``) naming only its own fields, for every reader."""
    models = _tracked_models()
    assert len(models) > 50
    for model in models:
        assert hasattr(model._default_manager, "for_user"), model._meta.label
        rule = history_rule(model)
        names = {f.name for f in model._meta.concrete_fields} | {
            f.attname for f in model._meta.concrete_fields}
        version = model.history.model()
        for reader in personas.by_role().values():
            shown = rule(reader, version)
            assert shown is None or set(shown) <= names, (model._meta.label, set(shown) - names)


def test_a_model_without_a_rule_has_no_history_page(personas: Personas) -> None:
    from agencies.models import Agency

    rule = Agency.__dict__["history_fields"]
    try:
        del Agency.history_fields
        response = client_for(personas.manager).get(
            reverse("record_history", args=["agencies.agency", personas.police.pk]))
        assert response.status_code == 404
    finally:
        Agency.history_fields = rule


@pytest.fixture
def case(personas: Personas) -> Case:
    return make_case(personas)


def test_another_agencys_chronology_submission_has_no_history_for_an_agency_lead(
        case: Case) -> None:
    p = case.people
    entry(case, agency=p.health, text="Health visit")
    submit(case, p.health)
    entry(case, agency=p.police, text="Police visit")
    submit(case, p.police)
    theirs = ChronologySubmission.objects.get(agency=p.health)
    ours = ChronologySubmission.objects.get(agency=p.police)
    lead = client_for(p.police_lead)
    assert lead.get(reverse("record_history", args=["reviews.chronologysubmission", theirs.pk])
                    ).status_code == 404
    assert lead.get(reverse("record_history", args=["reviews.chronologysubmission", ours.pk])
                    ).status_code == 200
    html = lead.get(reverse("review_history", args=[case.review.pk])).content.decode()
    assert "Chronology from Health" not in html and "Chronology from Police" in html
    # The merged chronology's readers see every agency's.
    assert client_for(p.manager).get(reverse(
        "record_history", args=["reviews.chronologysubmission", theirs.pk])).status_code == 200
    assert set(ChronologySubmission.objects.for_user(p.reviewer, "view_history")) == {
        theirs, ours}


def test_the_reviewers_analysis_of_an_entry_is_not_in_its_agency_leads_history(
        case: Case) -> None:
    p = case.people
    mine = entry(case, agency=p.police, text="Police visit to the home")
    submit(case, p.police)
    mine.refresh_from_db()
    services.episode_create(by=p.reviewer, review=case.review, title="Missed bruising",
                            entries=[mine])
    mine.refresh_from_db()
    services.chronology_entry_mark(by=p.reviewer, entry=mine, significance="key",
                                   reason="Pattern of missed signs")
    services.chronology_entry_correct(by=p.police_lead, entry=ChronologyEntry.objects.get(
        pk=mine.pk), reason="Typo", what_happened="Police visit to the house")
    pages = [reverse("record_history", args=["reviews.chronologyentry", mine.pk]),
             reverse("review_history", args=[case.review.pk])]
    for url in pages:
        lead = client_for(p.police_lead).get(url)
        assert lead.status_code == 200
        html = lead.content.decode()
        assert "Missed bruising" not in html and "Grouped into the episode" not in html
        assert "Key practice episode" not in html and "Pattern of missed signs" not in html
        assert "Police visit to the house" in html and "Typo" in html  # their own, shown
        team = client_for(p.reviewer).get(url).content.decode()
        assert "Missed bruising" in team and "Key practice episode" in team
        assert "Pattern of missed signs" in team


def test_a_drafters_autosaves_are_in_no_one_elses_history(personas: Personas) -> None:
    w = report_world(personas)
    intro = services.report_start(by=personas.reviewer, review=w.review)[0]
    services.section_autosave(by=personas.reviewer, section=intro, body="Half a thought",
                              base_version=0)
    draft = SectionDraft.objects.get()
    url = reverse("record_history", args=["reviews.sectiondraft", draft.pk])
    assert client_for(personas.manager).get(url).status_code == 404
    assert client_for(personas.reviewer).get(url).status_code == 200
    assert not SectionDraft.objects.for_user(personas.manager, "view").exists()
    assert not review_histories(personas.manager, w.review)["sectiondraft"][1].exists()
