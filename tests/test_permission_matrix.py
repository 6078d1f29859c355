"""Every URL of the project, for every role, in and out of scope.

The URL patterns are discovered from the resolver: a new view without a rule
here makes ``test_every_url_pattern_has_a_rule`` fail. Expectations: anonymous
visitors are sent to sign in; an object outside the user's scope is a 404 (no
existence leak); in scope but not allowed is a 403; allowed is a 200.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from agencies.models import Membership
from reviews import services
from reviews.models import ClockKind, PanelAppointment, Review
from scr.models import Notification, OutboxMessage, RenderRecord
from tests.actionplans import matrix as action_plan_matrix
from tests.conftest import Personas, client_for, publish
from tests.downloads import check_download
from tests.learning import matrix as learning_matrix
from tests.shared_db import LAYERS

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
                         full_name="Kayden Smith", identifiers=[("postcode", "NT1 2AB")])
    if published:
        publish(review, people.manager)
    return review


def build_world(p: Personas) -> World:
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
    police_request = services.evidence_request_create(
        by=p.manager, review=review_in, agency=p.police, due_on=today + timedelta(days=5),
        description="IMR and chronology")
    answer_twice(p, police_request)
    services.name_variant_add(by=p.manager, subject=review_in.subjects.get(), text="Kayd")
    _chronology_meetings_family(p, review_in)
    review_out = _review(p, [p.health])
    review_published = _review(p, [p.health], published=True)
    return World(p, review_in, review_out, review_published)


@pytest.fixture(scope="module")
def shared_world(request: pytest.FixtureRequest, personas_layer: Any,
                 django_db_blocker: Any) -> Iterator[Any]:
    """The matrix's world, built once per module on the module's personas, in a layer
    rolled back after the module's tests (tests/shared_db.py); None if it cannot be shared."""
    layer = None
    if personas_layer is not None and personas_layer.is_open:
        layer = LAYERS.push(("world", request.node.nodeid),
                            lambda: build_world(copy.deepcopy(personas_layer.value)),
                            django_db_blocker)
    yield layer
    LAYERS.close(layer)


def _with_case_records(world: World, url_name: str, index: int) -> World:
    """What the case's URL refers to; the records made the first time one is asked for
    (the report's, the PDFs', the action plan's) are memoised on ``world``."""
    RULES[url_name][index].kwargs(world)
    return world


@pytest.fixture
def case_world(request: pytest.FixtureRequest, shared_world: Any,
               django_db_blocker: Any) -> World | None:
    """For a ``test_permission_matrix`` case: the world with what the case's URL refers to,
    made once for all the roles of the case (in a layer on the world's). For any other test:
    the world as built. None if the world is not shared: the test then builds its own."""
    if shared_world is None or not shared_world.is_open:
        return None
    params = getattr(getattr(request.node, "callspec", None), "params", {})
    if "case_index" not in params:
        return shared_world.value  # type: ignore[no-any-return]
    key = ("case", request.node.nodeid.split("::")[0], params["url_name"], params["case_index"])
    layer = LAYERS.top(key) or LAYERS.push(key, lambda: _with_case_records(
        copy.deepcopy(shared_world.value), params["url_name"], params["case_index"]),
        django_db_blocker)
    if layer is None:
        raise RuntimeError(f"{request.node.nodeid}: the case's records cannot be layered on the "
                           "shared world (has the test's own transaction started already?)")
    return layer.value  # type: ignore[no-any-return]


@pytest.fixture
def world(request: pytest.FixtureRequest, case_world: World | None, db: None) -> World:
    """What the matrix's tests get: the shared world (``case_world``, set up before ``db``
    so that the test's transaction is inside its layers) as a deep copy, so that nothing
    memoised on its objects in one test reaches the next; or, if it is not shared, a world
    built for this test on its personas."""
    if case_world is None:
        return build_world(request.getfixturevalue("personas"))
    return copy.deepcopy(case_world)


def answer_twice(p: Personas, request: Any) -> None:
    """The police lead submits an agency report with a document, the reviewer returns it,
    the lead resubmits: two versions to read and compare, and the request resubmitted."""
    services.agency_report_save(by=p.police_lead, request=request, author="DS Example",
                                independence="No involvement.",
                                records_secured_on=timezone.localdate(),
                                analysis="Analysis.", lessons="Lessons.")
    services.evidence_document_upload(by=p.police_lead, request=request,
                                      upload=ContentFile(b"Police notes\n", name="notes.txt"))
    services.evidence_request_submit(by=p.police_lead, request=request, expected_number=0)
    services.evidence_request_return(by=p.reviewer, request=request, missing="More analysis.")
    services.agency_report_save(by=p.police_lead, request=request, analysis="More analysis.")
    services.evidence_request_submit(by=p.police_lead, request=request, expected_number=1)
