"""Measured impact: recording an action's baseline and measurements (its agency's leads, a
business manager), withdrawing one; the chart and table on the action and plan pages are
built here (``measure_chart``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse

from actionplans import forms, services
from actionplans.models import Action, Measurement
from actionplans.selectors import MeasureSeries, movement_counts
from actionplans.views.base import action_back
from actionplans.views.charts import LineChart, bar_chart, line_chart
from agencies.views.http import AuthenticatedHttpRequest
from scr.formviews import record_form

__all__ = ["baseline_add", "measure_chart", "measurement_add", "measurement_withdraw",
           "movement_context"]


def measure_chart(title: str, series: MeasureSeries) -> LineChart | None:
    if series.baseline is None:
        return None
    base = series.baseline
    return line_chart(title, (base.measured_on, base.value),
                      [(m.measured_on, m.value) for m in series.points], base.unit)


def movement_context(series: list[MeasureSeries]) -> dict[str, Any]:
    """The closure summary's counts (which measures moved, which way) and their chart."""
    movement = movement_counts(series)
    return {"movement": movement,
            "movement_chart": bar_chart("Success measures against their baselines", movement,
                                        "measures")}


def _record(request: AuthenticatedHttpRequest, pk: int, *, baseline: bool) -> HttpResponse:
    def save(data: dict[str, Any], obj: Action) -> Measurement:
        return services.measurement_record(by=request.user, action=obj, is_baseline=baseline,
                                           **data)
    return record_form(
        request, Action, forms.BaselineForm if baseline else forms.MeasurementForm, save,
        pk=pk, action="change", caption=lambda a: a.reference,
        title="Record the baseline" if baseline else "Record a measurement",
        submit="Save", success="Baseline recorded." if baseline else "Measurement recorded.",
        back=action_back, intro=lambda a: f"The success measure: {a.success_measure}")


@login_required
def baseline_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _record(request, pk, baseline=True)


@login_required
def measurement_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _record(request, pk, baseline=False)


@login_required
def measurement_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, Measurement, forms.MeasurementWithdrawForm,
        lambda data, obj: services.measurement_withdraw(by=request.user, measurement=obj,
                                                        **data),
        pk=pk, action="change", title=lambda m: f"Withdraw the {m}", submit="Withdraw",
        success="Measurement withdrawn.", back=action_back, danger=True)
