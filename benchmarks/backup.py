"""Backup and restore at volume: time and size. Not a test: it prints numbers (and writes
benchmarks/results/backup.json).

Seeds ``--reviews`` reviews (500 by default) through the real services, each with an
evidence request to the police answered with ``--documents`` documents (a Word document and
text files of 20-400 KB, about 200 KB each on average), seals the audit chain, then runs
``manage.py backup`` and ``manage.py restore`` (into a new database on the same server and a
new media root) as an operator would, and reports each one's time and the backup's size.

Its own PostgreSQL databases (``<name>_backup_bench`` and ``<name>_backup_bench_restored``,
made afresh; ``--keep`` reuses the seeded one) and a work directory (``--work``, default
``/tmp/scr-backup-bench``). Usage:

    DATABASE_URL=postgres://scr:scr@127.0.0.1:5432/scr .venv/bin/python benchmarks/backup.py [--reviews 500]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scr.settings")
os.environ.setdefault("SCR_TESTING", "1")  # fast password hashing for the seeded users
os.environ.setdefault("LOG_LEVEL", "WARNING")  # not a line per task run in-process

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.files.base import ContentFile  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from agencies.models import Agency, User  # noqa: E402
from agencies.models.roles import Role  # noqa: E402
from agencies.services import agency_create, membership_create  # noqa: E402
from reviews import services  # noqa: E402
from reviews.models import EvidenceDocument, Review  # noqa: E402
from scr import auditchain  # noqa: E402

WORDS = ("visit", "referral", "school", "health", "police", "concern", "strategy", "meeting",
         "assessment", "home", "contact", "child", "mother", "father", "plan", "review")


def docx(text: str) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.'
            'org/package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
            f'"application/xml"/><Override PartName="/word/document.xml" ContentType="{main}"/>'
            '</Types>'))
        archive.writestr("_rels/.rels", (
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
            '</Relationships>'))
        archive.writestr("word/document.xml", (
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f'<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>'))
    return buffer.getvalue()


def notes(rng: random.Random, size: int) -> bytes:
    lines, total = [], 0
    while total < size:
        line = f"{rng.randint(1, 28):02d}/0{rng.randint(1, 9)}/2025 " + " ".join(
            rng.choice(WORDS) for _ in range(12)) + ".\n"
        lines.append(line)
        total += len(line)
    return "".join(lines).encode()


def use_bench_database(*, keep: bool, work: Path) -> None:
    from django.test.utils import setup_test_environment

    setup_test_environment()
    name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"{name}_backup_bench"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=keep)
    if not keep and work.exists():
        shutil.rmtree(work)
    settings.MEDIA_ROOT = work / "media"
    print(f"database: {connection.settings_dict['NAME']}; media: {settings.MEDIA_ROOT}", flush=True)


def people() -> tuple[User, User, Agency, Agency]:
    police = Agency.objects.filter(name="Bench police").first() or agency_create(
        by=None, name="Bench police", kind=Agency.Kind.POLICE)
    health = Agency.objects.filter(name="Bench health").first() or agency_create(
        by=None, name="Bench health", kind=Agency.Kind.HEALTH)
    manager = User.objects.filter(username="bench-manager").first()
    if manager is None:
        manager = User.objects.create_user("bench-manager", password="bench-password-1")
        membership_create(by=None, user=manager, role=Role.BUSINESS_MANAGER, agency=None)
    lead = User.objects.filter(username="bench-police").first()
    if lead is None:
        lead = User.objects.create_user("bench-police", password="bench-password-1")
        membership_create(by=None, user=lead, role=Role.AGENCY_LEAD, agency=police)
    return manager, lead, police, health


def seed(target: int, documents: int, rng: random.Random) -> float:
    manager, lead, police, health = people()
    start = time.perf_counter()
    today = timezone.localdate()
    for i in range(Review.objects.count(), target):
        aware = today - timedelta(days=rng.randint(5, 600))
        review = services.review_create(
            by=manager, incident_date=aware - timedelta(days=2), aware_date=aware,
            what_happened=f"Bench case {i}.", harm=rng.choice(Review.Harm.values),
            abuse_or_neglect=rng.choice(Review.AbuseNeglect.values), criteria_met=True,
            referring_agency=health, agencies_involved=[police, health])
        request = services.evidence_request_create(
            by=manager, review=review, agency=police, due_on=today + timedelta(days=20),
            description="IMR and chronology")
        services.evidence_document_upload(
            by=lead, request=request,
            upload=ContentFile(docx(f"Agency report for case {i}"), name="imr.docx"))
        for n in range(documents - 1):
            services.evidence_document_upload(
                by=lead, request=request,
                upload=ContentFile(notes(rng, rng.randint(20_000, 400_000)),
                                   name=f"chronology-{n}.txt"))
        if (i + 1) % 50 == 0:
            print(f"  seeded {i + 1}/{target}", flush=True)
    return time.perf_counter() - start


def directory_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def own_seconds(output: str) -> float | None:
    """The time the command reports for its own work (without Python's and Django's start)."""
    match = re.search(r" in ([0-9.]+) s[.:]", output)
    return float(match.group(1)) if match else None


def run(env: dict[str, str], *args: str) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return seconds, done.stdout


def database_url(name: str) -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return (f"postgres://{s.get('USER') or ''}{password}@{s.get('HOST') or '127.0.0.1'}:"
            f"{s.get('PORT') or 5432}/{name}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reviews", type=int, default=500)
    parser.add_argument("--documents", type=int, default=3, help="per review (at least 1)")
    parser.add_argument("--work", type=Path,
                        default=Path(tempfile.gettempdir()) / "scr-backup-bench")
    parser.add_argument("--keep", action="store_true", help="reuse the seeded database and media")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("Set DATABASE_URL to a PostgreSQL server (pg_dump/pg_restore).")

    use_bench_database(keep=args.keep, work=args.work)
    seconds = seed(args.reviews, max(1, args.documents), random.Random(20261207))
    print(f"seeded to {args.reviews} reviews in {seconds:.0f}s", flush=True)
    start = time.perf_counter()
    sealed = auditchain.seal()
    seal_seconds = time.perf_counter() - start
    source = connection.settings_dict["NAME"]
    restored = f"{source}_restored"
    connection.close()

    import psycopg

    with psycopg.connect(database_url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{restored}"')

    base_env = {k: v for k, v in os.environ.items() if not k.startswith("DOCUMENT_STORAGE_")}
    base_env.pop("CELERY_BROKER_URL", None)
    backup_dir, restored_media = args.work / "backup", args.work / "restored-media"
    for path in (backup_dir, restored_media):
        shutil.rmtree(path, ignore_errors=True)
    backup_seconds, backup_output = run({**base_env, "DATABASE_URL": database_url(source),
                             "MEDIA_ROOT": str(settings.MEDIA_ROOT)}, "backup", str(backup_dir))
    manifest: dict[str, Any] = json.loads((backup_dir / "manifest.json").read_text())
    restore_env = {**base_env, "DATABASE_URL": database_url(restored),
                   "MEDIA_ROOT": str(restored_media)}
    restore_seconds, restore_output = run(restore_env, "restore", str(backup_dir))
    verify_seconds, verify = run(restore_env, "verify_audit")

    files_bytes = sum(f["size"] for f in manifest["files"])
    results = {
        "reviews": args.reviews,
        "documents": EvidenceDocument.objects.count(),
        "seed_seconds": round(seconds, 1),
        "audit_rows_sealed": sealed, "seal_seconds": round(seal_seconds, 1),
        "database_dump_bytes": manifest["database"]["size"],
        "files": len(manifest["files"]), "files_bytes": files_bytes,
        "backup_directory_bytes": directory_size(backup_dir),
        "backup_seconds": round(backup_seconds, 1),
        "backup_own_seconds": own_seconds(backup_output),
        "restore_seconds": round(restore_seconds, 1),
        "restore_own_seconds": own_seconds(restore_output),
        "verify_audit_seconds": round(verify_seconds, 1),
        "verify_audit": verify.strip().splitlines()[-1],
        "note": "*_seconds: manage.py's wall clock, Python and Django start-up included; "
                "*_own_seconds: what the command reports for its work. Restore reads every "
                "file three times (check against the manifest, store, read back)",
    }
    print(json.dumps(results, indent=2))
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "backup.json").write_text(json.dumps(results, indent=2))
    with psycopg.connect(database_url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')
    shutil.rmtree(restored_media, ignore_errors=True)
    print(f"written to {out / 'backup.json'}; the backup is in {backup_dir}")


if __name__ == "__main__":
    main()
