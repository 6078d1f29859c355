from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = "People and agencies"

    def ready(self) -> None:
        from . import signals  # noqa: F401
