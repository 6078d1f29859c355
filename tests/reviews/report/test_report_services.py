"""The report: versions without lost words, snapshots that later edits never change,
comments, sign-off approvals voided by a later change, the board's response, and the
stage guards that read these records."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from reviews import selectors, services
from reviews.formats.markdown import render_markdown
from reviews.models import (
    Approval,
    ReportSection,
    SectionVersion,
    SignOffSubmission,
    Stage,
)
from reviews.services import TransitionRefused
from tests.conftest import Personas, at_stage
from tests.reporting import (
    add_finding,
    add_recommendation,
    approve_all,
    board_response,
    report_world,
    submitted,
)


def test_the_report_starts_with_the_usual_sections_in_order(personas: Personas) -> None:
    w = report_world(personas)
    sections = services.report_start(by=personas.reviewer, review=w.review)
    assert [s.title for s in sections][:3] == ["Introduction", "The process of the review",
                                               "Family structure"]
    assert sections[-1].title == "Appendix: terms of reference"
    assert len(sections) == 14


def test_the_partnership_adds_and_reorders_sections(personas: Personas) -> None:
    w = report_world(personas)
    sections = services.report_start(by=personas.reviewer, review=w.review)
    added = services.section_add(by=personas.reviewer, review=w.review,
                                 title="Learning from other areas", after=sections[0])
    services.section_move(by=personas.reviewer, section=added, direction="up")
    titles = list(w.review.report_sections.values_list("title", flat=True))
    assert titles[:3] == ["Learning from other areas", "Introduction",
                          "The process of the review"]


def test_every_save_is_a_version_with_who_and_when(personas: Personas) -> None:
    w = report_world(personas)
    intro = services.report_start(by=personas.reviewer, review=w.review)[0]
    services.section_save(by=personas.reviewer, section=intro, body="First.", base_version=0)
    services.section_save(by=personas.manager, section=intro, body="Second.", base_version=1)
    versions = list(intro.versions.order_by("number"))
    assert [(v.number, v.body, v.saved_by) for v in versions] == [
        (1, "First.", personas.reviewer), (2, "Second.", personas.manager)]


def test_a_save_based_on_a_stale_version_is_refused_with_both_texts(personas: Personas) -> None:
    w = report_world(personas)
    intro = services.report_start(by=personas.reviewer, review=w.review)[0]
    services.section_save(by=personas.reviewer, section=intro, body="Theirs.", base_version=0)
    with pytest.raises(services.SectionConflict) as conflict:
        services.section_save(by=personas.manager, section=intro, body="Mine.", base_version=0)
    assert conflict.value.current.body == "Theirs."
    assert conflict.value.yours == "Mine."
    assert list(intro.versions.values_list("body", flat=True)) == ["Theirs."]


def test_findings_recommendations_and_terms_are_pulled_into_the_report(
        personas: Personas) -> None:
    w = report_world(personas)
    finding = add_finding(w, title="Risk was not reassessed")
    add_recommendation(w, [finding])
    services.report_start(by=personas.reviewer, review=w.review)
    page = selectors.report_page(personas.reviewer, w.review)
    html = {row.section.kind: row.html for row in page["rows"]}
    assert "Finding 1: Risk was not reassessed" in html["findings"]
    assert "Recommendation 1" in html["recommendations"]
    assert "Was the risk to the baby recognised?" in html["terms_of_reference"]


def test_markdown_is_rendered_without_raw_html_scripts_or_dangerous_links() -> None:
    html = render_markdown("**Bold** <script>alert(1)</script> <img src=x onerror=alert(1)>\n\n"
                           "[a](javascript:alert(1)) [b](file:///etc/passwd) "
                           "[c](https://example.org) <a href=\"javascript:x\">d</a>")
    assert "<strong>Bold</strong>" in html
    assert "<script" not in html and "<img" not in html
    assert '<a href="javascript' not in html and '<a href="file' not in html
    assert "&lt;script&gt;" in html  # raw HTML is shown as text, never run
    assert '<a href="https://example.org"' in html


def test_the_sanitiser_is_a_second_line_behind_the_parser() -> None:
    from reviews.formats.markdown import sanitise

    cleaned = sanitise('<a href="javascript:alert(1)">x</a><a href="file:///etc/passwd">f</a>'
                       '<script>x</script><p onclick="x">p</p>')
    assert "href" not in cleaned and "script" not in cleaned and "onclick" not in cleaned
    assert cleaned.endswith("<p>p</p>")


def test_a_named_version_never_changes_with_later_edits(personas: Personas) -> None:
    w = report_world(personas)
    finding = add_finding(w, title="Risk was not reassessed")
    intro = services.report_start(by=personas.reviewer, review=w.review)[0]
    services.section_save(by=personas.reviewer, section=intro, body="As it was.", base_version=0)
    v1 = services.snapshot_create(by=personas.reviewer, review=w.review, name="v1 for panel")
    services.section_save(by=personas.reviewer, section=intro, body="As it is.", base_version=1)
    services.finding_update(by=personas.reviewer, finding=finding, title="Renamed",
                            statement="s", why_it_matters="w")
    parts = {p.title: p.body for p in v1.parts.all()}
    assert parts["Introduction"] == "As it was."
    assert "Risk was not reassessed" in parts["Findings"] and "Renamed" not in parts["Findings"]
    v2 = services.snapshot_create(by=personas.reviewer, review=w.review, name="v2")
    rows = {r.title: r for r in selectors.compare_snapshots(v1, v2)}
    assert rows["Introduction"].status == "changed"
    assert [s.text for s in rows["Introduction"].diff.before if s.changed] == ["was."]
    assert [s.text for s in rows["Introduction"].diff.after if s.changed] == ["is."]
    assert rows["Family structure"].status == "unchanged"


def test_panel_members_comment_on_a_shared_version_and_the_reviewer_resolves(
        personas: Personas) -> None:
    w = report_world(personas)
    services.report_start(by=personas.reviewer, review=w.review)
    snapshot = services.snapshot_create(by=personas.reviewer, review=w.review, name="v1")
    part = snapshot.parts.first()
    assert part is not None
    with pytest.raises(ValidationError):
        services.comment_add(by=personas.panel, part=part, text="Not shared yet")
    services.snapshot_share(by=personas.reviewer, snapshot=snapshot)
    comment = services.comment_add(by=personas.panel, part=part, text="Say more about GP visits")
    with pytest.raises(ValidationError):
        services.comment_resolve(by=personas.panel, comment=comment, resolution="Mine")
    services.comment_resolve(by=personas.reviewer, comment=comment, resolution="Added a paragraph")
    comment.refresh_from_db()
    assert comment.resolved_by == personas.reviewer
    history = selectors.review_histories(personas.panel, w.review)
    assert any(qs.model.instance_type.__name__ == "ReportComment" and qs.exists()
               for _, qs in history.values())


def test_approvals_are_per_approver_and_complete_the_submission(personas: Personas) -> None:
    w = report_world(personas, stage=Stage.REPORT)
    submission = submitted(w)
    at_stage(w.review, Stage.SIGN_OFF)
    with pytest.raises(ValidationError, match="cannot give this approval"):
        services.approval_give(by=w.police_rep, submission=submission,
                               approver_key="partner_health")
    approve_all(w, submission)
    submission.refresh_from_db()
    assert submission.status == SignOffSubmission.Status.APPROVED
    assert Approval.objects.filter(submission=submission, voided_at__isnull=True).count() == 5


def test_a_change_after_an_approval_voids_every_approval_and_says_so(personas: Personas) -> None:
    w = report_world(personas, stage=Stage.REPORT)
    submission = submitted(w)
    at_stage(w.review, Stage.SIGN_OFF)
    services.approval_give(by=personas.reviewer, submission=submission, approver_key="reviewer")
    services.approval_give(by=w.police_rep, submission=submission, approver_key="partner_police")
    intro = ReportSection.objects.get(review=w.review, kind="introduction")
    services.section_save(by=personas.reviewer, section=intro, body="A late correction.",
                          base_version=intro.version_number)
    submission.refresh_from_db()
    assert submission.status == SignOffSubmission.Status.VOIDED
    assert "2 approvals voided" in submission.outcome
    assert all(a.voided_at and "changed after this approval" in a.void_reason
               for a in submission.approvals.all())


def test_approving_a_version_that_is_no_longer_current_is_refused_with_the_current_one(
        personas: Personas) -> None:
    w = report_world(personas, stage=Stage.REPORT)
    old = submitted(w, "v1")
    at_stage(w.review, Stage.SIGN_OFF)
    new = submitted(w, "v2")  # the edit voided v1; v2 is now the submitted version
    with pytest.raises(services.StaleVersion) as stale:
        services.approval_give(by=personas.manager, submission=old,
                               approver_key="business_manager")
    assert stale.value.current == new.snapshot
    assert "version 2" in stale.value.messages[0]
    assert not Approval.objects.filter(submission=old).exists()


def test_returning_the_draft_voids_its_approvals(personas: Personas) -> None:
    w = report_world(personas, stage=Stage.REPORT)
    submission = submitted(w)
    at_stage(w.review, Stage.SIGN_OFF)
    services.approval_give(by=personas.manager, submission=submission,
                           approver_key="business_manager")
    services.review_transition(by=personas.manager, review=w.review, to=Stage.REPORT,
                               expected_from=Stage.SIGN_OFF, reason="Needs the GP's view")
    submission.refresh_from_db()
    assert submission.status == SignOffSubmission.Status.RETURNED
    assert "Needs the GP's view" in submission.outcome
    assert submission.approvals.get().voided_at is not None


def test_report_to_sign_off_needs_a_current_submitted_version(personas: Personas) -> None:
    w = report_world(personas, stage=Stage.REPORT)
    with pytest.raises(TransitionRefused, match="submitted for sign-off"):
        services.review_transition(by=personas.manager, review=w.review, to=Stage.SIGN_OFF,
                                   expected_from=Stage.REPORT)
    submitted(w)
    services.review_transition(by=personas.manager, review=w.review, to=Stage.SIGN_OFF,
                               expected_from=Stage.REPORT)
    assert w.review.stage == Stage.SIGN_OFF


def test_sign_off_to_publication_needs_every_approval_and_the_board_response(
        personas: Personas) -> None:
    w = report_world(personas, stage=Stage.REPORT)
    finding = add_finding(w)
    add_recommendation(w, [finding])
    submission = submitted(w)
    services.review_transition(by=personas.manager, review=w.review, to=Stage.SIGN_OFF,
                               expected_from=Stage.REPORT)
    with pytest.raises(TransitionRefused) as refused:
        services.review_transition(by=personas.manager, review=w.review, to=Stage.PUBLICATION,
                                   expected_from=Stage.SIGN_OFF)
    message = str(refused.value)
    assert "approval: Police" in message and "the board's written response" in message
    approve_all(w, submission)
    board_response(w)
    with pytest.raises(TransitionRefused) as refused:
        services.review_transition(by=personas.manager, review=w.review, to=Stage.PUBLICATION,
                                   expected_from=Stage.SIGN_OFF)
    assert "approval" not in str(refused.value) and "board" not in str(refused.value)
    assert "planned publication date" in str(refused.value)  # the existing conditions remain


def test_the_board_response_covers_every_finding_and_recommendation(personas: Personas) -> None:
    w = report_world(personas, stage=Stage.SIGN_OFF)
    finding = add_finding(w)
    with pytest.raises(ValidationError) as refused:
        services.board_response_record(by=personas.manager, review=w.review, response="r",
                                       monitoring="m", decisions={})
    assert f"finding-{finding.pk}" in refused.value.message_dict
    first = board_response(w)
    second = board_response(w)
    assert (first.version, second.version) == (1, 2)
    assert second.items.get().decision == "accepted"


def test_submitting_records_the_final_report_date_for_its_clock(personas: Personas) -> None:
    w = report_world(personas, stage=Stage.REPORT)
    assert SectionVersion.objects.count() == 0
    submitted(w)
    w.review.refresh_from_db()
    # This review has no recorded decision (arranged at the stage): no date is invented.
    assert w.review.final_report_received_on is None


def test_autosave_keeps_no_draft_when_nothing_was_typed_and_no_row_when_nothing_changed(
        personas: Personas) -> None:
    from reviews.models import SectionDraft

    w = report_world(personas)
    intro = services.report_start(by=personas.reviewer, review=w.review)[0]
    assert services.section_autosave(by=personas.reviewer, section=intro, body="",
                                     base_version=0) is None
    services.section_autosave(by=personas.reviewer, section=intro, body="Typed", base_version=0)
    services.section_autosave(by=personas.reviewer, section=intro, body="Typed", base_version=0)
    assert SectionDraft.history.count() == 1
