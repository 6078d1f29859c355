"""Notifications: every hand-off announced to the person who must act next, in the app and by
e-mail, once.

The mechanism is here, below every app; the *producers* are the services that make a hand-off
(``reviews.services.handoffs``, ``actionplans.services.handoffs``): each calls ``notify`` in its
own transaction, so the notification exists exactly when the change does.

- **In the app**: a ``Notification`` row per person, listed on their notifications page with
  the unread count in the header until they mark it read.
- **By e-mail, once**: a person chooses per kind an e-mail at once or the daily digest
  (``NotificationPreference``; no choice: ``NOTIFICATION_DEFAULT_DELIVERY``). An e-mail at
  once is queued through the transactional outbox (``scr.outbox``: a row in the same
  transaction, relayed after the commit) and sent through the reminders ledger
  (``scr.reminders.send_once``: one row per person, notification, kind), so a retried or
  redelivered task never sends it twice. Digest ones wait for the next daily digest
  (``actionplans.services.reminders``), which takes them in its own ledger claim.
- **No identifiable data**: a notification's text is built by its producer from the review's
  reference (a pseudonymised number, never a name), agency names and fixed phrases; never a
  person's name or anything typed. The e-mail is that text and a link, nothing else.
- **Once per hand-off**: ``event`` names the occurrence (``comment-17``); a second ``notify``
  of the same event to the same person does nothing (a unique constraint).

The kinds are registered by the apps that produce them (``register``), so the preferences page
lists them without scr importing any app.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone

from scr.history import save_with_history
from scr.models import Notification, NotificationPreference, ReminderSent
from scr.outbox import enqueue
from scr.reminders import send_once

if TYPE_CHECKING:
    from scr.http import User

__all__ = [
    "EMAIL_KIND",
    "KINDS",
    "NotificationKind",
    "deliveries",
    "digest_pending",
    "digest_waiting_q",
    "email_notifications",
    "mark_digested",
    "mark_read",
    "notify",
    "preferences_set",
    "register",
]

EMAIL_KIND = "notification"  # the reminders ledger's kind for a notification e-mailed at once


@dataclass(frozen=True)
class NotificationKind:
    key: str
    label: str  # what the preferences page calls it: "A version shared with the panel"
    who: str  # who receives it, in words: "Panel members of the review"


KINDS: dict[str, NotificationKind] = {}


def register(key: str, label: str, who: str) -> str:
    """Declare a kind of notification (at import of the producing module); returns its key."""
    KINDS[key] = NotificationKind(key, label, who)
    return key


def deliveries(user: User) -> dict[str, str]:
    """This person's delivery for every registered kind (their choice, else the default)."""
    chosen = dict(NotificationPreference.objects.filter(user_id=user.pk)
                  .values_list("kind", "delivery"))
    return {key: chosen.get(key, settings.NOTIFICATION_DEFAULT_DELIVERY) for key in KINDS}


def notify(*, by: User | None, recipients: Iterable[User], kind: str, item: models.Model,
           event: str, text: str, path: str) -> list[Notification]:
    """Announce a hand-off to ``recipients`` (never to ``by``, who made it), inside the
    producing service's transaction; queue the e-mails of those who want one at once.
    Returns the notifications made now (none for a person already told of this event)."""
    if kind not in KINDS:
        raise LookupError(f"Unregistered notification kind: {kind}")
    people = {u.pk: u for u in recipients
              if u.is_active and (by is None or u.pk != by.pk)}
    if not people:
        return []
    chosen = dict(NotificationPreference.objects.filter(user_id__in=list(people), kind=kind)
                  .values_list("user_id", "delivery"))
    content_type = ContentType.objects.get_for_model(item)
    made: list[Notification] = []
    for pk in sorted(people):
        notification = Notification(
            recipient_id=pk, kind=kind, event=event[:120], text=text[:300], path=path,
            content_type=content_type, object_id=item.pk,
            delivery=chosen.get(pk, settings.NOTIFICATION_DEFAULT_DELIVERY))
        try:
            with transaction.atomic():
                notification.save()
        except IntegrityError:
            continue  # this person was already told of this event
        made.append(notification)
    now = [n.pk for n in made if n.delivery == NotificationPreference.Delivery.IMMEDIATE
           and people[n.recipient_id].email]
    if now:
        enqueue("scr.tasks.email_notifications", now)
    return made


