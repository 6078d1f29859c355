"""Real servers for the operations tests, started on 127.0.0.1 and stopped by the tests:
moto's standalone S3-compatible server, gunicorn, a database of its own on the test's
PostgreSQL server, and, for the fault tests, a private redis-server and a private PostgreSQL
cluster that a test may stop, restart or kill. Plus signing in to a running server over
HTTP (requests)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
S3_KEYS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_DEFAULT_REGION": "us-east-1"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path,
                  seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited ({process.returncode}):\n"
                               + log.read_text()[-3000:])
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {port} after {seconds} s:\n" + log.read_text()[-3000:])


@contextmanager
def running(command: list[str], port: int, log: Path, env: dict[str, str] | None = None,
            ) -> Iterator[subprocess.Popen[bytes]]:
    """Start ``command`` (its own process group), wait for ``port``, stop it afterwards."""
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env or dict(os.environ), stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for_port(port, process, log)
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, 15)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
                process.wait(timeout=10)


@contextmanager
def moto_s3(log_dir: Path) -> Iterator[str]:
    """moto's standalone server (``moto_server``) on a free loopback port: its endpoint URL."""
    port = free_port()
    with running([str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)], port,
                 log_dir / f"moto-{port}.log", env={**os.environ, **S3_KEYS}):
        yield f"http://127.0.0.1:{port}"


def s3_client(endpoint: str) -> Any:
    import boto3

    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def new_bucket(endpoint: str) -> str:
    name = f"scr-test-{uuid.uuid4().hex[:12]}"
    s3_client(endpoint).create_bucket(Bucket=name)
    return name


def bucket_keys(endpoint: str, bucket: str) -> list[str]:
    pages = s3_client(endpoint).get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return sorted(o["Key"] for page in pages for o in page.get("Contents", []))


def s3_environment(endpoint: str, bucket: str) -> dict[str, str]:
    """What a process needs to store documents in ``bucket`` (scr/settings.py)."""
    return {**S3_KEYS, "DOCUMENT_STORAGE_BUCKET": bucket, "DOCUMENT_STORAGE_ENDPOINT": endpoint,
            "DOCUMENT_STORAGE_REGION": "us-east-1"}


# ---------------------------------------------------------------- PostgreSQL


def database_url(settings_dict: dict[str, Any], name: str | None = None) -> str:
    user = quote(str(settings_dict.get("USER") or ""), safe="")
    password = quote(str(settings_dict.get("PASSWORD") or ""), safe="")
    credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or "5432"
    return f"postgres://{credentials}{host}:{port}/{name or settings_dict['NAME']}"


def _admin(settings_dict: dict[str, Any]) -> Any:
    import psycopg

    return psycopg.connect(dbname="postgres", user=settings_dict.get("USER") or None,
                           password=settings_dict.get("PASSWORD") or None,
                           host=settings_dict.get("HOST") or None,
                           port=settings_dict.get("PORT") or None, autocommit=True)


@contextmanager
def fresh_database(settings_dict: dict[str, Any], prefix: str = "scr_restore") -> Iterator[str]:
    """An empty database on the same server (dropped afterwards): its name."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    assert re.fullmatch(r"[a-z0-9_]+", name)
    with _admin(settings_dict) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with _admin(settings_dict) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ---------------------------------------------------------------- the app


def app_environment(database: str, media_root: Path, **extra: str) -> dict[str, str]:
    """The app's environment for a subprocess: this test's database and storage, DEBUG on
    (plain cookie names over the loopback's HTTP), tasks in-process, no throttling."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DOCUMENT_STORAGE_", "PYTEST_", "DJANGO_"))}
    env.pop("CELERY_BROKER_URL", None)
    env.update({"DATABASE_URL": database, "MEDIA_ROOT": str(media_root), "DEBUG": "1",
                "SCR_TESTING": "1", "DJANGO_SETTINGS_MODULE": "scr.settings",
                "AXES_ENABLED": "0", "DB_CONN_MAX_AGE": "0", "PYTHONPATH": str(ROOT)})
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 600,
           ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout, check=False)


@contextmanager
def gunicorn(env: dict[str, str], log_dir: Path, workers: int = 2) -> Iterator[str]:
    """gunicorn (sync workers, two by default) serving the app on a free loopback port: its
    base URL."""
    port = free_port()
    with running([str(BIN / "gunicorn"), "scr.wsgi:application", "--bind", f"127.0.0.1:{port}",
                  "--worker-class", "sync", "--workers", str(workers), "--timeout", "60"],
                 port, log_dir / f"gunicorn-{port}.log", env=env):
        yield f"http://127.0.0.1:{port}"


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def sign_in(base: str, username: str, password: str) -> requests.Session:
    """Sign in through the sign-in page, as a browser would: the session cookie it sets."""
    session = requests.Session()
    page = session.get(f"{base}/sign-in/", timeout=30)
    assert page.status_code == 200, page.text[:500]
    done = session.post(f"{base}/sign-in/", data={
        "username": username, "password": password,
        "csrfmiddlewaretoken": csrf_token(page.text)}, allow_redirects=False, timeout=30)
    assert done.status_code == 302, done.text[:2000]
    assert "sessionid" in session.cookies
    return session


