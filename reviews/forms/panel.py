"""Forms of commissioning: the terms of reference and panel appointments (the page offers only
people who hold a panel role)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Prefetch

from agencies.models import Agency, Membership, User
from agencies.models.roles import Role
from reviews.forms.fields import model_field
from reviews.models import (
    PanelAppointment,
    TermsOfReference,
)
from scr.forms import GovukDateField
from scr.text import DESCRIPTION_LENGTH, NARRATIVE_LENGTH, too_long

__all__ = ["PANEL_ROLES", "AppointForm", "AppointPersonForm", "PanelPersonField", "TermsForm"]


class TermsForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    scope_start = GovukDateField(label="Scope period starts",
                                 error_messages={"required": "Enter the start of the scope period"})
    scope_end = GovukDateField(label="Scope period ends",
                               error_messages={"required": "Enter the end of the scope period"})
    method = forms.ChoiceField(choices=TermsOfReference.Method.choices, widget=forms.RadioSelect,
                               error_messages={"required": "Select the review method"})
    key_lines_of_enquiry = forms.CharField(label="Key lines of enquiry",
                                           widget=forms.Textarea(attrs={"rows": 6}),
                                           max_length=NARRATIVE_LENGTH,
                                           error_messages={"required": "Enter the key lines of "
                                                                       "enquiry",
                                                           **too_long("Key lines of enquiry",
                                                                      NARRATIVE_LENGTH)})
    agencies_in_scope = forms.ModelMultipleChoiceField(
        label="Agencies in scope", queryset=Agency.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select the agencies in scope"})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("scope_start") and data.get("scope_end") and \
                data["scope_end"] < data["scope_start"]:
            self.add_error("scope_end", "The end of the scope period must be on or after its start")
        return data


class AppointForm(forms.Form):
    panel_role = forms.ChoiceField(label="Place on the panel", widget=forms.RadioSelect,
                                   choices=PanelAppointment.PanelRole.choices,
                                   error_messages={"required": "Select the place on the panel"})
    user = forms.ModelChoiceField(label="Person", queryset=User.objects.filter(is_active=True),
                                  empty_label="Select a person",
                                  error_messages={"required": "Select the person to appoint"})
    agency = forms.ModelChoiceField(
        label="Agency represented (panel members only)", required=False,
        queryset=Agency.objects.filter(is_active=True), empty_label="Not applicable")
    independence_declaration = forms.CharField(
        label="Independence declaration (reviewer and chair)", required=False,
        widget=forms.Textarea(attrs={"rows": 3}), max_length=DESCRIPTION_LENGTH,
        error_messages=too_long("The independence declaration", DESCRIPTION_LENGTH),
        help_text="Their statement that they are independent of the case and of the agencies "
                  "whose work is reviewed.")


PANEL_ROLES = (Role.REVIEWER, Role.PANEL_MEMBER)


class PanelPersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        roles = sorted({m.get_role_display() for m in obj.panel_roles})  # type: ignore[attr-defined]  # to_attr, below
        return f"{obj} ({', '.join(roles)})"


class AppointPersonForm(AppointForm):
    """Only people who hold a panel role (independent reviewer or panel member) today are
    offered, each with the role they hold."""

    user = PanelPersonField(
        label="Person", empty_label="Select a person",
        queryset=User.objects.none(),
        help_text="Only people with the independent reviewer or panel member role are listed.",
        error_messages={"required": "Select the person to appoint"})
    field_order = ["panel_role", "user", "agency", "independence_declaration"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        held = Membership.objects.active().filter(role__in=PANEL_ROLES)
        model_field(self, "user").queryset = (
            User.objects.filter(is_active=True, memberships__in=held).distinct()
            .prefetch_related(Prefetch("memberships", queryset=held, to_attr="panel_roles")))
