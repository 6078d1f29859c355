from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = "People and agencies"

    def ready(self) -> None:
        from agencies.services import account  # noqa: F401  (connects the sign-in receivers)
