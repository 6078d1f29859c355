"""Fixed personas (one per role) and the arrange helpers every test shares.

The ``personas`` fixture lives in the root ``conftest.py`` (so the apps' own tests can use it
too); it builds them with ``make_personas`` here.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from django.test import Client

from agencies.models import Agency, User
from agencies.models.roles import Role
from tests.factories import AgencyFactory, MembershipFactory, UserFactory

PASSWORD = "correct-horse-battery"


@dataclass
class Personas:
    police: Agency
    health: Agency
    education: Agency
    social_care: Agency
    manager: User
    reviewer: User
    panel: User
    police_lead: User
    health_lead: User
    board: User

    def by_role(self) -> dict[str, User]:
        return {
            "business_manager": self.manager,
            "reviewer": self.reviewer,
            "panel_member": self.panel,
            "police_lead": self.police_lead,
            "health_lead": self.health_lead,
            "board_member": self.board,
        }


def _person(username: str, role: str, agency: Agency | None) -> User:
    user = UserFactory(username=username)
    MembershipFactory(user=user, role=role, agency=agency)
    return user


def make_personas() -> Personas:
    police = AgencyFactory(name="Police", kind=Agency.Kind.POLICE)
    health = AgencyFactory(name="Health", kind=Agency.Kind.HEALTH)
    education = AgencyFactory(name="Education", kind=Agency.Kind.EDUCATION)
    social_care = AgencyFactory(name="Social care", kind=Agency.Kind.CHILDRENS_SOCIAL_CARE)
    return Personas(
        police=police, health=health, education=education, social_care=social_care,
        manager=_person("manager", Role.BUSINESS_MANAGER, None),
        reviewer=_person("reviewer", Role.REVIEWER, None),
        panel=_person("panel", Role.PANEL_MEMBER, education),
        police_lead=_person("police_lead", Role.AGENCY_LEAD, police),
        health_lead=_person("health_lead", Role.AGENCY_LEAD, health),
        board=_person("board", Role.BOARD_MEMBER, None),
    )


BACKEND = "agencies.services.account.DemoAwareModelBackend"


@dataclass(frozen=True)
class SignedIn:
    """A session made for a persona when the module's personas were built (``sign_in``)."""

    cookies: Any  # the client's SimpleCookie after signing in
    auth_hash: str  # the user's session hash then (a password change invalidates it)
    at: float  # time.time() then (the session's start and last-seen stamps)


def sign_in(personas: Personas) -> Personas:
    """Sign each persona in once, in the module's personas layer (tests/shared_db.py), so a
    test's ``client_for`` reuses that session instead of signing in again (25 queries and
    the sign-in's access events each time). The session rows live in the layer and are
    rolled back with it; each test still runs in its own transaction above them."""
    from scr import middleware

    for user in personas.by_role().values():
        client = Client()
        client.force_login(user, backend=BACKEND)
        user._signed_in = SignedIn(  # type: ignore[attr-defined]
            cookies=client.cookies, auth_hash=user.get_session_auth_hash(),
            at=middleware.time.time())
    return personas


def _reusable(user: User) -> SignedIn | None:
    """The persona's layer session, if a request now would still find it valid: made for
    the password the user has now, and younger than half the idle and absolute timeouts
    as the clock reads now (a test that moves the clock or shortens the timeouts signs in
    afresh, as before)."""
    from django.conf import settings

    from scr import middleware

    signed_in: SignedIn | None = getattr(user, "_signed_in", None)
    if signed_in is None or signed_in.auth_hash != user.get_session_auth_hash():
        return None
    limit = min(settings.SESSION_IDLE_TIMEOUT, settings.SESSION_ABSOLUTE_TIMEOUT) / 2
    now = middleware.time.time()  # the clock the session middleware reads (a test may move it)
    return signed_in if 0 <= now - signed_in.at < limit else None


def client_for(user: User | None) -> Client:
    """A test client signed in as ``user`` (anonymous for None)."""
    client = Client()
    if user is None:
        return client
    signed_in = _reusable(user)
    if signed_in is not None:
        client.cookies = copy.deepcopy(signed_in.cookies)
    else:
        client.force_login(user, backend=BACKEND)
    return client


def at_stage(review: Any, stage: str) -> Any:
    """Arrange only: place a review at a stage without walking the moves before it."""
    from reviews.models import Review

    Review.objects.filter(pk=review.pk).update(stage=stage)
    review.refresh_from_db()
    return review


def publish(review: Any, by: User, on: Any = None) -> Any:
    """Arrange a published review: at the Publication stage, report sent to the national
    Panel 7 working days before, then the publication date recorded through the service."""
    from django.utils import timezone

    from reviews import services
    from reviews.models import Stage
    from scr.workdays import subtract_working_days

    on = on or timezone.localdate()
    at_stage(review, Stage.PUBLICATION)
    services.report_and_publication_record(
        by=by, review=review, planned_publication_on=on,
        national_panel_sent_report_on=subtract_working_days(on, 7), published_on=on)
    return review
