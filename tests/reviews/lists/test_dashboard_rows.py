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
