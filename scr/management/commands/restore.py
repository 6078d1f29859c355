"""``manage.py restore DIR``: a backup made by ``manage.py backup`` into an empty database and
empty storage (``--force`` for a non-empty one).

The whole backup is checked against its manifest before anything is written; the files go
into storage first (each read back and checked), then the database in one transaction; last,
every restored record's own SHA-256 is compared with its file's. Exit status 0 only when all
of it holds. See scr/backup.py and docs/deploy.md ("Backup and restore").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scr.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup into an empty database and empty storage, checking every SHA-256."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="A directory written by manage.py backup.")
        parser.add_argument("--force", action="store_true",
                            help="Restore even though the database or storage is not empty: "
                                 "the backup's tables are dropped and recreated, files with the "
                                 "same name and other content are replaced.")

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["directory"]
        try:
            outcome = restore(directory, force=options["force"], log=self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = outcome.manifest
        self.stdout.write(f"Restored the backup of {manifest['created_at']} (version "
                          f"{manifest['app_version']}), {outcome.bytes} bytes, in "
                          f"{outcome.seconds:.1f} s.")
        if outcome.problems:
            raise CommandError(f"{len(outcome.problems)} record(s) do not match their file:\n- "
                               + "\n- ".join(outcome.problems))
        self.stdout.write(self.style.SUCCESS(
            "Restore complete. Next: manage.py migrate (if this version is newer than the "
            "backup's), then manage.py verify_audit."))
