"""``manage.py backup DIR``: the database and every stored file, with a manifest of SHA-256s.

Exit status 0 when the backup is complete and every record's file is there with the SHA-256
it recorded; otherwise an error listing the problems (the backup is still written, whole).
See scr/backup.py and docs/deploy.md ("Backup and restore").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scr.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database and every stored file into a new directory, with a manifest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path,
                            help="A new (or empty) directory to write the backup into.")

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["directory"]
        try:
            outcome = backup(directory, log=self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = outcome.manifest
        self.stdout.write(f"{len(manifest['files'])} files and the {manifest['database']['vendor']}"
                          f" database, {outcome.bytes} bytes, in {outcome.seconds:.1f} s: "
                          f"{directory / 'manifest.json'}")
        if outcome.problems:
            raise CommandError(f"{len(outcome.problems)} problem(s) in what was backed up:\n- "
                               + "\n- ".join(outcome.problems))
        self.stdout.write(self.style.SUCCESS("Backup complete."))
