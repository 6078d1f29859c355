"""The search for a person across reviews: refused without a reason or to anyone but a
business manager, and logged (``PersonLookup``, append-only) in the same transaction as it
is answered, so no answer is ever given that the log does not hold."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from agencies.models import User
from agencies.models.roles import Role
from scr.history import save_with_history
from scr.rules import require_reason
from search.models import PersonLookup
from search.selectors.people import PersonMatch, PersonQuery, person_matches

__all__ = ["person_lookup_run"]


@transaction.atomic(durable=True)
def person_lookup_run(*, by: User, query: PersonQuery,
                      reason: str) -> tuple[PersonLookup, list[PersonMatch]]:
    """Look for a person across the partnership's reviews, and log who asked, what for,
    why, and which reviews were found."""
    if not by.has_role(Role.BUSINESS_MANAGER):
        raise PermissionDenied("Only a business manager may search for a person across reviews")
    reason = require_reason(reason, "Enter why you are searching for this person")
    if not (query.subject or query.name.strip() or query.identifier.strip()):
        raise ValidationError("Enter a name or an identifier to search for")
    if query.identifier.strip() and not query.identifier_kind:
        raise ValidationError({"identifier_kind": "Select what kind of identifier this is"})
    matches = person_matches(by, query)
    lookup = PersonLookup(by=by, subject=query.subject, name=query.name.strip(),
                          identifier_kind=query.identifier_kind if query.identifier.strip() else "",
                          identifier=query.identifier.strip(), reason=reason,
                          found=sorted({m.review for m in matches}))
    save_with_history(lookup, by=by, reason="Searched for a person across reviews")
    return lookup, matches
