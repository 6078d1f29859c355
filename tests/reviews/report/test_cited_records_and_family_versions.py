"""A finding cites the review's own records — key practice episodes, submitted chronology
entries, submitted agency reports, meetings — shown inline on the finding's page, and each
episode lists the findings that cite it; family comments name the kept version the family
read."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from reviews import selectors, services
from reviews.models import ChronologyEntry, Episode, FindingEvidence, Meeting
from tests.conftest import Personas
from tests.personas import client_for
from tests.reporting import ReportWorld, add_finding, report_world


def episode_with_entry(w: ReportWorld, *, review: object = None,
                       status: str = ChronologyEntry.Status.SUBMITTED) -> tuple[Episode, ChronologyEntry]:
    review = review or w.review
    episode = Episode(review=review, title="The hospital visit",
                      description="Bruising on a non-mobile baby explained as a fall.")
    episode.save()
    entry = ChronologyEntry(
        review=review, agency=w.p.police, occurred_on=timezone.localdate() - timedelta(days=60),
        source="Custody record 12/345", what_happened="Officers attended the home after a call.",
        practitioner_role="Police constable", child_seen=True,
        significance=ChronologyEntry.Significance.KEY, status=status, episode=episode)
    entry.save()
    return episode, entry


def test_a_finding_cites_an_episode_shown_inline_and_the_episode_lists_the_finding(
        personas: Personas) -> None:
    w = report_world(personas)
    finding = add_finding(w, evidence=False)
    episode, entry = episode_with_entry(w)
    services.finding_evidence_add(by=personas.reviewer, finding=finding, kind="episode",
                                  episode=episode, note="Shows the first explanation accepted.")
    services.finding_evidence_add(by=personas.reviewer, finding=finding,
                                  kind="chronology_entry", chronology_entry=entry)

    page = client_for(personas.reviewer).get(f"/findings/{finding.pk}/").content.decode()
    assert "The hospital visit" in page
    assert "Bruising on a non-mobile baby explained as a fall." in page
    assert "Officers attended the home after a call." in page
    assert "not shared with you" not in page
    assert selectors.findings_citing_episodes(personas.reviewer, w.review) == {
        episode.pk: [finding]}
    chronology = client_for(personas.reviewer).get(
        f"/reviews/{w.review.pk}/chronology/").content.decode()
    assert f'href="/findings/{finding.pk}/">Finding {finding.number}' in chronology


def test_records_of_another_review_drafts_and_the_wrong_kind_cannot_be_cited(
        personas: Personas) -> None:
    w = report_world(personas)
    other = report_world(personas)
    finding = add_finding(w, evidence=False)
    foreign_episode, _ = episode_with_entry(w, review=other.review)
    _, draft = episode_with_entry(w, status=ChronologyEntry.Status.DRAFT)
    meeting = Meeting(review=w.review, kind=Meeting.Kind.PANEL,
                      held_on=timezone.localdate() - timedelta(days=3))
    meeting.save()

    with pytest.raises(ValidationError, match="Choose evidence from this review"):
        services.finding_evidence_add(by=personas.reviewer, finding=finding, kind="episode",
                                      episode=foreign_episode)
    with pytest.raises(ValidationError, match="Choose a submitted chronology entry"):
        services.finding_evidence_add(by=personas.reviewer, finding=finding,
                                      kind="chronology_entry", chronology_entry=draft)
    with pytest.raises(ValidationError, match="choose the kind of evidence it is"):
        services.finding_evidence_add(by=personas.reviewer, finding=finding, kind="episode",
                                      meeting=meeting)
    with pytest.raises(ValidationError, match="Choose the meeting"):
        services.finding_evidence_add(by=personas.reviewer, finding=finding, kind="meeting")
    assert not FindingEvidence.objects.exists()

    link = services.finding_evidence_add(by=personas.reviewer, finding=finding, kind="meeting",
                                         meeting=meeting)
    assert link.target == meeting
    assert list(meeting.finding_links.all()) == [link]


def test_the_link_form_offers_only_this_reviews_citable_records(personas: Personas) -> None:
    from reviews.forms import FindingEvidenceForm

    w = report_world(personas)
    other = report_world(personas)
    mine, submitted = episode_with_entry(w)
    _, draft = episode_with_entry(w, status=ChronologyEntry.Status.DRAFT)
    theirs, _ = episode_with_entry(w, review=other.review)
    form = FindingEvidenceForm(review=w.review)
    assert set(form.fields["episode"].queryset) == {mine, draft.episode}  # episodes: any
    assert list(form.fields["chronology_entry"].queryset) == [submitted]
    assert theirs not in form.fields["episode"].queryset


def test_family_comments_are_recorded_against_the_kept_version_the_family_read(
        personas: Personas) -> None:
    w = report_world(personas)
    other = report_world(personas)
    services.report_start(by=personas.reviewer, review=w.review)
    family_version = services.snapshot_create(by=personas.reviewer, review=w.review,
                                              name="v4 for family")
    services.report_start(by=personas.reviewer, review=other.review)
    foreign = services.snapshot_create(by=personas.reviewer, review=other.review, name="v1")
    child = w.review.subjects.get()
    involvement = services.family_involvement_record(
        by=personas.reviewer, review=w.review, subject=child, invited=True,
        invitation_reason="The child's view, through an advocate")

    comment = services.family_comment_add(
        by=personas.reviewer, involvement=involvement, received_on=timezone.localdate(),
        report_version=family_version, comments="The report says we moved in 2023: it was 2022.")
    assert comment.report_version == family_version
    assert comment.report_version_label == "Version 1: v4 for family"
    assert list(family_version.family_comments.all()) == [comment]
    with pytest.raises(ValidationError, match="Choose a version of this review's report"):
        services.family_comment_add(by=personas.reviewer, involvement=involvement,
                                    received_on=timezone.localdate(), report_version=foreign,
                                    comments="x")
    with pytest.raises(ValidationError, match="Choose the version of the draft they read"):
        services.family_comment_add(by=personas.reviewer, involvement=involvement,
                                    received_on=timezone.localdate(), comments="x")
    assert involvement.comments.count() == 1


@pytest.mark.parametrize("kind", ["episode", "chronology_entry", "agency_report", "meeting",
                                  "evidence_request"])
def test_a_link_of_a_kind_with_a_record_names_the_record_even_with_a_reference(
        personas: Personas, kind: str) -> None:
    """Issue 19, item 9: "Chronology entry" with no entry chosen looked traced to nothing."""
    w = report_world(personas)
    finding = add_finding(w, evidence=False)
    with pytest.raises(ValidationError, match="Choose the"):
        services.finding_evidence_add(by=personas.reviewer, finding=finding, kind=kind,
                                      source_reference="Police chronology, 14 March")
    assert not FindingEvidence.objects.filter(finding=finding).exists()
    other = services.finding_evidence_add(by=personas.reviewer, finding=finding, kind="other",
                                          source_reference="Police chronology, 14 March")
    assert other.kind == "other"


def test_the_link_form_shows_each_kinds_picker_under_its_radio_and_sends_only_the_chosen_one(
        personas: Personas) -> None:
    from django.urls import reverse

    w = report_world(personas)
    finding = add_finding(w, evidence=False)
    episode, entry = episode_with_entry(w)
    url = reverse("finding_evidence_add", args=[finding.pk])
    client = client_for(personas.reviewer)
    html = client.get(url).content.decode()
    radio = 'value="chronology_entry" data-aria-controls="conditional-'
    assert radio in html
    controlled = html.split(radio)[1].split('"')[0]
    conditional = html.split(f'id="conditional-{controlled}"')[1].split("</div>\n      </div>")[0]
    assert 'name="chronology_entry"' in conditional and 'name="episode"' not in conditional
    assert 'value="other"' in html and 'data-aria-controls="conditional-id_kind_5"' not in html
    refused = client.post(url, {"kind": "chronology_entry", "chronology_entry": "",
                                "source_reference": "Police chronology"})
    assert refused.status_code == 200
    assert "Choose the chronology entry" in refused.content.decode()
    # A record left chosen under another kind (visible without JavaScript) is not sent.
    done = client.post(url, {"kind": "chronology_entry", "chronology_entry": entry.pk,
                             "episode": episode.pk})
    assert done.status_code == 302
    link = FindingEvidence.objects.get(finding=finding)
    assert link.chronology_entry == entry and link.episode is None
