"""HTML for the dashboard's rows, built in Python once per row.

The dashboard shows 50 rows of ten cells; through the template language each row
cost about a millisecond of variable lookups, filters and ``{% url %}`` tags. The
Django admin builds its changelist rows in Python too. Every value goes through
``escape`` here; only the fixed markup around the values is trusted.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    from reviews.selectors import DashboardRow

_PK = 2_147_483_647  # a placeholder no review has


@lru_cache(maxsize=1)
def _review_url_parts() -> tuple[str, str]:
    """The review page's URL around its pk, resolved once (``reverse`` per row is slow)."""
    before, after = reverse("review", args=[_PK]).split(str(_PK))
    return before, after


def review_url(pk: int) -> str:
    before, after = _review_url_parts()
    return f"{before}{int(pk)}{after}"


def _cell(content: str, numeric: bool = False) -> str:
    cls = "govuk-table__cell govuk-table__cell--numeric" if numeric else "govuk-table__cell"
    return f'<td class="{cls}">{content}</td>'


def dashboard_row_html(row: DashboardRow) -> SafeString:
    """One ``<tr>`` of the dashboard table; every value escaped."""
    if row.next_clock:
        due = f"{row.next_due:%-d %b %Y}" if row.next_due else ""
        next_clock = (f"{escape(row.next_clock)}<br>{escape(due)}<br><span class=\"govuk-hint "
                      f"govuk-!-margin-bottom-0\">{escape(row.due_phrase)}</span>")
    else:
        next_clock = "–"
    rag = (f'<strong class="govuk-tag {escape(row.rag_tag)}">{escape(row.rag_label)}</strong>'
           if row.rag else "")
    missed = "<br>".join(escape(m) for m in row.missed) or "None"
    evidence = str(int(row.evidence_outstanding))
    if row.evidence_overdue:
        evidence += (f'<br><strong class="govuk-tag govuk-tag--red">'
                     f"{int(row.evidence_overdue)} overdue</strong>")
    cells = (
        _cell(f'<a class="govuk-link" href="{escape(review_url(row.pk))}">'
              f"{escape(row.reference)}</a>"),
        _cell(escape(row.stage)),
        _cell(escape(row.children or "–")),
        _cell(escape(row.reviewer or "Not appointed")),
        _cell(escape(row.agencies or "–")),
        _cell(next_clock),
        _cell(rag),
        _cell(missed),
        _cell(str(int(row.days_in_stage)), numeric=True),
        _cell(evidence, numeric=True),
    )
    return mark_safe(f'<tr class="govuk-table__row">{"".join(cells)}</tr>')  # noqa: S308 - values escaped above


def dashboard_card_html(row: DashboardRow) -> SafeString:
    """The same review as a GOV.UK summary card, for small screens (the table's columns as
    a summary list, the reference as the card's title); every value escaped."""
    due = f", {row.next_due:%-d %b %Y}" if row.next_clock and row.next_due else ""
    rag = (f' <strong class="govuk-tag {escape(row.rag_tag)}">{escape(row.rag_label)}</strong>'
           if row.rag else "")
    next_clock = (f"{escape(row.next_clock)}{escape(due)} ({escape(row.due_phrase)}){rag}"
                  if row.next_clock else "–")
    evidence = f"{int(row.evidence_outstanding)} outstanding" + (
        f", {int(row.evidence_overdue)} overdue" if row.evidence_overdue else "")
    items = (("Stage", escape(row.stage)), ("Child", escape(row.children or "–")),
             ("Reviewer", escape(row.reviewer or "Not appointed")),
             ("Agencies involved", escape(row.agencies or "–")), ("Next clock", next_clock),
             ("Missed clocks", "<br>".join(escape(m) for m in row.missed) or "None"),
             ("Days in stage", str(int(row.days_in_stage))), ("Evidence", escape(evidence)))
    rows = "".join(f'<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">'
                   f'{key}</dt><dd class="govuk-summary-list__value">{value}</dd></div>'
                   for key, value in items)
    return mark_safe(  # noqa: S308 - values escaped above
        f'<div class="govuk-summary-card"><div class="govuk-summary-card__title-wrapper">'
        f'<h2 class="govuk-summary-card__title"><a class="govuk-link" '
        f'href="{escape(review_url(row.pk))}">{escape(row.reference)}</a></h2></div>'
        f'<div class="govuk-summary-card__content"><dl class="govuk-summary-list">{rows}</dl>'
        f"</div></div>")
