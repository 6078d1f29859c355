"""Backups that restore: the database and every stored file, with a manifest that proves them.

``backup(directory)`` writes

- ``database.dump`` (``pg_dump`` custom format) on PostgreSQL, or ``database.sqlite3`` (a
  consistent copy through SQLite's online backup) on the embedded default;
- ``files/<name>``: every file in the default storage, read through Django's storage API
  (the same code for a local ``MEDIA_ROOT`` and an S3 bucket);
- ``manifest.json``, written last (a directory without it is not a backup): the time, the
  application's version and applied migrations, the SHA-256 and size of the database file
  and of every stored file, and each record's own SHA-256 for its file (every model with a
  ``FileField`` and a ``sha256`` field: ``StoredDocument`` subclasses, ``RenderRecord``,
  a published report).

Nothing a user was told had succeeded is missing from a backup: the database is read in
one snapshot first (PostgreSQL: a ``REPEATABLE READ`` transaction whose exported snapshot
``pg_dump`` uses, so the dump and the list of files the records name agree), and only then
are the files listed and copied. A file is always stored before the row naming it commits
(``scr.documents``, ``scr.renders``) and never overwritten or deleted afterwards, so every
file the snapshot names is already in storage when the copy starts; a record whose file
is missing, or whose file no longer has the SHA-256 it recorded, is a *problem*: the
backup is still complete but the command fails, so the schedule reports it.

``restore(directory)`` checks the whole backup against its manifest before touching
anything (every SHA-256 and size, the migrations known to this code), refuses a target
database or storage that is not empty (``force`` overrides), copies the files into storage
first and reads each back to check its SHA-256, then restores the database in one
transaction (``pg_restore --single-transaction``): a restore that fails leaves no database
half-written, and a database that restored names only files that are there. Finally every
restored record's own ``sha256`` is compared with its file's.

scr imports no app: the models with files are found through ``django.apps``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import time
import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import connections, models
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
FILES = "files"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
CHUNK = 1024 * 1024

Log = Callable[[str], None]


class BackupError(Exception):
    """The backup or restore cannot go on (nothing was changed by a refused restore)."""


@dataclass(frozen=True)
class Record:
    """A row naming a stored file, with the SHA-256 and size it recorded (if it keeps them)."""

    model: str
    pk: str
    name: str
    sha256: str | None
    size: int | None


@dataclass
class Outcome:
    manifest: dict[str, Any]
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    bytes: int = 0


# ---------------------------------------------------------------- helpers


def _quiet(_: str) -> None:
    pass


def sha256_file(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def sha256_stored(storage: Storage, name: str) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with storage.open(name, "rb") as handle:
        for chunk in handle.chunks(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def stored_names(storage: Storage, top: str = "") -> Iterator[str]:
    """Every file in ``storage``, recursively, through ``listdir`` (local disk or a bucket)."""
    try:
        directories, files = storage.listdir(top)
    except FileNotFoundError:  # a MEDIA_ROOT nothing was ever stored in
        return
    for name in sorted(files):
        yield f"{top}/{name}" if top else name
    for directory in sorted(directories):
        yield from stored_names(storage, f"{top}/{directory}" if top else directory)


def _safe_name(name: str) -> PurePosixPath:
    """A storage name from a manifest, refused if it could leave the backup's directory."""
    path = PurePosixPath(name)
    if not name or path.is_absolute() or ".." in path.parts or "\\" in name:
        raise BackupError(f"The manifest names a file outside the backup: {name!r}")
    return path


def models_with_files() -> list[tuple[type[models.Model], list[models.FileField]]]:
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
        if fields:
            found.append((model, fields))
    return sorted(found, key=lambda pair: pair[0]._meta.label)


