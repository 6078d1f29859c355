from django.apps import AppConfig


class ScrConfig(AppConfig):
    name = "scr"
    verbose_name = "Cross-cutting: access log, renders, reminders"

    def ready(self) -> None:
        from . import middleware  # noqa: F401 - connects its sign-in receiver
