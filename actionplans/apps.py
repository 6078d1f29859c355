from django.apps import AppConfig


class ActionplansConfig(AppConfig):
    name = "actionplans"
    verbose_name = "Action plans"

    def ready(self) -> None:
        from actionplans.services.plans import plan_pdf_html
        from scr.renders import register_renderer

        register_renderer("actionplans.plan", plan_pdf_html)
