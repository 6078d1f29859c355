"""What each person's daily digest lists, worked out for a batch of people at once.

The queries are per batch, never per action or per person: one for the batch's memberships
and pauses, one for the actions they own, one for those actions' milestones, one for their
agencies' awaited evidence requests, and — once per batch, shared by every business
manager and senior lead in it — monitoring reviews due, review clocks at amber or red and
the escalations. Items carry references and pseudonyms only (never a name or free text
someone typed), so a digest never holds identifiable data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse

from actionplans.models import OPEN_STATUSES, Action, ActionPlan, Milestone, ReminderPause, SeniorLead
from actionplans.selectors.evidence import awaited_evidence_requests
from agencies.models import Membership, User
from agencies.models.roles import Role
from reviews.models import Publication, Review, Stage
from reviews.selectors.clocks import clock_label
from scr.notifications import digest_pending, digest_waiting_q
from scr.workdays import bank_holidays

__all__ = [
    "SECTIONS",
    "DigestItem",
    "digest_items_for",
    "digest_recipients",
    "is_quiet_day",
]

# Items per section of one digest; the rest is summed up ("and 12 more") with a link.
SECTION_LIMIT = 50

# (kind, heading) in the order the digest shows them.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("notification", "Handed on to you since your last digest"),
    ("action_overdue", "Your actions that are overdue"),
    ("action_due", "Your actions due soon"),
    ("milestone_due", "Milestones of your actions due"),
    ("evidence_due", "Evidence requested from your agency"),
    ("monitoring_due", "Action plan monitoring reviews due"),
    ("clock", "Review clocks at amber or red"),
    ("takedown", "Published reports due a takedown review"),
    ("escalation", "Overdue for longer than the escalation period"),
)


@dataclass(frozen=True)
class DigestItem:
    kind: str
    text: str
    path: str
    due: date | None = None
    review_id: int | None = None
    agency_id: int | None = None
    notification_id: int | None = None  # a hand-off notification this digest delivers

    def as_json(self) -> dict[str, Any]:
        # Written out rather than dataclasses.asdict, which deep-copies every value: the
        # daily sweep turns ~60,000 items into JSON (benchmarks/action_plans.py).
        return {"kind": self.kind, "text": self.text, "path": self.path,
                "due": self.due.isoformat() if self.due else None,
                "review_id": self.review_id, "agency_id": self.agency_id,
                "notification_id": self.notification_id}


@dataclass
class _Person:
    manager: bool = False
    lead_agencies: set[int] = field(default_factory=set)
    senior_lead_of: set[int] = field(default_factory=set)


def is_quiet_day(day: date) -> bool:
    """No digests on a quiet day (``REMINDER_QUIET_DAYS``: weekends, bank holidays)."""
    quiet = set(settings.REMINDER_QUIET_DAYS)
    return (("weekends" in quiet and day.weekday() >= 5)
            or ("bank_holidays" in quiet and day in bank_holidays(day.year)))


def _horizon(day: date) -> date:
    return day + timedelta(days=settings.REMINDER_LOOKAHEAD_DAYS)


def _escalation_cutoff(day: date) -> date:
    return day - timedelta(days=settings.REMINDER_ESCALATION_DAYS)


def digest_recipients(day: date) -> QuerySet[User]:
    """Everyone who may have something in today's digest, in one query: owners of open
    actions due by the horizon, agency leads, business managers and senior leads; active,
    with an e-mail address, and not paused."""
    horizon = _horizon(day)
    owns = Action._base_manager.filter(owner=OuterRef("pk"), status__in=OPEN_STATUSES,
                                       target_date__lte=horizon)
    member = Membership.objects.active(day).filter(
        user=OuterRef("pk"), role__in=[Role.BUSINESS_MANAGER, Role.AGENCY_LEAD])
    senior = SeniorLead._base_manager.filter(user=OuterRef("pk"))
    paused = ReminderPause.objects.in_force(day).filter(user=OuterRef("pk"))
    return (User.objects.filter(is_active=True).exclude(email="")
            .filter(Q(Exists(owns)) | Q(Exists(member)) | Q(Exists(senior))
                    | Q(digest_waiting_q(OuterRef("pk"))))
            .exclude(Exists(paused)).order_by("pk"))


def _people(ids: list[int], day: date) -> dict[int, _Person]:
    people = {pk: _Person() for pk in ids}
    for user_id, role, agency_id in Membership.objects.active(day).filter(
            user_id__in=ids).values_list("user_id", "role", "agency_id"):
        if role == Role.BUSINESS_MANAGER:
            people[user_id].manager = True
        elif role == Role.AGENCY_LEAD and agency_id:
            people[user_id].lead_agencies.add(agency_id)
    for user_id, agency_id in SeniorLead._base_manager.filter(user_id__in=ids).values_list(
            "user_id", "agency_id"):
        people[user_id].senior_lead_of.add(agency_id)
    return people


def _path(name: str, pk: int) -> str:
    """``reverse(name, args=[pk])`` for thousands of items: resolved once per URL name."""
    prefix = _PATHS.get(name)
    if prefix is None:
        prefix = _PATHS[name] = reverse(name, args=[987654321]).split("987654321")
    return f"{prefix[0]}{pk}{prefix[1]}"


_PATHS: dict[str, list[str]] = {}


def _action_text(row: dict[str, Any], what: str) -> str:
    return (f"{row['review__reference']} recommendation {row['recommendation__number']}, "
            f"action {row['number']} ({row['lead_agency__name']}): {what}")


ACTION_FIELDS = ("id", "owner_id", "review_id", "review__reference", "recommendation__number",
                 "number", "lead_agency_id", "lead_agency__name", "target_date")


def _owned_actions(ids: list[int], day: date) -> dict[int, list[DigestItem]]:
    items: dict[int, list[DigestItem]] = defaultdict(list)
    rows = (Action._base_manager.filter(owner_id__in=ids, status__in=OPEN_STATUSES,
                                        target_date__lte=_horizon(day))
            .order_by("target_date", "id").values(*ACTION_FIELDS))
    for row in rows:
        late = row["target_date"] < day
        items[row["owner_id"]].append(DigestItem(
            "action_overdue" if late else "action_due",
            _action_text(row, f"{'was due' if late else 'due'} {row['target_date']:%-d %B %Y}"),
            _path("action", row["id"]), row["target_date"], row["review_id"],
            row["lead_agency_id"]))
    return items


def _milestones(ids: list[int], day: date) -> dict[int, list[DigestItem]]:
    items: dict[int, list[DigestItem]] = defaultdict(list)
    rows = (Milestone._base_manager.filter(action__owner_id__in=ids, done=False,
                                           action__status__in=OPEN_STATUSES,
                                           due_on__lte=_horizon(day))
            .order_by("due_on", "id").values(
                "action_id", "action__owner_id", "review_id", "review__reference",
                "action__recommendation__number", "action__number", "due_on",
                "action__lead_agency_id"))
    for row in rows:
        items[row["action__owner_id"]].append(DigestItem(
            "milestone_due",
            f"{row['review__reference']} recommendation {row['action__recommendation__number']},"
            f" action {row['action__number']}: a milestone "
            f"{'was due' if row['due_on'] < day else 'is due'} {row['due_on']:%-d %B %Y}",
            _path("action", row["action_id"]), row["due_on"], row["review_id"],
            row["action__lead_agency_id"]))
    return items


def _evidence(agency_ids: set[int], day: date) -> dict[int, list[DigestItem]]:
    by_agency: dict[int, list[DigestItem]] = defaultdict(list)
    if not agency_ids:
        return by_agency
    for req in awaited_evidence_requests(agency_ids=agency_ids, due_by=_horizon(day)):
        when = "was due" if req.due_on < day else "due"
        by_agency[req.agency_id].append(DigestItem(
            "evidence_due", f"{req.reference}: {req.kind_label} from {req.agency}, {when} "
                            f"{req.due_on:%-d %B %Y}",
            _path("review_evidence", req.review_id), req.due_on, req.review_id,
            req.agency_id))
    return by_agency


def _manager_items(day: date) -> list[DigestItem]:
    """Shared by every business manager: monitoring reviews due, review clocks at amber or red
    (the review's stored next clock, kept by reviews' services) and published reports due
    their takedown review."""
    items = []
    for plan_review_id, ref, due in (ActionPlan._base_manager.filter(
            review__stage=Stage.MONITORING, next_monitoring_on__lte=_horizon(day))
            .order_by("next_monitoring_on").values_list("review_id", "review__reference",
                                                        "next_monitoring_on")):
        items.append(DigestItem("monitoring_due", f"{ref}: monitoring review of the action plan "
                                                  f"due {due:%-d %B %Y}",
                                _path("action_plan", plan_review_id), due,
                                plan_review_id))
    amber_by = day + timedelta(days=settings.CLOCK_AMBER_DAYS)
    for pk, ref, clock, due in (Review.objects.open().filter(next_due_on__lte=amber_by)
                                .order_by("next_due_on").values_list(
                                    "pk", "reference", "next_clock", "next_due_on")):
        rag = "red" if due is not None and due < day else "amber"
        items.append(DigestItem("clock", f"{ref}: {clock_label(clock) or 'clock'} ({rag}), due "
                                         f"{due:%-d %B %Y}", _path("review_clocks", pk),
                                due, pk))
    for pk, ref, due in (Publication._base_manager.filter(
            status=Publication.Status.PUBLISHED, takedown_review_on__lte=_horizon(day))
            .order_by("takedown_review_on").values_list("pk", "review__reference",
                                                        "takedown_review_on")):
        items.append(DigestItem("takedown", f"{ref}: decide whether the published report stays "
                                            f"on the website, due {due:%-d %B %Y}",
                                _path("publication_takedown_review", pk), due))
    return items


def _escalations(day: date, agency_id: int | None) -> list[DigestItem]:
    """Actions and evidence requests overdue for longer than ``REMINDER_ESCALATION_DAYS``:
    every agency's for business managers, one agency's for its senior lead. The oldest
    ``SECTION_LIMIT`` of each are listed and the rest counted, in SQL."""
    cutoff = _escalation_cutoff(day)
    actions = Action._base_manager.filter(status__in=OPEN_STATUSES, target_date__lt=cutoff)
    if agency_id is not None:
        actions = actions.filter(lead_agency_id=agency_id)
    items = [DigestItem("escalation", _action_text(row, f"overdue since "
                                                        f"{row['target_date']:%-d %B %Y}"),
                        _path("action", row["id"]), row["target_date"],
                        row["review_id"], row["lead_agency_id"])
             for row in actions.order_by("target_date", "id").values(*ACTION_FIELDS)[
                 :SECTION_LIMIT]]
    if len(items) == SECTION_LIMIT:
        more = actions.count() - SECTION_LIMIT
        if more:
            items.append(DigestItem("escalation", f"and {more} more overdue actions",
                                    reverse("actions_mine") + "?overdue=1", None, None, agency_id))
    agencies = None if agency_id is None else [agency_id]
    for req in awaited_evidence_requests(agency_ids=agencies, due_by=cutoff - timedelta(days=1)):
        items.append(DigestItem("escalation", f"{req.reference}: {req.kind_label} from "
                                              f"{req.agency}, overdue since {req.due_on:%-d %B %Y}",
                                _path("review_evidence", req.review_id), req.due_on,
                                req.review_id, req.agency_id))
    return items


def digest_items_for(ids: Iterable[int], day: date) -> dict[int, list[DigestItem]]:
    """Each person's digest items (empty list: nothing to send), by person."""
    ids = sorted(set(ids))
    people = _people(ids, day)
    owned, milestones = _owned_actions(ids, day), _milestones(ids, day)
    evidence = _evidence({a for p in people.values() for a in p.lead_agencies}, day)
    managers = any(p.manager for p in people.values())
    shared = _manager_items(day) + _escalations(day, None) if managers else []
    senior = {agency: _escalations(day, agency)
              for agency in sorted({a for p in people.values() for a in p.senior_lead_of})}
    waiting = digest_pending(ids)
    result: dict[int, list[DigestItem]] = {}
    for pk in ids:
        person = people[pk]
        items = [DigestItem("notification", n.text, n.path, None, None, None,
                            notification_id=n.pk) for n in waiting.get(pk, [])]
        items += owned.get(pk, []) + milestones.get(pk, [])
        for agency_id in sorted(person.lead_agencies):
            items += evidence.get(agency_id, [])
        if person.manager:
            items += shared
        else:
            for agency_id in sorted(person.senior_lead_of):
                items += senior[agency_id]
        result[pk] = _limit(items)
    return result


def _limit(items: list[DigestItem]) -> list[DigestItem]:
    """At most ``SECTION_LIMIT`` items per section, the rest counted ("and 12 more"), and
    duplicates dropped (an item reaches a person once per digest even if two rules find it)."""
    seen: set[tuple[str, str]] = set()
    counts: dict[str, int] = defaultdict(int)
    kept = []
    for item in items:
        key = (item.kind, item.path + item.text)
        if key in seen:
            continue
        seen.add(key)
        counts[item.kind] += 1
        if counts[item.kind] <= SECTION_LIMIT:
            kept.append(item)
    for kind, n in counts.items():
        if n > SECTION_LIMIT:
            kept.append(DigestItem(kind, f"and {n - SECTION_LIMIT} more",
                                   reverse("actions_mine") if kind.startswith(("action", "mile"))
                                   else reverse("notifications") if kind == "notification"
                                   else reverse("review_list")))
    return kept
