"""PDF renders: WeasyPrint fetches nothing but the project's own assets, and every render
is a record that moves queued → running → done or failed exactly once."""

from __future__ import annotations

import hashlib
import io
import os
import re
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone
from pypdf import PdfReader

from agencies.models import Agency
from scr.celery import app as celery_app
from scr.models import RenderRecord
from scr.pdf import ResourceRefused, html_to_pdf
from scr.renders import register_renderer, render_request, render_run, unregister_renderer
from tests.factories import AgencyFactory, UserFactory

KIND = "tests.agency_sheet"


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def pdf_fonts(pdf: bytes) -> set[str]:
    fonts = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for ref in page["/Resources"]["/Font"].values():
            fonts.add(str(ref.get_object()["/BaseFont"]).split("+", 1)[-1])
    return fonts


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def agency_sheet() -> Iterator[list[int]]:
    """A renderer for agencies; the list records each target it was asked to render."""
    rendered: list[int] = []

    def render(agency: Agency) -> str:
        rendered.append(agency.pk)
        if agency.name.startswith("Broken"):
            return f'<h1>{agency.name}</h1><img src="http://127.0.0.1:9/logo.png">'
        return f"<h1>{agency.name}</h1><p>Evidence sheet for Child A.</p>"

    register_renderer(KIND, render)
    yield rendered
    unregister_renderer(KIND)


class CountingServer:
    """A real HTTP server on localhost that counts the requests it gets."""

    def __init__(self) -> None:
        hits = self.hits = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/css")
                self.end_headers()
                self.wfile.write(b'body::before { content: "FETCHED FROM THE NETWORK"; }')

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def http_server() -> Iterator[CountingServer]:
    server = CountingServer()
    yield server
    server.close()


# ---------------------------------------------------------------- the WeasyPrint wrapper


def test_a_real_pdf_is_rendered_with_the_shipped_fonts_and_its_text_reads_back() -> None:
    pdf = html_to_pdf("<h1>Learning review</h1><p>Child A’s school — “Northshire”.</p>")
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    assert "Learning review" in text
    assert "Child A’s school — “Northshire”." in text
    assert "Page 1 of 1" in text  # the @page margin box
    # "Report Sans" is no system font: the shipped Noto Sans is embedded under that name,
    # and no system font (DejaVu, Liberation) is used as a fallback.
    assert pdf_fonts(pdf) == {"Report-Sans", "Report-Sans-Bold"}


def test_names_in_latin_extended_greek_and_cyrillic_use_only_the_shipped_fonts() -> None:
    pdf = html_to_pdf("<p>Zoë Łukasz Ştefan Đurić Ελένη Ольга <em>Siobhán</em> "
                      "<strong><em>Ó Súilleabháin</em></strong></p>")
    assert "Zoë Łukasz Ştefan Đurić Ελένη Ольга Siobhán Ó Súilleabháin" in pdf_text(pdf)
    assert {f.split("-")[0] for f in pdf_fonts(pdf)} == {"Report"}


def test_every_shipped_font_is_allow_listed_and_licensed() -> None:
    from scr.pdf import assets

    fonts = {name for name in assets() if name.startswith("fonts/")}
    assert len(fonts) == 16  # 4 subsets x regular, bold, italic, bold italic
    css = (Path(__file__).resolve().parents[2] / "scr" / "pdf_assets" / "base.css").read_text()
    assert all(f"scr-asset:{name}" in css for name in fonts)
    licence = Path(__file__).resolve().parents[2] / "scr" / "pdf_assets" / "fonts" / "OFL.txt"
    assert "SIL Open Font License, Version 1.1" in licence.read_text()


def test_a_page_number_is_in_every_margin_box() -> None:
    pdf = html_to_pdf("".join(f'<p style="page-break-after: always">Section {n}</p>' for n in range(3)))
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    assert [f"Page {n} of 3" in text for n, text in enumerate(pages, 1)] == [True] * 3


@pytest.mark.parametrize("tag", [
    '<link rel="stylesheet" href="{url}">',
    '<img src="{url}" alt="">',
    '<style>@import url("{url}");</style>',
])
def test_a_file_url_is_refused_and_the_file_is_not_read(tag: str, tmp_path: Path) -> None:
    secret = tmp_path / "secret.css"
    secret.write_text('body::before { content: "READ FROM THE DISK"; }')
    with pytest.raises(ResourceRefused, match="file://"):
        html_to_pdf(f"<p>Report</p>{tag.format(url=secret.as_uri())}")


