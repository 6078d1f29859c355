"""Two-factor sign-in (django-otp): the production rule, enrolment, codes, backup codes, the
admin, demo mode and a manager's reset. Tests' settings keep it off (DEBUG at import); each
test here turns the production rule on."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.models import BackupCode, User
from scr.models import AccessEvent
from tests.agencies.test_authentication import sign_in
from tests.conftest import PASSWORD, Personas, client_for
from tests.factories import MembershipFactory, UserFactory
from tests.scr.test_settings import run_python
from tests.two_factor import code_for, enrolled_device, verified_client

# Its tests count sessions and sign-in events: no persona is signed in beforehand.
pytestmark = pytest.mark.fresh_sessions

CODE_PATTERN = r"<li><code>([0-9A-Z]{5}(?:-[0-9A-Z]{1,5}){4})</code></li>"


@pytest.fixture(autouse=True)
def production_rule(settings: Any) -> None:
    settings.TWO_FACTOR_REQUIRED = True
    settings.DEMO_MODE = False


@pytest.fixture
def no_code_throttle(settings: Any) -> None:
    """django-otp makes each wrong code double the wait before the next try (tested below);
    tests that try a right code straight after a wrong one switch that off."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def test_production_settings_require_two_factor_and_development_does_not() -> None:
    probe = ("import django; django.setup(); from django.conf import settings as s; "
             "print(s.TWO_FACTOR_REQUIRED)")
    production = run_python(probe, {"DEBUG": "0", "SECRET_KEY": "x" * 50})
    assert production.returncode == 0, production.stderr
    assert production.stdout.strip() == "True"
    demo = run_python(probe, {"DEBUG": "0", "SECRET_KEY": "x" * 50, "DEMO_MODE": "1"})
    assert demo.stdout.strip() == "True"  # real accounts still need it; demo accounts do not
    assert run_python(probe, {}).stdout.strip() == "False"


def test_a_password_alone_reaches_nothing_but_the_two_factor_set_up(personas: Personas) -> None:
    client = Client()
    response = sign_in(client, "manager", PASSWORD)
    assert response.status_code == 302
    for url in ("/", "/reviews/", "/people/", "/access-log/", "/account/"):
        page = client.get(url)
        assert page.status_code == 302, url
        assert page["Location"].startswith("/account/two-factor/set-up/?next="), url


def test_enrolment_shows_a_qr_code_and_the_key_and_a_right_code_confirms_it(
    personas: Personas, django_capture_on_commit_callbacks: Any, no_code_throttle: None,
) -> None:
    client = client_for(personas.reviewer)
    page = client.get("/account/two-factor/set-up/")
    html = page.content.decode()
    assert "<svg" in html and "QR code to add this account" in html
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', html)
    assert secret is not None
    device = TOTPDevice.objects.get(user=personas.reviewer, confirmed=False)
    assert client.post("/account/two-factor/set-up/", {"code": "000000"}).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/account/two-factor/set-up/", {"code": code_for(device)})
    assert response.status_code == 200
    codes = re.findall(CODE_PATTERN, response.content.decode())
    assert len(codes) == 10
    assert "no-store" in response["Cache-Control"]
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/reviews/").status_code == 200  # verified for this session
    assert AccessEvent.objects.filter(user=personas.reviewer, action="account",
                                      object_repr__startswith="Two-factor sign-in set up").exists()
    assert any("Two-factor sign-in was set up" in m.body for m in mail.outbox)


def test_with_a_device_a_code_is_asked_and_then_the_page_asked_for_is_shown(
    personas: Personas, no_code_throttle: None,
) -> None:
    device = enrolled_device(personas.manager)
    client = Client()
    sign_in(client, "manager", PASSWORD)
    response = client.get("/people/")
    assert response["Location"] == "/account/two-factor/?next=%2Fpeople%2F"
    wrong = client.post("/account/two-factor/", {"code": "123456", "next": "/people/"})
    assert "The code is not right" in wrong.content.decode()
    assert AccessEvent.objects.filter(action=AccessEvent.Action.LOGIN_FAILED,
                                      username="manager").count() == 1
    right = client.post("/account/two-factor/", {"code": code_for(device), "next": "/people/"})
    assert right["Location"] == "/people/"
    assert client.get("/people/").status_code == 200


def test_after_a_wrong_code_even_the_right_one_waits(personas: Personas) -> None:
    device = enrolled_device(personas.manager)
    client = client_for(personas.manager)
    client.post("/account/two-factor/", {"code": "000000"})
    again = client.post("/account/two-factor/", {"code": code_for(device)})
    assert again.status_code == 200
    assert "The code is not right" in again.content.decode()