def _chronology_meetings_family(p: Personas, review: Review) -> None:
    """In review_in: a submitted police entry in an episode, a police draft, a learning
    event the police lead attended (with an action and minutes), and the child in the
    family involvement log."""
    day = review.incident_date - timedelta(days=5)
    fields = {"source": "Log", "what_happened": "Visit", "practitioner_role": "PC",
              "child_seen": True}
    submitted = services.chronology_entry_add(by=p.police_lead, review=review, agency=p.police,
                                              occurred_on=day, **fields)
    services.chronology_submit(by=p.police_lead, review=review, agency=p.police)
    services.chronology_entry_add(by=p.police_lead, review=review, agency=p.police,
                                  occurred_on=day, **fields)
    services.episode_create(by=p.reviewer, review=review, title="Visit", entries=[submitted])
    meeting = services.meeting_record(by=p.manager, review=review, kind="learning_event",
                                      held_on=timezone.localdate())
    services.meeting_attendee_add(by=p.manager, meeting=meeting, user=p.police_lead)
    services.meeting_action_add(by=p.manager, meeting=meeting, description="Brief staff",
                                owner="Police lead", due_on=timezone.localdate())
    services.meeting_minutes_upload(by=p.manager, meeting=meeting, upload=SimpleUploadedFile(
        "minutes.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"))
    services.family_involvement_record(by=p.manager, review=review,
                                       subject=review.subjects.get(), invited=True,
                                       invitation_reason="Parent of the child")


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
# A draft briefing of the published review: its drafting team only (the manager there).
DRAFT_BRIEFING = expect(manager=200, reviewer=404, panel=404, police_lead=404, health_lead=404,
                        board=404)


# The merged chronology, meetings and family log are the review team's: manager, reviewer
# and panel; an agency lead of the review is refused (403), anyone else never learns of it.
TEAM_REVIEW_IN = expect(manager=200, reviewer=200, panel=200, police_lead=403, health_lead=404,
                        board=404)
TEAM_REVIEW_OUT = expect(manager=200, reviewer=404, panel=404, police_lead=404, health_lead=403,
                         board=404)
TEAM_PUBLISHED = expect(manager=200, reviewer=404, panel=404, police_lead=404, health_lead=403,
                        board=403)
# The report's PDFs: the drafting team and the panel; on a published review the board and
# the involved agency's lead may read the review (403) but never its PDFs.
PDF_PAGE_PUBLISHED = expect(manager=200, reviewer=404, panel=404, police_lead=404,
                            health_lead=403, board=403)
PDF_OF_REVIEW_IN = expect(manager=200, reviewer=200, panel=200, police_lead=404, health_lead=404,
                          board=404)
# An agency's own chronology and its draft entries: its leads only; for anyone else, 404.
POLICE_ONLY = expect(manager=404, reviewer=404, panel=404, police_lead=200, health_lead=404,
                     board=404)
# The reviewer's analysis of submitted entries.
ANALYSE_REVIEW_IN = expect(manager=200, reviewer=200, panel=403, police_lead=403,
                           health_lead=404, board=404)
# Recording meetings and the family log: the manager and the review's reviewer.
RECORD_REVIEW_IN = expect(manager=200, reviewer=200, panel=403, police_lead=403,
                          health_lead=404, board=404)
ATTENDED = expect(manager=200, reviewer=200, panel=200, police_lead=200, health_lead=404,
                  board=404)
KEEP_FAMILY_LOG = expect(manager=200, reviewer=200, panel=403, police_lead=404,
                         health_lead=404, board=404)


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


def police_chronology(w: World) -> dict[str, Any]:
    return {"pk": w.review_in.pk, "agency_pk": w.people.police.pk}


def police_draft(w: World) -> dict[str, Any]:
    return {"pk": w.review_in.chronology.get(status="draft").pk}


def police_submitted(w: World) -> dict[str, Any]:
    return {"pk": w.review_in.chronology.get(status="submitted").pk}


def police_lead(w: World) -> dict[str, Any]:
    return {"pk": w.people.police_lead.pk}


# A page about a person: the manager manages, the person sees only their own page.
PERSON_VIEW = expect(manager=200, reviewer=404, panel=404, police_lead=200, health_lead=404,
                     board=404)
PERSON_MANAGE = expect(manager=200, reviewer=404, panel=404, police_lead=403, health_lead=404,
                       board=404)

# The analysis and the draft report (issue 11). The drafting team (the review's reviewer and
# business managers) reads and writes the draft; the panel reads only versions shared with
# it; agency leads and the board never see a draft.
DRAFT_REVIEW_IN = expect(manager=200, reviewer=200, panel=403, police_lead=403, health_lead=404,
                         board=404)
DRAFT_REVIEW_OUT = expect(manager=200, reviewer=404, panel=404, police_lead=404, health_lead=403,
                          board=404)
DRAFT_RECORD = expect(manager=200, reviewer=200, panel=404, police_lead=404, health_lead=404,
                      board=404)
SHARED_RECORD_MANAGE = expect(manager=200, reviewer=200, panel=403, police_lead=404,
                              health_lead=404, board=404)
SHARED_READ = expect(manager=200, reviewer=200, panel=200, police_lead=404, health_lead=404,
                     board=404)
VERSIONS_OF_REVIEW_IN = expect(manager=200, reviewer=200, panel=200, police_lead=403,
                               health_lead=404, board=404)


def _records(getter: Callable[[Any], Any]) -> Callable[[World], dict[str, Any]]:
    from tests.reporting import matrix_records

    return lambda w: {"pk": getter(matrix_records(w)).pk}


