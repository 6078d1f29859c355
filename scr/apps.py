from django.apps import AppConfig


class ScrConfig(AppConfig):
    name = "scr"
    verbose_name = "Cross-cutting: access log"
