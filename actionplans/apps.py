from django.apps import AppConfig


class ActionplansConfig(AppConfig):
    name = "actionplans"
    verbose_name = "Action plans"

    def ready(self) -> None:
        from scr.renders import register_renderer

        from .exports import plan_pdf_html

        register_renderer("actionplans.plan", plan_pdf_html)  # type: ignore[arg-type]
