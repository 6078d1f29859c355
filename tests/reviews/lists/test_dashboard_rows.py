"""The dashboard's rows are built in Python (reviews/presenters.py): every value is escaped,
and the row reads the same as the data it shows."""

from __future__ import annotations

from datetime import date

from reviews.selectors import DashboardRow
from reviews.views.presenters import dashboard_row_html, review_url


def row(**overrides: object) -> DashboardRow:
    fields: dict[str, object] = dict(
        pk=7, reference="LCSPR-2026-007", stage="Evidence", children="Child A",
        reviewer="Ann Reviewer", agencies="Health, Police", next_clock="Final report",
        next_due=date(2026, 12, 1), due_phrase="3 days left", rag="amber", rag_label="Amber",
        rag_tag="govuk-tag--orange", days_in_stage=12, missed=("Rapid review",),
        evidence_outstanding=2, evidence_overdue=1)
    fields.update(overrides)
    return DashboardRow(**fields)  # type: ignore[arg-type]


def test_a_dashboard_row_escapes_every_value(db: None) -> None:
    html = dashboard_row_html(row(children='<script>alert("x")</script>',
                                  reviewer="O'Brien & Sons", missed=("<b>late</b>",)))
    assert "<script>" not in html and "<b>late</b>" not in html
    assert "&lt;script&gt;" in html
    assert "O&#x27;Brien &amp; Sons" in html


def test_a_dashboard_row_links_to_the_review_and_shows_its_figures(db: None) -> None:
    html = dashboard_row_html(row())
    assert f'href="{review_url(7)}"' in html and review_url(7) == "/reviews/7/"
    assert "1 Dec 2026" in html and "3 days left" in html
    assert "govuk-tag--orange" in html and "1 overdue" in html and "Rapid review" in html


def test_an_empty_row_says_so_in_words(db: None) -> None:
    html = dashboard_row_html(row(children="", reviewer="", agencies="", next_clock="",
                                  rag="", missed=(), evidence_overdue=0))
    assert "Not appointed" in html and ">None<" in html and "Amber" not in html


def test_on_small_screens_each_review_is_a_summary_card_with_every_column(db: None) -> None:
    """Issue 19, item 7: at 375 px the table showed one letter per line."""
    from reviews.views.presenters import dashboard_card_html

    html = dashboard_card_html(row(children='<script>alert("x")</script>'))
    assert html.startswith('<div class="govuk-summary-card">')
    assert f'<a class="govuk-link" href="{review_url(7)}">LCSPR-2026-007</a>' in html
    for key in ("Stage", "Child", "Reviewer", "Agencies involved", "Next clock",
                "Missed clocks", "Days in stage", "Evidence"):
        assert f'<dt class="govuk-summary-list__key">{key}</dt>' in html
    assert "Final report, 1 Dec 2026 (3 days left)" in html and "2 outstanding, 1 overdue" in html
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_the_list_page_has_the_cards_and_the_table_and_the_stylesheet_switches_them(
        db: None) -> None:
    from pathlib import Path

    from django.conf import settings

    scss = (Path(settings.BASE_DIR) / "static" / "scss" / "app.scss").read_text()
    assert ".app-dashboard-cards { display: none; }" in scss
    assert "@include govuk-media-query($until: tablet)" in scss
    # No mid-word breaks: a squeezed column may not shrink below its longest word.
    assert "overflow-wrap: anywhere" not in scss.split(".app-table--small")[1].split("\n")[0]
    template = (Path(settings.BASE_DIR) / "templates" / "reviews" / "list.html").read_text()
    assert 'class="app-dashboard-cards"' in template and "app-dashboard-table" in template
