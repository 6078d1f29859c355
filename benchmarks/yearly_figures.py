"""Measure the yearly report's figures (issue 21): ``actionplans.selectors.period_figures``
over 5,000 reviews, for a reporting year, as a business manager and as a board member.

Target (issue 21): ≤ 1 s, and a number of queries that does not grow with the reviews.
Nothing here asserts a time; it prints (and writes ``benchmarks/results/yearly_figures.json``).

    DATABASE_URL=postgres://scr:scr@127.0.0.1:5432/scr .venv/bin/python \\
        benchmarks/yearly_figures.py [--reviews 5000] [--rounds 10] [--keep]

Seeds, once, into its own database ``<name>_yearlybench`` (``--keep`` reuses it), reviews
whose people became aware between 1 January 2020 and 31 October 2026 (so about 730 a year):
each with three or four people in its register (whose names its decision reasons and delay
explanations use: the figures pseudonymise them), a notification (a fifth late), a rapid
review decision (four in ten "review", some late), clock pauses (one review in eight,
some still open), delay explanations for the late clocks; reviews decided to review and
old enough are published 4 to 10 months after the decision (a final report received), with
three findings (one or two themes each), three recommendations, the board's response (one
in five responded to twice, the latest counts) and an action plan of two actions per
recommendation, half of them completed (on time or late), a third of those with evidence
of impact (some withdrawn). No learning briefings (their reach is one query however many).

The rows are written with ``bulk_create`` (no history rows: the figures never read them);
what is measured is the selector, not the seeding. The reporting year measured is
1 April 2025 to 31 March 2026 (``--year 2025``).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scr.settings")
os.environ.setdefault("SCR_TESTING", "1")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from actionplans.models import Action, ActionPlan, ActionStatus, ImpactEvidence  # noqa: E402
from actionplans.selectors import figure_records, period_figures  # noqa: E402
from agencies.models import Agency, User  # noqa: E402
from agencies.models.roles import Role  # noqa: E402
from agencies.services import agency_create, membership_create  # noqa: E402
from reviews.models import (  # noqa: E402
    BoardResponse,
    BoardResponseItem,
    ClockKind,
    ClockPause,
    DelayExplanation,
    Finding,
    Recommendation,
    Review,
    Stage,
    Subject,
    Theme,
)

FIRST_AWARE, LAST_AWARE = date(2020, 1, 1), date(2026, 10, 31)
TODAY = date(2026, 12, 8)
FIRST_NAMES = ["Kayden", "Amelia", "Noah", "Olivia", "Leo", "Isla", "Jack", "Ava", "Riley",
               "Mia", "Theo", "Freya", "Oscar", "Lily", "Harry", "Grace", "Alfie", "Evie",
               "Charlie", "Poppy", "Archie", "Sienna", "Louie", "Ivy", "Tommy", "Willow",
               "Reggie", "Esme", "Kai", "Aria", "Jayden", "Millie", "Tyler", "Rosie", "Mason",
               "Phoebe", "Logan", "Daisy", "Ethan", "Maisie"]
# Surnames made of two parts (20 × 16): a register's names are rarely another review's, as
# in life, so the anonymiser's caches of name variants do not flatter the figures.
SURNAMES = [a + b for a in ("Ash", "Black", "Brook", "Clay", "Fair", "Green", "Hart", "Hol",
                            "Kings", "Lang", "Mar", "North", "Pem", "Ross", "Stan", "Thorn",
                            "Wake", "West", "Whit", "Wood")
            for b in ("ley", "ton", "wood", "field", "by", "well", "more", "ford", "ham",
                      "worth", "brook", "combe", "hurst", "stone", "wick", "dale")]


def use_bench_database(*, keep: bool) -> None:
    """Point Django at ``<name>_yearlybench`` (created afresh, or reused with ``keep``)."""
    setup_test_environment()
    name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"{name}_yearlybench"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=keep,
                                       serialize=False)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}", flush=True)


def person(username: str, role: str, agency: Agency | None) -> User:
    found = User.objects.filter(username=username).first()
    if found is None:
        found = User.objects.create_user(username, password="bench-password-1")
        membership_create(by=None, user=found, role=role, agency=agency)
    return found


def at(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 12))


def seed(count: int, rng: random.Random) -> dict[str, User]:
    agencies = [Agency.objects.filter(name=name).first()
                or agency_create(by=None, name=name, kind=kind)
                for name, kind in (("Police", Agency.Kind.POLICE), ("Health", Agency.Kind.HEALTH),
                                   ("Children's social care",
                                    Agency.Kind.CHILDRENS_SOCIAL_CARE))]
    people = {"manager": person("bench-manager", Role.BUSINESS_MANAGER, None),
              "board": person("bench-board", Role.BOARD_MEMBER, None),
              "lead": person("bench-police", Role.AGENCY_LEAD, agencies[0])}
    if Review.objects.exists():
        return people
    started = time.perf_counter()
    span = (LAST_AWARE - FIRST_AWARE).days
    reviews, names = [], {}
    for i in range(count):
        aware = FIRST_AWARE + timedelta(days=rng.randint(0, span))
        surname = rng.choice(SURNAMES)
        child, mother = (f"{rng.choice(FIRST_NAMES)} {surname}" for _ in range(2))
        father = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
        names[i] = (child, mother, father)
        fields: dict[str, Any] = {"notification_sent_on": min(aware + timedelta(
            days=rng.randint(1, 6) if rng.random() < 0.8 else rng.randint(8, 15)), TODAY)}
        stage = Stage.RAPID_REVIEW
        if aware + timedelta(days=40) < TODAY:
            decision_date = aware + timedelta(days=rng.randint(14, 21) if rng.random() < 0.8
                                              else rng.randint(23, 40))
            decided_review = rng.random() < 0.4
            fields.update(decision_date=decision_date,
                          decision=Review.Decision.REVIEW if decided_review
                          else Review.Decision.NO_REVIEW,
                          decision_reasons=(
                              f"{child} was known to health visiting and to children's social "
                              f"care; {mother} had asked for help twice and {father} was not "
                              "known to the agencies that saw the child. The partnership "
                              f"{'agreed' if decided_review else 'did not agree'} that a local "
                              "review would add learning about information sharing."))
            stage = Stage.COMMISSIONING if decided_review else Stage.NO_REVIEW
            if decided_review:
                published = decision_date + timedelta(days=rng.randint(120, 300))
                if published < TODAY:
                    fields.update(final_report_received_on=published - timedelta(
                        days=rng.randint(20, 40)), published_on=published,
                        planned_publication_on=published,
                        national_panel_sent_report_on=published - timedelta(days=10))
                    stage = Stage.MONITORING if rng.random() < 0.7 else Stage.CLOSED
                else:
                    stage = Stage.ANALYSIS
        reviews.append(Review(
            reference=f"BENCH-{i:05d}", stage=stage, incident_date=aware - timedelta(days=2),
            aware_date=aware, what_happened=f"{child} was seriously harmed.",
            harm=rng.choice(Review.Harm.values), abuse_or_neglect=rng.choice(
                Review.AbuseNeglect.values), criteria_met=True, referring_agency=agencies[i % 3],
            **fields))
    Review.objects.bulk_create(reviews, batch_size=1000)
    reviews = list(Review.objects.order_by("reference"))
    subjects, pauses, explanations = [], [], []
    for i, review in enumerate(reviews):
        child, mother, father = names[i]
        surname = child.split()[1]
        subjects += [Subject(review=review, kind=Subject.Kind.CHILD, pseudonym="Child A",
                             full_name=child),
                     Subject(review=review, kind=Subject.Kind.PARENT, pseudonym="Mother",
                             full_name=mother),
                     Subject(review=review, kind=Subject.Kind.PARENT, pseudonym="Father",
                             full_name=father)]
        if rng.random() < 0.5:
            subjects.append(Subject(review=review, kind=Subject.Kind.SIBLING,
                                    pseudonym="Sibling 1",
                                    full_name=f"{rng.choice(FIRST_NAMES)} {surname}"))
        if rng.random() < 0.125:
            paused = review.aware_date + timedelta(days=rng.randint(3, 10))
            resumed = paused + timedelta(days=rng.randint(3, 20))
            pauses.append(ClockPause(review=review, clock=ClockKind.RAPID_REVIEW,
                                     reason="Police enquiry", paused_on=paused,
                                     resumed_on=resumed if resumed < TODAY else None))
        if review.decision_date and rng.random() < 0.1:
            paused = review.decision_date + timedelta(days=rng.randint(20, 90))
            if paused < TODAY:
                resumed = paused + timedelta(days=rng.randint(20, 90))
                pauses.append(ClockPause(
                    review=review, clock=ClockKind.FINAL_REPORT, reason="A criminal trial",
                    paused_on=paused, resumed_on=resumed if rng.random() < 0.8 else None))
        late = []
        if (review.notification_sent_on - review.aware_date).days > 7:
            late.append(ClockKind.NOTIFICATION)
        if review.decision_date and (review.decision_date - review.aware_date).days > 21:
            late.append(ClockKind.RAPID_REVIEW)
        if review.published_on and (review.published_on - review.decision_date).days > 183:
            late.append(ClockKind.FINAL_REPORT)
        explanations += [DelayExplanation(
            review=review, clock=clock, explanation=f"{child}'s social worker was on leave and {mother}'s "
            "statement was taken late.",
            recorded_on=review.aware_date + timedelta(days=30)) for clock in late
            if rng.random() < 0.9]
    Subject.objects.bulk_create(subjects, batch_size=2000)
    ClockPause.objects.bulk_create(pauses, batch_size=2000)
    DelayExplanation.objects.bulk_create(explanations, batch_size=2000)
    published = [r for r in reviews if r.published_on]
    seed_published(published, agencies, people, rng)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"seeded {len(reviews)} reviews ({len(published)} published), {len(pauses)} pauses, "
          f"{len(explanations)} delay explanations, {Action.objects.count()} actions in "
          f"{time.perf_counter() - started:.0f} s", flush=True)
    return people


def seed_published(published: list[Review], agencies: list[Agency], people: dict[str, User],
                   rng: random.Random) -> None:
    by, lead = people["manager"], people["lead"]
    themes = list(Theme.objects.all())
    findings = Finding.objects.bulk_create(
        [Finding(review=r, number=n, title=f"Finding {n}", statement="Not shared.",
                 why_it_matters="Widely.", created_by=by)
         for r in published for n in (1, 2, 3)], batch_size=2000)
    links = []
    for finding in findings:
        for theme in rng.sample(themes, rng.choice((1, 1, 2))):
            links.append(Finding.themes.through(finding_id=finding.pk, theme_id=theme.pk))
    Finding.themes.through.objects.bulk_create(links, batch_size=5000)
    recs = Recommendation.objects.bulk_create(
        [Recommendation(review=r, number=n, text=f"Recommendation {n}", outcome_expected="Better",
                        created_by=by) for r in published for n in (1, 2, 3)], batch_size=2000)
    by_review: dict[int, list[Recommendation]] = {}
    for rec in recs:
        by_review.setdefault(rec.review_id, []).append(rec)
    responses, items = [], []
    for review in published:
        for version in (1, 2) if rng.random() < 0.2 else (1,):
            day = review.published_on + timedelta(days=30 * version + rng.randint(0, 20))
            if day < TODAY:
                responses.append(BoardResponse(review=review, version=version,
                                               response="Accepted.", monitoring="Quarterly.",
                                               recorded_by=by, recorded_at=at(day)))
    BoardResponse.objects.bulk_create(responses, batch_size=2000)
    decisions = BoardResponseItem.Decision.values
    for response in responses:
        for rec in by_review[response.review_id]:
            items.append(BoardResponseItem(review_id=response.review_id, response=response,
                                           recommendation=rec,
                                           decision=rng.choices(decisions, (6, 3, 1))[0]))
    BoardResponseItem.objects.bulk_create(items, batch_size=5000)
    plans = {p.review_id: p for p in ActionPlan.objects.bulk_create(
        [ActionPlan(review=r, created_by=by) for r in published], batch_size=2000)}
    published_on = {r.pk: r.published_on for r in published}
    actions = []
    for rec in recs:
        for number in (1, 2):
            start = published_on[rec.review_id] + timedelta(days=20)
            target = start + timedelta(days=rng.randint(60, 300))
            fields: dict[str, Any] = {"status": rng.choice((ActionStatus.NOT_STARTED,
                                                  ActionStatus.IN_PROGRESS))}
            done = target + timedelta(days=rng.randint(-60, 60))
            if rng.random() < 0.5 and done < TODAY:
                fields = {"status": rng.choice((ActionStatus.COMPLETED, ActionStatus.VERIFIED)),
                          "completed_on": done}
            actions.append(Action(
                review_id=rec.review_id, plan=plans[rec.review_id], recommendation=rec,
                number=number, action_text="Audit the referrals.", lead_agency=agencies[0],
                owner=lead, start_date=start, original_target_date=target, target_date=target,
                success_measure="Referrals shared within a day.", created_by=by, **fields))
    Action.objects.bulk_create(actions, batch_size=2000)
    evidence = []
    for action in actions:
        if action.completed_on and rng.random() < 0.33:
            evidence.append(ImpactEvidence(
                review_id=action.review_id, action=action, title="Audit", file="bench/none",
                original_filename="audit.txt", content_type="text/plain", size=6, sha256="",
                version=1, uploaded_by=lead, uploaded_at=at(action.completed_on),
                withdrawn_at=at(action.completed_on) if rng.random() < 0.1 else None))
    ImpactEvidence.objects.bulk_create(evidence, batch_size=2000)


def measure(user: User, start: date, end: date, rounds: int) -> dict[str, Any]:
    """``period_figures`` ``rounds`` times, after one warm-up call (not counted: a server's
    process has its working-day calendar built), each as a new request would (the person
    read again, nothing cached on them)."""
    times: list[float] = []
    queries: set[int] = set()
    figures = period_figures(User.objects.get(pk=user.pk), start, end)
    for _ in range(rounds):
        fresh = User.objects.get(pk=user.pk)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            figures = period_figures(fresh, start, end)
            times.append((time.perf_counter() - started) * 1000)
        queries.add(len(captured))
    times.sort()
    return {"median_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[max(0, math.ceil(len(times) * 0.95) - 1)], 1),
            "queries": sorted(queries), "rounds": rounds, "figures": figures.values(),
            "reviews_in_period": len({pk for key in ("notifications", "rapid_reviews",
                                                     "published")
                                      for pk in figures[key].records}),
            "delay_reasons": len(figures.delay_reasons), "themes": len(figures.themes)}


def measure_records(user: User, key: str, start: date, end: date, rounds: int) -> dict[str, Any]:
    """The records behind one figure (its page: the figures, then those records' rows)."""
    times = []
    for _ in range(rounds):
        fresh = User.objects.get(pk=user.pk)
        started = time.perf_counter()
        _figure, rows = figure_records(fresh, key, start, end)
        times.append((time.perf_counter() - started) * 1000)
    return {"median_ms": round(statistics.median(times), 1), "rows": len(rows), "rounds": rounds}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reviews", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--year", type=int, default=2025, help="reporting year from 1 April")
    parser.add_argument("--seed-only", action="store_true", help="seed, measure nothing")
    parser.add_argument("--keep", action="store_true", help="reuse the seeded database")
    args = parser.parse_args()
    use_bench_database(keep=args.keep)
    people = seed(args.reviews, random.Random(21))
    if args.seed_only:
        return
    start, end = date(args.year, 4, 1), date(args.year + 1, 3, 31)
    results = {"reviews": Review.objects.count(), "period": [start.isoformat(), end.isoformat()],
               "business_manager": measure(people["manager"], start, end, args.rounds),
               "board_member": measure(people["board"], start, end, args.rounds),
               "records_behind_rapid_reviews": measure_records(
                   people["board"], "rapid_reviews", start, end, max(1, args.rounds // 3))}
    print(json.dumps(results, indent=2))
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "yearly_figures.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
