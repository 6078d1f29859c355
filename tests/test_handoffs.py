"""Every hand-off — each state change another person must act on — reaches that person: it is
on their home page (a task linking to the exact page where they act), it raises exactly one
notification for them, in the app and as exactly one e-mail, and that e-mail carries nothing
that identifies anyone.

The hand-offs are defined once, by the apps: the notification kinds they register
(``scr.notifications.KINDS``), and for every stage move, evidence move and action status
whether it is a hand-off (``TRANSITION_HANDOFFS``, ``EVIDENCE_HANDOFFS``, ``ACTION_HANDOFFS``).
A new kind without a scenario here fails, and so does a new move that nobody decided about.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from actionplans import services as plan_services
from actionplans.models import ActionStatus
from actionplans.services.handoffs import ACTION_HANDOFFS
from agencies.models import User
from reviews import services
from reviews.models import EVIDENCE_MOVES, Meeting, Stage
from reviews.services.handoffs import (
    EVIDENCE_HANDOFFS,
    NOT_A_HANDOFF,
    TRANSITION_HANDOFFS,
)
from reviews.workflow import TRANSITIONS
from scr.models import Notification
from scr.notifications import KINDS
from tests.actionplans.helpers import an_action, monitoring_review
from tests.conftest import Personas, client_for
from tests.reporting import ReportWorld, report_world, submitted
from tests.reviews.evidence.helpers import submit_imr

pytestmark = pytest.mark.django_db

T = TypeVar("T")
Run = Callable[[Callable[[], T]], T]


@dataclass
class Expected:
    """Who must act after the hand-off, and the page where they act."""

    people: list[User]
    path: str


def _world(p: Personas, stage: str = Stage.ANALYSIS) -> ReportWorld:
    return report_world(p, stage=stage)


def _due() -> Any:
    return timezone.localdate() + timedelta(days=10)


def _at_sign_off(w: ReportWorld) -> Any:
    submission = submitted(w)
    services.review_transition(by=w.p.manager, review=w.review, to=Stage.SIGN_OFF,
                               expected_from=Stage.REPORT)
    return submission


def _shared_version(w: ReportWorld) -> Any:
    services.report_start(by=w.p.reviewer, review=w.review)
    snapshot = services.snapshot_create(by=w.p.reviewer, review=w.review, name="Draft 1")
    return snapshot


# ---------------------------------------------------------------- one scenario per hand-off


def evidence_requested(p: Personas, run: Run) -> Expected:
    w = _world(p, Stage.EVIDENCE)
    request = run(lambda: services.evidence_request_create(
        by=p.manager, review=w.review, agency=p.health, due_on=_due(),
        description="Kayden Smith's GP records"))
    return Expected([p.health_lead], reverse("evidence_request", args=[request.pk]))


def evidence_returned(p: Personas, run: Run) -> Expected:
    w = _world(p, Stage.EVIDENCE)
    submit_imr(p, w.evidence)
    run(lambda: services.evidence_request_return(by=p.reviewer, request=w.evidence,
                                                 missing="Who supervised Kayden Smith's case?"))
    return Expected([p.police_lead], reverse("evidence_request", args=[w.evidence.pk]))


def evidence_answered(p: Personas, run: Run) -> Expected:
    w = _world(p, Stage.EVIDENCE)
    run(lambda: submit_imr(p, w.evidence))
    return Expected([p.manager, p.reviewer], reverse("evidence_request", args=[w.evidence.pk]))


def factual_answer(p: Personas, run: Run) -> Expected:
    w = _world(p, Stage.REPORT)
    snapshot = _shared_version(w)
    check = services.factual_check_send(by=p.manager, snapshot=snapshot, due_on=_due(),
                                        agency_sections={p.police: [snapshot.parts.first()]})[0]
    run(lambda: services.factual_check_answer(by=p.police_lead, request=check, expected_number=0,
                                              answer="corrections",
                                              corrections="Kayden Smith was seen on 3 May."))
    return Expected([p.manager, p.reviewer], reverse("evidence_request", args=[check.pk]))


def chronology_submitted(p: Personas, run: Run) -> Expected:
    w = _world(p, Stage.EVIDENCE)
    services.chronology_entry_add(
        by=p.police_lead, review=w.review, agency=p.police,
        occurred_on=timezone.localdate() - timedelta(days=60), source="Custody record 1",
        what_happened="Officers saw Kayden Smith at home.", practitioner_role="PC",
        child_seen=True)
    run(lambda: services.chronology_submit(by=p.police_lead, review=w.review, agency=p.police))
    return Expected([p.reviewer], reverse("review_chronology", args=[w.review.pk]))


def version_shared(p: Personas, run: Run) -> Expected:
    w = _world(p, Stage.REPORT)
    snapshot = _shared_version(w)
    run(lambda: services.snapshot_share(by=p.reviewer, snapshot=snapshot))
    return Expected([p.panel, w.la_rep, w.police_rep, w.health_rep],
                    reverse("snapshot", args=[snapshot.pk]))


def comment(p: Personas, run: Run) -> Expected:
    w = _world(p, Stage.REPORT)
    snapshot = _shared_version(w)
    services.snapshot_share(by=p.reviewer, snapshot=snapshot)
    run(lambda: services.comment_add(by=p.panel, part=snapshot.parts.first(),
                                     text="Kayden Smith's school is not mentioned."))
    return Expected([p.reviewer], reverse("snapshot", args=[snapshot.pk]))


def sign_off_submitted(p: Personas, run: Run) -> Expected:
    w = _world(p, Stage.REPORT)
    run(lambda: submitted(w))
    return Expected([p.manager], reverse("review", args=[w.review.pk]))


def sign_off_submitted_reaches_the_approvers(p: Personas, run: Run) -> Expected:
    w = _world(p, Stage.REPORT)
    submitted(w)
    run(lambda: services.review_transition(by=p.manager, review=w.review, to=Stage.SIGN_OFF,
                                           expected_from=Stage.REPORT))
    return Expected([p.reviewer, w.la_rep, w.police_rep, w.health_rep],
                    reverse("review_sign_off", args=[w.review.pk]))


def approval_given(p: Personas, run: Run) -> Expected:
    w = _world(p, Stage.REPORT)
    submission = _at_sign_off(w)
    run(lambda: services.approval_give(by=w.police_rep, submission=submission,
                                       approver_key="partner_police"))
    return Expected([p.manager], reverse("review_sign_off", args=[w.review.pk]))


def sign_off_returned(p: Personas, run: Run) -> Expected:
    w = _world(p, Stage.REPORT)
    _at_sign_off(w)
    run(lambda: services.review_transition(by=p.manager, review=w.review, to=Stage.REPORT,
                                           expected_from=Stage.SIGN_OFF,
                                           reason="The police chronology is missing."))
    return Expected([p.reviewer], reverse("review_report", args=[w.review.pk]))


def stage_moved(p: Personas, run: Run) -> Expected:
    w = _world(p, Stage.EVIDENCE)
    run(lambda: services.review_transition(by=p.manager, review=w.review, to=Stage.ANALYSIS,
                                           expected_from=Stage.EVIDENCE,
                                           reason="Enough evidence to start."))
    return Expected([p.reviewer], reverse("review", args=[w.review.pk]))


def panel_appointed(p: Personas, run: Run) -> Expected:
    today = timezone.localdate()
    review = services.review_create(
        by=p.manager, incident_date=today - timedelta(days=10), aware_date=today - timedelta(days=9),
        what_happened="Kayden Smith was injured.", harm="serious_harm", abuse_or_neglect="suspected",
        criteria_met=True, referring_agency=p.police, agencies_involved=[p.police])
    run(lambda: services.panel_appoint(by=p.manager, review=review, user=p.reviewer,
                                       panel_role="reviewer",
                                       independence_declaration="No connection."))
    return Expected([p.reviewer], reverse("review", args=[review.pk]))


def learning_event(p: Personas, run: Run) -> Expected:
    w = _world(p, Stage.EVIDENCE)
    meeting = services.meeting_record(by=p.manager, review=w.review,
                                      kind=Meeting.Kind.LEARNING_EVENT,
                                      held_on=timezone.localdate() - timedelta(days=1))
    run(lambda: services.meeting_attendee_add(by=p.manager, meeting=meeting, user=p.police_lead))
    return Expected([p.police_lead], reverse("learning_feedback_add", args=[meeting.pk]))


def briefing_sent(p: Personas, run: Run) -> Expected:
    from tests.publishing import arrange_clean_briefing

    briefing = arrange_clean_briefing(p)
    run(lambda: services.briefing_publish(by=p.manager, briefing=briefing,
                                          agencies=[p.police, p.health]))
    return Expected([p.police_lead, p.health_lead], reverse("briefing", args=[briefing.pk]))


def _complete(p: Personas, action: Any) -> Any:
    return plan_services.action_update_progress(
        by=p.police_lead, action=action, note="Done.", status=ActionStatus.COMPLETED,
        completed_on=timezone.localdate(), outcome="Police attended 39 of 40 meetings.")


def action_assigned(p: Personas, run: Run) -> Expected:
    rec = monitoring_review(p).recommendations.get()
    action = run(lambda: an_action(p, rec))
    return Expected([p.police_lead], reverse("action", args=[action.pk]))


def action_completed(p: Personas, run: Run) -> Expected:
    action = an_action(p, monitoring_review(p).recommendations.get())
    run(lambda: _complete(p, action))
    return Expected([p.manager], reverse("action", args=[action.pk]))


def action_returned(p: Personas, run: Run) -> Expected:
    action = _complete(p, an_action(p, monitoring_review(p).recommendations.get()))
    run(lambda: plan_services.action_return(by=p.manager, action=action,
                                            missing="The audit's figures"))
    return Expected([p.police_lead], reverse("action", args=[action.pk]))


def plan_ready(p: Personas, run: Run) -> Expected:
    review = monitoring_review(p)
    action = _complete(p, an_action(p, review.recommendations.get()))
    plan_services.impact_evidence_add(by=p.police_lead, action=action, title="Audit",
                                      upload=SimpleUploadedFile(
                                          "audit.txt", b"Audit of 40 strategy meetings.\n"))
    run(lambda: plan_services.action_verify(by=p.manager, action=action))
    return Expected([p.board], reverse("action_plan_sign_off", args=[review.pk]))


Scenario = Callable[[Personas, Run], Expected]
HANDOFFS: dict[str, list[Scenario]] = {
    "evidence_requested": [evidence_requested],
    "evidence_returned": [evidence_returned],
    "evidence_answered": [evidence_answered],
    "factual_answer": [factual_answer],
    "chronology_submitted": [chronology_submitted],
    "version_shared": [version_shared],
    "comment": [comment],
    "sign_off_submitted": [sign_off_submitted, sign_off_submitted_reaches_the_approvers],
    "approval_given": [approval_given],
    "sign_off_returned": [sign_off_returned],
    "stage_moved": [stage_moved],
    "panel_appointed": [panel_appointed],
    "learning_event": [learning_event],
    "briefing_sent": [briefing_sent],
    "action_assigned": [action_assigned],
    "action_completed": [action_completed],
    "action_returned": [action_returned],
    "plan_ready": [plan_ready],
}
CASES = [(kind, scenario) for kind, scenarios in HANDOFFS.items() for scenario in scenarios]


def test_every_kind_of_notification_has_a_hand_off_scenario_here() -> None:
    assert sorted(KINDS) == sorted(HANDOFFS)


def test_every_stage_move_evidence_move_and_action_status_is_decided() -> None:
    """A new move is either a hand-off (a registered kind) or says why it is none."""
    decisions = {**{str(k): v for k, v in TRANSITION_HANDOFFS.items()},
                 **EVIDENCE_HANDOFFS, **ACTION_HANDOFFS}
    assert set(TRANSITIONS) <= set(TRANSITION_HANDOFFS)
    assert {to for _, to in EVIDENCE_MOVES} <= set(EVIDENCE_HANDOFFS)
    assert set(ActionStatus.values) <= set(ACTION_HANDOFFS)
    for why in decisions.values():
        assert why.startswith(NOT_A_HANDOFF) or why.split(" ")[0] in KINDS, why


IDENTIFYING = ("Kayden", "Smith")


@pytest.mark.parametrize(("kind", "scenario"), CASES, ids=[s.__name__ for _, s in CASES])
def test_the_hand_off_is_on_the_right_home_pages_with_one_notification_and_one_email_each(
        personas: Personas, kind: str, scenario: Scenario,
        django_capture_on_commit_callbacks: Any) -> None:
    before: dict[str, int] = {}

    def run(step: Callable[[], T]) -> T:
        before["last"] = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            return step()

    expected = scenario(personas, run)
    made = list(Notification.objects.filter(pk__gt=before["last"], kind=kind))
    assert sorted(n.recipient_id for n in made) == sorted(u.pk for u in expected.people), (
        "each person who must act is notified exactly once, and nobody else")
    names = [*IDENTIFYING, *(u.get_full_name() for u in User.objects.all() if u.get_full_name())]
    for notification in made:
        assert notification.path.split("#")[0] == expected.path
        person = notification.recipient
        emails = [m for m in mail.outbox if m.to == [person.email]
                  and notification.text in m.subject]
        assert len(emails) == 1, f"one e-mail to {person} for this hand-off"
        message = emails[0]
        assert message.subject == f"{settings.REVIEW_VOCABULARY}: {notification.text}"
        for name in names:  # no identifiable data: not the case's people, not the staff
            assert name not in message.subject and name not in message.body, name
        home = client_for(person).get(reverse("home")).content.decode()
        assert f'href="{expected.path}"' in home, f"{kind} is on {person}'s home page"
        page = client_for(person).get(reverse("notifications")).content.decode()
        assert notification.text in page