def _factual_check(w: World) -> dict[str, Any]:
    """A factual-accuracy check of the matrix's submitted version, sent to the police."""
    from tests.reporting import matrix_records

    snapshot = matrix_records(w).snapshot
    check = snapshot.factual_checks.first()
    if check is None:
        check = services.factual_check_send(
            by=w.people.manager, snapshot=snapshot,
            due_on=timezone.localdate() + timedelta(days=7),
            agency_sections={w.people.police: [snapshot.parts.first()]})[0]
    return {"pk": check.pk}


def designation_pk(w: World) -> dict[str, Any]:
    """A designation of the police lead for the police's approval (made once)."""
    from reviews.models import SignOffDesignation

    found = SignOffDesignation.objects.filter(user=w.people.police_lead).first()
    return {"pk": (found or services.sign_off_designate(
        by=w.people.manager, key="partner_police", user=w.people.police_lead)).pk}


def theme_pk(w: World) -> dict[str, Any]:
    from reviews.models import Theme

    return {"pk": Theme.objects.get(name="Supervision").pk}


REVIEW_PAGES = ("review_referral_edit", "review_notification", "review_rapid_review",
                "review_decision", "review_report_dates", "review_terms", "review_appoint",
                "parallel_process_add", "clock_pause", "review_explain_delay",
                "review_publication_correct")
# The pseudonym register is kept by the business manager and the review's own reviewer
# (issue 17); the panel reads it, agency leads and the board never change it.
KEEP_REGISTER_IN = expect(manager=200, reviewer=200, panel=403, police_lead=403,
                          health_lead=404, board=404)

# Evidence: a page about the police request on review_in, by who acts on it.
POLICE_REQUEST = _on_review_in(lambda r: r.evidence_requests.get())
POLICE_DOCUMENT = lambda w: {"pk": w.review_in.evidence_requests.get().documents.get().pk}  # noqa: E731
POLICE_VERSION = lambda w: {"pk": w.review_in.evidence_requests.get().submissions.last().pk}  # noqa: E731
# The business manager or the review's own reviewer (send, change, return, accept, withdraw).
RUN_REVIEW_IN = expect(manager=200, reviewer=200, panel=403, police_lead=403, health_lead=404,
                       board=404)
# The agency asked (acknowledge, write the report, upload, submit).
POLICE_ANSWERS = expect(manager=403, reviewer=403, panel=403, police_lead=200, health_lead=404,
                        board=404)
# The answer: never the panel before it is shared, never another agency, never the board.
READ_POLICE_ANSWER = expect(manager=200, reviewer=200, panel=404, police_lead=200,
                            health_lead=404, board=404)
# Withdraw or restore a document: its agency and the business manager.
CHANGE_POLICE_DOCUMENT = expect(manager=200, reviewer=403, panel=404, police_lead=200,
                                health_lead=404, board=404)

def healthy_backlog(w: World) -> dict[str, Any]:
    """/healthz/detail answers 503 when the outbox or the renders wait too long; the world's
    rows were queued when the module began (its commits never relay), so mark them done: here
    the case is who may read the detail, not what it says (tests/scr/test_operations.py)."""
    OutboxMessage.objects.filter(sent_at__isnull=True).update(sent_at=timezone.now())
    RenderRecord.objects.filter(status=RenderRecord.Status.QUEUED).update(
        status=RenderRecord.Status.FAILED)
    return {}


