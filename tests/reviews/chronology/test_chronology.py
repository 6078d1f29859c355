"""The chronology: entries, imports, submission, the merged order, who sees what, the
periods when no professional saw the child, and pseudonyms for those without identities."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from reviews import services
from reviews.formats.chronology import parse_date
from reviews.models import ChronologyEntry, ReviewUserObjectPermission
from reviews.selectors import (
    chronology_rows,
    chronology_timeline,
    merged_entries,
    not_seen_periods,
    text_shown_to,
)
from tests.chronology_helpers import Case, csv_upload, entry, make_case, submit, xlsx_upload
from tests.shared_db import layered

# `case`: made once for the module's tests (tests/shared_db.py), each test in its own transaction
module_layer, case = layered(make_case)


def d(case: Case, days_before_incident: int) -> date:
    return case.scope_end - timedelta(days=days_before_incident)


# ---------------------------------------------------------------- dates as agencies write them


@pytest.mark.parametrize(("written", "expected"), [
    ("31/12/2025", date(2025, 12, 31)),
    ("2025-12-31", date(2025, 12, 31)),
    ("31 Dec 2025", date(2025, 12, 31)),
    ("31 December 2025", date(2025, 12, 31)),
    ("31-12-2025", date(2025, 12, 31)),
    ("31.12.2025", date(2025, 12, 31)),
    ("1st September 2025", date(2025, 9, 1)),
    ("3 Sept 2025", date(2025, 9, 3)),
    ("03/04/2025", date(2025, 4, 3)),  # day first: 3 April, never 4 March
    (datetime(2025, 12, 31, 0, 0), date(2025, 12, 31)),  # an Excel date cell
    (45657, date(2024, 12, 31)),  # an Excel day number in a cell not formatted as a date
])
def test_dates_are_read_the_way_agencies_write_them_always_day_first(written: object,
                                                                     expected: date) -> None:
    day, _time, error = parse_date(written)
    assert (day, error) == (expected, "")


@pytest.mark.parametrize(("written", "says"), [
    ("12/31/2025", "never month first"),
    ("31/12/25", "write the year in full"),
    ("next Tuesday", "not a date we can read"),
    ("", "Enter the date"),
])
def test_a_date_in_us_order_or_unreadable_is_refused_with_why(written: str, says: str) -> None:
    day, _time, error = parse_date(written)
    assert day is None
    assert says in error


# ---------------------------------------------------------------- imports


def test_csv_import_with_mixed_good_and_bad_rows_imports_nothing_and_names_every_bad_line(
        case: Case) -> None:
    p = case.people
    good = d(case, 100).strftime("%d/%m/%Y")
    upload = csv_upload([
        [good, "09:30", "Custody record", "Arrested father", "Custody sergeant", "no", ""],
        ["12/31/2025", "", "PNC", "Check", "Analyst", "no", ""],          # line 3: US order
        [good, "", "Log", "", "Officer", "yes", ""],                      # line 4: no text
        [good, "", "Log", "Visit", "Officer", "maybe", "urgent"],         # line 5: two problems
        [(case.review.aware_date + timedelta(days=1)).strftime("%d/%m/%Y"), "", "Log", "Late",
         "Officer", "no", ""],                                            # line 6: after aware
    ])
    with pytest.raises(ValidationError) as refused:
        services.chronology_import(by=p.police_lead, review=case.review, agency=p.police,
                                   upload=upload)
    messages = refused.value.messages
    assert [m.split(":")[0] for m in messages] == ["Line 3", "Line 4", "Line 5", "Line 6"]
    assert "never month first" in messages[0]
    assert "Enter what happened" in messages[1]
    assert "not yes or no" in messages[2] and "not a significance" in messages[2]
    assert "local authority became aware" in messages[3]
    assert ChronologyEntry.objects.count() == 0
    assert ChronologyEntry.history.count() == 0


def test_xlsx_import_with_mixed_good_and_bad_rows_imports_nothing_and_names_every_bad_row(
        case: Case) -> None:
    p = case.people
    upload = xlsx_upload([
        [datetime.combine(d(case, 50), time(14, 5)), None, "GP record", "Seen by GP", "GP",
         "yes", "significant"],
        [None, None, "GP record", "Undated", "GP", "yes", None],         # row 3
        [d(case, 40), None, "GP record", "Seen", "GP", True, None],
        ["31/02/2025", None, "GP record", "Not a date", "GP", "no", None],  # row 5
    ])
    with pytest.raises(ValidationError) as refused:
        services.chronology_import(by=p.health_lead, review=case.review, agency=p.health,
                                   upload=upload)
    assert [m.split(":")[0] for m in refused.value.messages] == ["Line 3", "Line 5"]
    assert ChronologyEntry.objects.count() == 0


def test_a_clean_xlsx_import_saves_drafts_with_excel_dates_and_times(case: Case) -> None:
    p = case.people
    upload = xlsx_upload([
        [datetime.combine(d(case, 50), time(14, 5)), None, "GP record", "Seen by GP", "GP",
         "yes", "significant"],
        [d(case, 40), time(9, 0), "GP record", "Seen again", "Practice nurse", True, None],
        [d(case, 30), None, "Letter", "Missed appointment", "GP", "no", "key practice episode"],
    ])
    result = services.chronology_import(by=p.health_lead, review=case.review, agency=p.health,
                                        upload=upload)
    assert result.created == 3
    entries = list(ChronologyEntry.objects.order_by("occurred_on"))
    assert [(e.occurred_on, e.occurred_at, e.child_seen, e.significance) for e in entries] == [
        (d(case, 50), time(14, 5), True, "significant"), (d(case, 40), time(9, 0), True, "routine"),
        (d(case, 30), None, False, "key")]
    assert all(e.status == "draft" and e.agency == p.health for e in entries)
    history = ChronologyEntry.history.filter(id=entries[0].pk).get()
    assert history.history_user == p.health_lead
    assert history.history_change_reason == "Imported from chronology.xlsx"


def test_a_clean_csv_saved_by_excel_on_windows_imports_with_a_warning_outside_the_scope_period(
        case: Case) -> None:
    p = case.people
    before_scope = case.scope_start - timedelta(days=5)
    upload = csv_upload([
        [before_scope.strftime("%d %b %Y"), "", "Log", "Café visit", "Officer", "no", ""],
        [d(case, 3).isoformat(), "7:15 pm", "Log", "Seen at home", "PCSO", "yes", "key"],
    ], encoding="cp1252")
    result = services.chronology_import(by=p.police_lead, review=case.review, agency=p.police,
                                        upload=upload)
    assert result.created == 2
    assert len(result.warnings) == 1 and result.warnings[0].startswith("Line 2:")
    assert "outside the terms of reference's scope period" in result.warnings[0]
    assert ChronologyEntry.objects.get(occurred_on=before_scope).what_happened == "Café visit"
    assert ChronologyEntry.objects.get(occurred_at=time(19, 15)).significance == "key"


@pytest.mark.parametrize(("upload", "says"), [
    (SimpleUploadedFile("c.csv", b"\x7fELF\x02\x01\x01" + b"\x00" * 200), "CSV or an Excel"),
    (SimpleUploadedFile("c.csv", b""), "empty"),
    (SimpleUploadedFile("c.csv", b"Date,Source\n1/1/2025,x\n"), "no “What happened”"),
    (SimpleUploadedFile("c.csv", b"Date,Time,Source,What happened,Practitioner name,"
                                 b"Child seen\n"), "never a person's name"),
])
def test_a_file_that_is_not_a_chronology_is_refused_with_a_clear_message(
        case: Case, upload: SimpleUploadedFile, says: str) -> None:
    p = case.people
    with pytest.raises(ValidationError) as refused:
        services.chronology_import(by=p.police_lead, review=case.review, agency=p.police,
                                   upload=upload)
    assert says in " ".join(refused.value.messages)
    assert ChronologyEntry.objects.count() == 0


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(case: Case, settings: object
                                                                 ) -> None:
    settings.CHRONOLOGY_IMPORT_MAX_MB = 1  # type: ignore[attr-defined]
    p = case.people
    big = csv_upload([[d(case, 1).isoformat(), "", "x" * 200, "y" * 1000, "z", "no", ""]] * 1000)
    with pytest.raises(ValidationError, match="smaller than 1MB"):
        services.chronology_import(by=p.police_lead, review=case.review, agency=p.police,
                                   upload=big)


def test_another_agencys_lead_cannot_import_into_the_police_chronology(case: Case) -> None:
    p = case.people
    upload = csv_upload([[d(case, 1).isoformat(), "", "Log", "Visit", "Officer", "no", ""]])
    with pytest.raises(ValidationError, match="Only a lead of the agency"):
        services.chronology_import(by=p.health_lead, review=case.review, agency=p.police,
                                   upload=upload)


# ---------------------------------------------------------------- entries and their bounds


def test_an_entry_after_the_review_bounds_is_refused_and_one_outside_the_scope_warned(
        case: Case) -> None:
    with pytest.raises(ValidationError) as refused:
        entry(case, on=case.review.aware_date + timedelta(days=1))
    assert "occurred_on" in refused.value.message_dict
    with pytest.raises(ValidationError, match="years before the incident"):
        entry(case, on=case.review.incident_date - timedelta(days=366 * 26))
    saved = entry(case, on=case.scope_start - timedelta(days=1))
    assert "outside the terms of reference's scope period" in saved.warnings[0]  # type: ignore[attr-defined]


def test_submitting_fixes_the_drafts_and_a_second_submission_changes_nothing(case: Case) -> None:
    p = case.people
    first = entry(case, on=d(case, 20))
    submit(case)
    first.refresh_from_db()
    assert first.status == "submitted" and first.submission is not None
    with pytest.raises(ValidationError, match="no draft entries"):
        submit(case)
    with pytest.raises(ValidationError, match="only be corrected"):
        services.chronology_entry_update(by=p.police_lead, entry=first, what_happened="Changed")
    with pytest.raises(ValidationError, match="reason"):
        services.chronology_entry_correct(by=p.police_lead, entry=first, reason="",
                                          what_happened="Changed")
    services.chronology_entry_correct(by=p.police_lead, entry=first, reason="Typo in the log",
                                      what_happened="Home visit, corrected")
    first.refresh_from_db()
    assert first.what_happened == "Home visit, corrected" and first.status == "submitted"
    latest = first.history.order_by("-history_id").first()  # type: ignore[attr-defined]
    assert latest.history_change_reason == "Correction: Typo in the log"
    assert latest.prev_record.what_happened == "Home visit"


# ---------------------------------------------------------------- the merged chronology


def test_merged_order_across_agencies_puts_date_only_entries_before_timed_ones(
        case: Case) -> None:
    p = case.people
    day = d(case, 30)
    entry(case, agency=p.health, on=day, at=time(9, 0), text="health 09:00")
    entry(case, agency=p.police, on=day, at=time(8, 0), text="police 08:00")
    entry(case, agency=p.police, on=day, text="police, no time")
    entry(case, agency=p.health, on=day - timedelta(days=1), at=time(23, 0), text="health eve")
    entry(case, agency=p.health, on=day, text="health, no time")
    entry(case, agency=p.police, on=day + timedelta(days=1), text="police next day")
    submit(case, p.police)
    submit(case, p.health)
    texts = [e.what_happened for e in merged_entries(p.reviewer, case.review)]
    assert texts == ["health eve", "health, no time", "police, no time", "police 08:00",
                     "health 09:00", "police next day"]


def test_drafts_stay_the_agencys_own_until_submitted(case: Case) -> None:
    p = case.people
    entry(case, agency=p.police, on=d(case, 5), text="police draft")
    entry(case, agency=p.health, on=d(case, 5), text="health draft")
    submit(case, p.health)
    for viewer in (p.manager, p.reviewer, p.panel):
        assert [e.what_happened for e in merged_entries(viewer, case.review)] == ["health draft"]
    police_sees = ChronologyEntry.objects.for_user(p.police_lead).values_list("what_happened",
                                                                             flat=True)
    assert list(police_sees) == ["police draft"]  # not health's, submitted or not
    assert not ChronologyEntry.objects.for_user(p.board).exists()
    assert not ChronologyEntry.objects.for_user(p.health_lead).filter(agency=p.police).exists()


def test_filters_narrow_the_merged_chronology(case: Case) -> None:
    p = case.people
    entry(case, agency=p.police, on=d(case, 50), significance="key", text="key police")
    entry(case, agency=p.police, on=d(case, 10), text="late police")
    entry(case, agency=p.health, on=d(case, 40), significance="key", text="key health")
    submit(case, p.police)
    submit(case, p.health)

    def texts(**filters: object) -> list[str]:
        return [e.what_happened for e in merged_entries(p.manager, case.review, **filters)]

    assert texts(agency=p.police) == ["key police", "late police"]
    assert texts(significance="key") == ["key police", "key health"]
    assert texts(date_from=d(case, 45), date_to=d(case, 5)) == ["key health", "late police"]


def test_the_reviewer_marks_key_episodes_and_groups_entries_into_an_episode(case: Case) -> None:
    p = case.people
    one = entry(case, on=d(case, 20))
    two = entry(case, on=d(case, 19))
    submit(case)
    with pytest.raises(ValidationError):
        services.chronology_entry_mark(by=p.police_lead, entry=one, significance="key")
    services.chronology_entry_mark(by=p.reviewer, entry=one, significance="key")
    one.refresh_from_db()
    assert one.significance == "key"
    episode = services.episode_create(by=p.reviewer, review=case.review, title="Discharge home",
                                      entries=[one, two])
    assert set(episode.entries.values_list("pk", flat=True)) == {one.pk, two.pk}
    with pytest.raises(ValidationError, match="already belong"):
        services.episode_create(by=p.reviewer, review=case.review, title="Again", entries=[one])
    with pytest.raises(ValidationError):
        services.episode_create(by=p.panel, review=case.review, title="Panel's", entries=[two])


# ---------------------------------------------------------------- not seen


def test_not_seen_periods_on_a_known_fixture() -> None:
    start, end = date(2025, 1, 1), date(2025, 6, 30)
    seen = [date(2025, 1, 10), date(2025, 2, 7), date(2025, 3, 10), date(2025, 3, 12),
            date(2025, 6, 20), date(2025, 7, 15)]  # the last is after the end: ignored
    periods = [(p.first, p.last, p.days) for p in not_seen_periods(seen, start, end, 28)]
    assert periods == [
        # 10 Jan → 7 Feb: 27 days between, not more than 28: not shaded.
        (date(2025, 2, 8), date(2025, 3, 9), 30),      # 30 days unseen
        (date(2025, 3, 13), date(2025, 6, 19), 99),
    ]
    # 9 days from the start to the first sighting, 10 after the last: under the threshold.
    assert not_seen_periods([], start, date(2025, 1, 28), 28) == []
    assert [(p.first, p.last) for p in not_seen_periods([], start, date(2025, 1, 29), 28)] == [
        (start, date(2025, 1, 29))]


def test_the_timeline_shades_the_not_seen_periods_from_child_seen_entries(case: Case) -> None:
    p = case.people
    entry(case, agency=p.health, on=case.scope_start, seen=True)
    entry(case, agency=p.health, on=case.scope_start + timedelta(days=20), seen=True)
    entry(case, agency=p.police, on=case.scope_start + timedelta(days=100), seen=False,
          significance="key")
    entry(case, agency=p.police, on=case.scope_start + timedelta(days=120), seen=True)
    submit(case, p.police)
    submit(case, p.health)
    timeline = chronology_timeline(p.reviewer, case.review, text_shown_to(p.reviewer, case.review))
    periods = [(g.first, g.last) for g, _mark in timeline.gaps]
    s = case.scope_start
    assert periods == [(s + timedelta(days=21), s + timedelta(days=119)),
                       (s + timedelta(days=121), case.review.incident_date)]
    assert [lane.name for lane in timeline.lanes] == ["Health", "Police"]
    assert any(m.css == "app-timeline__mark--key" for m in timeline.lanes[1].marks)


# ---------------------------------------------------------------- pseudonyms


def test_names_in_entries_are_pseudonyms_for_someone_without_identifiable_access(
        case: Case) -> None:
    p = case.people
    entry(case, on=d(case, 3), text="Officer saw Kayden and Jade Smith; Kay was crying.")
    submit(case)
    ReviewUserObjectPermission.objects.filter(
        user=p.panel, permission__codename="view_identifiable").delete()
    rows = {user.username: chronology_rows(merged_entries(user, case.review),
                                           text_shown_to(user, case.review))[0].what_happened
            for user in (p.reviewer, p.panel)}
    assert rows["reviewer"] == "Officer saw Kayden and Jade Smith; Kay was crying."
    assert rows["panel"] == "Officer saw Child A and Mother; Child A was crying."


@pytest.mark.parametrize("column", [2, 3, 4])  # source, what happened, practitioner role
def test_an_over_long_cell_in_any_text_column_is_a_row_problem_not_a_server_error(
        case: Case, column: int) -> None:
    """Pen test finding 3: a "What happened" over 10,000 characters gave a 500 (KeyError in
    the length table). Every text column has its bound, named in the row's message."""
    p = case.people
    row: list[object] = [d(case, 50), None, "GP record", "Seen by GP", "GP", "yes", None]
    row[column] = "x" * 10_001
    with pytest.raises(ValidationError) as refused:
        services.chronology_import(by=p.health_lead, review=case.review, agency=p.health,
                                   upload=csv_upload([row]))
    assert len(refused.value.messages) == 1
    assert refused.value.messages[0].startswith("Line 2") and "characters or fewer" in (
        refused.value.messages[0])
    assert ChronologyEntry.objects.count() == 0


