"""Every URL of the project, for every role, in and out of scope.

The URL patterns are discovered from the resolver: a new view without a rule
here makes ``test_every_url_pattern_has_a_rule`` fail. Expectations: anonymous
visitors are sent to sign in; an object outside the user's scope is a 404 (no
existence leak); in scope but not allowed is a 403; allowed is a 200.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from agencies.models import Membership
from reviews import services
from reviews.models import ClockKind, PanelAppointment, Review

from .actionplans import matrix as action_plan_matrix
from .conftest import Personas, client_for, publish

ROLES = ("anonymous", "manager", "reviewer", "panel", "police_lead", "health_lead", "board")
ADMIN_NAMESPACE = "admin"  # Django's admin: staff only, checked by its own test below.


@dataclass
class World:
    people: Personas
    review_in: Review  # police and social care involved; reviewer and panel appointed
    review_out: Review  # health involved only; nobody appointed
    review_published: Review  # health involved; published: the board may read it

    def user(self, role: str) -> Any:
        return None if role == "anonymous" else getattr(self.people, role)


def _review(people: Personas, involved: list, *, published: bool = False) -> Review:
    today = timezone.localdate()
    review = services.review_create(
        by=people.manager, incident_date=today - timedelta(days=20),
        aware_date=today - timedelta(days=19), what_happened="Kayden Smith was injured.",
        harm=Review.Harm.SERIOUS_HARM, abuse_or_neglect=Review.AbuseNeglect.SUSPECTED,
        criteria_met=True, referring_agency=involved[0], agencies_involved=involved)
    services.subject_add(by=people.manager, review=review, kind="child", pseudonym="Child A",
                         full_name="Kayden Smith")
    if published:
        publish(review, people.manager)
    return review


@pytest.fixture
def world(personas: Personas) -> World:
    p = personas
    review_in = _review(p, [p.police, p.social_care])
    services.panel_appoint(by=p.manager, review=review_in, user=p.reviewer,
                           panel_role=PanelAppointment.PanelRole.REVIEWER,
                           independence_declaration="Independent.")
    services.panel_appoint(by=p.manager, review=review_in, user=p.panel,
                           panel_role=PanelAppointment.PanelRole.MEMBER, agency=p.education)
    today = timezone.localdate()
    process = services.parallel_process_open(by=p.manager, review=review_in, kind="inquest",
                                             opened_on=today,
                                             pause_clocks=[ClockKind.RAPID_REVIEW])
    assert process.pauses.exists()
    services.evidence_request_create(by=p.manager, review=review_in, agency=p.police,
                                     due_on=today + timedelta(days=5),
                                     description="IMR and chronology")
    review_out = _review(p, [p.health])
    review_published = _review(p, [p.health], published=True)
    return World(p, review_in, review_out, review_published)


def expect(**statuses: int) -> dict[str, int]:
    """Anonymous always goes to sign in; list every other role explicitly."""
    return {"anonymous": 302, **statuses}


# Expectations shared by many pages.
ALL_SIGNED_IN = expect(manager=200, reviewer=200, panel=200, police_lead=200, health_lead=200,
                       board=200)
MANAGER_ONLY_PAGE = expect(manager=200, reviewer=403, panel=403, police_lead=403,
                           health_lead=403, board=403)
BOARD_PAGE = expect(manager=200, reviewer=403, panel=403, police_lead=403, health_lead=403,
                    board=200)
# A management page about review_in: its team sees it (403), others do not (404).
MANAGE_REVIEW_IN = expect(manager=200, reviewer=403, panel=403, police_lead=403,
                          health_lead=404, board=404)
# The same about review_out: only health is involved.
MANAGE_REVIEW_OUT = expect(manager=200, reviewer=404, panel=404, police_lead=404,
                           health_lead=403, board=404)
READ_REVIEW_IN = expect(manager=200, reviewer=200, panel=200, police_lead=200, health_lead=404,
                        board=404)
READ_REVIEW_OUT = expect(manager=200, reviewer=404, panel=404, police_lead=404, health_lead=200,
                         board=404)
PUBLIC = dict.fromkeys(ROLES, 200)


@dataclass
class Case:
    kwargs: Callable[[World], dict[str, Any]] = lambda w: {}
    expected: dict[str, int] = field(default_factory=dict)
    query: str = ""


def review_in(w: World) -> dict[str, Any]:
    return {"pk": w.review_in.pk}


def review_out(w: World) -> dict[str, Any]:
    return {"pk": w.review_out.pk}


def _on_review_in(getter: Callable[[Review], Any]) -> Callable[[World], dict[str, Any]]:
    return lambda w: {"pk": getter(w.review_in).pk}


def police_lead(w: World) -> dict[str, Any]:
    return {"pk": w.people.police_lead.pk}


# A page about a person: the manager manages, the person sees only their own page.
PERSON_VIEW = expect(manager=200, reviewer=404, panel=404, police_lead=200, health_lead=404,
                     board=404)
PERSON_MANAGE = expect(manager=200, reviewer=404, panel=404, police_lead=403, health_lead=404,
                       board=404)

REVIEW_PAGES = ("review_referral_edit", "review_notification", "review_rapid_review",
                "review_decision", "review_report_dates", "review_terms", "review_appoint",
                "subject_add", "parallel_process_add", "clock_pause", "review_explain_delay",
                "evidence_request_add", "review_publication_correct")

RULES: dict[str, list[Case]] = {
    "home": [Case(expected=ALL_SIGNED_IN)],
    "healthz": [Case(expected=PUBLIC)],
    "login": [Case(expected={**PUBLIC, **dict.fromkeys(ROLES[1:], 302)})],
    "logout": [Case(expected=dict.fromkeys(ROLES, 405))],  # sign-out is POST only
    "password_reset_confirm": [Case(lambda w: {"uidb64": "MQ", "token": "bad-token"},
                                    PUBLIC)],
    "password_reset_complete": [Case(expected=PUBLIC)],
    "record_history": [
        Case(lambda w: {"label": "agencies.user", "pk": w.people.police_lead.pk}, PERSON_MANAGE),
        Case(lambda w: {"label": "reviews.subject", "pk": w.review_in.subjects.get().pk},
             READ_REVIEW_IN),
        Case(lambda w: {"label": "reviews.review", "pk": w.review_out.pk}, READ_REVIEW_OUT),
        Case(lambda w: {"label": "scr.accessevent", "pk": 1},
             expect(**dict.fromkeys(ROLES[1:], 404))),
    ],
    # people and agencies
    "people": [Case(expected=MANAGER_ONLY_PAGE)],
    "person_invite": [Case(expected=MANAGER_ONLY_PAGE)],
    "person": [Case(police_lead, PERSON_VIEW)],
    "person_edit": [Case(police_lead, PERSON_MANAGE)],
    "person_deactivate": [Case(police_lead, PERSON_MANAGE)],
    "person_reactivate": [Case(police_lead, PERSON_MANAGE)],
    "membership_add": [Case(police_lead, PERSON_MANAGE)],
    "membership_end": [Case(lambda w: {"pk": Membership.objects.get(
        user=w.people.police_lead).pk}, PERSON_MANAGE)],
    "agencies": [Case(expected=MANAGER_ONLY_PAGE)],
    "agency_add": [Case(expected=MANAGER_ONLY_PAGE)],
    "agency_edit": [Case(lambda w: {"pk": w.people.police.pk}, MANAGER_ONLY_PAGE)],
    "access_log": [Case(expected=MANAGER_ONLY_PAGE)],
    "access_log_export": [Case(expected=MANAGER_ONLY_PAGE)],
    # reviews
    "review_list": [Case(expected=ALL_SIGNED_IN)],
    "review_export": [Case(expected=MANAGER_ONLY_PAGE)],
    "review_create": [Case(expected=MANAGER_ONLY_PAGE)],
    "board": [Case(expected=BOARD_PAGE)],
    "review": [
        Case(review_in, READ_REVIEW_IN),
        Case(review_out, READ_REVIEW_OUT),
        Case(lambda w: {"pk": w.review_published.pk},
             expect(manager=200, reviewer=404, panel=404, police_lead=404, health_lead=200,
                    board=200)),
    ],
    # The review's other sections read exactly like its overview.
    **{name: [
        Case(review_in, READ_REVIEW_IN),
        Case(review_out, READ_REVIEW_OUT),
        Case(lambda w: {"pk": w.review_published.pk},
             expect(manager=200, reviewer=404, panel=404, police_lead=404, health_lead=200,
                    board=200)),
    ] for name in ("review_people", "review_clocks", "review_panel", "review_evidence")},
    "review_history": [
        Case(review_in, READ_REVIEW_IN),
        Case(review_out, READ_REVIEW_OUT),
        # The board may read a published review, but never its history (real names).
        Case(lambda w: {"pk": w.review_published.pk},
             expect(manager=200, reviewer=404, panel=404, police_lead=404, health_lead=200,
                    board=403)),
    ],
    **{name: [Case(review_in, MANAGE_REVIEW_IN), Case(review_out, MANAGE_REVIEW_OUT)]
       for name in REVIEW_PAGES},
    "review_move": [Case(review_in, MANAGE_REVIEW_IN, query="to=notification"),
                    Case(review_out, MANAGE_REVIEW_OUT, query="to=notification")],
    "panel_appointment_end": [Case(_on_review_in(lambda r: r.panel.first()), MANAGE_REVIEW_IN)],
    "subject_edit": [Case(_on_review_in(lambda r: r.subjects.get()), MANAGE_REVIEW_IN)],
    "subject_withdraw": [Case(_on_review_in(lambda r: r.subjects.get()), MANAGE_REVIEW_IN)],
    "parallel_process_clear": [Case(_on_review_in(lambda r: r.parallel_processes.get()),
                                    MANAGE_REVIEW_IN)],
    "clock_resume": [Case(_on_review_in(lambda r: r.clock_pauses.get()), MANAGE_REVIEW_IN)],
    "evidence_request_received": [Case(_on_review_in(lambda r: r.evidence_requests.get()),
                                       MANAGE_REVIEW_IN)],
    # action plans and reminders (tests/actionplans/matrix.py)
    **action_plan_matrix.rules(Case),
}


def url_names(patterns: list[Any] | None = None, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            names.add(f"{namespace}{pattern.name}" if pattern.name else
                      f"{namespace}<unnamed {pattern.pattern}>")
    return names


def test_every_url_pattern_has_a_rule() -> None:
    project = {n for n in url_names() if not n.startswith(f"{ADMIN_NAMESPACE}:")}
    missing = sorted(project - set(RULES))
    assert not missing, f"Views with no permission rule: {missing}"
    assert not sorted(set(RULES) - project), "Rules for views that no longer exist"


def test_every_rule_names_every_role() -> None:
    for name, cases in RULES.items():
        for case in cases:
            assert set(case.expected) == set(ROLES), name


MATRIX = [(name, i, role) for name, cases in RULES.items() for i in range(len(cases))
          for role in ROLES]


@pytest.mark.parametrize(("url_name", "case_index", "role"), MATRIX,
                         ids=[f"{n}[{i}]-{r}" for n, i, r in MATRIX])
def test_permission_matrix(world: World, url_name: str, case_index: int, role: str) -> None:
    case = RULES[url_name][case_index]
    url = reverse(url_name, kwargs=case.kwargs(world))
    if case.query:
        url = f"{url}?{case.query}"
    response = client_for(world.user(role)).get(url)
    expected = case.expected[role]
    assert response.status_code == expected, (
        f"{role} GET {url}: {response.status_code}, expected {expected}")
    if expected == 302 and role == "anonymous":
        assert response["Location"].startswith(reverse("login"))


def test_admin_is_closed_to_every_non_staff_role(world: World) -> None:
    for role in ROLES:
        response = client_for(world.user(role)).get(reverse("admin:index"))
        assert response.status_code == 302, role
        assert "/admin/login/" in response["Location"]
