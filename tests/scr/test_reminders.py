"""The reminders ledger: one reminder per recipient, item, kind and period, whatever
retries, duplicate deliveries or concurrent workers do."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.test import override_settings

from agencies.models import Agency
from scr.models import ReminderSent
from scr.reminders import claim, period_key_quarter, period_key_week, send_once
from tests.concurrency import run_at_once
from tests.factories import AgencyFactory, UserFactory


def reminder_to(user: object) -> EmailMessage:
    return EmailMessage("Evidence is due", "Please send your agency's evidence.",
                        to=[user.email])  # type: ignore[attr-defined]


def a_retried_task(user: object, agency: Agency, period: str) -> bool:
    """What a reminder task does; a redelivered task runs it again with the same ids."""
    return send_once(user, agency, "evidence_due", period, reminder_to(user))


@pytest.mark.django_db
def test_the_first_claim_wins_and_the_same_claim_again_loses() -> None:
    user, agency = UserFactory(), AgencyFactory()
    assert claim(user, agency, "evidence_due", "2026-W48") is True
    assert claim(user, agency, "evidence_due", "2026-W48") is False
    assert ReminderSent.objects.count() == 1


@pytest.mark.django_db
def test_another_period_kind_item_or_recipient_is_a_new_claim() -> None:
    user, other_user = UserFactory(), UserFactory()
    agency, other_agency = AgencyFactory(), AgencyFactory()
    assert claim(user, agency, "evidence_due", "2026-W48")
    assert claim(user, agency, "evidence_due", "2026-W49")
    assert claim(user, agency, "report_due", "2026-W48")
    assert claim(user, other_agency, "evidence_due", "2026-W48")
    assert claim(other_user, agency, "evidence_due", "2026-W48")
    assert ReminderSent.objects.count() == 5


@pytest.mark.django_db
def test_a_lost_claim_leaves_the_callers_transaction_usable() -> None:
    user, agency = UserFactory(), AgencyFactory()
    with transaction.atomic():
        claim(user, agency, "evidence_due", "2026-Q4")
        assert claim(user, agency, "evidence_due", "2026-Q4") is False
        assert Agency.objects.filter(pk=agency.pk).exists()  # would fail in a broken transaction


@pytest.mark.django_db
def test_a_retried_task_does_not_send_twice() -> None:
    user, agency = UserFactory(), AgencyFactory()
    assert a_retried_task(user, agency, "2026-W48") is True
    assert a_retried_task(user, agency, "2026-W48") is False
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert a_retried_task(user, agency, "2026-W49") is True  # next week's reminder is due
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_a_send_that_fails_rolls_the_claim_back_so_the_retry_sends() -> None:
    user, agency = UserFactory(), AgencyFactory()
    # A real SMTP connection to a port nobody listens on: the send raises.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                           EMAIL_HOST="127.0.0.1", EMAIL_PORT=9, EMAIL_USE_TLS=False,
                           EMAIL_TIMEOUT=5), pytest.raises(OSError):
        a_retried_task(user, agency, "2026-W48")
    assert not ReminderSent.objects.exists()
    assert a_retried_task(user, agency, "2026-W48") is True
    assert len(mail.outbox) == 1


def test_period_keys_name_the_iso_week_and_the_quarter() -> None:
    assert period_key_week(date(2026, 11, 25)) == "2026-W48"
    assert period_key_week(date(2027, 1, 1)) == "2026-W53"  # ISO weeks cross new year
    assert period_key_quarter(date(2026, 11, 25)) == "2026-Q4"
    assert period_key_quarter(date(2026, 1, 1)) == "2026-Q1"


def test_nobody_sees_ledger_rows_unless_the_owning_app_shows_them(db: None) -> None:
    user = UserFactory(is_superuser=True)
    claim(user, AgencyFactory(), "evidence_due", "2026-W48")
    assert not ReminderSent.objects.for_user(user, "view").exists()


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_at_once_only_one_wins() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent writers (set DATABASE_URL)")
    user, agency = UserFactory(), AgencyFactory()

    def a_worker() -> bool:
        with transaction.atomic():
            return claim(user, agency, "evidence_due", "2026-W48")

    results = run_at_once(a_worker, times=2)
    assert sorted(results) == [False, True]
    assert ReminderSent.objects.count() == 1