def file_records(cursor: Any) -> list[Record]:
    """Every row naming a stored file, read with plain SQL through ``cursor`` (a DB-API cursor
    on the snapshot being backed up, or on the database just restored)."""
    records = []
    for model, fields in models_with_files():
        names = {f.name: f for f in model._meta.concrete_fields}
        sha, size = names.get("sha256"), names.get("size")
        pk = model._meta.pk
        assert pk is not None
        for file_field in fields:
            # The record's own hash describes its one file (the documents have one FileField).
            own = len(fields) == 1
            columns = [pk.column, file_field.column,
                       sha.column if own and sha else "NULL", size.column if own and size else "NULL"]
            cursor.execute(
                "SELECT {} FROM {} WHERE {} IS NOT NULL AND {} <> ''".format(  # noqa: S608
                    ", ".join(c if c == "NULL" else f'"{c}"' for c in columns),
                    f'"{model._meta.db_table}"', f'"{file_field.column}"', f'"{file_field.column}"'))
            for row_pk, name, row_sha, row_size in cursor.fetchall():
                records.append(Record(model._meta.label, str(row_pk), name, row_sha or None,
                                      None if row_size is None else int(row_size)))
    return records


def applied_migrations(cursor: Any) -> dict[str, list[str]]:
    cursor.execute('SELECT "app", "name" FROM "django_migrations" ORDER BY "app", "id"')
    applied: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        applied.setdefault(app, []).append(name)
    return applied


def app_version() -> str:
    try:
        with (Path(settings.BASE_DIR) / "pyproject.toml").open("rb") as handle:
            return str(tomllib.load(handle)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian: postgresql-client of the server's "
                          "major version or newer)")
    return path


def pg_environment(settings_dict: dict[str, Any]) -> dict[str, str]:
    """libpq's variables for the configured database (the password never on a command line)."""
    env = {**os.environ, "PGDATABASE": str(settings_dict["NAME"])}
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"),
                          ("PGPASSWORD", "PASSWORD")):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    options = settings_dict.get("OPTIONS") or {}
    for variable, key in (("PGSSLMODE", "sslmode"), ("PGSSLROOTCERT", "sslrootcert"),
                          ("PGSERVICE", "service")):
        if options.get(key):
            env[variable] = str(options[key])
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed ({result.returncode}): "
                          f"{result.stderr.strip()[-2000:]}")


# ---------------------------------------------------------------- backup


def _dump_postgresql(directory: Path, using: str) -> tuple[dict[str, Any], list[Record],
                                                              dict[str, list[str]]]:
    wrapper = connections[using]
    env = pg_environment(wrapper.settings_dict)
    raw = wrapper.get_new_connection(wrapper.get_connection_params())
    try:
        raw.autocommit = True
        with raw.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cursor.fetchone()
            _run([_tool("pg_dump"), "--format=custom", "--no-password",
                  f"--snapshot={snapshot}", f"--file={directory / PG_DUMP}"], env)
            records = file_records(cursor)
            migrations = applied_migrations(cursor)
            cursor.execute("COMMIT")
    finally:
        raw.close()
    version = subprocess.run([_tool("pg_dump"), "--version"], capture_output=True, text=True,  # noqa: S603
                             check=False).stdout.strip()
    return ({"vendor": "postgresql", "file": PG_DUMP, "server_version": server_version,
             "tool": version}, records, migrations)