def test_a_password_alone_cannot_enrol_a_new_device_over_an_existing_one(
    personas: Personas,
) -> None:
    enrolled_device(personas.manager)
    client = client_for(personas.manager)
    response = client.get("/account/two-factor/set-up/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/two-factor/?next=")
    assert not TOTPDevice.objects.filter(user=personas.manager, confirmed=False).exists()


def test_a_backup_code_signs_in_once(personas: Personas) -> None:
    client = verified_client(personas.manager)
    codes_page = client.post("/account/two-factor/backup-codes/")
    codes = re.findall(CODE_PATTERN, codes_page.content.decode())
    assert len(codes) == 10
    first = Client()
    sign_in(first, "manager", PASSWORD)
    assert first.post("/account/two-factor/", {"code": codes[0]}).status_code == 302
    again = Client()
    sign_in(again, "manager", PASSWORD)
    assert "The code is not right" in again.post("/account/two-factor/",
                                                 {"code": codes[0]}).content.decode()
    assert BackupCode.objects.filter(device__user=personas.manager,
                                     used_at__isnull=True).count() == 9


def test_backup_codes_are_kept_only_as_hashes(personas: Personas) -> None:
    client = verified_client(personas.manager)
    codes = re.findall(CODE_PATTERN, client.post("/account/two-factor/backup-codes/")
                       .content.decode())
    stored = list(BackupCode.objects.values_list("digest", flat=True))
    assert len(stored) == 10
    for code in codes:
        assert len(code.replace("-", "")) == 23  # 115 bits
        assert not any(code.replace("-", "") in digest.upper() for digest in stored)
    # Typed in lower case with spaces instead of dashes, it still works.
    other = Client()
    sign_in(other, "manager", PASSWORD)
    typed = codes[3].lower().replace("-", " ")
    assert other.post("/account/two-factor/", {"code": typed}).status_code == 302


def test_the_admin_is_behind_the_same_check(personas: Personas) -> None:
    staff = UserFactory(username="staffer", is_staff=True, is_superuser=True)
    client = client_for(staff)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/two-factor/set-up/")
    device = enrolled_device(staff)
    client = client_for(staff)
    client.post("/account/two-factor/", {"code": code_for(device)})
    assert client.get("/admin/").status_code == 200


def test_the_admin_never_shows_an_authenticators_key(personas: Personas) -> None:
    staff = UserFactory(username="staffer", is_staff=True, is_superuser=True)
    client = verified_client(staff)
    device = enrolled_device(personas.police_lead)
    page = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert page.status_code == 200
    assert device.key not in page.content.decode()
    assert "qrcode" not in client.get("/admin/otp_totp/totpdevice/").content.decode()


def test_the_admin_sign_in_page_is_the_services_own(db: None) -> None:
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def test_demo_accounts_need_no_second_factor_in_demo_mode_and_every_page_says_so(
    db: None, settings: Any,
) -> None:
    settings.DEMO_MODE = True
    demo = UserFactory(username="demo_lead", is_demo=True)
    MembershipFactory(user=demo, role="business_manager", agency=None)
    client = Client()
    assert sign_in(client, "demo_lead", PASSWORD).status_code == 302
    page = client.get("/")
    assert page.status_code == 200
    assert "Demonstration only" in page.content.decode()


def test_real_accounts_still_need_it_in_demo_mode(personas: Personas, settings: Any) -> None:
    settings.DEMO_MODE = True
    client = client_for(personas.manager)
    assert client.get("/")["Location"].startswith("/account/two-factor/set-up/")


# ---------------------------------------------------------------- a manager's reset


def test_a_manager_resets_a_lost_second_factor_with_a_reason_audited_and_told(
    personas: Personas, django_capture_on_commit_callbacks: Any,
) -> None:
    lead = personas.police_lead
    lead.email = "lead@police.example"
    lead.save()
    enrolled_device(lead)
    lead_client = verified_client(lead, TOTPDevice.objects.get(user=lead))
    manager = verified_client(personas.manager)
    url = f"/people/{lead.pk}/two-factor/reset/"
    assert manager.get(url).status_code == 200
    refused = manager.post(url, {"reason": ""})
    assert "Enter the reason for this change" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = manager.post(url, {"reason": "Lost phone, rang the service desk"})
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=lead).exists()
    history = User.history.filter(id=lead.pk).order_by("history_id").last()
    assert history is not None
    assert history.history_user == personas.manager
    assert history.history_change_reason == "Second factor reset: Lost phone, rang the service desk"
    assert AccessEvent.objects.filter(action="account", object_id=str(lead.pk),
                                      user=personas.manager,
                                      object_repr__startswith="Second factor reset").exists()
    notice = [m for m in mail.outbox if m.to == ["lead@police.example"]]
    assert len(notice) == 1
    assert "reset the two-factor sign-in" in notice[0].body
    # Their sessions have ended; at the next sign-in they set up a new one.
    assert lead_client.get("/")["Location"].startswith("/sign-in/")


