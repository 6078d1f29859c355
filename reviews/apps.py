from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"

    def ready(self) -> None:
        from reviews.models.publication import CONFIDENTIAL_KIND, PUBLISHED_KIND
        from reviews.services.publication import (
            confidential_html,
            leak_check_render,
            published_html,
            published_inputs,
        )
        from scr.renders import register_renderer

        register_renderer(PUBLISHED_KIND, published_html,
                          after=leak_check_render, inputs=published_inputs)
        register_renderer(CONFIDENTIAL_KIND, confidential_html)
