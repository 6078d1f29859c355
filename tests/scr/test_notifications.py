"""Notifications in the app and by e-mail: the unread count in the header, marking read (one's
own only), the choice per kind between an e-mail at once and the daily digest, and exactly
one e-mail whatever the choice, retries and digests do. (Every hand-off that raises one:
tests/test_handoffs.py.)"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from actionplans.services import digests_send
from reviews import services
from scr.models import Notification, NotificationPreference
from scr.notifications import KINDS, email_notifications, notify
from tests.conftest import Personas, client_for
from tests.reviews.evidence import helpers as h

pytestmark = pytest.mark.django_db

A_MONDAY = date(2026, 12, 7)


def _request(p: Personas, capture: Any, description: str = "Your agency report") -> Any:
    review = h.evidence_review(p)
    with capture(execute=True):
        return services.evidence_request_create(by=p.manager, review=review, agency=p.police,
                                                due_on=h.due(), description=description)


def test_the_header_counts_unread_notifications_and_the_list_links_to_the_page(
        personas: Personas, django_capture_on_commit_callbacks: Any) -> None:
    request = _request(personas, django_capture_on_commit_callbacks)
    client = client_for(personas.police_lead)
    page = client.get(reverse("notifications")).content.decode()
    assert "app-unread-count" in page and ">1<span class=\"govuk-visually-hidden\"> unread" in page
    assert f'href="{reverse("evidence_request", args=[request.pk])}"' in page
    assert "1 unread notification" in client.get(reverse("home")).content.decode()
    # The manager who sent it is not told of their own hand-off.
    assert not Notification.objects.filter(recipient=personas.manager).exists()


def test_marking_one_read_is_for_its_recipient_only_and_someone_elses_is_a_404(
        personas: Personas, django_capture_on_commit_callbacks: Any) -> None:
    _request(personas, django_capture_on_commit_callbacks)
    notification = Notification.objects.get(recipient=personas.police_lead)
    other = client_for(personas.health_lead).post(
        reverse("notification_read", args=[notification.pk]))
    assert other.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None
    response = client_for(personas.police_lead).post(
        reverse("notification_read", args=[notification.pk]))
    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.read_at is not None
    page = client_for(personas.police_lead).get(reverse("notifications")).content.decode()
    assert "app-unread-count" not in page and "Unread" not in page


def test_mark_all_read_marks_only_the_persons_own(
        personas: Personas, django_capture_on_commit_callbacks: Any) -> None:
    review = h.evidence_review(personas)
    with django_capture_on_commit_callbacks(execute=True):
        h.send_imr(personas, review, personas.police, personas.health)
    client_for(personas.police_lead).post(reverse("notification_read_all"))
    assert not Notification.objects.filter(recipient=personas.police_lead,
                                           read_at__isnull=True).exists()
    assert Notification.objects.get(recipient=personas.health_lead).read_at is None


def test_a_person_who_chose_the_digest_for_a_kind_gets_no_email_at_once_but_one_in_the_digest(
        personas: Personas, django_capture_on_commit_callbacks: Any) -> None:
    response = client_for(personas.police_lead).post(
        reverse("notification_preferences"),
        {**dict.fromkeys(KINDS, "immediate"), "evidence_requested": "digest"})
    assert response.status_code == 302, response.content.decode()
    assert NotificationPreference.objects.get(user=personas.police_lead,
                                              kind="evidence_requested").delivery == "digest"
    mail.outbox.clear()
    _request(personas, django_capture_on_commit_callbacks, "Kayden Smith's custody record")
    assert mail.outbox == []  # nothing at once
    notification = Notification.objects.get(recipient=personas.police_lead)
    assert notification.delivery == "digest" and notification.emailed_at is None
    with override_settings(REMINDER_QUIET_DAYS=[]):
        assert digests_send([personas.police_lead.pk], A_MONDAY) == []
        assert digests_send([personas.police_lead.pk], A_MONDAY) == []  # a second beat
    digests = [m for m in mail.outbox if m.to == [personas.police_lead.email]]
    assert len(digests) == 1
    assert notification.text in digests[0].body
    assert "Kayden" not in digests[0].body and "custody record" not in digests[0].body
    notification.refresh_from_db()
    assert notification.emailed_at is not None
    # The next day's digest does not carry it again.
    mail.outbox.clear()
    with override_settings(REMINDER_QUIET_DAYS=[]):
        digests_send([personas.police_lead.pk], A_MONDAY + timedelta(days=1))
    assert all(notification.text not in m.body for m in mail.outbox)


def test_an_email_at_once_is_sent_once_whatever_the_task_retries(
        personas: Personas, django_capture_on_commit_callbacks: Any) -> None:
    _request(personas, django_capture_on_commit_callbacks)
    notification = Notification.objects.get(recipient=personas.police_lead)
    assert len(mail.outbox) == 1 and notification.delivery == "immediate"
    assert email_notifications([notification.pk]) == 0
    assert len(mail.outbox) == 1


def test_the_same_event_reaches_a_person_once_and_the_actor_never(personas: Personas) -> None:
    review = h.evidence_review(personas)
    kwargs = {"kind": "stage_moved", "item": review, "event": "stage-x", "text": "T",
              "path": "/"}
    first = notify(by=personas.manager, recipients=[personas.reviewer, personas.manager],
                   **kwargs)
    again = notify(by=personas.manager, recipients=[personas.reviewer], **kwargs)
    assert [n.recipient_id for n in first] == [personas.reviewer.pk] and again == []
    with pytest.raises(LookupError):
        notify(by=None, recipients=[personas.reviewer], kind="no_such_kind", item=review,
               event="e", text="T", path="/")


def test_a_person_without_an_email_address_is_still_told_in_the_app(
        personas: Personas, django_capture_on_commit_callbacks: Any) -> None:
    personas.police_lead.email = ""
    personas.police_lead.save()
    _request(personas, django_capture_on_commit_callbacks)
    assert Notification.objects.filter(recipient=personas.police_lead).count() == 1
    assert mail.outbox == []