def with_cookie(base: str, session: requests.Session) -> requests.Session:
    """A new client carrying only ``session``'s session cookie, for another server."""
    other = requests.Session()
    other.cookies.set("sessionid", session.cookies["sessionid"],
                      domain=base.split("//", 1)[1].split(":", 1)[0])
    return other


# ---------------------------------------------------------------- private servers to break


class RedisServer:
    """A redis-server of the test's own on a free port, which the test stops and starts
    again (same port, same append-only file: what was queued survives a clean stop, as on a
    production broker with ``appendonly yes``)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, database: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        log = self.directory / "redis.log"
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                 "--dir", str(self.directory), "--appendonly", "yes", "--save", "",
                 "--protected-mode", "no"],
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        wait_for_port(self.port, self.process, log, seconds=30)

    def stop(self) -> None:
        """SIGTERM: redis writes its append-only file and exits; the port refuses at once."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process = None

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _postgres_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
                   key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    if not found:
        raise RuntimeError("no PostgreSQL server binaries under /usr/lib/postgresql")
    return found[-1].parent


class PostgresCluster:
    """A PostgreSQL cluster of the test's own (initdb in a temporary directory, a free port,
    trust authentication for the superuser ``scr``), which the test may restart under load.
    PostgreSQL refuses to run as root, so as root it runs as the ``postgres`` user."""

    def __init__(self) -> None:
        import tempfile

        self.bin = _postgres_bin()
        self.root = Path(tempfile.mkdtemp(prefix="scr-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            import shutil

            shutil.chown(self.root, "postgres", "postgres")
            self.root.chmod(0o700)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "scr", "-A", "trust",
                  "--no-sync", "-E", "UTF8", "--locale", "C")

    def _run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([*self.as_user, *command], capture_output=True, text=True,
                              timeout=120, check=False)
        if check and done.returncode != 0:
            raise RuntimeError(f"{command[0]} failed: {done.stdout}{done.stderr}"
                               + (self.log.read_text()[-2000:] if self.log.exists() else ""))
        return done

    def url(self, name: str) -> str:
        return f"postgres://scr@127.0.0.1:{self.port}/{name}"

    def _pg_ctl(self, action: str, *extra: str) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w",
                  "-t", "60", *extra, action, "-o",
                  f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off")

    def start(self) -> None:
        self._pg_ctl("start")

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("stop", "-m", mode)

    def restart(self, mode: str = "fast") -> None:
        """``fast``: every session is ended at once (the requests in flight lose their
        connection mid-transaction), then the server starts again."""
        self._pg_ctl("restart", "-m", mode)

    def copy_database(self, source_url: str, name: str) -> str:
        """A copy of ``source_url``'s database (schema and rows) here, as ``name``: its URL."""
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        dump = subprocess.run([str(self.bin / "pg_dump"), "--no-owner", "--no-privileges",
                               "-d", source_url], capture_output=True, check=True, timeout=300)
        subprocess.run([str(self.bin / "psql"), "-q", "-v", "ON_ERROR_STOP=1", "-d",
                        self.url(name)], input=dump.stdout, capture_output=True, check=True,
                       timeout=300)
        return self.url(name)

    def close(self) -> None:
        import shutil

        if (self.data / "postmaster.pid").exists():
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w",
                      "stop", check=False)
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PostgresCluster:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ---------------------------------------------------------------- Celery processes


class CeleryProcess:
    """``celery -A scr worker`` or ``beat`` as a process of its own (what production runs),
    on the environment given; ``kill()`` is a SIGKILL (no shutdown, nothing acknowledged)."""

    def __init__(self, kind: str, env: dict[str, str], log: Path, *, name: str = "w",
                 queues: str = "default,pdf", pool: str = "solo") -> None:
        if kind == "worker":
            args = ["worker", "-Q", queues, "--pool", pool, "-n", f"{name}@%h",
                    "--without-gossip", "--without-mingle"]
            if pool == "prefork":
                args += ["--concurrency", "1"]
        else:
            args = ["beat", "-s", str(log.parent / f"beat-schedule-{name}")]
        self.log = log.open("ab")
        self.process = subprocess.Popen([sys.executable, "-m", "celery", "-A", "scr", *args,
                                         "--loglevel", "INFO"], cwd=ROOT, env=env,
                                        stdout=self.log, stderr=self.log)

    def children(self) -> list[int]:
        """The pool's processes (prefork): their pids."""
        found = []
        for task in Path(f"/proc/{self.process.pid}/task").iterdir():
            children = (task / "children").read_text().split()
            found += [int(pid) for pid in children]
        return found

    def kill(self) -> None:
        self.process.send_signal(9)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


def worker_environment(*, broker: str, smtp_port: int | None = None,
                       **extra: str) -> dict[str, str]:
    """A worker's environment on the test's own database (committed data: transactional
    tests), this broker and, when given, a real SMTP server on the loopback."""
    from django.conf import settings
    from django.db import connection

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_"))}
    env.update({"DATABASE_URL": database_url(connection.settings_dict), "SCR_TESTING": "1",
                "CELERY_BROKER_URL": broker, "CELERY_RESULT_BACKEND": broker,
                "MEDIA_ROOT": str(settings.MEDIA_ROOT), "PYTHONPATH": str(ROOT)})
    if smtp_port is not None:
        env.update({"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp_port),
                    "EMAIL_USE_TLS": "0"})
    env.update(extra)
    return env
