"""The reporting period a page of figures is for (the board's dashboard, the yearly report's
records): from and to, both days included; the reporting year holding today by default."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone

from actionplans.selectors import reporting_year
from scr.forms import GovukDateField

__all__ = ["PeriodForm"]


class PeriodForm(forms.Form):
    start = GovukDateField(label="From", required=False)
    end = GovukDateField(label="To", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "The end of the period must be on or after its start")
        return data

    def period(self) -> tuple[date, date]:
        """The period asked for, or the reporting year holding today (a period left
        incomplete or invalid falls back to it, and the form shows why)."""
        default = reporting_year(timezone.localdate())
        if not self.is_bound or not self.is_valid():
            return default
        return (self.cleaned_data.get("start") or default[0],
                self.cleaned_data.get("end") or default[1])