RULES: dict[str, list[Case]] = {
    "home": [Case(expected=ALL_SIGNED_IN)],
    "healthz": [Case(healthy_backlog, PUBLIC)],  # a business manager gets the detail too
    # Operations (docs/deploy.md): the detail for business managers (or the token); the
    # metrics for the token or the monitoring network only, never a person signed in.
    "healthz_detail": [Case(healthy_backlog, MANAGER_ONLY_PAGE)],
    "metrics": [Case(expected=dict.fromkeys(ROLES, 404))],
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
        # A published report is in everyone's library, but its history is its review's: 404
        # for who may not see the review, 403 for who may (and the board).
        Case(lambda w: {"label": "reviews.publication", "pk": pdf_records(w).publication.pk},
             expect(manager=200, reviewer=404, panel=404, police_lead=404, health_lead=403,
                    board=403)),
    ],
    # your own notifications and how you are told (issue 19): everyone signed in, their own
    # only (marking one read is POST only; someone else's is a 404: tests/scr/
    # test_notifications.py)
    "notifications": [Case(expected=ALL_SIGNED_IN)],
    "notification_preferences": [Case(expected=ALL_SIGNED_IN)],
    "notification_read": [Case(lambda w: {"pk": Notification.objects.filter(
        recipient=w.people.police_lead).order_by("pk").first().pk},
        expect(**dict.fromkeys(ROLES[1:], 405)))],
    "notification_read_all": [Case(expected=expect(**dict.fromkeys(ROLES[1:], 405)))],
    # your own account (issue 9): everyone signed in, about themselves only
    "account": [Case(expected=ALL_SIGNED_IN)],
    "password_change": [Case(expected=ALL_SIGNED_IN)],
    "confirm_identity": [Case(expected=ALL_SIGNED_IN)],
    "two_factor_setup": [Case(expected=ALL_SIGNED_IN)],
    # No device yet: sent to set one up.
    "two_factor_verify": [Case(expected=dict.fromkeys(ROLES, 302))],
    # A POST makes new codes; a GET goes back to the account page.
    "backup_codes_renew": [Case(expected=dict.fromkeys(ROLES, 302))],
    "sessions_end_others": [Case(expected=expect(**dict.fromkeys(ROLES[1:], 405)))],
    # people and agencies
    "people": [Case(expected=MANAGER_ONLY_PAGE)],
    "person_two_factor_reset": [Case(police_lead, PERSON_MANAGE)],
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
    # A person's page reads like the people page (the board: pseudonym only).
    "subject_detail": [
        Case(_on_review_in(lambda r: r.subjects.get()), READ_REVIEW_IN),
        Case(lambda w: {"pk": w.review_out.subjects.get().pk}, READ_REVIEW_OUT),
        Case(lambda w: {"pk": w.review_published.subjects.get().pk},
             expect(manager=200, reviewer=404, panel=404, police_lead=404, health_lead=200,
                    board=200)),
    ],
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
    **{name: [Case(review_in, KEEP_REGISTER_IN), Case(review_out, MANAGE_REVIEW_OUT)]
       for name in ("subject_add", "register_import")},
    "register_template": [Case(lambda w, fmt=fmt: {"fmt": fmt}, ALL_SIGNED_IN)
                          for fmt in ("csv", "xlsx")],
    "subject_edit": [Case(_on_review_in(lambda r: r.subjects.get()), KEEP_REGISTER_IN)],
    "subject_withdraw": [Case(_on_review_in(lambda r: r.subjects.get()), KEEP_REGISTER_IN)],
    **{name: [Case(_on_review_in(lambda r: r.subjects.get()), KEEP_REGISTER_IN, query=query)]
       for name, query in (("subject_identifier_add", ""), ("subject_identifiers_add", ""),
                           ("name_variant_add", ""), ("name_variant_remove", "variant=Kay"))},
    "subject_identifier_withdraw": [Case(lambda w: {"pk": w.review_in.subjects.get()
                                                    .identifiers.get().pk}, KEEP_REGISTER_IN)],
    "name_variant_choice_withdraw": [Case(lambda w: {"pk": w.review_in.subjects.get()
                                                     .variant_choices.get().pk},
                                          KEEP_REGISTER_IN)],
    "parallel_process_clear": [Case(_on_review_in(lambda r: r.parallel_processes.get()),
                                    MANAGE_REVIEW_IN)],
    "clock_resume": [Case(_on_review_in(lambda r: r.clock_pauses.get()), MANAGE_REVIEW_IN)],
    "evidence_accept_many": [Case(review_in, RUN_REVIEW_IN),
                             Case(review_out, expect(manager=200, reviewer=404, panel=404,
                                                     police_lead=404, health_lead=403,
                                                     board=404))],
    "evidence_request_add": [Case(review_in, RUN_REVIEW_IN),
                             Case(review_out, expect(manager=200, reviewer=404, panel=404,
                                                     police_lead=404, health_lead=403,
                                                     board=404))],
    "evidence_request": [Case(POLICE_REQUEST, READ_REVIEW_IN),
                         Case(_factual_check, READ_REVIEW_IN)],
    # Factual-accuracy checks: sent from a version of the report, answered by the agency.
    "factual_check_send": [Case(_records(lambda r: r.snapshot), SHARED_RECORD_MANAGE)],
    "factual_check_answer": [Case(_factual_check, POLICE_ANSWERS)],
    **{name: [Case(POLICE_REQUEST, RUN_REVIEW_IN)]
       for name in ("evidence_request_edit", "evidence_request_return", "evidence_request_accept",
                    "evidence_request_withdraw", "evidence_request_share")},
    **{name: [Case(POLICE_REQUEST, POLICE_ANSWERS)]
       for name in ("evidence_request_acknowledge", "evidence_report_edit",
                    "evidence_document_upload", "evidence_request_submit")},
    "evidence_request_compare": [Case(POLICE_REQUEST, READ_POLICE_ANSWER)],
    "evidence_submission": [Case(POLICE_VERSION, READ_POLICE_ANSWER)],
    "evidence_document_download": [Case(POLICE_DOCUMENT, READ_POLICE_ANSWER)],
    "evidence_document_withdraw": [Case(POLICE_DOCUMENT, CHANGE_POLICE_DOCUMENT)],
    "evidence_document_restore": [Case(POLICE_DOCUMENT, CHANGE_POLICE_DOCUMENT)],
    # The chronology: the merged one is the review team's; an agency's own is its leads'.
    "review_chronology": [Case(review_in, TEAM_REVIEW_IN), Case(review_out, TEAM_REVIEW_OUT),
                          Case(lambda w: {"pk": w.review_published.pk}, TEAM_PUBLISHED)],
    "chronology_export": [Case(lambda w, fmt=fmt: {"pk": w.review_in.pk, "fmt": fmt}, TEAM_REVIEW_IN)
                          for fmt in ("csv", "xlsx")],
    "chronology_template": [Case(lambda w, fmt=fmt: {"fmt": fmt}, ALL_SIGNED_IN) for fmt in ("csv", "xlsx")],
    **{name: [Case(police_chronology, POLICE_ONLY)]
       for name in ("agency_chronology", "chronology_entry_add", "chronology_import",
                    "chronology_submit")},
    "chronology_entry_edit": [Case(police_draft, POLICE_ONLY)],
    "chronology_entry_withdraw": [Case(police_draft, POLICE_ONLY)],
    "chronology_entry_correct": [Case(police_submitted, expect(
        manager=403, reviewer=403, panel=403, police_lead=200, health_lead=404, board=404))],
    "chronology_entry_mark": [Case(police_submitted, ANALYSE_REVIEW_IN)],
    "episode_add": [Case(review_in, expect(manager=200, reviewer=200, panel=403, police_lead=403,
                                           health_lead=404, board=404))],
    "episode_withdraw": [Case(_on_review_in(lambda r: r.episodes.get()), expect(
        manager=200, reviewer=200, panel=403, police_lead=404, health_lead=404, board=404))],
    # Meetings: the team's; the police lead attended the learning event.
    "review_meetings": [Case(review_in, TEAM_REVIEW_IN), Case(review_out, TEAM_REVIEW_OUT)],
    "meeting_add": [Case(review_in, RECORD_REVIEW_IN)],
    "meeting": [Case(_on_review_in(lambda r: r.meetings.get()), ATTENDED)],
    "learning_feedback_add": [Case(_on_review_in(lambda r: r.meetings.get()), ATTENDED)],
    "meeting_minutes_download": [Case(lambda w: {"pk": w.review_in.meetings.get().minutes.get().pk},
                                      ATTENDED)],
    **{name: [Case(_on_review_in(lambda r: r.meetings.get()), RECORD_REVIEW_IN)]
       for name in ("meeting_edit", "meeting_attendee_add", "meeting_action_add",
                    "meeting_minutes_upload")},
    "meeting_action_done": [Case(lambda w: {"pk": w.review_in.meetings.get().actions.get().pk},
                                 RECORD_REVIEW_IN)],
    # The family log: the team with identities; kept by the manager and the reviewer.
    "review_family": [Case(review_in, TEAM_REVIEW_IN), Case(review_out, TEAM_REVIEW_OUT)],
    "family_involvement_add": [Case(review_in, RECORD_REVIEW_IN)],
    **{name: [Case(_on_review_in(lambda r: r.family.get()), KEEP_FAMILY_LOG)]
       for name in ("family_involvement_edit", "family_contact_add", "family_comment_add")},
    # analysis and the report (issue 11)
    **{name: [Case(review_in, DRAFT_REVIEW_IN), Case(review_out, DRAFT_REVIEW_OUT)]
       for name in ("review_analysis", "review_report")},
    **{name: [Case(review_in, DRAFT_REVIEW_IN)]
       for name in ("finding_add", "finding_earlier", "recommendation_add", "report_start",
                    "section_add", "snapshot_create")},
    **{name: [Case(_records(lambda r: r.finding), DRAFT_RECORD)]
       for name in ("finding", "finding_edit", "finding_withdraw", "finding_evidence_add")},
    "finding_evidence_withdraw": [Case(_records(lambda r: r.link), DRAFT_RECORD)],
    **{name: [Case(_records(lambda r: r.recommendation), DRAFT_RECORD)]
       for name in ("recommendation_edit", "recommendation_withdraw")},
    **{name: [Case(_records(lambda r: r.section), DRAFT_RECORD)]
       for name in ("section_edit", "section_move", "section_versions", "section_compare")},
    "section_autosave": [Case(_records(lambda r: r.section), dict.fromkeys(ROLES, 405))],
    **{name: [Case(_records(lambda r: r.snapshot), SHARED_RECORD_MANAGE)]
       for name in ("snapshot_share", "sign_off_submit")},
    "snapshot": [Case(_records(lambda r: r.snapshot), SHARED_READ)],
    "comment_add": [Case(_records(lambda r: r.snapshot.parts.first()), SHARED_READ)],
    "comment_resolve": [Case(_records(lambda r: r.comment), SHARED_RECORD_MANAGE)],
    "approval_give": [Case(_records(lambda r: r.submission), SHARED_RECORD_MANAGE)],
    **{name: [Case(lambda w: {"pk": matrix_pk(w)}, VERSIONS_OF_REVIEW_IN)]
       for name in ("review_report_versions", "review_sign_off")},
    "snapshot_compare": [Case(lambda w: {"pk": matrix_pk(w)}, VERSIONS_OF_REVIEW_IN,
                              query="a=1&b=2")],
    "board_response_record": [Case(review_in, MANAGE_REVIEW_IN)],
    # Who must approve the report: a partnership setting, the business manager's.
    "sign_off_approvers": [Case(expected=MANAGER_ONLY_PAGE)],
    "sign_off_approver_add": [Case(expected=MANAGER_ONLY_PAGE)],
    **{name: [Case(lambda w: {"key": "partner_police"}, MANAGER_ONLY_PAGE)]
       for name in ("sign_off_approver_edit", "sign_off_designate")},
    "sign_off_designation_end": [Case(designation_pk, MANAGER_ONLY_PAGE)],
    "themes": [Case(expected=MANAGER_ONLY_PAGE)],
    "theme_add": [Case(expected=MANAGER_ONLY_PAGE)],
    "themes_recurring": [Case(expected=BOARD_PAGE)],
    "theme_edit": [Case(theme_pk, MANAGER_ONLY_PAGE)],
    "theme_delete": [Case(theme_pk, MANAGER_ONLY_PAGE)],
    # the report's PDFs, leak checks, publication and the library (issue 12)
    **{name: [Case(review_in, VERSIONS_OF_REVIEW_IN),
              Case(lambda w: {"pk": w.review_published.pk}, PDF_PAGE_PUBLISHED)]
       for name in ("review_publication", "report_renders_status")},
    "report_render_request": [Case(review_in, dict.fromkeys(ROLES, 405))],
    "publication_publish": [Case(review_in, MANAGE_REVIEW_IN)],
    "publication_panel_notice": [Case(review_in, MANAGE_REVIEW_IN)],
    "unregistered_name_dismiss": [Case(review_in, ANALYSE_REVIEW_IN)],
    # The anonymisation check (issue 17): read like the Publication page; settled by those
    # who keep the register (an item no longer open sends them back to the check: 302).
    "anonymisation_check": [Case(review_in, VERSIONS_OF_REVIEW_IN),
                            Case(lambda w: {"pk": w.review_published.pk}, PDF_PAGE_PUBLISHED)],
    "form_decide": [Case(lambda w: {"pk": w.review_in.pk, "token": "0" * 20}, expect(
        manager=302, reviewer=302, panel=403, police_lead=403, health_lead=404, board=404))],
    "form_decision_withdraw": [Case(lambda w: {"pk": check_records(w).decision.pk}, expect(
        manager=200, reviewer=200, panel=403, police_lead=404, health_lead=404, board=404))],
    "dismissed_name_reopen": [Case(lambda w: {"pk": check_records(w).dismissed.pk}, expect(
        manager=200, reviewer=200, panel=403, police_lead=404, health_lead=404, board=404))],
    "public_name_add": [Case(review_in, MANAGE_REVIEW_IN)],
    "public_name_withdraw": [Case(lambda w: {"pk": check_records(w).public_name.pk}, expect(
        manager=200, reviewer=403, panel=403, police_lead=404, health_lead=404, board=404))],
    "report_render_download": [
        Case(lambda w: {"pk": pdf_records(w).published.pk}, PDF_OF_REVIEW_IN),
        Case(lambda w: {"pk": pdf_records(w).confidential.pk}, PDF_OF_REVIEW_IN),
        # The published review's confidential PDF: never the board, never its agency lead.
        Case(lambda w: {"pk": pdf_records(w).confidential_published.pk},
             expect(manager=200, reviewer=404, panel=404, police_lead=404, health_lead=404,
                    board=404))],
    "leak_hit_waive": [Case(lambda w: {"pk": pdf_records(w).hit.pk}, expect(
        manager=200, reviewer=403, panel=403, police_lead=404, health_lead=404, board=404))],
    "leak_hit_reopen": [Case(lambda w: {"pk": pdf_records(w).hit.pk}, expect(
        manager=200, reviewer=403, panel=403, police_lead=404, health_lead=404, board=404))],
    "library": [Case(expected=ALL_SIGNED_IN)],
    "library_download": [Case(lambda w: {"pk": pdf_records(w).publication.pk}, ALL_SIGNED_IN)],
    "publication_takedown_review": [Case(lambda w: {"pk": pdf_records(w).publication.pk},
                                         MANAGER_ONLY_PAGE)],
    # learning briefings (issue 21): drafts are the drafting team's (review_published has no
    # appointed reviewer: its manager); a published briefing is read by every signed-in person
    "briefing_draft": [Case(lambda w: {"pk": w.review_published.pk}, PDF_PAGE_PUBLISHED)],
    **{name: [Case(lambda w: {"pk": briefing_records(w).draft.pk}, DRAFT_BRIEFING)]
       for name in ("briefing_edit", "briefing_publish")},
    "briefing_render": [Case(lambda w: {"pk": briefing_records(w).draft.pk},
                             dict.fromkeys(ROLES, 405))],
    "briefing_decide": [Case(lambda w: {"pk": briefing_records(w).draft.pk, "token": "0" * 20},
                             expect(manager=302, reviewer=404, panel=404, police_lead=404,
                                    health_lead=404, board=404))],
    "briefing_render_download": [Case(lambda w: {"pk": briefing_records(w).render.pk},
                                      DRAFT_BRIEFING)],
    **{name: [Case(lambda w: {"pk": briefing_records(w).published.pk}, ALL_SIGNED_IN)]
       for name in ("briefing_download", "briefing_feedback")},
    "briefing": [Case(lambda w: {"pk": briefing_records(w).draft.pk}, DRAFT_BRIEFING),
                 Case(lambda w: {"pk": briefing_records(w).published.pk}, ALL_SIGNED_IN)],
    "briefing_withdraw": [Case(lambda w: {"pk": briefing_records(w).published.pk},
                               MANAGER_ONLY_PAGE)],
    # Only a recipient agency's own lead records how it shared it (health was sent it).
    "dissemination_add": [Case(lambda w: {"pk": briefing_records(w).published.pk,
                                          "agency_pk": w.people.health.pk},
                               expect(manager=403, reviewer=403, panel=403, police_lead=403,
                                      health_lead=200, board=403))],
    # the national Panel (issue 21): those with identifiable access read it; the board never
    "review_national_panel": [
        Case(review_in, READ_REVIEW_IN),
        Case(lambda w: {"pk": w.review_published.pk},
             expect(manager=200, reviewer=404, panel=404, police_lead=404, health_lead=200,
                    board=403))],
    "rapid_review_report_render": [Case(review_in, dict.fromkeys(ROLES, 405))],
    "panel_reply_add": [Case(review_in, MANAGE_REVIEW_IN)],
    "rapid_review_report_download": [Case(lambda w: {"pk": national_records(w).render.pk},
                                          READ_REVIEW_IN)],
    "national_review_update": [Case(lambda w: {"pk": national_records(w).national.pk},
                                    MANAGE_REVIEW_IN)],
    # national reports are public documents: everyone reads them; managers record and map
    "national_reports": [Case(expected=ALL_SIGNED_IN)],
    "national_report_add": [Case(expected=MANAGER_ONLY_PAGE)],
    "national_report": [Case(lambda w: {"pk": national_records(w).report.pk}, ALL_SIGNED_IN)],
    "national_recommendation_add": [Case(lambda w: {"pk": national_records(w).report.pk},
                                         MANAGER_ONLY_PAGE)],
    "national_recommendation_map": [Case(
        lambda w: {"pk": national_records(w).report.recommendations.get().pk},
        MANAGER_ONLY_PAGE)],
    # action plans and reminders (tests/actionplans/matrix.py)
    **action_plan_matrix.rules(Case),
    # search across reviews (issue 21): everyone signed in, each finding only what their
    # scopes let them read (tests/search/test_search.py checks every role's results); a
    # person across reviews, and the log of those searches, for business managers only.
    "search": [Case(expected=ALL_SIGNED_IN), Case(expected=ALL_SIGNED_IN, query="q=Kayden"),
               Case(expected=ALL_SIGNED_IN, query="q=Kayden&page=2")],
    "person_lookup": [Case(expected=MANAGER_ONLY_PAGE)],
    "person_lookup_log": [Case(expected=MANAGER_ONLY_PAGE)],
    # learning: themes across reviews, the yearly report (tests/learning/matrix.py)
    **learning_matrix.rules(Case),
}


