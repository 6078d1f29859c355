"""docker-compose.yml stays valid and complete (it cannot run here: no Docker engine)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

NO_COMPOSE = "docker-compose (Debian package) is not installed"
pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(shutil.which("docker-compose") is None, reason=NO_COMPOSE)]

ROOT = Path(__file__).resolve().parent.parent
REQUIRED = {"SECRET_KEY": "compose-validation", "SITE_URL": "https://reviews.example.org"}


def compose_config(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker-compose", "config", "-q"], cwd=ROOT,
                          env={"PATH": os.environ["PATH"], **env}, capture_output=True, text=True,
                          timeout=60, check=False)


def test_compose_file_is_valid_and_has_the_five_services() -> None:
    env = {"PATH": os.environ["PATH"], **REQUIRED}
    result = subprocess.run(["docker-compose", "config", "--services"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert set(result.stdout.split()) == {"db", "redis", "web", "worker", "beat"}
    full = subprocess.run(["docker-compose", "config"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert full.returncode == 0, full.stderr
    assert "image: postgres:16" in full.stdout
    assert "image: redis:7" in full.stdout
    assert full.stdout.count("image: scr-app:latest") == 3
    assert "manage.py migrate" in full.stdout
    assert "--worker-class sync" in full.stdout
    assert full.stdout.count("SITE_URL: https://reviews.example.org") == 3
    assert full.stdout.count("CACHE_URL: redis://redis:6379/1") == 3


@pytest.mark.parametrize("variable", sorted(REQUIRED))
def test_compose_refuses_to_start_without_a_required_setting(variable: str) -> None:
    result = compose_config({k: v for k, v in REQUIRED.items() if k != variable})
    assert result.returncode != 0
    assert variable in result.stderr
