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

**Batches** (the daily digests: thousands at once) claim in bulk with a lease instead, so a
batch costs a few statements and one SMTP connection rather than a transaction per e-mail:

1. ``claim_batch`` claims every wanted row in one statement (``INSERT … ON CONFLICT DO
   UPDATE … WHERE`` the row is unsent and its lease expired or given up, ``RETURNING`` what
   this worker now holds). A row sent already is skipped; a row another live worker holds
   is reported as held (with when its lease ends) for the caller to retry then.
2. ``send_claimed`` sends the batch's messages over one SMTP connection, one message at a
   time, and marks each row sent as soon as the server has accepted it: one statement,
   which also writes the row's history, committed asynchronously (PostgreSQL's
   ``synchronous_commit = off``: visible to every other worker at once, on disk within a
   fraction of a second; a worker that dies loses nothing it committed). A send that fails
   gives that row's lease up at once, so a retry may take it again.
3. A worker that dies mid-batch leaves what it marked sent and holds the rest until the
   lease expires (``REMINDER_LEASE_SECONDS``, longer than a task may run); the redelivered
   or retried batch then takes them again. A worker never starts a send with less than a
   third of its lease left, so a lease does not expire while its holder is still sending.

The gaps left are the single claim's, and one more: the mail server accepted a message and
the worker died before the mark (a statement later) — or the database server itself
crashed within that fraction of a second after the mark — and the message goes again.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from scr.history import save_with_history
from scr.models import ReminderSent

if TYPE_CHECKING:
    from scr.http import User

logger = logging.getLogger(__name__)
CLAIM_CHUNK = 500  # rows per claiming statement (SQLite's limit on parameters)


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
    """Which of these recipients already hold a claim of ``kind`` for ``period`` (one query):
    sent, or held under a lease that has not expired. A shortcut for callers with many to
    send: skip those before building their messages. The claim stays the guard (a claim
    made after this read still wins)."""
    return set(ReminderSent.objects.filter(
        Q(sent_at__isnull=False) | Q(lease_expires_at__gt=timezone.now()),
        recipient_id__in=list(recipient_ids), kind=kind, period=period,
    ).values_list("recipient_id", flat=True))


def sent_recipients(recipient_ids: Iterable[Any], kind: str, period: str) -> set[Any]:
    """Which of these recipients have been sent ``kind`` for ``period`` (one query)."""
    return set(ReminderSent.objects.filter(
        recipient_id__in=list(recipient_ids), kind=kind, period=period, sent_at__isnull=False,
    ).values_list("recipient_id", flat=True))


# Claims in bulk, under a lease --------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """One ledger row a batch holds: to be sent, then marked sent (or given up)."""

    ledger_id: int
    recipient_id: int
    object_id: int
    attempt: int  # 1 the first time; more when an earlier holder gave it up or died

    @property
    def retaken(self) -> bool:
        return self.attempt > 1


@dataclass
class Lease:
    """What ``claim_batch`` got: the rows this worker now holds, until ``expires_at``, and
    the wanted rows another worker holds (``held``: recipient and object ids) with the
    moment the last of those leases ends (``held_until``), when a retry may take them."""

    token: str
    kind: str
    period: str
    content_type_id: int
    expires_at: datetime
    claims: list[Claim] = field(default_factory=list)
    held: list[tuple[int, int]] = field(default_factory=list)
    held_until: datetime | None = None

    def seconds_left(self) -> float:
        return (self.expires_at - timezone.now()).total_seconds()

    def may_still_send(self) -> bool:
        """A send starts only with a third of the lease left: the lease must not expire
        (and another worker take the row) while its holder is still sending."""
        return self.seconds_left() > lease_seconds() / 3


def lease_seconds() -> int:
    return max(int(settings.REMINDER_LEASE_SECONDS), 3)


_CLAIM_SQL = """
INSERT INTO {table} AS ledger (recipient_id, content_type_id, object_id, kind, period,
                               sent_at, lease_expires_at, lease_token, attempts)
VALUES {values}
ON CONFLICT (recipient_id, content_type_id, object_id, kind, period) DO UPDATE
   SET lease_expires_at = excluded.lease_expires_at, lease_token = excluded.lease_token,
       attempts = ledger.attempts + 1
 WHERE ledger.sent_at IS NULL
   AND (ledger.lease_expires_at IS NULL OR ledger.lease_expires_at <= %s)
RETURNING id, recipient_id, object_id, attempts
"""


