"""A tamper-evident audit (issue 9, defect 5): TRUNCATE refused, a keyed hash chain over the
access log and every history table, and ``manage.py verify_audit`` naming the first broken
link after a row is deliberately altered."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from agencies import services
from agencies.models import Agency, User
from scr import auditchain
from scr.models import AccessEvent, AuditLink
from tests.conftest import Personas

pytestmark = pytest.mark.postgresql


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the audit's database protection is PostgreSQL's")


def verify_output() -> tuple[bool, str]:
    out = StringIO()
    try:
        call_command("verify_audit", stdout=out, stderr=out)
    except CommandError as error:
        return False, out.getvalue() + str(error)
    return True, out.getvalue()


def raw(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        if sql.startswith("ALTER TABLE"):
            # The test's own transaction holds deferred constraint checks: run them first.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(sql, params)


@pytest.fixture
def sealed(personas: Personas) -> Personas:
    services.agency_update(by=personas.manager, agency=personas.police, name="Police Service",
                           kind=personas.police.kind, is_active=True, reason="Renamed")
    AccessEvent.objects.create(username="manager", action=AccessEvent.Action.LOGIN,
                               ip_address="192.0.2.10")
    assert auditchain.seal() > 0
    return personas


@pytest.mark.parametrize("table", ["scr_accessevent", "agencies_historicalagency",
                                   "reviews_historicalreview", "scr_auditlink"])
def test_truncate_is_refused_on_the_audit_tables(db: None, table: str) -> None:
    with pytest.raises(DatabaseError, match="TRUNCATE"), transaction.atomic():
        raw(f"TRUNCATE {table} CASCADE", [])


def test_links_cannot_be_changed_or_deleted_in_the_database(sealed: Personas) -> None:
    link = AuditLink.objects.order_by("id").first()
    assert link is not None
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw("UPDATE scr_auditlink SET row_hash = %s WHERE id = %s", ["0" * 64, link.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw("DELETE FROM scr_auditlink WHERE id = %s", [link.pk])


def test_an_untouched_audit_verifies(sealed: Personas) -> None:
    ok, output = verify_output()
    assert ok, output
    assert f"{AuditLink.objects.count()} links verified" in output
    assert "head" in output


def test_sealing_twice_links_each_row_once(sealed: Personas) -> None:
    links = AuditLink.objects.count()
    assert auditchain.seal() == 0
    assert AuditLink.objects.count() == links


def test_every_history_table_and_the_access_log_are_sealed(sealed: Personas) -> None:
    tables = set(AuditLink.objects.values_list("table", flat=True))
    assert {"scr.AccessEvent", "agencies.HistoricalAgency", "agencies.HistoricalUser",
            "agencies.HistoricalMembership"} <= tables


def test_an_altered_history_row_is_the_first_broken_link(sealed: Personas) -> None:
    history = Agency.history.filter(id=sealed.police.pk).order_by("history_id").last()
    assert history is not None
    raw("UPDATE agencies_historicalagency SET history_change_reason = %s WHERE history_id = %s",
        ["Nothing to see here", history.history_id])
    ok, output = verify_output()
    assert not ok
    link = AuditLink.objects.get(table="agencies.HistoricalAgency", row_id=history.history_id)
    assert (f"link {link.pk} (agencies.HistoricalAgency row {history.history_id}): the row has "
            "been altered since it was sealed") in output


def test_a_deleted_history_row_breaks_the_chain(sealed: Personas) -> None:
    history = User.history.order_by("history_id").first()
    assert history is not None
    raw("DELETE FROM agencies_historicaluser WHERE history_id = %s", [history.history_id])
    ok, output = verify_output()
    assert not ok
    assert f"agencies.HistoricalUser row {history.history_id}): the row has been deleted" in output


def test_an_access_event_altered_with_its_trigger_lifted_is_caught(sealed: Personas) -> None:
    """Whoever owns the table can lift the trigger: the chain still tells."""
    event = AccessEvent.objects.order_by("id").first()
    assert event is not None
    raw("ALTER TABLE scr_accessevent DISABLE TRIGGER scr_accessevent_no_update_delete", [])
    raw("UPDATE scr_accessevent SET ip_address = %s WHERE id = %s", ["203.0.113.1", event.pk])
    raw("ALTER TABLE scr_accessevent ENABLE TRIGGER scr_accessevent_no_update_delete", [])
    ok, output = verify_output()
    assert not ok
    assert f"scr.AccessEvent row {event.pk}): the row has been altered" in output


def test_a_link_rewritten_without_the_key_breaks_the_chain(sealed: Personas) -> None:
    link = AuditLink.objects.order_by("id")[2]
    raw("ALTER TABLE scr_auditlink DISABLE TRIGGER scr_auditlink_append_only", [])
    raw("UPDATE scr_auditlink SET row_hash = %s WHERE id = %s", ["1" * 64, link.pk])
    raw("ALTER TABLE scr_auditlink ENABLE TRIGGER scr_auditlink_append_only", [])
    ok, output = verify_output()
    assert not ok
    assert f"link {link.pk} " in output
    assert "the chain does not follow" in output


def test_rows_left_unsealed_too_long_fail_the_check(sealed: Personas) -> None:
    AccessEvent.objects.create(username="late", action=AccessEvent.Action.LOGIN)
    out = StringIO()
    call_command("verify_audit", "--max-unsealed-minutes", "60", stdout=out)
    assert "1 row not sealed yet" in out.getvalue()
    with pytest.raises(CommandError, match="not sealed"):
        call_command("verify_audit", "--max-unsealed-minutes", "0", stdout=StringIO())
