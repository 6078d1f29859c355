"""Backups restored (issue 18, item 4): ``manage.py backup`` of a seeded partnership (a review
with evidence documents, a published report) restored by ``manage.py restore`` into a new
database on the same PostgreSQL server and a new media root; there the audit chain holds,
every stored file has its recorded SHA-256, and the app serves the published PDF intact.
A damaged backup, or a target that is not empty, is refused before anything is written.
The embedded default (SQLite) is backed up and restored the same way."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from reviews import services
from reviews.models import EvidenceDocument, Publication
from scr import auditchain
from scr.models import RenderRecord
from tests import servers
from tests.personas import PASSWORD, Personas, make_personas
from tests.reviews.evidence import helpers as h
from tests.reviews.publication.test_publication import published

ON_POSTGRESQL = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="pg_dump/pg_restore need PostgreSQL")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def stored_files(root: Path) -> dict[str, str]:
    """Every file under a media root: storage name -> SHA-256."""
    return {p.relative_to(root).as_posix(): sha256(p.read_bytes())
            for p in sorted(root.rglob("*")) if p.is_file()}


def tables(database: str, settings_dict: dict[str, Any]) -> int:
    with psycopg.connect(servers.database_url(settings_dict, database)) as conn:
        row = conn.execute("SELECT count(*) FROM information_schema.tables "
                           "WHERE table_schema = 'public'").fetchone()
        return int(row[0]) if row else 0


def seed(p: Personas) -> dict[str, Any]:
    """A partnership with a review whose police answer has three documents (one replaced)
    and another review whose report is published (a real WeasyPrint PDF)."""
    request = h.send_imr(p, h.evidence_review(p))[0]
    upload = services.evidence_document_upload
    first = upload(by=p.police_lead, request=request,
                   upload=h.upload(h.docx("IMR draft"), "imr.docx"))
    upload(by=p.police_lead, request=request, upload=h.upload(h.docx("IMR final"), "imr.docx"),
           replaces=first)
    upload(by=p.police_lead, request=request,
           upload=h.upload(b"date,what\n2025-01-02,Home visit\n", "chronology.csv"))
    _, publication = published(p)
    return {"publication": publication}


@ON_POSTGRESQL
@pytest.mark.integration
@pytest.mark.postgresql
def test_a_backup_restores_into_a_new_database_and_media_root_whole_and_verified(
        transactional_db: None, settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = source_media = tmp_path / "source-media"
    p = make_personas()
    publication = seed(p)["publication"]
    auditchain.seal()  # what the beat does every minute
    head = auditchain.verify().head
    records = [*EvidenceDocument.objects.all(), *RenderRecord.objects.exclude(file=""),
               *Publication.objects.all()]
    assert EvidenceDocument.objects.count() == 3 and len(records) >= 5

    backup_dir = tmp_path / "backup"
    out = StringIO()
    call_command("backup", str(backup_dir), stdout=out)
    assert "Backup complete." in out.getvalue()
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    assert manifest["database"]["vendor"] == "postgresql"
    assert manifest["migrations"]["reviews"] and manifest["app_version"] and manifest["created_at"]
    assert {f["name"]: f["sha256"] for f in manifest["files"]} == stored_files(source_media)
    assert manifest["problems"] == []
    in_manifest = {(r["model"], r["pk"]): r["sha256"] for r in manifest["records"]}
    for record in records:
        assert in_manifest[(record._meta.label, str(record.pk))] == record.sha256

    with servers.fresh_database(connection.settings_dict) as name:
        restored_media = tmp_path / "restored-media"
        env = servers.app_environment(servers.database_url(connection.settings_dict, name),
                                      restored_media)
        done = servers.manage(env, "restore", str(backup_dir))
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Restore complete." in done.stdout

        # The audit chain holds there, with the same head.
        audit = servers.manage(env, "verify_audit")
        assert audit.returncode == 0, audit.stdout + audit.stderr
        assert f"head {head}" in audit.stdout and "The audit chain holds." in audit.stdout

        # Every stored file, with the SHA-256 its record keeps.
        restored = stored_files(restored_media)
        assert restored == stored_files(source_media)
        for record in records:
            assert restored[record.file.name] == record.sha256, record

        # The restored app serves the published PDF, intact, and an evidence document.
        with servers.gunicorn(env, tmp_path) as base:
            board = servers.sign_in(base, p.board.username, PASSWORD)
            pdf = board.get(f"{base}{reverse('library_download', args=[publication.pk])}",
                            timeout=60)
            assert pdf.status_code == 200, pdf.text[:1000]
            assert pdf.content.startswith(b"%PDF") and sha256(pdf.content) == publication.sha256
            latest = EvidenceDocument.objects.get(version=2)
            police = servers.sign_in(base, p.police_lead.username, PASSWORD)
            document = police.get(
                f"{base}{reverse('evidence_document_download', args=[latest.pk])}", timeout=60)
            assert document.status_code == 200 and sha256(document.content) == latest.sha256

        # Restoring again over it is refused: the target is not empty.
        again = servers.manage(env, "restore", str(backup_dir))
        assert again.returncode != 0 and "is not empty" in again.stderr

    # A damaged backup is refused before anything is written.
    damaged = tmp_path / "damaged"
    shutil.copytree(backup_dir, damaged)
    victim = damaged / "files" / publication.file.name
    victim.write_bytes(victim.read_bytes() + b"tampered")
    with servers.fresh_database(connection.settings_dict) as name:
        env = servers.app_environment(servers.database_url(connection.settings_dict, name),
                                      tmp_path / "untouched-media")
        refused = servers.manage(env, "restore", str(damaged))
        assert refused.returncode != 0
        assert f"{publication.file.name} does not match its SHA-256" in refused.stderr
        assert tables(name, connection.settings_dict) == 0
        assert not (tmp_path / "untouched-media").exists()


@ON_POSTGRESQL
@pytest.mark.integration
@pytest.mark.postgresql
def test_a_record_whose_file_changed_makes_the_backup_fail_but_complete(
        transactional_db: None, settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = media = tmp_path / "media"
    p = make_personas()
    request = h.send_imr(p, h.evidence_review(p))[0]
    document = services.evidence_document_upload(by=p.police_lead, request=request,
                                                 upload=h.upload(h.docx(), "imr.docx"))
    (media / document.file.name).write_bytes(b"changed on disk")
    with pytest.raises(Exception, match="1 problem") as raised:
        call_command("backup", str(tmp_path / "backup"), stdout=StringIO())
    assert "SHA-256" in str(raised.value) and document.file.name in str(raised.value)
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert len(manifest["problems"]) == 1 and len(manifest["files"]) == 1


SCHEMA_WITHOUT_MIGRATING = """
import django; django.setup()
from django.apps import apps
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
# Every table at once (migrating SQLite from scratch takes a minute here), recorded as migrated.
with connection.schema_editor() as editor:
    for model in apps.get_models():
        if model._meta.managed and not model._meta.proxy:
            editor.create_model(model)
