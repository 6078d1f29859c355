"""The records a report pulls in, as Markdown: findings, recommendations and the terms of
reference are written once, in their records, and every section of those kinds (and every
snapshot, and the published report) reads them from here — never retyped.

Also the one reading of the terms' key lines of enquiry: ``TermsOfReference`` stores them
as one text, one line of enquiry per line (bullets and numbering ignored).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from scr.text import normalise_text

if TYPE_CHECKING:
    from reviews.models import Finding, Recommendation, ReportSection, TermsOfReference

__all__ = ["findings_markdown", "key_lines", "pulled_markdown", "recommendations_markdown",
           "terms_markdown", "word_count"]

_BULLET = re.compile(r"^\s*(?:[-*•·]|\(?[0-9]{1,2}[.)]|\(?[a-z][.)])\s+", re.IGNORECASE)


def key_lines(terms: TermsOfReference | None) -> list[str]:
    """The key lines of enquiry of these terms, in order, each as one normalised line."""
    if terms is None:
        return []
    lines = (normalise_text(_BULLET.sub("", line)) for line in terms.key_lines_of_enquiry.splitlines())
    seen: list[str] = []
    for line in lines:
        if line and line not in seen:
            seen.append(line)
    return seen


def word_count(text: str) -> int:
    return len(text.split())


def findings_markdown(findings: Iterable[Finding]) -> str:
    """Each finding: its number and statement, why it matters, its themes. (Prefetch
    ``themes``.)"""
    parts = []
    for f in findings:
        themes = ", ".join(t.name for t in f.themes.all())
        parts.append(f"### Finding {f.number}: {f.title}\n\n{f.statement}\n\n"
                     f"**Why it matters beyond this case.** {f.why_it_matters}"
                     + (f"\n\n*Themes: {themes}.*" if themes else ""))
    return "\n\n".join(parts)


def recommendations_markdown(recs: Iterable[Recommendation]) -> str:
    """Each recommendation with whom it is for, its scope, the findings it answers and the
    outcome expected. (Prefetch ``findings``, select ``agency``.)"""
    parts = []
    for r in recs:
        numbers = ", ".join(str(f.number) for f in sorted(r.findings.all(), key=lambda f: f.number))
        parts.append(f"### Recommendation {r.number}\n\n{r.text}\n\n"
                     f"- **For:** {r.addressed_to}\n- **Scope:** {r.get_scope_display()}\n"
                     f"- **Answers finding{'s' if ',' in numbers else ''}:** {numbers}\n"
                     f"- **Outcome expected:** {r.outcome_expected}")
    return "\n\n".join(parts)


def terms_markdown(terms: TermsOfReference | None) -> str:
    """The latest terms of reference. (Prefetch ``agencies_in_scope``.)"""
    if terms is None:
        return "*No terms of reference have been recorded.*"
    agencies = ", ".join(a.name for a in terms.agencies_in_scope.all()) or "none recorded"
    lines = "\n".join(f"{i}. {line}" for i, line in enumerate(key_lines(terms), start=1))
    return (f"- **Method:** {terms.get_method_display()}\n"
            f"- **Period under review:** {terms.scope_start:%-d %B %Y} to {terms.scope_end:%-d %B %Y}\n"
            f"- **Agencies in scope:** {agencies}\n\n**Key lines of enquiry**\n\n{lines}")


def pulled_markdown(section: ReportSection, *, findings: Iterable[Finding],
                    recommendations: Iterable[Recommendation],
                    terms: TermsOfReference | None) -> str:
    """What a section of a pulling kind adds after its own text ("" for other sections)."""
    if section.pulls == "findings":
        return findings_markdown(findings)
    if section.pulls == "recommendations":
        return recommendations_markdown(recommendations)
    if section.pulls == "terms":
        return terms_markdown(terms)
    return ""
