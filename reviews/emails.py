"""E-mails about evidence requests, sent once per lead through the reminders ledger.

Superseded by the hand-off notifications (``services.handoffs``: the agency's leads are
told in the app and by e-mail, at once or in their digest, through ``scr.notifications``).
Kept, with its task ``reviews.tasks.evidence_notify``, so that outbox rows queued before
that change are still relayed to a task that exists (an unknown task name would stop the
relay); nothing queues it any more.

They name the review's reference, the kind of evidence and the due date, and link to the
request's page; they never carry what is asked or anything about the people in the case
(e-mail leaves the service), so the lead signs in to read it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse

from agencies.models import User
from agencies.models.roles import Role
from reviews.models import EvidenceRequest
from scr.reminders import send_once

EVENTS = {
    "sent": "Evidence requested",
    "returned": "Evidence returned for more",
}


def agency_leads(agency_id: int) -> list[User]:
    """The agency's current leads who have an e-mail address."""
    return [u for u in User.objects.filter(
        is_active=True, memberships__agency_id=agency_id, memberships__role=Role.AGENCY_LEAD,
    ).distinct().order_by("pk") if u.email and agency_id in u.agency_ids(Role.AGENCY_LEAD)]


def _message(request: EvidenceRequest, event: str, lead: User) -> EmailMessage:
    link = settings.SITE_URL.rstrip("/") + reverse("evidence_request", args=[request.pk])
    what = request.kind_phrase
    if event == "returned":
        body = (f"The {what} {request.agency} submitted for {request.review.reference} has "
                f"been returned: more is needed. It is due on {request.due_on:%-d %B %Y}.")
    else:
        body = (f"{request.agency} has been asked for the {what} for "
                f"{request.review.reference}, due on {request.due_on:%-d %B %Y}.")
    return EmailMessage(
        subject=f"{request.review.reference}: {EVENTS[event].lower()} ({what})",
        body=f"Hello {lead.first_name or lead.username},\n\n{body}\n\n"
             f"Sign in to read what is needed and to answer: {link}\n",
        to=[lead.email])


def send_evidence_emails(request_id: int, event: str, number: int = 0) -> int:
    """One e-mail per lead for this event (``sent``, or ``returned`` after submission
    ``number``); a lead already e-mailed about it is skipped (the ledger's row)."""
    if event not in EVENTS:
        raise ValueError(f"Unknown evidence e-mail: {event}")
    request = EvidenceRequest.objects.select_related("review", "agency").get(pk=request_id)
    period = "sent" if event == "sent" else f"submission-{number}"
    sent = 0
    for lead in agency_leads(request.agency_id):
        if send_once(lead, request, f"evidence_{event}", period,
                     _message(request, event, lead)):
            sent += 1
    return sent
