from django.apps import AppConfig


class ScrConfig(AppConfig):
    name = "scr"
    verbose_name = "Cross-cutting: access log, renders, reminders"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate, pre_save

        # middleware, reauth, sessions: their sign-in receivers; metrics, requestid: Celery's
        # task signals in every process that runs tasks (a worker, or the web process
        # in-process): the task-failure counter, the request id on tasks' logs.
        from scr import metrics, middleware, reauth, requestid, sessions  # noqa: F401
        from scr.auditchain import install_protection
        from scr.text import refuse_overlong_text

        # Every save of every model: no text longer than its field allows (scr/text.py).
        pre_save.connect(refuse_overlong_text, dispatch_uid="scr.text_lengths")

        # After every migrate: TRUNCATE refused on the audit tables, new history tables too.
        post_migrate.connect(install_protection, sender=self,
                             dispatch_uid="scr.audit_protection")
