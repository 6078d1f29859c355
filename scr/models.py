"""scr's models: the append-only access log, and the records of the shared mechanisms
(the abstract stored document, render records, the reminders ledger).

The access log: every view of a case page, every download and every export writes one
``AccessEvent``; so do sign-ins, sign-outs and failed sign-ins. Rows are never
updated or deleted: the model refuses it, the admin is read-only, and on
PostgreSQL a trigger refuses it too. It carries no simple-history table because
a row never changes (see docs/audit.md).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core import checks
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from scr import filetypes
from scr.actions import Action
from scr.doctext import MAX_CHARS, TextStatus
from scr.history import EVERY_FIELD
from scr.text import REASON_LENGTH

if TYPE_CHECKING:
    from scr.http import User


class AccessEventQuerySet(models.QuerySet["AccessEvent"]):
    def update(self, **kwargs: object) -> int:
        raise PermissionError("The access log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("The access log is append-only.")

    def for_user(self, user: User, action: Action = "view") -> AccessEventQuerySet:
        """Only the roles named in ``ACCESS_LOG_READER_ROLES`` (business managers) read it."""
        if getattr(user, "is_authenticated", False) and action == "view" and (
            user.has_role(*settings.ACCESS_LOG_READER_ROLES)
        ):
            return self.all()
        return self.none()


class AccessEvent(models.Model):
    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        DOWNLOAD = "download", "Downloaded"
        EXPORT = "export", "Exported"
        LOGIN = "login", "Signed in"
        LOGOUT = "logout", "Signed out"
        LOGIN_FAILED = "login_failed", "Failed sign-in"
        LOGIN_DELAYED = "login_delayed", "Sign-in refused: too soon after failures"
        REFUSED = "refused", "Refused access"
        ACCOUNT = "account", "Account security change"
        INTEGRITY = "integrity", "Download refused: stored file missing or altered"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                             blank=True, related_name="access_events")
    username = models.CharField(max_length=150, blank=True,
                                help_text="As typed, for failed sign-ins.")
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    # The review the object belongs to, so one search finds everything about a case.
    review_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    path = models.CharField(max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # The HTTP status of a refused request (403, 404); empty for everything else.
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "at"]),
                   models.Index(fields=["username", "action", "at"]),
                   models.Index(fields=["ip_address", "action", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username or self.user_id} {self.action} {self.object_repr}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise PermissionError("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError("The access log is append-only.")


class AuditLinkQuerySet(models.QuerySet["AuditLink"]):
    def update(self, **kwargs: object) -> int:
        raise PermissionError("The audit chain is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit chain is append-only.")

    def for_user(self, user: User, action: Action = "view") -> AuditLinkQuerySet:
        """Nobody reads the links through the service: ``manage.py verify_audit`` does."""
        return self.none()


class AuditLink(models.Model):
    """One link of the tamper-evident chain over the access log and the history tables
    (scr/auditchain.py): which row, its hash when sealed, and the chain hash."""

    table = models.CharField(max_length=100, help_text="The model's label, e.g. scr.AccessEvent.")
    row_id = models.BigIntegerField()
    row_hash = models.CharField(max_length=64)
    chain_hash = models.CharField(max_length=64)
    sealed_at = models.DateTimeField(auto_now_add=True)

    objects = AuditLinkQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["table", "row_id"],
                                               name="scr_auditlink_one_link_per_row")]

    def __str__(self) -> str:
        return f"link {self.pk}: {self.table} {self.row_id}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise PermissionError("The audit chain is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit chain is append-only.")


class SignedInSessionQuerySet(models.QuerySet["SignedInSession"]):
    def for_user(self, user: User, action: Action = "view") -> SignedInSessionQuerySet:
        """A person sees (and ends) only their own sessions."""
        if getattr(user, "is_authenticated", False) and action in ("view", "change"):
            return self.filter(user_id=user.pk)
        return self.none()


class SignedInSession(models.Model):
    """One signed-in session of a person, so they can see where they are signed in and sign
    out everywhere else. Written at sign-in, removed at sign-out; a row whose session has
    expired is shown as ended and swept by ``clearsessions``' schedule."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="signed_in_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    signed_in_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    objects = SignedInSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_in_at"]

    def __str__(self) -> str:
        return f"{self.user_id} since {self.signed_in_at:%Y-%m-%d %H:%M}"


# ---------------------------------------------------------------- shared mechanisms
# Their rules and the choices behind them: docs/shared-mechanisms.md.


class UnscopedQuerySet(models.QuerySet[Any]):
    """Records of a shared mechanism belong to whatever the owning app attaches them to;
    scr cannot know who may see them, so on their own nobody does. The owning app
    reaches them through its own scoped records (a review's evidence, its report)."""

    def for_user(self, user: User, action: Action = "view") -> models.QuerySet[Any]:
        return self.none()


