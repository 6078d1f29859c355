"""The anonymisation check (issue 17): every item the anonymiser and the leak check leave
is listed with its fix; the anonymised PDF is refused while one is unsettled; a decision is
applied by the anonymiser; a change to the register after a render makes the PDF again;
names printed by design are allowed; empty template sections are left out of the PDF."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from reviews import services
from reviews.models import FormDecision, LeakHit, PublicName, Stage
from reviews.models.publication import CONFIDENTIAL_KIND, PUBLISHED_KIND
from reviews.selectors.publication import anonymisation_check, names_allowed_by_design
from scr.models import RenderRecord
from tests.conftest import Personas, client_for
from tests.reviews.publication.test_publication import approved, render, text_of

SHARED = ("Kayden Smith was three months old. His mother, Leanne Smith, cared for him.\n\n"
          "Smith did not attend the appointment in March.\n")


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def renders(w: Any) -> int:
    return RenderRecord.objects.filter(kind=PUBLISHED_KIND).count()


def test_an_uncertain_name_refuses_the_anonymised_pdf_until_a_reviewer_decides(
        personas: Personas) -> None:
    w = approved(personas, family=SHARED)
    check = anonymisation_check(w.review)
    [item] = check.unsettled
    assert (item.kind, item.text, item.candidates) == ("uncertain", "Smith",
                                                       ("Child A", "Mother"))
    with pytest.raises(ValidationError) as refused:
        services.report_render_request(by=w.p.reviewer, review=w.review, kind=PUBLISHED_KIND)
    message = " ".join(refused.value.messages)
    assert "1 item of the anonymisation check is not settled" in message
    assert reverse("anonymisation_check", args=[w.review.pk]) in message
    assert renders(w) == 0
    # The confidential PDF (real names, never published) is not held up.
    services.report_render_request(by=w.p.manager, review=w.review, kind=CONFIDENTIAL_KIND)

    mother = w.review.subjects.get(pseudonym="Mother")
    decision = services.form_decision_record(by=w.p.reviewer, review=w.review, text=item.text,
                                             context=item.context, subject=mother)
    assert decision.history.get().history_user == w.p.reviewer
    assert anonymisation_check(w.review).unsettled == []
    text = "\n".join(text_of(render(w)))
    assert "Mother did not attend the appointment" in text and "Smith" not in text


def test_not_a_name_needs_a_reason_and_settles_the_item_leaving_the_word(
        personas: Personas) -> None:
    w = approved(personas, family="Kayden Smith was three months old.\n\n"
                                  "Smith Street was where the clinic stood.\n")
    [item] = anonymisation_check(w.review).unsettled
    with pytest.raises(ValidationError, match="why this is nobody's name"):
        services.form_decision_record(by=w.p.reviewer, review=w.review, text=item.text,
                                      context=item.context, subject=None, reason=" ")
    for outsider in (w.p.panel, w.p.police_lead, w.p.board):
        with pytest.raises(ValidationError, match="Only the review's independent reviewer"):
            services.form_decision_record(by=outsider, review=w.review, text=item.text,
                                          context=item.context, subject=None, reason="A street")
    services.form_decision_record(by=w.p.reviewer, review=w.review, text=item.text,
                                  context=item.context, subject=None,
                                  reason="The name of a street")
    check = anonymisation_check(w.review)
    assert check.unsettled == [] and check.items[0].settled.startswith("Not a name")
    with pytest.raises(ValidationError, match="already been decided"):
        services.form_decision_record(by=w.p.manager, review=w.review, text=item.text,
                                      context=item.context, subject=None, reason="Again")
    # Undone, it is listed again.
    services.form_decision_withdraw(by=w.p.manager, decision=FormDecision.objects.get(),
                                    reason="Wrong: it is the family's surname here")
    assert len(anonymisation_check(w.review).unsettled) == 1


def test_a_decision_for_everywhere_settles_every_place_of_the_form(personas: Personas) -> None:
    w = approved(personas, family=SHARED + "\nLater Smith moved away.\n")
    items = anonymisation_check(w.review).unsettled
    assert [i.text for i in items] == ["Smith", "Smith"]
    services.form_decision_record(by=w.p.manager, review=w.review, text="Smith",
                                  context=items[0].context, everywhere=True,
                                  subject=w.review.subjects.get(pseudonym="Mother"))
    assert anonymisation_check(w.review).unsettled == []


def test_possible_unregistered_names_are_settled_by_registering_or_dismissing(
        personas: Personas) -> None:
    w = approved(personas, family="Kayden Smith was three months old. His aunt Sophie "
                                  "Turner visited. Their dog Bella barked.\n")
    names = {i.text for i in anonymisation_check(w.review).unsettled}
    assert {"Sophie Turner", "Bella"} <= names
    services.subject_add(by=w.p.reviewer, review=w.review, kind="relative", pseudonym="Aunt",
                         full_name="Sophie Turner", sex="female")
    services.unregistered_name_dismiss(by=w.p.reviewer, review=w.review, name="Bella",
                                       reason="The family's dog")
    assert anonymisation_check(w.review).unsettled == []
    text = "\n".join(text_of(render(w)))
    assert "His aunt visited" in text and "Sophie" not in text and "Bella" in text


def test_a_register_change_after_a_render_makes_the_pdf_again(personas: Personas) -> None:
    w = approved(personas, family="Kayden Smith was three months old.\n\nKayden was seen "
                                  "at home.\n")
    child = w.review.subjects.get(kind="child")
    services.subject_identifier_add(by=w.p.reviewer, subject=child, kind="known_as",
                                    value="KJ")
    assert renders(w) == 0  # nobody has asked for the PDF yet: nothing is made
    first = render(w)
    services.subject_identifier_add(by=w.p.reviewer, subject=child, kind="postcode",
                                    value="NT1 2AB")
    again = RenderRecord.objects.filter(kind=PUBLISHED_KIND).exclude(pk=first.pk).get()
    assert again.status == RenderRecord.Status.QUEUED and again.created_by == w.p.reviewer
    # A second change while that render is still queued does not queue another: the queued
    # one reads the register when it runs.
    services.name_variant_add(by=w.p.manager, subject=child, text="Kay-Kay")
    assert renders(w) == 2
    # A change that leaves an item unsettled queues nothing: the check page says what is left.
    RenderRecord.objects.filter(pk=again.pk).update(status=RenderRecord.Status.DONE)
    services.subject_add(by=w.p.manager, review=w.review, kind="sibling", pseudonym="Sibling 1",
                         full_name="Kayden Jones")
    assert renders(w) == 2 and anonymisation_check(w.review).unsettled


def test_names_printed_by_design_are_allowed_and_the_full_date_rule_is_the_partnerships(
        personas: Personas, settings: Any) -> None:
    settings.PUBLIC_NAMES = ["Margaret Oduya"]
    reviewer = personas.reviewer.get_full_name()
    assert reviewer
    w = approved(personas, family=(
        "Kayden Smith was three months old. The partnership's chair, Margaret Oduya, asked "
        f"{reviewer} to lead the review. Dr Priya Raman wrote the foreword. The panel met on "
        "4 May 2026.\n"))
    with pytest.raises(ValidationError, match="Only a business manager"):
        services.public_name_add(by=w.p.reviewer, review=w.review, name="Dr Priya Raman",
                                 role="Author of the foreword")
    services.public_name_add(by=w.p.manager, review=w.review, name="Dr Priya Raman",
                             role="Author of the foreword")
    assert names_allowed_by_design(w.review) == ["Margaret Oduya", reviewer, "Dr Priya Raman"]
    assert anonymisation_check(w.review).unsettled == []
    hits = list(LeakHit.objects.filter(render=render(w)).values_list("kind", "matched"))
    assert hits == [("date", "4 May 2026")]  # no one named by design is a hit
    settings.LEAK_CHECK_FULL_DATES = "allow"
    assert not LeakHit.objects.filter(render=render(w)).exists()

    # Off the list, the author is a possible name nobody registered: the check holds the PDF.
    services.public_name_withdraw(by=w.p.manager, public_name=PublicName.objects.get(),
                                  reason="The foreword is unsigned")
    assert [i.text for i in anonymisation_check(w.review).unsettled] == ["Priya Raman"]


def test_empty_template_sections_are_left_out_of_the_pdf(personas: Personas) -> None:
    """The report starts with every template section; only the introduction, the family
    structure and the sections that pull in records have text. An empty one used to make a
    page with its heading alone."""
    w = approved(personas, family="Kayden Smith was three months old.\n")
    empty = [s.title for s in w.review.report_sections.all()
             if not s.current_id and not s.pulls]
    titles = {s.title for s in w.review.report_sections.all()} | {"The board's response"}
    assert len(empty) >= 5
    pages = text_of(render(w))
    text = "\n".join(pages)
    for title in empty:
        assert title not in text, title
    header = {"Northshire Safeguarding Children Partnership", "Local Child Safeguarding Practice",
              "Review: Child A"}
    for number, page in enumerate(pages[2:], start=3):  # after the cover and the contents
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        body = [line for line in lines if not re.fullmatch(r"Page \d+ of \d+", line)
                and not any(line in h or h in line for h in header) and line not in titles]
        assert body, (number, lines)  # more than the running header and a heading
    confidential = "\n".join(text_of(render(w, CONFIDENTIAL_KIND)))
    assert not any(title in confidential for title in empty)


def test_the_check_page_marks_each_replacement_and_settles_an_item_in_one_step(
        personas: Personas) -> None:
    w = approved(personas, family=SHARED)
    url = reverse("anonymisation_check", args=[w.review.pk])
    body = client_for(personas.reviewer).get(url).content.decode()
    [item] = anonymisation_check(w.review).items
    assert "Whose is this name?" in body and "Smith did not attend" in body
    assert "<mark>Child A</mark>" in body and "was “Kayden Smith”" in body
    decide = reverse("form_decide", args=[w.review.pk, item.token])
    assert decide in body
    # The panel reads the check, but does not settle it.
    panel = client_for(personas.panel)
    assert panel.get(url).status_code == 200 and decide not in panel.get(url).content.decode()
    assert panel.get(decide).status_code == 403
    assert client_for(personas.police_lead).get(url).status_code == 403

    reviewer = client_for(personas.reviewer)
    form = reviewer.get(decide).content.decode()
    assert "Whose is “Smith”?" in form and "Mother (Leanne Smith)" in form
    missing = reviewer.post(decide, {"whose": "not-a-name", "where": "here", "reason": ""})
    assert "Enter why this is nobody" in missing.content.decode()
    mother = w.review.subjects.get(pseudonym="Mother")
    done = reviewer.post(decide, {"whose": str(mother.pk), "where": "here", "reason": ""})
    assert done.status_code == 302 and done["Location"].endswith("#items")
    body = reviewer.get(url).content.decode()
    assert "<mark>Mother</mark>" in body and "decided by a reviewer" in body
    assert 'id="all-settled"' in body
    # The item is gone: its link now leads back to the check.
    assert reviewer.get(decide).status_code == 302


def test_decisions_are_made_before_publication_only(personas: Personas) -> None:
    w = approved(personas, family=SHARED)
    [item] = anonymisation_check(w.review).unsettled
    from tests.conftest import at_stage

    at_stage(w.review, Stage.MONITORING)
    with pytest.raises(ValidationError, match="before publication"):
        services.form_decision_record(by=w.p.manager, review=w.review, text=item.text,
                                      context=item.context, subject=None, reason="A word")


def settled_entry(body: str, anchor: str) -> str:
    """The element with this id, up to the end of its row or list item."""
    start = body.index(f'id="{anchor}"')
    end = min(i for i in (body.find("</tr>", start), body.find("</li>", start)) if i > 0)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body[start:end])).split())


def test_each_settled_item_says_how_who_and_when_and_is_reopened_from_its_link(
        personas: Personas) -> None:
    """A "not a name" decision, a dismissed name and a decision for a person: each shows
    the decision, its reason, who and when, and its Reopen link puts the item back on the
    list. The item's own link (the decide page) leads to its row once it is settled."""
    w = approved(personas, family="Kayden Smith was three months old.\n\nSmith Street was "
                                  "where the clinic stood. Their dog Bella barked.\n")
    items = {i.text: i for i in anonymisation_check(w.review).unsettled}
    street = items["Smith"]
    assert "Bella" in items  # a possible name nobody registered
    decision = services.form_decision_record(
        by=w.p.reviewer, review=w.review, text=street.text, context=street.context,
        subject=None, reason="The name of a street")
    dismissed = services.unregistered_name_dismiss(by=w.p.reviewer, review=w.review,
                                                   name="Bella", reason="The family's dog")
    url = reverse("anonymisation_check", args=[w.review.pk])
    reviewer = client_for(personas.reviewer)
    body = reviewer.get(url).content.decode()
    when = f"{decision.decided_at:%-d %B %Y}"
    [settled] = [i for i in anonymisation_check(w.review).items if i.text == "Smith"]
    row = settled_entry(body, f"item-{settled.number}")
    assert "Settled Not a name (The name of a street)" in row
    assert str(personas.reviewer) in row and when in row and "Reopen" in row
    listed = settled_entry(body, f"decision-{decision.pk}")
    assert "not a name (The name of a street)" in listed and str(personas.reviewer) in listed
    assert when in listed and "Reopen" in listed
    gone = settled_entry(body, f"dismissed-{dismissed.pk}")
    assert "“Bella”: not a name, dismissed (The family's dog)" in gone
    assert str(personas.reviewer) in gone and "Reopen" in gone
    assert reverse("dismissed_name_reopen", args=[dismissed.pk]) in body
    # The item's own link, once settled, leads to its row on the check.
    link = reviewer.get(reverse("form_decide", args=[w.review.pk, street.token]))
    assert link.status_code == 302 and link["Location"] == f"{url}#item-{settled.number}"

    # Reopened (a reason each), both are listed again and block the render.
    assert client_for(personas.panel).post(
        reverse("dismissed_name_reopen", args=[dismissed.pk]),
        {"reason": "Not ours"}).status_code == 403
    reopened = reviewer.post(reverse("dismissed_name_reopen", args=[dismissed.pk]),
                             {"reason": "Bella is the sister's nickname"})
    assert reopened.status_code == 302
    reviewer.post(reverse("form_decision_withdraw", args=[decision.pk]),
                  {"reason": "It is the family's name here"})
    assert {i.text for i in anonymisation_check(w.review).unsettled} == {"Smith", "Bella"}
    dismissed.refresh_from_db()
    assert dismissed.withdrawn and "Bella is the sister's nickname" in (
        dismissed.history.latest("history_date").history_change_reason)
    with pytest.raises(ValidationError, match="already been reopened"):
        services.dismissed_name_reopen(by=w.p.manager, dismissed=dismissed, reason="Again")
    # Dismissed again, a new record (the reopened one stays, withdrawn).
    services.unregistered_name_dismiss(by=w.p.manager, review=w.review, name="Bella",
                                       reason="It is the dog after all")
    assert [i.text for i in anonymisation_check(w.review).unsettled] == ["Smith"]


