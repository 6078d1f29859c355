"""Business managers invite people, give and end their roles; nobody else manages people."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlparse

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client
from django.urls import resolve
from django.utils import timezone

from agencies.models import Membership, User
from agencies.models.roles import Role
from reviews import services as review_services
from reviews.models import Review
from scr.figures import bump_generation
from tests.conftest import Personas, client_for

INVITE = "/people/invite/"


def invite_data(personas: Personas, **overrides: Any) -> dict[str, Any]:
    data = {"first_name": "Nia", "last_name": "Okafor", "email": "Nia.Okafor@example.invalid",
            "username": "nokafor", "job_title": "Designated nurse",
            "role": Role.AGENCY_LEAD, "agency": personas.health.pk}
    data.update(overrides)
    return data


def counts() -> tuple[int, int]:
    return User.objects.count(), Membership.objects.count()


def error_summary(response: Any) -> str:
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "There is a problem" in html
    return html


def link_in(message: mail.EmailMessage) -> str:
    found = re.search(r"(https?://\S+|/\S+/)", message.body)
    assert found, message.body
    return urlparse(found.group(1)).path


# ---------------------------------------------------------------- inviting


def test_business_manager_invites_a_person_who_gets_an_account_a_role_and_an_email(
        personas: Personas, django_capture_on_commit_callbacks: Any) -> None:
    client = client_for(personas.manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(INVITE, invite_data(personas))
    user = User.objects.get(username="nokafor")
    assert response.status_code == 302
    assert response.url == f"/people/{user.pk}/"
    assert (user.first_name, user.last_name, user.job_title) == ("Nia", "Okafor",
                                                                 "Designated nurse")
    assert user.email == "nia.okafor@example.invalid"
    assert user.is_active
    assert not user.has_usable_password()
    membership = Membership.objects.get(user=user)
    assert (membership.role, membership.agency) == (Role.AGENCY_LEAD, personas.health)
    assert membership.active_from == timezone.localdate()
    assert membership.active_to is None
    assert user.roles() == {Role.AGENCY_LEAD}

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nia.okafor@example.invalid"]
    assert "invited" in message.subject.lower()
    assert "Hello Nia" in message.body


def test_invitation_link_is_a_valid_set_password_link_for_the_new_account(
        personas: Personas, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client_for(personas.manager).post(INVITE, invite_data(personas))
    user = User.objects.get(username="nokafor")
    match = resolve(link_in(mail.outbox[0]))
    assert match.url_name == "password_reset_confirm"
    assert match.kwargs["uidb64"]
    assert default_token_generator.check_token(user, match.kwargs["token"])


def test_invited_person_sets_a_password_from_the_link_and_signs_in(
        personas: Personas, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client_for(personas.manager).post(INVITE, invite_data(personas))
    visitor = Client()
    form_page = visitor.get(link_in(mail.outbox[0]), follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"]
    new_password = "a-long-and-private-passphrase"
    done = visitor.post(form_page.redirect_chain[-1][0],
                        {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302
    assert User.objects.get(username="nokafor").check_password(new_password)
    signed_in = Client().post("/sign-in/", {"username": "nokafor", "password": new_password})
    assert signed_in.status_code == 302
    assert signed_in.url == "/"


def test_invitation_email_is_sent_only_once_the_invite_is_saved(
        personas: Personas, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client_for(personas.manager).post(INVITE, invite_data(personas))
    assert mail.outbox == []
    # One e-mail queued (besides the cache generation bump every tracked write queues).
    assert len([c for c in callbacks if c is not bump_generation]) == 1


def test_a_people_service_refuses_to_run_inside_another_transaction(personas: Personas) -> None:
    """Durable, as the review services: an invitation cannot be folded into a larger
    transaction that might still roll back after its e-mail was queued."""
    from django.db import transaction

    from agencies import services

    with transaction.atomic(), pytest.raises(RuntimeError, match="durable"):
        services.user_invite(by=personas.manager, username="nested", email="n@example.invalid",
                             first_name="Nested", last_name="Call", role=Role.BOARD_MEMBER,
                             agency=None)
    assert not User.objects.filter(username="nested").exists()


def test_partnership_role_can_be_invited_without_an_agency(
        personas: Personas, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(personas.manager).post(
            INVITE, invite_data(personas, role=Role.REVIEWER, agency=""))
    assert response.status_code == 302
    membership = Membership.objects.get(user__username="nokafor")
    assert (membership.role, membership.agency) == (Role.REVIEWER, None)


def test_invite_is_recorded_in_history_with_the_manager(
        personas: Personas, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client_for(personas.manager).post(INVITE, invite_data(personas))
    user = User.objects.get(username="nokafor")
    created = user.history.get(history_type="+")
    assert created.history_user == personas.manager
    assert created.history_change_reason == "Invited"


def test_empty_invite_form_lists_every_missing_answer_and_creates_nothing(
        personas: Personas, django_capture_on_commit_callbacks: Any) -> None:
    before = counts()
    with django_capture_on_commit_callbacks(execute=True):
        # What a browser sends for the untouched form: every text box, empty; no radio.
        response = client_for(personas.manager).post(INVITE, {
            "first_name": "", "last_name": "", "email": "", "username": "", "job_title": "",
            "agency": ""})
    html = error_summary(response)
    for message in ("Enter a first name", "Enter a last name", "Enter an email address",
                    "Enter a username", "Select a role"):
        assert message in html
    assert counts() == before
    assert mail.outbox == []


def test_agency_lead_without_an_agency_is_refused_and_typed_values_are_kept(
        personas: Personas, django_capture_on_commit_callbacks: Any) -> None:
    before = counts()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(personas.manager).post(
            INVITE, invite_data(personas, role=Role.AGENCY_LEAD, agency=""))
    html = error_summary(response)
    assert "Select the agency this person represents" in html
    for value in ("Nia", "Okafor", "Nia.Okafor@example.invalid", "nokafor", "Designated nurse"):
        assert f'value="{value}"' in html
    assert re.search(r'<input[^>]*value="agency_lead"[^>]*checked', html)
    assert counts() == before
    assert mail.outbox == []


@pytest.mark.parametrize("role", [Role.AGENCY_LEAD, Role.PANEL_MEMBER])
def test_roles_representing_an_agency_need_one(personas: Personas, role: str) -> None:
    before = counts()
    response = client_for(personas.manager).post(INVITE, invite_data(personas, role=role,
                                                                      agency=""))
    assert "Select the agency this person represents" in error_summary(response)
    assert counts() == before


@pytest.mark.parametrize("username", ["police_lead", "POLICE_LEAD"])
def test_taken_username_is_refused_whatever_its_case(
        personas: Personas, username: str, django_capture_on_commit_callbacks: Any) -> None:
    before = counts()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(personas.manager).post(
            INVITE, invite_data(personas, username=username))
    html = error_summary(response)
    assert "That username is already taken" in html
    assert f'value="{username}"' in html
    assert 'value="Nia"' in html
    assert counts() == before
    assert mail.outbox == []


def test_email_address_already_in_use_is_refused(personas: Personas) -> None:
    before = counts()
    response = client_for(personas.manager).post(
        INVITE, invite_data(personas, email=personas.health_lead.email.upper()))
    assert "Someone already has an account with this email address" in error_summary(response)
    assert counts() == before


@pytest.mark.parametrize(("field", "value", "message"), [
    ("email", "not-an-email", "Enter an email address in the correct format"),
    ("username", "has spaces", "Use only letters, digits and . @ + - _"),
])
def test_badly_formed_answers_are_refused(personas: Personas, field: str, value: str,
                                          message: str) -> None:
    before = counts()
    response = client_for(personas.manager).post(INVITE, invite_data(personas, **{field: value}))
    assert message in error_summary(response)
    assert counts() == before


def test_inactive_agencies_cannot_be_chosen_for_an_invite(personas: Personas) -> None:
    personas.police.is_active = False
    personas.police.save()
    before = counts()
    response = client_for(personas.manager).post(
        INVITE, invite_data(personas, agency=personas.police.pk))
    error_summary(response)
    assert counts() == before


# ---------------------------------------------------------------- roles: give, change, end


def role_data(**overrides: Any) -> dict[str, Any]:
    data = {"role": Role.BOARD_MEMBER, "agency": "", "active_from": "01/04/2025",
            "active_to": "", "reason": "Appointed to the board"}
    data.update(overrides)
    return data


def test_business_manager_gives_a_person_another_role(personas: Personas) -> None:
    lead = personas.police_lead
    response = client_for(personas.manager).post(f"/people/{lead.pk}/roles/add/", role_data(
        role=Role.REVIEWER, reason="Joined the reviewers' pool"))
    assert response.status_code == 302
    assert response.url == f"/people/{lead.pk}/"
    added = Membership.objects.get(user=lead, role=Role.REVIEWER)
    assert added.active_from.isoformat() == "2025-04-01"
    assert added.agency is None
    history = added.history.get()
    assert history.history_user == personas.manager
    assert history.history_change_reason == "Joined the reviewers' pool"
    assert User.objects.get(pk=lead.pk).roles() == {Role.AGENCY_LEAD, Role.REVIEWER}


def test_giving_a_role_that_represents_an_agency_without_one_is_refused(
        personas: Personas) -> None:
    lead = personas.police_lead
    before = counts()
    response = client_for(personas.manager).post(f"/people/{lead.pk}/roles/add/",
                                                  role_data(role=Role.PANEL_MEMBER))
    html = error_summary(response)
    assert "Select the agency this person represents" in html
    assert "Appointed to the board" in html
    assert counts() == before


def test_giving_a_role_that_ends_before_it_starts_is_refused(personas: Personas) -> None:
    before = counts()
    response = client_for(personas.manager).post(
        f"/people/{personas.police_lead.pk}/roles/add/",
        role_data(active_from="01/04/2025", active_to="01/03/2025"))
    assert "The end date must be on or after the start date" in error_summary(response)
    assert counts() == before


def test_giving_a_role_without_a_reason_is_refused(personas: Personas) -> None:
    before = counts()
    response = client_for(personas.manager).post(
        f"/people/{personas.police_lead.pk}/roles/add/", role_data(reason=""))
    assert "Enter the reason for this change" in error_summary(response)
    assert counts() == before


def test_business_manager_ends_a_role_with_a_reason(personas: Personas) -> None:
    membership = Membership.objects.get(user=personas.health_lead)
    today = timezone.localdate()
    response = client_for(personas.manager).post(
        f"/roles/{membership.pk}/end/",
        {"active_to": today.strftime("%d/%m/%Y"), "reason": "Moved to another trust"})
    assert response.status_code == 302
    assert response.url == f"/people/{personas.health_lead.pk}/"
    membership.refresh_from_db()
    assert membership.active_to == today
    history = membership.history.order_by("-history_date", "-history_id").first()
    assert history.history_user == personas.manager
    assert history.history_change_reason == "Moved to another trust"
    # Ended today: still in force until the end of the day.
    assert User.objects.get(pk=personas.health_lead.pk).roles() == {Role.AGENCY_LEAD}


def test_ending_a_role_yesterday_ends_the_access_it_gave_at_once(personas: Personas) -> None:
    lead = personas.police_lead
    today = timezone.localdate()
    review = review_services.review_create(
        by=personas.manager, incident_date=today - timedelta(days=3),
        aware_date=today - timedelta(days=2), what_happened="A child was seriously hurt.",
        harm=Review.Harm.SERIOUS_HARM, abuse_or_neglect=Review.AbuseNeglect.SUSPECTED,
        criteria_met=True, referring_agency=personas.police, agencies_involved=[])
    lead_client = client_for(lead)
    assert lead_client.get(f"/reviews/{review.pk}/").status_code == 200
    membership = Membership.objects.get(user=lead)
    client_for(personas.manager).post(
        f"/roles/{membership.pk}/end/",
        {"active_to": (today - timedelta(days=1)).strftime("%d/%m/%Y"), "reason": "Left"})
    assert lead_client.get(f"/reviews/{review.pk}/").status_code == 404
    assert User.objects.get(pk=lead.pk).roles() == set()


def test_ending_a_role_before_it_started_is_refused(personas: Personas) -> None:
    membership = Membership.objects.get(user=personas.health_lead)
    response = client_for(personas.manager).post(
        f"/roles/{membership.pk}/end/", {"active_to": "31/12/2019", "reason": "Typo"})
    assert "A role cannot end before it started" in error_summary(response)
    membership.refresh_from_db()
    assert membership.active_to is None


def test_a_role_ending_before_it_started_is_one_rule_of_the_membership_itself(
        personas: Personas) -> None:
    from django.core.exceptions import ValidationError

    from agencies import services

    membership = Membership.objects.get(user=personas.health_lead)
    early = membership.active_from - timedelta(days=1)
    with pytest.raises(ValidationError) as by_model:
        Membership(user=membership.user, role=membership.role, agency=membership.agency,
                   active_from=membership.active_from, active_to=early).full_clean()
    with pytest.raises(ValidationError) as by_service:
        services.membership_end(by=personas.manager, membership=membership, on=early,
                                reason="Typo")
    assert by_model.value.message_dict == by_service.value.message_dict == {
        "active_to": ["A role cannot end before it started."]}
    membership.refresh_from_db()
    assert membership.active_to is None


def test_changing_a_role_is_ending_the_old_one_and_giving_the_new_one(
        personas: Personas) -> None:
    lead = personas.health_lead
    manager = client_for(personas.manager)
    old = Membership.objects.get(user=lead)
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    manager.post(f"/roles/{old.pk}/end/", {"active_to": yesterday.strftime("%d/%m/%Y"),
                                          "reason": "Now on the panel"})
    manager.post(f"/people/{lead.pk}/roles/add/",
                 role_data(role=Role.PANEL_MEMBER, agency=personas.health.pk,
                           active_from=today.strftime("%d/%m/%Y"), reason="Now on the panel"))
    assert User.objects.get(pk=lead.pk).roles() == {Role.PANEL_MEMBER}
    page = manager.get(f"/people/{lead.pk}/").content.decode()
    assert "Agency lead" in page
    assert "Panel member" in page


# ---------------------------------------------------------------- changing details, deactivating


def test_business_manager_changes_a_persons_details_with_a_reason(personas: Personas) -> None:
    lead = personas.police_lead
    response = client_for(personas.manager).post(
        f"/people/{lead.pk}/edit/",
        {"first_name": "Pat", "last_name": "Renamed", "email": lead.email,
         "job_title": "Inspector", "reason": "Name changed"})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.first_name, lead.last_name, lead.job_title) == ("Pat", "Renamed", "Inspector")
    latest = lead.history.order_by("-history_date", "-history_id").first()
    assert latest.history_change_reason == "Name changed"
    assert latest.history_user == personas.manager


def test_business_manager_deactivates_a_person(personas: Personas) -> None:
    lead = personas.police_lead
    lead_client = client_for(lead)
    response = client_for(personas.manager).post(f"/people/{lead.pk}/deactivate/",
                                                 {"reason": "Left the police"})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert not lead.is_active
    assert lead_client.get("/").status_code == 302
    assert "Deactivated" in client_for(personas.manager).get(f"/people/{lead.pk}/").content.decode()


def test_business_manager_cannot_deactivate_themselves(personas: Personas) -> None:
    response = client_for(personas.manager).post(f"/people/{personas.manager.pk}/deactivate/",
                                                 {"reason": "Oops"})
    assert "You cannot deactivate your own account" in error_summary(response)
    personas.manager.refresh_from_db()
    assert personas.manager.is_active


def test_reactivating_a_person_sends_them_a_new_set_password_link(
        personas: Personas, django_capture_on_commit_callbacks: Any) -> None:
    lead = personas.police_lead
    manager = client_for(personas.manager)
    manager.post(f"/people/{lead.pk}/deactivate/", {"reason": "Left"})
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(f"/people/{lead.pk}/reactivate/", {"reason": "Came back"})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.is_active
    assert [m.to for m in mail.outbox] == [[lead.email]]


# ---------------------------------------------------------------- who may manage people


def test_business_manager_sees_everyone_on_the_people_page(personas: Personas) -> None:
    response = client_for(personas.manager).get("/people/")
    assert response.status_code == 200
    assert set(response.context["people"]) == set(User.objects.all())


NON_MANAGERS = ["reviewer", "panel_member", "police_lead", "health_lead", "board_member"]


@pytest.mark.parametrize("role", NON_MANAGERS)
@pytest.mark.parametrize("url", ["/people/", INVITE])
def test_non_managers_are_forbidden_the_people_pages(personas: Personas, role: str,
                                                     url: str) -> None:
    assert client_for(personas.by_role()[role]).get(url).status_code == 403


@pytest.mark.parametrize("role", NON_MANAGERS)
def test_non_managers_cannot_invite_by_posting_either(personas: Personas, role: str) -> None:
    before = counts()
    response = client_for(personas.by_role()[role]).post(INVITE, invite_data(personas))
    assert response.status_code == 403
    assert counts() == before


@pytest.mark.parametrize("role", NON_MANAGERS)
@pytest.mark.parametrize("suffix", ["", "edit/", "deactivate/", "reactivate/", "roles/add/"])
def test_non_managers_get_not_found_for_another_persons_pages(personas: Personas, role: str,
                                                              suffix: str) -> None:
    user = personas.by_role()[role]
    other = personas.manager
    assert client_for(user).get(f"/people/{other.pk}/{suffix}").status_code == 404


@pytest.mark.parametrize("role", NON_MANAGERS)
def test_non_managers_get_not_found_for_ending_another_persons_role(personas: Personas,
                                                                   role: str) -> None:
    membership = Membership.objects.get(user=personas.manager)
    response = client_for(personas.by_role()[role]).post(
        f"/roles/{membership.pk}/end/", {"active_to": "01/01/2024", "reason": "x"})
    assert response.status_code == 404
    membership.refresh_from_db()
    assert membership.active_to is None


def test_a_person_sees_their_own_page_without_management_buttons(personas: Personas) -> None:
    lead = personas.police_lead
    response = client_for(lead).get(f"/people/{lead.pk}/")
    assert response.status_code == 200
    assert response.context["can_manage"] is False
    html = response.content.decode()
    assert "Agency lead" in html
    assert f"/people/{lead.pk}/edit/" not in html
    assert "/end/" not in html


@pytest.mark.parametrize("suffix", ["edit/", "deactivate/", "roles/add/"])
def test_a_person_cannot_manage_their_own_account(personas: Personas, suffix: str) -> None:
    lead = personas.police_lead
    assert client_for(lead).get(f"/people/{lead.pk}/{suffix}").status_code == 403


def test_a_person_cannot_end_their_own_role(personas: Personas) -> None:
    membership = Membership.objects.get(user=personas.police_lead)
    response = client_for(personas.police_lead).post(
        f"/roles/{membership.pk}/end/", {"active_to": "01/01/2024", "reason": "x"})
    assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.active_to is None


def test_anonymous_visitors_are_sent_to_sign_in_from_people_pages(personas: Personas) -> None:
    for url in ("/people/", INVITE, f"/people/{personas.manager.pk}/"):
        response = Client().get(url)
        assert response.status_code == 302
        assert response.url.startswith("/sign-in/")

