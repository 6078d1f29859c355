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

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = {"SECRET_KEY": "compose-validation", "SITE_URL": "https://reviews.example.org",
            "MINIO_ROOT_PASSWORD": "store-admin-password", "MINIO_KMS_SECRET_KEY": "scr-key:x",
            "OBJECT_STORE_SECRET_KEY": "store-app-password"}
SERVICES = {"db", "redis", "objectstore", "objectstore-init", "migrate", "web", "worker", "beat",
            "backup", "proxy"}
APP = ("migrate", "web", "worker", "beat", "backup")  # one image


def compose_config(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker-compose", "config", "-q"], cwd=ROOT,
                          env={"PATH": os.environ["PATH"], **env}, capture_output=True, text=True,
                          timeout=60, check=False)


def test_compose_file_is_valid_and_has_its_services() -> None:
    env = {"PATH": os.environ["PATH"], **REQUIRED}
    result = subprocess.run(["docker-compose", "config", "--services"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert set(result.stdout.split()) == SERVICES
    full = subprocess.run(["docker-compose", "config"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert full.returncode == 0, full.stderr
    assert "image: postgres:16" in full.stdout
    assert "image: redis:7" in full.stdout
    assert full.stdout.count("image: scr-app:latest") == len(APP)
    assert "- manage.py\n    - migrate" in full.stdout  # the one-off `migrate` service
    assert "--worker-class sync" in full.stdout
    # The app's services, and the proxy (its site address).
    assert full.stdout.count("SITE_URL: https://reviews.example.org") == len(APP) + 1
    assert full.stdout.count("CACHE_URL: redis://redis:6379/1") == len(APP)


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
    assert set(services) == SERVICES
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
    assert "{$SITE_URL}" in caddyfile and "dynamic a web 8000" in caddyfile


def test_two_web_replicas_and_two_workers_share_the_database_redis_and_the_object_store(
        ) -> None:
    """Issue 18, item 5: several servers. Two web replicas behind the proxy and two workers,
    every one on the same PostgreSQL, Redis and MinIO bucket (no file on a container's own
    disk); migrations run once, before any of them; one beat."""
    env = {"PATH": os.environ["PATH"], **REQUIRED}
    full = subprocess.run(["docker-compose", "config"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60, check=False)
    assert full.returncode == 0, full.stderr
    services = _service_blocks(full.stdout)
    for name in ("web", "worker"):
        assert "replicas: 2" in services[name], services[name]
        assert "migrate:\n        condition: service_completed_successfully" in services[name]
    assert "replicas" not in services["beat"] and "replicas" not in services["migrate"]
    assert "manage.py migrate" not in services["web"]
    assert "- migrate" in services["migrate"] and "restart: \"no\"" in services["migrate"]
    for name in APP:
        block = services[name]
        assert "DATABASE_URL: postgres://scr:scr@db:5432/scr" in block, name
        assert "CELERY_BROKER_URL: redis://redis:6379/0" in block, name
        assert "DOCUMENT_STORAGE_BUCKET: scr-documents" in block, name
        assert "DOCUMENT_STORAGE_ENDPOINT: http://objectstore:9000" in block, name
        assert "MEDIA_ROOT" not in block and "media:" not in block, name
    assert "image: minio/minio" in services["objectstore"]
    assert "MINIO_KMS_SECRET_KEY" in services["objectstore"]  # SSE (AES256) on every object
    assert "--with-versioning store/scr-documents" in services["objectstore-init"]
    assert "profiles:\n    - backup" in services["backup"]
    assert "manage.py backup /backups/" in services["backup"]
    policy = (ROOT / "deploy" / "objectstore-policy.json").read_text()
    assert "arn:aws:s3:::scr-documents/*" in policy and '"s3:*"' not in policy


@pytest.mark.parametrize("variable", sorted(REQUIRED))
def test_compose_refuses_to_start_without_a_required_setting(variable: str) -> None:
    result = compose_config({k: v for k, v in REQUIRED.items() if k != variable})
    assert result.returncode != 0
    assert variable in result.stderr
