"""Monitoring reminders: the daily digests, sent exactly once, and pausing them.

Exactly once (docs/action-plans.md): each digest is a row of the reminders ledger
(``scr.reminders``: a unique row per recipient, item, kind and period; here the item is
the recipient, the kind ``daily_digest`` and the period the day). A batch of people is sent
in a few statements, whatever its size:

1. who may get one (active, an address, not paused, not sent today): two queries;
2. what each digest lists (``digest_items_for``): five set-based queries for the batch;
3. one transaction: the batch's claims under a lease (``claim_batch``, one statement) and
   the ``Digest`` records of what will be sent (their history and their reviews and
   agencies, in bulk); a ``Digest`` is shown only once its ledger row is marked sent;
4. the e-mails over one SMTP connection, each ledger row marked sent (one statement) as soon
   as the server has accepted it (``send_claimed``).

A second beat, a retried or redelivered task or a second worker finds the rows sent, or held
by a live lease (then it retries when that lease ends); a send that fails gives that claim
up, so only that person is retried; a worker killed mid-batch leaves the digests it marked
sent and holds the rest until its lease expires, when the redelivered or retried batch takes
them again and sends the digest that was recorded for them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Exists, OuterRef, PositiveIntegerField, Value
from django.utils import timezone
from django.utils.html import escape
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from actionplans.models import Digest, ReminderPause, SeniorLead
from actionplans.selectors.digests import SECTIONS, DigestItem, digest_items_for
from actionplans.services.base import require_manager
from agencies.models import Agency, User
from scr.history import save_with_history
from scr.models import Notification
from scr.notifications import mark_digested
from scr.reminders import Lease, claim_batch, period_key_day, send_claimed, sent_recipients
from scr.rules import fresh_locked, require_reason

__all__ = [
    "DIGEST_KIND",
    "DigestBatch",
    "digest_record",
    "digests_send",
    "digests_send_batch",
    "reminder_pause",
    "reminder_pause_end",
    "senior_lead_name",
]

logger = logging.getLogger(__name__)
DIGEST_KIND = "daily_digest"
RECORD_REASON = "Daily digest sent"


def _subject(day: date, count: int) -> str:
    return (f"{settings.REVIEW_VOCABULARY} reminders for {day.day} {day:%B %Y}: {count} "
            f"item{'s' if count != 1 else ''}")


def _message(user: User, digest: Digest) -> EmailMultiAlternatives:
    """The digest e-mail, plain text and HTML, built from its record (what was recorded is
    what is sent, on a retry too) and built here rather than by templates: the daily sweep
    writes thousands and a template render costs more than the rest of a person's digest
    (benchmarks/action_plans.py). Every text is escaped in the HTML."""
    site = settings.SITE_URL.rstrip("/")
    vocabulary = settings.REVIEW_VOCABULARY
    name = user.get_full_name() or user.username
    day = digest.day
    when = f"{day:%A} {day.day} {day:%B %Y}"
    items: list[dict[str, Any]] = list(digest.items)
    sections = [(heading, [i for i in items if i["kind"] == kind]) for kind, heading in SECTIONS]
    sections = [(heading, rows) for heading, rows in sections if rows]
    intro = f"Your {vocabulary} reminders for {when} from {settings.PARTNERSHIP_NAME}."
    footer = "This is one e-mail a working day. You can see every reminder sent to you at"
    text = [f"Dear {name},", "", intro]
    html = [f"<p>Dear {escape(name)},</p>", f"<p>{escape(intro)}</p>"]
    for heading, rows in sections:
        text += ["", heading, *(f"- {i['text']}\n  {site}{i['path']}" for i in rows)]
        html.append(f"<h2>{escape(heading)}</h2><ul>" + "".join(
            f'<li><a href="{escape(site + i["path"])}">{escape(i["text"])}</a></li>'
            for i in rows) + "</ul>")
    text += ["", f"{footer} {site}/reminders/", ""]
    html.append(f'<p>{escape(footer)} <a href="{escape(site)}/reminders/">{escape(site)}'
                "/reminders/</a>.</p>")
    subject = digest.subject
    message = EmailMultiAlternatives(subject, "\n".join(text), to=[user.email])
    message.attach_alternative(
        f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>'
        f"{escape(subject)}</title></head><body>{''.join(html)}</body></html>", "text/html")
    return message


def digest_record(*, ledger_id: int, user: User, day: date,
                  items: list[DigestItem]) -> Digest:
    """A digest's record as it will be sent (not saved): its subject, items and counts."""
    return Digest(ledger_id=ledger_id, recipient=user, day=day,
                  subject=_subject(day, len(items)), items=[i.as_json() for i in items],
                  escalations=sum(1 for i in items if i.kind == "escalation"))