def _done_render(target: Any, kind: str, by: Any) -> RenderRecord:
    import hashlib

    from django.contrib.contenttypes.models import ContentType

    from scr.history import save_with_history
    from tests.publishing import STAND_IN_PDF

    record = RenderRecord(content_type=ContentType.objects.get_for_model(target),
                          object_id=target.pk, kind=kind, status=RenderRecord.Status.DONE,
                          created_by=by, started_at=timezone.now(), finished_at=timezone.now(),
                          size=len(STAND_IN_PDF), sha256=hashlib.sha256(STAND_IN_PDF).hexdigest())
    record.file.save(f"{kind}.pdf", ContentFile(STAND_IN_PDF), save=False)
    return save_with_history(record, by=by, reason="arranged")


def briefing_records(w: World) -> Any:
    """On the published review: a draft briefing with a render, and a published briefing
    sent to health (made once per test)."""
    import hashlib
    from types import SimpleNamespace

    from reviews.models import BRIEFING_KIND, Briefing, BriefingRecipient
    from scr.history import save_with_history
    from tests.publishing import STAND_IN_PDF

    if getattr(w, "_briefing_records", None) is None:
        manager, review = w.people.manager, w.review_published
        published = Briefing(review=review, title="7-minute briefing: Child A",
                             status=Briefing.Status.PUBLISHED, created_by=manager,
                             published_on=timezone.localdate(), published_by=manager,
                             size=len(STAND_IN_PDF),
                             sha256=hashlib.sha256(STAND_IN_PDF).hexdigest(), text="Child A")
        published.file.save("briefing.pdf", ContentFile(STAND_IN_PDF), save=False)
        save_with_history(published, by=manager, reason="arranged")
        save_with_history(BriefingRecipient(review=review, briefing=published,
                                            agency=w.people.health), by=manager, reason="arranged")
        draft = services.briefing_draft(by=manager, review=review)
        w._briefing_records = SimpleNamespace(  # type: ignore[attr-defined]
            draft=draft, published=published, render=_done_render(draft, BRIEFING_KIND, manager))
    return w._briefing_records  # type: ignore[attr-defined]


