"""The review's timeline: one row per saved version of the review or any of its records, in
the order the History page reads them.

The History page used to merge the history tables of ~50 kinds of record (a ``UNION ALL``
of one scoped query each), count the union and page it with ``OFFSET``: the cost grew with
the history (144-185 ms for a busy review, seconds for 50,000 versions). This table is that
union kept ready: a row is appended, in the same transaction, whenever simple-history writes
a history row of the review or of a ``ReviewRecord`` (its ``post_create_historical_record``
signal; simple-history's bulk helpers send none: services call ``bulk_create_with_timeline``
and ``bulk_update_with_timeline`` instead). The page is then one indexed query, a page
at a time (``scr.keyset``).

What a reader may see is *not* copied here: each row names its kind and the history row,
and the page asks each kind's own ``history_in`` (the rule the record's history page and
the old merge use) whether that version is in the reader's scope, for the rows it walks
(``reviews.selectors.history``). So the visibility rule stays written once, and follows the
record as it changes (a draft chronology entry's versions reach the merged chronology's
readers when it is submitted) without rewriting this table.

Rows are never changed or deleted by the application. The table is an index, not the
record: ``verify_audit`` seals the history tables themselves, and this table can be rebuilt
from them (migration ``0023_review_history_timeline`` does it for the history before it).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import Max
from django.dispatch import receiver
from simple_history.signals import post_create_historical_record
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from agencies.models import Agency
from reviews.models.base import NoOneQuerySet, ReviewRecord
from reviews.models.lifecycle import Review

__all__ = ["TimelineRow", "bulk_create_with_timeline", "bulk_update_with_timeline",
           "timeline_kind"]


M = TypeVar("M", bound=models.Model)


def timeline_kind(model: type[models.Model]) -> str:
    """The kind of a tracked model as the timeline stores it: its ``app.model`` label."""
    return model._meta.label_lower


class TimelineRow(models.Model):
    """One saved version of a review or one of its records (an index of the history
    tables, newest first per review)."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="+",
                               db_index=False)
    history_date = models.DateTimeField()
    kind = models.CharField(max_length=100, help_text="The tracked model, app.model.")
    history_id = models.IntegerField(help_text="The row of the kind's history table.")
    record_id = models.IntegerField()
    history_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+", db_index=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", db_index=False,
                               help_text="The agency the record belongs to, if it never moves "
                                         "(ReviewRecord.HISTORY_AGENCY_FIELD).")

    # Read only through the History page's selector, which asks each kind's own scope.
    objects = NoOneQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["review", "-history_date", "-id"], name="timeline_review"),
            models.Index(fields=["review", "kind", "-history_date", "-id"],
                         name="timeline_review_kind"),
            models.Index(fields=["review", "history_user", "-history_date", "-id"],
                         name="timeline_review_person"),
            models.Index(fields=["review", "agency", "-history_date", "-id"],
                         name="timeline_review_agency"),
        ]
        constraints = [models.UniqueConstraint(fields=["kind", "history_id"],
                                               name="timeline_one_row_per_version")]

    def __str__(self) -> str:
        return f"{self.kind} version {self.history_id}"


def _through(model: type[models.Model], version: Any, path: str,
             memo: dict[Any, Any]) -> int | None:
    """The id at the end of ``path`` (``review``, ``request__agency``) from a version: its
    own column for one step; for more, a read of the record it passes through (an evidence
    request, a subject), once per such record (``memo``)."""
    steps = path.split("__")
    if len(steps) == 1:
        return getattr(version, f"{steps[0]}_id", None)
    first: Any = model._meta.get_field(steps[0])
    via = getattr(version, first.attname)
    if (path, via) not in memo:
        memo[path, via] = first.related_model._base_manager.filter(pk=via).values_list(
            "__".join(steps[1:]), flat=True).first()
    return memo[path, via]


def _review_id(model: type[models.Model], version: Any, memo: dict[Any, Any]) -> int | None:
    """The review a version belongs to, through the model's ``REVIEW_FIELD``."""
    if model is Review:
        return int(version.id)
    return _through(model, version, getattr(model, "REVIEW_FIELD", "review"), memo)


def _agency_id(model: type[models.Model], version: Any, memo: dict[Any, Any]) -> int | None:
    """The agency a version's record belongs to, if its model declares one that never
    changes (``ReviewRecord.HISTORY_AGENCY_FIELD``)."""
    path = getattr(model, "HISTORY_AGENCY_FIELD", None)
    return _through(model, version, path, memo) if path else None


def _indexed(model: type[models.Model]) -> bool:
    return model is Review or issubclass(model, ReviewRecord)


def _row(model: type[models.Model], version: Any, review_id: int,
         memo: dict[Any, Any]) -> TimelineRow:
    return TimelineRow(review_id=review_id, history_date=version.history_date,
                       kind=timeline_kind(model), history_id=version.history_id,
                       record_id=getattr(version, model._meta.pk.attname),
                       history_user_id=version.history_user_id,
                       agency_id=_agency_id(model, version, memo))


@receiver(post_create_historical_record, dispatch_uid="reviews.timeline")
def _append(sender: Any, history_instance: Any, using: str | None = None,
            **kwargs: Any) -> None:
    """Every history row of the review or its records gets its timeline row in the same
    transaction (simple-history saves the history row inside the record's save)."""
    model = sender.instance_type
    if not _indexed(model):
        return
    memo: dict[Any, Any] = {}
    review_id = _review_id(model, history_instance, memo)
    if review_id is not None:
        _row(model, history_instance, review_id, memo).save(using=using)


def _high_water(model: type[models.Model]) -> int:
    """The newest history row of ``model`` now: the bulk helpers index the rows above it."""
    history: Any = model.history  # type: ignore[attr-defined]  # simple-history's manager
    return history.aggregate(top=Max("history_id"))["top"] or 0


def _index_bulk(model: type[models.Model], records: Iterable[models.Model], *,
                       after: int) -> None:
    """Timeline rows for the history rows a bulk helper of simple-history just wrote for
    ``records`` (``bulk_create_with_history``/``bulk_update_with_history`` send no signal):
    those above ``after`` (``_high_water`` before the call). Two queries."""
    if not _indexed(model):
        return
    history: Any = model.history  # type: ignore[attr-defined]  # simple-history's manager
    pks = [record.pk for record in records]
    versions = list(history.filter(**{f"{model._meta.pk.attname}__in": pks},
                                   history_id__gt=after).order_by("history_id"))
    memo: dict[Any, Any] = {}
    rows = [_row(model, version, review_id, memo) for version in versions
            if (review_id := _review_id(model, version, memo)) is not None]
    TimelineRow.objects.bulk_create(rows, batch_size=1000)


def bulk_create_with_timeline(objs: list[M], model: type[M], **kwargs: Any) -> list[M]:
    """simple-history's ``bulk_create_with_history``, and the timeline rows of the history
    rows it wrote (it sends no signal), in the caller's transaction."""
    before = _high_water(model)
    created = bulk_create_with_history(objs, model, **kwargs)
    _index_bulk(model, created, after=before)
    return created


def bulk_update_with_timeline(objs: list[M], model: type[M], fields: list[str],
                              **kwargs: Any) -> int:
    """simple-history's ``bulk_update_with_history``, and the timeline rows of the history
    rows it wrote, in the caller's transaction."""
    before = _high_water(model)
    updated = bulk_update_with_history(objs, model, fields, **kwargs)
    _index_bulk(model, objs, after=before)
    return int(updated or 0)
