"""Typed access to a bound form's fields (mypy knows a field only as ``forms.Field``)."""

from __future__ import annotations

from typing import cast

from django import forms

__all__ = ["choice_field", "model_field"]


def model_field(form: forms.Form, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


def choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])