def national_records(w: World) -> Any:
    """On review_in: a rapid review report, a national review; a national report with one
    recommendation (made once per test)."""
    from types import SimpleNamespace

    from actionplans import services as plans
    from reviews.models import NationalReview
    from reviews.services.national import RAPID_REVIEW_REPORT_KIND
    from scr.history import save_with_history

    if getattr(w, "_national_records", None) is None:
        manager = w.people.manager
        w._national_records = SimpleNamespace(  # type: ignore[attr-defined]
            render=_done_render(w.review_in, RAPID_REVIEW_REPORT_KIND, manager),
            national=save_with_history(NationalReview(review=w.review_in, recorded_by=manager),
                                       by=manager, reason="arranged"),
            report=plans.national_report_record(
                by=manager, title="Annual report", published_on=timezone.localdate(),
                recommendations=["Share information."]))
    return w._national_records  # type: ignore[attr-defined]


def pdf_records(w: World) -> Any:
    """review_in's approved-version PDFs (anonymised with a leak hit, confidential) and the
    published review's publication with a confidential render (made once per test)."""
    from types import SimpleNamespace

    from reviews.models import LeakCheck, LeakHit
    from reviews.models.publication import CONFIDENTIAL_KIND
    from scr.history import save_with_history
    from tests.publishing import arrange_publication, render_of

    if getattr(w, "_pdf_records", None) is None:
        from tests.reporting import matrix_records

        snapshot = matrix_records(w).snapshot
        manager = w.people.manager
        published = render_of(snapshot, manager)
        check = save_with_history(LeakCheck(review=w.review_in, render=published,
                                            snapshot=snapshot, pages=1, text="x"),
                                  by=manager, reason="arranged")
        hit = save_with_history(LeakHit(review=w.review_in, leak_check=check, render=published,
                                        page=1, kind="name", matched="Kayden",
                                        context="Kayden was seen"), by=manager, reason="arranged")
        publication = arrange_publication(w.review_published, manager)
        w._pdf_records = SimpleNamespace(  # type: ignore[attr-defined]
            published=published, hit=hit, publication=publication,
            confidential=render_of(snapshot, manager, kind=CONFIDENTIAL_KIND),
            confidential_published=render_of(publication.snapshot, manager,
                                             kind=CONFIDENTIAL_KIND))
    return w._pdf_records  # type: ignore[attr-defined]


