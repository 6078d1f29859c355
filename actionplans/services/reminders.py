"""Monitoring reminders: the daily digests, sent exactly once, and pausing them.

Exactly once (docs/action-plans.md): each digest is claimed in the reminders ledger
(``scr.reminders.send_once``: a unique row per recipient, item, kind and period; here the
item is the recipient, the kind ``daily_digest`` and the period the day) in the same
transaction that records the ``Digest`` and sends the e-mail. A second beat, a retried or
redelivered task or a second worker finds the row and sends nothing; a send that fails
rolls its claim back, so only that person is retried; a worker killed mid-batch leaves the
digests it sent committed and the rest unclaimed, and the redelivered task sends the rest.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.html import escape

from actionplans.models import Digest, ReminderPause, SeniorLead
from actionplans.selectors.digests import SECTIONS, DigestItem, digest_items_for
from actionplans.services.base import require_manager
from agencies.models import Agency, User
from scr.history import save_with_history
from scr.models import Notification, ReminderSent
from scr.notifications import mark_digested
from scr.reminders import claimed_recipients, period_key_day, send_once
from scr.rules import fresh_locked, require_reason

__all__ = [
    "DIGEST_KIND",
    "digests_send",
    "reminder_pause",
    "reminder_pause_end",
    "senior_lead_name",
]

logger = logging.getLogger(__name__)
DIGEST_KIND = "daily_digest"


def _message(user: User, day: date, items: list[DigestItem], connection: object
             ) -> EmailMultiAlternatives:
    """The digest e-mail, plain text and HTML, built here rather than by templates: the
    daily sweep writes thousands and a template render costs more than the rest of a
    person's digest (benchmarks/action_plans.py). Every text is escaped in the HTML."""
    site = settings.SITE_URL.rstrip("/")
    vocabulary = settings.REVIEW_VOCABULARY
    name = user.get_full_name() or user.username
    when = f"{day:%A} {day.day} {day:%B %Y}"
    sections = [(heading, [i for i in items if i.kind == kind]) for kind, heading in SECTIONS]
    sections = [(heading, rows) for heading, rows in sections if rows]
    intro = f"Your {vocabulary} reminders for {when} from {settings.PARTNERSHIP_NAME}."
    footer = "This is one e-mail a working day. You can see every reminder sent to you at"
    text = [f"Dear {name},", "", intro]
    html = [f"<p>Dear {escape(name)},</p>", f"<p>{escape(intro)}</p>"]
    for heading, rows in sections:
        text += ["", heading, *(f"- {i.text}\n  {site}{i.path}" for i in rows)]
        html.append(f"<h2>{escape(heading)}</h2><ul>" + "".join(
            f'<li><a href="{escape(site + i.path)}">{escape(i.text)}</a></li>' for i in rows)
            + "</ul>")
    text += ["", f"{footer} {site}/reminders/", ""]
    html.append(f'<p>{escape(footer)} <a href="{escape(site)}/reminders/">{escape(site)}'
                "/reminders/</a>.</p>")
    subject = (f"{vocabulary} reminders for {day.day} {day:%B %Y}: {len(items)} "
               f"item{'s' if len(items) != 1 else ''}")
    message = EmailMultiAlternatives(subject, "\n".join(text), to=[user.email],
                                     connection=connection)
    message.attach_alternative(
        f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>'
        f"{escape(subject)}</title></head><body>{''.join(html)}</body></html>", "text/html")
    return message


def _record(user: User, day: date, subject: str,
            items: list[DigestItem]) -> Callable[[ReminderSent], Digest]:
    def record(ledger: ReminderSent) -> Digest:
        digest = save_with_history(Digest(
            ledger=ledger, recipient=user, day=day, subject=subject,
            items=[i.as_json() for i in items],
            escalations=sum(1 for i in items if i.kind == "escalation")),
            by=None, reason="Daily digest sent")
        # The through rows of a digest written this moment (none exist yet): one insert
        # each, as Django's own m2m add would, without its look-up of existing rows.
        Digest.reviews.through.objects.bulk_create([Digest.reviews.through(
            digest_id=digest.pk, review_id=r) for r in sorted({i.review_id for i in items
                                                               if i.review_id})])
        Digest.agencies.through.objects.bulk_create([Digest.agencies.through(
            digest_id=digest.pk, agency_id=a) for a in sorted({i.agency_id for i in items
                                                               if i.agency_id})])
        # The hand-off notifications this digest carries are e-mailed now, never again.
        mark_digested(Notification.objects.filter(
            pk__in=[i.notification_id for i in items if i.notification_id], recipient=user))
        return digest
    return record


