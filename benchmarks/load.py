"""Load run: gunicorn (DEBUG off, sync workers) under N concurrent signed-in users.

Signs in the six demo users (round robin, one session per simulated user), finds the pages
each may open, then for ``--seconds`` walks a mix of them (home, review list, a review,
its history, board, people, agencies, access log) as fast as answers come back; then the
same load on a bare signed-in page with only the base layout, the ceiling, in the same run.
Prints requests/s, p50/p95/p99 and errors for both, per page, and the ratio.

Loopback only (the server is started here, on 127.0.0.1), bounded in time and count,
stops by itself. Its own PostgreSQL database (created, migrated and seeded if missing):

    .venv/bin/python benchmarks/load.py [--users 50] [--seconds 60] [--workers 3]

See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEMO_USERS = ("manager", "reviewer", "panel", "police", "health", "board")  # README, seed_demo
DEMO_PASSWORD = "demo-password-2026"  # published in the README on purpose
CANDIDATE_PAGES = ("/", "/reviews/", "/reviews/{review}/", "/reviews/{review}/history/",
                   "/board/", "/people/", "/agencies/", "/access-log/")
BARE_PAGE = "/__bench__/bare/"
MAX_REQUESTS = 200_000  # per phase, whatever the time: the run always stops by itself


def server_env(database_url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "DEBUG": "0", "DEMO_MODE": "1",
            "SECRET_KEY": "load-benchmark-only-" + "x" * 40, "ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SETTINGS_MODULE": "benchmarks.bench_settings", "PYTHONPATH": str(ROOT)}


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def prepare_database(database_url: str, volume: int) -> None:
    """Create the benchmark's own database if missing, migrate, seed the demo and volume."""
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")
    env = server_env(database_url)
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo")
    manage(env, "collectstatic", "--noinput")
    if volume:
        # Volume through the real services, as benchmarks/run_all.py seeds it (idempotent).
        code = ("import random, benchmarks.run_all as r; m, _, a = r.people(); "
                f"r.seed({volume}, m, a, random.Random(20261125))")
        subprocess.run([PYTHON, "-c", code], cwd=ROOT, env={**env, "SCR_TESTING": "1"},
                       check=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_gunicorn(database_url: str, port: int, workers: int, log: Path) -> subprocess.Popen[bytes]:
    command = [str(Path(PYTHON).with_name("gunicorn")), "scr.wsgi:application",
               "--bind", f"127.0.0.1:{port}", "--worker-class", "sync",
               "--workers", str(workers), "--timeout", "60", "--log-level", "warning"]
    with log.open("wb") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=server_env(database_url),
                                  stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    for _ in range(150):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit(f"gunicorn did not start; see {log}")


@dataclass
class Session:
    """One simulated user: a demo login with its own cookies, talking to one server."""

    port: int
    username: str
    cookies: dict[str, str] = field(default_factory=dict)
    pages: list[str] = field(default_factory=list)

    def request(self, method: str, path: str, body: dict[str, str] | None = None,
                ) -> tuple[int, bytes, dict[str, str]]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Connection": "close", "Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            content = response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, content, dict(response.headers)
        finally:
            conn.close()

    def sign_in(self) -> None:
        status, page, _ = self.request("GET", "/sign-in/")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not match:
            raise RuntimeError(f"sign-in page for {self.username}: {status}")
        status, _, _ = self.request("POST", "/sign-in/", {
            "csrfmiddlewaretoken": match.group(1).decode(), "username": self.username,
            "password": DEMO_PASSWORD})
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"{self.username} could not sign in ({status}): is DEMO_MODE on?")

    def discover(self) -> None:
        """The candidate pages this role may open (200), one request each (warms them up)."""
        _, listing, _ = self.request("GET", "/reviews/")
        found = re.search(rb'href="/reviews/(\d+)/"', listing)
        review = found.group(1).decode() if found else None
        for template in CANDIDATE_PAGES:
            if "{review}" in template and review is None:
                continue
            path = template.format(review=review)
            if self.request("GET", path)[0] == 200:
                self.pages.append(path)


@dataclass
class Phase:
    name: str
    seconds: float
    samples: list[tuple[str, float, bool]] = field(default_factory=list)  # page, ms, ok
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lock: threading.Lock = field(default_factory=threading.Lock)
    elapsed: float = 0.0


