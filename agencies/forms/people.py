"""Forms of people management: inviting and editing people, their roles (memberships),
agencies, and the access log's filters."""

from __future__ import annotations

from typing import Any

from django import forms

from agencies.models import Agency, User
from agencies.models.roles import ROLES_NEEDING_AGENCY, Role
from scr.forms import GovukDateField
from scr.models import AccessEvent
from scr.text import REASON_LENGTH, too_long

__all__ = [
    "AccessLogFilterForm",
    "AgencyForm",
    "EndMembershipForm",
    "InviteUserForm",
    "MembershipForm",
    "ReasonForm",
    "RoleFieldsMixin",
    "UserEditForm",
]


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=REASON_LENGTH,
                             error_messages={"required": "Enter the reason for this change",
                                             **too_long("Reason", REASON_LENGTH)},
                             help_text="Kept in the history with your name.")


class RoleFieldsMixin(forms.Form):
    role = forms.ChoiceField(choices=Role.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Select a role"})
    agency = forms.ModelChoiceField(queryset=Agency.objects.filter(is_active=True),
                                    required=False, empty_label="None (the partnership)",
                                    help_text="Required for panel members and agency leads.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("role") in ROLES_NEEDING_AGENCY and not data.get("agency"):
            self.add_error("agency", "Select the agency this person represents")
        return data


class InviteUserForm(RoleFieldsMixin):
    first_name = forms.CharField(max_length=150, error_messages={"required": "Enter a first name"})
    last_name = forms.CharField(max_length=150, error_messages={"required": "Enter a last name"})
    email = forms.EmailField(label="Email address",
                             error_messages={"required": "Enter an email address",
                                             "invalid": "Enter an email address in the correct "
                                                        "format, like name@example.org"})
    username = forms.RegexField(regex=r"^[\w.@+-]+\Z", max_length=150,
                                help_text="Letters, digits and . @ + - _ only.",
                                error_messages={"required": "Enter a username",
                                                "invalid": "Use only letters, digits and . @ + - _"})
    job_title = forms.CharField(max_length=150, required=False)
    field_order = ["first_name", "last_name", "email", "username", "job_title", "role", "agency"]

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("That username is already taken")
        return username

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("Someone already has an account with this email address")
        return email


class UserEditForm(ReasonForm):
    first_name = forms.CharField(max_length=150, error_messages={"required": "Enter a first name"})
    last_name = forms.CharField(max_length=150, error_messages={"required": "Enter a last name"})
    email = forms.EmailField(label="Email address",
                             error_messages={"required": "Enter an email address"})
    job_title = forms.CharField(max_length=150, required=False)
    field_order = ["first_name", "last_name", "email", "job_title", "reason"]

    def __init__(self, *args: Any, person: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email__iexact=email).exclude(pk=self.person.pk).exists():
            raise forms.ValidationError("Someone else already has an account with this email "
                                        "address")
        return email


class MembershipForm(RoleFieldsMixin, ReasonForm):
    active_from = GovukDateField(label="Starts on",
                                 error_messages={"required": "Enter the date the role starts"})
    active_to = GovukDateField(label="Ends on (optional)", required=False)
    field_order = ["role", "agency", "active_from", "active_to", "reason"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("active_from"), data.get("active_to")
        if start and end and end < start:
            self.add_error("active_to", "The end date must be on or after the start date")
        return data


class EndMembershipForm(ReasonForm):
    active_to = GovukDateField(label="Ends on", error_messages={"required": "Enter the end date"})
    field_order = ["active_to", "reason"]


class AgencyForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = ["name", "kind", "is_active"]
        labels = {"kind": "Kind of agency", "is_active": "Active"}
        error_messages = {"name": {"required": "Enter the agency's name",
                                   "unique": "An agency with this name already exists"},
                          "kind": {"required": "Select the kind of agency"}}


class AccessLogFilterForm(forms.Form):
    """Search the log the way people know things: a person's name, a review's reference,
    local dates."""

    person = forms.CharField(label="Person", required=False, max_length=150,
                             help_text="Part of their name or username.")
    review = forms.CharField(label="Review reference", required=False, max_length=30,
                             help_text="For example, LCSPR-2025-001.")
    date_from = GovukDateField(label="From", required=False)
    date_to = GovukDateField(label="To", required=False)
    action = forms.ChoiceField(label="What happened", required=False,
                               choices=[("", "Everything"), *AccessEvent.Action.choices],
                               help_text="For example, Refused access: pages someone tried to "
                                         "reach and could not.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", "The end date must be on or after the start date")
        return data
