"""Scope rules settled by issue 9: board members never see identifiable data whatever else
they hold; a panel member who leaves the agency they represent, and the leads of a
deactivated agency, lose access at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from agencies import services as people
from agencies.models import Membership
from agencies.models.roles import Role
from reviews.models import Review
from reviews.models.scope import can_see_identities
from tests import test_permission_matrix as matrix
from tests.conftest import client_for
from tests.factories import MembershipFactory
from tests.test_permission_matrix import World

world = matrix.world  # the permission matrix's reviews and people
# built once for the module (tests/shared_db.py); each test still in its own transaction
shared_world, case_world = matrix.shared_world, matrix.case_world


def test_a_business_manager_who_also_sits_on_the_board_sees_no_real_names(world: World) -> None:
    """The rule: board work and identifiable work are separate accounts. An account that
    holds both (made before this rule) acts as a board member only."""
    manager = world.people.manager
    MembershipFactory(user=manager, role=Role.BOARD_MEMBER, agency=None)
    manager = type(manager).objects.get(pk=manager.pk)
    assert not Review.objects.for_user(manager, "view_identifiable").exists()
    assert not can_see_identities(manager, world.review_published)
    client = client_for(manager)
    page = client.get(reverse("review", args=[world.review_published.pk]))
    assert page.status_code == 200
    assert "Kayden" not in page.content.decode()
    assert client.get(reverse("review_history", args=[world.review_published.pk])
                      ).status_code == 403
    assert client.get(reverse("review", args=[world.review_in.pk])).status_code == 404


def test_giving_a_board_role_to_someone_who_sees_real_names_is_refused(world: World) -> None:
    with pytest.raises(ValidationError, match="separate account"):
        people.membership_create(by=world.people.manager, user=world.people.police_lead,
                                 role=Role.BOARD_MEMBER, agency=None, reason="Board")


def test_giving_an_identifiable_role_to_a_board_member_is_refused(world: World) -> None:
    with pytest.raises(ValidationError, match="separate account"):
        people.membership_create(by=world.people.manager, user=world.people.board,
                                 role=Role.AGENCY_LEAD, agency=world.people.police,
                                 reason="Also the police lead")


def test_a_board_role_after_another_role_ended_is_allowed(world: World) -> None:
    lead = world.people.health_lead
    membership = Membership.objects.get(user=lead)
    people.membership_end(by=world.people.manager, membership=membership, reason="Retired",
                          on=timezone.localdate())
    tomorrow = timezone.localdate() + timedelta(days=1)
    people.membership_create(by=world.people.manager, user=lead, role=Role.BOARD_MEMBER,
                             agency=None, active_from=tomorrow, reason="Joined the board")


def test_a_panel_member_who_leaves_the_agency_they_represent_loses_access(world: World) -> None:
    panel = world.people.panel  # represents education on review_in's panel
    url = reverse("review", args=[world.review_in.pk])
    assert client_for(panel).get(url).status_code == 200
    # They move to the police: a panel role for another agency; the education one ended
    # yesterday (arranged directly: services cannot end a role before it started).
    MembershipFactory(user=panel, role=Role.PANEL_MEMBER, agency=world.people.police)
    yesterday = timezone.localdate() - timedelta(days=1)
    Membership.objects.filter(user=panel, agency=world.people.education).update(
        active_from=yesterday - timedelta(days=30), active_to=yesterday)
    panel = type(panel).objects.get(pk=panel.pk)
    assert client_for(panel).get(url).status_code == 404
    assert not Review.objects.for_user(panel, "view_identifiable").filter(
        pk=world.review_in.pk).exists()


def test_deactivating_an_agency_ends_its_leads_access(world: World) -> None:
    lead = world.people.police_lead
    url = reverse("review", args=[world.review_in.pk])
    assert client_for(lead).get(url).status_code == 200
    police = world.people.police
    people.agency_update(by=world.people.manager, agency=police, name=police.name,
                         kind=police.kind, is_active=False, reason="Merged into another force")
    assert client_for(lead).get(url).status_code == 404
    # A person's roles are read once per request (issue 7): a fresh request, a fresh read.
    lead = type(lead).objects.get(pk=lead.pk)
    assert not Review.objects.for_user(lead, "view").filter(pk=world.review_in.pk).exists()


def test_deactivating_the_agency_a_panel_member_represents_ends_their_access(
    world: World,
) -> None:
    education = world.people.education
    people.agency_update(by=world.people.manager, agency=education, name=education.name,
                         kind=education.kind, is_active=False, reason="Closed")
    assert client_for(world.people.panel).get(
        reverse("review", args=[world.review_in.pk])).status_code == 404
