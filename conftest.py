"""Root conftest: tasks run in-process unless a test asks for a real worker, and a skipped
test is a reported gap, not a pass.

Every run ends with one line saying what was skipped and why. With ``CI=true`` a skipped
test that needs the real machine (marked ``integration``, ``browser`` or ``postgresql``)
fails the run: CI is where those must run, and a green run that skipped them would hide it.
"""

from __future__ import annotations

import os
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

REQUIRED_IN_CI = ("integration", "browser", "postgresql")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db-template", action="store_true", default=False,
        help="PostgreSQL: clone each test database from a template migrated once for the "
             "current migrations and kept between runs, instead of migrating a new one "
             "(tests/dbtemplate.py; make test-fast). --create-db rebuilds the template.")


def pytest_configure(config: pytest.Config) -> None:
    from tests.scheduling import announce_units_file

    announce_units_file(config)
    _own_broker_per_xdist_worker()
    _flush_lifts_the_truncate_guard()
    _woff2_fonts_decompressed_once()


def _redis_databases(url: str) -> int:
    """How many databases the Redis server has (``databases``; 16 unless configured)."""
    import redis

    try:
        return int(redis.Redis.from_url(url).config_get("databases")["databases"])
    except (redis.RedisError, KeyError, ValueError):
        return 16


def _own_broker_per_xdist_worker() -> None:
    """With pytest-xdist each test process gets its own Redis database as broker (the one
    configured, plus 1 + the worker's number). Tests that start a real Celery worker
    (``integration``) would otherwise share the queues: a worker started by one process's
    test takes a task sent by the other's and runs it against the wrong test database (an
    e-mail lands in the wrong outbox, a render record is never found). Worker processes the
    tests start inherit the environment, so they follow. (xdist's ``loadgroup`` cannot do
    this: with pytest 9 its group marker no longer reaches the scheduler.)"""
    from urllib.parse import urlsplit, urlunsplit

    worker, url = os.environ.get("PYTEST_XDIST_WORKER", ""), os.environ.get("CELERY_BROKER_URL", "")
    parts = urlsplit(url)
    if not worker.startswith("gw") or parts.scheme not in ("redis", "rediss"):
        return
    database = int(parts.path.strip("/") or 0) + 1 + int(worker.removeprefix("gw"))
    if database >= (count := _redis_databases(url)):
        raise pytest.UsageError(f"{worker} would need Redis database {database} as its broker "
                                f"(Redis has 0-{count - 1}): configure a lower one or fewer "
                                "workers")
    own = urlunsplit(parts._replace(path=f"/{database}"))
    from django.conf import settings

    from scr.celery import app

    if url == settings.CELERY_RESULT_BACKEND:
        settings.CELERY_RESULT_BACKEND = app.conf.result_backend = own
    os.environ["CELERY_BROKER_URL"] = settings.CELERY_BROKER_URL = app.conf.broker_url = own


def _flush_lifts_the_truncate_guard() -> None:
    """Let the test runner empty the database between transactional tests: on PostgreSQL the
    audit tables refuse TRUNCATE (scr/auditchain.py), so the flush of a test database lifts
    that trigger for its own statement, as the tables' owner, and puts it back. Production
    code never flushes."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush
    if getattr(original, "_scr_audit_aware", False):
        return

    def sql_flush(self: DatabaseOperations, style: object, tables: list[str], **kwargs: object,
                  ) -> list[str]:
        from scr.auditchain import NO_TRUNCATE_TRIGGER, protected_tables

        statements = original(self, style, tables, **kwargs)  # type: ignore[arg-type]
        guarded = [self.quote_name(t) for t in tables if t in set(protected_tables())]
        if not statements or not guarded:
            return statements
        off = [f"ALTER TABLE {t} DISABLE TRIGGER {NO_TRUNCATE_TRIGGER}" for t in guarded]
        on = [f"ALTER TABLE {t} ENABLE TRIGGER {NO_TRUNCATE_TRIGGER}" for t in guarded]
        return [*off, *statements, *on]

    sql_flush._scr_audit_aware = True  # type: ignore[attr-defined]
    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign]
@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Within each run of consecutive tests from one module, those that share database
    layers (tests/shared_db.py) go after those that share none, and those that share more
    go last, so that each layer is built once. Otherwise the order is kept: pytest-django's
    (tests in a transaction first, then those that empty the tables after them), the same on
    every xdist worker."""
    from tests.scheduling import write_units
    from tests.shared_db import depth, module_of

    runs: list[list[pytest.Item]] = []
    for item in items:
        if runs and module_of(runs[-1][0]) == module_of(item):
            runs[-1].append(item)
        else:
            runs.append([item])
    items[:] = [item for run in runs for item in sorted(run, key=depth)]
    write_units(items)


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Units of work by shared database layer, not test by test (tests/scheduling.py)."""
    from tests.scheduling import LayerScheduling

    return LayerScheduling(config, log)


def pytest_unconfigure(config: pytest.Config) -> None:
    from tests.scheduling import forget_units_file

    forget_units_file(config)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Roll back the shared database layers this test does not ask for, before any of its
    fixtures opens its own transaction."""
    from tests.shared_db import LAYERS

    LAYERS.before(item)


