"""``manage.py serve``: ``runserver`` (with static files, as under DEBUG) that also runs the
beat schedule in-process when no broker is configured (the embedded default of ``make run``;
scr/scheduler.py). With a broker, ``make worker`` and ``make beat`` run the jobs instead."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.staticfiles.management.commands.runserver import Command as RunserverCommand
from django.core.management.base import CommandParser

from scr.scheduler import start_in_process_scheduler


class Command(RunserverCommand):
    help = ("Start the development server and, with no broker configured, the beat schedule "
            "(digests, audit sealing, the outbox relay, session clean-up) in this process.")

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--no-scheduler", action="store_true",
                            help="Do not run the beat schedule in this process.")

    def inner_run(self, *args: Any, **options: Any) -> None:
        # inner_run is the serving process (the reloader's child), so one scheduler runs.
        if not options.get("no_scheduler") and settings.CELERY_TASK_ALWAYS_EAGER:
            start_in_process_scheduler()
            self.stdout.write("The beat schedule runs in this process (no broker configured).")
        super().inner_run(*args, **options)
