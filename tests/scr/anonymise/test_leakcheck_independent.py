"""The leak check does not share the anonymiser's knowledge: on real PDFs it finds people
by title or by a names dataset, initials in any punctuation, dates in any order and
separator, numbers of any validity, the family by its name in the plural, a school by its
short name and a street without its number — and says nothing of pseudonyms, roles,
towns, agencies and the names allowed by design."""

from __future__ import annotations

import pytest

from scr.anonymise import Hit, leak_check, leak_check_pages, pdf_pages
from scr.pdf import html_to_pdf
from tests.scr.anonymise.family import FAMILY

PAGE_BREAK = '<div style="page-break-after: always"></div>'

# (sentence, kind, pseudonym, the hit's text): each on its own page.
PLANTED = [
    ("Her date of birth, 9.5.14, was on the form.", "date_of_birth", "Child R", "9.5.14"),
    ("It was also written 09-05-2014 and 2014/05/09.", "date_of_birth", "Child R", "09-05-2014"),
    ("She was born on the 9th of May 2014.", "date_of_birth", "Child R", "9th of May 2014"),
    ("Written in the US way: May 9th, 2014.", "date_of_birth", "Child R", "May 9th, 2014"),
    ("The Ellis-Doyles had no support.", "name", "Child R", "Ellis-Doyles"),
    ("The Doyles' house was cold.", "name", "Child R", "Doyles"),
    ("The school wrote R.M.E.-D. on the form.", "initials", "Child R", "R.M.E.-D."),
    ("The GP wrote RMED in the notes.", "initials", "Child R", "RMED"),
    ("Someone wrote S.T.B. on a referral.", "initials", None, "S.T.B."),
    ("She went to St Teilo's every day.", "school", "Child R", "St Teilo's"),
    ("The house on Quarry Lane was damp.", "address", "Child R", "Quarry Lane"),
    ("Her NI number QQ 12 34 56 C was on a letter.", "ni_number", "Child R", "QQ 12 34 56 C"),
    ("Another, ZQ 98 76 54 A, too.", "ni_number", None, "ZQ 98 76 54 A"),
    ("An NHS number 943 476 5918 with a bad check digit.", "nhs_number", None, "943 476 5918"),
    ("Mrs Ffion Pritchard called the police.", "person_name", None, "Mrs Ffion Pritchard"),
    ("DS Okonkwo attended.", "person_name", None, "DS Okonkwo"),
    ("A neighbour, Kayden Pritchard, was there.", "person_name", None, "Kayden Pritchard"),
    ("They lived at 14 Bryn Road before.", "address", None, "14 Bryn Road"),
    ("She had been at Ysgol Glan Morfa Primary School.", "school", None,
     "Ysgol Glan Morfa Primary School"),
]


def _render(*pages: str) -> bytes:
    body = PAGE_BREAK.join(f"<section>{p}</section>" for p in pages)
    return html_to_pdf(f'<html lang="en-GB"><head><title>Review</title></head><body>{body}'
                       "</body></html>")


@pytest.fixture(scope="module")
def planted_hits() -> list[Hit]:
    pdf = _render("<h1>Child Safeguarding Practice Review: Child R</h1>",
                  *(f"<p>{text}</p>" for text, *_ in PLANTED))
    return leak_check(pdf, FAMILY)


@pytest.mark.parametrize(("index", "kind", "pseudonym", "text"),
                         [(i, k, p, t) for i, (_, k, p, t) in enumerate(PLANTED)],
                         ids=[t for *_, t in PLANTED])
def test_a_planted_identifier_is_found_on_its_page(planted_hits: list[Hit], index: int,
                                                   kind: str, pseudonym: str | None,
                                                   text: str) -> None:
    hits = [(h.kind, h.pseudonym, h.text) for h in planted_hits if h.page == index + 2]
    assert (kind, pseudonym, text) in hits


def test_nothing_is_found_on_the_title_page(planted_hits: list[Hit]) -> None:
    assert [h for h in planted_hits if h.page == 1] == []


CLEAN = ("Child R and Sibling 1 lived with Mother in Abergele. Social Worker 1 and Health "
         "Visitor 1 visited; GP 1 and Detective Constable 1 attended the strategy meeting in "
         "March 2019. Mr Q was not known to Conwy Police. See paragraph 3.4.15 and section "
         "2.1. The review was led by Eleanor Roberts, Independent Reviewer, for the North Wales "
         "Safeguarding Board, chaired by Dr Meirion Hughes. Author: Eleanor Roberts. Grandmother "
         "(F, 61) and Father (M, 40) took part. The Family Court, the Youth Offending Team, "
         "Betsi Cadwaladr University Health Board and Ysbyty Glan Clwyd gave chronologies. "
         "Published 12 May 2027.")
ALLOWED = ["Eleanor Roberts", "Dr Meirion Hughes", "North Wales Safeguarding Board",
           "Betsi Cadwaladr University Health Board", "Ysbyty Glan Clwyd"]


def test_a_clean_page_has_no_hit_with_its_allowed_names_and_dates() -> None:
    from datetime import date

    pages = pdf_pages(_render(f"<p>{CLEAN}</p>"))
    assert leak_check_pages(pages, FAMILY, allowed_names=ALLOWED,
                            allowed_dates=[date(2027, 5, 12)]) == []
    hits = leak_check_pages(pages, FAMILY, allowed_dates=[date(2027, 5, 12)])
    assert {h.text for h in hits} >= {"Eleanor Roberts", "Dr Meirion Hughes"}


def test_full_dates_follow_the_partnership_rule_but_a_date_of_birth_never_does() -> None:
    pages = ["The meeting on 3 June 2019 agreed a plan. Born 09/05/2014."]
    flagged = leak_check_pages(pages, FAMILY, full_dates="flag")
    assert [(h.kind, h.text) for h in flagged] == [("date", "3 June 2019"),
                                                   ("date_of_birth", "09/05/2014")]
    allowed = leak_check_pages(pages, FAMILY, full_dates="allow")
    assert [(h.kind, h.text) for h in allowed] == [("date_of_birth", "09/05/2014")]
    with pytest.raises(ValueError, match="full_dates"):
        leak_check_pages(pages, FAMILY, full_dates="sometimes")


def test_a_dotted_two_digit_year_is_a_date_unless_it_numbers_a_paragraph() -> None:
    pages = ["Paragraph 3.4.15 applies.\n4.1.19 Background\nThey met on 4.1.19 at noon."]
    hits = leak_check_pages(pages, [], full_dates="flag")
    assert [(h.kind, h.text) for h in hits] == [("date", "4.1.19")]
    assert hits[0].context.endswith("at noon.")


def test_a_given_name_a_surname_and_another_surname_are_one_hit() -> None:
    hits = leak_check_pages(["Reviewed by John Fox Murray.\nMurray said so."], [])
    assert [h.text for h in hits] == ["John Fox Murray"]
    assert leak_check_pages(["Reviewed by John Fox Murray."], [],
                            allowed_names=["John Fox Murray"]) == []


def test_roles_pseudonyms_months_places_and_common_words_are_not_people() -> None:
    pages = ["Mother, Father M, Child R (F), Sibling 2 (M) and Mr Q met Dr GP 1's team. "
             "Will the plan work? Grace periods and Hope Street Clinic; May 2019 in Preston. "
             "Jordan House Surgery, Victoria Road Health Centre. NHS, ICB, U.K., e.g. 10 A.M."]
    assert leak_check_pages(pages, FAMILY) == []
