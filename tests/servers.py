"""Real servers for the operations tests, started on 127.0.0.1 and stopped by the tests:
moto's standalone S3-compatible server, gunicorn, and a database of its own on the test's
PostgreSQL server. Plus signing in to a running server over HTTP (requests)."""

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
def gunicorn(env: dict[str, str], log_dir: Path) -> Iterator[str]:
    """gunicorn (two sync workers) serving the app on a free loopback port: its base URL."""
    port = free_port()
    with running([str(BIN / "gunicorn"), "scr.wsgi:application", "--bind", f"127.0.0.1:{port}",
                  "--worker-class", "sync", "--workers", "2", "--timeout", "60"],
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