def test_a_waived_hit_shows_who_and_when_and_a_business_manager_reopens_it(
        personas: Personas) -> None:
    w = approved(personas, family="Kayden Smith was three months old.\n\nKayden was born "
                                  "on 3 March 2015.\n")
    record = render(w)
    hit = LeakHit.objects.get(render=record)
    services.leak_hit_waive(by=w.p.manager, hit=hit, reason="Agreed with the family")
    body = client_for(personas.manager).get(
        reverse("anonymisation_check", args=[w.review.pk])).content.decode()
    [item] = [i for i in anonymisation_check(w.review).items if i.kind == "leak_hit"]
    row = settled_entry(body, f"item-{item.number}")
    assert "Settled Waived: Agreed with the family" in row and str(personas.manager) in row
    assert "Reopen" in row and reverse("leak_hit_reopen", args=[hit.pk]) in body
    from reviews.selectors.publication import publishable_render
    assert publishable_render(w.review) == record

    with pytest.raises(ValidationError, match="Only a business manager"):
        services.leak_hit_reopen(by=w.p.reviewer, hit=hit, reason="Too quick")
    with pytest.raises(ValidationError, match="Enter why"):
        services.leak_hit_reopen(by=w.p.manager, hit=hit, reason=" ")
    done = client_for(personas.manager).post(reverse("leak_hit_reopen", args=[hit.pk]),
                                             {"reason": "The family withdrew consent"})
    assert done.status_code == 302
    hit.refresh_from_db()
    assert hit.waived_at is None and hit.waived_by is None and hit.waiver_reason == ""
    assert publishable_render(w.review) is None
    assert "The family withdrew consent" in hit.history.latest(
        "history_date").history_change_reason
    assert hit.history.filter(waiver_reason="Agreed with the family").exists()
    with pytest.raises(ValidationError, match="not waived"):
        services.leak_hit_reopen(by=w.p.manager, hit=hit, reason="Again")