def claim_batch(*, kind: str, period: str, model: type[models.Model],
                keys: Iterable[tuple[int, int]], seconds: int | None = None) -> Lease:
    """Claim the ledger rows ``(recipient id, object id of model)`` of ``kind`` for
    ``period`` under one lease, in one statement per 500 rows, and write their history
    (``+`` for a new claim, ``~`` for one taken again). Rows already sent are skipped; rows
    another worker holds under a live lease come back in ``held``.

    Runs in the caller's transaction (a savepoint if there is one), so an app can write its
    own record of what it will send (the daily digest's ``Digest``) with the claims."""
    wanted = sorted(set(keys))  # one order for every worker: no deadlock between two
    now = timezone.now()
    lease = Lease(token=uuid.uuid4().hex, kind=kind, period=period,
                  content_type_id=ContentType.objects.get_for_model(model).pk,
                  expires_at=now + timedelta(seconds=seconds or lease_seconds()))
    if not wanted:
        return lease
    ops = connection.ops
    expires = ops.adapt_datetimefield_value(lease.expires_at)
    table = connection.ops.quote_name(ReminderSent._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(wanted), CLAIM_CHUNK):
            chunk = wanted[start:start + CLAIM_CHUNK]
            values = ", ".join(["(%s, %s, %s, %s, %s, NULL, %s, %s, 1)"] * len(chunk))
            params: list[Any] = []
            for recipient_id, object_id in chunk:
                params += [recipient_id, lease.content_type_id, object_id, kind, period,
                           expires, lease.token]
            cursor.execute(_CLAIM_SQL.format(table=table, values=values),
                           [*params, ops.adapt_datetimefield_value(now)])
            lease.claims += [Claim(*row) for row in cursor.fetchall()]
        lease.claims.sort(key=lambda c: (c.recipient_id, c.object_id))
        for update in (False, True):
            ReminderSent.history.bulk_history_create(
                [_row(lease, c) for c in lease.claims if c.retaken is update], update=update,
                default_date=now,
                default_change_reason="Claim taken again" if update else "Claimed")
        got = {(c.recipient_id, c.object_id) for c in lease.claims}
        if len(got) < len(wanted):
            _held(lease, [key for key in wanted if key not in got])
    return lease


def _row(lease: Lease, claim: Claim, sent_at: datetime | None = None) -> ReminderSent:
    return ReminderSent(pk=claim.ledger_id, recipient_id=claim.recipient_id,
                        content_type_id=lease.content_type_id, object_id=claim.object_id,
                        kind=lease.kind, period=lease.period, sent_at=sent_at,
                        attempts=claim.attempt)


def _held(lease: Lease, missing: list[tuple[int, int]]) -> None:
    """Which of the rows not claimed are another worker's (not sent yet), until when."""
    wanted = set(missing)
    for recipient_id, object_id, expires_at in ReminderSent.objects.filter(
            kind=lease.kind, period=lease.period, content_type_id=lease.content_type_id,
            recipient_id__in={r for r, _ in missing}, object_id__in={o for _, o in missing},
            sent_at__isnull=True).values_list("recipient_id", "object_id", "lease_expires_at"):
        if (recipient_id, object_id) in wanted:
            lease.held.append((recipient_id, object_id))
            until = expires_at or timezone.now()
            lease.held_until = until if lease.held_until is None else max(lease.held_until,
                                                                          until)


def release(lease: Lease, claims: Sequence[Claim]) -> int:
    """Give these claims up now (a failed send, a batch that stops early): unsent rows only,
    and only while this lease still holds them. Bookkeeping of the lease, not a change of
    what was sent, so no history row."""
    if not claims:
        return 0
    held = ReminderSent.objects.filter(pk__in=[c.ledger_id for c in claims],
                                       lease_token=lease.token, sent_at__isnull=True)
    return held.update(lease_expires_at=None, lease_token="")  # fields history leaves out


@cache
def _sent_sql() -> str:
    """One statement that marks a held row sent and writes its history row (PostgreSQL: a
    data-modifying CTE), its columns read from the history model as simple-history made it."""
    history = ReminderSent.history.model
    qn = connection.ops.quote_name
    tracked = {f.attname for f in ReminderSent._meta.concrete_fields}
    columns, selected = [], []
    for f in history._meta.concrete_fields:
        if f.attname == "history_id":
            continue
        columns.append(qn(f.column))
        if f.attname in tracked:
            selected.append(f"sent.{qn(f.column)}")
        elif f.attname in ("history_date", "history_change_reason", "history_type"):
            selected.append("%s")
        elif f.attname == "history_user_id":
            selected.append("NULL")
        else:  # a field this statement does not know: write it through the ORM instead
            raise LookupError(f.attname)
    # Only quoted names from the models' own metadata go into the text; values are parameters.
    return (f"WITH sent AS (UPDATE {qn(ReminderSent._meta.db_table)} "  # noqa: S608
            f"SET sent_at = %s, lease_expires_at = NULL, lease_token = '' "
            f"WHERE id = %s AND lease_token = %s AND sent_at IS NULL RETURNING *) "
            f"INSERT INTO {qn(history._meta.db_table)} ({', '.join(columns)}) "
            f"SELECT {', '.join(selected)} FROM sent")