def check_records(w: World) -> Any:
    """A decision about a name, a name printed on purpose and a dismissed name, on
    review_in."""
    from types import SimpleNamespace

    from reviews.models import DismissedName, FormDecision, PublicName
    from scr.history import save_with_history

    if getattr(w, "_check_records", None) is None:
        manager = w.people.manager
        w._check_records = SimpleNamespace(  # type: ignore[attr-defined]
            decision=save_with_history(FormDecision(
                review=w.review_in, text="Kayd", key="kayd", subject=None, reason="A word",
                decided_by=manager), by=manager, reason="arranged"),
            public_name=save_with_history(PublicName(
                review=w.review_in, name="Jane Chair", role="Chair", added_by=manager),
                by=manager, reason="arranged"),
            dismissed=save_with_history(DismissedName(
                review=w.review_in, name="Alder", reason="A tree", dismissed_by=manager),
                by=manager, reason="arranged"))
    return w._check_records  # type: ignore[attr-defined]


def matrix_pk(w: World) -> int:
    """review_in, with its report records made (so the pages show versions)."""
    from tests.reporting import matrix_records

    matrix_records(w)
    return w.review_in.pk


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
    check_download(url_name, response, f"{role} GET {url}")
    if expected == 302 and role == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    if expected == 200:
        assert not iso_dates_read(response), (
            f"{role} GET {url} shows ISO dates: {iso_dates_read(response)}")


