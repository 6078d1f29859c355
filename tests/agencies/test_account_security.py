"""Credentials and account changes (issue 9): notices to the old address, password change
with the current password and a breached-password list, sessions, re-authentication, and
the security headers and cookies."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from agencies import services
from scr import reauth
from scr.models import SignedInSession
from tests.agencies.test_authentication import sign_in
from tests.conftest import PASSWORD, Personas, client_for
from tests.scr.test_settings import ROOT, run_python

# Its tests count sessions and sign-in events: no persona is signed in beforehand.
pytestmark = pytest.mark.fresh_sessions

NEW_PASSWORD = "Kx9-wiggle-harbour-lantern"


def notices(address: str) -> list[str]:
    return [m.body for m in mail.outbox if m.to == [address]]


# ---------------------------------------------------------------- defect 6: notices


def test_changing_someones_email_address_tells_the_old_address(
    personas: Personas, django_capture_on_commit_callbacks: Any,
) -> None:
    lead = personas.police_lead
    lead.email = "real.lead@police.example"
    lead.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.user_update(by=personas.manager, user=lead, first_name=lead.first_name,
                             last_name=lead.last_name, email="attacker@elsewhere.example",
                             job_title="", reason="New address")
    told = notices("real.lead@police.example")
    assert len(told) == 1
    assert "from real.lead@police.example to attacker@elsewhere.example" in told[0]
    assert "contact your business manager at once" in told[0]


def test_an_unchanged_address_sends_nothing(personas: Personas,
                                            django_capture_on_commit_callbacks: Any) -> None:
    lead = personas.police_lead
    with django_capture_on_commit_callbacks(execute=True):
        services.user_update(by=personas.manager, user=lead, first_name="New",
                             last_name=lead.last_name, email=lead.email, job_title="",
                             reason="Name")
    assert mail.outbox == []


def test_giving_and_ending_a_role_tell_the_person(
    personas: Personas, django_capture_on_commit_callbacks: Any,
) -> None:
    lead = personas.health_lead
    lead.email = "lead@health.example"
    lead.save()
    with django_capture_on_commit_callbacks(execute=True):
        membership = services.membership_create(by=personas.manager, user=lead,
                                                role="reviewer", agency=None, reason="Pool")
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_end(by=personas.manager, membership=membership, reason="Left")
    told = notices("lead@health.example")
    assert len(told) == 2
    assert "You were given the role Independent reviewer" in told[0]
    assert "Your role Independent reviewer ends on" in told[1]


def test_deactivating_an_account_tells_the_person(
    personas: Personas, django_capture_on_commit_callbacks: Any,
) -> None:
    lead = personas.police_lead
    lead.email = "lead@police.example"
    lead.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.user_deactivate(by=personas.manager, user=lead, reason="Left the police")
    assert any("deactivated your account (reason: Left the police)" in b
               for b in notices("lead@police.example"))


def test_an_invitation_sends_only_the_invitation(db: None,
                                                 django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.user_invite(by=None, username="new.one", email="new.one@example.invalid",
                             first_name="New", last_name="One", role="board_member", agency=None)
    assert len(mail.outbox) == 1


# ---------------------------------------------------------------- password change


def test_password_change_asks_for_the_current_password(personas: Personas) -> None:
    client = client_for(personas.manager)
    response = client.post("/account/password/", {"old_password": "wrong-password-here",
                                                   "new_password1": NEW_PASSWORD,
                                                   "new_password2": NEW_PASSWORD})
    assert response.status_code == 200
    assert "Your current password is not right" in response.content.decode()
    personas.manager.refresh_from_db()
    assert personas.manager.check_password(PASSWORD)


def test_a_password_known_from_a_breach_is_refused_from_the_local_list(
    personas: Personas,
) -> None:
    """'websolutions' passes Django's own common-password list but is in the leaked list
    shipped by zxcvbn; so is its l33t spelling."""
    from django.contrib.auth.password_validation import CommonPasswordValidator

    CommonPasswordValidator().validate("websolutions")  # not caught before
    client = client_for(personas.manager)
    for breached in ("websolutions", "w3bs0lut10ns"):
        response = client.post("/account/password/", {"old_password": PASSWORD,
                                                      "new_password1": breached,
                                                      "new_password2": breached})
        assert "has appeared in a data breach" in response.content.decode(), breached


def test_a_password_with_the_partnerships_name_or_service_words_is_refused(
    personas: Personas,
) -> None:
    client = client_for(personas.manager)
    for guessable, word in (("Northshire-2026-lantern", "northshire"),
                            ("MySafeguarding!Pass", "safeguarding")):
        response = client.post("/account/password/", {"old_password": PASSWORD,
                                                      "new_password1": guessable,
                                                      "new_password2": guessable})
        assert f"must not contain “{word}”" in response.content.decode()


def test_the_breach_check_needs_no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    from scr.passwords import is_breached

    def no_network(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the breach check tried to use the network")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    assert is_breached("lost4815162342")
    assert not is_breached(NEW_PASSWORD)


def test_changing_the_password_keeps_this_session_ends_the_others_and_tells_the_person(
    personas: Personas, django_capture_on_commit_callbacks: Any,
) -> None:
    manager = personas.manager
    manager.email = "manager@partnership.example"
    manager.save()
    here, elsewhere = Client(), Client()
    sign_in(here, "manager", PASSWORD)
    sign_in(elsewhere, "manager", PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        response = here.post("/account/password/", {"old_password": PASSWORD,
                                                    "new_password1": NEW_PASSWORD,
                                                    "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert here.get("/").status_code == 200
    assert elsewhere.get("/")["Location"].startswith("/sign-in/")
    assert any("password of your account was changed" in b
               for b in notices("manager@partnership.example"))


def test_setting_the_password_from_an_invitation_tells_the_person(
    db: None, django_capture_on_commit_callbacks: Any,
) -> None:
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    with django_capture_on_commit_callbacks(execute=True):
        user = services.user_invite(by=None, username="invited", email="invited@example.invalid",
                                    first_name="In", last_name="Vited", role="board_member",
                                    agency=None)
    client = Client()
    url = (f"/set-password/{urlsafe_base64_encode(force_bytes(user.pk))}/"
           f"{default_token_generator.make_token(user)}/")
    form_url = client.get(url)["Location"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(form_url, {"new_password1": NEW_PASSWORD,
                                          "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert any("password of your account was set" in b
               for b in notices("invited@example.invalid"))


# ---------------------------------------------------------------- sessions


def test_a_person_sees_their_sessions_and_signs_out_everywhere_else(personas: Personas) -> None:
    phone = Client(REMOTE_ADDR="192.0.2.50", HTTP_USER_AGENT="PhoneBrowser/1.0")
    desk = Client(REMOTE_ADDR="192.0.2.51", HTTP_USER_AGENT="DeskBrowser/2.0")
    sign_in(phone, "manager", PASSWORD)
    sign_in(desk, "manager", PASSWORD)
    sign_in(Client(), "reviewer", PASSWORD)
    response = desk.get("/account/")
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "PhoneBrowser/1.0" in page and "DeskBrowser/2.0" in page
    assert "192.0.2.50" in page
    assert page.count("This session") == 1
    response = desk.post("/account/sessions/sign-out-others/")
    assert response.status_code == 302
    assert phone.get("/")["Location"].startswith("/sign-in/")
    assert desk.get("/").status_code == 200
    assert SignedInSession.objects.filter(user=personas.manager).count() == 1
    # Someone else's session is untouched.
    assert SignedInSession.objects.filter(user=personas.reviewer).count() == 1


def test_signing_out_everywhere_else_needs_a_recent_authentication(personas: Personas) -> None:
    """ASVS 5.0 7.5.2: terminating sessions after authenticating again."""
    phone, desk = Client(), Client()
    sign_in(phone, "manager", PASSWORD)
    sign_in(desk, "manager", PASSWORD)
    stale(desk)
    response = desk.post("/account/sessions/sign-out-others/")
    assert response["Location"].startswith("/account/confirm/")
    assert phone.get("/").status_code == 200


def test_signing_out_forgets_the_session(personas: Personas) -> None:
    client = Client()
    sign_in(client, "manager", PASSWORD)
    client.post("/sign-out/")
    assert not SignedInSession.objects.filter(user=personas.manager).exists()


# ---------------------------------------------------------------- re-authentication


def stale(client: Client) -> None:
    session = client.session
    session[reauth.AUTHENTICATED_AT] = int(time.time()) - 16 * 60
    session.save()


SENSITIVE = ["/people/{lead}/roles/add/", "/people/{lead}/deactivate/", "/people/{lead}/edit/",
             "/people/{lead}/two-factor/reset/", "/agencies/{police}/edit/"]


@pytest.mark.parametrize("template", SENSITIVE)
def test_sensitive_actions_ask_to_confirm_it_is_you_after_fifteen_minutes(
    personas: Personas, template: str,
) -> None:
    url = template.format(lead=personas.police_lead.pk, police=personas.police.pk)
    client = client_for(personas.manager)
    assert client.get(url).status_code == 200  # just signed in
    stale(client)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/account/confirm/?next=")


def test_a_late_post_is_not_carried_out(personas: Personas) -> None:
    client = client_for(personas.manager)
    stale(client)
    response = client.post(f"/people/{personas.police_lead.pk}/deactivate/",
                           {"reason": "Left"})
    assert response.status_code == 302
    personas.police_lead.refresh_from_db()
    assert personas.police_lead.is_active


def test_confirming_with_the_password_goes_back_to_the_page(personas: Personas) -> None:
    client = client_for(personas.manager)
    stale(client)
    target = f"/people/{personas.police_lead.pk}/roles/add/"
    wrong = client.post("/account/confirm/", {"password": "not-it", "next": target})
    assert "Your password or code is not right" in wrong.content.decode()
    right = client.post("/account/confirm/", {"password": PASSWORD, "next": target})
    assert right["Location"] == target
    assert client.get(target).status_code == 200


def test_confirming_needs_a_code_too_with_a_second_factor(personas: Personas) -> None:
    from tests.two_factor import code_for, enrolled_device

    device = enrolled_device(personas.manager)
    client = client_for(personas.manager)
    stale(client)
    target = "/people/"
    no_code = client.post("/account/confirm/", {"password": PASSWORD, "next": target})
    assert "Enter the code" in no_code.content.decode()
    done = client.post("/account/confirm/", {"password": PASSWORD, "code": code_for(device),
                                             "next": target})
    assert done["Location"] == target


def test_confirm_does_not_send_anyone_to_another_site(personas: Personas) -> None:
    client = client_for(personas.manager)
    response = client.post("/account/confirm/", {"password": PASSWORD,
                                                 "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_the_helper_works_on_any_view(personas: Personas, settings: Any) -> None:
    """What a later feature (waiving a leak-check hit) does: decorate its view."""
    settings.REAUTH_MAX_AGE = 60

    @reauth.recent_authentication_required
    def waive(request: HttpRequest) -> HttpResponse:
        return HttpResponse("waived")

    request = RequestFactory().post("/leak/1/waive/")
    request.user = personas.manager
    request.session = Client().session
    from django.contrib.messages.storage.fallback import FallbackStorage

    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    assert waive(request).status_code == 302
    reauth.mark_authenticated(request)
    assert waive(request).content == b"waived"
    assert waive.requires_recent_authentication  # type: ignore[attr-defined]


# ---------------------------------------------------------------- headers and cookies


def test_every_page_carries_a_csp_without_unsafe_inline_and_a_permissions_policy(
    personas: Personas,
) -> None:
    for client, url in ((Client(), "/sign-in/"), (client_for(personas.manager), "/"),
                        (client_for(personas.manager), "/account/")):
        response = client.get(url)
        csp = response["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
        assert directives["default-src"] == "'self'"
        assert directives["script-src"] == "'self'"
        assert directives["style-src"] == "'self'"
        assert directives["frame-ancestors"] == "'none'"
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        policy = response["Permissions-Policy"]
        assert "camera=()" in policy and "geolocation=()" in policy


def test_no_template_has_inline_script_or_style() -> None:
    import re

    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(
                r"\sstyle=|<style\b|\son[a-z]+=", text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_report_only_mode_is_a_setting() -> None:
    probe = ("import django; django.setup(); from django.conf import settings as s; "
             "print(hasattr(s, 'CONTENT_SECURITY_POLICY'), "
             "hasattr(s, 'CONTENT_SECURITY_POLICY_REPORT_ONLY'))")
    assert run_python(probe, {"CSP_REPORT_ONLY": "1"}).stdout.strip() == "False True"
    assert run_python(probe, {}).stdout.strip() == "True False"


PRODUCTION = {"DEBUG": "0", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "testserver"}
PROXY_PROBE = (
    "import django; django.setup(); from django.conf import settings as s; "
    "from django.test import Client; "
    "r = Client().get('/admin/login/', HTTP_X_FORWARDED_PROTO='https', secure=False); "
    "print(s.SECURE_PROXY_SSL_HEADER, r.status_code, r.get('Location', ''))"
)


def test_a_forwarded_proto_header_does_not_skip_the_https_redirect_without_a_proxy() -> None:
    result = run_python(PROXY_PROBE, PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["None", "301", "https://testserver/admin/login/"]


def test_behind_the_declared_proxy_its_header_is_believed() -> None:
    result = run_python(PROXY_PROBE, {**PRODUCTION, "BEHIND_TLS_PROXY": "1"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["302", "/sign-in/?next=/admin/login/"]


def test_over_https_the_session_cookie_is_host_only_and_ends_with_the_browser() -> None:
    probe = ("import django; django.setup(); from django.conf import settings as s; "
             "print(s.SESSION_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_PATH, "
             "s.SESSION_COOKIE_DOMAIN, s.SESSION_EXPIRE_AT_BROWSER_CLOSE, s.CSRF_COOKIE_NAME)")
    result = run_python(probe, PRODUCTION)
    assert result.stdout.split() == ["__Host-sessionid", "True", "/", "None", "True",
                                     "__Host-csrftoken"]


def test_the_session_cookie_has_no_expiry_date(personas: Personas) -> None:
    client = Client()
    sign_in(client, "manager", PASSWORD)
    cookie = client.cookies["sessionid"]
    assert cookie["expires"] == "" and cookie["max-age"] == ""
    assert Session.objects.exists()