def mark_sent(lease: Lease, claim: Claim) -> bool:
    """Mark a held row sent, with its history row; ``False`` if this lease no longer holds
    it (it expired and another worker took it: the message may have gone twice)."""
    now = timezone.now()
    if connection.vendor == "postgresql":
        try:
            sql = _sent_sql()
        except LookupError:
            pass
        else:
            ops = connection.ops
            params = [ops.adapt_datetimefield_value(now), claim.ledger_id, lease.token]
            # The history columns' placeholders, in the order _sent_sql wrote them.
            history_values = {"history_date": ops.adapt_datetimefield_value(now),
                              "history_change_reason": "Sent", "history_type": "~"}
            params += [history_values[f.attname]
                       for f in ReminderSent.history.model._meta.concrete_fields
                       if f.attname in history_values]
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.rowcount == 1
    with transaction.atomic():
        row = ReminderSent.objects.select_for_update().filter(
            pk=claim.ledger_id, lease_token=lease.token, sent_at__isnull=True).first()
        if row is None:
            return False
        row.sent_at, row.lease_expires_at, row.lease_token = now, None, ""
        save_with_history(row, by=None, reason="Sent")
    return True


@contextmanager
def asynchronous_commits() -> Iterator[None]:
    """PostgreSQL commits this session's transactions without waiting for the disk while the
    block runs (``synchronous_commit = off``): a commit is visible to every session at once
    and written within a fraction of a second; only a crash of the database server itself in
    that moment loses it. Other databases: unchanged."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        if connection.connection is not None and not connection.needs_rollback:
            with suppress(DatabaseError), connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO DEFAULT")


@dataclass
class Sent:
    """What ``send_claimed`` did with each claim."""

    sent: list[Claim] = field(default_factory=list)
    failed: list[Claim] = field(default_factory=list)  # the send raised: given up at once
    unsent: list[Claim] = field(default_factory=list)  # not tried (lease running out): given up

    @property
    def retry(self) -> list[Claim]:
        return [*self.failed, *self.unsent]


def send_claimed(lease: Lease, messages: Mapping[int, EmailMessage],
                 mail: BaseEmailBackend | None = None) -> Sent:
    """Send each held claim's message (``messages`` by ledger id) over one SMTP connection,
    marking each row sent the moment the server accepts it; a failed send gives its claim up
    and the connection is opened afresh for the next. Claims without a message, and those
    left when the lease runs low, are given up too (the caller retries them)."""
    result = Sent()
    mail = mail or get_connection()
    todo = [c for c in lease.claims if c.ledger_id in messages]
    release(lease, [c for c in lease.claims if c.ledger_id not in messages])
    try:
        _open(mail)
        with asynchronous_commits():
            while todo and lease.may_still_send():
                claim = todo.pop(0)
                message = messages[claim.ledger_id]
                try:
                    message.connection = mail
                    if not mail.send_messages([message]):
                        raise ValueError("The mail backend sent nothing (no recipient?)")
                except Exception:  # SMTP or network: this one is given up and retried
                    logger.exception("Reminder %s (ledger row %s) not sent", lease.kind,
                                     claim.ledger_id)
                    result.failed.append(claim)
                    release(lease, [claim])
                    mail.close()  # a broken connection is opened afresh for the next
                    _open(mail)
                    continue
                if mark_sent(lease, claim):
                    result.sent.append(claim)
                else:
                    logger.warning("Reminder %s (ledger row %s) sent after its lease ran out: "
                                   "another worker may have sent it too", lease.kind,
                                   claim.ledger_id)
    finally:
        result.unsent = todo
        release(lease, todo)
        mail.close()
    return result


def _open(mail: BaseEmailBackend) -> None:
    """Open the connection now if it can be; if not, each send tries again (and fails alone)."""
    try:
        mail.open()
    except OSError:  # smtplib's errors are OSErrors too
        logger.warning("Could not open the mail connection; each message tries on its own")
