"""Demo people and agencies (seed_demo). Demo accounts sign in only in DEBUG/DEMO_MODE."""

from __future__ import annotations

from dataclasses import dataclass

from agencies.models import Agency, Membership, User
from agencies.models.roles import Role
from agencies.services import agency_create, membership_create
from scr.history import save_with_history

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - published in the README on purpose

DEMO_AGENCIES: tuple[tuple[str, str], ...] = (
    ("Northshire Children's Social Care", Agency.Kind.CHILDRENS_SOCIAL_CARE),
    ("Northshire Police", Agency.Kind.POLICE),
    ("Northshire Integrated Care Board", Agency.Kind.HEALTH),
    ("Northshire Education Services", Agency.Kind.EDUCATION),
    ("Probation Service (Northshire)", Agency.Kind.PROBATION),
)


@dataclass(frozen=True)
class DemoPerson:
    username: str
    first_name: str
    last_name: str
    role: str
    agency: str | None


DEMO_PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson("manager", "Morgan", "Bennett", Role.BUSINESS_MANAGER, None),
    DemoPerson("reviewer", "Riley", "Okafor", Role.REVIEWER, None),
    DemoPerson("panel", "Pat", "Lindqvist", Role.PANEL_MEMBER, "Northshire Education Services"),
    DemoPerson("police", "Jordan", "Price", Role.AGENCY_LEAD, "Northshire Police"),
    DemoPerson("health", "Sam", "Ahmed", Role.AGENCY_LEAD, "Northshire Integrated Care Board"),
    DemoPerson("board", "Alex", "Carter", Role.BOARD_MEMBER, None),
)


def seed_people() -> dict[str, User]:
    """Create (or leave as they are) the demo agencies and people. Idempotent."""
    agencies = {}
    for name, kind in DEMO_AGENCIES:
        agency = Agency.objects.filter(name=name).first()
        agencies[name] = agency or agency_create(by=None, name=name, kind=kind,
                                                 reason="Demo data")
    people = {}
    for person in DEMO_PEOPLE:
        user = User.objects.filter(username=person.username).first()
        if user is None:
            user = User(username=person.username, first_name=person.first_name,
                        last_name=person.last_name, email=f"{person.username}@demo.invalid",
                        is_demo=True)
            user.set_password(DEMO_PASSWORD)
            save_with_history(user, by=None, reason="Demo data")
        agency = agencies[person.agency] if person.agency else None
        if not Membership.objects.filter(user=user, role=person.role, agency=agency).exists():
            membership_create(by=None, user=user, role=person.role, agency=agency,
                              reason="Demo data")
        people[person.username] = user
    return people