def user_loop(session: Session, phase: Phase, pages: list[str], deadline: float,
              rng: random.Random) -> None:
    while time.monotonic() < deadline and len(phase.samples) < MAX_REQUESTS:
        page = rng.choice(pages)
        started = time.perf_counter()
        try:
            status = session.request("GET", page)[0]
            ok, why = status == 200, f"HTTP {status}"
        except OSError as error:
            ok, why = False, type(error).__name__
        ms = (time.perf_counter() - started) * 1000
        with phase.lock:
            phase.samples.append((page, ms, ok))
            if not ok:
                phase.errors[why] += 1


def run_phase(phase: Phase, sessions: list[Session], bare: bool) -> None:
    started = time.monotonic()
    deadline = started + phase.seconds
    threads = [threading.Thread(target=user_loop, daemon=True,
                                args=(s, phase, [BARE_PAGE] if bare else s.pages, deadline,
                                      random.Random(i)))
               for i, s in enumerate(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=phase.seconds + 60)
    phase.elapsed = time.monotonic() - started


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def summarise(phase: Phase) -> dict[str, object]:
    times = [ms for _, ms, _ in phase.samples]
    by_page: dict[str, list[float]] = defaultdict(list)
    for page, ms, _ in phase.samples:
        by_page[re.sub(r"/\d+/", "/<id>/", page)].append(ms)
    return {
        "requests": len(times), "seconds": round(phase.elapsed, 1),
        "requests_per_s": round(len(times) / phase.elapsed, 1),
        "p50_ms": round(statistics.median(times), 1), "p95_ms": round(percentile(times, 0.95), 1),
        "p99_ms": round(percentile(times, 0.99), 1),
        "errors": sum(phase.errors.values()), "error_kinds": dict(phase.errors),
        "pages": {page: {"requests": len(v), "p50_ms": round(statistics.median(v), 1),
                         "p95_ms": round(percentile(v, 0.95), 1)}
                  for page, v in sorted(by_page.items())},
    }


def print_phase(title: str, result: dict[str, object]) -> None:
    print(f"{title}: {result['requests_per_s']} requests/s ({result['requests']} in "
          f"{result['seconds']} s), p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, "
          f"p99 {result['p99_ms']} ms, errors {result['errors']} {result['error_kinds'] or ''}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60, help="length of the mixed phase")
    parser.add_argument("--ceiling-seconds", type=float, default=30,
                        help="length of the bare-page phase")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--volume", type=int, default=500,
                        help="reviews seeded beside the demo data (kept between runs)")
    parser.add_argument("--database-url", default=os.environ.get(
        "LOAD_DATABASE_URL", "postgres://scr:scr@127.0.0.1:5432/scr_load"))
    args = parser.parse_args()
    if urlsplit(args.database_url).hostname not in {"127.0.0.1", "localhost"}:
        raise SystemExit("the load benchmark only runs against this machine")

    prepare_database(args.database_url, args.volume)
    results_dir = ROOT / "benchmarks" / "results"
    results_dir.mkdir(exist_ok=True)
    port = free_port()
    server = start_gunicorn(args.database_url, port, args.workers, results_dir / "gunicorn.log")
    try:
        sessions = [Session(port, DEMO_USERS[i % len(DEMO_USERS)]) for i in range(args.users)]
        for session in sessions:
            session.sign_in()
            session.discover()
        roles = {s.username: s.pages for s in sessions}
        print(f"{args.users} users signed in on gunicorn ({args.workers} sync workers, DEBUG off),"
              f" pages by role: {json.dumps(roles)}")
        mixed = Phase("mixed", args.seconds)
        run_phase(mixed, sessions, bare=False)
        ceiling = Phase("ceiling", args.ceiling_seconds)
        run_phase(ceiling, sessions, bare=True)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    report = {"users": args.users, "workers": args.workers, "mixed": summarise(mixed),
              "ceiling_bare_page": summarise(ceiling)}
    report["mixed_over_ceiling"] = round(
        report["mixed"]["requests_per_s"] / report["ceiling_bare_page"]["requests_per_s"], 2)
    for page, figures in report["mixed"]["pages"].items():
        print(f"  {page:32} {figures}")
    print_phase("mixed pages  ", report["mixed"])
    print_phase("bare (ceiling)", report["ceiling_bare_page"])
    print(f"mixed / ceiling: {report['mixed_over_ceiling']:.0%} of the base layout's throughput "
          "(targets: >= 150 requests/s, p95 <= 400 ms, about 80% of the ceiling)")
    (results_dir / "load.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
