"""Refused access is logged and alerts the business managers (issue 9, defect 3).

The pen test's probes of another agency's review left no trace; each now writes one
``refused`` access event (who, what, when, address, status), business managers filter the
access log by it, and a run of refusals e-mails them once per window.
"""

from __future__ import annotations

from typing import Any

from django.core import mail
from django.test import Client
from django.urls import reverse

from scr import refusals
from scr.models import AccessEvent, ReminderSent
from tests import test_permission_matrix as matrix
from tests.conftest import client_for
from tests.test_permission_matrix import World

PROBER_ADDRESS = "198.51.100.44"

world = matrix.world  # the permission matrix's reviews and people
# built once for the module (tests/shared_db.py); each test still in its own transaction
shared_world, case_world = matrix.shared_world, matrix.case_world


def probe(client: Client, world: World, times: int) -> None:
    for _ in range(times):
        assert client.get(reverse("review", args=[world.review_out.pk])).status_code == 404


def test_probing_another_agencys_review_leaves_one_refused_event_per_probe(world: World) -> None:
    lead = world.people.police_lead
    client = client_for(lead)
    client.defaults["REMOTE_ADDR"] = PROBER_ADDRESS
    probe(client, world, 3)
    response = client.get(reverse("review_decision", args=[world.review_in.pk]))
    assert response.status_code == 403
    events = list(AccessEvent.objects.filter(action=AccessEvent.Action.REFUSED, user=lead)
                  .order_by("id"))
    assert [e.status_code for e in events] == [404, 404, 404, 403]
    first = events[0]
    assert first.username == "police_lead"
    assert first.ip_address == PROBER_ADDRESS
    assert first.path == f"/reviews/{world.review_out.pk}/"
    assert first.review_id == world.review_out.pk
    assert first.object_type == "review"
    assert not AccessEvent.objects.filter(user=lead, action=AccessEvent.Action.VIEW,
                                          review_id=world.review_out.pk).exists()


def test_a_path_that_is_no_page_at_all_is_not_logged(world: World) -> None:
    client_for(world.people.police_lead).get("/wp-admin/setup.php")
    assert not AccessEvent.objects.filter(action=AccessEvent.Action.REFUSED,
                                          path="/wp-admin/setup.php").exists()


def test_business_managers_filter_the_access_log_by_refused_access(world: World) -> None:
    # Rows another process may have committed before this test (a live server's refusals
    # in a transactional test on the same worker) are not this test's.
    before = AccessEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    probe(client_for(world.people.police_lead), world, 2)
    client_for(world.people.health_lead).get(reverse("review", args=[world.review_out.pk]))
    response = client_for(world.people.manager).get(reverse("access_log"),
                                                    {"action": "refused"})
    assert response.status_code == 200
    rows = [e for e in response.context["page"] if e.pk > before]
    assert {e.action for e in response.context["page"]} == {"refused"}
    assert len(rows) == 2
    html = response.content.decode()
    assert "Not found (404)" in html
    assert "no-store" in response["Cache-Control"]
    export = client_for(world.people.manager).get(reverse("access_log_export"),
                                                  {"action": "refused"})
    assert "no-store" in export["Cache-Control"]
    csv = b"".join(export.streaming_content).decode()
    assert csv.splitlines()[0].endswith(",status")
    # The probes, not rows another process committed before the test (see above).
    assert csv.count(",police_lead,refused,") == 2


def test_more_refusals_than_the_limit_in_the_window_e_mail_the_business_managers_once(
    world: World, settings: Any, django_capture_on_commit_callbacks: Any,
) -> None:
    settings.REFUSED_ACCESS_ALERT_COUNT = 5
    settings.REFUSED_ACCESS_ALERT_MINUTES = 10
    manager = world.people.manager
    manager.email = "manager@partnership.example"
    manager.save()
    client = client_for(world.people.police_lead)
    with django_capture_on_commit_callbacks(execute=True):
        probe(client, world, 5)
    assert mail.outbox == []  # five is not more than five
    with django_capture_on_commit_callbacks(execute=True):
        probe(client, world, 3)
    alerts = [m for m in mail.outbox if "Security alert" in m.subject]
    assert [m.to for m in alerts] == [["manager@partnership.example"]]
    assert "police_lead" in alerts[0].body
    assert f"/reviews/{world.review_out.pk}/" in alerts[0].body
    assert ReminderSent.objects.filter(kind="refused-access-alert").count() == 1


def test_the_alert_counts_one_person_at_a_time(world: World, settings: Any) -> None:
    settings.REFUSED_ACCESS_ALERT_COUNT = 3
    probe(client_for(world.people.police_lead), world, 2)
    probe(client_for(world.people.reviewer), world, 2)
    last = AccessEvent.objects.filter(action=AccessEvent.Action.REFUSED).order_by("-id").first()
    assert last is not None
    assert refusals.refusals_in_window(last) == 2
    assert refusals.alert_if_probing(last.pk) == 0
