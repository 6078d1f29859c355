from django.apps import AppConfig


class ScrConfig(AppConfig):
    name = "scr"
    verbose_name = "Cross-cutting: access log, renders, reminders"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import middleware, reauth, sessions  # noqa: F401 - connect their sign-in receivers
        from .auditchain import install_protection

        # After every migrate: TRUNCATE refused on the audit tables, new history tables too.
        post_migrate.connect(install_protection, sender=self,
                             dispatch_uid="scr.audit_protection")
