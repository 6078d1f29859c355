"""Forms of measured impact: the baseline, a measurement, withdrawing one. Field-level checks
only: the rules (one baseline, dates) are the service's."""

from __future__ import annotations

from django import forms

from actionplans.forms.base import text_field
from actionplans.models import Measurement
from scr.forms import GovukDateField
from scr.text import REASON_LENGTH

__all__ = ["BaselineForm", "MeasurementForm", "MeasurementWithdrawForm"]


class MeasurementForm(forms.Form):
    value = forms.DecimalField(label="Value", max_digits=12, decimal_places=2,
                               error_messages={"required": "Enter the value",
                                               "invalid": "Enter the value as a number"})
    unit = forms.CharField(label="Unit (optional)", max_length=40, required=False,
                           help_text="For example “%” or “cases”.")
    measured_on = GovukDateField(label="Date of the measurement",
                                 error_messages={"required": "Enter the date of the measurement"})
    source = forms.CharField(label="Source", max_length=200,
                             error_messages={"required": "Enter where the value comes from"},
                             help_text="For example “Audit of 50 strategy meetings”.")
    upload = forms.FileField(label="Evidence document (optional)", required=False,
                             help_text="PDF, Word, Excel, OpenDocument text, plain text, PNG or "
                                       "JPEG. Kept as the action's evidence of impact.")
    evidence_title = forms.CharField(label="What the document shows (optional)", max_length=200,
                                     required=False)


class BaselineForm(MeasurementForm):
    improves_when = forms.ChoiceField(label="Which way is an improvement?",
                                      choices=Measurement.Better.choices,
                                      widget=forms.RadioSelect,
                                      error_messages={"required": "Select which way is an "
                                                                  "improvement"})


class MeasurementWithdrawForm(forms.Form):
    reason = text_field("Why withdraw it", "Enter why the measurement is withdrawn", 2,
                        max_length=REASON_LENGTH)
