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


def test_compose_file_is_valid_and_has_the_six_services() -> None:
    env = {"PATH": os.environ["PATH"], **REQUIRED}
    result = subprocess.run(["docker-compose", "config", "--services"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert set(result.stdout.split()) == {"db", "redis", "web", "worker", "beat", "proxy"}
    full = subprocess.run(["docker-compose", "config"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert full.returncode == 0, full.stderr
    assert "image: postgres:16" in full.stdout
    assert "image: redis:7" in full.stdout
    assert full.stdout.count("image: scr-app:latest") == 3
    assert "manage.py migrate" in full.stdout
    assert "--worker-class sync" in full.stdout
    # web, worker, beat, and the proxy (its site address).
    assert full.stdout.count("SITE_URL: https://reviews.example.org") == 4
    assert full.stdout.count("CACHE_URL: redis://redis:6379/1") == 3


def _service_blocks(config: str) -> dict[str, str]:
    """``docker-compose config`` output cut into its services' blocks (no YAML library here)."""
    import re

    body = ("\n" + config).split("\nservices:\n", 1)[1].split("\nvolumes:\n", 1)[0]
    parts = re.split(r"^  ([A-Za-z0-9_-]+):\n", body, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_only_the_tls_proxy_is_published_and_the_app_is_told_it_is_behind_one() -> None:
    """Issue 9, defect 4: gunicorn was published directly while the app trusted
    X-Forwarded-Proto, so a client could claim HTTPS. Now only the proxy is reachable."""
    env = {"PATH": os.environ["PATH"], **REQUIRED}
    full = subprocess.run(["docker-compose", "config"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60, check=False)
    assert full.returncode == 0, full.stderr
    services = _service_blocks(full.stdout)
    assert set(services) == {"db", "redis", "web", "worker", "beat", "proxy"}
    published = {name for name, block in services.items() if "\n    ports:" in f"\n{block}"}
    assert published == {"proxy"}
    assert "image: caddy:2" in services["proxy"]
    assert "published: 443" in services["proxy"] or '443:443' in services["proxy"]
    for name in ("web", "worker", "beat"):
        assert "BEHIND_TLS_PROXY: '1'" in services[name] or 'BEHIND_TLS_PROXY: "1"' in \
            services[name], services[name]
        assert "TRUSTED_PROXY_COUNT: '1'" in services[name] or \
            'TRUSTED_PROXY_COUNT: "1"' in services[name]
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    assert "{$SITE_URL}" in caddyfile and "reverse_proxy web:8000" in caddyfile


@pytest.mark.parametrize("variable", sorted(REQUIRED))
def test_compose_refuses_to_start_without_a_required_setting(variable: str) -> None:
    result = compose_config({k: v for k, v in REQUIRED.items() if k != variable})
    assert result.returncode != 0
    assert variable in result.stderr
