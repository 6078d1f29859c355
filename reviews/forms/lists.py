"""Forms of the reading pages: the dashboard's filters and the history page's filters."""

from __future__ import annotations

from typing import Any

from django import forms

from reviews.forms.fields import choice_field
from reviews.models import (
    Stage,
)
from reviews.selectors import ENDED, EVERY, OPEN

__all__ = ["STAGE_FILTERS", "DashboardFilterForm", "HistoryFilterForm"]


STAGE_FILTERS = [(OPEN, "Open reviews (any stage)"), *Stage.choices,
                 (ENDED, "Ended (closed, no review or withdrawn)"), (EVERY, "Every review")]


class DashboardFilterForm(forms.Form):
    """Open reviews by default; any one stage (ended ones too), every ended or every review."""

    stage = forms.ChoiceField(required=False, choices=STAGE_FILTERS)
    rag = forms.ChoiceField(label="RAG status", required=False,
                            choices=[("", "All"), ("red", "Red"), ("amber", "Amber"),
                                     ("green", "Green")])
    sort = forms.ChoiceField(label="Sort by", required=False,
                             choices=[("due", "Next due date"), ("reference", "Reference"),
                                      ("stage", "Stage"), ("days", "Days in stage")])

    def filters(self) -> dict[str, str]:
        data = self.cleaned_data if self.is_valid() else {}
        return {"stage": data.get("stage", OPEN), "rag": data.get("rag", ""),
                "sort": data.get("sort") or "due"}


class HistoryFilterForm(forms.Form):
    """Narrow a review's history to one kind of record and/or one person's changes."""

    record_type = forms.ChoiceField(label="Record type", required=False)
    person = forms.TypedChoiceField(label="Changed by", required=False, coerce=int,
                                    empty_value=None)

    def __init__(self, *args: Any, record_types: list[tuple[str, str]],
                 people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "record_type").choices = [("", "Every record"), *record_types]
        choice_field(self, "person").choices = [("", "Anyone"), *people]

    def chosen(self) -> dict[str, Any]:
        """The kind of record (its key) and the person chosen, each ``None`` for every one."""
        data = self.cleaned_data if self.is_valid() else {}
        return {"kind": data.get("record_type") or None, "person": data.get("person")}
