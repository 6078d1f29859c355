"""The settings module: embedded default with no environment, strict production."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps([s.DEBUG, s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, "
    "s.EMAIL_BACKEND]))"
)


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "scr.settings"}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**base, **env},
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
