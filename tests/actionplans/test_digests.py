"""The daily digest: one e-mail a working day per person, listing what is due, never
identifiable data, and exactly once whatever runs the job again."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import date, timedelta
from typing import Any

import pytest
from celery.exceptions import Retry
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actionplans import services, tasks
from actionplans.models import Action, Digest, SeniorLead
from actionplans.selectors.digests import DigestItem
from agencies.models import User
from scr.models import ReminderSent
from scr.reminders import claim_batch
from tests.actionplans import backends
from tests.actionplans.helpers import CHILD, an_action, monitoring_review
from tests.factories import MembershipFactory, UserFactory
from tests.personas import Personas, client_for

pytestmark = pytest.mark.django_db

WEDNESDAY = date(2026, 12, 2)
CHRISTMAS = date(2026, 12, 25)  # a Friday and a bank holiday
SATURDAY = date(2026, 12, 5)


def arrange(p: Personas, day: date = WEDNESDAY) -> Action:
    """The police lead owns one action due in 10 days and one 30 days overdue."""
    rec = monitoring_review(p).recommendations.get()
    soon = an_action(p, rec)
    late = an_action(p, rec, action_text=f"Tell {CHILD}'s school.")
    Action.objects.filter(pk=soon.pk).update(target_date=day + timedelta(days=10))
    Action.objects.filter(pk=late.pk).update(target_date=day - timedelta(days=30))
    return soon


def digests_to(user: User) -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if m.to == [user.email]]


def test_each_person_gets_one_digest_with_plain_text_html_and_links(personas: Personas) -> None:
    soon = arrange(personas)
    tasks.send_daily_digests(WEDNESDAY.isoformat())
    [message] = digests_to(personas.police_lead)
    assert message.subject.startswith("LCSPR reminders for 2 December 2026")
    assert "Your actions that are overdue" in message.body
    assert "Your actions due soon" in message.body
    assert f"http://127.0.0.1:8000/actions/{soon.pk}/" in message.body
    html, kind = message.alternatives[0]
    assert kind == "text/html" and f'href="http://127.0.0.1:8000/actions/{soon.pk}/"' in html
    [manager] = digests_to(personas.manager)
    assert "Overdue for longer than the escalation period" in manager.body
    assert "Your actions" not in manager.body
    assert digests_to(personas.health_lead) == []  # nothing due: no e-mail


def test_a_digest_never_holds_identifiable_data(personas: Personas) -> None:
    arrange(personas)
    tasks.send_daily_digests(WEDNESDAY.isoformat())
    for message in mail.outbox:
        text = message.body + message.alternatives[0][0]
        assert "Kayden" not in text and CHILD not in text  # the child, by any name
        assert "strategy meetings" not in text and "school" not in text  # typed texts


def test_the_job_run_twice_on_the_same_day_sends_each_digest_once(personas: Personas) -> None:
    arrange(personas)
    tasks.send_daily_digests(WEDNESDAY.isoformat())
    first = len(mail.outbox)
    assert first == 2  # the police lead and the business manager
    tasks.send_daily_digests(WEDNESDAY.isoformat())
    tasks.send_digest_batch([personas.police_lead.pk], WEDNESDAY.isoformat())
    assert len(mail.outbox) == first
    assert ReminderSent.objects.filter(kind="daily_digest", period="2026-12-02").count() == 2
    tasks.send_daily_digests((WEDNESDAY + timedelta(days=1)).isoformat())
    assert len(mail.outbox) == 2 * first  # the next working day is a new digest


@pytest.mark.parametrize("day", [CHRISTMAS, SATURDAY], ids=["bank holiday", "weekend"])
def test_no_digest_on_a_bank_holiday_or_a_weekend(personas: Personas, day: date) -> None:
    arrange(personas, day)
    assert tasks.send_daily_digests(day.isoformat()) == 0
    assert tasks.send_digest_batch([personas.police_lead.pk], day.isoformat()) == 0
    assert mail.outbox == []


@override_settings(REMINDER_QUIET_DAYS=["weekends"])
def test_quiet_days_are_a_setting(personas: Personas) -> None:
    arrange(personas, CHRISTMAS)
    tasks.send_daily_digests(CHRISTMAS.isoformat())
    assert digests_to(personas.police_lead)


def test_a_paused_person_gets_no_digest(personas: Personas) -> None:
    arrange(personas)
    services.reminder_pause(by=personas.manager, user=personas.police_lead,
                            starts_on=WEDNESDAY - timedelta(days=1), ends_on=None,
                            reason="On leave")
    tasks.send_daily_digests(WEDNESDAY.isoformat())
    assert digests_to(personas.police_lead) == []
    assert digests_to(personas.manager)


def test_escalations_also_reach_the_agencys_senior_lead(personas: Personas) -> None:
    arrange(personas)
    chief = UserFactory(username="chief")
    MembershipFactory(user=chief, role="panel_member", agency=personas.police)
    services.senior_lead_name(by=personas.manager, agency=personas.police, user=chief)
    assert SeniorLead.objects.get().user == chief
    tasks.send_daily_digests(WEDNESDAY.isoformat())
    [message] = digests_to(chief)
    assert "Overdue for longer than the escalation period" in message.body
    assert "overdue since" in message.body


@override_settings(EMAIL_BACKEND="tests.actionplans.backends.FlakyBackend")
def test_a_failed_send_is_retried_without_duplicating_those_that_succeeded(
        personas: Personas) -> None:
    arrange(personas)
    batch = [personas.manager.pk, personas.police_lead.pk]
    backends.FAIL_ONCE_FOR.add(personas.police_lead.email)
    assert services.digests_send(batch, WEDNESDAY) == [personas.police_lead.pk]
    assert (len(digests_to(personas.manager)), len(digests_to(personas.police_lead))) == (1, 0)
    assert not Digest.objects.filter(recipient=personas.police_lead).exists()  # rolled back
    # The retry (or a redelivery of the whole batch) sends the failed one only.
    assert services.digests_send(batch, WEDNESDAY) == []
    assert (len(digests_to(personas.manager)), len(digests_to(personas.police_lead))) == (1, 1)
    assert Digest.objects.count() == 2


@override_settings(EMAIL_BACKEND="tests.actionplans.backends.FlakyBackend")
def test_the_batch_task_asks_for_a_retry_of_the_failed_people_only(personas: Personas) -> None:
    arrange(personas)
    backends.FAIL_ONCE_FOR.add(personas.police_lead.email)
    with pytest.raises(Retry) as retry:  # eager: the Retry is raised to the caller
        tasks.send_digest_batch.apply(
            args=([personas.manager.pk, personas.police_lead.pk], WEDNESDAY.isoformat()))
    assert retry.value.sig.args == ([personas.police_lead.pk], WEDNESDAY.isoformat())


def test_people_see_what_was_sent_to_them_and_managers_see_it_per_review_and_agency(
        personas: Personas) -> None:
    soon = arrange(personas)
    tasks.send_daily_digests(WEDNESDAY.isoformat())
    digest = Digest.objects.get(recipient=personas.police_lead)
    mine = client_for(personas.police_lead).get("/reminders/")
    assert f"/reminders/{digest.pk}/" in mine.content.decode()
    page = client_for(personas.police_lead).get(f"/reminders/{digest.pk}/").content.decode()
    assert f"/actions/{soon.pk}/" in page
    assert client_for(personas.health_lead).get(f"/reminders/{digest.pk}/").status_code == 404
    per_review = client_for(personas.manager).get(f"/reviews/{soon.review_id}/reminders/")
    assert f"/reminders/{digest.pk}/" in per_review.content.decode()
    per_agency = client_for(personas.manager).get(f"/agencies/{personas.police.pk}/reminders/")
    assert f"/reminders/{digest.pk}/" in per_agency.content.decode()


def test_a_published_report_due_its_takedown_review_is_in_the_managers_digest_and_home_page(
        personas: Personas) -> None:
    from django.urls import reverse

    from reviews.models import Publication
    from tests.publishing import arrange_publication

    review = monitoring_review(personas)
    publication = arrange_publication(review, personas.manager)
    Publication.objects.filter(pk=publication.pk).update(
        takedown_review_on=WEDNESDAY - timedelta(days=1))
    tasks.send_daily_digests(WEDNESDAY.isoformat())
    [message] = digests_to(personas.manager)
    assert "Published reports due a takedown review" in message.body
    link = reverse("publication_takedown_review", args=[publication.pk])
    assert f"http://127.0.0.1:8000{link}" in message.body
    assert all("takedown" not in m.body for m in digests_to(personas.police_lead))
    home = client_for(personas.manager).get("/").content.decode()
    assert f'href="{link}"' in home and "Overdue" in home


def owners(p: Personas, n: int) -> list[User]:
    """``n`` police officers, each owning one action due in 5 days."""
    rec = monitoring_review(p).recommendations.get()
    people = []
    for i in range(n):
        person = UserFactory(username=f"officer{i:02d}", email=f"officer{i:02d}@example.invalid")
        MembershipFactory(user=person, role="agency_lead", agency=p.police)
        action = an_action(p, rec, owner=person)
        Action.objects.filter(pk=action.pk).update(target_date=WEDNESDAY + timedelta(days=5))
        people.append(person)
    return people


def statements_to_send(user_ids: list[int]) -> tuple[int, int]:
    """(SQL statements, digests sent) for one batch."""
    with CaptureQueriesContext(connection) as queries:
        batch = services.digests_send_batch(user_ids, WEDNESDAY)
    return len(queries), len(batch.sent)


@pytest.mark.postgresql
def test_a_batch_costs_a_few_statements_and_one_more_per_digest_sent(personas: Personas) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the one-statement mark (set DATABASE_URL)")
    people = owners(personas, 12)
    ids = [u.pk for u in people]
    ContentType.objects.get_for_model(User)  # cached per process: not a batch's cost
    small, sent_small = statements_to_send(ids[:3])
    large, sent_large = statements_to_send(ids[3:])
    assert (sent_small, sent_large) == (3, 9)
    assert large - small == 9 - 3  # the mark of each digest sent; nothing else per person
    # Who, what, the claims and the records (and, in a test, their savepoints), whatever the
    # batch's size, with the hand-off notifications waiting for the digest: 20 statements
    # besides the marks.
    assert small - 3 <= 20
    assert len(mail.outbox) == 12


class Killed(BaseException):
    """A worker killed mid-send (not an ``Exception``: nothing in the batch catches it)."""


KILL_AT: list[str] = []


class DyingBackend(EmailBackend):
    """Delivers like locmem until it reaches the address in ``KILL_AT``: the worker dies
    there, before the server has answered."""

    def send_messages(self, messages: Sequence[Any]) -> int:
        for message in messages:
            if KILL_AT and message.to == KILL_AT[:1]:
                KILL_AT.clear()
                raise Killed
        return super().send_messages(messages)


@override_settings(EMAIL_BACKEND="tests.actionplans.test_digests.DyingBackend")
def test_a_worker_killed_mid_batch_holds_the_rest_until_its_lease_ends_then_the_retry_sends_them(
        personas: Personas) -> None:
    people = owners(personas, 5)
    ids = [u.pk for u in people]
    KILL_AT.append(people[2].email)
    with pytest.raises(Killed):
        services.digests_send_batch(ids, WEDNESDAY)
    assert [m.to for m in mail.outbox] == [[people[0].email], [people[1].email]]
    assert Digest.objects.count() == 2  # the one being sent is not shown as sent
    recorded = Digest._base_manager.get(recipient=people[2])
    # A redelivery at once: the one in flight is still the dead worker's, the rest go.
    soon = services.digests_send_batch(ids, WEDNESDAY)
    assert soon.held == [people[2].pk] and soon.held_until is not None
    assert sorted(soon.sent) == [people[3].pk, people[4].pk]
    # Its lease ends; the retry sends it, as it was recorded, and nothing twice.
    another = an_action(personas, Action.objects.filter(owner=people[2]).get().recommendation,
                        owner=people[2])  # meanwhile, one more action for them
    Action.objects.filter(pk=another.pk).update(target_date=WEDNESDAY + timedelta(days=3))
    ReminderSent.objects.filter(sent_at__isnull=True).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1))
    late = services.digests_send_batch(ids, WEDNESDAY)
    assert late.sent == [people[2].pk] and late.retry == []
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in people)
    digest = Digest.objects.get(recipient=people[2])
    assert digest.pk == recorded.pk and len(digest.items) == len(recorded.items) == 1
    assert mail.outbox[-1].subject == recorded.subject
    assert services.digests_send_batch(ids, WEDNESDAY).sent == []


def test_the_batch_task_retries_people_another_worker_holds_when_its_lease_ends(
        personas: Personas) -> None:
    people = owners(personas, 2)
    lease = claim_batch(kind=services.DIGEST_KIND, period="2026-12-02", model=User,
                        keys=[(people[0].pk, people[0].pk)])  # another worker, still sending
    with pytest.raises(Retry) as retry:
        tasks.send_digest_batch.apply(args=([u.pk for u in people], WEDNESDAY.isoformat()))
    assert retry.value.sig.args == ([people[0].pk], WEDNESDAY.isoformat())
    wait = retry.value.sig.options["countdown"]
    assert lease.seconds_left() - 5 < wait <= lease.seconds_left() + 2
    assert digests_to(people[1]) and not digests_to(people[0])


def test_every_field_of_a_digest_item_is_in_its_record() -> None:
    item = DigestItem("action_due", "LCSPR-2026-001 recommendation 1, action 1", "/actions/1/",
                      date(2026, 12, 7), 3, 4)
    assert set(item.as_json()) == {f.name for f in fields(DigestItem)}
    assert item.as_json()["due"] == "2026-12-07"
