"""The leak check reads the rendered PDF's own text: every planted leak is found on its
page, and a clean report — reviewers, the board, towns, pseudonyms — has no hit."""

from __future__ import annotations

from datetime import date

import pytest

from scr.anonymise import Identifier, LeakCheckError, RegisterEntry, leak_check, pdf_pages
from scr.anonymise.leakcheck import leak_check_pages
from scr.pdf import html_to_pdf
from tests.scr.anonymise.registers import FAMILY

PAGE_BREAK = '<div style="page-break-after: always"></div>'
CLEAN_PAGES = [
    "<h1>Learning review: Child K</h1><p>Published by the Northshire Safeguarding Children "
    "Partnership in March 2027. Independent reviewer: Jane Reviewer. Chair of the board: "
    "Dr Harold Pemberton.</p>",
    "<h2>Background</h2><p>Child K lived with Mother and Sibling 1 in Northtown. Social "
    "Worker 1 visited the family in May 2015 and again in 2016. The marsh beyond the town "
    "flooded; there was hope that the family would move.</p>",
    "<h2>Findings</h2><table><tr><th>Agency</th><th>Finding</th></tr><tr><td>Police</td>"
    "<td>Information sharing with Health Visitor 1 was slow in March 2015.</td></tr></table>"
    "<p>Paragraph 3.4.15 of the terms of reference. Call 999 in an emergency.</p>",
]


# Named by design: the caller passes them (the reviewer, the chair).
ALLOWED_NAMES = ["Jane Reviewer", "Harold Pemberton"]


def render(*pages: str) -> bytes:
    return html_to_pdf(PAGE_BREAK.join(f"<section>{p}</section>" for p in pages))


@pytest.fixture(scope="module")
def clean_pdf() -> bytes:
    return render(*CLEAN_PAGES)


def test_a_clean_report_naming_reviewers_towns_and_pseudonyms_has_no_hit(
        clean_pdf: bytes) -> None:
    assert len(pdf_pages(clean_pdf)) == 3
    assert leak_check(clean_pdf, FAMILY, allowed_names=ALLOWED_NAMES) == []


def test_without_the_allowed_names_the_reviewer_and_chair_are_person_like_hits(
        clean_pdf: bytes) -> None:
    # Changed: the check used to know no name but the register's, so it could not see these.
    hits = leak_check(clean_pdf, FAMILY)
    assert [(h.kind, h.text) for h in hits] == [("person_name", "Jane"),
                                                ("person_name", "Dr Harold Pemberton")]


PLANTED = [
    ("Amelia was seen at home.", "name", "Child K", "Amelia"),
    ("The notes of O’NEILL were late.", "name", "Child K", "O’NEILL"),
    ("Zoe attended.", "name", "Mother", "Zoe"),  # accent left off
    ("Rose was quiet.", "name", "Child K", "Rose"),  # common word, capitalised
    ("She was born on 03/03/2015.", "date_of_birth", "Child K", "03/03/2015"),
    ("They lived at 12 Marsh Lane.", "address", "Child K", "12 Marsh Lane"),
    ("The postcode NT4 7XY was noted.", "postcode", "Mother", "NT4 7XY"),
    ("She went to Northtown Primary School.", "school", "Child K", "Northtown Primary School"),
    ("NHS number 943 476 5919.", "nhs_number", "Child K", "943 476 5919"),
    ("NI number AB123456C.", "ni_number", "Mother", "AB123456C"),
    ("Crime reference CR/2015/1234.", "police_ref", "Child K", "CR/2015/1234"),
    ("Mobile 07911 123456.", "phone", "Mother", "07911 123456"),
    ("Email zoe.brown@example.org.", "email", "Mother", "zoe.brown@example.org"),
    # generic personal data: nobody's in the register, still a leak
    ("Another NHS number 401 023 2137.", "nhs_number", None, "401 023 2137"),
    ("Another NI number JG 10 37 91 A.", "ni_number", None, "JG 10 37 91 A"),
    ("A postcode SW1A 1AA.", "postcode", None, "SW1A 1AA"),
    ("A landline 020 7946 0018.", "phone", None, "020 7946 0018"),
    ("Write to someone@example.com.", "email", None, "someone@example.com"),
    ("Seen on 4 April 2016.", "date", None, "4 April 2016"),
    ("Seen on 4th April 2016.", "date", None, "4th April 2016"),
    ("Seen on April 4, 2016.", "date", None, "April 4, 2016"),
    ("Seen on 04/04/2016.", "date", None, "04/04/2016"),
    ("Seen on 4/4/2016.", "date", None, "4/4/2016"),
    ("Seen on 2016-04-04.", "date", None, "2016-04-04"),
    ("Seen on 04.04.2016.", "date", None, "04.04.2016"),
]


@pytest.fixture(scope="module")
def planted_pdf() -> bytes:
    """Page 1 clean; each planted leak on its own page after it."""
    return render(CLEAN_PAGES[0], *(f"<p>{text}</p>" for text, *_ in PLANTED))


