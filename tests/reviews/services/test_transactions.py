"""Each review service is one durable transaction (Zulip's rule): it cannot be nested in
another, so its side effects queued with ``on_commit`` fire once, after its own commit.
Services that compose others call their private, savepoint-free parts instead."""

from __future__ import annotations

import pytest
from django.db import transaction

from reviews import services
from reviews.models import ClockKind, ClockPause, Review
from tests.conftest import Personas
from tests.reviews.services.helpers import open_review, today


def test_a_review_service_refuses_to_run_inside_another_transaction(personas: Personas) -> None:
    review = open_review(personas)
    with transaction.atomic(), pytest.raises(RuntimeError, match="durable"):
        services.notification_record(by=personas.manager, review=review,
                                     notification_sent_on=today())
    assert Review.objects.get(pk=review.pk).notification_sent_on is None


def test_a_parallel_process_pauses_its_clocks_in_its_own_transaction(personas: Personas) -> None:
    review = open_review(personas)
    process = services.parallel_process_open(
        by=personas.manager, review=review, kind="criminal", opened_on=review.aware_date,
        pause_clocks=[ClockKind.NOTIFICATION])
    pause = ClockPause.objects.get(parallel_process=process)
    services.parallel_process_clear(by=personas.manager, process=process, cleared_on=today(),
                                    reason="Charged")
    pause.refresh_from_db()
    assert pause.resumed_on == today()
