"""Per-person figures (home-page tasks, board figures) come from the cache until a
service's write commits; then everyone sees the new figures. Run against the local-memory
default and against Redis, with real commits (transactional tests)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from agencies.models.roles import Role
from reviews import services
from reviews.models import Review
from scr.figures import cached_figure
from scr.history import save_with_history
from tests.conftest import Personas, client_for
from tests.factories import MembershipFactory, UserFactory
from tests.reviews.lists.test_dashboards import open_review

pytestmark = pytest.mark.django_db(transaction=True)

BACKENDS = {
    "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "redis": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
              "LOCATION": "redis://127.0.0.1:6379/3"},
}


@pytest.fixture(params=sorted(BACKENDS))
def cache_backend(request: pytest.FixtureRequest, settings: Any) -> Iterator[str]:
    settings.CACHES = {"default": {**BACKENDS[request.param],
                                   "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}
    yield request.param
    cache.clear()


def home(user: Any) -> str:
    return client_for(user).get("/").content.decode()


def test_home_tasks_come_from_the_cache_until_a_service_write_commits(
    personas: Personas, cache_backend: str,
) -> None:
    review = open_review(personas, aware_days_ago=1)
    task = f"{review.reference}: Notify the national Panel"
    assert task in home(personas.manager)
    # A change made behind the services' back is not seen: the figure is cached.
    Review.objects.filter(pk=review.pk).update(next_clock="rapid_review")
    assert task in home(personas.manager)
    services.notification_record(by=personas.manager, review=review,
                                 notification_sent_on=timezone.localdate())
    assert task not in home(personas.manager)


def test_a_write_by_one_person_is_seen_at_once_by_everyone_else(
    personas: Personas, cache_backend: str,
) -> None:
    colleague = UserFactory(username="second_manager")
    MembershipFactory(user=colleague, role=Role.BUSINESS_MANAGER, agency=None)
    review = open_review(personas, aware_days_ago=1, involved=[personas.police])
    assert "IMR and chronology" not in home(colleague)
    assert "IMR and chronology" not in home(personas.police_lead)
    services.evidence_request_create(by=personas.manager, review=review, agency=personas.police,
                                     due_on=timezone.localdate() + timedelta(days=5),
                                     description="IMR and chronology")
    assert "IMR and chronology" in home(colleague)
    assert "IMR and chronology" in home(personas.police_lead)
    assert "IMR and chronology" not in home(personas.health_lead)


def test_board_figures_change_once_a_write_commits(personas: Personas,
                                                   cache_backend: str) -> None:
    open_review(personas, aware_days_ago=40)
    board = client_for(personas.board)
    assert 'id="missed-count">1<' in board.get("/board/").content.decode()
    open_review(personas, aware_days_ago=41)
    assert 'id="missed-count">2<' in board.get("/board/").content.decode()


def test_a_write_rolled_back_leaves_the_cached_figure_in_place(
    personas: Personas, cache_backend: str,
) -> None:
    review = open_review(personas, aware_days_ago=1)
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert cached_figure("probe", personas.manager, compute) == 1
    # Services are durable (their own outermost transaction), so the write to roll back is
    # made here the way a service makes it.
    with pytest.raises(RuntimeError), transaction.atomic():
        review.notification_sent_on = timezone.localdate()
        save_with_history(review, by=personas.manager, reason="Notification recorded")
        # Inside the transaction the cache is bypassed: its own writes are never missed.
        assert cached_figure("probe", personas.manager, compute) == 2
        raise RuntimeError("roll back")
    assert cached_figure("probe", personas.manager, compute) == 1


def test_the_dashboard_page_comes_from_the_cache_until_a_service_write_commits(
    personas: Personas, cache_backend: str,
) -> None:
    review = open_review(personas, aware_days_ago=1, involved=[personas.police])
    manager, lead = client_for(personas.manager), client_for(personas.police_lead)
    assert review.reference in manager.get("/reviews/").content.decode()
    # Behind the services' back: not seen, the page is cached (per person and filter).
    Review.objects.filter(pk=review.pk).update(reference="SCR-BEHIND-BACK")
    assert review.reference in manager.get("/reviews/").content.decode()
    assert "SCR-BEHIND-BACK" in manager.get("/reviews/?stage=all").content.decode()
    services.notification_record(by=personas.manager, review=review,
                                 notification_sent_on=timezone.localdate())
    assert "SCR-BEHIND-BACK" in manager.get("/reviews/").content.decode()
    # Another person's dashboard is their own, never the manager's cached page.
    assert "SCR-BEHIND-BACK" in lead.get("/reviews/").content.decode()
    assert "SCR-BEHIND-BACK" not in client_for(personas.health_lead).get(
        "/reviews/").content.decode()
