"""Action plans at volume: the daily reminder sweep and the board's action-plan page.

    DATABASE_URL=postgres://scr:scr@127.0.0.1:5432/scr .venv/bin/python benchmarks/action_plans.py

Seeds (in ``<name>_bench``, kept with ``--keep``) 2,000 people (agency leads of 8 agencies,
and 2 business managers), 500 reviews at Monitoring with 4 recommendations each, and open
actions owned by those people, in two steps (``--small`` 20,000, then ``--actions``
100,000), a quarter of them with a milestone. The seeding is a benchmark-only fast path
(simple-history's ``bulk_create_with_history``: rows and their history rows in bulk); the
app itself never writes past its services.

After each step it measures:

- the daily sweep (``actionplans.tasks.send_daily_digests`` run in-process, batches of
  ``REMINDER_BATCH_SIZE``) sending every digest through Django's SMTP backend to a real
  SMTP server on localhost (aiosmtpd, in its own process as a relay would be): wall time,
  SQL queries (total, per batch, per digest), peak Python memory (tracemalloc) and the
  process's max RSS; then the same sweep again (everything already sent: nothing may go twice);
- the board's page (``/board/actions/``) as a board member: queries, median and p95 server
  time over ``--requests`` requests (Django test client: server time, no network).

Results go to ``benchmarks/results/action_plans.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import random
import resource
import socket
import statistics
import subprocess
import sys
import time
import tracemalloc
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

# isort: off
import run_all  # first: sets up Django (scr.settings)
# isort: on
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from actionplans import tasks
from actionplans.models import Action, ActionPlan, Digest, Milestone
from actionplans.selectors.digests import digest_items_for
from agencies.models import Agency, Membership, User
from agencies.models.roles import Role
from reviews.models import Recommendation, Review, Stage
from scr.celery import app as celery_app
from scr.models import ReminderSent

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.actionplans.smtp import free_port  # noqa: E402

PEOPLE, REVIEWS, RECS_PER_REVIEW, AGENCIES = 2000, 500, 4, 8
DAY = date(2026, 12, 2)  # a Wednesday: a working day


def seed_people() -> tuple[list[User], list[Agency], User]:
    agencies = [Agency.objects.get_or_create(name=f"Bench agency {i}",
                                             defaults={"kind": Agency.Kind.OTHER})[0]
                for i in range(AGENCIES)]
    have = User.objects.filter(username__startswith="bench-lead-").count()
    if have < PEOPLE:
        password = make_password("bench-password")
        users = bulk_create_with_history([User(
            username=f"bench-lead-{i:04d}", email=f"bench-lead-{i:04d}@example.invalid",
            first_name="Lead", last_name=f"{i:04d}", password=password)
            for i in range(have, PEOPLE)], User, batch_size=1000)
        users = list(User.objects.filter(username__in=[u.username for u in users]))
        bulk_create_with_history([Membership(
            user=u, agency=agencies[int(u.username[-4:]) % AGENCIES], role=Role.AGENCY_LEAD,
            active_from=date(2020, 1, 1)) for u in users], Membership, batch_size=1000)
    for name in ("bench-manager-1", "bench-manager-2"):
        manager, made = User.objects.get_or_create(
            username=name, defaults={"email": f"{name}@example.invalid"})
        if made:
            Membership.objects.create(user=manager, role=Role.BUSINESS_MANAGER,
                                      active_from=date(2020, 1, 1))
    board, made = User.objects.get_or_create(username="bench-board",
                                             defaults={"email": "bench-board@example.invalid"})
    if made:
        Membership.objects.create(user=board, role=Role.BOARD_MEMBER, active_from=date(2020, 1, 1))
    leads = list(User.objects.filter(username__startswith="bench-lead-").order_by("username"))
    return leads, agencies, board


def seed_reviews(agencies: list[Agency], by: User) -> list[Recommendation]:
    have = Review.objects.filter(reference__startswith="BENCH-").count()
    if have < REVIEWS:
        today = timezone.localdate()
        reviews = bulk_create_with_history([Review(
            reference=f"BENCH-{i:04d}", stage=Stage.MONITORING, incident_date=date(2025, 1, 1),
            aware_date=date(2025, 1, 2), what_happened="Bench", harm=Review.Harm.SERIOUS_HARM,
            abuse_or_neglect=Review.AbuseNeglect.SUSPECTED, referring_agency=agencies[0],
            decision=Review.Decision.REVIEW, decision_date=date(2025, 2, 1),
            published_on=today - timedelta(days=30)) for i in range(have, REVIEWS)],
            Review, batch_size=500)
        reviews = list(Review.objects.filter(reference__in=[r.reference for r in reviews]))
        bulk_create_with_history([Recommendation(
            review=r, number=n, text=f"Recommendation {n}", outcome_expected="Better",
            created_by=by) for r in reviews for n in range(1, RECS_PER_REVIEW + 1)],
            Recommendation, batch_size=1000)
        bulk_create_with_history([ActionPlan(review=r, created_by=by,
                                             next_monitoring_on=DAY + timedelta(days=r.pk % 60))
                                  for r in reviews], ActionPlan, batch_size=500)
    return list(Recommendation.objects.filter(review__reference__startswith="BENCH-")
                .select_related("review").order_by("pk"))


def seed_actions(target: int, leads: list[User], recs: list[Recommendation], by: User,
                 rng: random.Random) -> float:
    started = time.perf_counter()
    have = Action.objects.filter(review__reference__startswith="BENCH-").count()
    plans = dict(ActionPlan.objects.values_list("review_id", "pk"))
    agency_of = dict(Membership.objects.filter(user__in=leads).values_list("user_id", "agency_id"))
    chunk = 10_000
    while have < target:
        n = min(chunk, target - have)
        actions = []
        for i in range(have, have + n):
            rec = recs[i % len(recs)]
            owner = leads[i % len(leads)]
            target_date = DAY + timedelta(days=rng.randint(-60, 120))
            actions.append(Action(
                review_id=rec.review_id, plan_id=plans[rec.review_id], recommendation=rec,
                number=i // len(recs) + 1, scope="local", action_text="Bench action",
                lead_agency_id=agency_of[owner.pk], owner=owner,
                start_date=DAY - timedelta(days=200), original_target_date=target_date,
                target_date=target_date, success_measure="Bench",
                status=rng.choice(["not_started", "in_progress"]), created_by=by))
        made = bulk_create_with_history(actions, Action, batch_size=2000)
        saved = Action.objects.filter(review__reference__startswith="BENCH-").order_by(
            "-pk")[:n].values_list("pk", "review_id", "target_date")
        bulk_create_with_history([Milestone(review_id=r, action_id=pk, description="Bench",
                                            due_on=t - timedelta(days=30))
                                  for pk, r, t in saved if pk % 4 == 0], Milestone,
                                 batch_size=2000)
        have += len(made)
        print(f"  {have} actions", flush=True)
    return time.perf_counter() - started


class QueryCount:
    """Counts every SQL statement (CaptureQueriesContext keeps only the last 9,000)."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        self.n += 1
        return execute(sql, params, many, context)

    def __len__(self) -> int:
        return self.n


