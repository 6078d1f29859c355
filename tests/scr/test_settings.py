"""The settings module: embedded default with no environment, strict production."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps([s.DEBUG, s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, "
    "s.EMAIL_BACKEND]))"
)


def run_python(code: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    base = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "scr.settings"}
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env={**base, **env},
                          capture_output=True, text=True, timeout=60, check=False)


def test_embedded_default_boots_with_no_environment_at_all() -> None:
    result = run_python(PROBE, {})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        '[true, "django.db.backends.sqlite3", true, '
        '"django.core.mail.backends.console.EmailBackend"]'
    )


def test_production_settings_refuse_to_start_without_secret_key() -> None:
    result = run_python(PROBE, {"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_database_url_and_broker_url_switch_to_postgres_and_a_real_broker() -> None:
    result = run_python(PROBE, {"DATABASE_URL": "postgres://u@127.0.0.1:5432/x",
                                "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0"})
    assert result.returncode == 0, result.stderr
    assert '"django.db.backends.postgresql", false' in result.stdout


def test_check_deploy_with_production_settings_reports_nothing() -> None:
    env = {"DEBUG": "0", "SECRET_KEY": "x" * 30 + "production-grade-secret-value-123456789",
           "ALLOWED_HOSTS": "reviews.example.org"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=ROOT, env={"PATH": os.environ["PATH"], **env},
        capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_unknown_vocabulary_is_refused() -> None:
    result = run_python(PROBE, {"REVIEW_VOCABULARY": "SAR"})
    assert result.returncode != 0
    assert "REVIEW_VOCABULARY must be SCR or LCSPR" in result.stderr


def _migrated_before(database: Path, request: pytest.FixtureRequest) -> Path | None:
    """Outside CI: copy to ``database`` the SQLite database this test migrated on an earlier
    run with the same migrations (tests/dbtemplate.py ``migrations_key``), so that
    ``migrate`` has nothing left to apply (migrating from nothing takes some 25 seconds of
    CPU). Returns where to keep a newly migrated one, or None (CI, or no pytest cache): then
    the database is migrated from nothing, every time."""
    from tests.dbtemplate import migrations_key

    cache = getattr(request.config, "cache", None)
    if cache is None or os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
        return None
    kept = cache.mkdir("scr-sqlite-migrated") / f"{migrations_key()}.sqlite3"
    if kept.exists():
        shutil.copyfile(kept, database)
        return None
    return kept


def _keep(database: Path, kept: Path | None) -> None:
    if kept is None:
        return
    for older in kept.parent.glob("*.sqlite3"):
        older.unlink()
    partial = kept.with_suffix(f".{os.getpid()}.partial")
    shutil.copyfile(database, partial)
    partial.replace(kept)


def test_embedded_default_serves_the_sign_in_page_and_its_styles(
        tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """What `make run` starts: runserver on SQLite with no other environment."""
    import socket
    import time
    import urllib.request

    database = tmp_path / "db.sqlite3"
    kept = _migrated_before(database, request)
    env = {"PATH": os.environ["PATH"], "DATABASE_URL": f"sqlite:///{database}"}
    migrate = subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT,
                             env=env, capture_output=True, text=True, timeout=180, check=False)
    assert migrate.returncode == 0, migrate.stderr
    _keep(database, kept)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen([sys.executable, "manage.py", "runserver", "--noreload",
                               f"127.0.0.1:{port}"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                page = urllib.request.urlopen(f"{base}/sign-in/", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError("runserver did not answer")
        assert page.status == 200
        assert b"Sign in" in page.read()
        css = urllib.request.urlopen(f"{base}/static/css/app.css", timeout=5)
        assert css.status == 200
        assert b"govuk-header" in css.read()
    finally:
        server.terminate()
        server.wait(timeout=10)


# ---------------------------------------------------------------- cache and site address

CACHE_PROBE = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "c = s.CACHES['default']; print(json.dumps([c['BACKEND'], c.get('LOCATION')]))"
)


def test_cache_is_local_memory_when_cache_url_is_unset() -> None:
    result = run_python(CACHE_PROBE, {})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == '["django.core.cache.backends.locmem.LocMemCache", null]'


def test_cache_url_switches_to_the_shared_redis_cache() -> None:
    result = run_python(CACHE_PROBE, {"CACHE_URL": "redis://127.0.0.1:6379/3"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        '["scr.cache.ForgivingRedisCache", "redis://127.0.0.1:6379/3"]')


def test_a_cache_url_that_is_not_redis_is_refused() -> None:
    result = run_python(CACHE_PROBE, {"CACHE_URL": "memcached://127.0.0.1:11211"})
    assert result.returncode != 0
    assert "CACHE_URL must be a redis:// URL" in result.stderr


@pytest.mark.integration
@pytest.mark.skipif(not os.environ.get("CELERY_BROKER_URL", "").startswith("redis://"),
                    reason="CELERY_BROKER_URL is not set: no real Redis to test against")
def test_the_redis_cache_is_shared_between_processes() -> None:
    """What one web process caches, another reads: the reason for CACHE_URL."""
    env = {"CACHE_URL": os.environ["CELERY_BROKER_URL"]}
    code = ("import django, sys; django.setup(); from django.core.cache import cache; "
            "print(cache.set(*sys.argv[2:], 30) if sys.argv[1] == 'set' else cache.get(sys.argv[2]))")
    key, value = f"settings-test-{os.getpid()}", "shared"
    writer = run_python(code, env, "set", key, value)
    assert writer.returncode == 0, writer.stderr
    reader = run_python(code, env, "get", key)
    assert reader.returncode == 0, reader.stderr
    assert reader.stdout.strip() == value


def test_invitation_links_start_with_the_configured_site_url(
    settings: Any, db: None, django_capture_on_commit_callbacks: Any,
) -> None:
    from django.core import mail

    from agencies import services
    from agencies.models import Agency

    settings.SITE_URL = "https://reviews.example.org"
    agency = Agency.objects.create(name="Invite agency", kind=Agency.Kind.HEALTH)
    with django_capture_on_commit_callbacks(execute=True):
        services.user_invite(by=None, username="new.lead", email="new.lead@example.invalid",
                             first_name="New", last_name="Lead", role="agency_lead", agency=agency)
    assert [m.to for m in mail.outbox] == [["new.lead@example.invalid"]]
    links = [word for word in mail.outbox[0].body.split() if "://" in word]
    assert len(links) == 1
    assert links[0].startswith("https://reviews.example.org/set-password/")