def _copy_sqlite(directory: Path, using: str) -> tuple[dict[str, Any], list[Record],
                                                       dict[str, list[str]]]:
    name = str(connections[using].settings_dict["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    target = directory / SQLITE_COPY
    source = sqlite3.connect(name)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # a consistent copy even while the app writes
        cursor = copy.cursor()
        records, migrations = file_records(cursor), applied_migrations(cursor)
    finally:
        copy.close()
        source.close()
    return ({"vendor": "sqlite", "file": SQLITE_COPY, "server_version": sqlite3.sqlite_version},
            records, migrations)


def _check_records(records: Iterable[Record], files: dict[str, dict[str, Any]]) -> list[str]:
    problems = []
    for record in records:
        entry = files.get(record.name)
        where = f"{record.model} {record.pk} ({record.name})"
        if entry is None:
            problems.append(f"{where}: the file is not in storage")
        elif record.sha256 and record.sha256 != entry["sha256"]:
            problems.append(f"{where}: the file's SHA-256 is {entry['sha256']}, the record "
                            f"says {record.sha256}")
        elif record.size is not None and record.size != entry["size"]:
            problems.append(f"{where}: the file has {entry['size']} bytes, the record says "
                            f"{record.size}")
    return problems


def backup(directory: Path, *, using: str = "default", storage: Storage | None = None,
           log: Log = _quiet) -> Outcome:
    """Write a backup into ``directory`` (new, or empty). See the module's docstring."""
    storage = storage or default_storage
    started = time.perf_counter()
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty: back up into a new directory.")
    directory.mkdir(parents=True, exist_ok=True)
    created_at = timezone.now()
    vendor = connections[using].vendor
    if vendor == "postgresql":
        database, records, migrations = _dump_postgresql(directory, using)
    elif vendor == "sqlite":
        database, records, migrations = _copy_sqlite(directory, using)
    else:
        raise BackupError(f"Backing up a {vendor} database is not supported.")
    database["sha256"], database["size"] = sha256_file(directory / database["file"])
    log(f"database: {database['size']} bytes ({vendor})")

    files: dict[str, dict[str, Any]] = {}
    for name in stored_names(storage):
        target = directory / FILES / _safe_name(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        with storage.open(name, "rb") as source, target.open("wb") as out:
            for chunk in source.chunks(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        files[name] = {"name": name, "sha256": digest.hexdigest(), "size": size}
    log(f"files: {len(files)}, {sum(f['size'] for f in files.values())} bytes")

    problems = _check_records(records, files)
    manifest = {
        "format": FORMAT,
        "created_at": created_at.isoformat(),
        "finished_at": timezone.now().isoformat(),
        "app_version": app_version(),
        "migrations": migrations,
        "database": database,
        "storage": type(storage).__module__ + "." + type(storage).__name__,
        "files": sorted(files.values(), key=lambda f: f["name"]),
        "records": [asdict(r) for r in records],
        "problems": problems,
    }
    partial = directory / f".{MANIFEST}.partial"
    partial.write_text(json.dumps(manifest, indent=1))
    partial.rename(directory / MANIFEST)  # last: its presence marks a complete backup
    return Outcome(manifest=manifest, problems=problems, seconds=time.perf_counter() - started,
                   bytes=database["size"] + sum(f["size"] for f in files.values()))


# ---------------------------------------------------------------- restore


def read_manifest(directory: Path) -> dict[str, Any]:
    path = directory / MANIFEST
    if not path.is_file():
        raise BackupError(f"{path} is missing: this is not a complete backup.")
    manifest: dict[str, Any] = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r} (this code reads "
                          f"{FORMAT}).")
    return manifest


def check_backup(directory: Path, manifest: dict[str, Any]) -> list[str]:
    """Every file of the backup against the manifest: what is missing or differs."""
    problems = []
    database = manifest["database"]
    path = directory / database["file"]
    if not path.is_file():
        problems.append(f"{database['file']} is missing")
    elif sha256_file(path) != (database["sha256"], database["size"]):
        problems.append(f"{database['file']} does not match its SHA-256 in the manifest")
    for entry in manifest["files"]:
        path = directory / FILES / _safe_name(entry["name"])
        if not path.is_file():
            problems.append(f"{entry['name']} is missing from the backup")
        elif sha256_file(path) != (entry["sha256"], entry["size"]):
            problems.append(f"{entry['name']} does not match its SHA-256 in the manifest")
    return problems


def unknown_migrations(manifest: dict[str, Any]) -> list[str]:
    """Migrations the backup's database had that this code does not know (a newer version
    made the backup: restore with that version)."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    installed = {config.label for config in apps.get_app_configs()}
    return [f"{app}.{name}" for app, names in sorted(manifest["migrations"].items())
            if app in installed for name in names if (app, name) not in known]


def _restore_postgresql(directory: Path, manifest: dict[str, Any], using: str, *,
                        force: bool) -> None:
    wrapper = connections[using]
    wrapper.close()
    command = [_tool("pg_restore"), "--no-password", "--no-owner", "--no-acl",
               "--single-transaction", "--exit-on-error",
               f"--dbname={wrapper.settings_dict['NAME']}"]
    if force:
        command += ["--clean", "--if-exists"]
    _run([*command, str(directory / manifest["database"]["file"])],
         pg_environment(wrapper.settings_dict))


def _restore_sqlite(directory: Path, manifest: dict[str, Any], using: str) -> None:
    wrapper = connections[using]
    wrapper.close()
    source = sqlite3.connect(directory / manifest["database"]["file"])
    target = sqlite3.connect(str(wrapper.settings_dict["NAME"]))
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _put(storage: Storage, name: str, path: Path, entry: dict[str, Any], *, force: bool) -> bool:
    """Store one file under its own name; False when an identical file was already there."""
    if storage.exists(name):
        if sha256_stored(storage, name) == (entry["sha256"], entry["size"]):
            return False
        if not force:
            raise BackupError(f"{name} is already in storage with other content")
        storage.delete(name)
    with path.open("rb") as handle:
        saved = storage.save(name, File(handle, name=name))
    if saved != name:
        raise BackupError(f"Storage kept {name} as {saved}: the records would not find it")
    return True


def restore(directory: Path, *, using: str = "default", storage: Storage | None = None,
            force: bool = False, log: Log = _quiet) -> Outcome:
    """Restore a backup into an empty database and empty storage. See the module's docstring."""
    storage = storage or default_storage
    started = time.perf_counter()
    manifest = read_manifest(directory)
    wrapper = connections[using]
    if manifest["database"]["vendor"] != wrapper.vendor:
        raise BackupError(f"This is a {manifest['database']['vendor']} backup; the database "
                          f"configured is {wrapper.vendor}.")
    damaged = check_backup(directory, manifest)
    if damaged:
        raise BackupError("The backup does not match its manifest; nothing was restored:\n- "
                          + "\n- ".join(damaged))
    log(f"backup checked: {len(manifest['files'])} files and the database match the manifest")
    unknown = unknown_migrations(manifest)
    if unknown:
        raise BackupError("The backup was made by a newer version (migrations unknown here: "
                          f"{', '.join(unknown)}); restore it with that version.")
    if not force:
        tables = wrapper.introspection.table_names()
        if tables:
            raise BackupError(f"The database {wrapper.settings_dict['NAME']} is not empty "
                              f"({len(tables)} tables): restore into an empty one, or use --force.")
        if next(stored_names(storage), None) is not None:
            raise BackupError("The storage is not empty: restore into empty storage, or use "
                              "--force.")

    # Files first: the database, once restored, names only files that are there.
    stored = 0
    for entry in manifest["files"]:
        name = entry["name"]
        stored += _put(storage, name, directory / FILES / _safe_name(name), entry, force=force)
        if sha256_stored(storage, name) != (entry["sha256"], entry["size"]):
            raise BackupError(f"{name} read back from storage does not match its SHA-256")
    log(f"files: {stored} stored, {len(manifest['files']) - stored} already there; every one "
        "read back and matching its SHA-256")

    if wrapper.vendor == "postgresql":
        _restore_postgresql(directory, manifest, using, force=force)
    else:
        _restore_sqlite(directory, manifest, using)
    log(f"database restored ({manifest['database']['vendor']})")

    files = {entry["name"]: entry for entry in manifest["files"]}
    with connections[using].cursor() as cursor:
        records = file_records(cursor)
    problems = _check_records(records, files)
    log(f"records: {len(records)} files named by the restored database, "
        f"{len(records) - len(problems)} matching their own SHA-256")
    return Outcome(manifest=manifest, problems=problems, seconds=time.perf_counter() - started,
                   bytes=manifest["database"]["size"] + sum(f["size"] for f in files.values()))