recorder = MigrationRecorder(connection)
recorder.ensure_schema()
for app, name in MigrationLoader(connection).disk_migrations:
    recorder.record_applied(app, name)
"""


@pytest.mark.integration
def test_the_embedded_default_sqlite_is_backed_up_and_restored(tmp_path: Path) -> None:
    source = servers.app_environment(f"sqlite:///{tmp_path / 'source.sqlite3'}",
                                     tmp_path / "source-media")
    made = subprocess.run([sys.executable, "-c", SCHEMA_WITHOUT_MIGRATING],
                       cwd=servers.ROOT, env=source, capture_output=True, text=True,
                       timeout=300, check=False)
    assert made.returncode == 0, made.stderr
    stored = tmp_path / "source-media" / "documents" / "reviews" / "evidencedocument" / "abc"
    stored.parent.mkdir(parents=True)
    stored.write_bytes(b"a stored file")
    backed_up = servers.manage(source, "backup", str(tmp_path / "backup"))
    assert backed_up.returncode == 0, backed_up.stdout + backed_up.stderr
    assert (tmp_path / "backup" / "database.sqlite3").is_file()

    target = servers.app_environment(f"sqlite:///{tmp_path / 'restored.sqlite3'}",
                                     tmp_path / "restored-media")
    done = servers.manage(target, "restore", str(tmp_path / "backup"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert stored_files(tmp_path / "restored-media") == stored_files(tmp_path / "source-media")
    assert servers.manage(target, "migrate", "--check").returncode == 0  # same schema
    assert servers.manage(target, "verify_audit").returncode == 0
    again = servers.manage(target, "restore", str(tmp_path / "backup"))
    assert again.returncode != 0 and "is not empty" in again.stderr
    forced = servers.manage(target, "restore", "--force", str(tmp_path / "backup"))
    assert forced.returncode == 0, forced.stdout + forced.stderr
