"""Files where several servers reach them (issue 18, item 5): stored documents go through
Django's storage API, so with django-storages' S3 backend configured every web process on
every server reads and writes the same bucket. Tested against a real S3-compatible server
(moto's standalone ``moto_server``, started here on the loopback), in-process and across
two gunicorn servers sharing one PostgreSQL database and one bucket."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.urls import reverse

from reviews import services
from reviews.models import EvidenceDocument, EvidenceRequest
from scr.settings import object_storage
from tests import servers
from tests.conftest import Personas, client_for
from tests.personas import PASSWORD
from tests.reviews.evidence import helpers as h

pytestmark = [pytest.mark.integration, pytest.mark.postgresql,
              pytest.mark.skipif(connection.vendor != "postgresql",
                                 reason="the servers share a PostgreSQL database")]


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with servers.moto_s3(tmp_path_factory.mktemp("moto")) as endpoint:
        yield endpoint


@pytest.fixture
def bucket(s3_endpoint: str) -> str:
    return servers.new_bucket(s3_endpoint)


@pytest.fixture
def s3_storage(settings: Any, monkeypatch: pytest.MonkeyPatch, s3_endpoint: str, bucket: str,
               tmp_path: Path) -> str:
    """This process stores documents in ``bucket``, configured as scr/settings.py does it from
    the environment (MEDIA_ROOT an empty directory, to prove nothing lands there)."""
    for name, value in servers.s3_environment(s3_endpoint, bucket).items():
        monkeypatch.setenv(name, value)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": object_storage(bucket)}
    return bucket


def test_an_evidence_document_is_stored_in_the_bucket_and_downloaded_through_the_app(
        personas: Personas, s3_storage: str, s3_endpoint: str, settings: Any) -> None:
    request = h.send_imr(personas, h.evidence_review(personas))[0]
    content = h.docx("Police chronology held in object storage")
    client = client_for(personas.police_lead)
    page = client.post(reverse("evidence_document_upload", args=[request.pk]),
                       {"file": h.upload(content, "chronology.docx")})
    assert page.status_code == 302, page.content.decode()[:2000]
    document = EvidenceDocument.objects.get()
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert type(default_storage._wrapped).__name__ == "S3Storage"
    # In the bucket, under the prefix and the random name; nothing on the local disk.
    assert servers.bucket_keys(s3_endpoint, s3_storage) == [f"scr/{document.file.name}"]
    assert not Path(settings.MEDIA_ROOT).exists()
    head = servers.s3_client(s3_endpoint).head_object(Bucket=s3_storage,
                                                      Key=f"scr/{document.file.name}")
    assert head["ServerSideEncryption"] == "AES256"

    download = client.get(reverse("evidence_document_download", args=[document.pk]))
    assert download.status_code == 200
    body = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    assert body == content
    assert download["Content-Disposition"].startswith("attachment")
    # A person outside the request's scope gets nothing from the bucket either.
    assert client_for(personas.health_lead).get(
        reverse("evidence_document_download", args=[document.pk])).status_code == 404


def test_a_document_altered_or_deleted_in_the_bucket_is_refused_and_logged(
        personas: Personas, s3_storage: str, s3_endpoint: str) -> None:
    """The SHA-256 check reads the object through the storage API as it serves it (one GET):
    an object overwritten in the bucket, or deleted from it, is refused with the clear page and
    an ``integrity`` access event, as on the local disk (tests/scr/test_stored_file_integrity.py)."""
    from scr.models import AccessEvent

    request = h.send_imr(personas, h.evidence_review(personas))[0]
    content = h.docx("Police chronology that someone will alter in the bucket")
    document = services.evidence_document_upload(by=personas.police_lead, request=request,
                                                 upload=h.upload(content, "chronology.docx"))
    url = reverse("evidence_document_download", args=[document.pk])
    client = client_for(personas.police_lead)
    key = f"scr/{document.file.name}"
    s3 = servers.s3_client(s3_endpoint)

    s3.put_object(Bucket=s3_storage, Key=key, Body=content[:-1] + b"X")  # same length
    refused = client.get(url)
    assert refused.status_code == 500 and not refused.streaming
    assert "This file cannot be downloaded" in refused.content.decode()
    s3.delete_object(Bucket=s3_storage, Key=key)
    assert "This file cannot be downloaded" in client.get(url).content.decode()
    events = AccessEvent.objects.filter(action=AccessEvent.Action.INTEGRITY, path=url)
    assert [(e.username, document.file.name in e.object_repr) for e in events] == [
        (personas.police_lead.username, True)] * 2
    assert not AccessEvent.objects.filter(action=AccessEvent.Action.DOWNLOAD, path=url).exists()

    s3.put_object(Bucket=s3_storage, Key=key, Body=content)  # put back: served again
    restored = client.get(url)
    assert restored.status_code == 200
    assert b"".join(restored.streaming_content) == content  # type: ignore[attr-defined]


@pytest.fixture
def police_request(transactional_db: None) -> tuple[Personas, EvidenceRequest]:
    """Committed (the servers are other processes): personas and a request to the police."""
    from tests.personas import make_personas

    personas = make_personas()
    return personas, h.send_imr(personas, h.evidence_review(personas))[0]


def test_two_servers_share_one_database_and_one_bucket(
        police_request: tuple[Personas, EvidenceRequest], s3_endpoint: str, bucket: str,
        tmp_path: Path) -> None:
    """Two gunicorn instances (two workers each) on one PostgreSQL database and one bucket:
    the session made on one is good on the other, a document uploaded through one downloads
    through the other, byte for byte, and the reverse."""
    personas, request = police_request
    database = servers.database_url(connection.settings_dict)
    envs = [servers.app_environment(database, tmp_path / f"media-{n}",
                                    **servers.s3_environment(s3_endpoint, bucket))
            for n in ("a", "b")]
    upload_url = reverse("evidence_document_upload", args=[request.pk])
    with servers.gunicorn(envs[0], tmp_path) as a, servers.gunicorn(envs[1], tmp_path) as b:
        on_a = servers.sign_in(a, personas.police_lead.username, PASSWORD)
        on_b = servers.with_cookie(b, on_a)  # the same session cookie, on the other server

        first = h.docx("Uploaded through server A")
        form = on_a.get(f"{a}{upload_url}", timeout=30)
        assert form.status_code == 200, form.text[:1000]
        sent = on_a.post(f"{a}{upload_url}", files={"file": ("imr.docx", first)},
                         data={"csrfmiddlewaretoken": servers.csrf_token(form.text)},
                         allow_redirects=False, timeout=60)
        assert sent.status_code == 302, sent.text[:2000]
        document = EvidenceDocument.objects.get()
        got = on_b.get(f"{b}{reverse('evidence_document_download', args=[document.pk])}",
                       timeout=60)
        assert got.status_code == 200, got.text[:1000]
        assert got.content == first
        assert hashlib.sha256(got.content).hexdigest() == document.sha256

        # The other way round: a new version through B, read back through A.
        second = b"Notes typed on server B.\n"
        form = on_b.get(f"{b}{upload_url}?replaces={document.pk}", timeout=30)
        assert form.status_code == 200, form.text[:1000]
        sent = on_b.post(f"{b}{upload_url}?replaces={document.pk}",
                         files={"file": ("notes.txt", second)},
                         data={"csrfmiddlewaretoken": servers.csrf_token(form.text)},
                         allow_redirects=False, timeout=60)
        assert sent.status_code == 302, sent.text[:2000]
        newer = EvidenceDocument.objects.get(version=2)
        got = on_a.get(f"{a}{reverse('evidence_document_download', args=[newer.pk])}",
                       timeout=60)
        assert got.status_code == 200 and got.content == second

    keys = servers.bucket_keys(s3_endpoint, bucket)
    assert keys == sorted(f"scr/{d.file.name}" for d in EvidenceDocument.objects.all())
    # Neither server wrote to its own disk.
    assert not any(p.exists() for p in (tmp_path / "media-a", tmp_path / "media-b"))


def test_a_backup_of_the_bucket_restores_into_another_bucket(
        police_request: tuple[Personas, EvidenceRequest], s3_storage: str, s3_endpoint: str,
        tmp_path: Path) -> None:
    """``manage.py backup`` and ``restore`` read and write files through the storage API, so a
    bucket is backed up and restored like a directory: into a new database and an empty bucket."""
    import json
    from io import StringIO

    from django.core.management import call_command

    personas, request = police_request
    content = h.docx("Kept in the bucket, backed up")
    document = services.evidence_document_upload(by=personas.police_lead, request=request,
                                                 upload=h.upload(content, "imr.docx"))
    call_command("backup", str(tmp_path / "backup"), stdout=StringIO())
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert [(f["name"], f["sha256"]) for f in manifest["files"]] == [
        (document.file.name, hashlib.sha256(content).hexdigest())]

    empty = servers.new_bucket(s3_endpoint)
    with servers.fresh_database(connection.settings_dict) as name:
        env = servers.app_environment(servers.database_url(connection.settings_dict, name),
                                      tmp_path / "unused-media",
                                      **servers.s3_environment(s3_endpoint, empty))
        done = servers.manage(env, "restore", str(tmp_path / "backup"))
        assert done.returncode == 0, done.stdout + done.stderr
    assert servers.bucket_keys(s3_endpoint, empty) == [f"scr/{document.file.name}"]
    body = servers.s3_client(s3_endpoint).get_object(
        Bucket=empty, Key=f"scr/{document.file.name}")["Body"].read()
    assert body == content
    assert not (tmp_path / "unused-media").exists()

