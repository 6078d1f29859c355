"""A tamper-evident audit: a keyed hash chain over the access log and every history table.

Each row of the access log (``scr.AccessEvent``) and of every simple-history table is
*sealed* by one ``AuditLink``: the row's own hash (SHA-256 of its values in a canonical
form) and a chain hash, HMAC-SHA256 over the previous link's chain hash, the table, the
row's id and the row hash. ``manage.py verify_audit`` walks the chain in order and reports
the first broken link: a row changed after it was sealed (its hash no longer matches), a
row deleted, or a link altered, removed or inserted (the chain no longer follows).

Why a separate link table, sealed after commit, instead of hash columns on each row:

- no lock in the request path: chaining at insert time would make every write of the
  service wait for one chain head (and risk deadlocks between transactions that write
  history rows of several tables in different orders). The sealer (Celery beat, every
  minute, ``scr.tasks.seal_audit_chain``; one at a time through an advisory lock) links
  committed rows in the order it finds them;
- every history table is covered, including those that other apps add later, with no
  schema change to any of them: the audited tables are discovered (``audited_models``).

The chain is keyed (``AUDIT_CHAIN_KEY``, by default derived from ``SECRET_KEY``): someone
who can write to the database but does not hold the key cannot recompute the chain after
altering a row. The window of exposure is the time before a row is sealed (a minute);
removing the newest links is detected by comparing the head ``verify_audit`` prints with
one recorded elsewhere (docs/audit.md). On PostgreSQL, ``TRUNCATE`` is refused on every
audited table and on the links, and ``UPDATE``/``DELETE`` on the links
(``install_protection``, run after every ``migrate``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from scr.models import AccessEvent, AuditLink

GENESIS = "0" * 64
# pg_try_advisory_xact_lock key: one sealer at a time ("scr-audit" as a number).
SEAL_LOCK = 0x5C12A0D17
NO_TRUNCATE_TRIGGER = "scr_audit_no_truncate"
LINKS_APPEND_ONLY_TRIGGER = "scr_auditlink_append_only"


def audited_models() -> list[type[models.Model]]:
    """The access log and every simple-history table, in a fixed order."""
    historical = [m for m in apps.get_models()
                  if hasattr(m, "instance_type") and hasattr(m, "history_id")]
    return [AccessEvent, *sorted(historical, key=lambda m: m._meta.label)]


def _key() -> bytes:
    configured = getattr(settings, "AUDIT_CHAIN_KEY", "")
    if configured:
        return configured.encode()
    return hashlib.sha256(f"scr-audit-chain:{settings.SECRET_KEY}".encode()).digest()


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (Decimal, UUID)):
        return str(value)
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    return value


def _columns(model: type[models.Model]) -> list[str]:
    return sorted(f.attname for f in model._meta.concrete_fields)


def row_hash(values: dict[str, Any]) -> str:
    """SHA-256 of a row's values in a canonical JSON form (sorted keys, UTC times)."""
    canonical = json.dumps({k: _plain(v) for k, v in values.items()}, sort_keys=True,
                           separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def chain_hash(previous: str, table: str, row_id: int, hashed: str) -> str:
    message = f"{previous}|{table}|{row_id}|{hashed}".encode()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def _unsealed(model: type[models.Model]) -> models.QuerySet[Any]:
    linked = AuditLink.objects.filter(table=model._meta.label, row_id=OuterRef("pk"))
    return model._base_manager.filter(~Exists(linked))


def seal() -> int:
    """Link every row not yet sealed; returns how many. One sealer at a time: a second one
    started meanwhile returns 0 at once (PostgreSQL advisory lock)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [SEAL_LOCK])
                if not cursor.fetchone()[0]:
                    return 0
        head = AuditLink.objects.order_by("-id").values_list("chain_hash", flat=True).first()
        previous = head or GENESIS
        sealed = 0
        for model in audited_models():
            table, pk = model._meta.label, model._meta.pk.attname
            links = []
            for values in _unsealed(model).order_by(pk).values(*_columns(model)).iterator(
                    chunk_size=2000):
                hashed = row_hash(values)
                previous = chain_hash(previous, table, values[pk], hashed)
                links.append(AuditLink(table=table, row_id=values[pk], row_hash=hashed,
                                       chain_hash=previous))
            AuditLink.objects.bulk_create(links, batch_size=1000)
            sealed += len(links)
        return sealed


@dataclass(frozen=True)
class Break:
    link_id: int
    table: str
    row_id: int
    problem: str

    def __str__(self) -> str:
        return f"link {self.link_id} ({self.table} row {self.row_id}): {self.problem}"


@dataclass(frozen=True)
class Verification:
    checked: int
    head: str
    first_break: Break | None
    pending: int  # rows not sealed yet (normal for a minute or so)
    unsealed: dict[str, int]  # table -> rows older than the allowed age still unsealed

    @property
    def ok(self) -> bool:
        return self.first_break is None and not self.unsealed


def _chunks(size: int = 2000) -> Iterator[list[AuditLink]]:
    last = 0
    while True:
        chunk = list(AuditLink.objects.filter(id__gt=last).order_by("id")[:size])
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk


def _rows(chunk: list[AuditLink]) -> dict[tuple[str, int], str]:
    """The current hash of every row the chunk's links point to (one query per table)."""
    by_table: dict[str, set[int]] = {}
    for link in chunk:
        by_table.setdefault(link.table, set()).add(link.row_id)
    hashes = {}
    for table, ids in by_table.items():
        try:
            model = apps.get_model(table)
        except LookupError:
            continue
        pk = model._meta.pk.attname
        for values in model._base_manager.filter(pk__in=ids).values(*_columns(model)):
            hashes[(table, values[pk])] = row_hash(values)
    return hashes


def verify(max_unsealed_age: timedelta | None = timedelta(hours=1)) -> Verification:
    """Walk the chain from the first link; stop at the first one that does not hold."""
    previous, checked = GENESIS, 0
    for chunk in _chunks():
        current = _rows(chunk)
        for link in chunk:
            expected = chain_hash(previous, link.table, link.row_id, link.row_hash)
            problem = None
            if not hmac.compare_digest(expected, link.chain_hash):
                problem = "the chain does not follow from the link before (a link was altered, " \
                          "removed or inserted)"
            elif (link.table, link.row_id) not in current:
                problem = "the row has been deleted"
            elif current[(link.table, link.row_id)] != link.row_hash:
                problem = "the row has been altered since it was sealed"
            if problem:
                return Verification(checked, previous, Break(link.pk, link.table, link.row_id,
                                                              problem), 0, {})
            previous = link.chain_hash
            checked += 1
    unsealed, pending = {}, 0
    for model in audited_models():
        pending += _unsealed(model).count()
        if max_unsealed_age is not None:
            cutoff = timezone.now() - max_unsealed_age
            old = _unsealed(model).filter(**{_time_field(model) + "__lt": cutoff}).count()
            if old:
                unsealed[model._meta.label] = old
    return Verification(checked, previous, None, pending, unsealed)


def _time_field(model: type[models.Model]) -> str:
    """When the row was written: the access event's time, the version's history date, or for
    a many-to-many history row (``_history_m2m_fields``) its version's."""
    names = {f.name for f in model._meta.concrete_fields}
    if model is AccessEvent:
        return "at"
    return "history_date" if "history_date" in names else "history__history_date"


# ---------------------------------------------------------------- database protection


def protected_tables() -> list[str]:
    return [m._meta.db_table for m in audited_models()] + [AuditLink._meta.db_table]


def install_protection(**_: Any) -> None:
    """PostgreSQL: refuse TRUNCATE on every audited table and the links, and UPDATE/DELETE on
    the links. Idempotent; connected to ``post_migrate`` so new history tables get it too."""
    if connection.vendor != "postgresql":
        return
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        cursor.execute("""
            CREATE OR REPLACE FUNCTION scr_audit_refuse() RETURNS trigger AS $$
            BEGIN
              RAISE EXCEPTION '% on % is refused: the audit is append-only', TG_OP, TG_TABLE_NAME;
            END;
            $$ LANGUAGE plpgsql""")
        for table in protected_tables():
            if table not in existing:
                continue
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"DROP TRIGGER IF EXISTS {NO_TRUNCATE_TRIGGER} ON {quoted}")
            cursor.execute(f"CREATE TRIGGER {NO_TRUNCATE_TRIGGER} BEFORE TRUNCATE ON {quoted} "
                           "FOR EACH STATEMENT EXECUTE FUNCTION scr_audit_refuse()")
        links = connection.ops.quote_name(AuditLink._meta.db_table)
        cursor.execute(f"DROP TRIGGER IF EXISTS {LINKS_APPEND_ONLY_TRIGGER} ON {links}")
        cursor.execute(f"CREATE TRIGGER {LINKS_APPEND_ONLY_TRIGGER} BEFORE UPDATE OR DELETE ON "
                       f"{links} FOR EACH ROW EXECUTE FUNCTION scr_audit_refuse()")