def _db_template(config: pytest.Config) -> bool:
    from django.db import connection

    return bool(config.getoption("db_template")) and connection.vendor == "postgresql"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings: None,
                                 request: pytest.FixtureRequest,
                                 django_db_blocker: Any) -> None:
    """pytest-django's (the xdist worker's suffix on the test database's name), then with
    ``--db-template`` the test database made a copy of the migrated template."""
    if _db_template(request.config):
        from django.db import connection

        from tests.dbtemplate import clone_test_database

        with django_db_blocker.unblock():
            clone_test_database(connection, rebuild=bool(request.config.getoption("create_db")),
                                run=_RUN)


# One id per run, the same in every xdist worker (for --db-template --create-db).
_RUN = os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex


@pytest.fixture(scope="session")
def django_db_keepdb(django_db_keepdb: bool, request: pytest.FixtureRequest) -> bool:
    """With ``--db-template`` the cloned test database is kept as it is (migrate only checks
    it is up to date), and kept after the run: the next run clones a new one."""
    return django_db_keepdb or _db_template(request.config)


@pytest.fixture(scope="session")
def django_db_createdb(django_db_createdb: bool, request: pytest.FixtureRequest) -> bool:
    return django_db_createdb and not _db_template(request.config)


def _woff2_fonts_decompressed_once() -> None:
    """Each PDF render (scr/pdf.py) gives WeasyPrint the report's sixteen Noto Sans WOFF2
    files, and WeasyPrint turns each into a TrueType font with fontTools, in Python: about a
    quarter of a second per file, so some four seconds of every render, and then most of
    the time of the tests that render PDFs. In the tests the same bytes give the same font
    once per process: ``woff2.decompress`` is a pure function of its input, so its output is
    kept by the input's hash. What WeasyPrint then does with the font is unchanged."""
    import hashlib
    from io import BytesIO
    from types import SimpleNamespace
    from typing import BinaryIO

    try:
        from weasyprint.text import fonts
    except (ImportError, OSError):  # no Pango: the PDF tests say so themselves
        return
    woff2 = fonts.woff2
    if getattr(woff2, "_scr_memoised", False):
        return
    done: dict[str, bytes] = {}

    def decompress(input_file: BinaryIO, output_file: BinaryIO) -> None:
        data = input_file.read()
        key = hashlib.sha256(data).hexdigest()
        if key not in done:
            out = BytesIO()
            woff2.decompress(BytesIO(data), out)
            done[key] = out.getvalue()
        output_file.write(done[key])

    fonts.woff2 = SimpleNamespace(decompress=decompress, _scr_memoised=True)


_SKIPS: list[tuple[str, str, bool]] = []  # (test id, reason, required in CI)


@pytest.fixture(autouse=True, scope="module")
def _reproducible_names_per_module(request: pytest.FixtureRequest) -> None:
    """The names factory_boy's Faker gives people (``tests/factories.py``) follow from the
    module's id, not from what ran before it on the same worker: a test that fails on a
    name (a staff member whose surname is the family's) fails on every run, in any order.
    Module-scoped so that it runs before a module's shared personas are made."""
    import factory.random

    factory.random.reseed_random(request.node.nodeid)


@pytest.fixture(autouse=True)
def _reproducible_names(request: pytest.FixtureRequest) -> None:
    """The same per test, for the people a test makes itself."""
    import factory.random

    factory.random.reseed_random(request.node.nodeid)


