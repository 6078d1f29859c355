"""Sign-off that explains itself (issue 19, dead end 1): who must approve is a partnership
setting a business manager sees and changes in the app; the sign-off page names each approval
needed, who can give it, and links to appoint or designate them; an agency lead designated for
their partner approves without a panel seat."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from agencies.models import Membership
from reviews import services
from reviews.models import (
    PanelAppointment,
    SignOffApprover,
    SignOffDesignation,
    SignOffSubmission,
    Stage,
)
from reviews.selectors.report import approvers
from tests.conftest import Personas, at_stage, client_for
from tests.reporting import ReportWorld, report_world, submitted


def _without_police_on_the_panel(w: ReportWorld) -> None:
    seat = w.review.panel.get(user=w.police_rep, ended_on__isnull=True)
    services.panel_appointment_end(by=w.p.manager, appointment=seat, reason="Moved force")


def _page(user: object, w: ReportWorld) -> str:
    response = client_for(user).get(reverse("review_sign_off", args=[w.review.pk]))  # type: ignore[arg-type]
    assert response.status_code == 200
    return response.content.decode()


def test_the_sign_off_page_names_every_approver_and_who_can_give_it_before_anything_is_submitted(
        personas: Personas) -> None:
    w = report_world(personas, stage=Stage.REPORT)
    _without_police_on_the_panel(w)
    page = _page(personas.manager, w)
    assert "Who must approve" in page
    for label in ("Independent reviewer", "Business manager", "Police",
                  "Local authority (children&#x27;s social care)",
                  "Health (integrated care board)"):
        assert label in page
    assert str(w.la_rep) in page and str(w.health_rep) in page  # the partners' panel members
    assert "Nobody can give it yet: appoint a police panel member" in page
    assert reverse("review_appoint", args=[w.review.pk]) in page
    assert reverse("sign_off_designate", args=["partner_police"]) in page
    assert reverse("sign_off_approvers") in page


def test_a_designated_police_lead_approves_without_a_panel_seat(personas: Personas) -> None:
    w = report_world(personas, stage=Stage.REPORT)
    _without_police_on_the_panel(w)
    submission = submitted(w)
    at_stage(w.review, Stage.SIGN_OFF)
    lead = client_for(personas.police_lead)
    assert lead.get(reverse("review_sign_off", args=[w.review.pk])).status_code == 403

    designate = reverse("sign_off_designate", args=["partner_police"])
    form = client_for(personas.manager).get(designate).content.decode()
    assert str(personas.police_lead) in form and str(personas.health_lead) not in form
    done = client_for(personas.manager).post(designate, {"user": personas.police_lead.pk})
    assert done.status_code == 302

    page = _page(personas.police_lead, w)
    assert f"{personas.police_lead} (designated representative)" in page
    approve = reverse("approval_give", args=[submission.pk])
    assert approve in page
    assert lead.get(reverse("snapshot", args=[submission.snapshot_id])).status_code == 200
    assert not personas.police_lead.roles() & {"panel_member", "reviewer"}
    assert lead.post(approve, {"approver_key": "partner_police"}).status_code == 302
    assert submission.approvals.get(approver_key="partner_police").approved_by == personas.police_lead
    # A designation is for the partner it names: the police lead cannot approve for health.
    with pytest.raises(ValidationError, match="cannot give this approval"):
        services.approval_give(by=personas.police_lead, submission=submission,
                               approver_key="partner_health")


def test_a_designation_ends_with_the_designation_or_the_agency_lead_role(
        personas: Personas) -> None:
    w = report_world(personas, stage=Stage.REPORT)
    submission = submitted(w)
    at_stage(w.review, Stage.SIGN_OFF)
    designation = services.sign_off_designate(by=personas.manager, key="partner_police",
                                              user=personas.police_lead)
    services.sign_off_designation_end(by=personas.manager, designation=designation,
                                      reason="Handed over to the deputy")
    with pytest.raises(ValidationError, match="cannot give this approval"):
        services.approval_give(by=personas.police_lead, submission=submission,
                               approver_key="partner_police")
    services.sign_off_designate(by=personas.manager, key="partner_police",
                                user=personas.police_lead)
    Membership.objects.filter(user=personas.police_lead).update(
        active_to=Membership.objects.get(user=personas.police_lead).active_from)
    Membership.objects.filter(user=personas.police_lead).update(active_from="2000-01-01",
                                                                active_to="2000-01-02")
    personas.police_lead.refresh_from_db()
    with pytest.raises(ValidationError, match="cannot give this approval"):
        services.approval_give(by=personas.police_lead, submission=submission,
                               approver_key="partner_police")


def test_only_a_business_manager_designates_and_only_a_lead_of_the_partners_kind(
        personas: Personas) -> None:
    with pytest.raises(ValidationError, match="Only a business manager"):
        services.sign_off_designate(by=personas.reviewer, key="partner_police",
                                    user=personas.police_lead)
    with pytest.raises(ValidationError, match="agency lead of a police agency"):
        services.sign_off_designate(by=personas.manager, key="partner_police",
                                    user=personas.health_lead)
    with pytest.raises(ValidationError, match="current partner"):
        services.sign_off_designate(by=personas.manager, key="reviewer", user=personas.police_lead)
    services.sign_off_designate(by=personas.manager, key="partner_police",
                                user=personas.police_lead)
    with pytest.raises(ValidationError, match="already designated"):
        services.sign_off_designate(by=personas.manager, key="partner_police",
                                    user=personas.police_lead)
    assert SignOffDesignation.objects.count() == 1
    history = SignOffDesignation.history.get()
    assert history.history_user == personas.manager


def test_a_business_manager_changes_who_must_approve_in_the_app(personas: Personas) -> None:
    manager = client_for(personas.manager)
    page = manager.get(reverse("sign_off_approvers")).content.decode()
    assert "These are the partnership's defaults" in page and "Police" in page
    assert manager.post(reverse("sign_off_approver_add"),
                        {"agency_kind": "probation", "label": "Probation service"}).status_code == 302
    assert [a.key for a in approvers()] == [
        "reviewer", "business_manager", "partner_childrens_social_care", "partner_police",
        "partner_health", "partner_probation"]
    assert SignOffApprover.history.filter(history_change_reason="Approver added").exists()
    with pytest.raises(ValidationError, match="already speaks for this kind"):
        services.sign_off_approver_add(by=personas.manager, agency_kind="police", label="Police 2")
    with pytest.raises(ValidationError, match="Only a business manager"):
        services.sign_off_approver_add(by=personas.board, agency_kind="education", label="Schools")
    retire = manager.post(reverse("sign_off_approver_edit", args=["business_manager"]),
                          {"label": "Business manager", "retired": "on",
                           "reason": "The partners sign off, not the business manager"})
    assert retire.status_code == 302
    assert "business_manager" not in [a.key for a in approvers()]
    assert "Retired" in manager.get(reverse("sign_off_approvers")).content.decode()


def test_the_last_approver_cannot_be_retired(personas: Personas) -> None:
    for key in ("reviewer", "business_manager", "partner_childrens_social_care",
                "partner_police"):
        services.sign_off_approver_update(by=personas.manager, key=key, label=key, retired=True,
                                          reason="Fewer approvers")
    with pytest.raises(ValidationError, match="at least one approval"):
        services.sign_off_approver_update(by=personas.manager, key="partner_health",
                                          label="Health", retired=True, reason="None left")
    assert [a.key for a in approvers()] == ["partner_health"]


def test_retiring_the_one_approval_still_awaited_completes_the_sign_off(
        personas: Personas) -> None:
    w = report_world(personas, stage=Stage.REPORT)
    submission = submitted(w)
    at_stage(w.review, Stage.SIGN_OFF)
    for approver in approvers():
        if approver.key != "business_manager":
            services.approval_give(by=w.approver_for(approver.key), submission=submission,
                                   approver_key=approver.key)
    submission.refresh_from_db()
    assert submission.status == SignOffSubmission.Status.PENDING
    services.sign_off_approver_update(by=personas.manager, key="business_manager",
                                      label="Business manager", retired=True,
                                      reason="The partners sign off")
    submission.refresh_from_db()
    assert submission.status == SignOffSubmission.Status.APPROVED


def test_a_panel_chair_from_the_partner_still_approves_for_it(personas: Personas) -> None:
    w = report_world(personas, stage=Stage.REPORT)
    seat = w.review.panel.get(user=w.health_rep)
    assert seat.panel_role == PanelAppointment.PanelRole.MEMBER
    submission = submitted(w)
    at_stage(w.review, Stage.SIGN_OFF)
    services.approval_give(by=w.health_rep, submission=submission, approver_key="partner_health")
    assert submission.approvals.filter(approver_key="partner_health").exists()
