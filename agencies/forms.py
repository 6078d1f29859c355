from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.contrib.auth.forms import AuthenticationForm

from agencies.models import Agency, User
from agencies.roles import ROLES_NEEDING_AGENCY, Role
from scr import throttle
from scr.accesslog import client_ip
from scr.forms import GovukDateField
from scr.models import AccessEvent
from scr.text import REASON_LENGTH, too_long


class SignInForm(AuthenticationForm):
    """Django's sign-in form with GOV.UK wording."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account has been deactivated.",
    }
    password = forms.CharField(label="Password", strip=False, max_length=200,
                               widget=forms.PasswordInput(attrs={"autocomplete":
                                                                 "current-password"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username",
                                                     "spellcheck": "false"})
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"

    def clean(self) -> dict[str, Any]:
        """An attempt that comes too soon after repeated failures (scr/throttle.py) is refused
        before the password is checked: it is no guess, and it is logged as delayed."""
        username = self.cleaned_data.get("username") or ""
        if (username and self.cleaned_data.get("password") and self.request is not None
                and not AxesProxyHandler.is_locked(self.request, {"username": username})):
            # (A pair already locked by axes gets axes' lock-out page instead.)
            address = client_ip(self.request)
            wait = throttle.seconds_to_wait(username, address)
            if wait:
                AccessEvent.objects.create(username=username[:150],
                                           action=AccessEvent.Action.LOGIN_DELAYED,
                                           path=self.request.path, ip_address=address)
                raise forms.ValidationError(throttle.wait_message(wait), code="delayed")
        return super().clean()


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


class CodeForm(forms.Form):
    """A code from the authenticator app (6 digits) or a backup code (23 letters and digits)."""

    code = forms.CharField(label="Code", max_length=40,
                           help_text="The 6-digit code your authenticator app shows, or one of "
                                     "your backup codes.",
                           error_messages={"required": "Enter the code"},
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                                         "spellcheck": "false",
                                                         "class": "govuk-input govuk-input--width-10"}))

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split()).replace("-", "").upper()
        if not code.isalnum():
            raise forms.ValidationError("The code must be letters and numbers only")
        return code


class ConfirmIdentityForm(forms.Form):
    """Re-authentication before a sensitive action: the password, and a code when the
    person has a second factor (``needs_code``)."""

    password = forms.CharField(label="Your password", max_length=200,
                               error_messages={"required": "Enter your password"},
                               widget=forms.PasswordInput(attrs={"autocomplete":
                                                                 "current-password"}))

    def __init__(self, *args: Any, needs_code: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if needs_code:
            self.fields["code"] = CodeForm.base_fields["code"]


class GovukPasswordChangeForm(forms.Form):
    """Change one's own password: the current one first (Django's rules for the new one)."""

    old_password = forms.CharField(label="Current password", max_length=200, strip=False,
                                   error_messages={"required": "Enter your current password"},
                                   widget=forms.PasswordInput(attrs={"autocomplete":
                                                                     "current-password"}))
    new_password1 = forms.CharField(label="New password", max_length=200, strip=False,
                                    help_text="At least 12 characters. Not one that has "
                                              "appeared in a data breach, nor all numbers.",
                                    error_messages={"required": "Enter a new password"},
                                    widget=forms.PasswordInput(attrs={"autocomplete":
                                                                      "new-password"}))
    new_password2 = forms.CharField(label="Confirm new password", max_length=200, strip=False,
                                    error_messages={"required": "Confirm your new password"},
                                    widget=forms.PasswordInput(attrs={"autocomplete":
                                                                      "new-password"}))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_old_password(self) -> str:
        password = self.cleaned_data["old_password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("Your current password is not right")
        return password

    def clean(self) -> dict[str, Any]:
        from django.contrib.auth import password_validation

        data = super().clean() or {}
        first, second = data.get("new_password1"), data.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", "The passwords do not match")
        elif first:
            try:
                password_validation.validate_password(first, self.user)
            except forms.ValidationError as error:
                self.add_error("new_password1", error)
        return data
