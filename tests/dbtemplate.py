"""Migrated databases kept between test runs, keyed by the migrations (``make test-fast``).

Migrating a new test database takes the project about 25 seconds of CPU, in every pytest
process; most of it is Django rendering model states, the same for every run until a
migration changes. With ``--db-template`` (root conftest.py) each test database is instead
cloned from a PostgreSQL template database that was migrated once for the current
migrations (``CREATE DATABASE ... TEMPLATE``, about a second), so every run still starts
from a freshly migrated database, with the migrations' data (themes, groups) in it.

The template's name carries ``migrations_key()``: a hash of every migration file of the
project and of ``requirements.lock`` (the versions of Django and of the apps whose
migrations run too). Change a migration and the next run builds a new template (and
drops the old one); ``--create-db`` rebuilds it whatever the key, once per run (the xdist
workers of one run share it). ``make test`` uses both: the migrations run from nothing on
every run, as CI must, but once, not once per process.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
LOCK = 0x5C2_7E57  # pg_advisory_lock key: one process builds or clones at a time


def migrations_key() -> str:
    """Hash of what a migrated database depends on: the migration files and the locked
    package versions."""
    digest = hashlib.sha256()
    files = [*sorted(ROOT.glob("*/migrations/*.py")), ROOT / "requirements.lock"]
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def _url_for(database: str) -> str:
    url = os.environ["DATABASE_URL"]
    return urlunsplit(urlsplit(url)._replace(path=f"/{database}"))


def _migrate(database: str) -> None:
    """``manage.py migrate`` into ``database``, as a new process with this one's settings
    (the environment) but that database."""
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT,
        env={**os.environ, "DATABASE_URL": _url_for(database)},
        capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"migrating the template database {database} failed:\n"
                           f"{result.stdout}\n{result.stderr}")


def clone_test_database(connection: Any, *, rebuild: bool = False, run: str = "") -> None:
    """Make ``connection``'s test database a copy of the migrated template, building the
    template first if there is none for these migrations, or if ``rebuild`` and it was not
    built by this run (``run``: the same for every xdist worker of one run)."""
    test_name = connection.creation._get_test_db_name()  # test_<NAME>, _gw0 with xdist
    prefix = f"test_{connection.settings_dict['NAME']}_tmpl_"  # one for all xdist workers
    template = f"{prefix}{migrations_key()}"
    quote = connection.ops.quote_name
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK])
        try:
            cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                           [prefix.replace("_", r"\_") + "%"])
            existing = {row[0] for row in cursor.fetchall()}
            if rebuild and template in existing:
                cursor.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                               "WHERE datname = %s", [template])
                rebuild = cursor.fetchone()[0] != run
            if rebuild or template not in existing:
                for name in existing:  # older migrations' templates, or this one rebuilt
                    cursor.execute(f"DROP DATABASE {quote(name)} WITH (FORCE)")
                cursor.execute(f"CREATE DATABASE {quote(template)}")
                try:
                    _migrate(template)
                except BaseException:
                    cursor.execute(f"DROP DATABASE {quote(template)} WITH (FORCE)")
                    raise
                cursor.execute(f"COMMENT ON DATABASE {quote(template)} IS %s", [run])
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(test_name)} WITH (FORCE)")
            cursor.execute(f"CREATE DATABASE {quote(test_name)} TEMPLATE {quote(template)}")
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK])
