"""The one place action plans read evidence requests (for the daily digest).

Today's ``reviews.EvidenceRequest`` is the minimal model (``due_on``, ``received_on``,
``withdrawn``); the evidence issue replaces it with one that has kinds and states (sent →
acknowledged → submitted → accepted, returned, withdrawn) and the report issue's
factual-accuracy checks are requests of their own kind. Only this function changes then:
"still awaited" becomes "state is sent, acknowledged or returned", and ``kind_label``
comes from the request's kind (a factual-accuracy check reads "factual-accuracy check").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from reviews.models import ENDED_STAGES, EvidenceRequest

__all__ = ["AwaitedRequest", "awaited_evidence_requests"]


@dataclass(frozen=True)
class AwaitedRequest:
    id: int
    review_id: int
    reference: str
    agency_id: int
    agency: str
    kind_label: str
    due_on: date


def awaited_evidence_requests(*, agency_ids: Iterable[int] | None, due_by: date
                              ) -> list[AwaitedRequest]:
    """Requests still awaited from these agencies (every agency if ``None``) due on or
    before ``due_by``, in one query, oldest due first."""
    qs = EvidenceRequest._base_manager.filter(received_on__isnull=True, withdrawn=False,
                                             due_on__lte=due_by).exclude(
        review__stage__in=sorted(ENDED_STAGES))
    if agency_ids is not None:
        qs = qs.filter(agency_id__in=sorted(set(agency_ids)))
    rows = qs.order_by("due_on", "id").values_list(
        "id", "review_id", "review__reference", "agency_id", "agency__name", "due_on")
    return [AwaitedRequest(i, r, ref, a, name, "evidence request", due)
            for i, r, ref, a, name, due in rows]