def test_admin_is_closed_to_every_non_staff_role(world: World) -> None:
    for role in ROLES:
        response = client_for(world.user(role)).get(reverse("admin:index"))
        assert response.status_code == 302, role
        assert "/admin/login/" in response["Location"]


ISO_DATE = re.compile(r"(?<![\w/-])\d{4}-\d{2}-\d{2}(?![\w-])")


def visible_text(html: str) -> str:
    """A page's text as read: no scripts, styles or attribute values (a date input's value or
    a ``<time datetime>`` may be ISO; what is read may not)."""
    html = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", html)
    return unescape(re.sub(r"(?s)<[^>]*>", " ", html))


def iso_dates_read(response: Any) -> list[str]:
    """Issue 19, item 13: every date a person reads in the GOV.UK style ("2 December 2026"),
    never "2026-12-02". The matrix checks it on every HTML page it is allowed to read, for
    every role, as it reads them."""
    if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
        return []
    return sorted(set(ISO_DATE.findall(visible_text(response.content.decode()))))


def test_the_date_check_finds_an_iso_date_a_person_reads_and_no_other() -> None:
    from django.http import HttpResponse

    page = HttpResponse('<p>Due <time datetime="2026-12-02">2 December 2026</time></p>'
                        '<script>var d = "2026-12-03";</script><a href="/x/2026-12-04/">x</a>')
    assert iso_dates_read(page) == []
    assert iso_dates_read(HttpResponse("<td>2026-12-02</td><td>ref 2026-12-02a</td>")) == [
        "2026-12-02"]
    assert iso_dates_read(HttpResponse("2026-12-02", content_type="text/csv")) == []
