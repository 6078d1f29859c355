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


def test_compose_file_is_valid_and_has_the_five_services() -> None:
    env = {"PATH": os.environ["PATH"], "SECRET_KEY": "compose-validation"}
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


def test_compose_refuses_to_start_without_a_secret_key() -> None:
    result = subprocess.run(["docker-compose", "config", "-q"], cwd=ROOT,
                            env={"PATH": os.environ["PATH"]}, capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
