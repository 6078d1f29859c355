"""``manage.py verify_audit``: walk the audit's hash chain and report the first broken link.

Exit status 0 when every link holds and no row has waited too long to be sealed; otherwise
an error naming the first broken link (or the tables with rows left unsealed). ``--seal``
links the rows not sealed yet first (what the beat task does every minute). The head hash
it prints can be recorded elsewhere (a ticket, an e-mail) to detect later removal of the
newest links. See docs/audit.md.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scr import auditchain


class Command(BaseCommand):
    help = "Verify the hash chain over the access log and the history tables."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seal", action="store_true",
                            help="Seal the rows not yet in the chain before verifying.")
        parser.add_argument("--max-unsealed-minutes", type=int, default=60,
                            help="Fail when a row has waited longer than this to be sealed "
                                 "(default 60).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["seal"]:
            self.stdout.write(f"{auditchain.seal()} rows sealed")
        result = auditchain.verify(timedelta(minutes=options["max_unsealed_minutes"]))
        self.stdout.write(f"{result.checked} links verified; head {result.head}")
        if result.first_break is not None:
            raise CommandError(f"First broken link: {result.first_break}")
        if result.pending:
            self.stdout.write(f"{result.pending} row{'s' if result.pending != 1 else ''} not "
                              "sealed yet")
        if result.unsealed:
            tables = ", ".join(f"{t} ({n})" for t, n in sorted(result.unsealed.items()))
            raise CommandError(f"Rows not sealed within {options['max_unsealed_minutes']} "
                               f"minutes: {tables}. Is the beat scheduler running?")
        self.stdout.write(self.style.SUCCESS("The audit chain holds."))
