"""Themes across reviews: by year and by review, findings repeating an earlier review's
finding, what answered each theme; published reviews only, no real names for the board."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from learning.selectors import themes_page
from reviews.models import Review, Theme
from tests.actionplans.helpers import an_action, monitoring_review
from tests.personas import Personas, client_for

pytestmark = pytest.mark.django_db


def test_themes_by_year_review_repeats_and_answers(personas: Personas) -> None:
    earlier = monitoring_review(personas)
    Review.objects.filter(pk=earlier.pk).update(published_on=date(2025, 6, 1))
    later = monitoring_review(personas)
    draft = monitoring_review(personas)
    Review.objects.filter(pk=draft.pk).update(published_on=None)  # not published: left out
    sharing = Theme.objects.get(name="Information sharing")
    first = earlier.findings.get()
    first.themes.add(sharing)
    repeat = later.findings.get()
    repeat.title = "Kayden Smith's school was not told"
    repeat.save()
    repeat.themes.add(sharing, Theme.objects.get(name="Supervision"))
    repeat.repeats.add(first)
    draft.findings.get().themes.add(sharing)
    an_action(personas, later.recommendations.get())

    page = themes_page(personas.board)
    year = later.published_on.year
    assert page.years == [2025, year]
    assert ("Information sharing", [1, 1], 2) in page.by_year
    assert [(r, themes) for _, r, _, themes in page.by_review] == [
        (earlier.reference, ["Information sharing"]),
        (later.reference, ["Information sharing", "Supervision"])]
    [found] = page.repeats
    assert (found.reference, found.earlier_reference) == (later.reference, earlier.reference)
    assert found.title == "Child A's school was not told"
    sharing_answer = next(a for a in page.answers if a.name == "Information sharing")
    assert [ref for _, ref, _ in sharing_answer.recommendations] == [
        earlier.reference, later.reference]
    assert (sharing_answer.actions, sharing_answer.actions_finished) == (1, 0)

    html = client_for(personas.board).get(reverse("learning_themes")).content.decode()
    assert "Kayden" not in html and 'role="img"' in html and 'id="themes-by-year"' in html
    assert draft.reference not in html
    assert client_for(personas.police_lead).get(reverse("learning_themes")).status_code == 403

