from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "learning"
    verbose_name = "Learning and the yearly report"

    def ready(self) -> None:
        from learning.models import YEARLY_KIND
        from learning.services.yearly import yearly_html, yearly_inputs, yearly_leak_check
        from scr.renders import register_renderer

        register_renderer(YEARLY_KIND, yearly_html, after=yearly_leak_check, inputs=yearly_inputs)
