"""Your account: two-factor sign-in, password, sessions, and confirming it's you.

The pages a signed-in person uses about their own account (issue 9). Thin: each calls a
service in ``agencies.services.account`` or a helper in ``scr``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token

from agencies.forms import CodeForm, ConfirmIdentityForm, GovukPasswordChangeForm
from agencies.services import account as security
from agencies.views.http import AuthenticatedHttpRequest
from scr import throttle
from scr.accesslog import client_ip, mark_case_data
from scr.formviews import form_page
from scr.reauth import mark_authenticated, recent_authentication_required
from scr.sessions import active_sessions, end_other_sessions, follow_session
from scr.twofactor import has_device, is_verified, second_factor_required


def _next(request: AuthenticatedHttpRequest, default: str = "home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return reverse(default)


def _wrong_code(request: AuthenticatedHttpRequest, form: Any) -> None:
    """A wrong code counts as a failed sign-in for the person (throttle, access log)."""
    user_login_failed.send(sender=__name__, credentials={"username": request.user.username},
                           request=request)
    form.add_error("code", "The code is not right, or has already been used. Check your "
                           "authenticator app and try again")


def _too_soon(request: AuthenticatedHttpRequest, form: Any, field: str) -> bool:
    wait = throttle.seconds_to_wait(request.user.username, client_ip(request))
    if wait:
        form.add_error(field, throttle.wait_message(wait))
    return bool(wait)


@login_required
@never_cache  # sessions and addresses
def account(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "agencies/account.html", {
        "has_device": has_device(request.user),
        "backup_codes_left": security.backup_codes_left(request.user),
        "sessions": active_sessions(request.user),
        "current_session": request.session.session_key,
        "required": second_factor_required(request.user)})


@login_required
def two_factor_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """First sign-in (or after a reset): scan the QR code, confirm with a code, get backup
    codes. Someone who already has a second factor must use it first: a password alone
    never replaces a second factor."""
    if has_device(request.user) and not is_verified(request):
        return redirect(f"{reverse('two_factor_verify')}?{urlencode({'next': _next(request)})}")
    if has_device(request.user):
        return redirect("account")
    device = security.totp_device_pending(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and not _too_soon(request, form, "code"):
        codes = security.second_factor_confirm(user=request.user, device=device,
                                               code=form.cleaned_data["code"], request=request)
        if codes is not None:
            otp_login(request, device)
            mark_authenticated(request)
            return _show_backup_codes(request, codes, first=True)
        _wrong_code(request, form)
    qr = segno.make(device.config_url, error="m").svg_inline(
        scale=5, title="QR code to add this account to an authenticator app")
    return render(request, "agencies/two_factor_setup.html", {
        "form": form, "qr": qr, "secret": security.totp_secret(device), "next": _next(request)})


def _show_backup_codes(request: AuthenticatedHttpRequest, codes: list[str], *,
                       first: bool) -> HttpResponse:
    mark_case_data(request)  # shown once: never cached
    return render(request, "agencies/backup_codes.html", {"codes": codes, "first": first,
                                                          "next": _next(request)})


@login_required
def two_factor_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not has_device(request.user):
        return redirect(f"{reverse('two_factor_setup')}?{urlencode({'next': _next(request)})}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and not _too_soon(request, form, "code"):
        device = match_token(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            mark_authenticated(request)
            return HttpResponseRedirect(_next(request))
        _wrong_code(request, form)
    return render(request, "agencies/two_factor_verify.html", {"form": form,
                                                               "next": _next(request)})


@login_required
@recent_authentication_required
def backup_codes_renew(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method != "POST" or not has_device(request.user):
        return redirect("account")
    return _show_backup_codes(request, security.backup_codes_renew(user=request.user,
                                                                   request=request), first=False)


@login_required
def password_change(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = GovukPasswordChangeForm(request.POST or None, user=request.user)
    if (request.method == "POST" and form.is_valid()
            and not _too_soon(request, form, "old_password")):
        security.password_change(user=request.user, request=request,
                                 new_password=form.cleaned_data["new_password1"])
        before = request.session.session_key
        # This session stays, under a new key (Django's); the others end.
        update_session_auth_hash(request, request.user)
        follow_session(request, before)
        mark_authenticated(request, rotate=False)
        messages.success(request, "Your password has been changed. You have been signed out "
                                  "everywhere else.")
        return redirect("account")
    if request.method == "POST" and "old_password" in form.errors:
        user_login_failed.send(sender=__name__, request=request,
                               credentials={"username": request.user.username})
    return form_page(request, form, title="Change your password", submit="Change password",
                     back=reverse("account"))


@login_required
@require_POST
@recent_authentication_required
def sessions_end_others(request: AuthenticatedHttpRequest) -> HttpResponse:
    ended = end_other_sessions(request.user, keep=request.session.session_key)
    messages.success(request, f"Signed out of {ended} other session{'s' if ended != 1 else ''}.")
    return redirect("account")


@login_required
def confirm_identity(request: AuthenticatedHttpRequest) -> HttpResponse:
    """"Confirm it's you": the password again (and a code, with a second factor), then back
    to the sensitive page (``scr.reauth``)."""
    needs_code = has_device(request.user)
    form = ConfirmIdentityForm(request.POST or None, needs_code=needs_code)
    if request.method == "POST" and form.is_valid() and not _too_soon(request, form, "password"):
        data = form.cleaned_data
        right = request.user.check_password(data["password"]) and (
            not needs_code or match_token(request.user, data["code"]) is not None)
        if right:
            mark_authenticated(request)
            return HttpResponseRedirect(_next(request))
        user_login_failed.send(sender=__name__, request=request,
                               credentials={"username": request.user.username})
        form.add_error(None, "Your password or code is not right")
    return render(request, "agencies/confirm_identity.html", {"form": form,
                                                              "next": _next(request)})


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """The invitation's set-password page (Django's), telling the person afterwards."""

    success_url = "/set-password/done/"

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        security.queue_account_notice(form.user, "The password of your account was set.")
        return response