def test_only_business_managers_reset_a_second_factor(personas: Personas) -> None:
    target = personas.health_lead
    response = verified_client(personas.police_lead).post(
        f"/people/{target.pk}/two-factor/reset/", {"reason": "x"})
    assert response.status_code == 404


# ---------------------------------------------------------------- session keys (pen test 5)


def _key(client: Client) -> str:
    key = client.cookies["sessionid"].value
    assert key
    return key


def _still_listed_as_this_session(client: Client, user: User) -> None:
    from scr.models import SignedInSession

    assert SignedInSession.objects.filter(user=user, session_key=_key(client)).exists()
    assert client.get("/account/").content.decode().count("This session") == 1


def test_verifying_the_second_factor_gives_the_session_a_new_key(
    personas: Personas, no_code_throttle: None,
) -> None:
    """A key learnt before the code (a fixation, a shoulder) is worthless after it."""
    from django.contrib.sessions.models import Session

    device = enrolled_device(personas.manager)
    client = Client()
    sign_in(client, "manager", PASSWORD)
    before = _key(client)
    assert client.post("/account/two-factor/", {"code": code_for(device)}).status_code == 302
    assert _key(client) != before
    assert not Session.objects.filter(session_key=before).exists()
    assert client.get("/people/").status_code == 200  # still signed in, and verified
    _still_listed_as_this_session(client, personas.manager)
    old = Client()
    old.cookies["sessionid"] = before
    assert old.get("/people/")["Location"].startswith("/sign-in/")


def test_setting_up_the_second_factor_gives_the_session_a_new_key(
    personas: Personas, no_code_throttle: None,
) -> None:
    client = Client()
    sign_in(client, "reviewer", PASSWORD)
    client.get("/account/two-factor/set-up/")
    before = _key(client)
    device = TOTPDevice.objects.get(user=personas.reviewer, confirmed=False)
    assert client.post("/account/two-factor/set-up/", {"code": code_for(device)}
                       ).status_code == 200
    assert _key(client) != before
    assert client.get("/reviews/").status_code == 200
    _still_listed_as_this_session(client, personas.reviewer)


def test_confirming_its_you_gives_the_session_a_new_key(
    personas: Personas, no_code_throttle: None,
) -> None:
    device = enrolled_device(personas.manager)
    client = Client()
    sign_in(client, "manager", PASSWORD)
    client.post("/account/two-factor/", {"code": code_for(device)})
    before = _key(client)
    response = client.post("/account/confirm/", {"password": PASSWORD,
                                                 "code": code_for(device, step=1)})
    assert response.status_code == 302, response.content[:300]
    assert _key(client) != before
    assert client.get("/people/").status_code == 200
    _still_listed_as_this_session(client, personas.manager)


def test_changing_the_password_keeps_the_person_signed_in_with_a_new_key(
    personas: Personas, no_code_throttle: None,
) -> None:
    device = enrolled_device(personas.manager)
    client = Client()
    sign_in(client, "manager", PASSWORD)
    client.post("/account/two-factor/", {"code": code_for(device)})
    before = _key(client)
    new = "a-much-longer-passphrase-9431"
    response = client.post("/account/password/", {"old_password": PASSWORD,
                                                  "new_password1": new, "new_password2": new})
    assert response.status_code == 302, response.content[:500]
    assert _key(client) != before
    assert client.get("/people/").status_code == 200
    _still_listed_as_this_session(client, personas.manager)


def test_visiting_the_set_up_page_again_reuses_the_device_being_set_up(
    personas: Personas,
) -> None:
    """Pen test 6: each visit made another unconfirmed device."""
    client = Client()
    sign_in(client, "reviewer", PASSWORD)
    pages = [client.get("/account/two-factor/set-up/") for _ in range(3)]
    assert all(page.status_code == 200 for page in pages)
    assert TOTPDevice.objects.filter(user=personas.reviewer).count() == 1
    secrets = {re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', p.content.decode()).group(1)
               for p in pages}
    assert len(secrets) == 1


def test_pending_devices_left_by_concurrent_visits_collapse_into_one(personas: Personas) -> None:
    """Two visits at once used to make two unconfirmed devices; the set-up page now keeps one
    (the person's row is locked while it looks) and removes any other."""
    from agencies.services.account import totp_device_pending

    first = TOTPDevice.objects.create(user=personas.reviewer, name="Authenticator app",
                                      confirmed=False)
    second = TOTPDevice.objects.create(user=personas.reviewer, name="Authenticator app",
                                       confirmed=False)
    assert totp_device_pending(personas.reviewer) == second
    assert list(TOTPDevice.objects.filter(user=personas.reviewer)) == [second]
    assert totp_device_pending(personas.reviewer) == second
    assert first.pk != second.pk