def document_upload_to(instance: models.Model, filename: str) -> str:
    """A random storage name per file: never the uploader's name (path tricks, guessing)."""
    return f"documents/{instance._meta.app_label}/{instance._meta.model_name}/{uuid.uuid4().hex}"


class StoredDocument(models.Model):
    """An uploaded file, one version of one logical document (abstract).

    A subclass adds what the document belongs to (``LOGICAL_KEY``: the fields naming the
    logical document, e.g. ``("evidence_request",)``), a ``UniqueConstraint`` over those
    fields and ``version``, its ``ALLOWED_TYPES`` and ``MAX_SIZE``, and writes through
    ``scr.documents.document_store_version``. The system check below fails a subclass
    that forgets the constraint.
    """

    ALLOWED_TYPES: ClassVar[frozenset[str]] = frozenset({filetypes.PDF})
    # None: the limit in settings (DOCUMENT_MAX_SIZE_MB, 25 MB by default).
    MAX_SIZE: ClassVar[int | None] = None
    LOGICAL_KEY: ClassVar[tuple[str, ...]] = ()

    file = models.FileField(upload_to=document_upload_to, max_length=255)
    original_filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100, help_text="As libmagic read the content.")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    version = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    # Its text, read once when stored (scr.doctext), for search; how that went.
    text = models.TextField(blank=True, editable=False, max_length=MAX_CHARS)
    text_status = models.CharField(max_length=12, choices=TextStatus.choices, blank=True,
                                   editable=False)
    # Withdrawn: hidden from the pages, kept, and restorable (scr.documents.document_withdraw).
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True, max_length=REASON_LENGTH)

    class Meta:
        abstract = True
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"{self.original_filename} (version {self.version})"

    @classmethod
    def max_size(cls) -> int:
        return cls.MAX_SIZE or settings.DOCUMENT_MAX_SIZE

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @classmethod
    def check(cls, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        wanted = {*cls.LOGICAL_KEY, "version"}
        if not any(isinstance(c, models.UniqueConstraint) and set(c.fields) == wanted
                   for c in cls._meta.constraints):
            errors.append(checks.Error(
                f"{cls._meta.label} needs UniqueConstraint(fields={sorted(wanted)}).",
                hint="Each version number is used once per logical document.",
                obj=cls, id="scr.E001"))
        return errors


class RenderRecord(models.Model):
    """One PDF render of one record (NetBox's ``Job`` shape): queued → running → done or
    failed, with the error, the timings and the output file with its SHA-256."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(max_length=60, help_text="The renderer, e.g. 'reviews.report'.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(upload_to=document_upload_to, max_length=255, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    inputs_digest = models.CharField(
        max_length=64, blank=True,
        help_text="What the PDF was made from (the kind's inputs function, e.g. the register "
                  "a report was anonymised with), read before its HTML: a render whose inputs "
                  "have changed since is out of date (scr.renders.render_is_current).")

    history = HistoricalRecords()
    history_fields = EVERY_FIELD  # its page shows every field to whoever may read it (scr.history)
    objects = UnscopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} render {self.pk} ({self.get_status_display()})"


class ReminderSent(models.Model):
    """The reminders ledger: at most one row per recipient, item, kind and period, so
    a reminder is sent once whatever retries or duplicate workers do. Claiming a
    reminder is inserting its row (``scr.reminders.claim``), or, for a batch, holding it
    under a lease until it is marked sent (``scr.reminders.claim_batch``): a row whose
    ``sent_at`` is empty is leased to the worker named by ``lease_token`` until
    ``lease_expires_at`` (empty: given up), and any worker may take it again after that."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    item = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(max_length=60)
    period = models.CharField(max_length=20, help_text="e.g. 2026-W48, 2026-11, 2026-Q4.")
    sent_at = models.DateTimeField(default=timezone.now, null=True, blank=True,
                                   help_text="Empty while a batch holds it under a lease.")
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    lease_token = models.CharField(max_length=32, blank=True)
    attempts = models.PositiveIntegerField(
        default=1, help_text="Claims made: more than one when a lease was given up or expired.")

    # The lease is the queue's bookkeeping (which worker holds the row, until when), as the
    # outbox's attempts are: history records the claim, each retake and the send.
    history = HistoricalRecords(excluded_fields=["lease_expires_at", "lease_token"])
    history_fields = EVERY_FIELD  # its page shows every field to whoever may read it (scr.history)
    objects = UnscopedQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [models.UniqueConstraint(
            fields=["recipient", "content_type", "object_id", "kind", "period"],
            name="scr_reminder_once_per_recipient_item_kind_period")]

    def __str__(self) -> str:
        return f"{self.kind} {self.period} to user {self.recipient_id}"


class OutboxMessage(models.Model):
    """A task a service queued, written in the service's own transaction (the transactional
    outbox, ``scr/outbox.py``): if the change commits, the task is on record even when the
    broker is down or the web process dies right after the commit; the relay sends it and
    marks it sent. Bookkeeping of the queue, not case data (no history: the row records
    when it was queued, each attempt and when it was sent)."""

    task = models.CharField(max_length=200, help_text="The Celery task's registered name.")
    args = models.JSONField(default=list, help_text="Ids and plain values only (JSON).")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    # The id of the request that queued it (scr.requestid), carried to the worker's logs.
    request_id = models.CharField(max_length=128, blank=True)

    objects = UnscopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["created_at"], name="scr_outbox_pending",
                                condition=models.Q(sent_at__isnull=True))]

    def __str__(self) -> str:
        return f"{self.task}{self.args} ({'sent' if self.sent_at else 'pending'})"