def _site(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _message(notification: Notification, email: str) -> EmailMessage:
    """The text and a link: no greeting by name, nothing typed by anyone."""
    preferences = _site(reverse("notification_preferences"))
    return EmailMessage(
        subject=f"{settings.REVIEW_VOCABULARY}: {notification.text}",
        body=f"Hello,\n\n{notification.text}.\n\nSign in to see it: "
             f"{_site(notification.path)}\n\nYou can choose to have this kind of notification "
             f"in one daily digest instead: {preferences}\n",
        to=[email])


def email_notifications(ids: list[int]) -> int:
    """E-mail each of these notifications at once, each through the reminders ledger (never
    twice); returns how many were sent now."""
    sent = 0
    rows = (Notification.objects.filter(pk__in=ids, emailed_at__isnull=True)
            .select_related("recipient").order_by("pk"))
    for notification in rows:
        recipient = notification.recipient
        if not recipient.email or not recipient.is_active:
            continue

        def record(row: ReminderSent, notification: Notification = notification) -> None:
            notification.emailed_at = row.sent_at
            notification.save(update_fields=["emailed_at"])

        if send_once(recipient, notification, EMAIL_KIND, "immediate",
                     _message(notification, recipient.email), record=record):
            sent += 1
    return sent


def digest_pending(user_ids: Iterable[int]) -> dict[int, list[Notification]]:
    """Each person's notifications waiting for their daily digest, oldest first."""
    pending: dict[int, list[Notification]] = defaultdict(list)
    for notification in (Notification.objects.filter(
            recipient_id__in=list(user_ids), delivery=NotificationPreference.Delivery.DIGEST,
            emailed_at__isnull=True).order_by("created_at", "pk")):
        pending[notification.recipient_id].append(notification)
    return pending


def digest_waiting_q(user_ref: models.Expression | models.F) -> models.Exists:
    """``Exists`` of a person's notifications waiting for the digest (for recipient lists)."""
    return models.Exists(Notification.objects.filter(
        recipient=user_ref, delivery=NotificationPreference.Delivery.DIGEST,
        emailed_at__isnull=True))


def mark_digested(notifications: models.QuerySet[Notification]) -> int:
    """Called in the digest's ledger claim: these went out in it (one statement; a
    notification is a message, not case data, so no history)."""
    return notifications.filter(emailed_at__isnull=True).update(emailed_at=timezone.now())


def mark_read(user: User, pk: int | None = None) -> int:
    """Mark one of the person's notifications (or all of them) read; returns how many."""
    rows = Notification.objects.for_user(user, "change").unread()
    if pk is not None:
        rows = rows.filter(pk=pk)
    return rows.update(read_at=timezone.now())  # untracked bookkeeping: a plain update


@transaction.atomic(durable=True)
def preferences_set(*, by: User, chosen: dict[str, str]) -> dict[str, str]:
    """Record how ``by`` wants each kind e-mailed (their own choice only). A kind left at the
    default still gets a row once chosen, so a later change of the default does not change
    what a person chose."""
    valid = set(NotificationPreference.Delivery.values)
    for kind, delivery in chosen.items():
        if kind not in KINDS or delivery not in valid:
            continue
        row = (NotificationPreference.objects.select_for_update()
               .filter(user_id=by.pk, kind=kind).first())
        if row is None:
            row = NotificationPreference(user_id=by.pk, kind=kind, delivery=delivery)
        elif row.delivery == delivery:
            continue
        row.delivery = delivery
        save_with_history(row, by=by, reason="Notification preference chosen")
    return deliveries(by)