def _record(lease: Lease, users: dict[int, User], day: date,
            items: dict[int, list[DigestItem]]) -> dict[int, Digest]:
    """The ``Digest`` of each claim, by ledger row, in the claim's transaction: written in
    bulk (with history, reviews and agencies) for a new claim; for a claim taken again (an
    earlier send failed or its worker died) the one recorded then, which is what is sent."""
    now = timezone.now()
    retaken = [c.ledger_id for c in lease.claims if c.retaken]
    digests = {d.ledger_id: d for d in Digest._base_manager.filter(ledger_id__in=retaken)
               } if retaken else {}
    if digests:  # sent now, not when first recorded
        for digest in digests.values():
            digest.sent_at = now
        bulk_update_with_history(list(digests.values()), Digest, ["sent_at"],
                                 default_change_reason="Daily digest sent again",
                                 default_date=now, manager=Digest._base_manager)
    new = [digest_record(ledger_id=c.ledger_id, user=users[c.recipient_id], day=day,
                         items=items[c.recipient_id])
           for c in lease.claims if c.ledger_id not in digests]
    for digest in new:
        digest.sent_at = now
        # A literal as an expression keeps Django's PostgreSQL bulk insert (and the history
        # rows', built from these objects) off its UNNEST path, where psycopg quotes the
        # items' JSON texts as array elements in Python, one regex call per quote: that cost
        # more than the rest of the batch (benchmarks/action_plans.py, cProfile).
        vars(digest)["escalations"] = Value(digest.escalations,
                                            output_field=PositiveIntegerField())
    if new:
        bulk_create_with_history(new, Digest, default_change_reason=RECORD_REASON,
                                 default_date=now)
        for digest in new:
            vars(digest)["escalations"] = vars(digest)["escalations"].value
        # The through rows of digests written this moment (none exist yet): one insert for
        # each table, as Django's own m2m add would, without its look-up of existing rows.
        Digest.reviews.through.objects.bulk_create([
            Digest.reviews.through(digest_id=d.pk, review_id=r) for d in new
            for r in sorted({i["review_id"] for i in d.items if i["review_id"]})])
        Digest.agencies.through.objects.bulk_create([
            Digest.agencies.through(digest_id=d.pk, agency_id=a) for d in new
            for a in sorted({i["agency_id"] for i in d.items if i["agency_id"]})])
        digests.update({d.ledger_id: d for d in new})
    # The hand-off notifications these digests carry are e-mailed with them, never again
    # (marked in the claim's transaction, as the digests are recorded).
    users_by_ledger = {c.ledger_id: c.recipient_id for c in lease.claims}
    for ledger_id, digest in digests.items():
        carried = [i["notification_id"] for i in digest.items if i.get("notification_id")]
        if carried:
            mark_digested(Notification.objects.filter(
                pk__in=carried, recipient_id=users_by_ledger[ledger_id]))
    return digests


@dataclass
class DigestBatch:
    """What one batch did, by person: sent; failed (the send raised, or the lease ran low
    before it was tried): retry soon; held by another worker's live lease: retry once that
    lease ends (``held_until``)."""

    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    held: list[int] = field(default_factory=list)
    held_until: datetime | None = None

    @property
    def retry(self) -> list[int]:
        return sorted({*self.failed, *self.held})


def digests_send_batch(user_ids: list[int], day: date) -> DigestBatch:
    """Send the day's digest to each of these people who has something in it and has not had
    it yet (module docstring: a few statements per batch, one per e-mail sent)."""
    period = period_key_day(day)
    paused = ReminderPause.objects.in_force(day).filter(user=OuterRef("pk"))
    users = {u.pk: u for u in User.objects.filter(pk__in=user_ids, is_active=True).exclude(
        email="").exclude(Exists(paused))}
    for pk in sent_recipients(users, DIGEST_KIND, period):
        del users[pk]  # already sent (a second beat, a redelivery): not even built
    if not users:
        return DigestBatch()
    items = digest_items_for(list(users), day)
    with transaction.atomic():
        lease = claim_batch(kind=DIGEST_KIND, period=period, model=User,
                            keys=[(pk, pk) for pk in sorted(users) if items.get(pk)])
        digests = _record(lease, users, day, items)
    done = send_claimed(lease, {ledger_id: _message(users[d.recipient_id], d)
                                for ledger_id, d in digests.items()})
    for claim in done.failed:
        logger.warning("Daily digest to user %s for %s failed", claim.recipient_id, day)
    return DigestBatch(sent=[c.recipient_id for c in done.sent],
                       failed=[c.recipient_id for c in done.retry],
                       held=[recipient for recipient, _ in lease.held],
                       held_until=lease.held_until)


def digests_send(user_ids: list[int], day: date) -> list[int]:
    """``digests_send_batch``, returning the people to retry (failed, or held by another
    worker)."""
    return digests_send_batch(user_ids, day).retry


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

