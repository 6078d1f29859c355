"""The reminders ledger: no one is e-mailed twice for the same item, kind and period.

Celery on Redis can deliver a task twice (``acks_late`` redelivery after the
visibility timeout, celery/celery#5935) and two beat schedulers can run at once, so
"has this been sent?" cannot be a read followed by a write. Claiming is the insert of
the ledger row itself: the unique constraint lets exactly one insert win (PostgreSQL
makes a second inserter wait for the first one's commit, then fails it), and the
loser gets ``False``. The insert runs in a savepoint so a lost claim does not break
the caller's transaction.

``send_once`` sends inside the claim's transaction: if the send raises, the claim is
rolled back and a retry may send again. The one gap left is a crash between the mail
server's acceptance and the commit (then the next run sends again): a duplicate
reminder is the better failure than a lost one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage
from django.db import IntegrityError, models, transaction

from scr.models import ReminderSent

if TYPE_CHECKING:
    from scr.http import User


def period_key_week(day: date) -> str:
    """The ISO week a date falls in, as a period key: ``2026-W48``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def period_key_quarter(day: date) -> str:
    """The calendar quarter a date falls in, as a period key: ``2026-Q4``."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def period_key_day(day: date) -> str:
    """One day as a period key, for daily digests: ``2026-11-25``."""
    return day.isoformat()


def claim_row(recipient: User, item: models.Model, kind: str,
              period: str) -> ReminderSent | None:
    """Insert the ledger row and return it; ``None`` for every caller but the one whose
    insert made it."""
    try:
        with transaction.atomic():
            row = ReminderSent(
                recipient=recipient,
                content_type=ContentType.objects.get_for_model(item),
                object_id=item.pk, kind=kind, period=period)
            row.save()
    except IntegrityError:
        return None
    return row


def claim(recipient: User, item: models.Model, kind: str, period: str) -> bool:
    """Insert the ledger row; ``True`` only for the one caller whose insert made it."""
    return claim_row(recipient, item, kind, period) is not None


def send_once(recipient: User, item: models.Model, kind: str, period: str,
              message: EmailMessage,
              record: Callable[[ReminderSent], object] | None = None) -> bool:
    """Send ``message`` if this reminder has not been sent for the period; ``True`` if it was
    sent now. A send that raises rolls the claim back, so the retry can send it.

    ``record(row)`` lets the owning app write its own account of what was sent (a daily
    digest's items) in the claim's transaction: it exists exactly when the claim does.

    The claim is the transaction's first statement, so a lost claim needs no savepoint of
    its own: the whole (still empty) transaction is rolled back and ``False`` returned."""
    claimed = False
    try:
        with transaction.atomic():
            row = ReminderSent(
                recipient=recipient,
                content_type=ContentType.objects.get_for_model(item),
                object_id=item.pk, kind=kind, period=period)
            row.save()
            claimed = True
            if record is not None:
                record(row)
            message.send()
    except IntegrityError:
        if claimed:
            raise  # the app's own record failed, not the claim
        return False
    return True


def claimed_recipients(recipient_ids: Iterable[Any], kind: str, period: str) -> set[Any]:
    """Which of these recipients already hold a claim of ``kind`` for ``period`` (one query).
    A shortcut for callers with many to send: skip those before building their messages.
    The claim in ``send_once`` stays the guard (a claim made after this read still wins)."""
    return set(ReminderSent.objects.filter(recipient_id__in=list(recipient_ids), kind=kind,
                                           period=period).values_list("recipient_id", flat=True))
