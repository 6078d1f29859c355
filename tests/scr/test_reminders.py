"""The reminders ledger: one reminder per recipient, item, kind and period, whatever
retries, duplicate deliveries or concurrent workers do."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from agencies.models import Agency, User
from scr.models import ReminderSent
from scr.reminders import (
    Lease,
    claim,
    claim_batch,
    claimed_recipients,
    lease_seconds,
    mark_sent,
    period_key_quarter,
    period_key_week,
    release,
    send_claimed,
    send_once,
    sent_recipients,
)
from tests.actionplans.smtp import Mailbox, smtp_server
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


# Claims in bulk under a lease (claim_batch, send_claimed) ----------------------------------


def a_batch(users: list[Any], seconds: int | None = None) -> Lease:
    """What a batch task does first: claim each person's weekly reminder about themself."""
    return claim_batch(kind="weekly_summary", period="2026-W49", model=User,
                       keys=[(u.pk, u.pk) for u in users], seconds=seconds)


def time_passes_beyond_every_lease() -> None:
    """The leases' end, as time passing would bring it (a test cannot wait five minutes)."""
    ReminderSent.objects.filter(lease_expires_at__isnull=False).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1))


def messages_for(lease: Lease, users: list[Any]) -> dict[int, EmailMessage]:
    by_pk = {u.pk: u for u in users}
    return {c.ledger_id: reminder_to(by_pk[c.recipient_id]) for c in lease.claims}


@pytest.mark.django_db
def test_a_batch_claims_each_row_once_and_a_second_batch_finds_them_held() -> None:
    users = [UserFactory() for _ in range(3)]
    first = a_batch(users)
    assert [c.recipient_id for c in first.claims] == sorted(u.pk for u in users)
    assert all(c.attempt == 1 for c in first.claims)
    second = a_batch(users)  # a duplicate delivery of the same batch, while the first runs
    assert second.claims == []
    assert sorted(second.held) == sorted((u.pk, u.pk) for u in users)
    assert second.held_until == first.expires_at  # when a retry may try again
    assert ReminderSent.objects.filter(sent_at__isnull=True).count() == 3
    assert not claimed_recipients([], "weekly_summary", "2026-W49")
    assert claimed_recipients([u.pk for u in users], "weekly_summary", "2026-W49") == {
        u.pk for u in users}  # a live lease is a claim


@pytest.mark.django_db
def test_a_row_marked_sent_is_never_claimed_again_and_an_expired_lease_is_taken_again() -> None:
    users = [UserFactory() for _ in range(3)]
    dying = a_batch(users)
    assert mark_sent(dying, dying.claims[0])  # the first went; then the worker died
    time_passes_beyond_every_lease()
    retry = a_batch(users)
    assert [(c.recipient_id, c.attempt) for c in retry.claims] == [
        (c.recipient_id, 2) for c in dying.claims[1:]]
    assert retry.held == []  # the sent row is neither claimed nor held
    assert sent_recipients([u.pk for u in users], "weekly_summary", "2026-W49") == {
        dying.claims[0].recipient_id}
    # The dead worker's lease is gone: a late mark of its own is refused.
    assert mark_sent(dying, dying.claims[1]) is False
    assert mark_sent(retry, retry.claims[0]) is True


@pytest.mark.django_db
def test_the_ledger_history_records_the_claim_each_retake_and_the_send() -> None:
    user = UserFactory()
    lease = a_batch([user])
    release(lease, lease.claims)  # a send failed: given up at once
    again = a_batch([user])
    assert again.claims[0].attempt == 2
    assert mark_sent(again, again.claims[0])
    row = ReminderSent.objects.get()
    assert row.sent_at is not None and row.lease_token == "" and row.lease_expires_at is None
    assert [(h.history_type, h.history_change_reason, h.attempts, h.sent_at is None)
            for h in row.history.order_by("history_id")] == [
        ("+", "Claimed", 1, True), ("~", "Claim taken again", 2, True), ("~", "Sent", 2, False)]


@pytest.mark.django_db
def test_rows_sent_through_send_once_are_never_claimed_by_a_batch() -> None:
    user, other = UserFactory(), UserFactory()
    assert send_once(user, user, "weekly_summary", "2026-W49", reminder_to(user))
    lease = a_batch([user, other])
    assert [c.recipient_id for c in lease.claims] == [other.pk]
    assert lease.held == []


@pytest.mark.django_db
def test_a_batch_is_sent_over_one_connection_each_row_marked_as_the_server_accepts_it(
        ) -> None:
    users = [UserFactory(email=f"person{i}@example.invalid") for i in range(4)]
    refused = users[2].email

    class CountingConnections(Mailbox):
        """Counts connections; refuses the one address the first time."""

        connections: int = 0
        refused_once: bool = False

        async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str,
                              responses: list[str]) -> list[str]:
            self.connections += 1
            session.host_name = hostname
            return responses

        async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                              rcpt_options: list[str]) -> str:
            if address == refused and not self.refused_once:
                self.refused_once = True
                return "451 4.3.0 Try again later"
            envelope.rcpt_tos.append(address)
            return "250 OK"

    mailbox = CountingConnections()
    with smtp_server(mailbox) as port, override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port, EMAIL_USE_TLS=False, EMAIL_TIMEOUT=10):
        lease = a_batch(users)
        done = send_claimed(lease, messages_for(lease, users))
        # The refused one is given up at once: a retry takes it and sends it.
        retry = a_batch(users)
        again = send_claimed(retry, messages_for(retry, users))
    assert [c.recipient_id for c in done.sent] == [u.pk for u in users if u.email != refused]
    assert [c.recipient_id for c in done.failed] == [users[2].pk]
    assert [c.recipient_id for c in again.sent] == [users[2].pk]
    assert dict(mailbox.delivered) == dict.fromkeys([u.email for u in users], 1)
    # One connection for the first batch, a fresh one after the failure, one for the retry.
    assert mailbox.connections == 3
    assert not ReminderSent.objects.filter(sent_at__isnull=True).exists()


@pytest.mark.django_db
def test_no_send_starts_with_less_than_a_third_of_the_lease_left() -> None:
    users = [UserFactory() for _ in range(2)]
    lease = a_batch(users)
    lease.expires_at = timezone.now() + timedelta(seconds=lease_seconds() / 3 - 1)
    done = send_claimed(lease, messages_for(lease, users))
    assert done.sent == [] and len(done.unsent) == 2 and mail.outbox == []
    # Given up, not left to expire: the retry takes them at once.
    assert [c.attempt for c in a_batch(users).claims] == [2, 2]


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_the_same_batch_at_once_share_no_row() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent writers (set DATABASE_URL)")
    users = [UserFactory() for _ in range(50)]

    def a_worker() -> list[int]:
        with transaction.atomic():
            return [c.recipient_id for c in a_batch(users).claims]

    first, second = run_at_once(a_worker, times=2)
    assert sorted(first + second) == sorted(u.pk for u in users)  # every row, once
    assert ReminderSent.objects.count() == 50