def test_a_file_base_url_does_not_open_the_disk_to_relative_links(tmp_path: Path) -> None:
    (tmp_path / "style.css").write_text('body::before { content: "READ FROM THE DISK"; }')
    with pytest.raises(ResourceRefused, match="file://"):
        html_to_pdf('<link rel="stylesheet" href="style.css"><p>Report</p>',
                    base_url=tmp_path.as_uri() + "/")


@pytest.mark.parametrize("tag", [
    '<link rel="stylesheet" href="{url}/style.css">',
    '<img src="{url}/logo.png" alt="">',
    '<p style="background: url({url}/pixel.png)">x</p>',
])
def test_a_network_url_is_refused_and_never_requested(tag: str, http_server: CountingServer) -> None:
    with pytest.raises(ResourceRefused, match=re.escape(http_server.url)):
        html_to_pdf(f"<p>Report</p>{tag.format(url=http_server.url)}")
    assert http_server.hits == []


def test_the_counting_server_really_counts(http_server: CountingServer) -> None:
    """The check above could not fail if the server did not count: prove it does."""
    import urllib.request

    with urllib.request.urlopen(f"{http_server.url}/style.css", timeout=5) as reply:
        assert b"FETCHED" in reply.read()
    assert http_server.hits == ["/style.css"]


def test_data_urls_and_unknown_assets_are_refused() -> None:
    with pytest.raises(ResourceRefused):
        html_to_pdf('<img src="data:image/png;base64,iVBORw0KGgo=">')
    with pytest.raises(ResourceRefused):
        html_to_pdf('<link rel="stylesheet" href="scr-asset:../settings.py">')


# ---------------------------------------------------------------- render records


@pytest.mark.django_db
def test_a_requested_render_is_queued_on_commit_and_ends_done_with_its_pdf(
    agency_sheet: list[int], django_capture_on_commit_callbacks: object,
) -> None:
    user, agency = UserFactory(), AgencyFactory(name="Northshire Police")
    with django_capture_on_commit_callbacks(execute=False) as queued:  # type: ignore[operator]
        record = render_request(by=user, target=agency, kind=KIND)
    assert record.status == RenderRecord.Status.QUEUED and agency_sheet == []
    assert RenderRecord.objects.get(pk=record.pk).status == RenderRecord.Status.QUEUED
    for callback in queued:  # the commit: eager Celery runs the task in-process
        callback()

    record.refresh_from_db()
    assert record.status == RenderRecord.Status.DONE, record.error
    assert record.started_at <= record.finished_at
    with record.file.open("rb") as stored:
        pdf = stored.read()
    assert "Evidence sheet for Child A." in pdf_text(pdf)
    assert record.size == len(pdf) and record.sha256 == hashlib.sha256(pdf).hexdigest()
    assert [h.status for h in record.history.order_by("history_id")] == ["queued", "running", "done"]
    assert record.history.earliest("history_id").history_user == user


@pytest.mark.django_db
def test_a_second_delivery_of_a_done_render_does_nothing(agency_sheet: list[int]) -> None:
    record = queued_render(AgencyFactory())
    assert render_run(record.pk).status == RenderRecord.Status.DONE
    before = RenderRecord.objects.get(pk=record.pk)
    assert render_run(record.pk) is None
    after = RenderRecord.objects.get(pk=record.pk)
    assert (after.file.name, after.sha256, after.finished_at) == (
        before.file.name, before.sha256, before.finished_at)
    assert len(agency_sheet) == 1


@pytest.mark.django_db
def test_a_render_that_asks_for_the_network_fails_with_the_reason(agency_sheet: list[int]) -> None:
    record = queued_render(AgencyFactory(name="Broken agency"))
    done = render_run(record.pk)
    assert done.status == RenderRecord.Status.FAILED
    assert "ResourceRefused" in done.error and "http://127.0.0.1:9/logo.png" in done.error
    assert not done.file and done.sha256 == ""
    assert render_run(record.pk) is None  # a failed render is not retried by redelivery


def other_session_holding_the_render_lock(record: RenderRecord) -> Any:
    """Another real PostgreSQL session (another worker) holding the record's render lock."""
    import psycopg
    from django.db import connection

    from scr.renders import RENDER_LOCK_SPACE

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    other = psycopg.connect(**params, autocommit=True)
    other.execute("SELECT pg_advisory_lock(%s, %s)", [RENDER_LOCK_SPACE, record.pk])
    return other


@pytest.mark.django_db
@pytest.mark.postgresql
@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("sqlite"),
                    reason="the render lock is a PostgreSQL advisory lock")