class NotificationQuerySet(models.QuerySet["Notification"]):
    def for_user(self, user: User, action: Action = "view") -> NotificationQuerySet:
        """A person reads (and marks read) only their own notifications."""
        if getattr(user, "is_authenticated", False) and action in ("view", "change"):
            return self.filter(recipient_id=user.pk)
        return self.none()

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """A hand-off announced to the person who must act next (scr/notifications.py): shown in
    their notifications list until read, and e-mailed once, at once or in the next daily
    digest as they chose. Its text is built by the producing service from references and
    fixed phrases only (never a name or typed text), so it may leave the service by e-mail.

    A message, not case data: no history table (what happened is in the producing record's
    history); reading it is bookkeeping. ``event`` names the occurrence (``comment-17``) so the
    same hand-off reaches a person once whatever a retry does (the unique constraint)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="notifications")
    kind = models.CharField(max_length=60)
    event = models.CharField(max_length=120)
    text = models.CharField(max_length=300)
    path = models.CharField(max_length=300, help_text="The page where the person acts.")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    item = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    delivery = models.CharField(max_length=10, help_text="immediate or digest, as chosen when "
                                                         "it was raised.")
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "kind", "event"],
                                               name="scr_notification_once_per_event")]
        indexes = [models.Index(fields=["recipient", "created_at"]),
                   models.Index(fields=["recipient"], name="scr_notification_unread",
                                condition=models.Q(read_at__isnull=True)),
                   models.Index(fields=["delivery"], name="scr_notification_undigested",
                                condition=models.Q(emailed_at__isnull=True))]

    def __str__(self) -> str:
        return f"{self.kind} to user {self.recipient_id}: {self.text}"


class NotificationPreferenceQuerySet(models.QuerySet["NotificationPreference"]):
    def for_user(self, user: User, action: Action = "view") -> NotificationPreferenceQuerySet:
        if getattr(user, "is_authenticated", False) and action in ("view", "change"):
            return self.filter(user_id=user.pk)
        return self.none()


class NotificationPreference(models.Model):
    """How one person wants one kind of notification e-mailed: at once, or in the daily
    digest. No row: the default (``NOTIFICATION_DEFAULT_DELIVERY``)."""

    class Delivery(models.TextChoices):
        IMMEDIATE = "immediate", "An e-mail at once"
        DIGEST = "digest", "In the daily digest"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notification_preferences")
    kind = models.CharField(max_length=60)
    delivery = models.CharField(max_length=10, choices=Delivery.choices)

    history = HistoricalRecords()
    history_fields = EVERY_FIELD  # its page shows every field to whoever may read it (scr.history)
    objects = NotificationPreferenceQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"],
                                               name="scr_notification_preference_once")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.delivery} for user {self.user_id}"
class Heartbeat(models.Model):
    """When a periodic process last proved it runs: the beat scheduler's ``scr.tasks.beat_heartbeat``
    (every ``BEAT_HEARTBEAT_SECONDS``) writes ``beat``; /healthz reads it. One row per name,
    overwritten: bookkeeping of the machinery, not case data (no history)."""

    name = models.CharField(max_length=60, unique=True)
    at = models.DateTimeField()

    objects = UnscopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M:%S}"


class TaskFailure(models.Model):
    """A background task that raised (Celery's ``task_failure`` signal, scr/metrics.py): which
    task, when, the exception's type and message, and the request that queued it. The
    Prometheus counter ``scr_celery_task_failures_total`` counts these rows, so the count is
    the same whichever server is scraped and survives restarts. Bookkeeping, not case data
    (no history); the message is cut to 500 characters and names ids, never case text."""

    task = models.CharField(max_length=200)
    task_id = models.CharField(max_length=64, blank=True)
    exception = models.CharField(max_length=500, blank=True)
    request_id = models.CharField(max_length=128, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = UnscopedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.task} failed at {self.at:%Y-%m-%d %H:%M:%S}"
