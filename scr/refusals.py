"""Refused access is logged, and a run of refusals raises an alert (issue 9, defect 3).

Every 403 or 404 answered by one of the service's own pages (a URL the resolver matched:
a review, a record, a person, the history...) writes one ``AccessEvent`` with the
``refused`` action: who, the path, when, from which address and the status (the outcome).
Probing another agency's review leaves a trail even though each probe is only a 404 to the
prober. A path that matches no page (a scanner's ``/wp-admin``) is not a case URL and is
not logged.

When one person (or one anonymous address) is refused more than
``REFUSED_ACCESS_ALERT_COUNT`` times within ``REFUSED_ACCESS_ALERT_MINUTES``, the business
managers are e-mailed once for that window: the task claims the alert in the reminders
ledger (``scr.reminders``), so duplicate workers or retries never send it twice. The
recipients come from the provider named in ``SECURITY_ALERT_RECIPIENTS`` (scr imports no app).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from scr.accesslog import client_ip
from scr.models import AccessEvent
from scr.outbox import enqueue

REFUSED_STATUSES = frozenset({403, 404})
# Resolved URLs that are not case URLs: the admin has its own staff-only rules.
NOT_CASE_NAMESPACES = frozenset({"admin"})


class RefusedAccessMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if (response.status_code in REFUSED_STATUSES and match is not None
                and not NOT_CASE_NAMESPACES & set(match.namespaces)):
            record_refusal(request, response.status_code)
        return response


def record_refusal(request: HttpRequest, status: int) -> AccessEvent:
    user = request.user if request.user.is_authenticated else None
    match = request.resolver_match
    kwargs = match.kwargs if match is not None else {}
    route = match.route if match is not None else ""
    review_id = kwargs.get("pk") if route.startswith("reviews/<int:pk>") else None
    event = AccessEvent.objects.create(
        user=user, username=getattr(user, "username", ""), action=AccessEvent.Action.REFUSED,
        object_type=(match.view_name if match is not None else "")[:100],
        object_id=str(kwargs.get("pk", ""))[:64], object_repr=f"Refused ({status})",
        review_id=review_id, path=request.get_full_path()[:500], ip_address=client_ip(request),
        status_code=status)
    _queue_alert_check(event)
    return event


def _queue_alert_check(event: AccessEvent) -> None:
    enqueue("scr.tasks.check_refusals", event.pk)


def refusals_in_window(event: AccessEvent) -> int:
    """Refusals by the same person (or, signed out, the same address) in the window ending
    at ``event``."""
    since = event.at - timedelta(minutes=settings.REFUSED_ACCESS_ALERT_MINUTES)
    same = AccessEvent.objects.filter(action=AccessEvent.Action.REFUSED, at__gt=since,
                                      at__lte=event.at)
    if event.user_id is not None:
        return same.filter(user_id=event.user_id).count()
    return same.filter(user__isnull=True, ip_address=event.ip_address).count()


def window_period(event: AccessEvent) -> str:
    """The alert window the event falls in, as the reminders ledger's period."""
    minutes = max(1, settings.REFUSED_ACCESS_ALERT_MINUTES)
    at = timezone.localtime(event.at)
    bucket = (at.hour * 60 + at.minute) // minutes
    return f"{at:%Y-%m-%d}/{minutes}m/{bucket}"


def alert_if_probing(event_id: int) -> int:
    """E-mail each business manager once per window when ``event`` takes the refusals over
    the limit. Returns the number of alerts sent now (0 when under the limit or sent already)."""
    from django.core.mail import EmailMessage
    from django.utils.module_loading import import_string

    from scr.reminders import send_once

    event = AccessEvent.objects.select_related("user").get(pk=event_id)
    count = refusals_in_window(event)
    if count <= settings.REFUSED_ACCESS_ALERT_COUNT:
        return 0
    who = (f"{event.user} (username {event.username})" if event.user_id is not None
           else f"a signed-out visitor from {event.ip_address}")
    body = (f"{count} requests by {who} were refused (not found or forbidden) within "
            f"{settings.REFUSED_ACCESS_ALERT_MINUTES} minutes, the last at "
            f"{timezone.localtime(event.at):%d %b %Y %H:%M} from {event.ip_address}: "
            f"{event.path}\n\nSomeone may be probing for records they cannot see. The access "
            f"log lists every refusal (filter: Refused access): "
            f"{settings.SITE_URL.rstrip('/')}/access-log/?action=refused\n")
    sent = 0
    # The ledger's item: the person probing; a signed-out prober by their address in the kind.
    kind = "refused-access-alert" + ("" if event.user_id else f":{event.ip_address}")
    for recipient in import_string(settings.SECURITY_ALERT_RECIPIENTS)():
        item = event.user if event.user is not None else recipient
        message = EmailMessage(subject="Security alert: repeated refused access", body=body,
                               to=[recipient.email])
        if recipient.email and send_once(recipient, item, kind[:60], window_period(event),
                                         message):
            sent += 1
    return sent
