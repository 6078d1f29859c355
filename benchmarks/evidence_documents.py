"""Upload and download of a 25 MB evidence document through the real views: time and peak
memory. Not a test: it prints numbers (and writes benchmarks/results/documents.json).

The request goes through Django's own WSGI handler, every middleware included, with the
multipart body read from a file on disk as a web server would pass it (``wsgi.input``),
so what is measured is the server side only: Django's upload handlers (a temporary file
above 2.5 MB), the type check by content, hashing, storage, the history row; and for the
download the scope check, the access event and the streamed ``FileResponse``.

Peak memory is Python's allocations during one request (``tracemalloc``), measured in a
separate run from the timings (tracing slows Python down). Streaming means the peak stays
far below the file's size.

Usage:
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/evidence_documents.py [--mb 25]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scr.settings")
os.environ.setdefault("SCR_TESTING", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from agencies.models import Agency, User  # noqa: E402
from agencies.models.roles import Role  # noqa: E402
from agencies.services import agency_create, membership_create  # noqa: E402
from reviews import services  # noqa: E402
from reviews.models import EvidenceDocument, EvidenceRequest, Review, Stage  # noqa: E402

CSRF = "b" * 32  # an unmasked CSRF secret, sent as cookie and header
BOUNDARY = "----scr-benchmark-boundary"


def use_bench_database() -> None:
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.DEBUG = False
    name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"{name}_bench_documents"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    settings.MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="scr-bench-media-"))
    print(f"database: {connection.settings_dict['NAME']}; media: {settings.MEDIA_ROOT}")


def arrange() -> tuple[User, EvidenceRequest]:
    police = agency_create(by=None, name="Bench police", kind=Agency.Kind.POLICE)
    manager = User.objects.create_user("bench-manager", password="bench-password-1")
    membership_create(by=None, user=manager, role=Role.BUSINESS_MANAGER, agency=None)
    lead = User.objects.create_user("bench-police", password="bench-password-1",
                                    email="bench-police@example.invalid")
    membership_create(by=None, user=lead, role=Role.AGENCY_LEAD, agency=police)
    today = timezone.localdate()
    review = services.review_create(
        by=manager, incident_date=today - timedelta(days=30),
        aware_date=today - timedelta(days=29), what_happened="Benchmark",
        harm=Review.Harm.SERIOUS_HARM, abuse_or_neglect=Review.AbuseNeglect.SUSPECTED,
        criteria_met=True, referring_agency=police, agencies_involved=[police])
    review.stage = Stage.EVIDENCE
    services.base.save_with_history(review, by=manager, reason="Benchmark: at Evidence")
    request = services.evidence_requests_send(
        by=manager, review=review, agencies=[police], kind="records",
        description="Benchmark records", due_on=today + timedelta(days=10))[0]
    return lead, request


def big_pdf(path: Path, size: int) -> None:
    """A file libmagic reads as a PDF, ``size`` bytes long, written a block at a time."""
    block = (b"0 0 m 612 792 l S % benchmark padding line of the evidence document\n" * 1024)
    with path.open("wb") as out:
        out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        while out.tell() + len(block) < size - 6:
            out.write(block)
        out.write(b" " * (size - 6 - out.tell()) + b"%%EOF\n")


def multipart(path: Path, source: Path) -> None:
    with path.open("wb") as out, source.open("rb") as data:
        out.write(f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\""
                  f"\r\n\r\n{CSRF}\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; "
                  f"name=\"file\"; filename=\"custody-records.pdf\"\r\nContent-Type: "
                  f"application/pdf\r\n\r\n".encode())
        while chunk := data.read(1024 * 1024):
            out.write(chunk)
        out.write(f"\r\n--{BOUNDARY}--\r\n".encode())


def environ(method: str, path: str, cookies: str, body: Path | None = None) -> dict[str, Any]:
    env = {"REQUEST_METHOD": method, "PATH_INFO": path, "SERVER_NAME": "testserver",
           "SERVER_PORT": "80", "wsgi.url_scheme": "http", "REMOTE_ADDR": "127.0.0.1",
           "HTTP_COOKIE": cookies, "HTTP_X_CSRFTOKEN": CSRF, "wsgi.errors": sys.stderr,
           "wsgi.input": io.BytesIO(b""), "CONTENT_LENGTH": "0"}
    if body is not None:
        env["wsgi.input"] = body.open("rb")
        env["CONTENT_LENGTH"] = str(body.stat().st_size)
        env["CONTENT_TYPE"] = f"multipart/form-data; boundary={BOUNDARY}"
    return env


def call(handler: WSGIHandler, env: dict[str, Any]) -> tuple[str, int]:
    """One request; the whole response body is consumed (and counted), as a client would."""
    status: list[str] = []
    body = handler(env, lambda s, headers, *args: status.append(s))
    size = sum(len(chunk) for chunk in body)
    if hasattr(body, "close"):
        body.close()
    if "wsgi.input" in env and hasattr(env["wsgi.input"], "close"):
        env["wsgi.input"].close()
    return status[0], size


def measure(run: Callable[[], tuple[str, int]], repeat: int) -> dict[str, Any]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        status, size = run()
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    tracemalloc.reset_peak()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"status": status, "bytes": size, "median_s": round(statistics.median(times), 3),
            "max_s": round(max(times), 3), "peak_python_mb": round(peak / 1024 / 1024, 2)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=25)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    use_bench_database()
    lead, request = arrange()
    client = Client()
    client.force_login(lead, backend="agencies.services.account.DemoAwareModelBackend")
    cookies = f"sessionid={client.cookies['sessionid'].value}; csrftoken={CSRF}"
    handler = WSGIHandler()
    size = int(args.mb * 1024 * 1024)
    work = Path(tempfile.mkdtemp(prefix="scr-bench-upload-"))
    big_pdf(work / "file.pdf", size)
    multipart(work / "body", work / "file.pdf")
    upload_url = f"/evidence/{request.pk}/documents/upload/"

    upload = measure(lambda: call(handler, environ("POST", upload_url, cookies,
                                                   work / "body")), args.repeat)
    stored = EvidenceDocument.objects.order_by("-pk").first()
    assert stored is not None and stored.size == size, "the upload was not stored"
    assert upload["status"].startswith("302"), upload
    download_url = f"/evidence/documents/{stored.pk}/download/"
    download = measure(lambda: call(handler, environ("GET", download_url, cookies)),
                       args.repeat)
    assert download["bytes"] == size and download["status"].startswith("200"), download
    results = {"file_mb": args.mb, "file_bytes": size, "upload": upload, "download": download,
               "documents_stored": EvidenceDocument.objects.count()}
    print(json.dumps(results, indent=2))
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "documents.json").write_text(json.dumps(results, indent=2))
    print(f"written to {out / 'documents.json'}")


if __name__ == "__main__":
    main()