@pytest.mark.parametrize(("index", "kind", "pseudonym", "text"),
                         [(i, k, p, t) for i, (_, k, p, t) in enumerate(PLANTED)],
                         ids=[f"{k}-{t}" for _, k, _, t in PLANTED])
def test_a_planted_leak_is_found_on_its_page(planted_pdf: bytes, index: int, kind: str,
                                             pseudonym: str | None, text: str) -> None:
    page = index + 2
    hits = [h for h in leak_check(planted_pdf, FAMILY, allowed_names=ALLOWED_NAMES)
            if h.page == page]
    assert [(h.kind, h.pseudonym, h.text) for h in hits] == [(kind, pseudonym, text)]
    assert text in hits[0].context


def test_the_planted_report_has_no_hit_but_the_planted_ones(planted_pdf: bytes) -> None:
    hits = leak_check(planted_pdf, FAMILY, allowed_names=ALLOWED_NAMES)
    assert sorted({h.page for h in hits}) == list(range(2, len(PLANTED) + 2))
    assert len(hits) == len(PLANTED)


def _narrow(text: str) -> str:
    return f'<p lang="en" style="width: 28mm; hyphens: auto">{text}</p>'


def test_a_name_hyphenated_by_the_layout_across_a_line_break_is_found() -> None:
    person = RegisterEntry("Father", "Peregrine Featherstonehaugh")
    pdf = html_to_pdf(_narrow("The family of Featherstonehaugh moved away that winter."))
    text = pdf_pages(pdf)[0]
    assert "‐\n" in text and "Featherstonehaugh" not in text  # the layout did split it
    (hit,) = leak_check(pdf, [person])
    assert (hit.kind, hit.pseudonym, hit.page) == ("name", "Father", 1)
    assert hit.text.replace("‐ ", "") == "Featherstonehaugh"


def test_a_name_split_across_a_page_break_is_found_with_its_pages() -> None:
    """Filler words push the surname to the foot of page 1 until the layout hyphenates it
    there; the running header and footer lie between its two halves."""
    person = RegisterEntry("Father", "Peregrine Featherstonehaugh")
    style = ("<style>@page { size: 90mm 50mm; margin: 10mm 8mm; "
             "@top-center { content: 'Learning review' } } "
             "p { hyphens: auto; widows: 1; orphans: 1; margin: 0 }</style>")
    for filler in range(12, 45):
        pdf = html_to_pdf(f"{style}<p lang='en'>{'word ' * filler}Mr Featherstonehaugh "
                          "attended the meeting with the others.</p>")
        pages = pdf_pages(pdf)
        body = [line for line in pages[0].split("\n")
                if line.strip() and line not in ("Learning review", "Page 1 of 2")]
        if (len(pages) == 2 and body[-1].split()[-1].startswith("Feath")
                and body[-1].endswith("‐") and "Featherstonehaugh" not in pages[0]):
            break
    else:
        pytest.fail("no layout put the surname across the page break")
    hits = leak_check(pdf, [person])
    assert [(h.kind, h.page, h.end_page) for h in hits] == [("name", 1, 2)]


def test_lower_case_common_words_and_month_years_are_not_hits() -> None:
    pages = ["The marsh was brown; hope remained. In March 2015, and in 2016, they moved. "
             "Sections 3.4.15 and 1.2 apply. Child K, Mother, Social Worker 1."]
    assert leak_check_pages(pages, FAMILY) == []


def test_public_contact_details_and_the_publication_date_can_be_allowed() -> None:
    pages = ["Published 12 May 2027. Concerned about a child? Call 020 7946 0018."]
    assert [h.kind for h in leak_check_pages(pages, FAMILY)] == ["date", "phone"]
    assert leak_check_pages(pages, FAMILY, allow=["020 7946 0018"],
                            allowed_dates=[date(2027, 5, 12)]) == []


def test_a_removed_generated_variant_is_not_a_hit_but_a_registered_name_is() -> None:
    william = RegisterEntry("Father", "William Stone", variants_removed=("Will",))
    assert leak_check_pages(["Will the plan work? William said no."], [william]) == [
        leak_check_pages(["William said no."], [william])[0].__class__(
            1, 1, "name", "William", "Father", "Will the plan work? William said no.")]


def test_a_pdf_that_cannot_be_read_is_an_error_never_a_clean_result() -> None:
    with pytest.raises(LeakCheckError):
        leak_check(b"%PDF-1.7 this is not a PDF", FAMILY)


def test_an_identifier_typed_with_odd_unicode_is_still_found() -> None:
    person = RegisterEntry("Child M", "Łukasz Nowak-Wiśniewski",
                           identifiers=(Identifier("nhs_number", "401 023 2137"),))
    pages = ["Lukasz NOWAK WISNIEWSKI, NHS 401\u00a0023\u00a02137"]
    assert [(h.kind, h.pseudonym) for h in leak_check_pages(pages, [person])] == [
        ("name", "Child M"), ("nhs_number", "Child M")]