def _born(case: Case, on: date) -> None:
    from reviews.models import Subject

    Subject.objects.filter(review=case.review, kind="child").update(date_of_birth=on)


def _gaps(case: Case) -> list[tuple[date, date]]:
    p = case.people
    timeline = chronology_timeline(p.reviewer, case.review, text_shown_to(p.reviewer, case.review))
    return [(g.first, g.last) for g, _mark in timeline.gaps]


def test_not_seen_starts_at_the_childs_birth_not_during_the_pregnancy(case: Case) -> None:
    """Issue 19, item 12: the analysis counted 205 days before the baby was born."""
    p = case.people
    birth = case.review.incident_date - timedelta(days=150)
    _born(case, birth)
    entry(case, agency=p.health, on=birth - timedelta(days=205), text="Booking appointment")
    entry(case, agency=p.health, on=birth - timedelta(days=60), text="Antenatal check")
    entry(case, agency=p.health, on=birth + timedelta(days=10), seen=True, text="New birth visit")
    submit(case, p.health)
    assert _gaps(case) == [(birth + timedelta(days=11), case.review.incident_date)]


def test_a_baby_never_seen_is_not_seen_from_birth_and_the_timeline_still_shows_the_pregnancy(
        case: Case) -> None:
    p = case.people
    birth = case.review.incident_date - timedelta(days=40)
    _born(case, birth)
    entry(case, agency=p.health, on=birth - timedelta(days=200), text="Booking appointment")
    submit(case, p.health)
    timeline = chronology_timeline(p.reviewer, case.review, text_shown_to(p.reviewer, case.review))
    assert [(g.first, g.last, g.days) for g, _ in timeline.gaps] == [
        (birth, case.review.incident_date, 41)]
    assert timeline.start == case.scope_start  # the pregnancy is still drawn


def test_not_seen_starts_at_the_scope_when_the_child_was_born_before_it(case: Case) -> None:
    p = case.people
    _born(case, case.scope_start - timedelta(days=900))
    entry(case, agency=p.health, on=case.scope_start + timedelta(days=40), seen=True)
    submit(case, p.health)
    assert _gaps(case)[0] == (case.scope_start, case.scope_start + timedelta(days=39))
