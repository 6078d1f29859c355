"""Measured on real PDFs (scr.pdf.html_to_pdf, read back by pdftotext): false alarms of
the leak check on a clean report, and what became of every identifier planted in a report
written with the real names — removed by the anonymiser, or left and flagged by the leak
check, never left and unflagged. ``pytest -s`` prints the counts (docs/anonymisation.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from scr.anonymise import Hit, anonymise, leak_check_pages, pdf_pages
from scr.anonymise.fold import fold
from scr.pdf import html_to_pdf
from tests.scr.anonymise.corpus import (
    ALLOW,
    ALLOWED_NAMES,
    CLEAN,
    HARD_FAMILY,
    PUBLISHED,
    REFERENCE_DATE,
    document,
    planted_forms,
    planted_text,
)

_NOT_KEY = {"the", "mr", "ms", "mrs", "dr", "pc", "nurse", "of", "jr", "s"}


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", fold(text).text) if w not in _NOT_KEY}


def _needle(text: str) -> str:
    return "".join(re.findall(r"[a-z0-9]", fold(text).text))


def _present(form: str, folded_pdf: str) -> bool:
    words = re.findall(r"[a-z0-9]+", fold(form).text)
    pattern = r"(?<![a-z0-9])" + r"[^a-z0-9]{0,3}".join(map(re.escape, words)) + r"(?![a-z0-9])"
    return re.search(pattern, folded_pdf) is not None


def _flagged(form: str, hits: list[Hit]) -> bool:
    key, needle = _words(form), _needle(form)
    return any(key & _words(h.text) or (len(needle) > 3 and needle in _needle(h.text))
               or (len(_needle(h.text)) > 3 and _needle(h.text) in needle) for h in hits)


@dataclass(frozen=True)
class Counts:
    planted: int
    removed: int
    flagged: int
    unflagged: tuple[str, ...]  # present in the PDF and not flagged: leaks


def _count(pdf: bytes) -> tuple[Counts, list[Hit]]:
    pages = pdf_pages(pdf)
    folded = re.sub(r"\s+", " ", fold("\n".join(pages), join_hyphenation=True).text)
    hits = leak_check_pages(pages, HARD_FAMILY, allow=ALLOW, allowed_dates=[PUBLISHED],
                            allowed_names=ALLOWED_NAMES)
    forms = planted_forms()
    present = [f for f in forms if _present(f, folded)]
    flagged = [f for f in present if _flagged(f, hits)]
    return Counts(len(forms), len(forms) - len(present), len(flagged),
                  tuple(f for f in present if f not in flagged)), hits


@pytest.fixture(scope="module")
def clean_pages() -> list[str]:
    return pdf_pages(html_to_pdf(document("".join(CLEAN))))


def test_false_alarms_on_a_clean_report_are_at_most_two(clean_pages: list[str]) -> None:
    hits = leak_check_pages(clean_pages, HARD_FAMILY, allow=ALLOW, allowed_dates=[PUBLISHED],
                            allowed_names=ALLOWED_NAMES, full_dates="allow")
    print(f"\nclean report, {len(clean_pages)} pages, full dates allowed: {len(hits)} hits",
          *(f"  p{h.page} {h.kind} {h.text!r}: {h.context}" for h in hits), sep="\n")
    assert len(hits) <= 2
    # The one expected: "Summer holidays" starts a sentence, and Summer is Health Visitor
    # 1's surname — capitalised, the word cannot be told from the name.
    assert [(h.kind, h.text) for h in hits] == [("name", "Summer")]


def test_with_full_dates_flagged_the_meeting_dates_are_the_only_other_hits(
        clean_pages: list[str]) -> None:
    hits = leak_check_pages(clean_pages, HARD_FAMILY, allow=ALLOW, allowed_dates=[PUBLISHED],
                            allowed_names=ALLOWED_NAMES, full_dates="flag")
    assert [(h.kind, h.text) for h in hits if h.kind == "date"] == [
        ("date", "14 March 2018"), ("date", "2 November 2018")]
    assert len(hits) == 3  # the signature date (the publication date) is allowed


def test_without_allowed_names_the_reviewer_chair_and_officer_are_found(
        clean_pages: list[str]) -> None:
    hits = leak_check_pages(clean_pages, HARD_FAMILY, allow=ALLOW, allowed_dates=[PUBLISHED],
                            full_dates="allow")
    names = {h.text for h in hits if h.kind == "person_name"}
    assert {"John Fox Murray", "Dr Amanda Whitfield", "Priya Chandrasekaran"} <= names


def test_every_planted_identifier_is_found_by_the_leak_check_in_the_raw_report() -> None:
    counts, hits = _count(html_to_pdf(document(planted_text())))
    print(f"\nraw report (nothing anonymised): {counts}; {len(hits)} hits")
    assert counts.removed == 0
    assert counts.unflagged == ()


def test_the_anonymised_report_leaves_nothing_unflagged() -> None:
    result = anonymise(planted_text(), HARD_FAMILY, REFERENCE_DATE)
    counts, hits = _count(html_to_pdf(document(result.text)))
    print(f"\nanonymised report: {counts}; uncertain: {len(result.uncertain)}",
          *(f"  p{h.page} {h.kind} {h.text!r}" for h in hits), sep="\n")
    assert counts.unflagged == ()
    # What the anonymiser cannot know is left to the leak check: people nobody registered
    # (and a meeting's date, by the default rule "flag").
    assert {h.text for h in hits} == {"Kayden Hughes", "PC Thornbury", "Nurse Adeyemi",
                                      "S.R.B.", "14 March 2018"}
    assert counts.planted - counts.removed == 4


def test_the_leak_check_without_a_register_still_sees_most_of_a_raw_report() -> None:
    """Independence: with an empty register, titles, the names dataset, initials, numbers
    and dates still find the planted identifiers a register would."""
    pages = pdf_pages(html_to_pdf(document(planted_text())))
    hits = leak_check_pages(pages, [], allow=ALLOW, allowed_dates=[PUBLISHED],
                            allowed_names=ALLOWED_NAMES)
    forms = planted_forms()
    seen = [f for f in forms if _flagged(f, hits)]
    print(f"\nraw report, no register: {len(seen)} of {len(forms)} planted forms flagged; "
          f"missed: {[f for f in forms if f not in seen]}")
    assert len(seen) >= len(forms) * 2 // 3
