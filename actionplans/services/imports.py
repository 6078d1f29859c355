"""Import an existing action plan from a spreadsheet (XLSX, read by ``scr.spreadsheets``) whose columns
are the export's, in the same order (``EXPORT_COLUMNS``).

Every row is checked — by the same rules as the form (``create_action``) — and every bad row
is reported with its line number; a file with any bad row imports nothing (the whole import
is one transaction, rolled back). The RAG column is ignored: RAG is computed, never typed.
An imported action that is already completed may have a target date in the past (its dates
are history); an open one needs a target date still to come, like any new action.
"""

from __future__ import annotations

import re
from datetime import date
from typing import IO, Any, cast

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction

from actionplans.models import EXPORT_COLUMNS, ActionStatus
from actionplans.services.actions import create_action
from actionplans.services.base import plan_stage, require_manager
from agencies.models import Agency, User
from reviews.models import Recommendation, Review
from scr import filetypes
from scr.documents import inspect_upload
from scr.spreadsheets import (
    SpreadsheetTooLarge,
    SpreadsheetUnreadable,
    UnreadableDate,
    cell_date,
    cell_text,
    is_blank,
    xlsx_rows,
)
from scr.text import normalise_text

__all__ = ["ImportRefused", "plan_import"]

MAX_ROWS = 5000
MAX_SIZE = 10 * 1024 * 1024
MILESTONE = re.compile(r"^\s*(?P<date>[^:]+?)\s*:\s*(?P<text>.+?)\s*(?P<done>\((done|✓)\))?\s*$",
                       re.IGNORECASE)


class ImportRefused(ValidationError):
    """The file as a whole, or some of its rows: ``rows`` is [(line, message)]."""

    def __init__(self, message: str, rows: list[tuple[int, str]] | None = None) -> None:
        self.rows = rows or []
        lines = [f"Row {line}: {text}" for line, text in self.rows]
        super().__init__([message, *lines])


def _text(value: Any) -> str:
    return normalise_text(cell_text(value))


def _date(value: Any, what: str, *, required: bool = True) -> date | None:
    """A date cell or text, read as every import reads dates (``scr.spreadsheets``)."""
    try:
        day, _time = cell_date(value)
    except UnreadableDate:
        raise ValueError(f"the {what} “{_text(value)}” is not a date (use 31/12/2026)") from None
    if day is None and required:
        raise ValueError(f"enter the {what}")
    return day


def _choice(text: str, choices: list[tuple[str, str]], what: str) -> str:
    wanted = text.strip().lower().replace("_", " ")
    for value, label in choices:
        if wanted in (value.replace("_", " "), str(label).lower()):
            return value
    raise ValueError(f"the {what} “{text}” is not one of: "
                     + ", ".join(str(label).lower() for _, label in choices))


def _owner(text: str) -> User:
    match = re.search(r"\(([^()]+)\)\s*$", text)
    username = (match.group(1) if match else text).strip()
    user = User.objects.filter(username__iexact=username, is_active=True).first()
    if user is None:
        raise ValueError(f"there is no active person with the username “{username}”")
    return user


def _milestones(text: str) -> list[tuple[str, date, bool]]:
    found = []
    for part in filter(None, (p.strip() for p in text.replace("\n", ";").split(";"))):
        match = MILESTONE.match(part)
        if not match:
            raise ValueError(f"the milestone “{part}” must read “31/12/2026: what is done”")
        due = _date(match.group("date"), "milestone date")
        assert due is not None
        found.append((match.group("text"), due, bool(match.group("done"))))
    return found


def _row_fields(cells: list[Any], review: Review, recommendations: dict[int, Recommendation],
                agencies: dict[str, Agency]) -> dict[str, Any]:
    """One row as the fields of ``create_action``, or ``ValueError`` saying what is wrong."""
    number = re.match(r"^\s*(?:recommendation\s*)?(\d+)", _text(cells[0]), re.IGNORECASE)
    if number is None:
        raise ValueError("the recommendation must start with its number (for example “2” or "
                         "“Recommendation 2: …”)")
    recommendation = recommendations.get(int(number.group(1)))
    if recommendation is None:
        raise ValueError(f"{review.reference} has no recommendation {number.group(1)}")
    agency = agencies.get(_text(cells[3]).lower())
    if agency is None:
        raise ValueError(f"there is no agency called “{_text(cells[3])}”")
    status = _choice(_text(cells[9]) or "not started",
                     [(v, label) for v, label in ActionStatus.choices
                      if v in (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS,
                               ActionStatus.COMPLETED)], "status")
    target = _date(cells[6], "target date")
    assert target is not None
    return {
        "recommendation": recommendation,
        "scope": _choice(_text(cells[1]) or "local", Recommendation.Scope.choices, "scope"),
        "action_text": _text(cells[2]), "lead_agency": agency, "owner": _owner(_text(cells[4])),
        "milestones": _milestones(_text(cells[5])), "target_date": target,
        "success_measure": _text(cells[7]), "agency_response": _text(cells[8]),
        "status": status, "completed_on": _date(cells[11], "date of completion", required=False),
        "outcome": _text(cells[12]),
    }


def _rows(upload: File) -> list[tuple[int, list[Any]]]:
    inspect_upload(upload, allowed=frozenset({filetypes.XLSX}), max_size=MAX_SIZE)
    rows = []
    sheet = xlsx_rows(cast(IO[bytes], upload))
    try:
        for line, row in sheet:
            cells = [*row, *[None] * len(EXPORT_COLUMNS)][:len(EXPORT_COLUMNS)]
            if line == 1:
                heads = [_text(c).lower() for c in cells]
                if heads != [c.lower() for c in EXPORT_COLUMNS]:
                    raise ImportRefused("The first row must be the column headings, in this "
                                        "order: " + ", ".join(EXPORT_COLUMNS))
                continue
            if is_blank(cells):
                continue
            rows.append((line, cells))
            if len(rows) > MAX_ROWS:
                raise ImportRefused(f"The file has more than {MAX_ROWS} rows: split it")
    except SpreadsheetTooLarge as error:  # which limit, and where
        raise ImportRefused(str(error)) from None
    except SpreadsheetUnreadable as error:
        raise ImportRefused("The file could not be read as a spreadsheet: save it as .xlsx "
                            "and try again") from error
    finally:
        sheet.close()
    if not rows:
        raise ImportRefused("The file has no actions under the headings")
    return rows


@transaction.atomic(durable=True)
def plan_import(*, by: User, review: Review, upload: File) -> int:
    """Import every row as an action of the review's plan, or none; returns how many."""
    require_manager(by, "Only a business manager can import an action plan.")
    plan_stage(review)
    rows = _rows(upload)
    recommendations = {r.number: r for r in review.recommendations.filter(withdrawn=False)}
    agencies = {a.name.lower(): a for a in Agency.objects.all()}
    problems: list[tuple[int, str]] = []
    for line, cells in rows:
        try:
            fields = _row_fields(cells, review, recommendations, agencies)
            with transaction.atomic():
                create_action(by=by, reason="Imported from a spreadsheet", **fields)
        except ValueError as error:
            problems.append((line, str(error)))
        except ValidationError as error:
            problems.append((line, "; ".join(error.messages)))
    if problems:
        raise ImportRefused(f"Nothing was imported: {len(problems)} of {len(rows)} rows need "
                            "correcting", problems)
    return len(rows)
