from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"

    def ready(self) -> None:
        from reviews.models.briefings import BRIEFING_KIND
        from reviews.models.publication import CONFIDENTIAL_KIND, PUBLISHED_KIND
        from reviews.services.briefings import briefing_html, briefing_inputs, briefing_leak_check
        from reviews.services.national import RAPID_REVIEW_REPORT_KIND, rapid_review_report_html
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
        register_renderer(BRIEFING_KIND, briefing_html, after=briefing_leak_check,
                          inputs=briefing_inputs)
        register_renderer(RAPID_REVIEW_REPORT_KIND, rapid_review_report_html)