def counting():  # type: ignore[no-untyped-def]
    counter = QueryCount()
    return counter, connection.execute_wrapper(counter)


class _Counting:
    """An aiosmtpd handler that accepts every message, counts its recipients and notes when
    it accepted the last one (``time.monotonic``: one clock for every process)."""

    def __init__(self, total, last) -> None:  # type: ignore[no-untyped-def]
        self.total, self.last = total, last

    async def handle_DATA(self, server, session, envelope) -> str:  # type: ignore[no-untyped-def]
        with self.total.get_lock():
            self.total.value += len(envelope.rcpt_tos)
            self.last.value = time.monotonic()
        return "250 Message accepted for delivery"


def _serve(port: int, total, last, stop) -> None:  # type: ignore[no-untyped-def]
    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # not a line per SMTP command
    controller = Controller(_Counting(total, last), hostname="127.0.0.1", port=port)
    controller.start()
    stop.wait()
    controller.stop()


@contextmanager
def smtp_process():  # type: ignore[no-untyped-def]
    """A real SMTP server (aiosmtpd) in its own process, as a mail relay is in production:
    in this process it would take the interpreter from the sweep at every SMTP command."""
    context = multiprocessing.get_context("fork")
    port, total, last = free_port(), context.Value("i", 0), context.Value("d", 0.0)
    stop = context.Event()
    server = context.Process(target=_serve, args=(port, total, last, stop), daemon=True)
    server.start()
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    try:
        yield port, total, last
    finally:
        stop.set()
        server.join(10)