def digests_send(user_ids: list[int], day: date) -> list[int]:
    """Send the day's digest to each of these people who has something in it and has not had
    it yet; returns the ids whose send failed (to retry). Each person is one transaction."""
    paused = ReminderPause.objects.in_force(day).filter(user=OuterRef("pk"))
    users = {u.pk: u for u in User.objects.filter(pk__in=user_ids, is_active=True).exclude(
        email="").exclude(Exists(paused))}
    for pk in claimed_recipients(users, DIGEST_KIND, period_key_day(day)):
        del users[pk]  # already sent (a second beat, a redelivery): not even built
    items = digest_items_for(list(users), day)
    failed: list[int] = []
    connection = get_connection()
    _open(connection)
    try:
        for pk in sorted(users):
            if not items.get(pk):
                continue
            user = users[pk]
            message = _message(user, day, items[pk], connection)
            try:
                send_once(user, user, DIGEST_KIND, period_key_day(day), message,
                          record=_record(user, day, str(message.subject), items[pk]))
            except Exception:  # an SMTP or network error: this person's claim rolled back
                logger.exception("Daily digest to user %s for %s failed", pk, day)
                failed.append(pk)
                connection.close()  # a broken connection is opened afresh for the next
                _open(connection)
    finally:
        connection.close()
    return failed


@transaction.atomic(durable=True)
def reminder_pause(*, by: User, user: User, starts_on: date, ends_on: date | None,
                   reason: str) -> ReminderPause:
    """Pause a person's reminders (on leave): no digests from ``starts_on`` to ``ends_on``."""
    require_manager(by, "Only a business manager can pause reminders.")
    reason = require_reason(reason, "Enter the reason for pausing reminders")
    if ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": "The end date must be on or after the start date"})
    return save_with_history(ReminderPause(user=user, starts_on=starts_on, ends_on=ends_on,
                                           reason=reason, created_by=by), by=by, reason=reason)


@transaction.atomic(durable=True)
def reminder_pause_end(*, by: User, pause: ReminderPause, ends_on: date) -> ReminderPause:
    require_manager(by, "Only a business manager can end a pause.")
    locked = fresh_locked(pause)
    if locked.ends_on and locked.ends_on <= ends_on:
        raise ValidationError("This pause already ends by then. Nothing was changed.")
    if ends_on < locked.starts_on:
        ends_on = locked.starts_on
    locked.ends_on = ends_on
    save_with_history(locked, by=by, reason="Reminders resumed")
    pause.refresh_from_db()
    return pause


@transaction.atomic(durable=True)
def senior_lead_name(*, by: User, agency: Agency, user: User) -> SeniorLead:
    """Name the agency's senior lead (who also receives its escalations)."""
    require_manager(by, "Only a business manager can name a senior lead.")
    if not user.memberships.filter(agency=agency).exists() or not user.is_active:
        raise ValidationError({"user": f"The senior lead must be an active member of {agency}"})
    lead = SeniorLead._base_manager.select_for_update().filter(agency=agency).first()
    if lead is None:
        lead = SeniorLead(agency=agency, user=user, named_by=by)
    else:
        lead.user, lead.named_by = user, by
    return save_with_history(lead, by=by, reason="Senior lead named")


def _open(connection: BaseEmailBackend) -> None:
    """One SMTP connection for the batch (a backend that opened its own would close it after
    every message); if the server cannot be reached now, each send tries again on its own."""
    try:
        connection.open()
    except OSError:
        logger.warning("Could not open the mail connection for the digests; sending one by one")
