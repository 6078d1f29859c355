"""The plan as a spreadsheet (CSV, XLSX) and as a PDF, in the columns partnerships use
(``EXPORT_COLUMNS``, the order imports read too).

Cells a spreadsheet would run as a formula are defused by ``scr.spreadsheets`` (CSV and
XLSX alike). The PDF is rendered on the Celery ``pdf`` queue through a render record
(``scr.renders``; the renderer ``actionplans.plan`` is registered in ``apps.py``): its texts
always go through the pseudonymiser, whoever asked for it, since a PDF travels.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone

from actionplans.models import EXPORT_COLUMNS, Action, ActionPlan, Milestone
from actionplans.selectors.plans import readable, registers
from scr.spreadsheets import xlsx_bytes

__all__ = ["plan_pdf_html", "plan_rows", "plan_xlsx"]


def _milestones(action: Action) -> str:
    return "; ".join(f"{m.due_on:%d/%m/%Y}: {m.description}{' (done)' if m.done else ''}"
                     for m in action.milestones.all())


def plan_rows(user: Any, actions: Iterable[Action]) -> Iterator[list[Any]]:
    """One row per action, in ``EXPORT_COLUMNS`` order (texts as ``user`` may read them;
    ``None`` for the pseudonymised text every reader may see)."""
    actions = list(actions)
    register = registers({a.review_id for a in actions})
    for a in actions:
        texts = readable(user, a.review, {"r": a.recommendation.text, "a": a.action_text,
                                          "m": _milestones(a), "s": a.success_measure,
                                          "resp": a.agency_response, "o": a.outcome},
                         register.get(a.review_id, []))
        owner = a.owner.get_full_name() or a.owner.username
        yield [f"Recommendation {a.recommendation.number}: {texts['r']}", a.get_scope_display(),
               texts["a"], a.lead_agency.name, f"{owner} ({a.owner.username})", texts["m"],
               a.target_date, texts["s"], texts["resp"], a.get_status_display(),
               (getattr(a, "rag", "") or "").capitalize(),
               a.completed_on, texts["o"]]


def plan_actions(plan: ActionPlan, qs: Any = None) -> Any:
    base = qs if qs is not None else Action.objects.filter(plan=plan)
    return (base.filter(plan=plan).with_rag()
            .select_related("review", "recommendation", "lead_agency", "owner")
            .prefetch_related(Prefetch("milestones", queryset=Milestone.objects.order_by(
                "due_on", "id")))
            .order_by("recommendation__number", "number"))


def plan_xlsx(rows: Iterable[list[Any]]) -> bytes:
    """The plan as a workbook: bold headings, cells defused, dates day first."""
    return xlsx_bytes("Action plan", list(EXPORT_COLUMNS), rows)


def plan_pdf_html(plan: ActionPlan) -> str:
    """The renderer of ``actionplans.plan``: the whole plan, pseudonymised."""
    rows = list(plan_rows(None, plan_actions(plan)))
    return render_to_string("actionplans/plan_pdf.html", {
        "plan": plan, "review": plan.review, "columns": EXPORT_COLUMNS, "rows": rows,
        "generated": timezone.localtime()})