def sweep(repeat: bool = False, trace: bool = False) -> dict[str, object]:
    """The daily sweep through real SMTP; ledger rows of the day cleared first unless
    ``repeat`` (then nothing may be sent). With ``trace``, Python's peak memory too
    (tracemalloc slows every allocation, so the times of such a run are not comparable)."""
    if not repeat:
        Digest._base_manager.filter(day=DAY).delete()  # sent or not
        ReminderSent.objects.filter(kind="daily_digest", period=DAY.isoformat()).delete()
    with smtp_process() as (port, total, last), override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port, EMAIL_USE_TLS=False):
        if trace:
            tracemalloc.start()
        started, started_monotonic = time.perf_counter(), time.monotonic()
        captured, wrapper = counting()
        with wrapper:
            batches = tasks.send_daily_digests(DAY.isoformat())
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] if trace else 0
        tracemalloc.stop()
        sent = total.value
        to_smtp = last.value - started_monotonic if sent else None
    return {"seconds": round(seconds, 2),
            "seconds_to_last_message_at_smtp": round(to_smtp, 2) if to_smtp else None,
            "batches": batches, "digests_sent": sent,
            "ms_per_digest": round(seconds * 1000 / sent, 1) if sent else None,
            "queries": len(captured),
            "queries_per_digest": round(len(captured) / sent, 2) if sent else None,
            "queries_per_batch_besides_one_per_digest": round(
                (len(captured) - sent) / batches, 1) if batches else None,
            "peak_python_mb": round(peak / 2**20, 1) if trace else None,
            "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def sweep_with_workers(workers: int, concurrency: int, broker: str,
                       expected: int) -> dict[str, object]:
    """The daily sweep as deployed: ``workers`` real ``celery worker`` processes (each
    ``--concurrency``; docker-compose runs 2 × 2) on the real Redis broker, on this database,
    sending to the SMTP server; timed from queueing ``send_daily_digests`` until the server
    has accepted ``expected`` digests (the in-process sweep's count). Worker start-up is not
    timed. Redis database ``broker`` is emptied first: give the benchmark its own."""
    import redis

    Digest._base_manager.filter(day=DAY).delete()
    ReminderSent.objects.filter(kind="daily_digest", period=DAY.isoformat()).delete()
    redis.Redis.from_url(broker).flushdb()
    db = connection.settings_dict
    url = (f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
           f"{db['PORT'] or 5432}/{db['NAME']}")
    log_path = ROOT / "benchmarks" / "results" / "action_plans_workers.log"
    log = log_path.open("wb")
    with smtp_process() as (port, total, last):
        env = {**os.environ, "DATABASE_URL": url, "CELERY_BROKER_URL": broker,
               "DEBUG": "0", "SECRET_KEY": "benchmark-only-not-a-secret-0123456789abcdef",
               "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(port), "EMAIL_USE_TLS": "0"}
        processes = [subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "scr", "worker", "-Q", "default",
             "--concurrency", str(concurrency), "-n", f"bench{i}@%h", "--without-gossip",
             "--without-mingle", "--loglevel", "INFO"], cwd=ROOT, env=env, stdout=log,
            stderr=log) for i in range(workers)]
        try:
            deadline = time.monotonic() + 180
            while log_path.read_bytes().count(b" ready.") < workers:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the workers did not start: see {log_path}")
                time.sleep(0.2)
            celery_app.conf.task_always_eager = False  # this once, to the broker
            try:
                with celery_app.connection_for_write(broker) as broker_connection:
                    started = time.monotonic()
                    tasks.send_daily_digests.apply_async(args=[DAY.isoformat()],
                                                         connection=broker_connection)
            finally:
                celery_app.conf.task_always_eager = True
            deadline = time.monotonic() + 600
            while total.value < expected and time.monotonic() < deadline:
                time.sleep(0.05)
            sent = total.value
            seconds = last.value - started if sent else None
            time.sleep(2)  # anything more would be a duplicate
            duplicates = total.value - expected
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=30)
            log.close()
    return {"workers": workers, "concurrency": concurrency, "digests_sent": sent,
            "seconds_to_last_message_at_smtp": round(seconds, 2) if seconds else None,
            "more_than_expected": duplicates,
            "digests_recorded": Digest.objects.filter(day=DAY).count()}