@pytest.fixture(autouse=True)
def _eager_celery_by_default(request: pytest.FixtureRequest) -> Iterator[None]:
    from scr.celery import app

    if request.node.get_closest_marker("integration"):
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _migrations_data_after_a_flush(request: pytest.FixtureRequest) -> None:
    """A test that empties the tables after it (browser, live server, real worker) leaves
    the next such test in its process without the rows the migrations wrote (the default
    themes); each such test starts with them again, written by the migration's own function
    (idempotent)."""
    from django.test import TransactionTestCase

    from tests.shared_db import uses_db

    test_class = getattr(request.node, "cls", None)
    if not uses_db(request.node)[1] or (test_class and issubclass(test_class, TransactionTestCase)):
        return
    import importlib

    from django.apps import apps

    request.getfixturevalue("transactional_db")
    importlib.import_module("reviews.migrations.0011_analysis_and_report").seed_themes(apps, None)


@pytest.fixture(autouse=True, scope="session")
def _uploads_in_a_temporary_media_root(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Files stored by tests (evidence documents, renders) go to a temporary directory,
    never to the checkout's ``media/``. Set before any storage is first used."""
    from django.conf import settings

    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(scope="module")
def personas_layer(request: pytest.FixtureRequest, django_db_setup: None,
                   django_db_blocker: Any) -> Iterator[object]:
    """The personas made once for a module's tests, each signed in once (``client_for``
    reuses the session; not in a module marked ``fresh_sessions``, whose tests count
    sessions or sign-in events), in a layer rolled back after them (tests/shared_db.py); None when
    the test that first asks cannot share them."""
    from tests.personas import make_personas, sign_in
    from tests.shared_db import LAYERS

    fresh = request.node.get_closest_marker("fresh_sessions") is not None
    layer = LAYERS.push(("personas", request.node.nodeid),
                        make_personas if fresh else lambda: sign_in(make_personas()),
                        django_db_blocker)
    yield layer
    LAYERS.close(layer)


@pytest.fixture
def personas(request: pytest.FixtureRequest, personas_layer: Any, db: None) -> object:
    """One person per role (tests/personas.py), for every app's tests: a deep copy of those
    in the module's layer, or made for this test (a test that empties the tables after it)."""
    import copy

    from tests.personas import make_personas

    if "module_layer" in request.fixturenames:
        module_layer = request.getfixturevalue("module_layer")
        if module_layer is not None and module_layer.is_open:
            return request.getfixturevalue("module_layer_copy")[0]
    if personas_layer is not None and personas_layer.is_open:
        return copy.deepcopy(personas_layer.value)
    return make_personas()


@pytest.fixture
def module_layer_copy(module_layer: Any) -> object:
    """This test's copy of the module's layered records (tests/shared_db.py ``layered``):
    the personas and the value, copied together."""
    import copy

    return copy.deepcopy(module_layer.value)


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return reason.removeprefix("Skipped: ")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Collect skips here (not from items) so it also works for pytest-xdist's workers."""
    if report.skipped and not hasattr(report, "wasxfail"):
        required = any(marker in report.keywords for marker in REQUIRED_IN_CI)
        _SKIPS.append((report.nodeid, _skip_reason(report), required))


def skip_summary(skips: list[tuple[str, str, bool]]) -> str:
    """One line: 'skipped: 0', or 'skipped 3: <reason> (x2), <reason>'."""
    if not skips:
        return "skipped: 0"
    reasons = Counter(reason for _, reason, _ in skips)
    parts = [f"{reason} (x{count})" if count > 1 else reason for reason, count in reasons.items()]
    return f"skipped {len(skips)}: " + ", ".join(parts)


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    required = [nodeid for nodeid, _, needed in _SKIPS if needed]
    if _ci() and required and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if hasattr(terminalreporter.config, "workerinput"):
        return  # an xdist worker: the controller prints the summary
    terminalreporter.write_line(skip_summary(_SKIPS))
    required = [nodeid for nodeid, _, needed in _SKIPS if needed]
    if _ci() and required:
        terminalreporter.write_line(
            f"CI=true: {len(required)} integration/browser/PostgreSQL test(s) skipped, failing "
            "the run: " + ", ".join(required), red=True)
