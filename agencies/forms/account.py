"""Forms of a person's own account: signing in, the second factor, confirming it's you,
changing the password."""

from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.contrib.auth.forms import AuthenticationForm

from agencies.models import User
from scr import throttle
from scr.accesslog import client_ip
from scr.models import AccessEvent

__all__ = ["CodeForm", "ConfirmIdentityForm", "GovukPasswordChangeForm", "SignInForm"]


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