def batch_selection_queries(leads: list[User]) -> int:
    """Queries to work out one batch's digests (no sending): the same at any volume."""
    ids = [u.pk for u in leads[: settings.REMINDER_BATCH_SIZE]]
    captured, wrapper = counting()
    with wrapper:
        digest_items_for(ids, DAY)
    return len(captured)


def board(board_user: User, requests: int) -> dict[str, object]:
    client = Client()
    client.force_login(board_user, backend="agencies.services.account.DemoAwareModelBackend")
    client.get("/board/actions/")  # warm: the session and the person's memberships
    captured, wrapper = counting()
    with wrapper:
        assert client.get("/board/actions/").status_code == 200
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get("/board/actions/")
        times.append((time.perf_counter() - started) * 1000)
    return {"queries": len(captured), "median_ms": round(statistics.median(times), 1),
            "p95_ms": round(sorted(times)[round(0.95 * len(times)) - 1], 1)}


def measure(label: str, leads: list[User], board_user: User, requests: int,
            trace: bool, sweeps: int = 1, workers: int = 0, concurrency: int = 2,
            broker: str = "") -> dict[str, object]:
    opened = Action.objects.filter(status__in=["not_started", "in_progress"]).count()
    runs = sorted((sweep(trace=trace) for _ in range(max(sweeps, 1))),
                  key=lambda run: float(run["seconds"]))  # type: ignore[arg-type]
    median = runs[len(runs) // 2]
    result = {"load_average": [round(x, 1) for x in os.getloadavg()], "open_actions": opened,
              "people": len(leads),
              "reviews": Review.objects.filter(reference__startswith="BENCH-").count(),
              "batch_selection_queries": batch_selection_queries(leads),
              "sweep": median, "sweep_seconds_each": [run["seconds"] for run in runs],
              "sweep_again": sweep(repeat=True),
              "board": board(board_user, requests)}
    if workers:
        result["sweep_with_workers"] = sweep_with_workers(
            workers, concurrency, broker, int(median["digests_sent"]))  # type: ignore[call-overload]
    print(f"{label}: {json.dumps(result, indent=2)}", flush=True)
    print(f"{label}: {median['digests_sent']} digests, {median['queries_per_digest']} SQL "
          f"statements per digest, last message at the SMTP server after "
          f"{median['seconds_to_last_message_at_smtp']} s, sweep {median['seconds']} s "
          f"(load average {result['load_average'][0]})", flush=True)
    if workers:
        deployed = result["sweep_with_workers"]
        print(f"{label}: with {workers} workers × {concurrency}: last message at the SMTP "
              f"server after {deployed['seconds_to_last_message_at_smtp']} s "  # type: ignore[index]
              f"({deployed['digests_sent']} digests)", flush=True)  # type: ignore[index]
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--actions", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="reuse the seeded database")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="also Python's peak memory during the sweep (slows it)")
    parser.add_argument("--sweeps", type=int, default=1,
                        help="time the sweep this many times at each volume")
    parser.add_argument("--workers", type=int, default=0,
                        help="also time the sweep through this many real Celery workers")
    parser.add_argument("--concurrency", type=int, default=2, help="processes per worker")
    parser.add_argument("--broker", default=os.environ.get("BENCH_BROKER_URL", ""),
                        help="Redis for --workers (emptied first): e.g. "
                             "redis://127.0.0.1:6379/14")
    args = parser.parse_args()
    if args.workers and not args.broker:
        parser.error("--workers needs --broker (a Redis database the benchmark may empty)")

    run_all.use_bench_database(keep=args.keep)
    celery_app.conf.task_always_eager = True  # the sweep's batches run in this process
    rng = random.Random(20261202)
    leads, agencies, board_user = seed_people()
    manager = User.objects.get(username="bench-manager-1")
    recs = seed_reviews(agencies, manager)
    results = {}
    have = Action.objects.filter(review__reference__startswith="BENCH-").count()
    for step in (args.small, args.actions):
        if step < have:
            continue  # --keep with more already seeded: measure the larger volume only
        seconds = seed_actions(step, leads, recs, manager, rng)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would after a bulk load
        print(f"seeded {step} actions ({seconds:.0f}s)", flush=True)
        with override_settings(DEBUG=False):
            results[str(step)] = measure(f"{step} actions", leads, board_user, args.requests,
                                         args.tracemalloc, args.sweeps, args.workers,
                                         args.concurrency, args.broker)
    out = ROOT / "benchmarks" / "results" / "action_plans.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