def test_a_render_another_worker_is_running_is_left_alone_and_taken_over_when_it_dies(
    agency_sheet: list[int],
) -> None:
    """A worker killed mid-render leaves its record running; the redelivered task renders it
    at once (not an hour later), and never while the first worker still renders it."""
    record = queued_render(AgencyFactory())
    RenderRecord.objects.filter(pk=record.pk).update(status="running", started_at=timezone.now())
    worker = other_session_holding_the_render_lock(record)
    assert render_run(record.pk) is None and agency_sheet == []  # it is being rendered
    worker.close()  # that worker died: the server lets its lock go
    done = render_run(record.pk)
    assert done is not None and done.status == RenderRecord.Status.DONE
    assert len(agency_sheet) == 1
    assert render_run(record.pk) is None  # and once only


@pytest.mark.django_db
def test_a_render_stuck_past_its_time_limit_is_taken_over(agency_sheet: list[int]) -> None:
    record = queued_render(AgencyFactory())
    RenderRecord.objects.filter(pk=record.pk).update(
        status="running", started_at=timezone.now() - timedelta(minutes=10))
    assert render_run(record.pk).status == RenderRecord.Status.DONE


@pytest.mark.django_db
def test_a_render_of_an_unknown_kind_is_refused_before_anything_is_queued() -> None:
    with pytest.raises(ValueError, match="No renderer"):
        render_request(by=None, target=AgencyFactory(), kind="tests.nothing")
    assert not RenderRecord.objects.exists()


@pytest.mark.django_db
def test_render_records_are_seen_only_through_the_owning_app(agency_sheet: list[int]) -> None:
    queued_render(AgencyFactory())
    assert not RenderRecord.objects.for_user(UserFactory(is_superuser=True), "view").exists()


def queued_render(agency: Agency) -> RenderRecord:
    return RenderRecord.objects.create(content_type_id=content_type_id(agency),
                                       object_id=agency.pk, kind=KIND)


def content_type_id(obj: object) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj).pk


def test_the_render_task_goes_to_the_pdf_queue() -> None:
    route = celery_app.amqp.router.route({}, "scr.tasks.render_pdf")
    assert route["queue"].name == "pdf"


# ---------------------------------------------------------------- the real worker


@pytest.mark.integration
@pytest.mark.skipif(not os.environ.get("CELERY_BROKER_URL"),
                    reason="CELERY_BROKER_URL is not set: no real broker to test against")
def test_a_real_worker_on_the_pdf_queue_renders_a_record_once(
    transactional_db: None, agency_sheet: list[int],
) -> None:
    user, agency = UserFactory(), AgencyFactory(name="Worker agency")
    celery_app.conf.task_always_eager = False
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False,
                          queues=["pdf"], shutdown_timeout=10):
            record = render_request(by=user, target=agency, kind=KIND)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                record.refresh_from_db()
                if record.status in (RenderRecord.Status.DONE, RenderRecord.Status.FAILED):
                    break
                time.sleep(0.2)
    finally:
        celery_app.conf.task_always_eager = True
    assert record.status == RenderRecord.Status.DONE, record.error
    with record.file.open("rb") as stored:
        assert "Worker agency" in pdf_text(stored.read())
    assert agency_sheet == [agency.pk]


@pytest.mark.django_db
def test_a_render_keeps_what_it_was_made_from_and_a_change_during_it_reads_as_out_of_date(
        ) -> None:
    """The inputs are read before the HTML: a change after that (here, while the HTML is
    being built) makes the record out of date, never current; a render of unchanged inputs
    is current, and a kind without inputs is always current."""
    from scr.renders import render_is_current

    inputs = {"register": "Child A = Kayden"}

    def sheet(agency: Agency) -> str:
        if agency.name.startswith("Changing"):
            inputs["register"] = "Child A = Kayden, KJ"  # someone edits the register now
        return f"<h1>{agency.name}</h1>"

    register_renderer(KIND, sheet, inputs=lambda agency: inputs["register"])
    try:
        by = UserFactory()
        steady = render_run(render_request(by=by, target=AgencyFactory(name="Steady"),
                                           kind=KIND).pk)
        assert steady is not None and steady.inputs_digest == "Child A = Kayden"
        assert render_is_current(steady)
        changing = render_run(render_request(by=by, target=AgencyFactory(name="Changing"),
                                             kind=KIND).pk)
        assert changing is not None and changing.status == RenderRecord.Status.DONE
        assert not render_is_current(changing) and not render_is_current(steady)
        register_renderer(KIND, sheet)  # no inputs: current whatever changes
        assert render_is_current(steady)
    finally:
        unregister_renderer(KIND)
