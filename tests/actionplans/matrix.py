"""The permission matrix's rules for every action-plan URL (tests/test_permission_matrix.py
merges them into ``RULES``), with the records they are checked on.

The plan is on a published review at Monitoring that police and social care are involved in;
its action is led by police and owned by the police lead. So: the business manager manages
it; the police lead sees and updates it (manager-only pages are a 403 for them); the health
lead, and the reviewer and panel member (appointed to another review), are out of scope
(404); the board sees counts only (404 on the plan's pages, 200 on its own).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from actionplans import services
from actionplans.models import Action, ImpactEvidence, Measurement, Milestone, ReminderPause
from scr.history import save_with_history
from scr.models import RenderRecord
from scr.reminders import claim_row
from tests.actionplans.helpers import an_action, monitoring_review

ROLES = ("anonymous", "manager", "reviewer", "panel", "police_lead", "health_lead", "board")


def expect(**statuses: int) -> dict[str, int]:
    return {"anonymous": 302, **statuses}


@dataclass
class PlanWorld:
    action: Action
    milestone: Milestone
    evidence: ImpactEvidence
    render: RenderRecord
    digest_id: int
    pause: ReminderPause
    measurement: Measurement


def plan_world(w: Any) -> PlanWorld:
    """Built once per test, the first time a rule asks for it."""
    if getattr(w, "_plan_world", None) is None:
        p = w.people
        review = monitoring_review(p)
        action = an_action(p, review.recommendations.get())
        milestone = services.milestone_add(by=p.police_lead, action=action, description="Course",
                                           due_on=action.target_date)
        evidence = services.impact_evidence_add(
            by=p.police_lead, action=action, title="Audit",
            upload=SimpleUploadedFile("audit.txt", b"Audit of strategy meetings\n"))
        pdf = b"%PDF-1.4\n"
        render = RenderRecord(content_type=ContentType.objects.get_for_model(action.plan),
                              object_id=action.plan.pk, kind="actionplans.plan",
                              status=RenderRecord.Status.DONE, created_by=p.manager,
                              size=len(pdf), sha256=hashlib.sha256(pdf).hexdigest())
        render.file.save("plan.pdf", ContentFile(pdf), save=False)
        render.save()
        ledger = claim_row(p.police_lead, p.police_lead, "daily_digest", "2026-12-02")
        assert ledger is not None
        digest = save_with_history(services.digest_record(
            ledger_id=ledger.pk, user=p.police_lead, day=timezone.localdate(), items=[]),
            by=None, reason="Daily digest sent")
        pause = services.reminder_pause(by=p.manager, user=p.police_lead,
                                        starts_on=timezone.localdate(), ends_on=None,
                                        reason="On leave")
        measurement = services.measurement_record(
            by=p.police_lead, action=action, value=Decimal(40), source="Audit",
            measured_on=timezone.localdate(), is_baseline=True, improves_when="higher")
        w._plan_world = PlanWorld(action, milestone, evidence, render, digest.pk, pause,
                                  measurement)
    return w._plan_world  # type: ignore[no-any-return]


def plan(w: Any) -> dict[str, Any]:
    return {"pk": plan_world(w).action.review_id}


def action(w: Any) -> dict[str, Any]:
    return {"pk": plan_world(w).action.pk}


# Who reaches what on the plan's review (see the module docstring).
PLAN_READ = expect(manager=200, reviewer=404, panel=404, police_lead=200, health_lead=404,
                   board=404)
PLAN_MANAGE = expect(manager=200, reviewer=404, panel=404, police_lead=403, health_lead=404,
                     board=404)
ALL_SIGNED_IN = expect(manager=200, reviewer=200, panel=200, police_lead=200, health_lead=200,
                       board=200)
BOARD_AND_MANAGER = expect(manager=200, reviewer=403, panel=403, police_lead=403,
                           health_lead=403, board=200)
MANAGER_ONLY = expect(manager=200, reviewer=403, panel=403, police_lead=403, health_lead=403,
                      board=403)


def rules(case: Any) -> dict[str, list[Any]]:
    """``case`` is the matrix's ``Case`` class."""
    return {
        "action_plan": [case(plan, PLAN_READ)],
        "monitoring_review_add": [case(plan, PLAN_MANAGE)],
        # Only the board signs off: 403 for those who see the plan, 404 for everyone else
        # (and for every role on a review id that does not exist).
        "action_plan_sign_off": [case(plan, expect(manager=403, reviewer=404, panel=404,
                                                   police_lead=403, health_lead=404, board=200)),
                                 case(lambda w: {"pk": 987654}, expect(
                                     manager=404, reviewer=404, panel=404, police_lead=404,
                                     health_lead=404, board=404))],
        # The board's anonymised read of the plan it signs off (business managers check it).
        "action_plan_board": [case(plan, expect(manager=200, reviewer=404, panel=404,
                                                police_lead=403, health_lead=404, board=200))],
        "action_plan_export_csv": [case(plan, PLAN_READ)],
        "action_plan_export_xlsx": [case(plan, PLAN_READ)],
        "action_plan_pdf": [case(plan, PLAN_MANAGE)],
        "action_plan_pdf_download": [case(lambda w: {"pk": plan_world(w).render.pk},
                                          PLAN_MANAGE)],
        "action_plan_import": [case(plan, PLAN_MANAGE)],
        # The review is involved police's and published (the board reads it): 403 for them.
        "reminders_review": [case(plan, expect(manager=200, reviewer=404, panel=404,
                                               police_lead=403, health_lead=404, board=403))],
        # A recommendation of a published review: those who read it with identities may not
        # add actions (403); the board never reads recommendations' records (404).
        "action_add": [case(lambda w: {"pk": plan_world(w).action.recommendation_id},
                            expect(manager=200, reviewer=404, panel=404, police_lead=403,
                                   health_lead=404, board=404))],
        "actions_mine": [case(expected=ALL_SIGNED_IN)],
        "action": [case(action, PLAN_READ)],
        **{name: [case(action, PLAN_READ)] for name in (
            "action_progress", "milestone_add", "action_target_date", "action_evidence_add",
            "baseline_add", "measurement_add")},
        # An action's measurement: recorded and withdrawn by its agency's leads or a manager.
        "measurement_withdraw": [case(lambda w: {"pk": plan_world(w).measurement.pk},
                                      PLAN_READ)],
        # The records behind a figure of a period: references only, for the board and managers.
        "figure_list": [case(lambda w: {"key": "published"}, BOARD_AND_MANAGER),
                        case(lambda w: {"key": "no-such-figure"}, expect(
                            manager=404, reviewer=403, panel=403, police_lead=403,
                            health_lead=403, board=404))],
        **{name: [case(action, PLAN_MANAGE)] for name in (
            "action_verify", "action_return", "action_close")},
        "milestone_done": [case(lambda w: {"pk": plan_world(w).milestone.pk}, PLAN_READ)],
        "impact_evidence_download": [case(lambda w: {"pk": plan_world(w).evidence.pk},
                                          PLAN_READ)],
        "board_actions": [case(expected=expect(manager=200, reviewer=403, panel=403,
                                               police_lead=403, health_lead=403, board=200))],
        "reminders_mine": [case(expected=ALL_SIGNED_IN)],
        "digest": [case(lambda w: {"pk": plan_world(w).digest_id},
                        expect(manager=200, reviewer=404, panel=404, police_lead=200,
                               health_lead=404, board=404))],
        "reminder_pause_add": [case(lambda w: {"pk": w.people.police_lead.pk},
                                    expect(manager=200, reviewer=404, panel=404, police_lead=403,
                                           health_lead=404, board=404))],
        "reminder_pause_end": [case(lambda w: {"pk": plan_world(w).pause.pk},
                                    expect(manager=200, reviewer=404, panel=404, police_lead=403,
                                           health_lead=404, board=404))],
        "reminders_agency": [case(lambda w: {"pk": w.people.police.pk}, MANAGER_ONLY)],
        "agency_senior_lead": [case(lambda w: {"pk": w.people.police.pk}, MANAGER_ONLY)],
    }


# Pages about people, not a review's records (tests/test_record_pages.py leaves them out).
PEOPLE_PAGES = {"reminder_pause_add", "reminder_pause_end"}
# Pages that show a review's records: checked for one access event and no-store per 200.
RECORD_PAGES = ("action_plan", "action_plan_board", "monitoring_review_add", "action_plan_export_csv",
                "action_plan_export_xlsx", "action_plan_pdf", "action_plan_pdf_download",
                "action_plan_import", "reminders_review", "action_add", "action",
                "action_progress", "milestone_add", "action_target_date", "action_evidence_add",
                "action_verify", "action_return", "action_close", "milestone_done",
                "baseline_add", "measurement_add", "measurement_withdraw",
                "impact_evidence_download", "digest")
